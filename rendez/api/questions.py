"""A service's booking questions: read them, or put the whole list at once. Every write goes through
`scheduling.questions`, the one writer the panel uses too."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field, StrictBool

from rendez.api.auth import tenant_of
from rendez.api.errors import error_responses
from rendez.api.question_schemas import QuestionKind, QuestionOut
from rendez.api.schemas import Id, Input
from rendez.scheduling import questions
from rendez.scheduling.models import Service
from rendez.tenants.models import Tenant

router = Router()
ERRORS = error_responses(401, 404, 422)
BODY_ERRORS = error_responses(400, 401, 404, 413, 422)


class QuestionIn(Input):
    id: Id | None = Field(None, description="An active question to rewrite; leave out to add a question")
    label: str = Field(min_length=1, max_length=questions.LABEL_MAX)
    kind: QuestionKind = "text"
    choices: list[str] = Field(
        default_factory=list,
        max_length=questions.CHOICES_MAX,
        description=f"For `choice`: {questions.CHOICES_MIN} to {questions.CHOICES_MAX} distinct options "
        f"of at most {questions.CHOICE_MAX} characters",
    )
    required: StrictBool = False


class QuestionsIn(Input):
    questions: list[QuestionIn] = Field(
        max_length=questions.MAX_ACTIVE,
        description="Every question the booking page asks, in order: those left out are retired (answers "
        "already given stay with their bookings)",
    )


class QuestionsOut(Schema):
    questions: list[QuestionOut]


def _service(tenant: Tenant, service_id: int) -> Service:
    return get_object_or_404(Service.objects.filter(tenant=tenant), pk=service_id)


def _listed(service: Service) -> dict[str, list]:
    return {"questions": questions.active_questions(service)}


@router.get("/services/{service_id}/questions", response={200: QuestionsOut, **ERRORS}, tags=["services"])
def get_questions(request: HttpRequest, service_id: int):
    return _listed(_service(tenant_of(request), service_id))


@router.put(
    "/services/{service_id}/questions", response={200: QuestionsOut, **BODY_ERRORS}, tags=["services"]
)
def put_questions(request: HttpRequest, service_id: int, payload: QuestionsIn):
    """Replace the service's questions with this list, in this order."""
    service = _service(tenant_of(request), service_id)
    wanted = [
        (item.id, questions.QuestionDraft(item.label, item.kind, item.choices, item.required))
        for item in payload.questions
    ]
    questions.replace_questions(service, wanted)
    return _listed(service)
