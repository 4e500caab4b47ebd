"""Pydantic's validation errors as one message per field, in words a person would write.

Pydantic speaks about itself ("Value error, …", "Input should be a valid dictionary or instance of
CustomerIn"); clients show these messages next to their own inputs, so each error type gets a sentence of
ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Where a value came from ("body", "query", …) and the name of the view's parameter that holds it: ninja's
# bookkeeping, not a field the client sent.
_SOURCES = frozenset({"body", "query", "path", "payload", "filters"})
WHOLE_BODY = "body"

Ctx = dict[str, Any]

_FIXED: dict[str, str] = {
    "missing": "Required.",
    "int_type": "Must be a whole number.",
    "int_parsing": "Must be a whole number.",
    "int_from_float": "Must be a whole number.",
    "bool_type": "Must be true or false.",
    "bool_parsing": "Must be true or false.",
    "string_type": "Must be text.",
    "decimal_type": "Must be an amount, e.g. 12.50.",
    "decimal_parsing": "Must be an amount, e.g. 12.50.",
    "list_type": "Must be a list.",
    "dict_type": "Must be a JSON object.",
    "model_type": "Must be a JSON object.",
    "model_attributes_type": "Must be a JSON object.",
    "timezone_aware": "Needs a UTC offset, e.g. 2026-12-01T09:00:00+01:00.",
    "datetime_type": "Must be an ISO 8601 date and time with a UTC offset.",
    "datetime_parsing": "Must be an ISO 8601 date and time with a UTC offset.",
    "datetime_from_date_parsing": "Must be an ISO 8601 date and time with a UTC offset.",
    "date_type": "Must be a date, YYYY-MM-DD.",
    "date_parsing": "Must be a date, YYYY-MM-DD.",
    "date_from_datetime_parsing": "Must be a date, YYYY-MM-DD.",
    "date_from_datetime_inexact": "Must be a date, YYYY-MM-DD.",
    "time_type": "Must be a time, HH:MM.",
    "time_parsing": "Must be a time, HH:MM.",
    "extra_forbidden": "Not a field of this request.",
}


def _characters(count: int) -> str:
    return "1 character" if count == 1 else f"{count} characters"


def _too_short(ctx: Ctx) -> str:
    if ctx.get("min_length") == 1:
        return "Must not be empty."
    return f"Must be at least {_characters(ctx['min_length'])} long."


def _value_error(ctx: Ctx) -> str:
    # Our validators raise ValueError with a message meant for people; pydantic's email check gives a reason.
    if "error" in ctx:
        return _sentence(str(ctx["error"]))
    if "reason" in ctx:
        return f"Not a valid email address. {_sentence(str(ctx['reason']))}"
    return "Not a valid value."


_FROM_CONTEXT: dict[str, Callable[[Ctx], str]] = {
    "greater_than_equal": lambda ctx: f"Must be at least {ctx['ge']}.",
    "greater_than": lambda ctx: f"Must be more than {ctx['gt']}.",
    "less_than_equal": lambda ctx: f"Must be at most {ctx['le']}.",
    "less_than": lambda ctx: f"Must be less than {ctx['lt']}.",
    "string_too_short": _too_short,
    "string_too_long": lambda ctx: f"Must be at most {_characters(ctx['max_length'])} long.",
    "too_long": lambda ctx: f"Must have at most {ctx['max_length']} items.",
    "too_short": lambda ctx: f"Must have at least {ctx['min_length']} items.",
    "literal_error": lambda ctx: f"Must be {ctx['expected']}.",
    "enum": lambda ctx: f"Must be {ctx['expected']}.",
    "decimal_max_digits": lambda ctx: f"Must have at most {ctx['max_digits']} digits.",
    "decimal_max_places": lambda ctx: f"Must have at most {ctx['decimal_places']} decimal places.",
    "decimal_whole_digits": lambda ctx: f"Must have at most {ctx['whole_digits']} digits before the point.",
    "value_error": _value_error,
    "assertion_error": _value_error,
}


def field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """One message per field (dotted path, `body` for the body as a whole); of several failed union branches
    the first says the most."""
    fields: dict[str, str] = {}
    for error in errors:
        name = field_name(list(error.get("loc", [])))
        fields.setdefault(name, message_for(error, whole_body=name == WHOLE_BODY))
    return fields


def field_name(location: list[Any]) -> str:
    # Pydantic appends the branch of a union that failed ("function-after[_validate(), str]", "literal['']"):
    # that is its own bookkeeping too, so the name stops there.
    parts: list[str] = []
    for part in location:
        if part in _SOURCES:
            continue
        text = str(part)
        if not isinstance(part, int) and not text.isidentifier():
            break
        parts.append(text)
    return ".".join(parts) or WHOLE_BODY


def message_for(error: dict[str, Any], *, whole_body: bool = False) -> str:
    kind = str(error.get("type", ""))
    if whole_body and kind == "missing":
        return "Must be a JSON object."  # an empty body: what is missing is all of it
    if kind in _FIXED:
        return _FIXED[kind]
    ctx = error.get("ctx") or {}
    if kind in _FROM_CONTEXT:
        try:
            return _FROM_CONTEXT[kind](ctx)
        except KeyError:
            pass
    return _sentence(str(error.get("msg", "Not a valid value.")))


def _sentence(text: str) -> str:
    text = text.removeprefix("Value error, ").removeprefix("Assertion failed, ").strip()
    if not text:
        return "Not a valid value."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."
