"""The emulator's state as JSON, so with a state file a restart looks like the same Microsoft account: apps,
users, calendars, events (and their change log positions), codes, tokens, grant generations, subscriptions
and delta tokens. Notifications still on their way are not kept (Graph would retry them; the delta poll
catches up)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .state import App, AuthCode, Calendar, DeltaState, Event, State, Subscription, Token, User


def state_to_dict(state: State) -> dict[str, Any]:
    return {
        "apps": [asdict(app) for app in state.apps.values()],
        "users": [asdict(user) for user in state.users.values()],
        "calendars": [asdict(cal) for cal in state.calendars.values()],
        "events": [asdict(event) for event in state.events.values()],
        "codes": [asdict(code) for code in state.codes.values()],
        "tokens": [asdict(token) for token in state.tokens.values()],
        "grants": [
            {"client_id": client_id, "user_id": user_id, "generation": generation}
            for (client_id, user_id), generation in state.grants.items()
        ],
        "subscriptions": [asdict(sub) for sub in state.subscriptions.values()],
        "delta_states": {token: asdict(known) for token, known in state.delta_states.items()},
        "seq": state.seq,
    }


def state_from_dict(data: dict[str, Any]) -> State:
    return State(
        apps={raw["client_id"]: App(**raw) for raw in data["apps"]},
        users={raw["id"]: User(**raw) for raw in data["users"]},
        calendars={raw["id"]: Calendar(**raw) for raw in data["calendars"]},
        events={raw["id"]: Event(**raw) for raw in data["events"]},
        codes={raw["code"]: AuthCode(**raw) for raw in data["codes"]},
        tokens={raw["value"]: Token(**raw) for raw in data["tokens"]},
        grants={(raw["client_id"], raw["user_id"]): int(raw["generation"]) for raw in data["grants"]},
        subscriptions={raw["id"]: Subscription(**raw) for raw in data["subscriptions"]},
        delta_states={token: DeltaState(**raw) for token, raw in data["delta_states"].items()},
        seq=int(data["seq"]),
    )
