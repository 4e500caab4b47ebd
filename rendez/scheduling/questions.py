"""Booking questions of a service: their one writer (panel and API alike), and the check of what a customer
answered against them.

A question is never deleted: retiring it (`is_active=False`) takes it off the booking page, while the answers
already given stay with their bookings as they were written (`Booking.answers` is a snapshot of label and
answer, so later edits change nothing that was said). Writers lock the service row first, as
`catalog.update_service` does, so two admins adding questions at once cannot pass the cap together or share a
position.

Answers are checked before the booking is made (`check_answers`); `services.book` stores the snapshot it is
given in the booking's own insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from django.db import connection, transaction
from django.db.models import Max

from rendez.lib import rows
from rendez.scheduling.catalog import CatalogError
from rendez.scheduling.models import Service, ServiceQuestion

Kind = ServiceQuestion.Kind
MAX_ACTIVE = 20
LABEL_MAX = 200
CHOICES_MIN, CHOICES_MAX = 2, 20
CHOICE_MAX = 100
TEXT_ANSWER_MAX = 1000
YES, NO = "Yes", "No"
# What a form or an API client may send for a ticked or unticked checkbox.
_TICKED = frozenset({"yes", "on", "true", "1"})
_UNTICKED = frozenset({"no", "off", "false", "0", ""})


@dataclass(frozen=True)
class QuestionDraft:
    """A question as an admin wrote it: what `add_question`, `edit_question` and `replace_questions` take."""

    label: str
    kind: str = Kind.TEXT
    choices: Sequence[str] = ()
    required: bool = False


@dataclass(frozen=True)
class Answer:
    question_id: int
    label: str
    answer: str

    def as_dict(self) -> dict[str, object]:
        return {"question_id": self.question_id, "label": self.label, "answer": self.answer}


@dataclass
class InvalidAnswers(Exception):
    """Answers refused: a message per question id (as text, the way clients name it)."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{key}: {text}" for key, text in self.errors.items())


# --- reading ------------------------------------------------------------------------------------------------


def active_questions(service: Service | int) -> list[ServiceQuestion]:
    """The questions the booking page asks for `service`, in their order."""
    service_id = service if isinstance(service, int) else service.pk
    asked = ServiceQuestion.objects.filter(service_id=service_id, is_active=True)
    return list(asked.order_by("position", "pk"))


def questions_for_booking(tenant_id: int, service_id: int) -> list[ServiceQuestion]:
    """`active_questions` of the tenant's service `service_id` (none for a service it does not have)."""
    fields = rows.all_fields(ServiceQuestion)
    with rows.cursor() as cursor:
        cursor.execute(_questions_sql(), [service_id, tenant_id])
        return [rows.from_db(ServiceQuestion, fields, row) for row in cursor.fetchall()]


@cache
def _questions_sql() -> str:
    # Written once: compiled by the ORM (a join and an ordering) it was a fifth of an API booking's CPU, for
    # a statement that usually finds nothing (bench/booking_profile.py).
    quote = connection.ops.quote_name
    return (
        f"SELECT {rows.columns(rows.all_fields(ServiceQuestion), 'question')}"
        f" FROM {quote(ServiceQuestion._meta.db_table)} question"
        f" JOIN {quote(Service._meta.db_table)} service ON service.id = question.service_id"
        " WHERE question.service_id = %s AND service.tenant_id = %s AND question.is_active"
        " ORDER BY question.position, question.id"
    )


# --- writing ------------------------------------------------------------------------------------------------


def add_question(service: Service, draft: QuestionDraft) -> ServiceQuestion:
    """Ask `draft` last on the service's booking page."""
    checked = checked_draft(draft)
    with transaction.atomic():
        _lock(service)
        _require_room(service, adding=1)
        last = ServiceQuestion.objects.filter(service=service).aggregate(last=Max("position"))["last"]
        return ServiceQuestion.objects.create(service=service, position=(last or 0) + 1, **_values(checked))


def edit_question(question: ServiceQuestion, draft: QuestionDraft) -> ServiceQuestion:
    """Rewrite an active question; bookings that answered it keep what was asked then."""
    checked = checked_draft(draft)
    with transaction.atomic():
        _lock(question.service)
        fresh = _active(question)
        for name, value in _values(checked).items():
            setattr(fresh, name, value)
        fresh.save(update_fields=["label", "kind", "choices", "required"])
    return fresh


def move_question(question: ServiceQuestion, step: int) -> None:
    """Move an active question one place up (`step=-1`) or down (`step=1`) among the active ones; at either
    end it stays where it is."""
    with transaction.atomic():
        _lock(question.service)
        fresh = _active(question)
        ordered = active_questions(fresh.service_id)
        index = next(i for i, each in enumerate(ordered) if each.pk == fresh.pk)
        target = index + (1 if step > 0 else -1)
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(ordered)


def retire_question(question: ServiceQuestion) -> None:
    """Stop asking the question; answers already given stay with their bookings."""
    with transaction.atomic():
        _lock(question.service)
        fresh = _active(question)
        fresh.is_active = False
        fresh.save(update_fields=["is_active"])


def replace_questions(
    service: Service, wanted: Sequence[tuple[int | None, QuestionDraft]]
) -> list[ServiceQuestion]:
    """Make the service's active questions exactly `wanted`, in that order: an item with an id rewrites that
    active question, one without adds a question, and active questions left out are retired (never deleted).
    Errors name the item at fault: `questions.<index>.<field>`."""
    checked: list[tuple[int | None, QuestionDraft]] = []
    for index, (question_id, draft) in enumerate(wanted):
        try:
            checked.append((question_id, checked_draft(draft)))
        except CatalogError as error:
            raise _at(index, error) from None
    if len(checked) > MAX_ACTIVE:
        raise _too_many(field_name="questions")
    with transaction.atomic():
        _lock(service)
        current = {each.pk: each for each in active_questions(service.pk)}
        ordered: list[ServiceQuestion] = []
        for index, (question_id, draft) in enumerate(checked):
            if question_id is None:
                ordered.append(ServiceQuestion(service=service, **_values(draft)))
                continue
            if question_id not in current:
                listed = any(each.pk == question_id for each in ordered)
                message = (
                    f"Question {question_id} is listed twice."
                    if listed
                    else f"Question {question_id} is not an active question of this service."
                )
                raise CatalogError("unknown_question", message, field=f"questions.{index}.id")
            existing = current.pop(question_id)
            for name, value in _values(draft).items():
                setattr(existing, name, value)
            ordered.append(existing)
        for question_id in current:
            ServiceQuestion.objects.filter(pk=question_id).update(is_active=False)
        for question in ordered:
            if question.pk is None:
                question.save()
        _renumber(ordered, fields=("position", "label", "kind", "choices", "required"))
    return ordered


def checked_draft(draft: QuestionDraft) -> QuestionDraft:
    """`draft` tidied (spaces trimmed, choices only for a choice question), or a `CatalogError` naming the
    field at fault."""
    label = (draft.label or "").strip()
    if not label:
        raise CatalogError("invalid", "Give the question a label.", field="label")
    if len(label) > LABEL_MAX:
        raise CatalogError("invalid", f"A label has at most {LABEL_MAX} characters.", field="label")
    if draft.kind not in Kind.values:
        kinds = ", ".join(Kind.values)
        raise CatalogError("invalid", f"The kind must be one of {kinds}.", field="kind")
    choices: tuple[str, ...] = ()
    if draft.kind == Kind.CHOICE:
        choices = _checked_choices(draft.choices)
    return QuestionDraft(label=label, kind=draft.kind, choices=choices, required=bool(draft.required))


def _checked_choices(given: Iterable[str]) -> tuple[str, ...]:
    options = tuple(str(option).strip() for option in given)
    if any(not option for option in options):
        raise CatalogError("invalid", "An option cannot be empty.", field="choices")
    if len(options) < CHOICES_MIN or len(options) > CHOICES_MAX:
        message = f"A choice question offers {CHOICES_MIN} to {CHOICES_MAX} options."
        raise CatalogError("invalid", message, field="choices")
    too_long = next((option for option in options if len(option) > CHOICE_MAX), None)
    if too_long is not None:
        message = f"An option has at most {CHOICE_MAX} characters: “{too_long[:30]}…” has {len(too_long)}."
        raise CatalogError("invalid", message, field="choices")
    seen: set[str] = set()
    for option in options:
        # "Yes" and "yes" would read as one option to the customer and to whoever reads the answers.
        if option.casefold() in seen:
            raise CatalogError("invalid", f"“{option}” is offered twice.", field="choices")
        seen.add(option.casefold())
    return options


def _values(draft: QuestionDraft) -> dict[str, object]:
    return {
        "label": draft.label,
        "kind": draft.kind,
        "choices": list(draft.choices),
        "required": draft.required,
    }


def _lock(service: Service) -> None:
    list(Service.objects.select_for_update().filter(pk=service.pk).values_list("pk", flat=True))


def _active(question: ServiceQuestion) -> ServiceQuestion:
    fresh = ServiceQuestion.objects.filter(pk=question.pk, is_active=True).first()
    if fresh is None:
        raise CatalogError("unknown_question", "This question is no longer asked.", field="question_id")
    return fresh


def _require_room(service: Service, adding: int) -> None:
    if ServiceQuestion.objects.filter(service=service, is_active=True).count() + adding > MAX_ACTIVE:
        raise _too_many(field_name=None)


def _too_many(field_name: str | None) -> CatalogError:
    message = f"A service asks at most {MAX_ACTIVE} questions; retire one to add another."
    return CatalogError("too_many_questions", message, field=field_name)


def _renumber(ordered: list[ServiceQuestion], fields: Sequence[str] = ("position",)) -> None:
    for position, question in enumerate(ordered, start=1):
        question.position = position
    ServiceQuestion.objects.bulk_update(ordered, list(fields))


def _at(index: int, error: CatalogError) -> CatalogError:
    name = f"questions.{index}.{error.field}" if error.field else f"questions.{index}"
    return CatalogError(error.code, f"Question {index + 1}: {error.message}", field=name)


# --- answers ------------------------------------------------------------------------------------------------


def check_answers(questions: Sequence[ServiceQuestion], raw: Mapping[str, object]) -> list[dict[str, object]]:
    """The snapshot to keep with the booking (`Booking.answers`) for `raw` answers keyed by question id (as
    text), or `InvalidAnswers` with a message per id.

    Text answers are trimmed and at most TEXT_ANSWER_MAX long; a choice must be one of the options as
    offered; a checkbox is kept as "Yes" or "No" (unticked is an answer too) and a required one must be
    ticked ("I accept the terms"). Optional text and choice questions left empty are left out of the
    snapshot; an id that is not an active question of the service is refused."""
    errors: dict[str, str] = {}
    answers: list[dict[str, object]] = []
    asked = {str(question.pk) for question in questions}
    for key in raw:
        if str(key) not in asked:
            errors[str(key)] = "Not a question of this service."
    for question in questions:
        try:
            answer = _answer(question, raw.get(str(question.pk)))
        except ValueError as refusal:
            errors[str(question.pk)] = str(refusal)
            continue
        if answer is not None:
            answers.append(Answer(question.pk, question.label, answer).as_dict())
    if errors:
        raise InvalidAnswers(errors)
    return answers


def _answer(question: ServiceQuestion, value: object) -> str | None:
    if question.kind == Kind.CHECKBOX:
        ticked = _ticked(value)
        if question.required and not ticked:
            raise ValueError("Tick this box to continue.")
        return YES if ticked else NO
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError("Must be text.")
    text = value.strip()
    if not text:
        if question.required:
            raise ValueError("Required." if question.kind == Kind.TEXT else "Choose one.")
        return None
    if question.kind == Kind.CHOICE:
        if text not in question.choices:
            raise ValueError(f"Choose one of: {', '.join(question.choices)}.")
        return text
    if len(text) > TEXT_ANSWER_MAX:
        raise ValueError(f"At most {TEXT_ANSWER_MAX} characters.")
    return text


def _ticked(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TICKED | _UNTICKED:
        return value.strip().lower() in _TICKED
    raise ValueError("Must be true or false.")
