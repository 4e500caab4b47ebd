"""A service's booking questions as form fields, and their answers checked by `scheduling.questions`: shared
by the public booking page and the panel's booking form, so both ask and refuse alike."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from rendez.scheduling.models import ServiceQuestion
from rendez.scheduling.questions import TEXT_ANSWER_MAX, InvalidAnswers, check_answers

Kind = ServiceQuestion.Kind


def field_name(question: ServiceQuestion) -> str:
    return f"q_{question.pk}"


def add_question_fields(form: forms.Form, questions: Sequence[ServiceQuestion]) -> list[str]:
    """Add a field per question to `form`; their names, in order."""
    for question in questions:
        form.fields[field_name(question)] = _field(question)
    return [field_name(question) for question in questions]


def checked_answers(form: forms.Form, questions: Sequence[ServiceQuestion]) -> list[dict[str, object]]:
    """For `form.clean()`: the snapshot of the answers given, with a refusal added to each field at fault.
    A field the form itself refused (too long) is left to that error."""
    data = form.cleaned_data
    answered = [question for question in questions if field_name(question) not in form.errors]
    raw = {str(question.pk): data.get(field_name(question)) for question in answered}
    try:
        return check_answers(answered, raw)
    except InvalidAnswers as invalid:
        for key, message in invalid.errors.items():
            form.add_error(f"q_{key}", message)
        return []


def _field(question: ServiceQuestion) -> forms.Field:
    mark = " (required)" if question.required else " (optional)"
    attrs = {"aria-required": "true"} if question.required else {}
    if question.kind == Kind.CHECKBOX:
        # An unticked optional box is an answer ("No"): it needs no "(optional)".
        label = question.label + (mark if question.required else "")
        return forms.BooleanField(label=label, required=False, widget=forms.CheckboxInput(attrs=attrs))
    if question.kind == Kind.CHOICE:
        options = [("", "Choose…"), *((option, option) for option in question.choices)]
        return forms.ChoiceField(
            label=question.label + mark, required=False, choices=options, widget=forms.Select(attrs=attrs)
        )
    return forms.CharField(
        label=question.label + mark,
        required=False,
        max_length=TEXT_ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 2, **attrs}),
    )
