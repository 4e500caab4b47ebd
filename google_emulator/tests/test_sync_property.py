"""Property: a client that full-syncs once and then applies incremental changes sees exactly what a fresh
full sync shows, whatever inserts, patches and deletes (by the app or by the user) happen in between."""

from __future__ import annotations

from typing import Any

import httpx2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from google_emulator.testing import RunningEmulator

from .conftest import MARIA, bearer, event_body, tokens_for

EVENTS_URL = f"/calendar/v3/calendars/{MARIA}/events"

operations = st.lists(
    st.tuples(
        st.sampled_from(["insert", "user_insert", "weekly", "patch", "delete", "sync"]), st.integers(0, 20)
    ),
    max_size=12,
)


def listing(http: httpx2.Client, headers: dict[str, str], **params: str) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    query = {"singleEvents": "true", "maxResults": "4", **params}
    while True:
        body = http.get(EVENTS_URL, params=query, headers=headers).json()
        items += body["items"]
        if "nextPageToken" not in body:
            return items, body["nextSyncToken"]
        query["pageToken"] = body["nextPageToken"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_incremental_sync_converges_to_a_full_sync(
    google: RunningEmulator, http: httpx2.Client, ops: list[tuple[str, int]]
) -> None:
    google.control.reset()
    headers = bearer(tokens_for(http, MARIA)["access_token"])
    items, token = listing(http, headers)
    mirror = {item["id"]: item for item in items}
    for op, pick in ops:
        # Series are changed through their master's id; the mirror holds their instances.
        live = sorted({m.get("recurringEventId", i) for i, m in mirror.items() if m["status"] != "cancelled"})
        if op == "insert":
            http.post(EVENTS_URL, json=event_body(summary=f"n{pick}"), headers=headers)
        elif op == "weekly":
            weekly = event_body(summary=f"w{pick}", recurrence=[f"RRULE:FREQ=WEEKLY;COUNT={pick % 4 + 1}"])
            http.post(EVENTS_URL, json=weekly, headers=headers)
        elif op == "user_insert":
            google.control.user_creates_event(MARIA, event_body(summary=f"u{pick}"))
        elif op == "patch" and live:
            http.patch(
                f"{EVENTS_URL}/{live[pick % len(live)]}", json={"summary": f"p{pick}"}, headers=headers
            )
        elif op == "delete" and live:
            http.delete(f"{EVENTS_URL}/{live[pick % len(live)]}", headers=headers)
        elif op == "sync":
            changes, token = listing(http, headers, syncToken=token)
            mirror.update({item["id"]: item for item in changes})
    changes, _ = listing(http, headers, syncToken=token)
    mirror.update({item["id"]: item for item in changes})
    fresh, _ = listing(http, headers)
    assert {i: m.get("summary") for i, m in mirror.items() if m["status"] != "cancelled"} == {
        item["id"]: item.get("summary") for item in fresh
    }
