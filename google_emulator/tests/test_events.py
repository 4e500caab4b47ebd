"""calendarList, events CRUD, private extended properties, transparency, all-day, declined, recurrence."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx2

from .conftest import HOLIDAYS, JONAS, MARIA, event_body

EVENTS_URL = f"/calendar/v3/calendars/{MARIA}/events"


def insert(http: httpx2.Client, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = http.post(EVENTS_URL, json=event_body(**overrides), headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_calendar_list_shows_the_primary_calendar_as_owner_and_subscriptions(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    response = http.get("/calendar/v3/users/me/calendarList", headers=maria)
    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()["items"]}
    assert items[MARIA]["primary"] is True and items[MARIA]["accessRole"] == "owner"
    assert items[MARIA]["summary"] == MARIA and items[MARIA]["timeZone"] == "Europe/Berlin"
    assert items[HOLIDAYS]["accessRole"] == "reader" and "primary" not in items[HOLIDAYS]
    writable = http.get(
        "/calendar/v3/users/me/calendarList", params={"minAccessRole": "writer"}, headers=maria
    )
    assert [item["id"] for item in writable.json()["items"]] == [MARIA]


def test_insert_get_patch_delete(http: httpx2.Client, maria: dict[str, str]) -> None:
    created = insert(http, maria)
    assert created["kind"] == "calendar#event" and created["status"] == "confirmed"
    assert created["organizer"] == {"email": MARIA, "displayName": MARIA, "self": True}
    assert created["extendedProperties"]["private"] == {"rendezBookingId": "b-8812"}
    assert created["iCalUID"] == f"{created['id']}@google.com"
    url = f"{EVENTS_URL}/{created['id']}"
    fetched = http.get(url, headers=maria).json()
    assert fetched["summary"] == "Consultation with Jane Doe" and fetched["etag"] == created["etag"]
    patched = http.patch(
        url, json={"summary": "Moved", "extendedProperties": {"private": {"v": "2"}}}, headers=maria
    )
    assert patched.status_code == 200
    body = patched.json()
    assert body["summary"] == "Moved" and body["etag"] != created["etag"]
    assert body["extendedProperties"]["private"] == {"rendezBookingId": "b-8812", "v": "2"}
    assert http.delete(url, headers=maria).status_code == 204
    assert http.get(url, headers=maria).json()["status"] == "cancelled"


def test_deleting_twice_is_410_and_an_unknown_event_is_404(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    url = f"{EVENTS_URL}/{insert(http, maria)['id']}"
    http.delete(url, headers=maria)
    again = http.delete(url, headers=maria)
    assert again.status_code == 410
    assert again.json()["error"]["errors"][0]["reason"] == "deleted"
    missing = http.delete(f"{EVENTS_URL}/abcdef0123", headers=maria)
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": 404,
        "message": "Not Found",
        "errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}],
    }


def test_a_client_chosen_id_makes_insert_idempotent_with_409_on_repeat(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    insert(http, maria, id="bkg8812a0")
    again = http.post(EVENTS_URL, json=event_body(id="bkg8812a0"), headers=maria)
    assert again.status_code == 409 and again.json()["error"]["errors"][0]["reason"] == "duplicate"
    bad = http.post(EVENTS_URL, json=event_body(id="Not-Base32!"), headers=maria)
    assert bad.status_code == 400


def test_private_extended_property_filter_finds_our_own_events(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    mine = insert(http, maria)
    insert(http, maria, extendedProperties={"private": {"rendezBookingId": "b-9999"}})
    found = http.get(EVENTS_URL, params={"privateExtendedProperty": "rendezBookingId=b-8812"}, headers=maria)
    assert [item["id"] for item in found.json()["items"]] == [mine["id"]]
    malformed = http.get(EVENTS_URL, params={"privateExtendedProperty": "novalue"}, headers=maria)
    assert malformed.status_code == 400


def test_bad_event_bodies_are_400(http: httpx2.Client, maria: dict[str, str]) -> None:
    no_end = event_body()
    del no_end["end"]
    response = http.post(EVENTS_URL, json=no_end, headers=maria)
    assert response.status_code == 400 and response.json()["error"]["message"] == "Missing end time."
    backwards = event_body(end={"dateTime": "2030-03-20T09:00:00+01:00"})
    assert http.post(EVENTS_URL, json=backwards, headers=maria).json()["error"]["errors"][0]["reason"] == (
        "timeRangeEmpty"
    )
    naive = event_body(start={"dateTime": "2030-03-20T10:00:00"}, end={"dateTime": "2030-03-20T11:00:00"})
    assert http.post(EVENTS_URL, json=naive, headers=maria).json()["error"]["message"] == (
        "Missing time zone definition for start time."
    )
    assert http.post(EVENTS_URL, content=b"{nope", headers=maria).status_code == 400


def test_writing_to_a_read_only_calendar_is_403_and_another_users_calendar_is_404(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    read_only = http.post(
        f"/calendar/v3/calendars/{quote(HOLIDAYS)}/events", json=event_body(), headers=maria
    )
    assert read_only.status_code == 403
    assert read_only.json()["error"]["errors"][0]["reason"] == "requiredAccessLevel"
    assert http.get(f"/calendar/v3/calendars/{JONAS}/events", headers=maria).status_code == 404


def test_primary_is_an_alias_of_the_users_calendar(http: httpx2.Client, maria: dict[str, str]) -> None:
    created = http.post("/calendar/v3/calendars/primary/events", json=event_body(), headers=maria).json()
    assert http.get(f"{EVENTS_URL}/{created['id']}", headers=maria).status_code == 200


def test_seeded_calendar_has_transparent_all_day_declined_and_recurring_events(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    items = http.get(
        EVENTS_URL, params={"singleEvents": "true", "orderBy": "startTime"}, headers=maria
    ).json()["items"]
    by_summary: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_summary.setdefault(item["summary"], []).append(item)
    assert by_summary["Lunch (free)"][0]["transparency"] == "transparent"
    assert "date" in by_summary["Training day"][0]["start"]
    declined = [a for a in by_summary["Vendor pitch"][0]["attendees"] if a.get("self")]
    assert declined[0]["responseStatus"] == "declined"
    team = by_summary["Team meeting"]
    assert len(team) == 4 and all(item["recurringEventId"] == team[0]["recurringEventId"] for item in team)
    assert team[0]["id"].startswith(team[0]["recurringEventId"] + "_")
    starts = [item["start"]["dateTime"] for item in team]
    assert starts == sorted(starts) and all("T09:00:00" in start for start in starts)


def test_a_weekly_rule_keeps_local_time_across_daylight_saving(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    weekly = insert(
        http,
        maria,
        start={"dateTime": "2030-03-20T09:00:00+01:00", "timeZone": "Europe/Berlin"},
        end={"dateTime": "2030-03-20T09:30:00+01:00", "timeZone": "Europe/Berlin"},
        recurrence=["RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=3"],
    )
    params = {
        "singleEvents": "true",
        "orderBy": "startTime",
        "privateExtendedProperty": "rendezBookingId=b-8812",
    }
    items = http.get(EVENTS_URL, params=params, headers=maria).json()["items"]
    assert [item["start"]["dateTime"] for item in items] == [
        "2030-03-20T09:00:00+01:00",
        "2030-03-27T09:00:00+01:00",
        "2030-04-03T09:00:00+02:00",  # Berlin moves to summer time on 31 March 2030
    ]
    instance = http.get(f"{EVENTS_URL}/{items[1]['id']}", headers=maria)
    assert instance.status_code == 200 and instance.json()["recurringEventId"] == weekly["id"]
    unexpanded = http.get(
        EVENTS_URL, params={"privateExtendedProperty": "rendezBookingId=b-8812"}, headers=maria
    )
    assert unexpanded.json()["items"][0]["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=3"]


def test_order_by_start_time_needs_single_events(http: httpx2.Client, maria: dict[str, str]) -> None:
    response = http.get(EVENTS_URL, params={"orderBy": "startTime"}, headers=maria)
    assert response.status_code == 400


def test_time_window_filters_by_end_after_min_and_start_before_max(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    created = insert(http, maria)  # 09:00-09:45Z on 2030-03-20
    params = {"singleEvents": "true", "privateExtendedProperty": "rendezBookingId=b-8812"}
    touching = http.get(EVENTS_URL, params=params | {"timeMin": "2030-03-20T09:45:00Z"}, headers=maria)
    assert touching.json()["items"] == []
    inside = http.get(
        EVENTS_URL,
        params=params | {"timeMin": "2030-03-20T09:44:00Z", "timeMax": "2030-03-20T09:01:00Z"},
        headers=maria,
    )
    assert [item["id"] for item in inside.json()["items"]] == [created["id"]]
    naive = http.get(EVENTS_URL, params={"timeMin": "2030-03-20T09:00:00"}, headers=maria)
    assert naive.status_code == 400
