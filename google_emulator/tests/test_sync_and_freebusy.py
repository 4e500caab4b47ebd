"""events.list incremental sync (syncToken / nextSyncToken / 410), pagination, and freeBusy.query."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from google_emulator.testing import RunningEmulator

from .conftest import JONAS, MARIA, event_body

EVENTS_URL = f"/calendar/v3/calendars/{MARIA}/events"


def full_sync(
    http: httpx2.Client, headers: dict[str, str], **params: str
) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    query: dict[str, str] = {"singleEvents": "true", **params}
    while True:
        body = http.get(EVENTS_URL, params=query, headers=headers).json()
        items += body["items"]
        if "nextPageToken" not in body:
            return items, body["nextSyncToken"]
        assert "nextSyncToken" not in body
        query["pageToken"] = body["nextPageToken"]


def test_a_sync_token_returns_only_changes_with_deletions_as_cancelled(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    items, token = full_sync(http, maria)
    assert items and all(item["status"] != "cancelled" for item in items)
    nothing = http.get(EVENTS_URL, params={"singleEvents": "true", "syncToken": token}, headers=maria).json()
    assert nothing["items"] == [] and nothing["nextSyncToken"]
    created = http.post(EVENTS_URL, json=event_body(), headers=maria).json()
    dentist = next(item for item in items if item["summary"] == "Dentist")
    assert http.delete(f"{EVENTS_URL}/{dentist['id']}", headers=maria).status_code == 204
    changes = http.get(EVENTS_URL, params={"singleEvents": "true", "syncToken": token}, headers=maria).json()
    by_id = {item["id"]: item for item in changes["items"]}
    assert set(by_id) == {created["id"], dentist["id"]}
    assert by_id[dentist["id"]] == {
        "kind": "calendar#event",
        "etag": by_id[dentist["id"]]["etag"],
        "id": dentist["id"],
        "status": "cancelled",
    }
    after = http.get(
        EVENTS_URL, params={"singleEvents": "true", "syncToken": changes["nextSyncToken"]}, headers=maria
    ).json()
    assert after["items"] == []


def test_changes_made_by_the_user_in_google_calendar_show_up_in_sync(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator
) -> None:
    _, token = full_sync(http, maria)
    made = google.control.user_creates_event(MARIA, event_body(summary="Private appointment"))
    changes = http.get(EVENTS_URL, params={"singleEvents": "true", "syncToken": token}, headers=maria).json()
    assert [item["id"] for item in changes["items"]] == [made["id"]]


def test_an_invalidated_sync_token_answers_410_full_sync_required(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator
) -> None:
    _, token = full_sync(http, maria)
    google.control.invalidate_sync_tokens(MARIA)
    response = http.get(EVENTS_URL, params={"syncToken": token}, headers=maria)
    assert response.status_code == 410
    assert response.json()["error"]["errors"][0] == {
        "domain": "global",
        "reason": "fullSyncRequired",
        "message": "Sync token is no longer valid, a full sync is required.",
    }
    _, fresh = full_sync(http, maria)
    assert http.get(EVENTS_URL, params={"syncToken": fresh}, headers=maria).status_code == 200
    assert http.get(EVENTS_URL, params={"syncToken": "garbage"}, headers=maria).status_code == 410


@pytest.mark.parametrize(
    "name,value",
    [
        ("timeMin", "2030-03-17T00:00:00Z"),
        ("timeMax", "2030-03-17T00:00:00Z"),
        ("orderBy", "startTime"),
        ("privateExtendedProperty", "a=b"),
        ("q", "x"),
        ("updatedMin", "2030-03-17T00:00:00Z"),
        ("iCalUID", "x@google.com"),
    ],
)
def test_parameters_google_refuses_beside_a_sync_token(
    http: httpx2.Client, maria: dict[str, str], name: str, value: str
) -> None:
    _, token = full_sync(http, maria)
    params = {"singleEvents": "true", "syncToken": token, name: value}
    response = http.get(EVENTS_URL, params=params, headers=maria)
    assert response.status_code == 400


def test_pages_end_with_the_sync_token(http: httpx2.Client, maria: dict[str, str]) -> None:
    for n in range(5):
        http.post(EVENTS_URL, json=event_body(summary=f"Booking {n}"), headers=maria)
    first = http.get(EVENTS_URL, params={"maxResults": "3"}, headers=maria).json()
    assert len(first["items"]) == 3 and "nextPageToken" in first and "nextSyncToken" not in first
    items, _ = full_sync(http, maria, maxResults="3")
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) >= 9
    tampered = http.get(EVENTS_URL, params={"pageToken": first["nextPageToken"], "q": "x"}, headers=maria)
    assert tampered.status_code == 400


def test_show_deleted_lists_cancelled_events(http: httpx2.Client, maria: dict[str, str]) -> None:
    created = http.post(EVENTS_URL, json=event_body(), headers=maria).json()
    http.delete(f"{EVENTS_URL}/{created['id']}", headers=maria)
    hidden = http.get(EVENTS_URL, headers=maria).json()["items"]
    assert created["id"] not in [item["id"] for item in hidden]
    shown = http.get(EVENTS_URL, params={"showDeleted": "true"}, headers=maria).json()["items"]
    assert {"id": created["id"], "status": "cancelled"}.items() <= next(
        item for item in shown if item["id"] == created["id"]
    ).items()


def free_busy(http: httpx2.Client, headers: dict[str, str], *ids: str, **window: str) -> httpx2.Response:
    body = {
        "timeMin": "2030-03-17T00:00:00Z",
        "timeMax": "2030-03-31T00:00:00Z",
        "items": [{"id": i} for i in ids],
    }
    return http.post("/calendar/v3/freeBusy", json=body | window, headers=headers)


def test_free_busy_counts_opaque_events_only(http: httpx2.Client, maria: dict[str, str]) -> None:
    response = free_busy(http, maria, MARIA)
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "calendar#freeBusy"
    busy = body["calendars"][MARIA]["busy"]
    # Seeded relative to Sun 2030-03-17 (Berlin, UTC+1): team meeting Mondays 09:00, dentist Tue 14:00-15:30,
    # training day all day Fri; lunch on Wed is transparent and the vendor pitch on Thu declined.
    assert {"start": "2030-03-18T08:00:00Z", "end": "2030-03-18T09:00:00Z"} in busy
    assert {"start": "2030-03-19T13:00:00Z", "end": "2030-03-19T14:30:00Z"} in busy
    assert {"start": "2030-03-21T23:00:00Z", "end": "2030-03-22T23:00:00Z"} in busy
    assert not any(b["start"] == "2030-03-20T11:00:00Z" for b in busy)  # Lunch (free), transparent
    assert not any(b["start"] == "2030-03-21T10:00:00Z" for b in busy)  # Vendor pitch, declined


def test_free_busy_merges_overlaps_and_clips_to_the_window(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    http.post(EVENTS_URL, json=event_body(), headers=maria)  # 09:00-09:45Z on the 20th
    http.post(
        EVENTS_URL,
        json=event_body(start={"dateTime": "2030-03-20T09:30:00Z"}, end={"dateTime": "2030-03-20T10:30:00Z"}),
        headers=maria,
    )
    busy = free_busy(
        http, maria, MARIA, timeMin="2030-03-20T09:15:00Z", timeMax="2030-03-20T12:00:00Z"
    ).json()["calendars"][MARIA]["busy"]
    assert busy == [{"start": "2030-03-20T09:15:00Z", "end": "2030-03-20T10:30:00Z"}]


def test_free_busy_reports_a_calendar_it_cannot_see_as_not_found(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    body = free_busy(http, maria, JONAS).json()
    assert body["calendars"][JONAS] == {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}


def test_free_busy_refuses_an_empty_range(http: httpx2.Client, maria: dict[str, str]) -> None:
    response = free_busy(http, maria, MARIA, timeMin="2030-03-20T00:00:00Z", timeMax="2030-03-19T00:00:00Z")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": 400,
        "message": "The specified time range is empty.",
        "errors": [
            {
                "domain": "calendar",
                "reason": "timeRangeEmpty",
                "message": "The specified time range is empty.",
                "location": "timeMax",
                "locationType": "parameter",
            }
        ],
    }
