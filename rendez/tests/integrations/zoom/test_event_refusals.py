"""Deliveries the event endpoint refuses: nothing processed, no event recorded, nothing changed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from django.test import Client

from rendez.integrations.zoom import webhooks
from rendez.integrations.zoom.models import Connection, Event
from rendez.jobs.models import Job
from rendez.tests.integrations.zoom.deliveries import (
    EVENTS_URL,
    body_of,
    deliver,
    load,
    personal_connection,
    sign,
)
from rendez.tests.integrations.zoom.fixtures import WEBHOOK_SECRET

CLIENT_ID = "ABCDEFGHIJKLMNOPQRST!V"  # the documented app_deauthorized fixture's
SIX_MINUTES = 360


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = WEBHOOK_SECRET
    settings.ZOOM_CLIENT_ID = CLIENT_ID


@pytest.fixture
def connection(maria) -> Connection:
    """The connection the fixture's `app_deauthorized` would disconnect, were it believed."""
    return personal_connection(maria, "AAAAAABBBB", "abcD3ojfdbjfg")


@pytest.fixture
def deauthorization() -> bytes:
    return body_of(load("app_deauthorized"))


def assert_nothing_happened(connection: Connection) -> None:
    before = (connection.status, connection.access_token_encrypted, connection.refresh_token_encrypted)
    connection.refresh_from_db()
    assert (
        connection.status,
        connection.access_token_encrypted,
        connection.refresh_token_encrypted,
    ) == before
    assert connection.status == Connection.Status.CONNECTED
    assert connection.access_token == "access-of-abcD3ojfdbjfg"
    assert Event.objects.count() == 0
    assert Job.objects.count() == 0


def now() -> int:
    return int(time.time())


def forged(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, sign(body, secret="not-the-webhook-secret")


def signed_over_another_body(body: bytes) -> tuple[bytes, dict[str, str]]:
    event = json.loads(body)
    event["payload"]["user_id"] = "someone-else"
    return body, sign(body_of(event))


def without_signature(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, {"x-zm-request-timestamp": sign(body)["x-zm-request-timestamp"]}


def without_timestamp(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, {"x-zm-signature": sign(body)["x-zm-signature"]}


def without_headers(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, {}


def stale(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, sign(body, timestamp=now() - 301)


def replayed_six_minutes_later(body: bytes) -> tuple[bytes, dict[str, str]]:
    # A delivery captured when Zoom sent it and sent again six minutes later: headers and body unchanged.
    return body, sign(body, timestamp=now() - SIX_MINUTES)


def from_the_future(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, sign(body, timestamp=now() + SIX_MINUTES)


def timestamp_in_milliseconds(body: bytes) -> tuple[bytes, dict[str, str]]:
    # `event_ts` is milliseconds, the header seconds (§6.1): a header in milliseconds is not Zoom's.
    return body, sign(body, timestamp=now() * 1000)


def signature_without_version(body: bytes) -> tuple[bytes, dict[str, str]]:
    headers = sign(body)
    return body, headers | {"x-zm-signature": headers["x-zm-signature"].removeprefix("v0=")}


REFUSALS: dict[str, Callable[[bytes], tuple[bytes, dict[str, str]]]] = {
    "forged with another secret": forged,
    "signed over another body": signed_over_another_body,
    "without x-zm-signature": without_signature,
    "without x-zm-request-timestamp": without_timestamp,
    "without either header": without_headers,
    "stale": stale,
    "replayed six minutes later": replayed_six_minutes_later,
    "from the future": from_the_future,
    "timestamp in milliseconds": timestamp_in_milliseconds,
    "signature without v0=": signature_without_version,
}


@pytest.mark.parametrize("make", REFUSALS.values(), ids=REFUSALS.keys())
def test_an_unverified_deauthorization_is_refused(connection, deauthorization, make):
    body, headers = make(deauthorization)

    response = deliver(body, headers)

    assert response.status_code == 401
    assert "error" in response.json()
    assert_nothing_happened(connection)


@pytest.mark.parametrize("make", [forged, stale, without_headers], ids=["forged", "stale", "unsigned"])
def test_an_unverified_url_validation_gets_no_answer(db, make):
    body, headers = make(body_of(load("endpoint.url_validation")))

    response = deliver(body, headers)

    assert response.status_code == 401
    assert "encryptedToken" not in response.json()


def test_the_replayed_delivery_was_valid_when_zoom_sent_it(deauthorization):
    body, headers = replayed_six_minutes_later(deauthorization)
    timestamp, signature = headers["x-zm-request-timestamp"], headers["x-zm-signature"]

    webhooks.verify(body, timestamp, signature, now=int(timestamp) + 1)  # no refusal then
    with pytest.raises(webhooks.EventRefused) as refused:
        webhooks.verify(body, timestamp, signature)
    assert refused.value.status == 401


def test_without_a_configured_secret_every_delivery_is_refused(settings, connection, deauthorization):
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = ""

    for headers in (sign(deauthorization, secret=""), sign(deauthorization)):
        response = deliver(deauthorization, headers)
        assert response.status_code == 401
        assert "ZOOM_WEBHOOK_SECRET_TOKEN is not configured" in response.json()["error"]
    assert_nothing_happened(connection)


def test_a_body_over_64_kb_is_refused(connection):
    event = load("app_deauthorized")
    event["payload"]["padding"] = "x" * (64 * 1024)
    body = body_of(event)

    response = deliver(body, sign(body))

    assert response.status_code == 413
    assert_nothing_happened(connection)


@pytest.mark.parametrize("body", [b"event=app_deauthorized", b"", b"[]", b'{"payload": {}}', b"\xff\xfe"])
def test_a_signed_body_that_is_not_a_zoom_event_is_refused(connection, body):
    response = deliver(body, sign(body))

    assert response.status_code == 400
    assert_nothing_happened(connection)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_only_post_is_allowed(connection, deauthorization, method):
    response = getattr(Client(), method)(EVENTS_URL, headers=sign(deauthorization))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert_nothing_happened(connection)


def test_it_needs_no_csrf_token(connection, deauthorization):
    response = deliver(deauthorization, sign(deauthorization), client=Client(enforce_csrf_checks=True))

    assert response.status_code == 204
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_RECONNECT
