"""Fault injection and the rest of the control API: request log, reset, state."""

from __future__ import annotations

import json
import time

import httpx2
import pytest

from zoom_emulator import Emulator, ManualClock

from .clients import MARIA, authorize_code, bearer, exchange, meeting_body, user_tokens


def test_added_latency(zoom, http: httpx2.Client, maria: str) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(latency_ms=300)
    started = time.monotonic()
    assert http.get("/v2/users/me", headers=bearer(maria)).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_error_rate_with_a_count_fails_exactly_that_many_requests(
    zoom, http: httpx2.Client, maria: str
) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(error_rate=1.0, error_kind="503", error_count=2)
    statuses = [http.get("/v2/users/me", headers=bearer(maria)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_oauth_is_not_affected_by_api_faults_unless_asked(zoom, http: httpx2.Client) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(error_rate=1.0)
    assert user_tokens(http, MARIA)["access_token"]
    zoom.control.set_faults(paths=["/oauth/token"])
    code = authorize_code(http, MARIA)  # the authorize page is outside the faulted path
    assert exchange(http, code).status_code == 500


def test_timeouts_hold_the_connection(zoom, http: httpx2.Client, maria: str) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(error_rate=1.0, error_kind="timeout", error_count=1)
    with pytest.raises(httpx2.ReadTimeout):
        http.get("/v2/users/me", headers=bearer(maria), timeout=0.3)


def test_connection_resets(zoom, http: httpx2.Client, maria: str) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(error_rate=1.0, error_kind="reset", error_count=1)
    with pytest.raises(httpx2.TransportError):
        http.get("/v2/users/me", headers=bearer(maria))
    assert http.get("/v2/users/me", headers=bearer(maria)).status_code == 200


def test_an_outage_window_answers_503_until_it_ends(
    zoom, http: httpx2.Client, maria: str, clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(outage_seconds=60)
    assert http.get("/v2/users/me", headers=bearer(maria)).status_code == 503
    clock.advance(61)
    assert http.get("/v2/users/me", headers=bearer(maria)).status_code == 200


def test_a_429_storm(zoom, http: httpx2.Client, maria: str) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(rate_limit_storm=2)
    first = http.get("/v2/users/me", headers=bearer(maria))
    assert first.status_code == 429 and first.headers["X-RateLimit-Type"] == "QPS"
    assert http.get("/v2/users/me", headers=bearer(maria)).status_code == 429
    assert http.get("/v2/users/me", headers=bearer(maria)).status_code == 200


def test_xml_bodies_even_when_json_was_asked_for(zoom, http: httpx2.Client, maria: str) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(xml_errors=True)
    response = http.get("/v2/meetings/12345678901", headers=bearer(maria))
    assert response.status_code == 404 and response.text.startswith("<?xml")


def test_token_errors_with_http_400(zoom, http: httpx2.Client) -> None:  # type: ignore[no-untyped-def]
    zoom.control.set_faults(token_errors_as_400=True)
    response = http.get("/v2/users/me", headers=bearer("bogus"))
    assert response.status_code == 400 and response.json()["code"] == 124


def test_a_lost_create_response_still_creates_the_meeting(  # type: ignore[no-untyped-def]
    zoom, emulator: Emulator, http: httpx2.Client, maria: str
) -> None:
    zoom.control.set_faults(lose_create_response=1)
    with pytest.raises(httpx2.TransportError):
        http.post("/v2/users/me/meetings", json=meeting_body(topic="Lost"), headers=bearer(maria))
    listed = http.get("/v2/users/me/meetings", headers=bearer(maria)).json()["meetings"]
    assert [m["topic"] for m in listed] == ["Lost"]
    creates = zoom.control.requests(method="POST", path="/v2/users/me/meetings")
    assert len(creates) == 1 and creates[0]["connection_dropped"] is True


def test_unknown_fault_settings_are_refused(zoom) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(httpx2.HTTPStatusError):
        zoom.control.set_faults(teleport=True)


def test_the_request_log_lists_every_call_and_can_be_cleared(zoom, http: httpx2.Client, maria: str) -> None:  # type: ignore[no-untyped-def]
    zoom.control.clear_requests()
    http.post(
        "/v2/users/me/meetings", json=meeting_body(topic="Logged"), headers=bearer(maria), params={"x": "1"}
    )
    http.get("/v2/users/me", headers=bearer(maria))
    entries = zoom.control.requests()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/v2/users/me/meetings", 201),
        ("GET", "/v2/users/me", 200),
    ]
    assert entries[0]["body"]["topic"] == "Logged" and entries[0]["query"] == {"x": "1"}
    assert entries[0]["timestamp"].endswith("Z")
    assert len(zoom.control.requests(path="/v2/users/*")) == 2
    zoom.control.clear_requests()
    assert zoom.control.requests() == []


def test_reset_forgets_meetings_tokens_and_faults(
    zoom, emulator: Emulator, http: httpx2.Client, maria: str
) -> None:  # type: ignore[no-untyped-def]
    http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer(maria))
    zoom.control.set_faults(latency_ms=10)
    zoom.control.reset()
    assert emulator.state.meetings == {} and zoom.control.requests() == []
    assert emulator.faults.config.latency_ms == 0
    assert http.get("/v2/users/me", headers=bearer(maria)).status_code == 401


def test_reset_with_a_new_seed(zoom, http: httpx2.Client) -> None:  # type: ignore[no-untyped-def]
    seed = {"accounts": [{"id": "solo", "name": "Solo", "plan": "Free", "users": [{"email": "a@b.example"}]}]}
    zoom.control.reset(seed)
    state = zoom.control.state()
    assert [a["id"] for a in state["accounts"]] == ["solo"] and state["users"][0]["email"] == "a@b.example"


def test_the_request_log_keeps_what_was_answered(zoom, http: httpx2.Client, maria: str) -> None:  # type: ignore[no-untyped-def]
    zoom.control.clear_requests()
    http.get("/v2/users/me", headers=bearer(maria))
    http.get("/v2/meetings/1", headers=bearer(maria))
    found, missing = zoom.control.requests()
    assert found["response_headers"]["content-type"].startswith("application/json")
    assert json.loads(found["response_body"])["id"] == MARIA
    assert missing["status"] == 404 and json.loads(missing["response_body"])["code"] == 3001
