"""The meeting decision table of DESIGN.md section 5: no database, snapshots built by hand.

The persona: Maria gives video consultations, hosted by her own Zoom user; Bruno is the colleague who takes
over some of them. Every snapshot starts from "everything on, one confirmed booking, tomorrow at 10:00 UTC".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from rendez.conferencing.desired import (
    AppointmentSnapshot,
    Create,
    Delete,
    MeetingState,
    Nothing,
    Replace,
    Update,
    decide,
    spec_for,
)
from rendez.conferencing.port import HostRef, MeetingChanges

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
START = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
MARIA = HostRef(provider="zoom", connection_id=11, user_key="maria-zoom", account_id="acct-1", usable=True)
BRUNO = HostRef(provider="zoom", connection_id=12, user_key="bruno-zoom", account_id="acct-1", usable=True)


def snapshot(*statuses: str, **changes) -> AppointmentSnapshot:
    base = AppointmentSnapshot(
        appointment_id=7,
        start=START,
        end=START + timedelta(minutes=30),
        timezone="Europe/Berlin",
        staff_id=3,
        service_id=5,
        service_name="Video consultation",
        service_uses_provider=True,
        plan_has_zoom=True,
        integration_enabled=True,
        meetings_for_pending=False,
        seat_statuses=statuses or ("confirmed",),
        host=MARIA,
        now=NOW,
        topic="Video consultation with Maria",
        agenda="Your consultation.",
    )
    return replace(base, **changes)


def meeting(**changes) -> MeetingState:
    """The record of a meeting made for `snapshot()` as it is: ready, on Maria's Zoom user."""
    base = MeetingState(
        state="ready",
        provider="zoom",
        external_id="85746065432",
        host_connection_id=MARIA.connection_id,
        host_user_key=MARIA.user_key,
        start=START,
        duration_minutes=30,
        timezone="Europe/Berlin",
        service_id=5,
        topic="Video consultation with Maria",
    )
    return replace(base, **changes)


def unfinished_attempt(**changes) -> MeetingState:
    """A create recorded and sent, whose answer never came back (the worker died)."""
    return meeting(state="pending", external_id="", attempt_started_at=NOW - timedelta(minutes=5), **changes)


def code_of(action) -> str:
    assert isinstance(action, Nothing), action
    return action.code


# Row: meeting owed, none exists, host usable -> create


def test_it_creates_a_meeting_for_a_confirmed_booking() -> None:
    assert decide(snapshot(), None) == Create(MARIA)


def test_it_shares_one_meeting_across_a_group_slot() -> None:
    five_seats = snapshot("confirmed", "confirmed", "confirmed", "confirmed", "confirmed")
    assert code_of(decide(five_seats, meeting())) == "in_step"


def test_it_creates_again_when_the_meeting_was_deleted_on_zoom() -> None:
    assert decide(snapshot(), meeting(state="deleted")) == Create(MARIA)


def test_it_creates_again_after_a_failed_create() -> None:
    failed = meeting(state="failed", external_id="", host_user_key="", host_connection_id=None)
    assert decide(snapshot(), failed) == Create(MARIA)


def test_it_creates_again_after_an_unfinished_attempt_so_the_create_can_adopt_it() -> None:
    assert decide(snapshot(), unfinished_attempt()) == Create(MARIA)


# Pending bookings: owed only when the tenant chose so


def test_a_pending_booking_gets_no_meeting_by_default() -> None:
    action = decide(snapshot("pending"), None)
    assert code_of(action) == "awaiting_approval"


def test_a_pending_booking_gets_a_meeting_when_the_tenant_chose_so() -> None:
    assert decide(snapshot("pending", meetings_for_pending=True), None) == Create(MARIA)


def test_a_rejected_pending_booking_loses_its_meeting() -> None:
    made_while_pending = meeting()
    rejected = snapshot("rejected", meetings_for_pending=True)
    assert decide(rejected, made_while_pending) == Delete(made_while_pending)


# Rows: meeting exists, start/duration/timezone changed -> update only what changed


def test_a_move_patches_only_the_start_with_its_zone() -> None:
    moved = snapshot(start=START + timedelta(hours=2), end=START + timedelta(hours=2, minutes=30))
    action = decide(moved, meeting())
    changes = MeetingChanges(start=START + timedelta(hours=2), timezone="Europe/Berlin")
    assert action == Update(MARIA, "85746065432", changes)
    assert action.changes.changed == {"start", "timezone"}


def test_a_longer_appointment_patches_only_the_duration() -> None:
    longer = snapshot(end=START + timedelta(minutes=45))
    action = decide(longer, meeting())
    assert isinstance(action, Update)
    assert action.changes == MeetingChanges(duration_minutes=45)
    assert action.changes.changed == {"duration_minutes"}


def test_a_new_staff_zone_patches_only_the_timezone() -> None:
    action = decide(snapshot(timezone="America/New_York"), meeting())
    assert isinstance(action, Update)
    assert action.changes == MeetingChanges(timezone="America/New_York")


def test_a_move_and_a_new_length_patch_both_and_nothing_else() -> None:
    moved = snapshot(start=START + timedelta(days=1), end=START + timedelta(days=1, minutes=60))
    action = decide(moved, meeting())
    assert isinstance(action, Update)
    assert action.changes.changed == {"start", "timezone", "duration_minutes"}


# Row: meeting exists, service changed -> topic and agenda too


def test_a_new_service_updates_topic_and_agenda() -> None:
    other_service = snapshot(service_id=6, topic="Tax advice with Maria", agenda="Bring your papers.")
    action = decide(other_service, meeting())
    assert isinstance(action, Update)
    assert action.changes == MeetingChanges(topic="Tax advice with Maria", agenda="Bring your papers.")


def test_edited_templates_leave_an_existing_meeting_alone() -> None:
    retitled = snapshot(topic="Consultation (new template)", agenda="New description")
    assert code_of(decide(retitled, meeting())) == "in_step"


# Row: meeting exists, staff (host) changed -> delete on the old host, create on the new one


def test_a_new_host_replaces_the_meeting() -> None:
    existing = meeting()
    assert decide(snapshot(staff_id=4, host=BRUNO), existing) == Replace(existing, BRUNO)


def test_a_new_host_replaces_what_an_unfinished_attempt_on_the_old_host_may_have_made() -> None:
    attempt = unfinished_attempt()
    assert decide(snapshot(staff_id=4, host=BRUNO), attempt) == Replace(attempt, BRUNO)


def test_a_reconnected_host_is_the_same_host() -> None:
    reconnected = replace(MARIA, connection_id=99)
    assert code_of(decide(snapshot(host=reconnected), meeting())) == "in_step"
    moved = snapshot(host=reconnected, start=START + timedelta(hours=1), end=START + timedelta(hours=1.5))
    action = decide(moved, meeting())
    assert isinstance(action, Update)
    assert action.host == reconnected


# Row: meeting exists, no seat owed any more -> delete


def test_cancelling_the_only_booking_deletes_the_meeting() -> None:
    existing = meeting()
    assert decide(snapshot("cancelled"), existing) == Delete(existing)


def test_an_appointment_without_bookings_loses_its_meeting() -> None:
    existing = meeting()
    assert decide(snapshot(seat_statuses=()), existing) == Delete(existing)


def test_a_group_of_five_keeps_its_meeting_until_the_fifth_cancels() -> None:
    existing = meeting()
    statuses = ["confirmed"] * 5
    actions = []
    for seat in range(5):
        statuses[seat] = "cancelled"
        actions.append(decide(snapshot(*statuses), existing))
    assert [code_of(action) for action in actions[:4]] == ["in_step"] * 4
    assert actions[4] == Delete(existing)


def test_a_cancelled_booking_deletes_what_an_unfinished_attempt_may_have_made() -> None:
    attempt = unfinished_attempt()
    assert decide(snapshot("cancelled"), attempt) == Delete(attempt)


def test_a_cancelled_booking_with_no_meeting_needs_nothing() -> None:
    assert code_of(decide(snapshot("cancelled"), None)) == "not_owed"
    assert code_of(decide(snapshot("cancelled"), meeting(state="deleted"))) == "not_owed"


@pytest.mark.parametrize("took_place", ["completed", "no_show"])
def test_a_meeting_that_took_place_is_never_deleted(took_place: str) -> None:
    last_seat_done = snapshot("cancelled", "cancelled", took_place)
    assert code_of(decide(last_seat_done, meeting())) == "took_place"


# Row: integration disabled, service toggle off, staff disconnected -> nothing new, an existing meeting that
# is still owed left alone; one nobody is owed any more deleted all the same (issue 14: a cancelled booking's
# meeting must not stay on Zoom because the host was disconnected)

SWITCHED_OFF = [
    pytest.param({"plan_has_zoom": False}, "plan_without_zoom", id="plan-without-zoom"),
    pytest.param({"integration_enabled": False}, "integration_disabled", id="integration-off"),
    pytest.param({"service_uses_provider": False}, "service_without_zoom", id="service-toggle-off"),
    pytest.param({"host": None}, "no_host", id="no-host"),
    pytest.param({"host": replace(MARIA, usable=False)}, "host_unusable", id="host-needs-reconnect"),
]


@pytest.mark.parametrize(("off", "code"), SWITCHED_OFF)
def test_nothing_new_is_made_when_something_is_switched_off(off: dict, code: str) -> None:
    assert code_of(decide(snapshot(**off), None)) == code


@pytest.mark.parametrize(("off", "code"), SWITCHED_OFF)
def test_an_existing_meeting_is_left_alone_when_something_is_switched_off(off: dict, code: str) -> None:
    moved = snapshot(start=START + timedelta(hours=1), **off)
    assert code_of(decide(moved, meeting())) == code


@pytest.mark.parametrize(("off", "code"), SWITCHED_OFF)
def test_a_meeting_nobody_is_owed_is_deleted_even_when_switched_off(off: dict, code: str) -> None:
    old = meeting()
    assert decide(snapshot("cancelled", **off), old) == Delete(old)


def test_a_meeting_made_for_the_previous_staff_member_goes_when_the_new_one_cannot_host() -> None:
    """Moved from Maria to a colleague without Zoom: Maria's meeting must not stay in the customer's hands."""
    old = meeting(staff_id=4)  # the snapshot's staff member is 3
    action = decide(snapshot(host=None), old)
    assert isinstance(action, Delete) and action.old == old
    assert action.then is not None and action.then.code == "no_host"


def test_nothing_says_why_in_words() -> None:
    action = decide(snapshot(host=None), None)
    assert isinstance(action, Nothing)
    assert "Zoom" in action.message


# The appointment's end: no create, no delete, no update after it


def test_an_ended_appointment_gets_no_meeting() -> None:
    ended = snapshot(now=START + timedelta(minutes=30))
    assert code_of(decide(ended, None)) == "appointment_over"


def test_an_ended_appointment_keeps_its_meeting_even_when_cancelled() -> None:
    ended = snapshot("cancelled", now=START + timedelta(hours=1))
    assert code_of(decide(ended, meeting())) == "appointment_over"


def test_an_appointment_under_way_still_gets_its_meeting() -> None:
    under_way = snapshot(now=START + timedelta(minutes=29))
    assert decide(under_way, None) == Create(MARIA)


def test_an_unmanaged_meeting_is_never_touched() -> None:
    unmanaged = meeting(state="unmanaged")
    assert code_of(decide(snapshot("cancelled"), unmanaged)) == "unmanaged"
    assert code_of(decide(snapshot(start=START + timedelta(hours=1)), unmanaged)) == "unmanaged"


# The spec of a new meeting


def test_a_new_meeting_is_specified_from_the_snapshot() -> None:
    spec = spec_for(
        snapshot(end=START + timedelta(minutes=50)), random_password=True, settings={"waiting_room": True}
    )
    assert (spec.topic, spec.start, spec.duration_minutes, spec.timezone) == (
        "Video consultation with Maria",
        START,
        50,
        "Europe/Berlin",
    )
    assert spec.random_password is True
    assert spec.chosen_settings == {"waiting_room": True}


def test_a_duration_in_odd_seconds_is_rounded_up() -> None:
    assert snapshot(end=START + timedelta(minutes=30, seconds=1)).duration_minutes == 31


def test_the_spelled_out_statuses_match_the_models() -> None:
    from rendez.conferencing import desired
    from rendez.conferencing.models import Meeting
    from rendez.scheduling.models import Booking

    assert {desired.CONFIRMED, desired.PENDING} == set(Booking.SEAT_HOLDING)
    assert {Booking.Status.COMPLETED, Booking.Status.NO_SHOW} == desired.TOOK_PLACE
    states = {desired.STATE_PENDING, desired.STATE_RETRYING, desired.STATE_READY, desired.STATE_FAILED}
    states |= {desired.STATE_DELETED, desired.STATE_LEFT_ON_ZOOM, desired.STATE_UNMANAGED}
    assert states == set(Meeting.State.values)
