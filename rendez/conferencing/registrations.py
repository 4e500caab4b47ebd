"""Per-attendee links: each booking of a group slot whose meeting has registration is a registrant with its
own link (DESIGN.md section 5), kept in step by the same `conferencing.sync` job as the meeting, after it.

`settle()` moves the meeting's registrants to the appointment's seats:
- every booking owed the meeting (confirmed; pending too where the tenant makes meetings for them) is
  registered once. An add is recorded before the call; a retry that finds the record looks the person up by
  address first and adopts what it finds, because Zoom answers a fourth add of one person in a day with 429.
  A registration found cancelled (the person booked again) is approved again: a status change, not an add;
- a booking that gave up its seat (cancelled, rejected, moved to another slot) is cancelled there: its link
  stops working, the others keep theirs. The meeting itself is deleted only with the last seat, by
  `reconcile` as before, and its registrants go with it (their rows are closed without a call);
- a meeting or host that cannot use registration (Zoom: a Basic user, a meeting on the Personal Meeting ID,
  a permission the app lacks) is not recreated: the meeting's registration becomes `refused`, everyone is
  shown its shared link, the staff member and admins are told why.

Failures of one registrant never stop the others: a retryable one keeps its row `pending` (or `cancelling`)
with the reason and the job is retried; a permanent one marks the row `failed`, shown in the panel.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from rendez import jobs
from rendez.conferencing import notices
from rendez.conferencing.models import Meeting, Registrant
from rendez.conferencing.port import (
    Attendee,
    DailyLimitReached,
    HostRef,
    MeetingChanges,
    MeetingGone,
    MeetingProvider,
    ProviderError,
    RegistrantInfo,
    RegistrantProvider,
    RegistrationRefused,
)
from rendez.scheduling.models import Appointment, Booking

logger = logging.getLogger("rendez.conferencing")

TOOK_PLACE = frozenset({Booking.Status.COMPLETED, Booking.Status.NO_SHOW})
# Meeting states in which its registrants are worked on: the meeting exists and is ours.
WORKING_STATES = frozenset({Meeting.State.READY, Meeting.State.RETRYING})


def wanted_for(appointment: Appointment) -> bool:
    """Whether a meeting made now for this appointment should give each attendee an own link."""
    return bool(appointment.service.per_attendee_links) and appointment.capacity > 1


def settle(
    appointment: Appointment, meeting: Meeting | None, provider: MeetingProvider, host: HostRef | None
) -> bool:
    """Bring the meeting's registrants in step with the appointment's seats. Returns whether a link anyone
    holds changed (the caller announces it); raises `jobs.Retry` when a retryable failure wants a retry."""
    if meeting is None:
        return False
    _close_stale(meeting)
    if not _works_on(meeting, appointment) or host is None or not host.usable:
        return False
    if not isinstance(provider, RegistrantProvider):
        return _refuse(meeting, f"{meeting.provider} meetings cannot give attendees personal links.", None)
    work = _Work(meeting, provider, host)
    try:
        for booking in _owed(appointment):
            work.register(booking)
        for row in _leaving(meeting, appointment):
            work.cancel(row)
    except RegistrationRefused as refused:
        return _refuse(meeting, refused.reason, (provider, host))
    if work.retry_at is not None:
        raise jobs.Retry(at=work.retry_at, reason=work.retry_reason, consume_attempt=work.consume_attempt)
    return work.changed


def _works_on(meeting: Meeting, appointment: Appointment) -> bool:
    return (
        meeting.registration == Meeting.Registration.ON
        and bool(meeting.external_id)
        and meeting.state in WORKING_STATES
        and meeting.host_staff_id in (None, appointment.staff_id)
        and appointment.end > timezone.now()
    )


def _close_stale(meeting: Meeting) -> None:
    """Rows of a meeting that is gone (deleted, replaced by another one) are closed without a call: their
    registrations went with that meeting."""
    rows = Registrant.objects.filter(meeting=meeting, state__in=Registrant.OPEN)
    if meeting.state in WORKING_STATES and meeting.external_id:
        rows = rows.exclude(external_meeting_id=meeting.external_id)
    rows.update(state=Registrant.State.CANCELLED, next_attempt_at=None, updated_at=timezone.now())


def _owed(appointment: Appointment) -> list[Booking]:
    owed = {Booking.Status.CONFIRMED}
    if appointment.tenant.meetings_for_pending:
        owed.add(Booking.Status.PENDING)
    bookings = Booking.objects.select_related("customer").filter(appointment=appointment, status__in=owed)
    return list(bookings.order_by("pk"))


def _leaving(meeting: Meeting, appointment: Appointment) -> list[Registrant]:
    """Rows of this meeting whose booking gave up its seat here (and did not take part: never cancelled
    after the fact)."""
    rows = Registrant.objects.select_related("booking").filter(
        meeting=meeting,
        external_meeting_id=meeting.external_id,
        state__in=Registrant.OPEN,
    )
    owed = {Booking.Status.CONFIRMED}
    if appointment.tenant.meetings_for_pending:
        owed.add(Booking.Status.PENDING)
    return [
        row
        for row in rows
        if row.booking.status not in TOOK_PLACE
        and (row.booking.appointment_id != appointment.pk or row.booking.status not in owed)
    ]


def _refuse(meeting: Meeting, reason: str, caller: tuple[MeetingProvider, HostRef] | None) -> bool:
    """Registration cannot be used for this meeting: everyone shares its link (said once). The meeting was
    made requiring registration, so it stops requiring it (one update): else its shared link would ask
    everyone to register."""
    if meeting.registration == Meeting.Registration.REFUSED:
        return False
    logger.warning("meeting %s falls back to its shared link: %s", meeting.external_id, reason)
    if caller is not None:
        provider, host = caller
        try:
            provider.update(host, meeting.external_id, MeetingChanges(registration=False))
        except ProviderError as error:
            reason += (
                f" Rendez could not turn registration off for Zoom meeting {meeting.external_id} "
                f"({error.reason}): turn it off in Zoom, or the shared link asks people to register."
            )
    with transaction.atomic():
        meeting.registration, meeting.registration_note = Meeting.Registration.REFUSED, reason
        meeting.save(update_fields=["registration", "registration_note", "updated_at"])
        notices.tell(meeting, notices.SHARED_LINK, detail=reason)
    return True


class _Work:
    """One settle in progress: the calls, and what they left to retry."""

    def __init__(self, meeting: Meeting, provider: RegistrantProvider, host: HostRef) -> None:
        self.meeting, self.provider, self.host = meeting, provider, host
        self.changed = False
        self.retry_at: datetime | None = None
        self.retry_reason = ""
        self.consume_attempt = True

    def register(self, booking: Booking) -> None:
        row, _ = Registrant.objects.get_or_create(
            booking=booking,
            external_meeting_id=self.meeting.external_id,
            defaults={
                "tenant_id": booking.tenant_id,
                "meeting": self.meeting,
                "email": booking.customer.email,
            },
        )
        if row.state == Registrant.State.REGISTERED:
            return
        attendee = Attendee.named(booking.customer.email, booking.customer.name)
        try:
            info = self._adopted(row) or self._added(row, attendee)
        except RegistrationRefused:
            raise
        except ProviderError as error:
            self._failed(row, error)
            return
        row.registrant_id, row.join_url = info.registrant_id, info.join_url
        row.email = info.email
        row.state, row.last_error, row.next_attempt_at, row.attempt_started_at = (
            Registrant.State.REGISTERED,
            "",
            None,
            None,
        )
        row.save()
        self.changed = True

    def _adopted(self, row: Registrant) -> RegistrantInfo | None:
        """The registration an earlier attempt (or an earlier seat of this booking) made, if any: looked up
        by address, never added twice."""
        if row.attempt_started_at is None and not row.registrant_id:
            return None
        found = self.provider.find_registrant(self.host, self.meeting.external_id, row.email)
        if found is None:
            return None
        if not found.approved:
            self.provider.approve_registrant(self.host, self.meeting.external_id, found)
        logger.info("registrant %s of booking %s adopted", found.registrant_id, row.booking_id)
        return found

    def _added(self, row: Registrant, attendee: Attendee) -> RegistrantInfo:
        row.state, row.attempt_started_at = Registrant.State.PENDING, timezone.now()
        row.attempts += 1
        row.save()  # committed before the call: a lost answer is looked up, not added again
        return self.provider.register(self.host, self.meeting.external_id, attendee)

    def cancel(self, row: Registrant) -> None:
        try:
            if not row.registrant_id and row.attempt_started_at is not None:
                found = self.provider.find_registrant(self.host, self.meeting.external_id, row.email)
                if found is not None:
                    row.registrant_id = found.registrant_id
            if row.registrant_id:
                row.state = Registrant.State.CANCELLING
                row.save(update_fields=["state", "registrant_id", "updated_at"])
                who = RegistrantInfo(row.registrant_id, "", row.email)
                self.provider.cancel_registrant(self.host, self.meeting.external_id, who)
        except (RegistrationRefused, MeetingGone):
            pass  # the meeting is gone or no longer requires registration: nothing left to cancel
        except ProviderError as error:
            self._failed(row, error)
            return
        row.state, row.last_error, row.next_attempt_at = Registrant.State.CANCELLED, "", None
        row.attempt_started_at = None
        row.save()

    def _failed(self, row: Registrant, error: ProviderError) -> None:
        logger.warning("registrant of booking %s: %s", row.booking_id, error.reason)
        row.last_error = error.reason
        if error.retryable:
            at = timezone.now() + timedelta(seconds=error.retry_after or 60.0)
            row.next_attempt_at = at
            if row.state not in (Registrant.State.CANCELLING, Registrant.State.PENDING):
                row.state = Registrant.State.PENDING
            if self.retry_at is None or at < self.retry_at:
                self.retry_at, self.retry_reason = at, error.reason
            # A wait for the provider's day to turn is not a failure of the job (the error says so, not
            # the wait's length: near midnight the wait is short).
            if isinstance(error, DailyLimitReached):
                self.consume_attempt = False
        else:
            row.state, row.next_attempt_at = Registrant.State.FAILED, None
        row.save()
