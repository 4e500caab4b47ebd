"""What a provider reports about the registrants of meetings with per-attendee links (Zoom's
`meeting.registration_*` events), taken up for our registrant rows.

- Added: our own add echoed. When the add's answer never reached us (the row still `pending` with its attempt
  recorded), the event carries what it would have: the registration is adopted from it, so no retry adds
  the person again.
- Cancelled or denied on the provider while the booking still holds its seat (the host did it in Zoom's
  pages): Rendez keeps who holds a seat, so the registration is approved again by a sync, and the panel's
  attendee list says what happened. Cancelling the booking in Rendez is what takes the seat away. Our own
  cancels echoed change nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction

from rendez.conferencing.external import Heard
from rendez.conferencing.models import Meeting, Registrant
from rendez.scheduling import events

logger = logging.getLogger("rendez.conferencing")


def registrant_added(provider: str, external_id: str, email: str, registrant_id: str, join_url: str) -> Heard:
    row = _row(provider, external_id, email=email, registrant_id=registrant_id)
    if row is None:
        return Heard(False, f"no registration of meeting {external_id} that Rendez keeps")
    if row.state != Registrant.State.PENDING or row.attempt_started_at is None or not join_url:
        return Heard(False, f"registration of booking {row.booking_id} is {row.state}: nothing to adopt")
    row.registrant_id, row.join_url = registrant_id, join_url
    row.state, row.last_error, row.next_attempt_at, row.attempt_started_at = (
        Registrant.State.REGISTERED,
        "",
        None,
        None,
    )
    with transaction.atomic():
        row.save()
        events.appointment_changed(row.meeting.appointment)  # the sync announces the new link
    logger.info("registrant %s of booking %s adopted from its event", registrant_id, row.booking_id)
    return Heard(True, f"registration of booking {row.booking_id} adopted")


def registrant_cancelled(provider: str, external_id: str, registrant_id: str, email: str, by: str) -> Heard:
    row = _row(provider, external_id, email=email, registrant_id=registrant_id)
    if row is None:
        return Heard(False, f"no registration of meeting {external_id} that Rendez keeps")
    if row.state != Registrant.State.REGISTERED:
        return Heard(False, f"registration of booking {row.booking_id} is {row.state} already")
    who = f" by {by}" if by else ""
    row.state = Registrant.State.CANCELLED
    row.last_error = (
        f"Cancelled on Zoom{who}. The booking still holds its seat, so Rendez registers them again; cancel "
        "the booking in Rendez to take the seat away."
    )
    with transaction.atomic():
        row.save(update_fields=["state", "last_error", "updated_at"])
        events.appointment_changed(row.meeting.appointment)
    return Heard(True, f"registration of booking {row.booking_id} cancelled on the provider")


def _row(provider: str, external_id: str, *, email: str, registrant_id: str) -> Registrant | None:
    meeting = Meeting.objects.filter(provider=provider, external_id=external_id).first()
    if meeting is None:
        return None
    rows = Registrant.objects.select_related("meeting__appointment").filter(
        meeting=meeting, external_meeting_id=external_id
    )
    if registrant_id and (row := rows.filter(registrant_id=registrant_id).first()) is not None:
        return row
    return rows.filter(email__iexact=email).order_by("-pk").first() if email else None
