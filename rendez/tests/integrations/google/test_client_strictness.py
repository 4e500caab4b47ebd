"""The Calendar client and token code against answers the emulator does not give (HTML and empty bodies from
something in between, a rotated refresh token): Google's HTTP answers played by a MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx2
import pytest
from django.utils import timezone

from rendez.calendars.models import CalendarConnection
from rendez.integrations.google import tokens
from rendez.integrations.google.client import (
    CalendarClient,
    CalendarRefused,
    CalendarUnavailable,
    NotFound,
    SyncTokenGone,
)
from rendez.lib import http
from rendez.scheduling.tests.factories import make_staff, make_tenant


@pytest.fixture
def link(db, settings) -> CalendarConnection:
    settings.GOOGLE_CALENDAR_API_BASE_URL = "https://www.googleapis.com/calendar/v3"
    settings.GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
    tenant = make_tenant("strict")
    connection = CalendarConnection(tenant=tenant, staff=make_staff(tenant, "Sam"), provider="google")
    now = timezone.now()
    connection.set_tokens("ya29.old", "1//refresh-old", now + timedelta(hours=1), now + timedelta(minutes=55))
    connection.save()
    return connection


def google_answers(handler: Callable[[httpx2.Request], httpx2.Response]):
    return http.use_transport(httpx2.MockTransport(handler))


def error(status: int, reason: str) -> httpx2.Response:
    body = {"error": {"code": status, "message": "m", "errors": [{"domain": "global", "reason": reason}]}}
    return httpx2.Response(status, json=body)


@pytest.mark.parametrize(
    "answer",
    [
        httpx2.Response(
            200, text="<html>Service temporarily unavailable</html>", headers={"content-type": "text/html"}
        ),
        httpx2.Response(200, content=b""),
        httpx2.Response(
            502, text="<html><body>Bad Gateway</body></html>", headers={"content-type": "text/html"}
        ),
        httpx2.Response(400, content=b""),
    ],
)
def test_bodies_that_are_not_googles_json_are_passing_troubles(link, answer):
    with google_answers(lambda request: answer), pytest.raises(CalendarUnavailable):
        CalendarClient(link).list_events("primary")


def test_429_carries_its_retry_after(link):
    answer = error(429, "rateLimitExceeded")
    answer.headers["Retry-After"] = "30"
    with google_answers(lambda request: answer), pytest.raises(CalendarUnavailable) as raised:
        CalendarClient(link).list_events("primary")
    assert raised.value.retry_after == 30 and raised.value.status == 429


def test_410_on_a_sync_token_asks_for_a_full_sync_404_and_403_permissions_are_refusals(link):
    with google_answers(lambda request: error(410, "fullSyncRequired")), pytest.raises(SyncTokenGone):
        CalendarClient(link).list_events("primary", sync_token="tok")
    with google_answers(lambda request: error(404, "notFound")), pytest.raises(NotFound):
        CalendarClient(link).patch_event("primary", "abc12", {})
    with (
        google_answers(lambda request: error(403, "insufficientPermissions")),
        pytest.raises(CalendarRefused),
    ):
        CalendarClient(link).insert_event("primary", {})


def test_times_sent_are_rfc3339_with_an_offset_and_the_sync_token_goes_alone(link):
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"items": [], "nextSyncToken": "n"})

    with google_answers(answer):
        CalendarClient(link).list_events("primary", time_min=timezone.now())
        CalendarClient(link).list_events("primary", sync_token="s", time_min=timezone.now())
    assert seen[0].url.params["timeMin"].endswith("+00:00")
    assert set(seen[1].url.params) == {"syncToken", "singleEvents", "maxResults"}


def test_a_401_refreshes_once_and_a_rotated_refresh_token_replaces_the_old_one(link):
    calls: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token":
            calls.append("refresh")
            grant = {"access_token": "ya29.new", "expires_in": 3599, "refresh_token": "1//refresh-new"}
            return httpx2.Response(200, json=grant)
        calls.append(request.headers["Authorization"])
        if request.headers["Authorization"] == "Bearer ya29.old":
            return error(401, "authError")
        return httpx2.Response(200, json={"items": []})

    with google_answers(answer):
        CalendarClient(link).list_events("primary")
    assert calls == ["Bearer ya29.old", "refresh", "Bearer ya29.new"]
    link.refresh_from_db()
    assert link.refresh_token == "1//refresh-new" and link.access_token == "ya29.new"
    assert "1//refresh-new" not in link.refresh_token_encrypted  # encrypted at rest


def test_invalid_grant_marks_the_connection_and_no_token_is_in_its_reason(link):
    CalendarConnection.objects.filter(pk=link.pk).update(access_token_renew_at=timezone.now())
    link.refresh_from_db()
    answer = httpx2.Response(
        400, json={"error": "invalid_grant", "error_description": "Token has been expired"}
    )
    with google_answers(lambda request: answer), pytest.raises(tokens.ConnectionUnusable):
        tokens.access_token(link)
    link.refresh_from_db()
    assert link.status == CalendarConnection.Status.NEEDS_RECONNECT
    assert "refresh-old" not in link.broken_reason
