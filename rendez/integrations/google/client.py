"""Google Calendar API v3 over `rendez.lib.http`, strict about what Google documents.

Errors are classified by status and `error.errors[0].reason` (never by message): 401 → refresh once and
retry; 403 `rateLimitExceeded`/`userRateLimitExceeded`, 429, 5xx, network trouble, and bodies that are not the
JSON Google promises (empty, HTML from a proxy) → `CalendarUnavailable` (retry, honouring Retry-After); 410 on
a list with a sync token → `SyncTokenGone` (full sync); 404 → `NotFound`; 410 on an event → `Deleted`.
Times sent are RFC 3339 with an offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings

from rendez.calendars import errors
from rendez.calendars.connecting import CalendarEntry
from rendez.calendars.models import CalendarConnection
from rendez.integrations.google import tokens
from rendez.lib import http

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


class CalendarError(errors.ProviderError):
    @property
    def reason(self) -> str:
        """Google's `error.errors[0].reason`."""
        return self.code


class CalendarUnavailable(errors.ProviderUnavailable, CalendarError):
    """Try again later (after `retry_after` seconds when Google said)."""


class SyncTokenGone(CalendarError):
    """410 on an incremental list: drop the sync token and sync in full."""


class NotFound(CalendarError):
    pass


class Deleted(CalendarError):
    """410 `deleted`: the event was deleted already."""


class CalendarRefused(CalendarError):
    """A permanent refusal (400, 403 insufficientPermissions, ...): retrying the same request cannot help."""


@dataclass(frozen=True)
class EventPage:
    items: list[dict[str, Any]]
    next_page_token: str | None
    next_sync_token: str | None
    time_zone: str


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no RFC 3339 form")
    return moment.isoformat()


class CalendarClient:
    def __init__(self, connection: CalendarConnection) -> None:
        self.connection = connection

    # --- calendars ------------------------------------------------------------------------------------------

    def calendar_list(self) -> list[CalendarEntry]:
        """The account's calendars (calendarList.list, every page), for staff to choose from."""
        entries: list[CalendarEntry] = []
        params: dict[str, str] = {"maxResults": "250"}
        for _ in range(20):  # 5000 calendars: more is not a person's list
            answer = self._call("GET", "/users/me/calendarList", params=params)
            for item in answer.get("items", []):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    entries.append(
                        CalendarEntry(
                            id=item["id"],
                            summary=str(item.get("summaryOverride") or item.get("summary") or item["id"]),
                            primary=bool(item.get("primary")),
                            writable=item.get("accessRole") in ("owner", "writer"),
                        )
                    )
            token = answer.get("nextPageToken")
            if not isinstance(token, str) or not token:
                break
            params["pageToken"] = token
        return entries

    # --- events ---------------------------------------------------------------------------------------------

    def list_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        page_token: str | None = None,
        time_min: datetime | None = None,
        private_property: str | None = None,
    ) -> EventPage:
        params: dict[str, str] = {"singleEvents": "true", "maxResults": "2500"}
        if sync_token:
            params["syncToken"] = sync_token  # alone: Google answers 400 to timeMin & co. beside it
        else:
            if time_min is not None:
                params["timeMin"] = rfc3339(time_min)
            if private_property:
                params["privateExtendedProperty"] = private_property
        if page_token:
            params["pageToken"] = page_token
        try:
            answer = self._call("GET", f"{self._events(calendar_id)}", params=params)
        except Deleted as gone:
            raise SyncTokenGone(str(gone), gone.status, gone.reason) from None
        return EventPage(
            items=[item for item in answer.get("items", []) if isinstance(item, dict)],
            next_page_token=answer.get("nextPageToken"),
            next_sync_token=answer.get("nextSyncToken"),
            time_zone=str(answer.get("timeZone", "")),
        )

    def all_events(self, calendar_id: str, **query: Any) -> Iterator[EventPage]:
        page = self.list_events(calendar_id, **query)
        yield page
        while page.next_page_token:
            page = self.list_events(calendar_id, **query, page_token=page.next_page_token)
            yield page

    def insert_event(
        self, calendar_id: str, body: dict[str, Any], *, conference: bool = False
    ) -> dict[str, Any]:
        """`conference`: send `conferenceDataVersion=1`, without which Google ignores `conferenceData`."""
        params = _write_params(conference)
        return self._call("POST", self._events(calendar_id), json=body, params=params)

    def patch_event(
        self, calendar_id: str, event_id: str, body: dict[str, Any], *, conference: bool = False
    ) -> dict[str, Any]:
        path = f"{self._events(calendar_id)}/{quote(event_id, safe='')}"
        return self._call("PATCH", path, json=body, params=_write_params(conference))

    def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return self._call("GET", f"{self._events(calendar_id)}/{quote(event_id, safe='')}")

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        path = f"{self._events(calendar_id)}/{quote(event_id, safe='')}"
        self._call("DELETE", path, params={"sendUpdates": "none"}, expect_body=False)

    # --- push channels --------------------------------------------------------------------------------------

    def watch(
        self, calendar_id: str, channel_id: str, address: str, token: str, expiration_ms: int
    ) -> dict[str, Any]:
        body = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": token,
            "expiration": str(expiration_ms),
        }
        return self._call("POST", f"{self._events(calendar_id)}/watch", json=body)

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        try:
            body = {"id": channel_id, "resourceId": resource_id}
            self._call("POST", "/channels/stop", json=body, expect_body=False)
        except NotFound:
            pass  # expired or stopped already

    # --- transport ------------------------------------------------------------------------------------------

    @staticmethod
    def _events(calendar_id: str) -> str:
        return f"/calendars/{quote(calendar_id, safe='')}/events"

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        expect_body: bool = True,
    ) -> dict[str, Any]:
        token = tokens.access_token(self.connection)
        response = self._send(method, path, token, params, json)
        if response.status_code == 401:
            token = tokens.after_rejection(self.connection, token)
            response = self._send(method, path, token, params, json)
        return _answer(response, expect_body)

    @staticmethod
    def _send(method: str, path: str, token: str, params: Any, json: Any) -> Any:
        base = settings.GOOGLE_CALENDAR_API_BASE_URL
        try:
            return http.request(
                method,
                f"{base}{path}",
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {token}"},
                raise_for_status=False,
                configured_base_url=base,
            )
        except http.HTTPError as exc:
            raise CalendarUnavailable(f"{method} to Google Calendar failed: {type(exc).__name__}") from None


def _write_params(conference: bool) -> dict[str, str]:
    params = {"sendUpdates": "none"}
    if conference:
        params["conferenceDataVersion"] = "1"
    return params


def _answer(response: Any, expect_body: bool) -> dict[str, Any]:
    status = response.status_code
    body = _json(response)
    if status < 300:
        if not expect_body:
            return {}
        if body is None:
            raise CalendarUnavailable(f"Google Calendar answered {status} without a JSON body", status)
        return body
    reason = _reason(body)
    message = f"Google Calendar answered {status} ({reason or 'no reason given'})"
    retry_after = http.retry_after_seconds(response)
    if status == 429 or status >= 500 or (status == 403 and reason in RATE_LIMIT_REASONS):
        raise CalendarUnavailable(message, status, reason, retry_after)
    if body is None and status not in (401, 404, 410):
        # An HTML or empty error page from something in between, not Google's API: it may pass.
        raise CalendarUnavailable(message, status, reason, retry_after)
    if status == 404:
        raise NotFound(message, status, reason)
    if status == 410:
        raise Deleted(message, status, reason)
    if status == 401:
        raise tokens.ConnectionUnusable("Google refused a freshly renewed access token")
    raise CalendarRefused(message, status, reason)


def _json(response: Any) -> dict[str, Any] | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _reason(body: dict[str, Any] | None) -> str:
    if not body or not isinstance(body.get("error"), dict):
        return ""
    errors = body["error"].get("errors") or []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    return str(first.get("reason") or body["error"].get("status") or "")
