"""Busy times synced from Microsoft 365 (calendarView delta over HTTP against the emulator) block slots and
bookings; what does not block; delta rounds, and a 410 that forces a full sync."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rendez.calendars import choices
from rendez.calendars.models import BusyBlock, CalendarSync
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.microsoft.world import berlin, delta_calls, outlook_event, sync_now


def slots(api, service, day):
    query = {"service_id": service.pk, "date_from": day.isoformat(), "date_to": day.isoformat()}
    response = api.get("/slots", query)
    assert response.status_code == 200, response.content
    return [slot["start"] for slot in response.json()]


def book(api, service, staff, start):
    return api.post(
        "/bookings",
        {
            "service_id": service.pk,
            "staff_id": staff.pk,
            "start": start.isoformat(),
            "customer": {"name": "Charlie", "email": "charlie@example.com"},
        },
    )


def test_a_busy_event_removes_the_slot_and_a_booking_into_it_is_refused(
    microsoft, connected, api, alice, maria, monday
):
    service = make_service(alice, maria, name="Session", duration_minutes=60, slot_interval_minutes=60)
    assert berlin(monday, 10).isoformat() in slots(api, service, monday)

    outlook_event(microsoft, berlin(monday, 10, 15), berlin(monday, 10, 45), showAs="busy")
    sync_now(connected)

    microsoft.control.clear_requests()
    assert berlin(monday, 10).isoformat() not in slots(api, service, monday)
    refused = book(api, service, maria, berlin(monday, 10))
    assert refused.status_code == 409, refused.content
    assert refused.json()["error"]["code"] == "conflict"
    assert book(api, service, maria, berlin(monday, 11)).status_code == 201
    assert microsoft.control.requests(path="/graph/*") == []  # slots and booking read the database only


def test_the_first_round_is_full_then_the_delta_link_and_a_resync_forces_a_full_round(
    microsoft, connected, monday
):
    [first] = delta_calls(microsoft)
    assert {"startDateTime", "endDateTime"} <= set(first["query"]) and "$deltatoken" not in first["query"]
    assert first["path"] == f"/graph/v1.0/me/calendars/{connected.write_calendar_id}/calendarView/delta"
    one = outlook_event(microsoft, berlin(monday, 9), berlin(monday, 10), "One")
    sync_now(connected)
    incremental = delta_calls(microsoft)[-1]
    assert set(incremental["query"]) == {"$deltatoken"} and incremental["status"] == 200
    assert [b.external_event_id for b in BusyBlock.objects.filter(connection=connected)] == [one["id"]]

    microsoft.control.require_delta_resync()
    outlook_event(microsoft, berlin(monday, 12), berlin(monday, 13), "Two")
    microsoft.control.outlook_delete(one["id"])
    sync_now(connected)

    refused, full = delta_calls(microsoft)[-2:]
    assert refused["status"] == 410 and "$deltatoken" in refused["query"]
    assert full["status"] == 200 and "startDateTime" in full["query"]
    assert CalendarSync.objects.get(connection=connected).full_syncs == 2
    assert [b.start for b in BusyBlock.objects.filter(connection=connected)] == [berlin(monday, 12)]

    microsoft.control.forget_delta_tokens()  # 410 syncStateNotFound: the same way back
    sync_now(connected)
    assert delta_calls(microsoft)[-2]["status"] == 410
    assert CalendarSync.objects.get(connection=connected).full_syncs == 3


def test_an_event_deleted_in_outlook_stops_blocking(microsoft, connected, monday):
    event = outlook_event(microsoft, berlin(monday, 9), berlin(monday, 10))
    sync_now(connected)
    assert BusyBlock.objects.filter(connection=connected).count() == 1
    microsoft.control.outlook_delete(event["id"])
    sync_now(connected)
    assert BusyBlock.objects.filter(connection=connected).count() == 0


@pytest.mark.parametrize("free_blocks", [False, True])
def test_free_declined_and_own_events_never_block_all_day_ones_do(microsoft, connected, monday, free_blocks):
    connected = choices.choose(connected, choices.Choices(transparent_events_block=free_blocks))
    outlook_event(microsoft, berlin(monday, 9), berlin(monday, 10), "Lunch", showAs="free")
    outlook_event(
        microsoft,
        berlin(monday, 11),
        berlin(monday, 12),
        "Vendor call",
        showAs="busy",
        responseStatus={"response": "declined", "time": "2026-01-01T00:00:00Z"},
    )
    outlook_event(microsoft, berlin(monday, 13), berlin(monday, 14), "Supervision", showAs="tentative")
    outlook_event(microsoft, berlin(monday, 15), berlin(monday, 16), "Remote", showAs="workingElsewhere")
    outlook_event(
        microsoft,
        berlin(monday, 16),
        berlin(monday, 17),
        "Ours",
        transactionId="rendez-999-abc",
    )
    day_after = monday + timedelta(days=1)
    training_end = berlin(day_after + timedelta(days=1), 0)
    outlook_event(microsoft, berlin(day_after, 0), training_end, "Training", isAllDay=True)
    sync_now(connected)
    blocks = sorted((b.start, b.all_day) for b in BusyBlock.objects.filter(connection=connected))
    expected = [(berlin(monday, 13), False), (berlin(monday, 15), False), (berlin(day_after, 0), True)]
    if free_blocks:
        expected.insert(0, (berlin(monday, 9), False))
    assert blocks == expected
