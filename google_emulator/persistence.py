"""The emulator's state in a JSON file across restarts, so a demo's connected calendars (and the refresh
tokens Rendez holds for them) survive restarting `make run`, as with the Zoom emulator's `--state-file`."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from emulator_kit.state_file import read_json, write_atomically

from .models import (
    AccessToken,
    AuthCode,
    Calendar,
    CalendarAccess,
    Channel,
    Client,
    Event,
    Grant,
    RefreshToken,
    State,
    User,
)


def state_to_dict(state: State) -> dict[str, Any]:
    return {
        "clients": [asdict(c) for c in state.clients.values()],
        "users": [asdict(u) for u in state.users.values()],
        "calendars": [asdict(c) for c in state.calendars.values()],
        "calendar_lists": {
            sub: [asdict(a) for a in entries] for sub, entries in state.calendar_lists.items()
        },
        "grants": [asdict(g) | {"scopes": sorted(g.scopes)} for g in state.grants.values()],
        "codes": [asdict(c) for c in state.codes.values()],
        "refresh_tokens": [asdict(t) for t in state.refresh_tokens.values()],
        "access_tokens": [asdict(t) for t in state.access_tokens.values()],
        "events": [asdict(e) for e in state.events.values()],
        "channels": [asdict(c) for c in state.channels.values()],
        "change_seq": state.change_seq,
        "sync_generation": state.sync_generation,
    }


def state_from_dict(data: dict[str, Any]) -> State:
    state = State(change_seq=data["change_seq"], sync_generation=dict(data["sync_generation"]))
    state.clients = {c["client_id"]: Client(**c) for c in data["clients"]}
    state.users = {u["sub"]: User(**u) for u in data["users"]}
    state.calendars = {c["id"]: Calendar(**c) for c in data["calendars"]}
    state.calendar_lists = {
        sub: [CalendarAccess(**a) for a in entries] for sub, entries in data["calendar_lists"].items()
    }
    state.grants = {
        (g["client_id"], g["sub"]): Grant(**(g | {"scopes": set(g["scopes"])})) for g in data["grants"]
    }
    state.codes = {c["code"]: AuthCode(**c) for c in data["codes"]}
    state.refresh_tokens = {t["token"]: RefreshToken(**t) for t in data["refresh_tokens"]}
    state.access_tokens = {t["token"]: AccessToken(**t) for t in data["access_tokens"]}
    state.events = {(e["calendar_id"], e["id"]): Event(**e) for e in data["events"]}
    state.channels = {c["id"]: Channel(**c) for c in data["channels"]}
    return state


def save_state(state: State, path: str) -> None:
    write_atomically(json.dumps(state_to_dict(state)), path)


def load_state(path: str) -> State | None:
    data = read_json(path)
    return state_from_dict(data) if data is not None else None
