"""The `Emulator`: all state of the fake Zoom plus the control operations tests use on it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2

from emulator_kit.request_log import RequestLog
from emulator_kit.state_file import StateSaver

from .clock import Clock, SystemClock, iso_z
from .config import EmulatorConfig
from .faults import FaultInjector
from .models import Meeting, User
from .ratelimit import AccountRateLimiter
from .state import State, load_state, state_from_seed
from .webhooks import WebhookDispatcher

if TYPE_CHECKING:
    from .webhooks import Delivery

DEFAULT_SEED_FILE = Path(__file__).with_name("seeds") / "default.json"


def load_seed_file(path: str | Path) -> dict[str, Any]:
    with open(path) as handle:
        seed: dict[str, Any] = json.load(handle)
    return seed


class Emulator:
    """A thread-safe, in-memory Zoom. Serve it with `wsgi_app`; drive it from tests with the control methods.

    `seed=None` loads the repository's default seed; pass `{}` for an empty Zoom. With `state_file`, state is
    loaded from it at start (when it exists) and written back after every change, or with `save_delay`
    seconds at most once per that many seconds by a background thread (and at exit, and on `flush()`): the
    file holds every meeting, so writing it after each change costs more the longer the emulator runs, which
    the emulator mounted in `rendez serve` cannot afford under load (bench/embedded.py).
    """

    def __init__(
        self,
        seed: dict[str, Any] | None = None,
        state_file: str | None = None,
        public_base_url: str | None = None,
        *,
        clock: Clock | None = None,
        config: EmulatorConfig | None = None,
        http_client_factory: Callable[[], httpx2.Client] | None = None,
        save_delay: float = 0.0,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.config = config or EmulatorConfig()
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.state_file = state_file
        self.lock = threading.RLock()
        self._saver = (
            StateSaver(state_file, lambda: self.state.to_json(), self.lock, save_delay)
            if state_file
            else None
        )
        self.faults = FaultInjector()
        self.rate_limiter = AccountRateLimiter()
        self.webhooks = WebhookDispatcher(self.clock, self.config, http_client_factory or self._http_client)
        self._seed = load_seed_file(DEFAULT_SEED_FILE) if seed is None else seed
        self.request_log = RequestLog()
        loaded = load_state(state_file) if state_file else None
        self.state: State = loaded or state_from_seed(self._seed, self.clock.now())
        self._wsgi_app: Callable[..., Any] | None = None
        self._mutation_depth = 0
        if loaded is None:
            self.save()

    @classmethod
    def from_seed_file(cls, path: str | Path, **kwargs: Any) -> Emulator:
        return cls(seed=load_seed_file(path), **kwargs)

    # --- serving -------------------------------------------------------------------------------------------

    @property
    def wsgi_app(self) -> Callable[..., Any]:
        if self._wsgi_app is None:
            from .app import create_app

            self._wsgi_app = create_app(self)
        return self._wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.wsgi_app(environ, start_response)

    def _http_client(self) -> httpx2.Client:
        return httpx2.Client(timeout=self.config.webhook_timeout)

    # --- state ---------------------------------------------------------------------------------------------

    @contextmanager
    def mutation(self) -> Iterator[State]:
        """Hold the lock for a change and persist it afterwards, once: nested changes (a token exchange that
        also revokes, a create that also counts quota) are written when the outermost one ends."""
        with self.lock:
            self._mutation_depth += 1
            try:
                yield self.state
            finally:
                self._mutation_depth -= 1
                if self._mutation_depth == 0:
                    self._changed()

    def _changed(self) -> None:
        if self._saver is not None:
            self._saver.changed()

    def flush(self) -> None:
        """Write changes not saved yet (with `save_delay`); nothing to do otherwise."""
        if self._saver is not None:
            self._saver.flush()

    def save(self) -> None:
        if self._saver is not None:
            self._saver.save()

    def reset(self, seed: dict[str, Any] | None = None) -> None:
        """Forget everything (meetings, tokens, requests, faults, deliveries) and start again from a seed."""
        with self.lock:
            if seed is not None:
                self._seed = seed
            self.state = state_from_seed(self._seed, self.clock.now())
            self.request_log.clear()
            self.faults.clear()
            self.rate_limiter.reset()
            self.webhooks.clear()
            self.save()

    def add_redirect_uri(self, client_id: str, uri: str) -> None:
        with self.mutation() as state:
            app = state.oauth_apps[client_id]
            if uri not in app.redirect_uris:
                app.redirect_uris.append(uri)

    def set_event_url(self, client_id: str, url: str, secret_token: str | None = None) -> None:
        """Point an OAuth or S2S app's event subscription at `url`, optionally with a new secret token."""
        with self.mutation() as state:
            app = state.oauth_apps.get(client_id) or state.s2s_apps[client_id]
            app.event_url = url
            if secret_token is not None:
                app.webhook_secret = secret_token

    def set_user_settings(self, user_id: str, settings: dict[str, Any]) -> None:
        """Deep-merge `settings` into a user's settings overrides (e.g. a stricter passcode requirement)."""
        from .user_settings import deep_merge

        with self.mutation() as state:
            user = state.users[user_id]
            user.settings = deep_merge(user.settings, settings)

    def expire_access_tokens(self) -> int:
        """Make every access token expired now; returns how many were live."""
        now = self.clock.now()
        with self.mutation() as state:
            live = [t for t in state.tokens.values() if t.kind == "access" and t.expires_at > now]
            for token in live:
                token.expires_at = now - 1
            return len(live)

    # --- request log ---------------------------------------------------------------------------------------

    def record_request(self, entry: dict[str, Any]) -> None:
        self.request_log.record(entry)

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Requests received, oldest first. `path` matches exactly, or as a prefix when it ends with `*`."""
        return self.request_log.matching(method, path)

    def clear_requests(self) -> None:
        self.request_log.clear()

    # --- faults --------------------------------------------------------------------------------------------

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        return self.faults.set_at(settings, self.clock.now()).to_dict()

    def clear_faults(self) -> None:
        self.faults.clear()

    # --- webhooks ------------------------------------------------------------------------------------------

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        return self.webhooks.deliveries()

    def wait_for_webhooks(self, timeout: float = 5.0) -> bool:
        return self.webhooks.wait_idle(timeout)

    def validate_event_url(self, client_id: str) -> dict[str, Any]:
        with self.lock:
            app = self.state.oauth_apps.get(client_id) or self.state.s2s_apps[client_id]
            url, secret = app.event_url, app.webhook_secret
        return self.webhooks.validate_url(url, secret)

    def emit(self, event: str, account_id: str, host: User | None, payload: dict[str, Any]) -> list[Delivery]:
        """Send `event` to subscribed apps allowed to see it: account S2S apps, host-installed OAuth apps."""
        body = {
            "event": event,
            "event_ts": int(self.clock.now() * 1000),
            "payload": {"account_id": account_id, **payload},
        }
        with self.lock:
            targets = [
                (app.client_id, app.event_url, app.webhook_secret)
                for app in self.state.oauth_apps.values()
                if app.event_url and host is not None and (app.client_id, host.id) in self.state.grants
            ]
            targets += [
                (app.client_id, app.event_url, app.webhook_secret)
                for app in self.state.s2s_apps.values()
                if app.event_url and app.account_id == account_id
            ]
        return [self.webhooks.send(url, secret, client_id, body) for client_id, url, secret in targets]

    def trigger(self, event: str, **params: Any) -> dict[str, Any]:
        """Make something happen "in the Zoom web portal" so that Zoom notifies the apps.

        `meeting.deleted` (meeting_id), `meeting.updated` (meeting_id, changes), `app_deauthorized`
        (client_id, user_id), `endpoint.url_validation` (client_id).
        """
        from . import meetings, oauth

        if event == "meeting.deleted":
            meetings.delete_meeting(self, int(params["meeting_id"]), operator=None)
            return {"event": event, "meeting_id": int(params["meeting_id"])}
        if event == "meeting.updated":
            meetings.update_meeting(self, int(params["meeting_id"]), params.get("changes", {}), operator=None)
            return {"event": event, "meeting_id": int(params["meeting_id"])}
        if event == "app_deauthorized":
            oauth.deauthorize(self, params["client_id"], params["user_id"])
            return {"event": event}
        if event == "endpoint.url_validation":
            return self.validate_event_url(params["client_id"])
        raise ValueError(f"cannot trigger {event!r}")

    # --- views for pages and tests -------------------------------------------------------------------------

    def meetings_of(self, host_id: str) -> list[Meeting]:
        with self.lock:
            found = [meeting for meeting in self.state.meetings.values() if meeting.host_id == host_id]
        return sorted(found, key=lambda meeting: (meeting.start_time or 0, meeting.id))

    def now_iso(self) -> str:
        return iso_z(self.clock.now())
