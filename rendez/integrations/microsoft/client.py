"""Microsoft Graph v1.0 (calendars, events, calendarView delta, subscriptions) over `rendez.lib.http`.

Strict about what Graph documents (https://learn.microsoft.com/en-us/graph/errors, /graph/throttling):
401 → renew the token once and retry; 429, 503, 5xx, network trouble and bodies that are not Graph's JSON
(empty, a proxy's HTML) → `GraphUnavailable` (retry after Retry-After); 410 `syncStateNotFound` /
`resyncRequired` on a delta link → `DeltaGone` (full sync); 404 → `NotFound`; other 4xx → `GraphRefused`.
Errors are told apart by status and `error.code`, never by message. Links Graph returns (`@odata.nextLink`,
`@odata.deltaLink`) are followed only under the configured Graph base URL: the bearer token goes nowhere else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

from rendez.calendars import errors
from rendez.calendars.connecting import CalendarEntry
from rendez.calendars.models import CalendarConnection
from rendez.integrations.microsoft import tokens
from rendez.lib import http

DELTA_GONE_CODES = frozenset({"syncStateNotFound", "resyncRequired"})
PAGE_SIZE = 100


class GraphError(errors.ProviderError):
    pass


class GraphUnavailable(errors.ProviderUnavailable, GraphError):
    """Try again later (after `retry_after` seconds when Graph said)."""


class DeltaGone(GraphError):
    """410 on a delta link: the sync state is gone; start a full sync."""


class NotFound(GraphError):
    pass


class GraphRefused(GraphError):
    """A permanent refusal (400, 403...): retrying the same request cannot help."""


@dataclass(frozen=True)
class DeltaPage:
    items: list[dict[str, Any]]
    next_link: str | None
    delta_link: str | None


def graph_base() -> str:
    return str(settings.MICROSOFT_GRAPH_BASE_URL)


def owned_link(link: str) -> bool:
    """A link Graph gave us, under the configured base URL (else it is not followed with our token)."""
    return link.startswith(f"{graph_base()}/")


class GraphClient:
    def __init__(self, connection: CalendarConnection, zone: str = "UTC") -> None:
        self.connection = connection
        # Start and end come back in this zone (Prefer: outlook.timezone); all-day events are days in it.
        self.zone = zone

    # --- the account ----------------------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        return self._call("GET", "/me")

    def default_calendar(self) -> dict[str, Any]:
        return self._call("GET", "/me/calendar")

    def calendar_list(self) -> list[CalendarEntry]:
        """The account's calendars (GET /me/calendars, every @odata.nextLink), for staff to choose from."""
        entries: list[CalendarEntry] = []
        answer = self._call("GET", "/me/calendars")
        for _ in range(20):  # more pages than that is not a person's list
            for item in answer.get("value", []):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    entries.append(
                        CalendarEntry(
                            id=item["id"],
                            summary=str(item.get("name") or item["id"]),
                            primary=bool(item.get("isDefaultCalendar")),
                            writable=bool(item.get("canEdit")),
                        )
                    )
            link = answer.get("@odata.nextLink")
            if not isinstance(link, str) or not owned_link(link):
                break
            answer = self._call_url("GET", link)
        return entries

    # --- delta ----------------------------------------------------------------------------------------------

    def delta_first(self, calendar_id: str, start: str, end: str) -> DeltaPage:
        path = f"{_calendar(calendar_id)}/calendarView/delta"
        return self._delta(self._url(path), {"startDateTime": start, "endDateTime": end})

    def delta_next(self, link: str) -> DeltaPage:
        if not owned_link(link):
            raise DeltaGone("a delta link outside the configured Graph base URL", None, "foreignLink")
        return self._delta(link, None)

    def delta_rounds(self, first: DeltaPage) -> Iterator[DeltaPage]:
        page = first
        yield page
        while page.next_link:
            page = self.delta_next(page.next_link)
            yield page

    def _delta(self, url: str, params: dict[str, str] | None) -> DeltaPage:
        try:
            answer = self._call_url("GET", url, params=params, prefer_pages=True)
        except (GraphRefused, NotFound) as exc:
            if exc.status == 410 or exc.code in DELTA_GONE_CODES:
                raise DeltaGone(str(exc), exc.status, exc.code) from None
            raise
        value = answer.get("value")
        if not isinstance(value, list):
            raise GraphUnavailable("a delta answer without `value`", 200)
        return DeltaPage(
            items=[item for item in value if isinstance(item, dict)],
            next_link=answer.get("@odata.nextLink"),
            delta_link=answer.get("@odata.deltaLink"),
        )

    # --- events ---------------------------------------------------------------------------------------------

    def find_by_property(self, calendar_id: str, property_id: str, value: str) -> list[dict[str, Any]]:
        matches = f"ep/id eq '{property_id}' and ep/value eq '{value}'"
        params = {
            "$filter": f"singleValueExtendedProperties/Any(ep: {matches})",
            "$expand": f"singleValueExtendedProperties($filter=id eq '{property_id}')",
        }
        answer = self._call("GET", f"{_calendar(calendar_id)}/events", params=params)
        return [item for item in answer.get("value", []) if isinstance(item, dict)]

    def create_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", f"{_calendar(calendar_id)}/events", json=body)

    def get_event(self, event_id: str) -> dict[str, Any]:
        return self._call("GET", f"/me/events/{quote(event_id, safe='')}")

    def update_event(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("PATCH", f"/me/events/{quote(event_id, safe='')}", json=body)

    def delete_event(self, event_id: str) -> None:
        self._call("DELETE", f"/me/events/{quote(event_id, safe='')}", expect_body=False)

    # --- subscriptions --------------------------------------------------------------------------------------

    def create_subscription(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/subscriptions", json=body)

    def renew_subscription(self, subscription_id: str, expiration: str) -> dict[str, Any]:
        path = f"/subscriptions/{quote(subscription_id, safe='')}"
        return self._call("PATCH", path, json={"expirationDateTime": expiration})

    def delete_subscription(self, subscription_id: str) -> None:
        with contextlib.suppress(NotFound):  # expired or removed already
            self._call("DELETE", f"/subscriptions/{quote(subscription_id, safe='')}", expect_body=False)

    # --- transport ------------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{graph_base()}{path}"

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return self._call_url(method, self._url(path), **kwargs)

    def _call_url(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        expect_body: bool = True,
        prefer_pages: bool = False,
    ) -> dict[str, Any]:
        prefer = f'outlook.timezone="{self.zone}"'
        if prefer_pages:
            prefer += f", odata.maxpagesize={PAGE_SIZE}"
        token = tokens.access_token(self.connection)
        response = self._send(method, url, token, params, json, prefer)
        if response.status_code == 401:
            token = tokens.after_rejection(self.connection, token)
            response = self._send(method, url, token, params, json, prefer)
        return _answer(response, expect_body)

    @staticmethod
    def _send(method: str, url: str, token: str, params: Any, json: Any, prefer: str) -> Any:
        try:
            return http.request(
                method,
                url,
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {token}", "Prefer": prefer},
                raise_for_status=False,
                configured_base_url=graph_base(),
            )
        except http.HTTPError as exc:
            raise GraphUnavailable(f"{method} to Microsoft Graph failed: {type(exc).__name__}") from None


def _calendar(calendar_id: str) -> str:
    return f"/me/calendars/{quote(calendar_id, safe='')}"


def _answer(response: Any, expect_body: bool) -> dict[str, Any]:
    status = response.status_code
    body = _json(response)
    if status < 300:
        if not expect_body:
            return {}
        if body is None:
            raise GraphUnavailable(f"Microsoft Graph answered {status} without a JSON body", status)
        return body
    code = _code(body)
    message = f"Microsoft Graph answered {status} ({code or 'no error code'})"
    retry_after = http.retry_after_seconds(response)
    if status in (429, 503) or status >= 500:
        raise GraphUnavailable(message, status, code, retry_after)
    if body is None or not code:
        # An empty or HTML error page from something in between, not Graph speaking: it may pass.
        raise GraphUnavailable(message, status, code, retry_after)
    if status == 401:
        raise tokens.ConnectionUnusable("Microsoft Graph refused a freshly renewed access token")
    if status == 404:
        raise NotFound(message, status, code)
    if status == 410:
        raise DeltaGone(message, status, code)
    raise GraphRefused(message, status, code)


def _json(response: Any) -> dict[str, Any] | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _code(body: dict[str, Any] | None) -> str:
    if not body or not isinstance(body.get("error"), dict):
        return ""
    return str(body["error"].get("code") or "")
