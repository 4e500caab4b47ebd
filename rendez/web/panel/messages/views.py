"""Workflows (list, create, edit, switch on and off), deliveries and dead-lettered jobs with re-run. Admins
only. Workflow writes go through `rendez.notifications.workflows`; a refusal of the model's validation is
shown next to the field at fault. Re-runs use the jobs app's own `rerun`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rendez.jobs.claims import rerun
from rendez.lib import shortcodes
from rendez.notifications import workflows
from rendez.notifications.defaults import BUILT_IN_FOLLOWUPS
from rendez.notifications.models import Delivery, Workflow
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.messages import deadjobs
from rendez.web.panel.messages.forms import DeliveryFilter, WorkflowForm

RECENT = 200


def _workflow(panel: Panel, workflow_id: int) -> Workflow:
    return get_object_or_404(Workflow, tenant=panel.tenant, pk=workflow_id)


@panel_view(admin_only=True)
def messages_workflows(request: HttpRequest, panel: Panel) -> HttpResponse:
    found = Workflow.objects.filter(tenant=panel.tenant).order_by("trigger", "offset_minutes", "name", "pk")
    context = {"panel": panel, "workflows": found, "followups": BUILT_IN_FOLLOWUPS}
    return render(request, "panel/messages/workflows.html", context)


@panel_view(admin_only=True)
def messages_workflow_create(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _edit(request, panel, None)


@panel_view(admin_only=True)
def messages_workflow_edit(request: HttpRequest, panel: Panel, workflow_id: int) -> HttpResponse:
    return _edit(request, panel, _workflow(panel, workflow_id))


def _edit(request: HttpRequest, panel: Panel, workflow: Workflow | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = WorkflowForm(data, initial=WorkflowForm.initial_for(workflow))
    if request.method == "POST" and form.is_valid():
        try:
            if workflow is None:
                saved = workflows.create_workflow(panel.tenant, form.cleaned_data)
            else:
                saved = workflows.update_workflow(workflow, form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            verb = "added" if workflow is None else "saved"
            messages.success(request, f"Workflow “{saved.name}” {verb}.")
            return redirect("panel:messages_workflows")
    context = {
        "panel": panel,
        "form": form,
        "workflow": workflow,
        "shortcodes": sorted(shortcodes.SHORTCODES),
        "host_only": sorted(shortcodes.HOST_ONLY_SHORTCODES),
    }
    return render(request, "panel/messages/workflow_form.html", context, status=400 if form.errors else 200)


@require_POST
@panel_view(admin_only=True)
def messages_workflow_active(request: HttpRequest, panel: Panel, workflow_id: int) -> HttpResponse:
    workflow = _workflow(panel, workflow_id)
    active = request.POST.get("active") == "on"
    workflows.set_active(workflow, active)
    messages.success(request, f"Workflow “{workflow.name}” {'activated' if active else 'deactivated'}.")
    return redirect("panel:messages_workflows")


@panel_view(admin_only=True)
def messages_deliveries(request: HttpRequest, panel: Panel) -> HttpResponse:
    form = DeliveryFilter(request.GET or None)
    found = Delivery.objects.filter(tenant=panel.tenant).select_related("booking__customer", "workflow")
    state = form.cleaned_data.get("state") if form.is_valid() else ""
    if state:
        found = found.filter(state=state)
    # Newest first, a page at a time: "older" continues below the last id shown (ids grow with time), so a
    # page costs the same however long the history is.
    before = request.GET.get("before", "")
    if before.isdigit():
        found = found.filter(id__lt=int(before))
    page = list(found.order_by("-id")[: RECENT + 1])
    older = page[RECENT - 1].pk if len(page) > RECENT else None
    context = {"panel": panel, "form": form, "deliveries": page[:RECENT], "older": older, "state": state}
    return render(request, "panel/messages/deliveries.html", context)


@panel_view(admin_only=True)
def messages_dead_jobs(request: HttpRequest, panel: Panel) -> HttpResponse:
    rows = [(job, deadjobs.reference_label(job)) for job in deadjobs.dead_jobs_of(panel.tenant)]
    return render(request, "panel/messages/dead_jobs.html", {"panel": panel, "rows": rows})


@require_POST
@panel_view(admin_only=True)
def messages_rerun(request: HttpRequest, panel: Panel, job_id: int) -> HttpResponse:
    job = deadjobs.dead_job_of(panel.tenant, job_id)
    rerun([job.pk])
    messages.success(request, f"Job {job.pk} ({job.kind}) queued again.")
    return redirect("panel:messages_dead_jobs")
