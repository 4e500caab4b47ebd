"""The suite-wide token guard (root conftest.py, `token_guard.py`) catches what it must, and only that."""

from __future__ import annotations

import logging
import sys

from django.http import HttpResponse, JsonResponse
from django.test import Client

from rendez.tests.integrations.zoom.deliveries import deliver_signed, load
from rendez.tests.integrations.zoom.fixtures import CLIENT_ID, MARIA, connect_staff
from rendez.tests.integrations.zoom.token_guard import (
    REDACTED,
    TokenGuard,
    find_leaks,
    log_text,
    response_texts,
)
from zoom_emulator import Emulator
from zoom_emulator import oauth as emulator_oauth

TOKEN = "tok-" + "x" * 60


def record(msg: str, *args: object, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("rendez.zoom", logging.INFO, __file__, 1, msg, args, exc_info)


def leaks_in(*texts: str) -> list[str]:
    return [str(leak) for leak in find_leaks({TOKEN}, [("here", text) for text in texts])]


def test_it_finds_a_token_in_a_log_message_or_its_arguments():
    assert leaks_in(log_text(record(f"refreshed with {TOKEN}")))
    assert leaks_in(log_text(record("refreshed with %s", TOKEN)))
    assert leaks_in(log_text(record("grant %r", {"access_token": TOKEN})))


def test_it_finds_a_token_in_an_exception_or_stack_of_a_log_record():
    try:
        raise ValueError(f"Zoom refused {TOKEN}")
    except ValueError:
        failing = record("zoom call failed", exc_info=sys.exc_info())
    assert leaks_in(log_text(failing))
    stacked = record("zoom call failed")
    stacked.stack_info = f"Stack (most recent call last):\n  token={TOKEN}"
    assert leaks_in(log_text(stacked))


def test_it_finds_a_token_in_a_response_body_header_or_cookie():
    body = JsonResponse({"access_token": TOKEN})
    header = HttpResponse(headers={"Location": f"/done?t={TOKEN}"})
    cookie = HttpResponse()
    cookie.set_cookie("zoom", TOKEN)

    for response in (body, header, cookie):
        assert leaks_in(*response_texts(response))


def test_it_reports_where_with_the_token_redacted():
    [leak] = find_leaks({TOKEN}, [("log record of rendez.zoom (INFO)", f"token {TOKEN} used")])

    assert str(leak) == f"log record of rendez.zoom (INFO): token {REDACTED} used"


def test_it_finds_nothing_in_clean_texts_or_without_tokens():
    assert leaks_in(log_text(record("zoom token renewed for connection %s", 3))) == []
    assert find_leaks(set(), [("here", TOKEN)]) == []
    assert find_leaks({""}, [("here", "anything")]) == []


def test_a_guard_collects_issued_tokens_log_records_and_responses_and_stops_cleanly(db, token_guard):
    original_new_token, original_request = emulator_oauth._new_token, Client.request
    guard = TokenGuard()
    guard.start()
    try:
        token = emulator_oauth.account_credentials(
            Emulator(), Emulator().state.s2s_apps["rendez-demo-s2s"], {"account_id": "demo-account"}, "x"
        )["access_token"]
        logging.getLogger("rendez.elsewhere").warning("leaking %s on purpose", token)
        Client().get("/nowhere")
    finally:
        guard.stop()

    assert guard.tokens == {token}
    assert [leak.where for leak in guard.leaks()] == ["log record of rendez.elsewhere (WARNING)"]
    assert [where for where, _ in guard.responses] == ["GET /nowhere"]
    assert (emulator_oauth._new_token, Client.request) == (original_new_token, original_request)
    assert guard not in logging.getLogger().handlers
    logging.getLogger("rendez.elsewhere").warning("after stop %s", token)
    assert len(guard.leaks()) == 1
    # The suite's guard, wrapped by this one, saw the same: both leaks, the token issued inside.
    assert token in token_guard.tokens
    assert len(token_guard.leaks()) == 2
    token_guard.forget_logs_and_responses()


def test_the_suite_guard_sees_tokens_the_emulator_issues_over_http(token_guard, zoom, api, maria, settings):
    connection = connect_staff(api, zoom, maria, MARIA)
    assert connection.access_token in token_guard.tokens
    assert connection.refresh_token in token_guard.tokens
    assert token_guard.leaks() == []

    # Rendez echoes a URL validation's plain token: make it a real token, and log it too.
    event = load("endpoint.url_validation")
    event["payload"]["plainToken"] = connection.access_token
    settings.ZOOM_CLIENT_ID = CLIENT_ID
    assert deliver_signed(event).status_code == 200
    logging.getLogger("rendez.zoom").info("oops %s", connection.refresh_token)

    wheres = [leak.where for leak in token_guard.leaks()]
    assert wheres == ["log record of rendez.zoom (INFO)", "response to POST /integrations/zoom/events"]
    token_guard.forget_logs_and_responses()  # or this test would fail, as any other test that leaks does
