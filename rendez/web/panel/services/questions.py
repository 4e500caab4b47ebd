"""A service's booking questions on its edit page (admins only): add, edit, move up or down, retire. Every
change goes through `scheduling.questions`; a refusal is shown beside the field at fault, on the edit page
with the rest of the service as stored."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from rendez.scheduling import questions
from rendez.scheduling.catalog import CatalogError
from rendez.scheduling.models import Service, ServiceQuestion
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.services import views
from rendez.web.panel.services.forms import ADD_PREFIX, QuestionForm, edit_prefix


@require_POST
@panel_view(admin_only=True)
def question_add(request: HttpRequest, panel: Panel, service_id: int) -> HttpResponse:
    service = _service(panel, service_id)
    form = QuestionForm(request.POST, prefix=ADD_PREFIX)
    if form.is_valid():
        try:
            question = questions.add_question(service, form.draft())
        except CatalogError as error:
            _show(form, error)
        else:
            messages.success(request, f"The booking page now asks “{question.label}”.")
            return _back(service)
    return views.edit_page(request, panel, service, question_form=form)


@require_POST
@panel_view(admin_only=True)
def question_edit(request: HttpRequest, panel: Panel, service_id: int, question_id: int) -> HttpResponse:
    service, question = _question(panel, service_id, question_id)
    form = QuestionForm(request.POST, prefix=edit_prefix(question))
    if form.is_valid():
        try:
            questions.edit_question(question, form.draft())
        except CatalogError as error:
            _show(form, error)
        else:
            messages.success(request, "The question is saved; answers given before keep its old wording.")
            return _back(service)
    return views.edit_page(request, panel, service, editing={question.pk: form})


@require_POST
@panel_view(admin_only=True)
def question_move(request: HttpRequest, panel: Panel, service_id: int, question_id: int) -> HttpResponse:
    service, question = _question(panel, service_id, question_id)
    questions.move_question(question, -1 if request.POST.get("direction") == "up" else 1)
    return _back(service)


@require_POST
@panel_view(admin_only=True)
def question_retire(request: HttpRequest, panel: Panel, service_id: int, question_id: int) -> HttpResponse:
    service, question = _question(panel, service_id, question_id)
    questions.retire_question(question)
    messages.success(
        request, f"“{question.label}” is no longer asked; the answers already given stay with their bookings."
    )
    return _back(service)


def _service(panel: Panel, service_id: int) -> Service:
    return get_object_or_404(Service, tenant=panel.tenant, pk=service_id)


def _question(panel: Panel, service_id: int, question_id: int) -> tuple[Service, ServiceQuestion]:
    service = _service(panel, service_id)
    question = ServiceQuestion.objects.filter(service=service, pk=question_id, is_active=True).first()
    if question is None:
        raise Http404("No such question.")
    return service, question


def _show(form: QuestionForm, error: CatalogError) -> None:
    for field, message in error.fields.items() or [(None, error.message)]:
        form.add_error(field if field in form.fields else None, message)


def _back(service: Service) -> HttpResponse:
    return redirect(reverse("panel:services_edit", args=[service.pk]) + "#questions")
