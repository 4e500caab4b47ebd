"""Building the emulator's state from a seed: OAuth clients, users with primary calendars, public calendars,
and events placed relative to "today" so the demo always has something in the coming two weeks."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import events
from .models import Calendar, CalendarAccess, Client, State, User


def state_from_seed(seed: dict[str, Any], now: float) -> State:
    state = State()
    for raw in seed.get("clients", []):
        client = Client(
            raw["client_id"], raw["client_secret"], list(raw["redirect_uris"]), raw.get("name", "Rendez")
        )
        state.clients[client.client_id] = client
    for raw in seed.get("users", []):
        user = User(
            raw["sub"], raw["email"], raw["given_name"], raw["family_name"], raw.get("time_zone", "UTC")
        )
        state.users[user.sub] = user
        state.calendars[user.email] = Calendar(user.email, user.email, user.time_zone, user.sub)
        state.calendar_lists[user.sub] = [CalendarAccess(user.email, "owner", primary=True)]
    for raw in seed.get("public_calendars", []):
        calendar = Calendar(
            raw["id"], raw["summary"], raw.get("time_zone", "UTC"), None, raw.get("description", "")
        )
        state.calendars[calendar.id] = calendar
        for entries in state.calendar_lists.values():
            entries.append(CalendarAccess(calendar.id, "reader"))
    for raw in seed.get("events", []):
        _seed_event(state, raw, now)
    return state


def _seed_event(state: State, raw: dict[str, Any], now: float) -> None:
    calendar = state.calendars[raw["calendar"]]
    zone = ZoneInfo(calendar.time_zone)
    today = datetime.fromtimestamp(now, zone).date()
    day = today + timedelta(days=int(raw.get("day", 0)))
    body: dict[str, Any] = {"summary": raw["summary"]}
    if raw.get("all_day"):
        body["start"] = {"date": day.isoformat()}
        body["end"] = {"date": (day + timedelta(days=int(raw.get("days", 1)))).isoformat()}
    else:
        start = datetime.combine(day, time.fromisoformat(raw["start"]), zone)
        end = start + timedelta(minutes=int(raw.get("minutes", 60)))
        body["start"] = {"dateTime": start.isoformat(), "timeZone": calendar.time_zone}
        body["end"] = {"dateTime": end.isoformat(), "timeZone": calendar.time_zone}
    for key in ("transparency", "description", "location", "recurrence", "attendees", "extendedProperties"):
        if key in raw:
            body[key] = raw[key]
    organizer = raw.get("organizer", calendar.id)
    ctx = events.WriteContext(now=now, actor_email=organizer, conference_version=0)
    event = events.create_event(state, calendar, body, ctx)
    event.body["organizer"] = {"email": organizer}
