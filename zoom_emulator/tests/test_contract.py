"""Requests and responses checked against Zoom's OpenAPI specs with openapi-core.

The specs do not load as shipped. The Meeting API spec (2023 vintage) declares some path parameters
`required: false`, writes parameter styles and API-key locations in upper case (`SIMPLE`, `FORM`,
`HEADER`) and nests a non-standard `extensions` key in schemas; the Users spec's settings response is a
`oneOf` whose branches have no required keys, so every real body matches several of them. We validate
against a copy patched in memory: only the paths exercised here, lower-cased styles and locations,
required path parameters, `anyOf` for the settings response, and openapi-spec-validator's
whole-document check switched off.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx2
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from .conftest import LEA, bearer, meeting_body, s2s_token, user_tokens

SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "zoom-openapi"
MEETINGS_SPEC = "ZoomMeetingAPISpec.v2.shr968-Prokalp.json"
USERS_SPEC = "Users.v2.developers-zoom-us-snapshot-2026-02-07.json"
MEETING_PATHS = ("/users/{userId}/meetings", "/meetings/{meetingId}")
USER_PATHS = ("/users", "/users/{userId}", "/users/{userId}/settings")

pytestmark = [
    pytest.mark.skipif(not SPEC_DIR.is_dir(), reason=f"Zoom OpenAPI specs not found at {SPEC_DIR}"),
    # openapi-core cannot check the oauth2 security scheme; the emulator's own tests cover authentication.
    pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning"),
]


def pruned(spec: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
    spec = dict(spec)
    spec["paths"] = {path: spec["paths"][path] for path in keep}
    for item in spec["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if "style" in parameter:
                    parameter["style"] = parameter["style"].lower()
                if parameter.get("in") == "path":
                    parameter["required"] = True
    settings = spec["paths"].get("/users/{userId}/settings", {}).get("get")
    if settings:
        # Its 200 schema is a oneOf of shapes without required keys: every real body matches several branches.
        schema = settings["responses"]["200"]["content"]["application/json"]["schema"]
        schema["anyOf"] = schema.pop("oneOf")
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        if "in" in scheme:
            scheme["in"] = scheme["in"].lower()
    return spec


@cache
def openapi(name: str, keep: tuple[str, ...]) -> OpenAPI:
    with (SPEC_DIR / name).open() as handle:
        spec = pruned(json.load(handle), keep)
    # The Meetings spec also nests non-`x-` keys (`extensions`) in schemas, which the spec validator rejects;
    # openapi-core validates requests and responses fine without that whole-document check.
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def checked(spec: OpenAPI, http: httpx2.Client, method: str, path: str, **kwargs: Any) -> httpx2.Response:
    """Send a request to the emulator and validate both it and the answer against `spec`."""
    response = http.request(method, path, **kwargs)
    sent = response.request
    request = Request(
        EnvironBuilder(
            path=sent.url.path,
            base_url="https://api.zoom.us",
            query_string=sent.url.query.decode() if isinstance(sent.url.query, bytes) else sent.url.query,
            method=method,
            # Without Host, the request appears to come to the spec's server (api.zoom.us).
            headers=[(k, v) for k, v in sent.headers.items() if k.lower() != "host"],
            data=sent.content,
        ).get_environ()
    )
    openapi_request = WerkzeugOpenAPIRequest(request)
    spec.validate_request(openapi_request)
    answer = Response(response.content, response.status_code, dict(response.headers))
    spec.validate_response(openapi_request, WerkzeugOpenAPIResponse(answer))
    return response


@pytest.fixture
def meetings_spec() -> OpenAPI:
    return openapi(MEETINGS_SPEC, MEETING_PATHS)


@pytest.fixture
def users_spec() -> OpenAPI:
    return openapi(USERS_SPEC, USER_PATHS)


def test_meeting_lifecycle_matches_the_meetings_spec(http: httpx2.Client, meetings_spec: OpenAPI) -> None:
    token = user_tokens(http, LEA)["access_token"]
    body = meeting_body(password="Kq7@mZ2x")
    created = checked(meetings_spec, http, "POST", "/v2/users/me/meetings", json=body, headers=bearer(token))
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    assert (
        checked(meetings_spec, http, "GET", f"/v2/meetings/{meeting_id}", headers=bearer(token)).status_code
        == 200
    )
    patch = {
        "topic": "Rescheduled",
        "start_time": "2030-05-01T10:00:00Z",
        "settings": {"mute_upon_entry": True},
    }
    updated = checked(
        meetings_spec, http, "PATCH", f"/v2/meetings/{meeting_id}", json=patch, headers=bearer(token)
    )
    assert updated.status_code == 204
    listed = checked(
        meetings_spec,
        http,
        "GET",
        "/v2/users/me/meetings",
        params={"type": "upcoming"},
        headers=bearer(token),
    )
    assert listed.json()["total_records"] == 1
    deleted = checked(meetings_spec, http, "DELETE", f"/v2/meetings/{meeting_id}", headers=bearer(token))
    assert deleted.status_code == 204
    missing = checked(meetings_spec, http, "GET", f"/v2/meetings/{meeting_id}", headers=bearer(token))
    assert missing.status_code == 404


def test_meeting_validation_errors_match_the_meetings_spec(
    http: httpx2.Client, meetings_spec: OpenAPI
) -> None:
    token = user_tokens(http, LEA)["access_token"]
    response = checked(
        meetings_spec,
        http,
        "POST",
        "/v2/users/me/meetings",
        json=meeting_body(password="short"),
        headers=bearer(token),
    )
    assert response.status_code == 400


def test_users_endpoints_match_the_users_spec(http: httpx2.Client, users_spec: OpenAPI) -> None:
    token = s2s_token(http)
    listed = checked(users_spec, http, "GET", "/v2/users", params={"page_size": 2}, headers=bearer(token))
    assert listed.json()["next_page_token"]
    user = checked(users_spec, http, "GET", f"/v2/users/{LEA}", headers=bearer(token))
    assert user.json()["id"] == LEA
    settings = checked(users_spec, http, "GET", f"/v2/users/{LEA}/settings", headers=bearer(token))
    assert "meeting_password_requirement" in settings.json()["schedule_meeting"]
    security = checked(
        users_spec,
        http,
        "GET",
        f"/v2/users/{LEA}/settings",
        params={"option": "meeting_security"},
        headers=bearer(token),
    )
    assert security.status_code == 200
    me = user_tokens(http, LEA)["access_token"]
    assert checked(users_spec, http, "GET", "/v2/users/me", headers=bearer(me)).status_code == 200
