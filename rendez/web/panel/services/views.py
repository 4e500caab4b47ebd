"""Services: list, create, edit. Every write goes through `rendez.scheduling.catalog`; a refusal
(`CatalogError`) is shown on the form, next to the field at fault."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from rendez.scheduling import catalog, questions
from rendez.scheduling.models import Service, ServiceQuestion, Staff
from rendez.tenants.models import Tenant
from rendez.web.panel import sections
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.services.forms import ADD_PREFIX, QuestionForm, ServiceForm, edit_prefix, label_of

# What a staff member connects to host a provider's meetings (Meet and Teams are made on their calendar).
VIDEO_HOSTS = {
    "zoom": "Zoom",
    "google_meet": "their Google calendar",
    "teams": "their Microsoft 365 calendar",
}
# Catalog fields named differently on the form.
FORM_FIELD = {"staff_ids": "staff", "meeting_options": "auto_recording"}


@dataclass(frozen=True)
class VideoNote:
    """Why a provider cannot be chosen now, and where to set it up ("" where there is nothing to set up)."""

    label: str
    reason: str
    url: str = ""


def video_notes(tenant: Tenant) -> dict[str, VideoNote]:
    """Provider -> why services of `tenant` cannot choose it now; a provider missing here can be chosen."""
    found = {}
    for value, label, choice in sections.video_choices():
        if choice is None:
            found[value] = VideoNote(label, f"{label} is not available here yet.")
        elif (refusal := choice.refusal(tenant)) is not None:
            found[value] = VideoNote(label, refusal, choice.settings_url())
    return found


def staff_who_cannot_host(service: Service) -> list[tuple[Staff, str]]:
    """The active staff offering this video service who could not host its meeting, and why: the public
    booking page leaves them out of it (a customer would get no link) unless the business offers them
    anyway."""
    choice = sections.video_choice(service.video_provider) if service.video_provider else None
    return choice.cannot_host(service) if choice is not None else []


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
    notes = video_notes(panel.tenant)
    initial = ServiceForm.initial_for(service)
    data = request.POST if request.method == "POST" else None
    form = ServiceForm(panel.tenant, data, initial=initial, refusals=_reasons(notes))
    if request.method == "POST" and form.is_valid():
        saved = _save(form, panel, service)
        if saved is not None:
            verb = "added" if service is None else "saved"
            messages.success(request, f"Service “{saved.name}” {verb}.")
            return redirect("panel:services_list")
    return edit_page(request, panel, service, form=form, notes=notes)


def edit_page(
    request: HttpRequest,
    panel: Panel,
    service: Service | None,
    *,
    form: ServiceForm | None = None,
    notes: dict[str, VideoNote] | None = None,
    question_form: QuestionForm | None = None,
    editing: dict[int, QuestionForm] | None = None,
) -> HttpResponse:
    """The service's page: its form (as stored unless `form` is given) and its booking questions, with
    `question_form` or `editing` (question id → form) shown as submitted when they were refused."""
    if notes is None:
        notes = video_notes(panel.tenant)
    if form is None:
        initial = ServiceForm.initial_for(service)
        form = ServiceForm(panel.tenant, initial=initial, refusals=_reasons(notes))
    usable = service is not None and service.video_provider and service.video_provider not in notes
    provider = service.video_provider if service is not None and usable else None
    context = {
        "panel": panel,
        "form": form,
        "service": service,
        "video_notes": list(notes.values()),
        "cannot_host": staff_who_cannot_host(service) if service is not None and usable else [],
        "offered_anyway": panel.tenant.offer_staff_without_zoom,
        # Only shown with `cannot_host`, which needs a usable provider.
        "video_label": label_of(provider) if provider else "",
        "video_host": VIDEO_HOSTS.get(provider, "") if provider else "",
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


def _reasons(notes: dict[str, VideoNote]) -> dict[str, str]:
    return {provider: note.reason for provider, note in notes.items()}


def _save(form: ServiceForm, panel: Panel, service: Service | None) -> Service | None:
    values = form.values()
    staff_ids = [member.pk for member in form.cleaned_data["staff"]]
    options = form.meeting_options()
    try:
        if service is None:
            chosen = {name: value for name, value in options.items() if value is not None}
            details = catalog.ServiceDetails(**values, meeting_options=chosen)
            return catalog.create_service(panel.tenant, details, staff_ids=staff_ids)
        changes = catalog.ServiceChanges(**values, meeting_options=options, staff_ids=staff_ids)
        return catalog.update_service(service, changes)
    except catalog.CatalogError as error:
        for field, message in error.fields.items() or [(None, error.message)]:
            name = FORM_FIELD.get(field or "", field)
            form.add_error(name if name in form.fields else None, message)
        return None
