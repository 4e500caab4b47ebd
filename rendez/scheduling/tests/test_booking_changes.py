"""A booking's history: every move, change of service, cancellation and status change writes one
`BookingChange` in its own transaction, with the reason given and who made it; a refused change writes
none."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from hypothesis import given, settings
from hypothesis import strategies as st

from rendez.jobs.models import Job
from rendez.scheduling import events, services
from rendez.scheduling._booking_checks import change_note
from rendez.scheduling.changes import REASON_MAX
from rendez.scheduling.models import BookingChange
from rendez.scheduling.services import BookingError
from rendez.scheduling.tests.factories import book, make_service, make_staff, make_tenant, utc
from rendez.scheduling.tests.fixtures import NOW
from rendez.scheduling.tests.test_services import snapshot

# Fresh business in Lisbon: summaries name its times and zone, whoever's zone the staff member keeps.
TUESDAY_TEN = utc(2026, 6, 2, 9)  # 10:00 in Lisbon (WEST, UTC+1)
WEDNESDAY_TWO = utc(2026, 6, 3, 13)  # 14:00 in Lisbon

pytestmark = pytest.mark.django_db


@pytest.fixture
def lisbon():
    return make_tenant("lisbon-clinic", name="Lisbon Clinic", timezone="Europe/Lisbon")


@pytest.fixture
def rui(lisbon):
    return make_staff(lisbon, "Rui", timezone="Europe/Lisbon")


@pytest.fixture
def ana(lisbon):
    return make_staff(lisbon, "Ana", timezone="Europe/Lisbon")


@pytest.fixture
def checkup(lisbon, rui, ana):
    return make_service(lisbon, rui, ana, name="Check-up", duration_minutes=30)


@pytest.fixture
def cleaning(lisbon, rui):
    return make_service(lisbon, rui, name="Cleaning", duration_minutes=30)


@pytest.fixture
def class_of_five(lisbon, rui):
    return make_service(lisbon, rui, name="Pilates", duration_minutes=60, capacity=5)


@pytest.fixture
def marta(lisbon):
    return User.objects.create_user("marta", email="marta@lisbon.test", first_name="Marta", last_name="Silva")


def history(booking) -> list[tuple[str, str, str, bool, str | None]]:
    return [
        (c.kind, c.summary, c.reason, c.by_customer, c.by.username if c.by else None)
        for c in booking.changes.select_related("by")
    ]


def event_notes() -> list[tuple[str, str]]:
    jobs = Job.objects.filter(kind=events.BOOKING_EVENT).order_by("pk")
    return [(job.payload.get("reason", ""), job.payload.get("changed_by", "")) for job in jobs]


def test_a_move_is_written_with_its_reason_and_who_in_the_business_zone(checkup, rui, marta):
    booking = book(checkup, rui, TUESDAY_TEN, now=NOW)

    services.reschedule_booking(booking, start=WEDNESDAY_TWO, now=NOW, reason="  Dentist at ten  ", by=marta)

    assert history(booking) == [
        (
            "rescheduled",
            "Moved from Tue 2 Jun 10:00 to Wed 3 Jun 14:00 (Europe/Lisbon)",
            "Dentist at ten",
            False,
            "marta",
        )
    ]
    # Staff messages about this event hear why and from whom (the event's payload carries it).
    assert event_notes()[-1] == ("Dentist at ten", "Marta Silva")
    assert BookingChange.objects.get().tenant_id == booking.tenant_id


def test_a_move_to_another_staff_member_and_service_says_both(checkup, cleaning, rui, ana):
    booking = book(checkup, ana, TUESDAY_TEN, now=NOW)

    services.reschedule_booking(booking, start=WEDNESDAY_TWO, staff=rui, service=cleaning, now=NOW)

    ((kind, summary, reason, by_customer, by),) = history(booking)
    assert kind == "rescheduled" and (reason, by_customer, by) == ("", False, None)
    assert summary == (
        "Moved from Tue 2 Jun 10:00 to Wed 3 Jun 14:00 (Europe/Lisbon); now with Rui (was Ana); "
        "service changed from Check-up to Cleaning"
    )
    assert event_notes()[-1] == ("", "API")


def test_a_change_of_service_alone_is_a_service_change(checkup, cleaning, rui):
    booking = book(checkup, rui, TUESDAY_TEN, now=NOW)

    services.reschedule_booking(booking, start=TUESDAY_TEN, service=cleaning, now=NOW, by_customer=True)

    assert history(booking) == [
        ("service_changed", "Service changed from Check-up to Cleaning", "", True, None)
    ]
    assert event_notes()[-1] == ("", "the customer")


def test_moving_a_group_writes_one_change_per_booking_still_holding_seats(class_of_five, rui, marta):
    first = book(class_of_five, rui, TUESDAY_TEN, "Charlie", now=NOW)
    second = book(class_of_five, rui, TUESDAY_TEN, "Dave", now=NOW)
    gone = book(class_of_five, rui, TUESDAY_TEN, "Erin", now=NOW)
    services.cancel_booking(gone, now=NOW)

    services.reschedule_appointment(
        first.appointment, start=WEDNESDAY_TWO, now=NOW, reason="Room booked", by=marta
    )

    moved = ("rescheduled", "Moved from Tue 2 Jun 10:00 to Wed 3 Jun 14:00 (Europe/Lisbon)", "Room booked")
    assert [row[:3] for row in history(first)] == [moved]
    assert [row[:3] for row in history(second)] == [moved]
    assert [row[:2] for row in history(gone)] == [("cancelled", "Cancelled")]
    assert event_notes()[-2:] == [("Room booked", "Marta Silva")] * 2


def test_cancelling_and_setting_a_status_say_so(checkup, rui, marta):
    cancelled = book(checkup, rui, TUESDAY_TEN, now=NOW)
    attended = book(checkup, rui, WEDNESDAY_TWO, "Dave", now=NOW)

    services.cancel_booking(cancelled, now=NOW, reason="Feeling better", by_customer=True)
    services.set_status(attended, "no_show", now=utc(2026, 6, 3, 14), reason="Did not answer", by=marta)

    assert history(cancelled) == [("cancelled", "Cancelled", "Feeling better", True, None)]
    no_show = ("status_changed", "Status set to No-show", "Did not answer", False, "marta")
    assert history(attended) == [no_show]


def test_the_old_calls_still_work_and_say_the_api_made_them(checkup, rui):
    booking = book(checkup, rui, TUESDAY_TEN, now=NOW)

    services.set_status(booking, "cancelled", now=NOW)

    assert history(booking) == [("cancelled", "Cancelled", "", False, None)]


def test_a_reason_too_long_is_refused_and_nothing_changes(checkup, rui, marta):
    booking = book(checkup, rui, TUESDAY_TEN, now=NOW)
    before = snapshot()
    too_long = "x" * (REASON_MAX + 1)

    for call in (
        lambda: services.cancel_booking(booking, now=NOW, reason=too_long, by=marta),
        lambda: services.set_status(booking, "cancelled", now=NOW, reason=too_long),
        lambda: services.reschedule_booking(booking, start=WEDNESDAY_TWO, now=NOW, reason=too_long),
        lambda: services.reschedule_appointment(
            booking.appointment, start=WEDNESDAY_TWO, now=NOW, reason=too_long
        ),
    ):
        with pytest.raises(BookingError) as refused:
            call()
        assert (refused.value.code, refused.value.field) == ("reason_too_long", "reason")
        assert refused.value.message == "The reason is 1001 characters long; it may be at most 1000."

    assert snapshot() == before and not BookingChange.objects.exists()


def test_a_refused_change_writes_no_history(checkup, rui):
    booking = book(checkup, rui, TUESDAY_TEN, now=NOW)
    book(checkup, rui, WEDNESDAY_TWO, "Dave", now=NOW)

    with pytest.raises(BookingError):
        services.reschedule_booking(booking, start=WEDNESDAY_TWO, now=NOW, reason="Try the taken time")
    with pytest.raises(BookingError):
        services.set_status(booking, "completed", now=NOW, reason="Not begun yet")

    assert not BookingChange.objects.exists()


def test_no_change_no_history(checkup, rui):
    booking = book(checkup, rui, TUESDAY_TEN, now=NOW)

    services.reschedule_booking(booking, start=TUESDAY_TEN, now=NOW, reason="Same time")
    services.set_status(booking, "confirmed", now=NOW, reason="Already is")

    assert not BookingChange.objects.exists()


@settings(max_examples=25, deadline=None)
@given(reason=st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00")))
def test_any_reason_up_to_the_limit_is_kept_as_given_trimmed(reason):
    """What the history keeps is the reason trimmed, whatever it is; beyond the limit, a refusal."""
    note = None
    try:
        note = change_note(reason, None, False)
    except BookingError as refused:
        assert len(reason.strip()) > REASON_MAX and refused.field == "reason"
    else:
        assert note.reason == reason.strip() and len(note.reason) <= REASON_MAX


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_change_and_its_history_commit_together(checkup, rui, marta):
    booking = book(checkup, rui, TUESDAY_TEN, now=NOW)
    book(checkup, rui, WEDNESDAY_TWO, "Dave", now=NOW)

    with pytest.raises(BookingError):
        services.reschedule_booking(booking, start=WEDNESDAY_TWO, now=NOW, reason="Taken")
    services.reschedule_booking(booking, start=utc(2026, 6, 3, 9), now=NOW, reason="Free", by=marta)
    services.cancel_booking(booking, now=NOW, reason="After all", by_customer=True)

    assert [row[:3] for row in history(booking)] == [
        ("cancelled", "Cancelled", "After all"),
        ("rescheduled", "Moved from Tue 2 Jun 10:00 to Wed 3 Jun 10:00 (Europe/Lisbon)", "Free"),
    ]
