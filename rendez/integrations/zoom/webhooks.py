"""Zoom's event notifications (§6): verified, recorded once, then processed.

A request is believed only when `x-zm-signature` is the HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the
platform app's secret token and the timestamp is within five minutes of now; anything else is refused and
nothing is processed. Zoom retries deliveries and may send one twice: each event is recorded by the digest of
its body, and a second delivery finds the record and does nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from pydantic import ValidationError

from rendez.conferencing import external, registrant_events
from rendez.integrations.zoom import conf, connections
from rendez.integrations.zoom.models import Event
from rendez.integrations.zoom.schemas import (
    AppDeauthorized,
    EventEnvelope,
    MeetingEventPayload,
    RegistrationEventPayload,
    UrlValidation,
)

logger = logging.getLogger("rendez.zoom")

MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW_SECONDS = 300


class EventRefused(Exception):  # noqa: N818 - reads as "the event was refused"
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Outcome:
    body: dict | None
    outcome: str
    detail: str = ""


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(body: bytes, timestamp: str, signature: str, now: float | None = None) -> None:
    """Raise `EventRefused` (401) unless the request is signed by Zoom, recently."""
    secret = conf.webhook_secret()
    if not secret:
        raise EventRefused(401, "Zoom events are not accepted: ZOOM_WEBHOOK_SECRET_TOKEN is not configured.")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise EventRefused(401, "Missing or malformed x-zm-request-timestamp.")
    if abs((now or time.time()) - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise EventRefused(401, "The request's timestamp is more than 5 minutes off.")
    if not hmac.compare_digest(expected_signature(secret, timestamp, body), signature or ""):
        raise EventRefused(401, "The x-zm-signature does not verify.")


def receive(body: bytes, timestamp: str, signature: str) -> Outcome:
    """Verify, parse, record and process one delivery."""
    if len(body) > MAX_BODY_BYTES:
        raise EventRefused(413, "The event body is too large.")
    verify(body, timestamp, signature)
    try:
        envelope = EventEnvelope.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        raise EventRefused(400, "The body is not a Zoom event.") from None
    account_id = str(envelope.payload.get("account_id", ""))[:100]
    try:
        with transaction.atomic():
            record = Event.objects.create(
                dedup_key=hashlib.sha256(body).hexdigest(), event_type=envelope.event, account_id=account_id
            )
            outcome = _process(envelope)
            record.outcome, record.detail = outcome.outcome, outcome.detail
            record.save(update_fields=["outcome", "detail"])
    except IntegrityError:
        if envelope.event == "endpoint.url_validation":
            return _answer_validation(envelope)  # Zoom still needs its answer when it asks twice.
        logger.info("zoom event %s delivered again; already processed", envelope.event)
        return Outcome(None, Event.Outcome.IGNORED, "duplicate delivery")
    logger.info("zoom event %s: %s %s", envelope.event, outcome.outcome, outcome.detail)
    return outcome


def _answer_validation(envelope: EventEnvelope) -> Outcome:
    try:
        plain = UrlValidation.model_validate(envelope.payload).plainToken
    except ValidationError:
        return Outcome(None, Event.Outcome.FAILED, "endpoint.url_validation without a plainToken")
    encrypted = hmac.new(conf.webhook_secret().encode(), plain.encode(), hashlib.sha256).hexdigest()
    return Outcome({"plainToken": plain, "encryptedToken": encrypted}, Event.Outcome.PROCESSED)


def _app_deauthorized(envelope: EventEnvelope) -> Outcome:
    try:
        event = AppDeauthorized.model_validate(envelope.payload)
    except ValidationError:
        return Outcome(None, Event.Outcome.FAILED, "payload without account_id")
    if event.client_id and event.client_id != conf.client_credentials()[0]:
        return Outcome(None, Event.Outcome.IGNORED, "another app's client id")
    reason = (
        "The Rendez app was removed from the Zoom account"
        + (f" on {event.deauthorization_time}" if event.deauthorization_time else "")
        + ", so Rendez can no longer create meetings with it."
    )
    forgotten = connections.forget_deauthorized(event.account_id, event.user_id, reason)
    return Outcome(None, Event.Outcome.PROCESSED, f"{len(forgotten)} connection(s) disconnected")


def _meeting_event(envelope: EventEnvelope) -> MeetingEventPayload | Outcome:
    try:
        return MeetingEventPayload.model_validate(envelope.payload)
    except ValidationError:
        return Outcome(None, Event.Outcome.FAILED, f"{envelope.event} without a meeting id")


def _changed_at(envelope: EventEnvelope, event: MeetingEventPayload) -> datetime | None:
    stamp = event.time_stamp or envelope.event_ts
    return datetime.fromtimestamp(stamp / 1000, tz=UTC) if stamp else None


def _heard(heard: external.Heard) -> Outcome:
    return Outcome(None, Event.Outcome.PROCESSED if heard.acted else Event.Outcome.IGNORED, heard.detail)


def _meeting_deleted(envelope: EventEnvelope) -> Outcome:
    """Deleted on Zoom: by the host (the meeting is marked deleted and the staff member told), or by us (our
    record already says so). Conferencing tells them apart by the record, not by `operator`."""
    event = _meeting_event(envelope)
    if isinstance(event, Outcome):
        return event
    return _heard(
        external.meeting_deleted_elsewhere(
            "zoom", event.object.id, changed_at=_changed_at(envelope, event), by=event.operator
        )
    )


def _meeting_updated(envelope: EventEnvelope) -> Outcome:
    """Changed on Zoom: only a new start or duration matters (a topic edit is the host's business)."""
    event = _meeting_event(envelope)
    if isinstance(event, Outcome):
        return event
    changed = event.object
    if changed.start_time is None and changed.duration is None:
        return Outcome(None, Event.Outcome.IGNORED, "no change of time")
    heard = external.meeting_moved_elsewhere(
        "zoom",
        changed.id,
        start=changed.start_time,
        duration_minutes=changed.duration,
        changed_at=_changed_at(envelope, event),
        by=event.operator,
    )
    return _heard(heard)


def _registration_event(envelope: EventEnvelope) -> RegistrationEventPayload | Outcome:
    try:
        return RegistrationEventPayload.model_validate(envelope.payload)
    except ValidationError:
        return Outcome(None, Event.Outcome.FAILED, f"{envelope.event} without a meeting id")


def _registration_created(envelope: EventEnvelope) -> Outcome:
    """A registrant added: our own add echoed, or the answer of one we never heard (adopted from here)."""
    event = _registration_event(envelope)
    if isinstance(event, Outcome):
        return event
    person = event.object.registrant
    return _heard(
        registrant_events.registrant_added("zoom", event.object.id, person.email, person.id, person.join_url)
    )


def _registration_cancelled(envelope: EventEnvelope) -> Outcome:
    """A registrant cancelled or denied: ours echoed, or the host's in Zoom (shown, and registered again
    while the booking holds its seat)."""
    event = _registration_event(envelope)
    if isinstance(event, Outcome):
        return event
    person = event.object.registrant
    return _heard(
        registrant_events.registrant_cancelled(
            "zoom", event.object.id, person.id, person.email, event.operator
        )
    )


def _not_handled(envelope: EventEnvelope) -> Outcome:
    return Outcome(None, Event.Outcome.IGNORED, "no action for this event type")


_PROCESSORS: dict[str, Callable[[EventEnvelope], Outcome]] = {
    "endpoint.url_validation": _answer_validation,
    "app_deauthorized": _app_deauthorized,
    "meeting.deleted": _meeting_deleted,
    "meeting.updated": _meeting_updated,
    "meeting.registration_created": _registration_created,
    "meeting.registration_cancelled": _registration_cancelled,
    "meeting.registration_denied": _registration_cancelled,
}


def register(event_type: str, processor: Callable[[EventEnvelope], Outcome]) -> None:
    """Let another part of the Zoom integration (the meeting lifecycle) handle an event type."""
    _PROCESSORS[event_type] = processor


def _process(envelope: EventEnvelope) -> Outcome:
    return _PROCESSORS.get(envelope.event, _not_handled)(envelope)
