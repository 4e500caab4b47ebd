"""The catalog writers: staff, working hours, time off and services, their refusals, and their locks."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from rendez.scheduling import catalog
from rendez.scheduling.catalog import (
    CatalogError,
    ServiceChanges,
    ServiceDetails,
    StaffChanges,
    StaffDetails,
    WorkingInterval,
)
from rendez.scheduling.models import Service, Staff, TimeOff, WorkingHours
from rendez.scheduling.tests.factories import make_staff, utc
from rendez.scheduling.tests.test_concurrency import all_at_once

MONDAY_MORNING = WorkingInterval(0, time(9), time(12))
MONDAY_AFTERNOON = WorkingInterval(0, time(13), time(17, 30))


def snapshot() -> tuple:
    """Every row the catalog writers touch, to show a refused call changed nothing."""
    return (
        list(Staff.objects.order_by("pk").values()),
        list(WorkingHours.objects.order_by("pk").values()),
        list(TimeOff.objects.order_by("pk").values()),
        list(Service.objects.order_by("pk").values()),
        list(Service.staff.through.objects.order_by("pk").values()),
    )


def assert_refused(code: str, field: str | None, call) -> CatalogError:
    before = snapshot()
    with pytest.raises(CatalogError) as caught:
        call()
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.message
    assert snapshot() == before
    return caught.value


def hours_of(member: Staff) -> list[str]:
    return [str(hours) for hours in member.working_hours.all()]


@pytest.fixture
def frank(bob):
    return make_staff(bob, "Frank", timezone="America/New_York")


# --- staff --------------------------------------------------------------------------------------------------


def test_it_creates_staff_with_their_working_hours(alice):
    ines = catalog.create_staff(
        alice,
        StaffDetails(name="Ines", email="ines@example.com", timezone="America/New_York"),
        working_hours=[MONDAY_AFTERNOON, MONDAY_MORNING],
    )
    assert (ines.tenant, ines.timezone, ines.is_active) == (alice, "America/New_York", True)
    assert hours_of(ines) == ["Monday 09:00-12:00", "Monday 13:00-17:30"]


def test_staff_with_overlapping_hours_is_not_created(alice):
    error = assert_refused(
        "overlapping_hours",
        "working_hours",
        lambda: catalog.create_staff(
            alice,
            StaffDetails(name="Ines"),
            working_hours=[MONDAY_MORNING, WorkingInterval(0, time(11), time(14))],
        ),
    )
    assert error.message == "Monday 09:00-12:00 and Monday 11:00-14:00 overlap: a day's intervals must not."


def test_staff_the_model_refuses_is_refused_with_the_field_named(alice):
    error = assert_refused(
        "invalid", "timezone", lambda: catalog.create_staff(alice, StaffDetails(name="Ines", timezone="Mars"))
    )
    assert "'Mars' is not an IANA time zone" in error.fields["timezone"]


def test_a_staff_update_changes_only_what_is_named(dora):
    updated = catalog.update_staff(dora, StaffChanges(phone="+49 30 555"))
    dora.refresh_from_db()
    assert (dora.phone, dora.name, dora.email) == ("+49 30 555", "Dora", "dora@example.com")
    assert updated.phone == "+49 30 555"
    assert len(hours_of(dora)) == 5


def test_updating_staff_replaces_their_hours_when_named(dora):
    catalog.update_staff(dora, StaffChanges(working_hours=[WorkingInterval(5, time(10), time(14))]))
    assert hours_of(dora) == ["Saturday 10:00-14:00"]


def test_a_refused_staff_update_changes_nothing(dora):
    assert_refused(
        "invalid",
        "email",
        lambda: catalog.update_staff(dora, StaffChanges(email="not-an-email", working_hours=[])),
    )


def test_a_stale_staff_row_does_not_undo_another_writers_change(dora):
    stale = Staff.objects.get(pk=dora.pk)
    catalog.update_staff(dora, StaffChanges(phone="+49 30 555"))
    catalog.update_staff(stale, StaffChanges(name="Dora M."))
    dora.refresh_from_db()
    assert (dora.name, dora.phone) == ("Dora M.", "+49 30 555")


# --- working hours ------------------------------------------------------------------------------------------


def test_it_replaces_the_working_hours(dora):
    rows = catalog.set_working_hours(dora, [MONDAY_AFTERNOON, MONDAY_MORNING])
    assert [str(row) for row in rows] == hours_of(dora) == ["Monday 09:00-12:00", "Monday 13:00-17:30"]


def test_touching_intervals_do_not_overlap(dora):
    catalog.set_working_hours(dora, [MONDAY_MORNING, WorkingInterval(0, time(12), time(13))])
    assert hours_of(dora) == ["Monday 09:00-12:00", "Monday 12:00-13:00"]


def test_the_same_hours_on_different_days_do_not_overlap(dora):
    catalog.set_working_hours(dora, [MONDAY_MORNING, WorkingInterval(1, time(9), time(12))])
    assert len(hours_of(dora)) == 2


@pytest.mark.parametrize(
    ("intervals", "code"),
    [
        ([MONDAY_MORNING, WorkingInterval(0, time(8), time(9, 30))], "overlapping_hours"),
        ([MONDAY_MORNING, MONDAY_MORNING], "overlapping_hours"),
        ([WorkingInterval(0, time(8), time(18)), MONDAY_AFTERNOON], "overlapping_hours"),
        ([WorkingInterval(1, time(10), time(9))], "end_before_start"),
        ([WorkingInterval(1, time(10), time(10))], "end_before_start"),
        ([WorkingInterval(7, time(9), time(10))], "unknown_weekday"),
        ([WorkingInterval(-1, time(9), time(10))], "unknown_weekday"),
    ],
)
def test_invalid_hours_are_refused_and_the_old_ones_stay(dora, intervals, code):
    assert_refused(code, "working_hours", lambda: catalog.set_working_hours(dora, intervals))
    assert len(hours_of(dora)) == 5


# --- time off -----------------------------------------------------------------------------------------------

TUESDAY = utc(2026, 6, 2, 7)


def test_it_adds_and_removes_time_off(dora):
    away = catalog.add_time_off(dora, start=TUESDAY, end=TUESDAY + timedelta(hours=4), reason="Dentist")
    assert list(dora.time_off.values_list("reason", flat=True)) == ["Dentist"]
    catalog.remove_time_off(dora, away.pk)
    assert not dora.time_off.exists()


@pytest.mark.parametrize(
    ("start", "end", "code", "field"),
    [
        (TUESDAY, TUESDAY, "end_before_start", "end"),
        (TUESDAY, TUESDAY - timedelta(hours=1), "end_before_start", "end"),
        (datetime(2026, 6, 2, 9), TUESDAY + timedelta(hours=4), "naive_time", "start"),
    ],
)
def test_invalid_time_off_is_refused(dora, start, end, code, field):
    assert_refused(code, field, lambda: catalog.add_time_off(dora, start=start, end=end))


def test_another_staff_members_time_off_cannot_be_removed_through_yours(dora, frank):
    franks = catalog.add_time_off(frank, start=TUESDAY, end=TUESDAY + timedelta(hours=1))
    assert_refused("unknown_time_off", "time_off_id", lambda: catalog.remove_time_off(dora, franks.pk))


# --- services -----------------------------------------------------------------------------------------------


def test_it_creates_a_service_with_its_staff_and_chosen_options(alice, dora):
    service = catalog.create_service(
        alice,
        ServiceDetails(
            name="Coaching",
            duration_minutes=45,
            zoom_enabled=True,
            meeting_options={"waiting_room": True, "mute_upon_entry": None},
        ),
        staff_ids=[dora.pk],
    )
    service.refresh_from_db()
    assert (service.name, service.duration_minutes, service.capacity) == ("Coaching", 45, 1)
    # An option left to the host is absent, never stored as null: it is then never sent to Zoom.
    assert service.meeting_options == {"waiting_room": True}
    assert list(service.staff.all()) == [dora]


def test_a_service_defaults_to_the_models_defaults(alice):
    written = catalog.create_service(alice, ServiceDetails(name="Talk", duration_minutes=30))
    blank = Service(tenant=alice, name="Talk", duration_minutes=30)
    ignored = {"_state", "id"}
    assert {k: v for k, v in vars(written).items() if k not in ignored} == {
        k: v for k, v in vars(blank).items() if k not in ignored
    }


def test_a_service_cannot_be_given_another_tenants_staff(alice, dora, frank):
    error = assert_refused(
        "unknown_staff",
        "staff_ids",
        lambda: catalog.create_service(
            alice, ServiceDetails(name="Coaching", duration_minutes=45), staff_ids=[dora.pk, frank.pk]
        ),
    )
    assert str(frank.pk) in error.message
    assert str(dora.pk) not in error.message


def test_another_tenants_staff_cannot_be_set_on_a_service(consultation, frank):
    assert_refused("unknown_staff", "staff_ids", lambda: catalog.set_service_staff(consultation, [frank.pk]))
    assert_refused(
        "unknown_staff",
        "staff_ids",
        lambda: catalog.update_service(consultation, ServiceChanges(name="Talk", staff_ids=[frank.pk])),
    )


def test_it_replaces_the_staff_of_a_service(alice, consultation):
    erik = make_staff(alice, "Erik")
    catalog.set_service_staff(consultation, [erik.pk])
    assert list(consultation.staff.all()) == [erik]
    catalog.set_service_staff(consultation, [])
    assert not consultation.staff.exists()


def test_an_invalid_service_is_refused_with_the_field_named(alice):
    error = assert_refused(
        "invalid",
        "capacity",
        lambda: catalog.create_service(alice, ServiceDetails(name="Talk", duration_minutes=30, capacity=0)),
    )
    assert error.fields == {"capacity": "Ensure this value is greater than or equal to 1."}


def test_a_service_update_changes_only_what_is_named(consultation, dora):
    catalog.update_service(consultation, ServiceChanges(zoom_enabled=False, buffer_after_minutes=10))
    consultation.refresh_from_db()
    assert (consultation.zoom_enabled, consultation.buffer_after_minutes) == (False, 10)
    assert (consultation.name, consultation.duration_minutes) == ("Consultation", 30)
    assert list(consultation.staff.all()) == [dora]


def test_the_slot_interval_can_be_cleared(consultation):
    catalog.update_service(consultation, ServiceChanges(slot_interval_minutes=15))
    catalog.update_service(consultation, ServiceChanges(slot_interval_minutes=None))
    consultation.refresh_from_db()
    assert consultation.slot_interval_minutes is None


def test_meeting_options_merge_with_those_stored(consultation):
    consultation.meeting_options = {"waiting_room": True, "auto_recording": "local"}
    consultation.save()
    updated = catalog.update_service(
        consultation, ServiceChanges(meeting_options={"join_before_host": False, "waiting_room": None})
    )
    consultation.refresh_from_db()
    expected = {"auto_recording": "local", "join_before_host": False}
    assert consultation.meeting_options == updated.meeting_options == expected


def test_a_change_without_meeting_options_keeps_them(consultation):
    consultation.meeting_options = {"mute_upon_entry": True}
    consultation.save()
    catalog.update_service(consultation, ServiceChanges(name="Talk"))
    consultation.refresh_from_db()
    assert consultation.meeting_options == {"mute_upon_entry": True}


def test_two_stale_copies_each_keep_their_meeting_option(consultation):
    first, second = Service.objects.get(pk=consultation.pk), Service.objects.get(pk=consultation.pk)
    catalog.update_service(first, ServiceChanges(meeting_options={"waiting_room": True}))
    catalog.update_service(second, ServiceChanges(meeting_options={"auto_recording": "cloud"}))
    consultation.refresh_from_db()
    assert consultation.meeting_options == {"waiting_room": True, "auto_recording": "cloud"}


@pytest.mark.parametrize(
    "options", [{"breakout_rooms": True}, {"waiting_room": "yes"}, {"auto_recording": "tape"}]
)
def test_invalid_meeting_options_are_refused(consultation, options):
    consultation.meeting_options = {"mute_upon_entry": True}
    consultation.save()
    assert_refused(
        "invalid",
        "meeting_options",
        lambda: catalog.update_service(consultation, ServiceChanges(name="Talk", meeting_options=options)),
    )


# --- races (PostgreSQL) -------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_option_changes_are_all_kept(consultation):
    chosen: list[tuple[str, bool | str]] = [
        ("waiting_room", True),
        ("join_before_host", False),
        ("mute_upon_entry", True),
    ]
    chosen += [("auto_recording", "cloud")]
    results = all_at_once(
        lambda i: catalog.update_service(consultation, ServiceChanges(meeting_options=dict([chosen[i]]))),
        clients=len(chosen),
    )
    assert all(isinstance(result, Service) for result in results), results
    consultation.refresh_from_db()
    assert consultation.meeting_options == dict(chosen)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_replacements_of_the_hours_leave_one_of_them(dora):
    results = all_at_once(
        lambda i: catalog.set_working_hours(
            dora, [WorkingInterval(i % 7, time(i % 12 + 1), time(i % 12 + 9))]
        ),
        clients=20,
    )
    assert all(isinstance(result, list) for result in results), results
    assert dora.working_hours.count() == 1
