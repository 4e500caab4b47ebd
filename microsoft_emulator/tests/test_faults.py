"""Throttling, server errors and lost responses, and the request log tests read."""

from __future__ import annotations

import httpx2
import pytest

from microsoft_emulator.testing import RunningEmulator

from .conftest import bearer, event_body

G = "/graph/v1.0"


def test_throttling_answers_429_with_retry_after(
    http: httpx2.Client, maria: str, ms: RunningEmulator
) -> None:
    ms.control.set_faults(throttle_count=1, retry_after_seconds=7)
    throttled = http.get(f"{G}/me", headers=bearer(maria))
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    assert http.get(f"{G}/me", headers=bearer(maria)).status_code == 200


def test_server_errors(http: httpx2.Client, maria: str, ms: RunningEmulator) -> None:
    ms.control.set_faults(error_rate=1.0, error_kind="503", error_count=1)
    unavailable = http.get(f"{G}/me", headers=bearer(maria))
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"]
    assert unavailable.json()["error"]["code"] == "ServiceUnavailable"
    ms.control.set_faults(error_rate=1.0, error_kind="timeout", error_count=1)
    assert http.get(f"{G}/me", headers=bearer(maria)).status_code == 504


def test_identity_endpoints_are_not_affected_by_graph_faults(
    http: httpx2.Client, ms: RunningEmulator
) -> None:
    from .conftest import MARIA, tokens_for

    ms.control.set_faults(error_rate=1.0, error_kind="500")
    assert tokens_for(http, MARIA)["access_token"]


def test_lost_response_is_applied(http: httpx2.Client, maria: str, ms: RunningEmulator) -> None:
    ms.control.set_faults(lose_response=1)
    with pytest.raises(httpx2.HTTPError):
        http.post(f"{G}/me/events", headers=bearer(maria), json=event_body(subject="Lost answer"))
    subjects = [e["subject"] for e in ms.control.state()["events"]]
    assert "Lost answer" in subjects
    logged = ms.control.requests(method="POST", path=f"{G}/me/events")
    assert logged[-1]["connection_dropped"] is True and logged[-1]["body"]["subject"] == "Lost answer"


def test_request_log_has_both_sides(http: httpx2.Client, maria: str, ms: RunningEmulator) -> None:
    http.post(f"{G}/me/events", headers=bearer(maria), json=event_body())
    entry = ms.control.requests(method="POST", path=f"{G}/me/*")[-1]
    assert entry["status"] == 201 and entry["headers"]["authorization"].startswith("Bearer ")
    assert '"subject"' in entry["response_body"]
    token_calls = ms.control.requests(path="/login/*")
    assert token_calls and token_calls[-1]["body"]["grant_type"] == "authorization_code"
