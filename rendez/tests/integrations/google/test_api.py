"""Staff calendars over the API: listed, calendars chosen (a full sync follows), disconnected (revoked at
Google, busy times forgotten), changes people made in Google shown; another tenant sees none of it."""

from __future__ import annotations

from datetime import datetime

from rendez.api.tests.fixtures import ApiClient
from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.scheduling import services
from rendez.scheduling.tests.factories import customer, make_api_key, make_service
from rendez.tests.integrations.google.world import BERLIN, MARIA, berlin, settle, sync_now, user_event


def test_list_choose_and_disconnect(google, connected, api, maria, bob, monday):
    listed = api.get(f"/staff/{maria.pk}/calendars")
    assert listed.status_code == 200
    [calendar] = listed.json()
    assert calendar["provider"] == "google" and calendar["status"] == "connected"
    assert calendar["account_email"] == MARIA
    assert calendar["busy_calendar_ids"] == [MARIA] and calendar["write_calendar_id"] == MARIA
    assert calendar["last_synced_at"] is not None

    user_event(google, berlin(monday, 9), berlin(monday, 10), "Lunch (free)", transparency="transparent")
    sync_now(connected)
    assert not BusyBlock.objects.filter(connection=connected).exists()
    chosen = api.put(f"/staff/{maria.pk}/calendars/google", {"transparent_events_block": True})
    assert chosen.status_code == 200 and chosen.json()["transparent_events_block"] is True
    settle()
    assert BusyBlock.objects.filter(connection=connected).count() == 1

    outsider = ApiClient(make_api_key(bob))
    assert outsider.get(f"/staff/{maria.pk}/calendars").status_code == 404
    assert outsider.delete(f"/staff/{maria.pk}/calendars/google").status_code == 404
    bad = api.put(f"/staff/{maria.pk}/calendars/google", {"busy_calendar_ids": [""]})
    assert bad.status_code == 422

    assert api.delete(f"/staff/{maria.pk}/calendars/google").status_code == 204
    assert google.control.requests("POST", "/oauth2/revoke") == []  # revoked by a job, after the commit
    settle()
    connected.refresh_from_db()
    assert connected.status == CalendarConnection.Status.DISCONNECTED
    assert (
        not connected.refresh_token_encrypted and not BusyBlock.objects.filter(connection=connected).exists()
    )
    [revoke] = google.control.requests("POST", "/oauth2/revoke")
    assert revoke["status"] == 200
    assert google.control.state()["grants"] == []
    changes = api.get(f"/staff/{maria.pk}/calendar-changes")
    assert changes.status_code == 200 and changes.json() == [], changes.content


def _blocked(connection) -> list[tuple[int, int]]:
    """The Berlin hours each of the connection's busy blocks spans."""
    spans = BusyBlock.objects.filter(connection=connection).values_list("start", "end")
    return sorted((start.astimezone(BERLIN).hour, end.astimezone(BERLIN).hour) for start, end in spans)


def _slot_hours(api, service, maria, day) -> set[int]:
    query = f"service_id={service.pk}&staff_id={maria.pk}&date_from={day}&date_to={day}&tz=Europe/Berlin"
    answer = api.get(f"/slots?{query}")
    assert answer.status_code == 200, answer.content
    return {datetime.fromisoformat(slot["start"]).hour for slot in answer.json()}


def test_free_events_block_only_while_the_staff_member_says_so_and_our_own_events_never(
    google, connected, api, alice, maria, monday
):
    checkup = make_service(alice, maria, name="Check-up", duration_minutes=60, location_type="in_person")
    user_event(google, berlin(monday, 9), berlin(monday, 10), "Lunch (free)", transparency="transparent")
    user_event(google, berlin(monday, 14), berlin(monday, 15), "Dentist")
    services.book(service=checkup, staff=maria, start=berlin(monday, 11), customer=customer())
    settle()  # the appointment is written to Maria's calendar, as Rendez's own event
    assert [e["summary"] for e in google.control.state()["events"] if "Check-up" in e["summary"]]
    sync_now(connected)
    assert _blocked(connected) == [(14, 15)]
    assert {9, 10} <= _slot_hours(api, checkup, maria, monday)

    on = api.put(f"/staff/{maria.pk}/calendars/google", {"transparent_events_block": True})

    assert on.status_code == 200 and on.json()["transparent_events_block"] is True
    assert on.json()["busy_calendar_ids"] == [MARIA]  # the fields left out stay
    settle()  # the full sync the change asked for
    assert _blocked(connected) == [(9, 10), (14, 15)]  # our own 11:00 event still never counts
    assert 9 not in _slot_hours(api, checkup, maria, monday)
    listed = api.get(f"/staff/{maria.pk}/calendars").json()
    assert listed[0]["transparent_events_block"] is True

    off = api.put(f"/staff/{maria.pk}/calendars/google", {"transparent_events_block": False})

    assert off.status_code == 200 and off.json()["transparent_events_block"] is False
    settle()
    assert _blocked(connected) == [(14, 15)]
    assert 9 in _slot_hours(api, checkup, maria, monday)
    for wrong in ({"transparent_events_block": "yes"}, {"transparent_events_block": None}):
        assert api.put(f"/staff/{maria.pk}/calendars/google", wrong).status_code in (400, 422)
    connected.refresh_from_db()
    assert connected.transparent_events_block is False


def test_the_setting_is_documented_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["components"]["schemas"]["CalendarIn"]["properties"]["transparent_events_block"]
    assert "free" in body["description"]
