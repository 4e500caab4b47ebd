"""The `Emulator`: all state of the fake Google plus the control operations tests use on it."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from emulator_kit.request_log import RequestLog

from . import events, oauth
from .clock import Clock, SystemClock, rfc3339_ms
from .faults import FaultInjector
from .models import Calendar, Channel, State, User
from .persistence import load_state, save_state
from .push import Push, PushDispatcher, headers_for
from .seeding import state_from_seed

DEFAULT_SEED_FILE = Path(__file__).with_name("seeds") / "default.json"


def load_seed_file(path: str | Path) -> dict[str, Any]:
    with open(path) as handle:
        seed: dict[str, Any] = json.load(handle)
    return seed


@dataclass
class Settings:
    # EMULATOR-ONLY: Google refuses http:// push addresses; local tests switch this on to exercise push.
    allow_insecure_push: bool = False
    # How many responses show a new Meet conference as "pending" before it reads "success" (0: at once).
    meet_pending_reads: int = 0


class Emulator:
    """A thread-safe, in-memory Google. Serve it with `wsgi_app`; drive it from tests with control methods.

    `seed=None` loads the repository's default seed; pass `{}` for an empty Google. With `state_file`, state
    is loaded from it at start (when it exists) and written back after every request that may change it.
    """

    def __init__(
        self,
        seed: dict[str, Any] | None = None,
        public_base_url: str | None = None,
        state_file: str | None = None,
        *,
        clock: Clock | None = None,
        http_client_factory: Callable[[], httpx2.Client] | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.lock = threading.RLock()
        self.faults = FaultInjector()
        self.settings = Settings()
        self.pushes = PushDispatcher(http_client_factory or (lambda: httpx2.Client(timeout=5.0)))
        self._seed = load_seed_file(DEFAULT_SEED_FILE) if seed is None else seed
        self.request_log = RequestLog()
        self.state_file = state_file
        loaded = load_state(state_file) if state_file else None
        self.state: State = loaded or state_from_seed(self._seed, self.clock.now())
        self._wsgi_app: Callable[..., Any] | None = None
        if loaded is None:
            self.save()

    @classmethod
    def from_seed_file(cls, path: str | Path, **kwargs: Any) -> Emulator:
        return cls(seed=load_seed_file(path), **kwargs)

    @property
    def wsgi_app(self) -> Callable[..., Any]:
        if self._wsgi_app is None:
            from .app import EmulatorApp

            self._wsgi_app = EmulatorApp(self)
        return self._wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.wsgi_app(environ, start_response)

    def reset(self, seed: dict[str, Any] | None = None) -> None:
        """Forget everything (events, tokens, channels, requests, faults, settings) and start from a seed."""
        with self.lock:
            if seed is not None:
                self._seed = seed
            self.state = state_from_seed(self._seed, self.clock.now())
            self.request_log.clear()
            self.faults.clear()
            self.settings = Settings()
            self.pushes.clear()
            self.save()

    def save(self) -> None:
        if self.state_file:
            with self.lock:
                save_state(self.state, self.state_file)

    # --- request log ---------------------------------------------------------------------------------------

    def record_request(self, entry: dict[str, Any]) -> None:
        self.request_log.record(entry)

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Requests received, oldest first. `path` matches exactly, or as a prefix when it ends with `*`."""
        return self.request_log.matching(method, path)

    def clear_requests(self) -> None:
        self.request_log.clear()

    # --- the user's side -----------------------------------------------------------------------------------

    def user(self, email: str) -> User:
        user = self.state.user_by_email(email)
        if user is None:
            raise KeyError(f"no user {email}")
        return user

    def revoke_grant(self, email: str, client_id: str) -> int:
        """The user removes the app at myaccount.google.com/permissions; returns how many tokens died."""
        with self.lock:
            return oauth.revoke_grant(self.state, client_id, self.user(email).sub)

    def expire_access_tokens(self, email: str | None = None) -> int:
        now = self.clock.now()
        with self.lock:
            sub = self.user(email).sub if email else None
            live = [
                t
                for t in self.state.access_tokens.values()
                if t.expires_at > now and (sub is None or t.sub == sub)
            ]
            for token in live:
                token.expires_at = now - 1
            return len(live)

    def invalidate_sync_tokens(self, calendar_id: str | None = None) -> list[str]:
        """Every sync token issued for the calendar(s) so far answers 410 from now on."""
        with self.lock:
            ids = [calendar_id] if calendar_id else list(self.state.calendars)
            for cid in ids:
                if cid not in self.state.calendars:
                    raise KeyError(f"no calendar {cid}")
                self.state.sync_generation[cid] = self.state.sync_generation.get(cid, 0) + 1
            return ids

    def user_edit(
        self, calendar_id: str, action: str, event_id: str | None, body: dict[str, Any]
    ) -> dict[str, Any]:
        """A change made in Google Calendar itself (not through the API client): create, patch or delete."""
        with self.lock:
            calendar = self.state.calendars[calendar_id]
            ctx = events.WriteContext(self.clock.now(), calendar.id, conference_version=0)
            if action == "create":
                event = events.create_event(self.state, calendar, body, ctx)
            else:
                event = self.state.events[(calendar_id, str(event_id))]
                if action == "patch":
                    events.patch_event(self.state, calendar, event, body, ctx)
                elif action == "delete":
                    events.delete_event(self.state, event, ctx.now)
                else:
                    raise ValueError(f"unknown action {action!r}")
            rendered = events.render(event, self.base_url(None), consume_read=False)
        self.notify(calendar_id)
        return rendered

    # --- push ------------------------------------------------------------------------------------------

    def base_url(self, request_root: str | None) -> str:
        return self.public_base_url or (request_root or "http://google-emulator.invalid").rstrip("/")

    @staticmethod
    def resource_id(calendar_id: str) -> str:
        return hashlib.sha256(f"events:{calendar_id}".encode()).hexdigest()[:27]

    def start_channel(self, channel: Channel, resource_uri: str) -> None:
        """Register the channel and send its `sync` message (message number 1)."""
        with self.lock:
            self.state.channels[channel.id] = channel
        self._push(channel, "sync", resource_uri)

    def notify(self, calendar_id: str, resource_uri: str | None = None) -> int:
        """Tell every live channel on the calendar's events that something changed (`exists`)."""
        now_ms = int(self.clock.now() * 1000)
        with self.lock:
            live = [
                c
                for c in self.state.channels.values()
                if c.calendar_id == calendar_id and not c.stopped and c.expiration_ms > now_ms
            ]
        uri = resource_uri or f"{self.base_url(None)}/calendar/v3/calendars/{calendar_id}/events?alt=json"
        for channel in live:
            self._push(channel, "exists", uri)
        return len(live)

    def _push(self, channel: Channel, state: str, resource_uri: str) -> None:
        with self.lock:
            channel.message_number += 1
            number = channel.message_number
        headers = headers_for(
            channel.id, channel.token, channel.expiration_ms, channel.resource_id, resource_uri, state, number
        )
        self.pushes.send(Push(channel.id, channel.address, headers, state, number))

    # --- views for tests -------------------------------------------------------------------------------

    def calendar(self, calendar_id: str) -> Calendar:
        return self.state.calendars[calendar_id]

    def now_iso(self) -> str:
        return rfc3339_ms(self.clock.now())
