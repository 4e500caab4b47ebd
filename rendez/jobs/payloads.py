"""Typed job payloads: each job kind says what its row's JSON holds, checked when enqueued and when run.

A kind registers its payload type with its handler (`@jobs.handler(kind, payload=SyncMeeting)`). Enqueueing
takes an instance (built, hence validated, by the caller) or a dict that must validate: a wrong payload is a
programming error raised in the caller, before its transaction commits. The worker validates the stored JSON
again before the handler runs; a row that no longer fits (an old row after a deploy changed the type) dies at
once with `InvalidPayload`, as retrying cannot make it fit.

Pydantic models (v2, compiled validators): building one costs about as much as the `json.dumps` check untyped
payloads get, and the stored form is `model_dump(mode="json")` without the fields the caller left unset, so a
payload written by older code and one written now have the same keys (bench/payloads.py measures it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer, ValidationError

from rendez.jobs.errors import PermanentError


def _isoformat(value: datetime) -> str:
    return value.isoformat()


# Stored as Python's isoformat ("+00:00"), as payloads have always been, not pydantic's "Z".
Instant = Annotated[AwareDatetime, PlainSerializer(_isoformat, return_type=str, when_used="json")]


class Payload(BaseModel):
    """Base of job payloads: immutable, unknown keys refused (a typo is caught where it is made)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def stored(self) -> dict[str, Any]:
        """The JSON the job row keeps: the fields the caller set (unset ones read back as their default)."""
        return self.model_dump(mode="json", exclude_unset=True)


class Nothing(Payload):
    """The payload of kinds that need none."""


class InvalidPayload(PermanentError, ValueError):
    """A payload that does not fit its kind: raised at enqueue (a bug in the caller), and recorded when a
    stored row no longer fits (the job dies: retrying cannot help)."""


def stored(kind: str, payload_type: type[Payload], payload: Payload | dict[str, Any]) -> dict[str, Any]:
    """The JSON to store for `payload` of `kind`, or InvalidPayload."""
    if isinstance(payload, payload_type):
        return payload.stored()
    if isinstance(payload, Payload):
        raise InvalidPayload(f"job kind {kind!r} takes {payload_type.__name__}, not {type(payload).__name__}")
    return parsed(kind, payload_type, payload).stored()


def parsed(kind: str, payload_type: type[Payload], data: Any) -> Payload:
    """`data` (a stored payload) as `payload_type`, or InvalidPayload naming each field that does not fit."""
    try:
        return payload_type.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(
            f"payload of {kind!r} does not fit {payload_type.__name__}: {_summary(exc)}"
        ) from None


def _summary(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'payload'}: {error['msg']}"
        for error in exc.errors(include_url=False)
    )
