"""Everything Rendez sends to Zoom, and every answer it reads, checked against Zoom's own descriptions.

The flows run for real against the emulator over HTTP; afterwards each request in the emulator's log is
validated: REST calls against Zoom's OpenAPI specs (kept in `zoom_emulator/openapi/`), the OAuth endpoints
(not in the specs) by hand against zoom-api.md §1.3, §1.5, §1.10 and §2. A stricter server than our emulator
would refuse exactly what fails here.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from rendez.conferencing.port import MeetingChanges, MeetingSpec, OptionValue
from rendez.integrations.zoom import tokens
from rendez.integrations.zoom.models import Connection
from rendez.integrations.zoom.provider import ZoomProvider
from rendez.tests.integrations.zoom.fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    JONAS,
    MARIA,
    REDIRECT_URI,
    S2S_ACCOUNT_ID,
    S2S_CLIENT_ID,
    S2S_CLIENT_SECRET,
    add_zoom_users,
    connect_staff,
    connect_tenant,
    make_token_due,
    run_jobs,
)
from zoom_emulator.openapi import covers, validate_exchange, validate_request
from zoom_emulator.testing import RunningEmulator

# The form each OAuth call must send (zoom-api.md §1.3, §1.5, §2, §1.10).
TOKEN_FORMS = {
    "authorization_code": {"grant_type", "code", "redirect_uri", "code_verifier"},
    "refresh_token": {"grant_type", "refresh_token"},
    "account_credentials": {"grant_type", "account_id"},
}
REVOKE_FORM = {"token"}
AUTHORIZE_QUERY = {
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
}
# What Rendez may put in a REST query string: §4.1's and §3.5's list parameters, nothing else (and never a
# token).
ALLOWED_QUERY = {"status", "type", "page_size", "next_page_token"}


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


PLATFORM_AUTH = basic(CLIENT_ID, CLIENT_SECRET)
S2S_AUTH = basic(S2S_CLIENT_ID, S2S_CLIENT_SECRET)


def url_of(zoom: RunningEmulator, entry: dict[str, Any]) -> str:
    query = f"?{urlencode(entry['query'])}" if entry["query"] else ""
    return f"{zoom.base_url}{entry['path']}{query}"


def body_of(entry: dict[str, Any]) -> bytes | None:
    body = entry["body"]
    if body is None:
        return None
    return body.encode() if isinstance(body, str) else json.dumps(body).encode()


def check_rest_call(zoom: RunningEmulator, entry: dict[str, Any], issued: set[str]) -> str:
    """Validate one REST exchange; returns how it was checked."""
    method, url, headers = entry["method"], url_of(zoom, entry), entry["headers"]
    assert covers(method, url), f"Rendez called {method} {entry['path']}, which Zoom's specs do not describe"
    assert headers.get("accept") == "application/json", entry
    assert headers.get("authorization", "").startswith("Bearer "), entry
    assert set(entry["query"]) <= ALLOWED_QUERY, entry["query"]
    assert not issued & set(entry["query"].values()), "a token in the query string (§1.12)"
    if entry["body"] is not None:
        assert headers.get("content-type") == "application/json", entry
    if entry["status"] != 401:
        validate_exchange(
            method,
            url,
            headers,
            body_of(entry),
            entry["status"],
            entry["response_headers"],
            entry["response_body"],
        )
        return "exchange"
    # Zoom's specs leave 401 out; its body is §1.12's `{"code": 124, ...}`.
    validate_request(method, url, headers, body_of(entry))
    assert entry["status"] == 401 and json.loads(entry["response_body"])["code"] == 124, entry
    return "request"


def check_authorize_url(entry: dict[str, Any]) -> str:
    """The browser's visit to the URL Rendez built (§1.2, §1.8): exactly Zoom's parameters, PKCE with S256."""
    query = entry["query"]
    assert set(query) == AUTHORIZE_QUERY, query
    assert (query["response_type"], query["client_id"], query["redirect_uri"]) == (
        "code",
        CLIENT_ID,
        REDIRECT_URI,
    )
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    return "authorize"


def check_oauth_call(entry: dict[str, Any], issued: set[str]) -> str:
    if entry["path"] == "/oauth/authorize":
        return check_authorize_url(entry)
    headers, form = entry["headers"], entry["body"]
    assert entry["method"] == "POST"
    assert entry["query"] == {}, "OAuth parameters go in the form body, never the URL (§1.3, §1.12)"
    assert headers.get("content-type") == "application/x-www-form-urlencoded", entry
    assert headers.get("accept") == "application/json", entry
    assert isinstance(form, dict), entry
    if entry["path"] == "/oauth/revoke":
        assert set(form) == REVOKE_FORM and form["token"] in issued
        assert headers.get("authorization") in (PLATFORM_AUTH, S2S_AUTH)
        return "revoke"
    grant = form["grant_type"]
    assert set(form) == TOKEN_FORMS[grant], form
    if grant == "account_credentials":
        assert form["account_id"] == S2S_ACCOUNT_ID
        assert headers.get("authorization") == S2S_AUTH
    else:
        assert headers.get("authorization") == PLATFORM_AUTH
    if grant == "authorization_code":
        assert form["redirect_uri"] == REDIRECT_URI and len(form["code_verifier"]) >= 43
    if grant == "refresh_token":
        assert form["refresh_token"] in issued
    answer = json.loads(entry["response_body"])
    assert entry["status"] == 200 and answer["token_type"] == "bearer", answer
    assert ("refresh_token" in answer) == (grant != "account_credentials"), answer
    return grant


def tokens_issued(zoom: RunningEmulator) -> set[str]:
    issued: set[str] = set()
    for entry in zoom.control.requests("POST", "/oauth/token"):
        answer = json.loads(entry["response_body"] or "{}")
        issued |= {answer[key] for key in ("access_token", "refresh_token") if key in answer}
    return issued


@pytest.fixture
def flows(api, zoom: RunningEmulator, alice, maria, jonas) -> list[dict[str, Any]]:
    """Every kind of call the connection side makes, for real; returns the emulator's log of them."""
    add_zoom_users(zoom, 310)  # so that the users list takes two pages
    connect_staff(api, zoom, maria, MARIA)  # code exchange, GET /users/me
    tokens.access_token(make_token_due(staff=maria))  # refresh_token grant
    connect_tenant(api, zoom, alice, JONAS)  # code exchange, /users/me, every page of /users
    assert api.put(f"/staff/{jonas.pk}/zoom", {"zoom_user_id": JONAS}).status_code == 200
    assert zoom.control.expire_tokens() >= 1
    cache.clear()  # the users list is cached for a minute
    assert api.get("/integrations/zoom/users").status_code == 200  # 401/124, refresh, retry
    s2s = {"account_id": S2S_ACCOUNT_ID, "client_id": S2S_CLIENT_ID, "client_secret": S2S_CLIENT_SECRET}
    assert api.put("/integrations/zoom/s2s", s2s).status_code == 200  # account_credentials, /users
    tokens.access_token(make_token_due(tenant=alice, staff__isnull=True))  # a new S2S token
    assert api.delete(f"/staff/{maria.pk}/zoom").status_code == 204
    assert api.delete("/integrations/zoom/s2s").status_code == 204
    run_jobs()  # the revokes
    assert not Connection.objects.filter(tenant=alice).exists()
    return zoom.control.requests()


def test_every_rest_call_and_answer_matches_zooms_openapi_specs(zoom: RunningEmulator, flows) -> None:
    issued = tokens_issued(zoom)
    checked: Counter[tuple[str, str, int, str]] = Counter()
    for entry in flows:
        if entry["path"].startswith("/v2/"):
            how = check_rest_call(zoom, entry, issued)
            paged = "next_page_token" in entry["query"]
            checked[
                (entry["method"], entry["path"] + (" (next page)" if paged else ""), entry["status"], how)
            ] += 1

    assert checked[("GET", "/v2/users/me", 200, "exchange")] == 2
    assert checked[("GET", "/v2/users", 200, "exchange")] >= 3  # tenant OAuth, after the 401, S2S
    assert checked[("GET", "/v2/users (next page)", 200, "exchange")] >= 3
    assert checked[("GET", "/v2/users", 401, "request")] == 1


def test_every_oauth_call_is_a_form_post_with_basic_auth_and_no_token_in_the_url(
    zoom: RunningEmulator, flows
) -> None:
    issued = tokens_issued(zoom)
    grants = Counter(
        check_oauth_call(entry, issued) for entry in flows if entry["path"].startswith("/oauth/")
    )

    assert grants == {
        "authorize": 2,
        "authorization_code": 2,
        "refresh_token": 2,  # maria's, and the tenant's after the 401
        "account_credentials": 2,  # verifying the credentials, and renewing
        "revoke": 3,  # maria's, the tenant OAuth's (replaced by S2S), the S2S token
    }
    assert not [entry for entry in flows if not entry["path"].startswith(("/v2/", "/oauth/"))]


@pytest.fixture
def meeting_flows(api, zoom: RunningEmulator, alice, maria, jonas) -> list[dict[str, Any]]:
    """Every kind of call the meeting provider makes, for real; returns the emulator's log of them."""
    provider = ZoomProvider()
    connect_staff(api, zoom, maria, MARIA)
    connect_tenant(api, zoom, alice, JONAS)
    assert api.put(f"/staff/{jonas.pk}/zoom", {"zoom_user_id": JONAS}).status_code == 200
    cache.clear()  # the host rules are cached
    zoom.control.clear_requests()
    start = datetime(2031, 3, 10, 13, 30, tzinfo=UTC)
    options: dict[str, OptionValue] = {
        "waiting_room": True,
        "mute_upon_entry": True,
        "auto_recording": "none",
    }
    spec = MeetingSpec("Consultation", "Booked online.", start, 45, "Europe/Berlin", True, options)
    for member in (maria, jonas):
        host = provider.host_for(member)
        assert host is not None
        made = provider.create(host, spec, attempt_started_at=datetime.now(UTC))  # settings, create
        changes = MeetingChanges(start=start + timedelta(hours=1), duration_minutes=30, topic="Follow-up")
        provider.update(host, made.external_id, changes)
        assert provider.start_url(host, made.external_id)
        assert provider.find(host, spec, datetime.now(UTC) - timedelta(hours=1)) is None  # list
        provider.delete(host, made.external_id)
        provider.delete(host, made.external_id)  # 404, counts as done
    return zoom.control.requests()


def test_every_meeting_call_and_answer_matches_zooms_openapi_specs(
    zoom: RunningEmulator, meeting_flows
) -> None:
    issued = tokens_issued(zoom)
    checked = Counter(
        (
            entry["method"],
            entry["path"].replace(JONAS, "{id}"),
            entry["status"],
            check_rest_call(zoom, entry, issued),
        )
        for entry in meeting_flows
        if entry["path"].startswith("/v2/")
    )

    for user in ("me", "{id}"):
        assert checked[("GET", f"/v2/users/{user}/settings", 200, "exchange")] == 1
        assert checked[("POST", f"/v2/users/{user}/meetings", 201, "exchange")] == 1
        assert checked[("GET", f"/v2/users/{user}/meetings", 200, "exchange")] == 1
    meetings = Counter(
        (method, status) for method, path, status, _ in checked if path.startswith("/v2/meetings/")
    )
    assert meetings == {("PATCH", 204): 2, ("GET", 200): 2, ("DELETE", 204): 2, ("DELETE", 404): 2}
