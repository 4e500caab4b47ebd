"""The Graph client against answers the emulator does not give (HTML and empty bodies from something in
between, a delta link on another host): Graph's HTTP answers played by a MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx2
import pytest
from django.utils import timezone

from rendez.calendars.models import CalendarConnection
from rendez.integrations.microsoft.client import (
    DeltaGone,
    GraphClient,
    GraphRefused,
    GraphUnavailable,
    NotFound,
)
from rendez.integrations.oauth.provider import GrantRefused
from rendez.lib import http
from rendez.scheduling.tests.factories import make_staff, make_tenant

GRAPH = "https://graph.microsoft.com/v1.0"


@pytest.fixture
def link(db, settings) -> CalendarConnection:
    settings.MICROSOFT_GRAPH_BASE_URL = GRAPH
    settings.MICROSOFT_LOGIN_BASE_URL = "https://login.microsoftonline.com"
    tenant = make_tenant("strict")
    connection = CalendarConnection(tenant=tenant, staff=make_staff(tenant, "Sam"), provider="microsoft")
    now = timezone.now()
    connection.set_tokens("eyJ.old", "M.refresh-old", now + timedelta(hours=1), now + timedelta(minutes=55))
    connection.save()
    return connection


def graph_answers(handler: Callable[[httpx2.Request], httpx2.Response]):
    return http.use_transport(httpx2.MockTransport(handler))


def error(status: int, code: str) -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"code": code, "message": "m", "innerError": {}}})


@pytest.mark.parametrize(
    "answer",
    [
        httpx2.Response(200, text="<html>Service unavailable</html>", headers={"content-type": "text/html"}),
        httpx2.Response(200, content=b""),
        httpx2.Response(
            502, text="<html><body>Bad Gateway</body></html>", headers={"content-type": "text/html"}
        ),
        httpx2.Response(400, content=b""),
        error(504, "GatewayTimeout"),
    ],
)
def test_bodies_that_are_not_graphs_json_are_passing_troubles(link, answer):
    with graph_answers(lambda request: answer), pytest.raises(GraphUnavailable):
        GraphClient(link).delta_first("cal", "2030-01-01T00:00:00Z", "2030-02-01T00:00:00Z")


def test_429_carries_its_retry_after(link):
    answer = error(429, "TooManyRequests")
    answer.headers["Retry-After"] = "30"
    with graph_answers(lambda request: answer), pytest.raises(GraphUnavailable) as raised:
        GraphClient(link).default_calendar()
    assert raised.value.retry_after == 30 and raised.value.status == 429


@pytest.mark.parametrize("code", ["syncStateNotFound", "resyncRequired"])
def test_410_on_a_delta_link_asks_for_a_full_sync(link, code):
    with graph_answers(lambda request: error(410, code)), pytest.raises(DeltaGone) as raised:
        GraphClient(link).delta_next(f"{GRAPH}/me/calendars/cal/calendarView/delta?$deltatoken=t")
    assert raised.value.code == code


def test_a_delta_link_on_another_host_is_never_followed_with_the_token(link):
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return error(500, "x")

    with graph_answers(answer), pytest.raises(DeltaGone):
        GraphClient(link).delta_next("https://evil.example/v1.0/me/calendarView/delta?$deltatoken=t")
    assert seen == []


def test_404_and_403_are_refusals(link):
    with graph_answers(lambda request: error(404, "ErrorItemNotFound")), pytest.raises(NotFound):
        GraphClient(link).update_event("abc", {})
    with graph_answers(lambda request: error(403, "ErrorAccessDenied")), pytest.raises(GraphRefused):
        GraphClient(link).create_event("cal", {})


def test_a_401_refreshes_once_and_a_refresh_answer_without_a_new_refresh_token_is_refused(link):
    calls: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/token"):
            calls.append("refresh")
            return httpx2.Response(
                200, json={"access_token": "eyJ.new", "expires_in": 3600, "token_type": "Bearer"}
            )
        calls.append(request.headers["Authorization"])
        return error(401, "InvalidAuthenticationToken")

    # Microsoft rotates refresh tokens: an answer without one would kill the connection within the hour.
    with graph_answers(answer), pytest.raises(GrantRefused) as raised:
        GraphClient(link).me()
    assert calls == ["Bearer eyJ.old", "refresh"]
    assert "refresh_token" in str(raised.value)
    link.refresh_from_db()
    assert link.refresh_token == "M.refresh-old"
