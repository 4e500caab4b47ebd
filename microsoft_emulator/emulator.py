"""The `Emulator`: the state of the fake Microsoft 365 plus the control operations tests use on it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from emulator_kit.request_log import RequestLog
from emulator_kit.state_file import StateSaver, read_json

from .clock import Clock, SystemClock
from .config import EmulatorConfig
from .faults import FaultInjector
from .persistence import state_from_dict, state_to_dict
from .state import Event, State, state_from_seed
from .subscriptions import Notifier, change_body, lifecycle_body

DEFAULT_SEED_FILE = Path(__file__).with_name("seeds") / "default.json"


class LostResponse(Exception):
    """A write was applied; the client must not get the answer (the connection dies instead)."""


def load_seed_file(path: str | Path) -> dict[str, Any]:
    with open(path) as handle:
        seed: dict[str, Any] = json.load(handle)
    return seed


class Emulator:
    """A thread-safe, in-memory Microsoft 365. Serve it with `wsgi_app`; drive it from tests with the control
    methods. `seed=None` loads the repository's default seed; pass `{}` for an empty one.

    With `state_file`, state is loaded from it at start (when it exists) and written back after every request,
    or with `save_delay` seconds at most once per that many seconds (emulator_kit.state_file), so a restart
    keeps the same account: grants, events, subscriptions, delta tokens.
    """

    def __init__(
        self,
        seed: dict[str, Any] | None = None,
        public_base_url: str | None = None,
        state_file: str | None = None,
        *,
        clock: Clock | None = None,
        config: EmulatorConfig | None = None,
        save_delay: float = 0.0,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.config = config or EmulatorConfig()
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.lock = threading.RLock()
        self.faults = FaultInjector()
        self.notifier = Notifier(self)
        self._seed = load_seed_file(DEFAULT_SEED_FILE) if seed is None else seed
        self.request_log = RequestLog()
        loaded = read_json(state_file) if state_file else None
        self.state: State = (
            state_from_dict(loaded) if loaded is not None else state_from_seed(self._seed, self.clock.now())
        )
        self._saver = (
            StateSaver(state_file, lambda: json.dumps(state_to_dict(self.state)), self.lock, save_delay)
            if state_file
            else None
        )
        self._wsgi_app: Callable[..., Any] | None = None
        if loaded is None and self._saver is not None:
            self._saver.save()  # the file exists from the start, even before a first change

    @property
    def wsgi_app(self) -> Callable[..., Any]:
        if self._wsgi_app is None:
            from .app import create_app

            self._wsgi_app = create_app(self)
        return self._wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.wsgi_app(environ, start_response)

    @contextmanager
    def mutation(self) -> Iterator[State]:
        with self.lock:
            yield self.state

    def changed(self) -> None:
        """State may have changed (any request may: a delta read issues tokens): persist it, if kept."""
        if self._saver is not None:
            self._saver.changed()

    def flush(self) -> None:
        """Write what `save_delay` holds back now (a restart's last changes); nothing without a state file."""
        if self._saver is not None:
            self._saver.flush()

    def reset(self, seed: dict[str, Any] | None = None) -> None:
        with self.lock:
            if seed is not None:
                self._seed = seed
            self.state = state_from_seed(self._seed, self.clock.now())
            self.request_log.clear()
            self.faults.clear()
            self.notifier.clear()
        self.changed()

    def maybe_lose_response(self) -> None:
        if self.faults.take("lose_response"):
            raise LostResponse()

    def add_redirect_uri(self, client_id: str, uri: str) -> None:
        """Register one more redirect URI for an app (the demo's own host and port)."""
        with self.lock:
            app = self.state.apps[client_id]
            if uri not in app.redirect_uris:
                app.redirect_uris.append(uri)
        self.changed()

    # --- identity controls ---------------------------------------------------------------------------------

    def revoke_grant(self, user_id: str, client_id: str | None = None) -> int:
        """The user revoked consent / changed the password: refresh tokens issued so far answer AADSTS50173.
        Access tokens already issued keep working until they expire, as documented."""
        with self.lock:
            keys = [key for key in self.state.grants if key[1] == user_id and client_id in (None, key[0])]
            for key in keys:
                self.state.grants[key] += 1
            return len(keys)

    def expire_access_tokens(self) -> int:
        now = self.clock.now()
        with self.lock:
            live = [t for t in self.state.tokens.values() if t.kind == "access" and t.expires_at > now]
            for token in live:
                token.expires_at = now - 1
            return len(live)

    def expire_refresh_tokens(self, user_id: str | None = None) -> int:
        """Refresh tokens unused too long: the next refresh answers AADSTS700082."""
        now = self.clock.now()
        with self.lock:
            live = [
                t
                for t in self.state.tokens.values()
                if t.kind == "refresh" and t.expires_at > now and user_id in (None, t.user_id)
            ]
            for token in live:
                token.expires_at = now - 1
            return len(live)

    def forget_delta_tokens(self) -> int:
        with self.lock:
            count = len(self.state.delta_states)
            self.state.delta_states.clear()
            return count

    def require_resync(self) -> int:
        """Every delta token in use answers 410 resyncRequired with a Location header (tenant maintenance)."""
        with self.lock:
            for known in self.state.delta_states.values():
                known.resync = True
            return len(self.state.delta_states)

    # --- calendar changes "made in Outlook" and notifications ----------------------------------------------

    def remove_event(self, event: Event) -> None:
        with self.lock:
            event.deleted_seq = self.state.next_seq()
            event.change_seq = event.deleted_seq
            self.notify(event, "deleted")

    def notify(self, event: Event, change_type: str) -> None:
        now = self.clock.now()
        with self.lock:
            targets = [
                sub
                for sub in self.state.subscriptions.values()
                if sub.user_id == event.owner_id
                and sub.expires_at > now
                and change_type in sub.change_types
                and sub.calendar_id in (None, event.calendar_id)
            ]
            bodies = [(sub, change_body(self, sub, event.id, change_type)) for sub in targets]
        for sub, body in bodies:
            self.notifier.enqueue("change", sub.notification_url, body, sub.id)

    def lifecycle(self, subscription_id: str, event: str) -> dict[str, Any]:
        with self.lock:
            sub = self.state.subscriptions[subscription_id]
            body = lifecycle_body(self, sub, event)
            if event == "subscriptionRemoved":
                del self.state.subscriptions[subscription_id]
        if sub.lifecycle_notification_url:
            self.notifier.enqueue("lifecycle", sub.lifecycle_notification_url, body, sub.id)
        return body

    # --- request log ---------------------------------------------------------------------------------------

    def record_request(self, entry: dict[str, Any]) -> None:
        self.request_log.record(entry)

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Requests received, oldest first. `path` matches exactly, or as a prefix when it ends with `*`."""
        return self.request_log.matching(method, path)

    def clear_requests(self) -> None:
        self.request_log.clear()
