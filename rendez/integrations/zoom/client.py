"""Zoom's REST API (§3, §4) for one connection.

    client = ZoomClient(connection)
    me = client.get_model("/users/me", Me)

Every request sends `Accept: application/json` and, with a body, `Content-Type: application/json`. Answers are
parsed by `responses.py`: JSON, empty 204s, and XML error bodies. A 401 with code 124 (token rejected) renews
the token through `tokens.py` and retries once. Every call first takes its turn from the account's rate
limiter (`ratelimit.py`), and a 429 pauses it for every process. Zoom's `x-zm-trackingid` is logged with
every call; tokens never are.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import httpx2

from rendez.integrations.zoom import conf, ratelimit, tokens
from rendez.integrations.zoom.errors import ZoomUnavailable
from rendez.integrations.zoom.models import Connection
from rendez.integrations.zoom.responses import Model, error_from, parse_model, tracking_id
from rendez.integrations.zoom.schemas import UserPage, ZoomUser
from rendez.lib import http
from rendez.observability import metrics

logger = logging.getLogger("rendez.zoom")

USERS_PAGE_SIZE = 300
# A safety stop for a server that keeps answering with a next page: 200 pages of 300 is 60,000 users.
MAX_USER_PAGES = 200


class ZoomClient:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> httpx2.Response:
        """Send one call; a successful response is returned, anything else raised as a `ZoomError`."""
        token = tokens.access_token(self.connection)
        response = self._send(method, path, token, params, body)
        if response.status_code in (400, 401):
            error = error_from(response)
            # An unsaved connection (the callback's probe with a fresh grant) has nothing to renew from.
            if getattr(error, "is_token_rejected", False) and self.connection.pk is not None:
                token = tokens.after_rejection(self.connection, token)
                response = self._send(method, path, token, params, body)
        if response.status_code >= 300:
            raise error_from(response)
        return response

    def get_model(self, path: str, model: type[Model], params: dict[str, Any] | None = None) -> Model:
        return parse_model(model, self.request("GET", path, params=params))

    def list_users(self) -> list[ZoomUser]:
        """Every active user of the account, across all of Zoom's pages (§4.1)."""
        users: list[ZoomUser] = []
        params: dict[str, Any] = {"status": "active", "page_size": USERS_PAGE_SIZE}
        for _ in range(MAX_USER_PAGES):
            page = self.get_model("/users", UserPage, params=params)
            users.extend(user for user in page.users if user.id)
            if not page.next_page_token:
                break
            params = {**params, "next_page_token": page.next_page_token}
        else:
            logger.warning(
                "zoom users list of connection %s still had more after %d pages; the rest is left out",
                self.connection.pk,
                MAX_USER_PAGES,
            )
        return users

    def _send(
        self, method: str, path: str, token: str, params: dict[str, Any] | None, body: Any
    ) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":")).encode()
        category = ratelimit.category_of(path)
        ratelimit.acquire(self.connection, category)
        started = time.monotonic()
        try:
            response = http.request(
                method,
                f"{conf.api_base_url()}{path}",
                params=params,
                content=content,
                headers=headers,
                raise_for_status=False,
                configured_base_url=conf.api_base_url(),  # may be the emulator on loopback
            )
        except http.HTTPError as exc:
            metrics.zoom_called(method, path, None, time.monotonic() - started)
            raise ZoomUnavailable(f"Zoom could not be reached for {method} {path} ({exc})") from None
        logger.info(
            "zoom %s %s -> %s in %.0f ms (tracking id %s)",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            tracking_id(response) or "-",
        )
        metrics.zoom_called(method, path, response.status_code, time.monotonic() - started)
        ratelimit.after_response(self.connection, category, response)
        return response
