"""How the client reads what a strict, odd or failing Zoom answers (zoom-api.md §1.11, §1.12, §3.6, §5.3, §9).

Only the network is replaced, by an `httpx2.MockTransport` (`rendez.lib.http.use_transport`): the production
client, OAuth and token code run as they are, and every request they send is inspected.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx2
import pytest

from rendez.integrations.zoom import client as client_module
from rendez.integrations.zoom import oauth, tokens
from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.errors import (
    ConnectionUnusable,
    OAuthGrantError,
    ZoomAPIError,
    ZoomDailyCapReached,
    ZoomError,
    ZoomResponseError,
    ZoomUnavailable,
)
from rendez.integrations.zoom.models import Connection, Mode
from rendez.integrations.zoom.responses import seconds_until_utc_midnight
from rendez.integrations.zoom.schemas import Me, TokenGrant
from rendez.lib import http

API = "https://api.zoom.test/v2"
OAUTH = "https://zoom.test"
ACCESS = "access-token-0123456789abcdef"
REFRESH = "refresh-token-0123456789abcdef"
NEW_ACCESS = "access-token-renewed-fedcba9876"
NEW_REFRESH = "refresh-token-renewed-fedcba9876"
S2S_ACCESS = "s2s-access-token-00112233"
EVERY_TOKEN = (ACCESS, REFRESH, NEW_ACCESS, NEW_REFRESH, S2S_ACCESS)
TRACKING = "v=2.0;clid=us02;rid=WEB_4b1f0c2e9a"

# zoom-api.md §3.6, exactly as Zoom sent it (pyzoom PR #71).
XML_VALIDATION_ERROR = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><result><code>300</code><message>Validation '
    "Failed.</message><errors><field>password</field><message>Password provided does not match the "
    "password requirement settings set for this account. The password must follow these rules: [Password "
    "can only have a maximum 10 characters.].</message></errors></result>"
)
QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


def daily_cap_message(cap: int) -> str:
    return (
        f"You have exceeded the daily rate limit ({cap}) of Meeting Create/Update API requests permitted for "
        "this particular user. You may resume these requests at GMT 00:00:00."
    )


ME = {"id": "zoom-user-1", "email": "maria@example.com", "account_id": "acc-1", "first_name": "Maria"}
GRANT = {
    "access_token": NEW_ACCESS,
    "token_type": "bearer",
    "refresh_token": NEW_REFRESH,
    "expires_in": 3599,
    "scope": "user:read:user",
}

Answer = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


class FakeZoom:
    """Answers requests in order and keeps them; an answer may be a function of the request (to fail)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.seen: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(request)
        assert self.answers, f"an unexpected request: {request.method} {request.url}"
        answer = self.answers.pop(0)
        return answer if isinstance(answer, httpx2.Response) else answer(request)

    def paths(self) -> list[str]:
        return [f"{request.method} {request.url.path}" for request in self.seen]


@pytest.fixture
def fake(settings) -> Iterator[Callable[..., FakeZoom]]:
    settings.ZOOM_API_BASE_URL = API
    settings.ZOOM_OAUTH_BASE_URL = OAUTH
    settings.ZOOM_CLIENT_ID = "client-id"
    settings.ZOOM_CLIENT_SECRET = "client-secret"
    stack: list[Any] = []

    def install(*answers: Answer) -> FakeZoom:
        zoom = FakeZoom(*answers)
        context = http.use_transport(httpx2.MockTransport(zoom))
        context.__enter__()
        stack.append(context)
        return zoom

    yield install
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture
def connection(maria) -> Connection:
    personal = Connection(
        tenant=maria.tenant,
        staff=maria,
        mode=Mode.STAFF_OAUTH,
        account_id="acc-1",
        zoom_user_id="zoom-user-1",
        email="maria@example.com",
    )
    grant = TokenGrant(access_token=ACCESS, refresh_token=REFRESH, expires_in=3599)
    tokens.store_grant(personal, grant)
    personal.save()
    return personal


def zoom_json(status: int, body: Any, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, json=body, headers={"x-zm-trackingid": TRACKING, **headers})


def zoom_error(status: int, code: int, message: str, **headers: str) -> httpx2.Response:
    return zoom_json(status, {"code": code, "message": message}, **headers)


def fail_with(error: type[httpx2.TransportError]) -> Callable[[httpx2.Request], httpx2.Response]:
    def answer(request: httpx2.Request) -> httpx2.Response:
        raise error("the network let us down", request=request)

    return answer


def raised(call: Callable[[], Any], error: type[ZoomError] = ZoomError) -> Any:
    with pytest.raises(error) as info:
        call()
    assert not any(token in str(info.value) for token in EVERY_TOKEN), info.value
    return info.value


def get_me(connection: Connection) -> Me:
    return ZoomClient(connection).get_model("/users/me", Me)


# --- errors Zoom answers with ------------------------------------------------------------------------------


def test_an_xml_validation_error_is_read_with_its_code_and_field_errors(fake, connection) -> None:
    fake(httpx2.Response(400, content=XML_VALIDATION_ERROR, headers={"Content-Type": "application/xml"}))

    error = raised(
        lambda: ZoomClient(connection).request("POST", "/users/me/meetings", body={}), ZoomAPIError
    )

    assert (error.status, error.code, error.message) == (400, 300, "Validation Failed.")
    assert list(error.field_errors) == ["password"]
    assert "maximum 10 characters" in error.field_errors["password"]
    assert not error.retryable and not error.is_token_rejected


def test_a_json_validation_error_lists_every_field(fake, connection) -> None:
    errors = [
        {"field": "start_time", "message": "Invalid field."},
        {"field": "duration", "message": "Too long."},
    ]
    fake(zoom_json(400, {"code": 300, "message": "Validation Failed.", "errors": errors}))

    error = raised(lambda: ZoomClient(connection).request("PATCH", "/meetings/1", body={}), ZoomAPIError)

    assert error.field_errors == {"start_time": "Invalid field.", "duration": "Too long."}


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_an_empty_204_is_a_success(fake, connection, method) -> None:
    zoom = fake(httpx2.Response(204))

    body = {"topic": "Moved"} if method == "PATCH" else None
    response = ZoomClient(connection).request(method, "/meetings/92674392836", body=body)

    assert response.status_code == 204 and response.content == b""
    sent = zoom.seen[0]
    assert sent.headers["Accept"] == "application/json"
    if method == "PATCH":
        assert sent.headers["Content-Type"] == "application/json"
        assert json.loads(sent.content) == {"topic": "Moved"}
    else:
        assert "Content-Type" not in sent.headers and sent.content == b""


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Bad gateway, but 200</body></html>",
        b'{"email": "maria@example.com"}',  # no id
        b'{"id": "zoom-user-1", "email": "maria@exa',  # cut short
        b"",
    ],
    ids=["html", "missing-id", "truncated", "empty"],
)
def test_a_success_whose_body_cannot_be_read_is_retryable(fake, connection, body) -> None:
    fake(httpx2.Response(200, content=body, headers={"Content-Type": "application/json"}))

    error = raised(lambda: get_me(connection), ZoomResponseError)

    assert error.retryable


def test_a_body_cut_off_by_the_network_is_retryable(fake, connection) -> None:
    class CutShort(httpx2.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'{"id": "zoom-user-1", '
            raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")

    fake(httpx2.Response(200, stream=CutShort(), headers={"Content-Length": "200"}))

    assert raised(lambda: get_me(connection), ZoomUnavailable).retryable


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (lambda now: "7", 7.0),
        (lambda now: format_datetime(now + timedelta(seconds=30), usegmt=True), 30.0),
        (lambda now: (now + timedelta(seconds=120)).strftime("%Y-%m-%dT%H:%M:%SZ"), 120.0),
    ],
    ids=["seconds", "http-date", "iso-8601"],
)
def test_a_per_second_429_is_retried_after_what_retry_after_says(fake, connection, header, expected) -> None:
    value = header(datetime.now(UTC).replace(microsecond=0))
    fake(zoom_error(429, 429, QPS_MESSAGE, **{"Retry-After": value, "X-RateLimit-Type": "QPS"}))

    error = raised(lambda: get_me(connection), ZoomUnavailable)

    assert error.retryable and not isinstance(error, ZoomDailyCapReached)
    assert error.retry_after == pytest.approx(expected, abs=2)


def test_a_per_second_429_without_retry_after_is_retryable_at_once(fake, connection) -> None:
    fake(zoom_error(429, 429, QPS_MESSAGE))

    error = raised(lambda: get_me(connection), ZoomUnavailable)

    assert error.retryable and error.retry_after is None


@pytest.mark.parametrize("cap", [100, 50])
def test_the_daily_cap_is_recognised_from_the_body_alone(fake, connection, cap) -> None:
    # §5.3: only the message tells; no Retry-After and no X-RateLimit-Type come with it.
    fake(zoom_error(429, 429, daily_cap_message(cap), **{"X-RateLimit-Category": "Light"}))

    error = raised(
        lambda: ZoomClient(connection).request("POST", "/users/me/meetings", body={"topic": "t"}),
        ZoomDailyCapReached,
    )

    assert error.retryable and error.status == 429
    assert error.retry_after == pytest.approx(seconds_until_utc_midnight(), abs=2)
    assert 0 < error.retry_after <= 24 * 3600


def test_seconds_until_utc_midnight() -> None:
    assert seconds_until_utc_midnight(datetime(2030, 3, 17, 23, 59, 30, tzinfo=UTC)) == 30
    assert seconds_until_utc_midnight(datetime(2030, 3, 17, 0, 0, tzinfo=UTC)) == 24 * 3600


@pytest.mark.parametrize(
    "answer",
    [
        httpx2.Response(500, json={"code": 500, "message": "Internal Server Error."}),
        httpx2.Response(502, content=b"<html>Bad Gateway</html>", headers={"Content-Type": "text/html"}),
        httpx2.Response(503, content=b"Service Temporarily Unavailable"),
        httpx2.Response(504, content=b"Gateway Timeout", headers={"Retry-After": "3"}),
    ],
    ids=["500-json", "502-html", "503-text", "504-retry-after"],
)
def test_a_server_error_is_retryable(fake, connection, answer) -> None:
    fake(answer)

    error = raised(lambda: get_me(connection), ZoomUnavailable)

    assert error.retryable
    assert error.retry_after == (3.0 if answer.status_code == 504 else None)


@pytest.mark.parametrize("failure", [httpx2.ConnectError, httpx2.ReadTimeout, httpx2.ConnectTimeout])
def test_no_answer_at_all_is_retryable(fake, connection, failure) -> None:
    fake(fail_with(failure))

    assert raised(lambda: get_me(connection), ZoomUnavailable).retryable


def test_a_meeting_that_is_gone_is_not_found(fake, connection) -> None:
    fake(zoom_error(404, 3001, "Meeting 92674392836 is not found or has expired."))

    error = raised(lambda: ZoomClient(connection).request("DELETE", "/meetings/92674392836"), ZoomAPIError)

    assert error.is_not_found and not error.retryable and error.code == 3001


def test_a_missing_scope_is_told_and_not_refreshed(fake, connection) -> None:
    zoom = fake(
        zoom_error(400, 4711, "Invalid access token, does not contain scopes:[user:read:list_users:admin].")
    )

    error = raised(lambda: ZoomClient(connection).list_users(), ZoomAPIError)

    assert error.is_missing_scope and not error.is_token_rejected
    assert zoom.paths() == ["GET /v2/users"]


# --- a rejected token -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 400])
def test_a_rejected_token_is_refreshed_once_and_the_call_retried_once(fake, connection, status) -> None:
    zoom = fake(
        zoom_error(status, 124, "Invalid access token."),
        zoom_json(200, GRANT),
        zoom_json(200, ME),
    )

    assert get_me(connection).id == "zoom-user-1"

    assert zoom.paths() == ["GET /v2/users/me", "POST /oauth/token", "GET /v2/users/me"]
    assert zoom.seen[0].headers["Authorization"] == f"Bearer {ACCESS}"
    assert dict(parse_qsl(zoom.seen[1].content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
    }
    assert zoom.seen[2].headers["Authorization"] == f"Bearer {NEW_ACCESS}"
    connection.refresh_from_db()
    assert (connection.access_token, connection.refresh_token) == (NEW_ACCESS, NEW_REFRESH)


def test_a_token_rejected_again_after_the_refresh_is_not_refreshed_twice(fake, connection) -> None:
    zoom = fake(
        zoom_error(401, 124, "Invalid access token."),
        zoom_json(200, GRANT),
        zoom_error(401, 124, "Access token is expired."),
    )

    error = raised(lambda: get_me(connection), ZoomAPIError)

    assert error.is_token_rejected
    assert zoom.paths() == ["GET /v2/users/me", "POST /oauth/token", "GET /v2/users/me"]


def test_a_token_another_process_already_replaced_is_not_refreshed(fake, connection) -> None:
    stale = Connection.objects.get(pk=connection.pk)
    tokens.store_grant(connection, TokenGrant.model_validate(GRANT))
    connection.save()
    zoom = fake(zoom_error(401, 124, "Invalid access token."), zoom_json(200, ME))

    assert get_me(stale).id == "zoom-user-1"

    assert zoom.paths() == ["GET /v2/users/me", "GET /v2/users/me"]
    assert zoom.seen[1].headers["Authorization"] == f"Bearer {NEW_ACCESS}"


def test_a_fresh_grant_rejected_before_it_was_stored_is_not_refreshed(fake, maria) -> None:
    probe = Connection(tenant=maria.tenant, staff=maria, mode=Mode.STAFF_OAUTH)
    tokens.store_grant(probe, TokenGrant.model_validate(GRANT))
    zoom = fake(zoom_error(401, 124, "Invalid access token."))

    error = raised(lambda: get_me(probe), ZoomAPIError)

    assert error.is_token_rejected and zoom.paths() == ["GET /v2/users/me"]
    assert not Connection.objects.exists()


# --- the token endpoint -----------------------------------------------------------------------------------


def test_a_refresh_refused_with_invalid_grant_needs_a_reconnect(fake, connection) -> None:
    Connection.objects.filter(pk=connection.pk).update(access_token_renew_at=datetime.now(UTC))
    connection.refresh_from_db()
    fake(zoom_json(400, {"reason": "Invalid Token!", "error": "invalid_grant"}))

    raised(lambda: tokens.access_token(connection), ConnectionUnusable)

    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_RECONNECT
    assert connection.refresh_token == REFRESH  # nothing else was changed


@pytest.mark.parametrize(
    ("status", "body", "name"),
    [
        (400, {"reason": "Invalid Token!", "error": "invalid_grant"}, "invalid_grant"),
        (400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, "invalid_client"),
        (401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, "invalid_client"),
    ],
)
def test_token_endpoint_refusals_are_read(fake, status, body, name) -> None:
    fake(zoom_json(status, body))

    error = raised(lambda: oauth.refresh(REFRESH), OAuthGrantError)

    assert (error.error, error.reason, error.status) == (name, body["reason"], status)
    assert error.is_invalid_grant == (name == "invalid_grant")
    assert error.is_invalid_client == (name == "invalid_client")
    assert not error.retryable


@pytest.mark.parametrize(
    "answer",
    [
        httpx2.Response(500, content=b"Internal Server Error"),
        httpx2.Response(503, json={"reason": "busy", "error": "temporarily_unavailable"}),
        httpx2.Response(429, json={"reason": "slow down", "error": "rate_limited"}),
        httpx2.Response(400, content=b"<html>proxy says no</html>"),
        fail_with(httpx2.ConnectTimeout),
    ],
    ids=["500", "503", "429", "400-not-oauth", "timeout"],
)
def test_token_endpoint_trouble_is_retryable(fake, answer) -> None:
    fake(answer)

    assert raised(lambda: oauth.refresh(REFRESH), ZoomUnavailable).retryable


def test_a_refresh_answer_without_a_refresh_token_is_refused(fake) -> None:
    fake(zoom_json(200, {key: value for key, value in GRANT.items() if key != "refresh_token"}))

    error = raised(lambda: oauth.refresh(REFRESH), OAuthGrantError)

    assert not error.is_invalid_grant


def test_an_s2s_grant_needs_no_refresh_token(fake) -> None:
    zoom = fake(zoom_json(200, {"access_token": S2S_ACCESS, "token_type": "bearer", "expires_in": 3600}))

    grant = oauth.account_credentials("acc-1", "s2s-id", "s2s-secret")

    assert grant.access_token == S2S_ACCESS and grant.refresh_token is None
    sent = zoom.seen[0]
    assert sent.url.query == b"" and sent.headers["Authorization"] == "Basic czJzLWlkOnMycy1zZWNyZXQ="
    assert dict(parse_qsl(sent.content.decode())) == {
        "grant_type": "account_credentials",
        "account_id": "acc-1",
    }


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"access_token": "", "expires_in": 3599}', b'{"access_token": "x", "expires_in": 0}'],
    ids=["not-json", "empty-token", "no-life"],
)
def test_a_token_answer_that_cannot_be_read_is_refused(fake, body) -> None:
    fake(httpx2.Response(200, content=body))

    assert raised(lambda: oauth.refresh(REFRESH), ZoomResponseError).retryable


# --- what every request carries, and what is logged --------------------------------------------------------


def test_every_request_accepts_json_and_carries_the_token_only_in_its_header(fake, connection) -> None:
    zoom = fake(
        zoom_error(401, 124, "Access token is expired."),
        zoom_json(200, GRANT),
        zoom_json(200, ME),
        httpx2.Response(204),
        zoom_json(200, {"status": "success"}),
    )

    get_me(connection)
    ZoomClient(connection).request("PATCH", "/meetings/1", body={"topic": "x"})
    oauth.revoke(NEW_ACCESS)

    for request in zoom.seen:
        assert request.headers["Accept"] == "application/json", request
        assert not any(token in str(request.url) for token in EVERY_TOKEN), request.url
        if request.url.path.startswith("/oauth/"):
            assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
            assert request.headers["Authorization"].startswith("Basic ")
        else:
            assert request.headers["Authorization"] in (f"Bearer {ACCESS}", f"Bearer {NEW_ACCESS}")
            assert not any(token in request.content.decode() for token in EVERY_TOKEN)
    assert zoom.seen[3].headers["Content-Type"] == "application/json"
    assert dict(parse_qsl(zoom.seen[4].content.decode())) == {"token": NEW_ACCESS}


def test_the_tracking_id_is_logged_and_no_token_ever_is(fake, connection, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    fake(
        zoom_error(401, 124, "Invalid access token."),
        zoom_json(200, GRANT, **{"x-zm-trackingid": "v=2.0;clid=us02;rid=OAUTH_1"}),
        zoom_json(200, ME),
        zoom_error(400, 300, "Validation Failed."),
        zoom_error(429, 429, daily_cap_message(100)),
        httpx2.Response(502, content=b"Bad Gateway"),
        fail_with(httpx2.ReadTimeout),
        zoom_json(400, {"reason": "Invalid Token!", "error": "invalid_grant"}),
        zoom_json(200, {"email": "no id"}),
    )
    client = ZoomClient(connection)
    failures: list[ZoomError] = []

    client.get_model("/users/me", Me)
    for call in (
        lambda: client.request("POST", "/users/me/meetings", body={}),
        lambda: client.request("PATCH", "/meetings/1", body={}),
        lambda: client.request("GET", "/users/me"),
        lambda: client.request("GET", "/users/me"),
        lambda: oauth.refresh(NEW_REFRESH),
        lambda: client.get_model("/users/me", Me),
    ):
        failures.append(raised(call))

    assert any(TRACKING in record.getMessage() for record in caplog.records)
    assert any("rid=OAUTH_1" in record.getMessage() for record in caplog.records)
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {vars(record)}" for record in caplog.records
    )
    shown = "\n".join(f"{error} {error.message!r} {vars(error)}" for error in failures)
    for token in EVERY_TOKEN:
        assert token not in logged
        assert token not in shown


# --- the users list ----------------------------------------------------------------------------------------


def test_the_users_list_follows_next_page_token_until_it_is_empty(fake, connection) -> None:
    def page(ids: list[str], next_token: str | None) -> httpx2.Response:
        users = [{"id": user_id, "email": f"{user_id}@example.com"} for user_id in ids]
        return zoom_json(200, {"users": users, "next_page_token": next_token, "total_records": 5})

    zoom = fake(
        page(["u1", "u2"], "page-2"),
        page(["u3", ""], "page-3"),  # a pending user has no id (§4.1)
        page(["u4", "u5"], ""),
    )

    users = ZoomClient(connection).list_users()

    assert [user.id for user in users] == ["u1", "u2", "u3", "u4", "u5"]
    queries = [dict(request.url.params) for request in zoom.seen]
    assert [query.get("next_page_token") for query in queries] == [None, "page-2", "page-3"]
    assert all(query["status"] == "active" and query["page_size"] == "300" for query in queries)


def test_the_users_list_treats_a_missing_next_page_token_as_the_last_page(fake, connection) -> None:
    zoom = fake(zoom_json(200, {"users": [{"id": "u1"}]}))

    assert [user.id for user in ZoomClient(connection).list_users()] == ["u1"]
    assert len(zoom.seen) == 1


def test_the_users_list_stops_at_a_safety_bound(fake, connection, monkeypatch, caplog) -> None:
    monkeypatch.setattr(client_module, "MAX_USER_PAGES", 5)
    endless = [
        zoom_json(200, {"users": [{"id": f"u{n}"}], "next_page_token": f"page-{n + 1}"}) for n in range(6)
    ]
    zoom = fake(*endless)

    users = ZoomClient(connection).list_users()

    assert len(zoom.seen) == 5 and len(users) == 5
    assert any(
        "pages" in record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING
    )
