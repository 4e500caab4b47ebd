"""calendarView delta: paged full sync, deltaLink follow-ups with @removed, and 410 Gone for lost tokens."""

from __future__ import annotations

from typing import Any

import httpx2

from microsoft_emulator import ManualClock
from microsoft_emulator.testing import RunningEmulator

from .conftest import MARIA, bearer, event_body

G = "/graph/v1.0"
WINDOW = {"startDateTime": "2030-03-17T00:00:00Z", "endDateTime": "2030-04-17T00:00:00Z"}


def full_sync(http: httpx2.Client, token: str, page_size: int = 2) -> tuple[list[dict[str, Any]], str]:
    headers = bearer(token, Prefer=f"odata.maxpagesize={page_size}")
    response = http.get(f"{G}/me/calendarView/delta", headers=headers, params=WINDOW)
    items: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["value"]) <= page_size
        items += page["value"]
        if "@odata.deltaLink" in page:
            return items, page["@odata.deltaLink"]
        response = http.get(page["@odata.nextLink"], headers=headers)


def test_full_sync_pages_then_gives_a_delta_link(http: httpx2.Client, maria: str) -> None:
    items, delta_link = full_sync(http, maria)
    assert len(items) == 6 and "$deltatoken=" in delta_link
    assert all(item["@odata.type"] == "#microsoft.graph.event" for item in items)
    empty = http.get(delta_link, headers=bearer(maria)).json()
    assert empty["value"] == [] and "@odata.deltaLink" in empty


def test_follow_up_returns_changes_and_removals(http: httpx2.Client, maria: str, ms: RunningEmulator) -> None:
    items, delta_link = full_sync(http, maria)
    created = http.post(f"{G}/me/events", headers=bearer(maria), json=event_body()).json()
    outlook = ms.control.outlook_create(MARIA, event_body(subject="Added in Outlook"))
    ms.control.outlook_update(items[0]["id"], {"subject": "Moved"})
    ms.control.outlook_delete(items[1]["id"])
    changes = http.get(delta_link, headers=bearer(maria)).json()
    by_id = {item["id"]: item for item in changes["value"]}
    assert set(by_id) == {created["id"], outlook["id"], items[0]["id"], items[1]["id"]}
    assert by_id[items[1]["id"]]["@removed"] == {"reason": "deleted"}
    assert by_id[items[0]["id"]]["subject"] == "Moved"
    again = http.get(changes["@odata.deltaLink"], headers=bearer(maria)).json()
    assert again["value"] == []


def test_a_forgotten_delta_token_answers_410(http: httpx2.Client, maria: str, ms: RunningEmulator) -> None:
    _, delta_link = full_sync(http, maria)
    ms.control.forget_delta_tokens()
    response = http.get(delta_link, headers=bearer(maria))
    assert response.status_code == 410 and response.json()["error"]["code"] == "syncStateNotFound"


def test_expired_delta_token_with_valid_access_token(
    http: httpx2.Client, ms: RunningEmulator, clock: ManualClock
) -> None:
    from .conftest import tokens_for

    first = tokens_for(http, MARIA)["access_token"]
    _, delta_link = full_sync(http, first)
    clock.advance(7 * 86400 + 1)
    fresh = tokens_for(http, MARIA)["access_token"]
    response = http.get(delta_link, headers=bearer(fresh))
    assert response.status_code == 410 and response.json()["error"]["code"] == "syncStateNotFound"


def test_tenant_maintenance_answers_410_with_a_location_to_start_over(
    http: httpx2.Client, maria: str, ms: RunningEmulator
) -> None:
    _, delta_link = full_sync(http, maria)
    ms.control.require_delta_resync()
    response = http.get(delta_link, headers=bearer(maria))
    assert response.status_code == 410 and response.json()["error"]["code"] == "resyncRequired"
    restart = http.get(response.headers["Location"], headers=bearer(maria))
    assert restart.status_code == 200 and len(restart.json()["value"]) == 6


def test_delta_needs_a_window_and_refuses_select(http: httpx2.Client, maria: str) -> None:
    assert http.get(f"{G}/me/calendarView/delta", headers=bearer(maria)).status_code == 400
    select = http.get(
        f"{G}/me/calendarView/delta", headers=bearer(maria), params={**WINDOW, "$select": "subject"}
    )
    assert select.status_code == 400


def test_delta_of_a_named_calendar(http: httpx2.Client, maria: str) -> None:
    calendars = http.get(f"{G}/me/calendars", headers=bearer(maria)).json()["value"]
    rota = calendars[1]["id"]
    response = http.get(f"{G}/me/calendars/{rota}/calendarView/delta", headers=bearer(maria), params=WINDOW)
    assert response.json()["value"] == []
    http.post(f"{G}/me/calendars/{rota}/events", headers=bearer(maria), json=event_body())
    changes = http.get(response.json()["@odata.deltaLink"], headers=bearer(maria)).json()["value"]
    assert len(changes) == 1
