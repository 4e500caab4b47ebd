"""The booking services: every writer of bookings, its refusals, and the jobs each change enqueues."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from rendez import jobs
from rendez.jobs.models import Job
from rendez.scheduling import events, services
from rendez.scheduling.models import Appointment, Booking, Customer, TimeOff
from rendez.scheduling.services import BookingError
from rendez.scheduling.tests.factories import book, customer, make_service, make_staff, utc
from rendez.scheduling.tests.fixtures import NOW

TUESDAY_TEN = utc(2026, 6, 2, 8)  # 10:00 in Berlin
TUESDAY_ELEVEN = utc(2026, 6, 2, 9)
TUESDAY_NOON = utc(2026, 6, 2, 10)
MINUTE = timedelta(minutes=1)


def snapshot() -> tuple:
    """Every row the services write, to show a refused call changed nothing."""
    return (
        list(Appointment.objects.order_by("pk").values()),
        list(Booking.objects.order_by("pk").values()),
        list(Customer.objects.order_by("pk").values()),
        list(our_jobs().order_by("pk").values()),
    )


def our_jobs():
    # Only the kinds the scheduling core enqueues: the test database may be shared with other apps' tests.
    return Job.objects.filter(kind__in=[events.SYNC_MEETING, events.BOOKING_EVENT])


def run_all_jobs() -> None:
    """As if a worker had done every job so far: what follows enqueues fresh ones."""
    Job.objects.update(state=Job.State.SUCCEEDED)


def jobs_of(kind: str) -> list[Job]:
    return list(Job.objects.filter(kind=kind).exclude(state=Job.State.SUCCEEDED).order_by("pk"))


def booking_events() -> list[tuple[int, str]]:
    return [(job.payload["booking_id"], job.payload["event"]) for job in jobs_of(events.BOOKING_EVENT)]


def synced_appointments() -> list[int]:
    return [job.payload["appointment_id"] for job in jobs_of(events.SYNC_MEETING)]


def assert_refused(code: str, call, *, conflict: bool | None = None) -> BookingError:
    before = snapshot()
    with pytest.raises(BookingError) as caught:
        call()
    assert caught.value.code == code
    if conflict is not None:
        assert caught.value.conflict is conflict
    assert snapshot() == before
    return caught.value


@pytest.fixture
def erik(alice, consultation, yoga):
    member = make_staff(alice, "Erik")
    consultation.staff.add(member)
    yoga.staff.add(member)
    return member


# --- book ---------------------------------------------------------------------------------------------------


def test_it_books_a_free_slot_as_a_new_appointment(consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)

    appointment = booking.appointment
    assert (appointment.start, appointment.end) == (TUESDAY_TEN, TUESDAY_TEN + timedelta(minutes=30))
    assert (appointment.staff, appointment.service) == (dora, consultation)
    assert (appointment.seats_taken, appointment.capacity) == (1, 1)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.customer.email == "charlie@example.com"
    assert booking.manage_token


def test_it_enqueues_a_meeting_sync_and_a_notification_with_the_booking(consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)

    [sync] = jobs_of(events.SYNC_MEETING)
    assert sync.key == f"appointment:{booking.appointment_id}"
    assert sync.payload == {"appointment_id": booking.appointment_id}
    assert sync.state == Job.State.PENDING
    [notification] = jobs_of(events.BOOKING_EVENT)
    assert notification.key == f"booking:{booking.pk}"
    assert notification.payload == {
        "booking_id": booking.pk,
        "event": "booking_created",
        "status": "confirmed",
        "previous_status": None,
        "start": TUESDAY_TEN.isoformat(),
        "end": booking.appointment.end.isoformat(),
        "appointment_id": booking.appointment_id,
        "staff_id": dora.pk,
    }


def test_a_rolled_back_booking_leaves_no_job(consultation, dora):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        book(consultation, dora, TUESDAY_TEN, now=NOW)
        raise Abandon

    assert not Booking.objects.exists()
    assert not our_jobs().exists()


def test_a_booking_whose_jobs_cannot_be_written_is_not_made(consultation, dora):
    def broken_subscriber(change: events.BookingChanged) -> list:
        raise RuntimeError("outbox unavailable")

    jobs.subscribe(events.BookingChanged, broken_subscriber)
    try:
        with pytest.raises(RuntimeError):
            book(consultation, dora, TUESDAY_TEN, now=NOW)
    finally:
        jobs.unsubscribe(events.BookingChanged, broken_subscriber)
    assert not Booking.objects.exists()
    assert not Appointment.objects.exists()
    assert not Job.objects.exists()


def test_a_service_awaiting_approval_books_pending(consultation, dora):
    consultation.initial_status = "pending"
    consultation.save()
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    assert booking.status == Booking.Status.PENDING
    assert booking.appointment.seats_taken == 1


def test_a_second_customer_joins_the_open_group_session(yoga, dora):
    first = book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    second = book(yoga, dora, TUESDAY_TEN, "Dave", now=NOW)

    assert second.appointment_id == first.appointment_id
    assert Appointment.objects.get().seats_taken == 2
    # One meeting sync per appointment, however many bookings asked for it; one notification per booking.
    assert synced_appointments() == [first.appointment_id]
    assert booking_events() == [(first.pk, "booking_created"), (second.pk, "booking_created")]


def test_a_party_takes_as_many_seats_as_it_has_people(yoga, dora):
    booking = book(yoga, dora, TUESDAY_TEN, party_size=3, now=NOW)
    assert booking.party_size == 3
    assert booking.appointment.seats_taken == 3


def test_the_same_email_is_the_same_customer_whose_details_a_booking_never_changes(consultation, dora):
    # It used to take the newer name and phone: anyone typing someone else's email renamed that person in
    # every past booking and message. A known customer's details now change only where they are edited.
    first = book(consultation, dora, TUESDAY_TEN, now=NOW)
    before = Customer.objects.values_list("name", "phone", "timezone").get()
    details = customer("Mallory", email="Charlie@Example.com", phone="+49 30 1234", timezone="Asia/Tokyo")
    second = services.book(service=consultation, staff=dora, start=TUESDAY_ELEVEN, customer=details, now=NOW)
    assert second.customer_id == first.customer_id
    charlie = Customer.objects.get()
    assert (charlie.name, charlie.phone, charlie.timezone) == before
    assert charlie.email == "charlie@example.com"


def test_it_refuses_a_party_larger_than_the_capacity(yoga, dora):
    assert_refused(
        "party_too_large", lambda: book(yoga, dora, TUESDAY_TEN, party_size=6, now=NOW), conflict=False
    )


def test_it_refuses_a_party_of_nobody(yoga, dora):
    assert_refused("invalid_party_size", lambda: book(yoga, dora, TUESDAY_TEN, party_size=0, now=NOW))


def test_it_refuses_a_start_in_the_past(consultation, dora):
    assert_refused("in_past", lambda: book(consultation, dora, utc(2026, 5, 29, 8), now=NOW), conflict=False)


def test_it_refuses_a_start_within_the_minimum_notice(consultation, dora):
    consultation.min_notice_minutes = 24 * 60
    consultation.save()
    assert_refused("too_soon", lambda: book(consultation, dora, TUESDAY_TEN - timedelta(days=1), now=NOW))
    assert book(consultation, dora, TUESDAY_TEN, now=NOW).pk


def test_it_refuses_a_start_beyond_the_horizon(consultation, dora):
    consultation.horizon_days = 7
    consultation.save()
    assert_refused("too_far", lambda: book(consultation, dora, TUESDAY_TEN + timedelta(days=7), now=NOW))


def test_it_refuses_a_start_centuries_away_without_overflowing(consultation, dora):
    from datetime import UTC, datetime

    assert_refused("too_far", lambda: book(consultation, dora, datetime.max.replace(tzinfo=UTC), now=NOW))


def test_it_refuses_a_start_outside_working_hours(consultation, dora):
    assert_refused(
        "outside_working_hours", lambda: book(consultation, dora, utc(2026, 6, 2, 15), now=NOW), conflict=True
    )
    saturday = utc(2026, 6, 6, 8)
    assert_refused("outside_working_hours", lambda: book(consultation, dora, saturday, now=NOW))


def test_it_refuses_a_slot_running_past_the_end_of_the_day(consultation, dora):
    assert_refused(
        "outside_working_hours", lambda: book(consultation, dora, utc(2026, 6, 2, 14, 45), now=NOW)
    )


def test_it_refuses_a_start_during_time_off(consultation, dora):
    TimeOff.objects.create(staff=dora, start=TUESDAY_TEN, end=TUESDAY_NOON, reason="dentist")
    assert_refused("time_off", lambda: book(consultation, dora, TUESDAY_ELEVEN, now=NOW), conflict=True)


def test_it_refuses_a_taken_one_to_one_slot(consultation, dora):
    book(consultation, dora, TUESDAY_TEN, "Charlie", now=NOW)
    assert_refused("conflict", lambda: book(consultation, dora, TUESDAY_TEN, "Dave", now=NOW), conflict=True)


def test_it_refuses_a_slot_reaching_into_another_appointments_buffer(consultation, dora):
    consultation.buffer_after_minutes = 15
    consultation.save()
    book(consultation, dora, TUESDAY_TEN, now=NOW)
    assert_refused(
        "conflict", lambda: book(consultation, dora, TUESDAY_TEN + timedelta(minutes=30), "Dave", now=NOW)
    )


def test_it_refuses_a_full_group_session(yoga, dora):
    book(yoga, dora, TUESDAY_TEN, "Charlie", party_size=4, now=NOW)
    assert_refused(
        "full", lambda: book(yoga, dora, TUESDAY_TEN, "Dave", party_size=2, now=NOW), conflict=True
    )
    book(yoga, dora, TUESDAY_TEN, "Dave", now=NOW)
    assert_refused("full", lambda: book(yoga, dora, TUESDAY_TEN, "Erin", now=NOW))


def test_it_refuses_staff_who_do_not_offer_the_service(alice, consultation):
    outsider = make_staff(alice, "Gina")
    assert_refused(
        "staff_not_offering", lambda: book(consultation, outsider, TUESDAY_TEN, now=NOW), conflict=False
    )


def test_it_refuses_staff_who_left(consultation, dora):
    dora.is_active = False
    dora.save()
    assert_refused("staff_not_offering", lambda: book(consultation, dora, TUESDAY_TEN, now=NOW))


def test_it_refuses_staff_of_another_tenant(bob, consultation):
    frank = make_staff(bob, "Frank")
    assert_refused("unknown_staff", lambda: book(consultation, frank, TUESDAY_TEN, now=NOW))


def test_it_refuses_an_inactive_service(consultation, dora):
    consultation.is_active = False
    consultation.save()
    assert_refused("service_inactive", lambda: book(consultation, dora, TUESDAY_TEN, now=NOW), conflict=False)


def test_it_refuses_a_start_off_the_slot_grid(consultation, dora):
    assert_refused(
        "not_a_slot", lambda: book(consultation, dora, TUESDAY_TEN + 10 * MINUTE, now=NOW), conflict=False
    )


def test_it_refuses_a_start_without_a_zone(consultation, dora):
    naive = TUESDAY_TEN.replace(tzinfo=None)
    assert_refused("naive_start", lambda: book(consultation, dora, naive, now=NOW))


# --- reschedule_booking -------------------------------------------------------------------------------------


def test_a_booking_alone_moves_its_appointment(consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    run_all_jobs()

    moved = services.reschedule_booking(booking, start=TUESDAY_NOON, now=NOW)

    assert moved.appointment_id == booking.appointment_id
    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.end) == (TUESDAY_NOON, TUESDAY_NOON + timedelta(minutes=30))
    assert (appointment.block_start, appointment.block_end) == (appointment.start, appointment.end)
    assert synced_appointments() == [appointment.pk]
    assert booking_events() == [(booking.pk, "booking_rescheduled")]
    assert jobs_of(events.BOOKING_EVENT)[0].payload["start"] == TUESDAY_NOON.isoformat()


def test_a_booking_may_move_into_the_slot_its_own_buffers_overlap(consultation, dora):
    consultation.buffer_after_minutes = 30
    consultation.save()
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    services.reschedule_booking(booking, start=TUESDAY_TEN + timedelta(minutes=30), now=NOW)
    assert Appointment.objects.get().start == TUESDAY_TEN + timedelta(minutes=30)


def test_a_booking_leaving_a_group_releases_its_seats(yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", party_size=2, now=NOW)
    book(yoga, dora, TUESDAY_TEN, "Dave", now=NOW)
    run_all_jobs()

    moved = services.reschedule_booking(charlie, start=TUESDAY_NOON, now=NOW)

    old = Appointment.objects.get(pk=charlie.appointment_id)
    assert old.seats_taken == 1
    assert moved.appointment_id != old.pk
    assert (moved.appointment.start, moved.appointment.seats_taken) == (TUESDAY_NOON, 2)
    assert set(synced_appointments()) == {old.pk, moved.appointment_id}
    assert booking_events() == [(charlie.pk, "booking_rescheduled")]


def test_a_booking_moving_into_an_open_session_joins_it(yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    dave = book(yoga, dora, TUESDAY_NOON, "Dave", now=NOW)

    moved = services.reschedule_booking(charlie, start=TUESDAY_NOON, now=NOW)

    assert moved.appointment_id == dave.appointment_id
    assert Appointment.objects.get(pk=dave.appointment_id).seats_taken == 2
    assert Appointment.objects.get(pk=charlie.appointment_id).seats_taken == 0


def test_a_booking_moves_to_another_staff_member(consultation, dora, erik):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    moved = services.reschedule_booking(booking, start=TUESDAY_TEN, staff=erik, now=NOW)
    assert moved.appointment_id == booking.appointment_id
    assert Appointment.objects.get().staff == erik


def test_a_booking_cannot_move_into_a_full_session(yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    book(yoga, dora, TUESDAY_NOON, "Dave", party_size=5, now=NOW)
    assert_refused(
        "full", lambda: services.reschedule_booking(charlie, start=TUESDAY_NOON, now=NOW), conflict=True
    )


def test_a_booking_cannot_move_into_a_taken_slot(consultation, dora):
    charlie = book(consultation, dora, TUESDAY_TEN, "Charlie", now=NOW)
    book(consultation, dora, TUESDAY_NOON, "Dave", now=NOW)
    assert_refused("conflict", lambda: services.reschedule_booking(charlie, start=TUESDAY_NOON, now=NOW))


def test_a_booking_cannot_move_outside_working_hours(consultation, dora):
    charlie = book(consultation, dora, TUESDAY_TEN, now=NOW)
    assert_refused(
        "outside_working_hours",
        lambda: services.reschedule_booking(charlie, start=utc(2026, 6, 2, 20), now=NOW),
    )


def test_a_booking_cannot_move_to_staff_not_offering_the_service(alice, consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    gina = make_staff(alice, "Gina")
    assert_refused(
        "staff_not_offering",
        lambda: services.reschedule_booking(booking, start=TUESDAY_TEN, staff=gina, now=NOW),
    )


def test_rescheduling_to_the_same_time_changes_nothing(consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    before = snapshot()
    services.reschedule_booking(booking, start=TUESDAY_TEN, now=NOW)
    services.reschedule_booking(booking, start=TUESDAY_TEN.astimezone(dora.zone), staff=dora, now=NOW)
    assert snapshot() == before


def test_a_cancelled_booking_cannot_be_rescheduled(consultation, dora):
    booking = services.cancel_booking(book(consultation, dora, TUESDAY_TEN, now=NOW), now=NOW)
    assert_refused("not_active", lambda: services.reschedule_booking(booking, start=TUESDAY_NOON, now=NOW))


# --- reschedule_appointment ---------------------------------------------------------------------------------


def test_a_whole_group_moves_together(yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    dave = book(yoga, dora, TUESDAY_TEN, "Dave", party_size=2, now=NOW)
    run_all_jobs()

    appointment = services.reschedule_appointment(charlie.appointment, start=TUESDAY_NOON, now=NOW)

    assert appointment.pk == charlie.appointment_id
    assert Appointment.objects.get().start == TUESDAY_NOON
    assert Appointment.objects.get().seats_taken == 3
    assert synced_appointments() == [appointment.pk]
    assert sorted(booking_events()) == sorted(
        [(charlie.pk, "booking_rescheduled"), (dave.pk, "booking_rescheduled")]
    )


def test_a_group_leaves_behind_those_who_cancelled(yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    dave = services.cancel_booking(book(yoga, dora, TUESDAY_TEN, "Dave", now=NOW), now=NOW)
    run_all_jobs()
    services.reschedule_appointment(charlie.appointment, start=TUESDAY_NOON, now=NOW)
    assert booking_events() == [(charlie.pk, "booking_rescheduled")]
    assert Booking.objects.get(pk=dave.pk).status == "cancelled"


def test_a_group_moves_to_another_staff_member(yoga, dora, erik):
    charlie = book(yoga, dora, TUESDAY_TEN, now=NOW)
    services.reschedule_appointment(charlie.appointment, start=TUESDAY_TEN, staff=erik, now=NOW)
    assert Appointment.objects.get().staff == erik


def test_a_group_cannot_move_onto_another_session(yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    book(yoga, dora, TUESDAY_NOON, "Dave", now=NOW)
    error = assert_refused(
        "conflict", lambda: services.reschedule_appointment(charlie.appointment, start=TUESDAY_NOON, now=NOW)
    )
    assert error.conflict


def test_a_group_cannot_move_onto_another_appointment(yoga, consultation, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    book(consultation, dora, TUESDAY_NOON, "Dave", now=NOW)
    assert_refused(
        "conflict", lambda: services.reschedule_appointment(charlie.appointment, start=TUESDAY_NOON, now=NOW)
    )


def test_an_appointment_without_bookings_has_nothing_to_move(consultation, dora):
    booking = services.cancel_booking(book(consultation, dora, TUESDAY_TEN, now=NOW), now=NOW)
    assert_refused(
        "nothing_to_move",
        lambda: services.reschedule_appointment(booking.appointment, start=TUESDAY_NOON, now=NOW),
    )


def test_moving_an_appointment_to_where_it_is_changes_nothing(yoga, dora):
    booking = book(yoga, dora, TUESDAY_TEN, now=NOW)
    before = snapshot()
    services.reschedule_appointment(booking.appointment, start=TUESDAY_TEN, now=NOW)
    assert snapshot() == before


# --- cancel -------------------------------------------------------------------------------------------------


def test_cancelling_releases_the_seats_and_reopens_the_slot(consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    run_all_jobs()

    cancelled = services.cancel_booking(booking, now=NOW)

    assert cancelled.status == Booking.Status.CANCELLED
    assert Appointment.objects.get().seats_taken == 0
    assert synced_appointments() == [booking.appointment_id]
    [notification] = jobs_of(events.BOOKING_EVENT)
    assert notification.payload["event"] == "booking_cancelled"
    assert notification.payload["previous_status"] == "confirmed"
    assert book(consultation, dora, TUESDAY_TEN, "Dave", now=NOW).appointment_id != booking.appointment_id


def test_cancelling_one_seat_of_a_group_leaves_the_others(yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", party_size=2, now=NOW)
    book(yoga, dora, TUESDAY_TEN, "Dave", now=NOW)
    services.cancel_booking(charlie, now=NOW)
    assert Appointment.objects.get().seats_taken == 1


def test_cancelling_twice_is_refused(consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    services.cancel_booking(booking, now=NOW)
    # The caller's object is stale ("confirmed"); the service reads the booking again under the lock.
    assert_refused("invalid_transition", lambda: services.set_status(booking, "confirmed", now=NOW))
    assert services.cancel_booking(booking, now=NOW).status == "cancelled"
    assert Appointment.objects.get().seats_taken == 0


# --- set_status ---------------------------------------------------------------------------------------------

PATHS = {
    "pending": [],
    "confirmed": ["confirmed"],
    "completed": ["confirmed", "completed"],
    "no_show": ["confirmed", "no_show"],
    "cancelled": ["cancelled"],
    "rejected": ["rejected"],
}
AFTER_START = TUESDAY_TEN + timedelta(minutes=5)


def booking_in(status: str, service, staff) -> Booking:
    service.initial_status = "pending"
    service.save()
    booking = book(service, staff, TUESDAY_TEN, now=NOW)
    for step in PATHS[status]:
        booking = services.set_status(booking, step, now=AFTER_START)
    return booking


ALLOWED = [(old, new) for old, targets in services.TRANSITIONS.items() for new in sorted(targets)]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_every_allowed_transition_is_made(old, new, consultation, dora):
    booking = booking_in(old, consultation, dora)
    run_all_jobs()

    changed = services.set_status(booking, new, now=AFTER_START)

    assert Booking.objects.get().status == changed.status == new
    holds = new in ("pending", "confirmed")
    assert Appointment.objects.get().seats_taken == (1 if holds else 0)
    expected_event = {"confirmed": "booking_confirmed", "cancelled": "booking_cancelled"}.get(
        new, "booking_status_changed"
    )
    [notification] = jobs_of(events.BOOKING_EVENT)
    assert (notification.payload["event"], notification.payload["previous_status"]) == (expected_event, old)
    assert synced_appointments() == [booking.appointment_id]


DISALLOWED = [
    (old, new)
    for old in services.TRANSITIONS
    for new in Booking.Status.values
    if new != old and new not in services.TRANSITIONS[old]
]


@pytest.mark.parametrize(("old", "new"), DISALLOWED)
def test_every_other_transition_is_refused(old, new, consultation, dora):
    booking = booking_in(old, consultation, dora)
    assert_refused(
        "invalid_transition", lambda: services.set_status(booking, new, now=AFTER_START), conflict=False
    )


def test_an_unknown_status_is_refused(consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    error = assert_refused("unknown_status", lambda: services.set_status(booking, "lost", now=NOW))
    assert error.field == "status"


@pytest.mark.parametrize("status", ["completed", "no_show"])
def test_attendance_cannot_be_recorded_before_the_start(status, consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    before_start = TUESDAY_TEN - MINUTE
    assert_refused("not_started", lambda: services.set_status(booking, status, now=before_start))


def test_setting_the_same_status_changes_nothing(consultation, dora):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    before = snapshot()
    services.set_status(booking, "confirmed", now=NOW)
    assert snapshot() == before


def test_rejecting_a_pending_booking_gives_its_seats_back(yoga, dora):
    yoga.initial_status = "pending"
    yoga.save()
    booking = book(yoga, dora, TUESDAY_TEN, party_size=3, now=NOW)
    assert Appointment.objects.get().seats_taken == 3
    services.set_status(booking, "rejected", now=NOW)
    assert Appointment.objects.get().seats_taken == 0


# --- changing the service -----------------------------------------------------------------------------------


@pytest.fixture
def long_session(alice, dora):
    return make_service(alice, dora, name="Long session", duration_minutes=90, slot_interval_minutes=30)


def test_a_booking_changes_service_and_its_appointment_takes_the_new_duration(
    consultation, long_session, dora
):
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    run_all_jobs()

    moved = services.reschedule_booking(booking, start=TUESDAY_TEN, service=long_session, now=NOW)

    appointment = Appointment.objects.get()
    assert moved.appointment_id == appointment.pk == booking.appointment_id
    assert (appointment.service, appointment.end) == (long_session, TUESDAY_TEN + timedelta(minutes=90))
    assert synced_appointments() == [appointment.pk]
    assert booking_events() == [(booking.pk, "booking_rescheduled")]


def test_a_service_change_must_fit_the_new_duration(consultation, long_session, dora):
    charlie = book(consultation, dora, TUESDAY_TEN, "Charlie", now=NOW)
    book(consultation, dora, TUESDAY_ELEVEN, "Dave", now=NOW)
    assert_refused(
        "conflict",
        lambda: services.reschedule_booking(charlie, start=TUESDAY_TEN, service=long_session, now=NOW),
        conflict=True,
    )


def test_a_service_change_needs_a_staff_member_who_offers_it(alice, consultation, dora, erik):
    only_erik = make_service(alice, erik, name="Erik's special")
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    assert_refused(
        "staff_not_offering",
        lambda: services.reschedule_booking(booking, start=TUESDAY_TEN, service=only_erik, now=NOW),
    )
    moved = services.reschedule_booking(booking, start=TUESDAY_TEN, staff=erik, service=only_erik, now=NOW)
    assert (moved.appointment.staff, moved.appointment.service) == (erik, only_erik)


def test_a_service_of_another_tenant_is_refused(bob, consultation, dora):
    theirs = make_service(bob, make_staff(bob, "Bea"), name="Theirs")
    booking = book(consultation, dora, TUESDAY_TEN, now=NOW)
    assert_refused(
        "unknown_service",
        lambda: services.reschedule_booking(booking, start=TUESDAY_TEN, service=theirs, now=NOW),
    )


def test_a_group_changes_service_only_when_the_new_one_seats_everyone(alice, yoga, dora):
    book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    dave = book(yoga, dora, TUESDAY_TEN, "Dave", party_size=2, now=NOW)
    pilates = make_service(alice, dora, name="Pilates", duration_minutes=60, capacity=2)
    assert_refused(
        "party_too_large",
        lambda: services.reschedule_appointment(
            dave.appointment, start=TUESDAY_TEN, service=pilates, now=NOW
        ),
    )
    bigger = make_service(alice, dora, name="Big class", duration_minutes=60, capacity=10)
    moved = services.reschedule_appointment(dave.appointment, start=TUESDAY_TEN, service=bigger, now=NOW)
    assert (moved.service, moved.capacity, moved.seats_taken) == (bigger, 10, 3)


def test_one_seat_of_a_group_changing_service_leaves_the_group(alice, yoga, dora):
    charlie = book(yoga, dora, TUESDAY_TEN, "Charlie", now=NOW)
    book(yoga, dora, TUESDAY_TEN, "Dave", now=NOW)
    private = make_service(alice, dora, name="Private", duration_minutes=60)

    moved = services.reschedule_booking(charlie, start=TUESDAY_NOON, service=private, now=NOW)

    assert moved.appointment_id != charlie.appointment_id
    assert (moved.appointment.service, moved.appointment.seats_taken) == (private, 1)
    assert Appointment.objects.get(pk=charlie.appointment_id).seats_taken == 1
