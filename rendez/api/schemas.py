"""What every request and response body of REST API v1 is built from: ids, ISO dates and times, phones,
prices, zones, the `Input` base of every body and query, and PATCH bodies. The bodies themselves are in one
module per resource: `catalog_schemas` (staff, services), `slot_schemas`, `booking_schemas` (bookings,
appointments, customers), `meeting_schemas` and `question_schemas`.

Bodies are parsed strictly where JSON has a type of its own (integers, booleans: `0` is not `false`), and
dates and times only in their ISO forms (pydantic would otherwise read `0` as 1970-01-01), so the OpenAPI
document says exactly what is accepted.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    Strict,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from rendez.lib.phones import PHONE_MAX, normalize_phone
from rendez.tenants.models import validate_timezone

StrictInt = Annotated[int, Strict()]
# Ids fit the database's 64-bit keys; a bigger number is refused here instead of overflowing a query.
MAX_ID = 2**63 - 1
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
# "Any available" staff member: the service's assignment policy picks who (docs/scheduling.md).
ANY_STAFF = "any"


def _staff_choice(value: Any) -> Any:
    # One sentence for both branches, where the union would answer "Must be a whole number." to "anyone".
    if value == ANY_STAFF or (type(value) is int) or (isinstance(value, str) and value.isdigit()):
        return value
    raise ValueError('Must be a staff member\'s id or "any".')


StaffChoice = Annotated[Id | Literal["any"], BeforeValidator(_staff_choice)]
QueryStaffChoice = Annotated[QueryId | Literal["any"], BeforeValidator(_staff_choice)]

WALL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}"
PRICE_PATTERN = r"^\d{1,8}(\.\d{1,2})?$"


def _iso(pattern: str, what: str):
    def check(value: Any) -> Any:
        if isinstance(value, str) and not re.match(pattern, value):
            raise ValueError(f"Must be {what}.")
        if isinstance(value, int | float):
            raise ValueError(f"Must be {what}, not a number.")
        return value

    return BeforeValidator(check)


# Working hours are wall-clock times in the staff member's zone: an offset would mean nothing there.
WallTime = Annotated[
    time,
    _iso(WALL_TIME_PATTERN, "a wall-clock time HH:MM or HH:MM:SS, without offset"),
    WithJsonSchema({"type": "string", "pattern": WALL_TIME_PATTERN, "examples": ["09:00"]}),
]
IsoDate = Annotated[date, _iso(DATE_PATTERN, "a date YYYY-MM-DD")]
IsoDateTime = Annotated[AwareDatetime, _iso(DATETIME_PATTERN, "an ISO 8601 date and time with a UTC offset")]
# The API has no business whose country a national number could belong to: numbers come international.
Phone = Annotated[
    str,
    Field(max_length=PHONE_MAX),
    AfterValidator(normalize_phone),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": PHONE_MAX,
            "description": "International format with the country code; stored and returned as E.164",
            "examples": ["+49 30 1234567"],
        }
    ),
]
Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=10, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 99999999.99},
                {"type": "string", "pattern": PRICE_PATTERN},
            ]
        }
    ),
]


def check_zone(value: str | None) -> str | None:
    if value:
        try:
            validate_timezone(value)
        except Exception:
            # A long value is not echoed back: it is not a zone name mistyped.
            name = repr(value) if len(value) <= 64 else "That"
            raise ValueError(f"{name} is not a time zone; use an IANA name such as Europe/Berlin.") from None
    return value


class Input(Schema):
    """A request body or query: a JSON object. PostgreSQL cannot store NUL characters, so no text may carry
    one."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, value: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        # Ninja's schemas read attributes off whatever they are given, so `[]`, `"x"` or `null` passed as a
        # body with every field optional (a PATCH) and changed nothing: a client sending one has a bug. A wrap
        # validator, because it runs before ninja's own (a "before" one would see ninja's attribute reader).
        if not isinstance(value, dict):
            raise ValueError("Must be a JSON object.")
        return handler(value)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Must not contain NUL characters.")
        return value


def patch_schema(nullable: frozenset[str] = frozenset()):
    """A PATCH body leaves out what does not change; `null` is no way to say that, except for `nullable`
    fields."""

    def adjust(schema: dict[str, Any]) -> None:
        for name, prop in schema.get("properties", {}).items():
            branches = prop.get("anyOf")
            if name in nullable or not branches:
                continue
            kept = [branch for branch in branches if branch != {"type": "null"}]
            prop.pop("default", None)
            if len(kept) == 1:
                prop.pop("anyOf")
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept

    return ConfigDict(json_schema_extra=adjust)
