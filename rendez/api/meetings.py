"""An appointment's video meeting: start it as its host, or ask for it to be synced again.

What a meeting looks like from outside (the `meeting` member of bookings and appointments) is decided by
`conferencing.queries`, not here. The host's start link is never stored and never part of that view: it is
fetched when the host asks for it and only handed over as a redirect.
"""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from rendez.api.auth import tenant_of
from rendez.api.errors import ApiError, error_responses
from rendez.conferencing import start
from rendez.conferencing.port import MeetingGone, ProviderError
from rendez.conferencing.queries import RELATION
from rendez.scheduling import events
from rendez.scheduling.models import Appointment

router = Router()
START_ERRORS = error_responses(401, 404, 409, 410, 422, 502, 503)
SYNC_ERRORS = error_responses(401, 404, 422)

START_REDIRECT = {
    "description": "Redirect to the provider's page that starts the meeting as its host. The link is "
    "fresh and short-lived: follow it now, do not store it.",
    "headers": {"Location": {"description": "The host's start link", "schema": {"type": "string"}}},
}


class SyncQueued(Schema):
    status: Literal["queued"]


def _appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    appointments = Appointment.objects.filter(tenant=tenant_of(request)).select_related(RELATION, "staff")
    return get_object_or_404(appointments, pk=appointment_id)


@router.get(
    "/appointments/{appointment_id}/meeting/start",
    response={302: None, **START_ERRORS},
    tags=["appointments"],
    openapi_extra={"responses": {302: START_REDIRECT}},
)
def start_meeting(request: HttpRequest, appointment_id: int):
    """Start the appointment's meeting as its host: 302 to a start link fetched just now (start links
    expire, so none is kept). 409 while there is no ready meeting (or its host's connection no longer works),
    410 once the appointment has ended, 502 when the provider refused (its reason says why), 503 when it could
    not be reached (try again)."""
    appointment = _appointment(request, appointment_id)
    try:
        url = start.start_url(appointment)
    except start.StartRefused as refused:
        status = 410 if refused.refusal.final else 409
        raise ApiError(status, refused.refusal.code, refused.refusal.message) from None
    except MeetingGone as error:
        message = f"{error.reason} Sync the meeting (POST …/meeting/sync) to make a new one."
        raise ApiError(409, "meeting_gone", message) from None
    except ProviderError as error:
        raise _provider_failure(error) from None
    response = HttpResponseRedirect(url)
    # The link lets whoever holds it start the meeting as host: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


def _provider_failure(error: ProviderError) -> ApiError:
    if not error.retryable:
        return ApiError(502, "provider_refused", f"The video provider refused: {error.reason}")
    headers = {"Retry-After": str(max(1, round(error.retry_after)))} if error.retry_after else {}
    message = f"The video provider could not be reached; try again shortly: {error.reason}"
    return ApiError(503, "provider_unavailable", message, headers=headers)


@router.post(
    "/appointments/{appointment_id}/meeting/sync",
    response={202: SyncQueued, **SYNC_ERRORS},
    tags=["appointments"],
)
def sync_meeting(request: HttpRequest, appointment_id: int):
    """Bring the appointment's meeting in step again: create it if it is owed and missing (after a failure, or
    deleted on the provider's side), move or remove it as the appointment says. Answers at once; the sync runs
    in the background, and the appointment's `meeting` shows its outcome."""
    appointment = _appointment(request, appointment_id)
    with transaction.atomic():
        events.appointment_changed(appointment)
    return Status(202, {"status": "queued"})
