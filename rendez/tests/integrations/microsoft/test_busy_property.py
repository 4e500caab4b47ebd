"""Property: after any sequence of a person's edits in Outlook and syncs (delta rounds, or full after a 410),
Rendez's busy blocks are exactly the events Graph's own getSchedule says take time (free, declined and
cancelled ones left out), the emulator's independent reading of the same calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rendez.calendars.models import BusyBlock, CalendarConnection
from rendez.integrations.microsoft import tokens
from rendez.integrations.microsoft.events import parse_date_time
from rendez.tests.integrations.microsoft.world import MARIA, berlin, outlook_event, sync_now

Span = tuple[datetime, datetime]
SHOW_AS = ["busy", "tentative", "oof", "workingElsewhere", "free"]

create = st.fixed_dictionaries(
    {
        "op": st.just("create"),
        "day": st.integers(0, 4),
        "hour": st.integers(7, 18),
        "minutes": st.sampled_from([15, 30, 60, 150]),
        "all_day": st.booleans(),
        "show_as": st.sampled_from(SHOW_AS),
        "declined": st.booleans(),
    }
)
patch = st.fixed_dictionaries(
    {
        "op": st.just("patch"),
        "which": st.integers(0, 20),
        "hours": st.integers(-3, 3),
        "show_as": st.sampled_from(SHOW_AS),
    }
)
delete = st.fixed_dictionaries({"op": st.just("delete"), "which": st.integers(0, 20)})
plain = st.sampled_from([{"op": "sync"}, {"op": "resync"}, {"op": "forget"}])
steps = st.lists(st.one_of(create, patch, delete, plain), min_size=1, max_size=8)


def wall(moment: datetime) -> dict[str, str]:
    return {
        "dateTime": moment.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None).isoformat(),
        "timeZone": "Europe/Berlin",
    }


def scheduled(microsoft, connection: CalendarConnection, window: Span) -> set[Span]:
    body = {
        "schedules": [MARIA],
        "startTime": {"dateTime": window[0].replace(tzinfo=None).isoformat(), "timeZone": "UTC"},
        "endTime": {"dateTime": window[1].replace(tzinfo=None).isoformat(), "timeZone": "UTC"},
        "availabilityViewInterval": 60,
    }
    answer = httpx2.post(
        f"{microsoft.graph_base_url}/me/calendar/getSchedule",
        json=body,
        headers={"Authorization": f"Bearer {tokens.access_token(connection)}"},
    )
    assert answer.status_code == 200, answer.text
    [schedule] = answer.json()["value"]
    return {
        (parse_date_time(item["start"], ZoneInfo("UTC")), parse_date_time(item["end"], ZoneInfo("UTC")))
        for item in schedule["scheduleItems"]
    }


def apply(microsoft, step: dict[str, Any], made: list[str], monday) -> None:
    if step["op"] == "create":
        day = monday + timedelta(days=step["day"])
        if step["all_day"]:
            start, end = berlin(day, 0), berlin(day + timedelta(days=1), 0)
        else:
            start = berlin(day, step["hour"])
            end = start + timedelta(minutes=step["minutes"])
        extra: dict[str, Any] = {"showAs": step["show_as"], "isAllDay": step["all_day"]}
        if step["declined"]:
            extra["responseStatus"] = {"response": "declined", "time": "2026-01-01T00:00:00Z"}
        made.append(outlook_event(microsoft, start, end, "Event", **extra)["id"])
    elif step["op"] in ("patch", "delete") and made:
        event_id = made[step["which"] % len(made)]
        if step["op"] == "delete":
            made.remove(event_id)
            microsoft.control.outlook_delete(event_id)
            return
        [event] = [e for e in microsoft.control.state()["events"] if e["id"] == event_id]
        start = parse_date_time(event["start"], ZoneInfo("UTC")) + timedelta(hours=step["hours"])
        end = parse_date_time(event["end"], ZoneInfo("UTC")) + timedelta(hours=step["hours"])
        changes: dict[str, Any] = {"showAs": step["show_as"]}
        if not event["isAllDay"]:
            changes |= {"start": wall(start), "end": wall(end)}
        microsoft.control.outlook_update(event_id, changes)
    elif step["op"] == "resync":
        microsoft.control.require_delta_resync()
    elif step["op"] == "forget":
        microsoft.control.forget_delta_tokens()


def test_busy_blocks_match_graphs_schedule_after_any_edits_and_syncs(microsoft, connected, monday):
    made: list[str] = []
    window = (
        datetime.combine(monday, datetime.min.time(), tzinfo=UTC) - timedelta(days=1),
        datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + timedelta(days=7),
    )

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(steps)
    def run(batch: list[dict[str, Any]]) -> None:
        for step in batch:
            apply(microsoft, step, made, monday)
        sync_now(connected)
        blocks = {(b.start, b.end) for b in BusyBlock.objects.filter(connection=connected)}
        assert blocks == scheduled(microsoft, connected, window)

    run()
