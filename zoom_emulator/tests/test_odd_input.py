"""Odd input at every route never makes the emulator answer 5xx (only injected faults do that)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator

import httpx2
import pytest

from zoom_emulator import Emulator
from zoom_emulator.app import build_rules
from zoom_emulator.control import build_rules as build_control_rules
from zoom_emulator.testing import RunningEmulator

from .clients import CLIENT_ID, LEA, MARIA, basic, meeting_body, s2s_token, user_tokens

ODD_SEGMENTS = [
    "me",
    "0",
    "-1",
    "9" * 30,
    "9" * 5000,
    "abc",
    "²",
    "١٢٣",
    "%00",
    "%25",
    "a%2Fb",
    "lea.schmitt@demo-clinic.example",
    "..",
]
ODD_BODIES: list[bytes | None] = [
    None,
    b"",
    b"{",
    b"[]",
    b"null",
    b'"text"',
    b"\xff\xfe\x00",
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 900 + b"1" + b"}" * 900,
    b"1" * 5000,
    b'{"topic": 1e999}',
    json.dumps({"topic": 5, "type": 2.0, "duration": 10**30, "agenda": None}).encode(),
    json.dumps({"settings": "x", "tracking_fields": 5, "password": 12345}).encode(),
    json.dumps({"settings": {"breakout_room": 5, "meeting_invitees": [{"email": 5}], "audio": []}}).encode(),
    json.dumps({"settings": {"waiting_room": False, "approval_type": True}, "password": ""}).encode(),
    json.dumps({"start_time": "9999-12-31T23:59:59", "timezone": "Pacific/Honolulu"}).encode(),
    json.dumps({"start_time": "0000-01-01T00:00:00Z"}).encode(),
    json.dumps({"start_time": "2030-04-10T13:30:00Z\n", "timezone": ["UTC"]}).encode(),
    json.dumps({"start_time": 1234567890, "type": [2], "topic": {"a": 1}}).encode(),
    json.dumps(meeting_body(type=3)).encode(),
    json.dumps({"event": "nope", "seconds": "x", "uri": 5, "url": None}).encode(),
]
ODD_QUERIES = [
    "",
    "page_size=%C2%B2",
    "page_size=99999999999999999999",
    "page_size=-5&next_page_token=%00",
    "next_page_token=" + "x" * 3000,
    "type=%FF&status=",
    "custom_query_fields=,,,&option=meeting_security",
    "option=bogus",
    "occurrence_id=&show_previous_occurrences=maybe",
    "occurrence_id=" + "9" * 50,
    "access_token=abc",
    "zak=&pwd=%ZZ",
    "response_type=code&client_id=" + CLIENT_ID + "&redirect_uri=javascript:alert(1)&state=%00",
]
ODD_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "HEAD", "PROPFIND"]
CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain; charset=nope",
]


def paths_for(rule: str) -> Iterator[str]:
    names = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)
    if not names:
        yield rule
        return
    for values in itertools.product(ODD_SEGMENTS, repeat=len(names)):
        path = rule
        for value in values:
            path = re.sub(r"<[^>]+>", value, path, count=1)
        yield path


def assert_never_5xx(http: httpx2.Client, method: str, url: str, **kwargs: object) -> None:
    response = http.request(method, url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code < 500, (method, url, kwargs, response.status_code, response.text[:300])


@pytest.fixture
def odd_http(emulator: Emulator, zoom: RunningEmulator) -> Iterator[httpx2.Client]:
    emulator.config.enforce_rate_limits = False  # reach the code behind the limits every time
    emulator.config.daily_meeting_writes_per_host = 10**9
    with httpx2.Client(base_url=zoom.base_url, timeout=10.0) as client:
        yield client


def test_odd_paths_methods_and_queries_never_fail_with_5xx(odd_http: httpx2.Client) -> None:
    maria = user_tokens(odd_http, MARIA)["access_token"]
    admin = s2s_token(odd_http)
    meeting_id = odd_http.post(
        "/v2/users/me/meetings",
        json=meeting_body(),
        headers={"Authorization": f"Bearer {maria}", "Accept": "application/json"},
    ).json()["id"]
    auths = [
        {"Authorization": f"Bearer {maria}"},
        {"Authorization": f"Bearer {admin}", "Accept": "application/json"},
        {"Authorization": "Bearer " + "x" * 10_000},
        {"Authorization": "Basic !!!"},
        {},
    ]
    rules = [rule.rule for rule in build_rules().iter_rules()]
    rules += ["/v2/meetings/" + str(meeting_id), f"/v2/users/{LEA}/meetings", "/v2", "/v2/%ZZ"]
    for rule in rules:
        for index, path in enumerate(paths_for(rule)):
            for method in ODD_METHODS:
                headers = auths[index % len(auths)]
                assert_never_5xx(odd_http, method, path, headers=headers)
        for query, auth in zip(ODD_QUERIES, itertools.cycle(auths), strict=False):
            assert_never_5xx(odd_http, "GET", f"{rule}?{query}", headers=auth)


def test_odd_bodies_at_every_writing_route_never_fail_with_5xx(odd_http: httpx2.Client) -> None:
    tokens = user_tokens(odd_http, MARIA)
    maria = tokens["access_token"]
    bearer = {"Authorization": f"Bearer {maria}", "Accept": "application/json"}
    meeting_id = odd_http.post("/v2/users/me/meetings", json=meeting_body(), headers=bearer).json()["id"]
    targets = [
        ("POST", "/v2/users/me/meetings", bearer),
        ("PATCH", f"/v2/meetings/{meeting_id}", bearer),
        ("DELETE", f"/v2/meetings/{meeting_id}0", bearer),
        ("POST", "/oauth/token", basic()),
        ("POST", "/oauth/revoke", basic()),
        ("POST", f"/oauth/authorize?response_type=code&client_id={CLIENT_ID}", {}),
        ("POST", f"/j/{meeting_id}", {}),
        ("POST", "/portal/meetings/1/delete", {}),
        ("POST", f"/portal/users/{LEA}/apps/{CLIENT_ID}/remove", {}),
    ]
    for (method, url, headers), body, content_type in itertools.product(targets, ODD_BODIES, CONTENT_TYPES):
        assert_never_5xx(
            odd_http, method, url, content=body, headers=headers | {"Content-Type": content_type}
        )
    # The meeting survived all of it (none of the bodies was a valid change).
    assert odd_http.get(f"/v2/meetings/{meeting_id}", headers=bearer).status_code == 200


def test_odd_input_to_the_control_api_never_fails_with_5xx(odd_http: httpx2.Client) -> None:
    # Last, as a reset with an odd body may wipe the state the other checks rely on.
    rules = [rule.rule for rule in build_control_rules().iter_rules()]
    for rule in rules:
        for path in itertools.islice(paths_for(rule), 4):
            for method, body in itertools.product(["GET", "POST", "PATCH", "PUT", "DELETE"], ODD_BODIES):
                if rule.endswith("/reset") and body and body.startswith(b"{"):
                    continue  # a seed-shaped body is a (strange) seed, checked below
                assert_never_5xx(
                    odd_http, method, path, content=body, headers={"Content-Type": "application/json"}
                )
    for seed in (b'{"seed": 5}', b'{"seed": {"accounts": 5}}', b'{"seed": {"accounts": [{"plan": "Gold"}]}}'):
        assert_never_5xx(odd_http, "POST", "/_control/reset", content=seed)
