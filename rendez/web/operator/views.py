"""The operator's pages: tenants, plans and capabilities, and the platform's Zoom setup.

Tenants and plans change only through `rendez.tenants.operations`; a refusal shows on the form it came from.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rendez.tenants import operations
from rendez.tenants.models import Plan, Tenant
from rendez.web.operator import queries
from rendez.web.operator.access import operator_view
from rendez.web.operator.forms import PlanForm, TenantForm, TenantPlanForm


@operator_view
def home(request: HttpRequest) -> HttpResponse:
    return redirect("operator:tenants")


@operator_view
def tenants(request: HttpRequest) -> HttpResponse:
    form = TenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = operations.create_tenant(**form.cleaned_data)
        except operations.TenantError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"{tenant.name} was created; its booking page is /book/{tenant.slug}/.")
            return redirect("operator:tenants")
    rows = [(t, TenantPlanForm(initial={"plan": t.plan_id}, prefix=f"t{t.pk}")) for t in queries.tenants()]
    context = {"rows": rows, "form": form}
    return render(request, "operator/tenants.html", context, status=400 if form.errors else 200)


@require_POST
@operator_view
def tenant_plan(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    form = TenantPlanForm(request.POST, prefix=f"t{tenant.pk}")
    if not form.is_valid():
        messages.error(request, "That plan does not exist.")
        return redirect("operator:tenants")
    operations.change_plan(tenant, form.cleaned_data["plan"])
    plan = form.cleaned_data["plan"]
    messages.success(request, f"{tenant.name} is now on {plan.name if plan else 'no plan'}.")
    return redirect("operator:tenants")


@require_POST
@operator_view
def tenant_active(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    active = request.POST.get("active") == "1"
    operations.set_active(tenant, active)
    messages.success(request, f"{tenant.name} is now {'active' if active else 'deactivated'}.")
    return redirect("operator:tenants")


@operator_view
def plans(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and _save_plan(request, None, form):
        return redirect("operator:plans")
    context = {"plans": Plan.objects.order_by("name"), "form": form}
    return render(request, "operator/plans.html", context, status=400 if form.errors else 200)


@operator_view
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    item = get_object_or_404(Plan, pk=plan_id)
    form = PlanForm.for_plan(item, request.POST or None)
    if request.method == "POST" and _save_plan(request, item, form):
        return redirect("operator:plans")
    context = {"plan": item, "form": form, "tenant_count": item.tenants.count()}
    return render(request, "operator/plan.html", context, status=400 if form.errors else 200)


def _save_plan(request: HttpRequest, item: Plan | None, form: PlanForm) -> bool:
    if not form.is_valid():
        return False
    try:
        saved = operations.save_plan(item, **form.cleaned_data)
    except operations.TenantError as error:
        form.add_error(error.field, error.message)
        return False
    messages.success(request, f"The plan {saved.name} was saved.")
    return True


@operator_view
def zoom(request: HttpRequest) -> HttpResponse:
    return render(request, "operator/zoom.html", {"zoom": queries.zoom_setup()})
