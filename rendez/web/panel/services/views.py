"""Services: list, create, edit. Every write goes through `rendez.scheduling.catalog`; a refusal
(`CatalogError`) is shown on the form, next to the field at fault."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from rendez.integrations.zoom import access, hosts
from rendez.integrations.zoom import tenant_settings as zoom_settings
from rendez.integrations.zoom.models import Connection
from rendez.scheduling import catalog, questions
from rendez.scheduling.models import Service, ServiceQuestion, Staff
from rendez.tenants.models import Tenant
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.services.forms import ADD_PREFIX, QuestionForm, ServiceForm, edit_prefix

ZOOM_OFF = "The Zoom integration is turned off for this business."
# Catalog fields named differently on the form.
FORM_FIELD = {"staff_ids": "staff", "meeting_options": "auto_recording"}
NO_CONNECTION = "No Zoom account is connected yet: neither the business's account nor any staff member's."


def zoom_refusal(tenant: Tenant) -> str | None:
    """Why services of `tenant` cannot have Zoom meetings now, or None when they can."""
    refusal = access.refusal(tenant)
    if refusal is not None:
        return refusal
    if not zoom_settings.settings_of(tenant).enabled:
        return ZOOM_OFF
    if not Connection.objects.filter(tenant=tenant).exists():
        return NO_CONNECTION
    return None


def staff_who_cannot_host(service: Service) -> list[tuple[Staff, str]]:
    """The active staff offering this video service who have no usable Zoom host, and why: the public booking
    page leaves them out of it (a customer would get no link) unless the business offers them anyway."""
    if not service.zoom_enabled:
        return []
    offering = service.staff.filter(is_active=True).select_related(*hosts.host_relations()).order_by("name")
    found = []
    for member in offering:
        host = hosts.host_for(member)
        if host is None:
            found.append((member, "no Zoom account connected or mapped"))
        elif not host.usable:
            found.append((member, "their Zoom connection needs reconnecting"))
    return found


@panel_view(admin_only=True)
def services_list(request: HttpRequest, panel: Panel) -> HttpResponse:
    services = Service.objects.filter(tenant=panel.tenant).prefetch_related("staff").order_by("name", "pk")
    return render(request, "panel/services/list.html", {"panel": panel, "services": services})


@panel_view(admin_only=True)
def services_create(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _edit(request, panel, None)


@panel_view(admin_only=True)
def services_edit(request: HttpRequest, panel: Panel, service_id: int) -> HttpResponse:
    return _edit(request, panel, get_object_or_404(Service, tenant=panel.tenant, pk=service_id))


def _edit(request: HttpRequest, panel: Panel, service: Service | None) -> HttpResponse:
    refusal = zoom_refusal(panel.tenant)
    initial = ServiceForm.initial_for(service)
    data = request.POST if request.method == "POST" else None
    form = ServiceForm(panel.tenant, data, initial=initial, zoom_refusal=refusal)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, panel, service, zoom_usable=refusal is None)
        if saved is not None:
            verb = "added" if service is None else "saved"
            messages.success(request, f"Service “{saved.name}” {verb}.")
            return redirect("panel:services_list")
    return edit_page(request, panel, service, form=form, refusal=refusal)


def edit_page(
    request: HttpRequest,
    panel: Panel,
    service: Service | None,
    *,
    form: ServiceForm | None = None,
    refusal: str | None = None,
    question_form: QuestionForm | None = None,
    editing: dict[int, QuestionForm] | None = None,
) -> HttpResponse:
    """The service's page: its form (as stored unless `form` is given) and its booking questions, with
    `question_form` or `editing` (question id → form) shown as submitted when they were refused."""
    if form is None:
        refusal = zoom_refusal(panel.tenant)
        form = ServiceForm(panel.tenant, initial=ServiceForm.initial_for(service), zoom_refusal=refusal)
    cannot_host = staff_who_cannot_host(service) if service is not None and refusal is None else []
    context = {
        "panel": panel,
        "form": form,
        "service": service,
        "zoom_refusal": refusal,
        "cannot_host": cannot_host,
        "offered_anyway": panel.tenant.offer_staff_without_zoom,
    }
    if service is not None:
        context["questions"] = question_rows(service, editing or {})
        context["question_form"] = question_form or QuestionForm(prefix=ADD_PREFIX)
    refused = form.errors or (question_form is not None and question_form.errors) or editing
    return render(request, "panel/services/form.html", context, status=400 if refused else 200)


def question_rows(
    service: Service, editing: dict[int, QuestionForm]
) -> list[tuple[ServiceQuestion, QuestionForm]]:
    """Each active question with its edit form: as submitted when it was refused, else as stored."""
    return [
        (
            question,
            editing.get(question.pk)
            or QuestionForm(prefix=edit_prefix(question), initial=QuestionForm.initial_for(question)),
        )
        for question in questions.active_questions(service)
    ]


def _save(form: ServiceForm, panel: Panel, service: Service | None, *, zoom_usable: bool) -> Service | None:
    values = form.values()
    staff_ids = [member.pk for member in form.cleaned_data["staff"]]
    options = form.meeting_options()
    try:
        if service is None:
            chosen = {name: value for name, value in options.items() if value is not None}
            details = catalog.ServiceDetails(
                **values,
                zoom_enabled=zoom_usable and form.cleaned_data["zoom_enabled"],
                meeting_options=chosen,
            )
            return catalog.create_service(panel.tenant, details, staff_ids=staff_ids)
        zoom = form.cleaned_data["zoom_enabled"] if zoom_usable else catalog.KEEP
        changes = catalog.ServiceChanges(
            **values, zoom_enabled=zoom, meeting_options=options, staff_ids=staff_ids
        )
        return catalog.update_service(service, changes)
    except catalog.CatalogError as error:
        for field, message in error.fields.items() or [(None, error.message)]:
            name = FORM_FIELD.get(field or "", field)
            form.add_error(name if name in form.fields else None, message)
        return None
