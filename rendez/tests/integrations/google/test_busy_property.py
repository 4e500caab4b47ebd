"""Property: after any sequence of a person's edits in Google Calendar and syncs (incremental, or full after
a 410), Rendez's busy blocks cover exactly what Google's own freeBusy says is busy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.integrations.google import tokens
from rendez.tests.integrations.google.world import MARIA, berlin, sync_now

Span = tuple[datetime, datetime]

create = st.fixed_dictionaries(
    {
        "op": st.just("create"),
        "day": st.integers(0, 4),
        "hour": st.integers(7, 18),
        "minutes": st.sampled_from([15, 30, 60, 150]),
        "all_day": st.booleans(),
        "transparent": st.booleans(),
        "declined": st.booleans(),
    }
)
patch = st.fixed_dictionaries(
    {"op": st.just("patch"), "which": st.integers(0, 20), "hours": st.integers(-3, 3), "free": st.booleans()}
)
delete = st.fixed_dictionaries({"op": st.just("delete"), "which": st.integers(0, 20)})
plain = st.sampled_from([{"op": "sync"}, {"op": "invalidate"}])
steps = st.lists(st.one_of(create, patch, delete, plain), min_size=1, max_size=8)


def merged(spans: list[Span], window: Span) -> list[Span]:
    clipped = sorted(
        (max(s, window[0]), min(e, window[1])) for s, e in spans if s < window[1] and e > window[0]
    )
    out: list[Span] = []
    for start, end in clipped:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def google_busy(google, connection: CalendarConnection, window: Span) -> list[Span]:
    body = {"timeMin": window[0].isoformat(), "timeMax": window[1].isoformat(), "items": [{"id": MARIA}]}
    answer = httpx2.post(
        f"{google.calendar_api_base_url}/freeBusy",
        json=body,
        headers={"Authorization": f"Bearer {tokens.access_token(connection)}"},
        timeout=10,
    )
    answer.raise_for_status()
    return [
        (datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]))
        for item in answer.json()["calendars"][MARIA]["busy"]
    ]


def event_body(step: dict[str, Any], monday) -> dict[str, Any]:
    day = monday + timedelta(days=step["day"])
    if step["all_day"]:
        times = {"start": {"date": day.isoformat()}, "end": {"date": (day + timedelta(days=1)).isoformat()}}
    else:
        start = berlin(day, step["hour"])
        end = start + timedelta(minutes=step["minutes"])
        times = {
            "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": end.isoformat(), "timeZone": "Europe/Berlin"},
        }
    body: dict[str, Any] = {"summary": "x", **times}
    if step["transparent"]:
        body["transparency"] = "transparent"
    if step["declined"]:
        body["attendees"] = [
            {"email": "boss@example.com", "organizer": True},
            {"email": MARIA, "responseStatus": "declined"},
        ]
    return body


def apply(google, connection, step: dict[str, Any], monday, made: list[dict[str, Any]]) -> None:
    control = google.control
    if step["op"] == "create":
        made.append(control.user_creates_event(MARIA, event_body(step, monday)))
    elif step["op"] in ("patch", "delete") and made:
        event = made[step["which"] % len(made)]
        if step["op"] == "delete":
            control.user_deletes_event(MARIA, event["id"])
            made.remove(event)
            return
        changes: dict[str, Any] = {"transparency": "transparent" if step["free"] else "opaque"}
        if "dateTime" in event["start"]:
            moved = {
                key: datetime.fromisoformat(event[key]["dateTime"]) + timedelta(hours=step["hours"])
                for key in ("start", "end")
            }
            changes |= {
                key: {"dateTime": value.isoformat(), "timeZone": "Europe/Berlin"}
                for key, value in moved.items()
            }
        made[made.index(event)] = control.user_patches_event(MARIA, event["id"], changes)
    elif step["op"] == "sync":
        sync_now(connection)
    elif step["op"] == "invalidate":
        control.invalidate_sync_tokens(MARIA)


def test_busy_blocks_equal_googles_busy_set_after_any_edits_and_syncs(google, connected, monday):
    window = (berlin(monday, 0) - timedelta(days=1), berlin(monday, 0) + timedelta(days=7))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(steps=steps)
    def check(steps: list[dict[str, Any]]) -> None:
        made: list[dict[str, Any]] = []
        for step in steps:
            apply(google, connected, step, monday, made)
        sync_now(connected)
        ours = [
            (b.start.astimezone(UTC), b.end.astimezone(UTC))
            for b in BusyBlock.objects.filter(connection=connected)
        ]
        assert merged(ours, window) == merged(google_busy(google, connected, window), window)
        # Start the next example from an empty calendar (deleting is a user edit the sync must follow too).
        for event in made:
            google.control.user_deletes_event(MARIA, event["id"])
        sync_now(connected)
        assert not BusyBlock.objects.filter(connection=connected).exists()

    check()
