"""Recurring series end to end: bookings through scheduling/services.py, syncs run by the real worker, Zoom
played by the emulator over HTTP, email received by a real SMTP server. One meeting per occurrence, made by
the same reconcile path as a single booking: never twice, even when a worker dies mid-create."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from rendez.conferencing.models import Meeting
from rendez.integrations.zoom import tenant_settings
from rendez.jobs import claims, queue, registry
from rendez.jobs.models import Job
from rendez.notifications.defaults import install_default_workflows
from rendez.notifications.tests.fixtures import plain_text
from rendez.scheduling import services
from rendez.scheduling.models import Booking, Series
from rendez.scheduling.series import Repeat
from rendez.scheduling.tests.factories import customer, make_service
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff, run_jobs
from rendez.tests.integrations.zoom.test_lifecycle import a_monday, meeting_calls

BERLIN = ZoneInfo("Europe/Berlin")
CHARLIE = "charlie@example.com"


@pytest.fixture
def classes(alice, maria):
    """A weekly video class a yoga studio runs on Zoom, bookable as a series."""
    tenant_settings.update(alice, {"enabled": True})
    return make_service(
        alice,
        maria,
        name="Vinyasa",
        duration_minutes=60,
        capacity=12,
        zoom_enabled=True,
        series_allowed=True,
        horizon_days=120,
    )


@pytest.fixture
def hosted(api, zoom, maria):
    return connect_staff(api, zoom, maria, MARIA)


def book_weekly(service, staff, count: int, who: str = "Charlie") -> list[Booking]:
    outcome = services.book_series(
        tenant_id=service.tenant_id,
        service_id=service.pk,
        staff_id=staff.pk,
        start=a_monday(),
        customer=customer(who),
        repeat=Repeat("weekly", count=count),
    )
    return outcome.bookings


def series_of(booking: Booking) -> Series:
    return Series.objects.get(bookings=booking)


def drain() -> None:
    """Run jobs until nothing is due (a series makes more follow-up jobs than settle()'s five rounds)."""
    for _ in range(30):
        if not run_jobs():
            return


def creates(zoom) -> list[dict]:
    return [e for e in zoom.emulator.requests() if e["method"] == "POST" and e["path"].endswith("/meetings")]


def test_a_series_of_eight_makes_eight_meetings_one_each(zoom, hosted, classes, maria):
    zoom.control.clear_requests()

    bookings = book_weekly(classes, maria, 8)
    drain()

    meetings = Meeting.objects.filter(appointment__bookings__in=bookings)
    assert meetings.count() == 8
    assert {m.state for m in meetings} == {Meeting.State.READY}
    assert len({m.external_id for m in meetings}) == 8
    calls = meeting_calls(zoom)
    assert [method for method, _, _ in calls] == ["POST"] * 8
    # Soonest first, each at 10:00 Berlin whatever the offset that week.
    starts = [
        datetime.strptime(body["start_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        for _, _, body in calls
    ]
    assert starts == sorted(starts)
    assert {start.astimezone(BERLIN).hour for start in starts} == {10}


def test_a_worker_killed_mid_series_makes_no_duplicate(zoom, hosted, classes, maria):
    bookings = book_weekly(classes, maria, 8)
    for _ in range(3):  # three meetings made, one job at a time
        _run_one_sync()
    # The fourth create reaches Zoom, its answer is lost, and the worker dies before recording anything.
    zoom.control.set_faults(lose_create_response=1)
    _run_one_sync(dies=True)
    Job.objects.filter(state=Job.State.RUNNING).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    Job.objects.filter(state=Job.State.PENDING).update(run_after=timezone.now())
    drain()
    Job.objects.filter(state=Job.State.PENDING, kind="conferencing.sync").update(run_after=timezone.now())
    drain()

    live = [m for m in zoom.emulator.state.meetings.values()]
    assert len(live) == 8, [(m.id, m.start_time) for m in live]
    records = Meeting.objects.filter(appointment__bookings__in=bookings, state=Meeting.State.READY)
    assert {r.external_id for r in records} == {str(m.id) for m in live}
    assert len([e for e in creates(zoom) if e["connection_dropped"]]) == 1
    made = [e for e in creates(zoom) if e["status"] == 201 or e["connection_dropped"]]
    assert len(made) == 8  # the lost one was adopted, not made again


def _run_one_sync(*, dies: bool = False) -> None:
    job = claims.claim({"default"}, lease_seconds=600)
    assert job is not None and job.kind == "conferencing.sync"
    spec = registry.get_handler(job.kind)
    assert spec is not None
    if dies:
        try:
            with queue.acting_for(job.tenant_id):
                spec.func(job.payload, job)
        except Exception:  # noqa: S110 - what it would have recorded, had it lived
            pass
        return
    Job.objects.filter(pk=job.pk).update(state=Job.State.PENDING, run_after=timezone.now())
    run_jobs_of(job.pk)


def run_jobs_of(job_id: int) -> None:
    """Run exactly one job (the others wait): everything else is pushed an hour ahead meanwhile."""
    later = timezone.now() + timedelta(hours=1)
    others = Job.objects.filter(state=Job.State.PENDING, kind="conferencing.sync").exclude(pk=job_id)
    held = list(others.values_list("pk", "run_after"))
    others.update(run_after=later)
    run_jobs()
    for pk, run_after in held:
        Job.objects.filter(pk=pk, state=Job.State.PENDING).update(run_after=run_after)


def test_this_and_following_moves_exactly_those_meetings(zoom, hosted, classes, maria):
    bookings = book_weekly(classes, maria, 8)
    drain()
    ids = {b.pk: Meeting.objects.get(appointment__bookings=b).external_id for b in bookings}
    zoom.control.clear_requests()

    fifth = Booking.objects.select_related("appointment__staff", "series").get(pk=bookings[4].pk)
    services.reschedule_series(fifth, start=fifth.appointment.start + timedelta(hours=2))
    drain()

    calls = meeting_calls(zoom)
    assert sorted(path for _, path, _ in calls) == sorted(f"/v2/meetings/{ids[b.pk]}" for b in bookings[4:])
    assert {method for method, _, _ in calls} == {"PATCH"}
    assert all(set(body) == {"start_time", "timezone"} for _, _, body in calls)


def test_cancelling_the_rest_deletes_exactly_their_meetings(zoom, hosted, classes, maria):
    bookings = book_weekly(classes, maria, 6)
    drain()
    ids = [Meeting.objects.get(appointment__bookings=b).external_id for b in bookings]
    zoom.control.clear_requests()

    services.cancel_series(series_of(bookings[0]), from_booking=Booking.objects.get(pk=bookings[3].pk))
    drain()

    calls = sorted((method, path) for method, path, _ in meeting_calls(zoom))
    assert calls == sorted(("DELETE", f"/v2/meetings/{external_id}") for external_id in ids[3:])


def test_the_daily_cap_makes_the_soonest_first_and_the_rest_after_midnight_utc(
    zoom, hosted, classes, maria, settings
):
    settings.ZOOM_DAILY_MEETING_WRITES_PER_HOST = 3
    bookings = book_weekly(classes, maria, 6)
    drain()

    records = [Meeting.objects.get(appointment__bookings=b) for b in bookings]
    assert [r.state for r in records[:3]] == [Meeting.State.READY] * 3
    waiting = records[3:]
    assert {r.state for r in waiting} == {Meeting.State.RETRYING}
    midnight = (timezone.now() + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    attempts = [r.next_attempt_at for r in waiting if r.next_attempt_at is not None]
    assert len(attempts) == len(waiting)
    assert all(midnight <= at < midnight + timedelta(minutes=5) for at in attempts)
    assert attempts == sorted(attempts)  # the soonest occurrence resumes first
    assert len(creates(zoom)) == 3


def test_one_message_per_person_lists_every_date_with_one_invitation(
    zoom, hosted, alice, classes, maria, request
):
    mail = request.getfixturevalue("smtp_server")
    install_default_workflows(alice)

    bookings = book_weekly(classes, maria, 4)
    drain()

    [confirmation] = mail.to(CHARLIE)
    text = plain_text(confirmation)
    assert "This message is about 4 dates of the series:" in text
    assert "(and 3 more dates)" in confirmation["Subject"]
    links = [Meeting.objects.get(appointment__bookings=b).join_url for b in bookings]
    assert all(link in text for link in links)
    [part] = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    raw = part.get_content()
    calendar = Calendar.from_ical(raw if isinstance(raw, bytes) else raw.encode())
    events = calendar.walk("VEVENT")
    assert len(events) == 4
    assert len({str(event["UID"]) for event in events}) == 4
    assert [str(event["LOCATION"]) for event in events] == links
    assert str(calendar["METHOD"]) == "REQUEST"
    assert len(mail.to(maria.email)) == 1  # the staff member's heads-up: one too

    before = len(mail.messages)
    services.cancel_series(series_of(bookings[0]), from_booking=Booking.objects.get(pk=bookings[2].pk))
    drain()

    [cancellation] = [m for m in mail.messages[before:] if m["To"] == CHARLIE]
    assert "This message is about 2 dates of the series:" in plain_text(cancellation)
    [part] = [p for p in cancellation.walk() if p.get_content_type() == "text/calendar"]
    raw = part.get_content()
    cancelled = Calendar.from_ical(raw if isinstance(raw, bytes) else raw.encode())
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert [str(e["UID"]) for e in cancelled.walk("VEVENT")] == [str(e["UID"]) for e in events[2:]]


def test_far_off_occurrences_refused_milliseconds_apart_resume_in_start_order():
    from rendez.conferencing.reconcile import quota_delay

    midnight = datetime(2031, 3, 11, tzinfo=UTC)
    week_40, week_41 = midnight + timedelta(weeks=40), midnight + timedelta(weeks=41)

    def resumes(start, refused_at, now):
        # The provider says how long until the reset when it refuses; the sync reads the clock a little later.
        return now + timedelta(seconds=quota_delay((midnight - refused_at).total_seconds(), start, now))

    refused = midnight - timedelta(hours=2)
    # Week 41's sync reads the clock 5 ms after its refusal, week 40's 60 ms after (a busier moment): the
    # 55 ms between them is more than their places in the spread differ (about 26 ms).
    later = resumes(week_41, refused, refused + timedelta(milliseconds=5))
    earlier = resumes(week_40, refused, refused + timedelta(milliseconds=60))

    assert midnight < earlier < later < midnight + timedelta(minutes=5)
