"""Appointments reach staff's calendars by subscription (scheduling's AppointmentChanged, conferencing's
MeetingLinkReady), only in tenants that may have a calendar connected: elsewhere no calendar job at all."""

from __future__ import annotations

from rendez.calendars import busy, subscribers
from rendez.calendars.models import CalendarConnection
from rendez.calendars.payloads import WriteEvent
from rendez.calendars.writing import WRITE_EVENT
from rendez.conferencing.events import MeetingLinkReady
from rendez.jobs import subscriptions
from rendez.jobs.models import Job
from rendez.scheduling import events, services
from rendez.scheduling.tests.factories import book, make_service, make_staff, make_tenant, utc
from rendez.scheduling.tests.fixtures import NOW

TUESDAY_TEN = utc(2026, 6, 2, 8)


def write_jobs(tenant) -> int:
    return Job.objects.filter(kind=WRITE_EVENT, tenant_id=tenant.pk).count()


def test_the_calendar_core_subscribes_to_appointment_changes_and_ready_links() -> None:
    assert subscribers.appointment_changed in subscriptions.subscribers_of(events.AppointmentChanged)
    assert subscribers.meeting_ready in subscriptions.subscribers_of(MeetingLinkReady)
    [job] = subscribers.appointment_changed(events.AppointmentChanged(42, 7, has_calendars=True))
    assert (job.kind, job.payload, job.key, job.coalesce, job.tenant_id) == (
        WRITE_EVENT,
        WriteEvent(appointment_id=42),
        f"{WRITE_EVENT}:42",
        True,
        7,
    )
    # Unknown (the announcer did not read the tenant's row): the job finds out.
    assert len(subscribers.meeting_ready(MeetingLinkReady(42, 7))) == 1
    assert subscribers.appointment_changed(events.AppointmentChanged(42, 7, has_calendars=False)) == []
    assert subscribers.meeting_ready(MeetingLinkReady(42, 7, has_calendars=False)) == []


def test_bookings_in_a_tenant_without_calendars_enqueue_no_calendar_job(db) -> None:
    tenant = make_tenant("no-calendars")
    dora = make_staff(tenant, "Dora")
    service = make_service(tenant, dora, name="Consultation")
    booking = book(service, dora, TUESDAY_TEN, now=NOW)
    services.cancel_booking(booking, now=NOW, reason="ill")
    again = book(service, dora, TUESDAY_TEN, "Dana", now=NOW)
    services.reschedule_booking(again, start=TUESDAY_TEN.replace(hour=9), now=NOW)

    assert write_jobs(tenant) == 0
    assert Job.objects.filter(kind=events.SYNC_MEETING, tenant_id=tenant.pk).exists()


def test_bookings_in_a_tenant_with_a_calendar_enqueue_one_coalescing_write_per_appointment(db) -> None:
    tenant = make_tenant("with-calendars")
    dora, jonas = make_staff(tenant, "Dora"), make_staff(tenant, "Jonas")
    service = make_service(tenant, dora, jonas, name="Consultation")
    link = CalendarConnection.objects.create(tenant=tenant, staff=dora, provider="google")
    busy.connections_changed(link)

    first = book(service, dora, TUESDAY_TEN, now=NOW)
    assert write_jobs(tenant) == 1
    services.cancel_booking(first, now=NOW)
    assert write_jobs(tenant) == 1  # coalesced into the waiting one
    # Jonas has no calendar: his appointment's job finds nothing to write (writing.write_event).
    book(service, jonas, TUESDAY_TEN, now=NOW)
    assert write_jobs(tenant) == 2
