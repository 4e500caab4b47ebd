"""Requests and responses checked against Zoom's OpenAPI specs with `zoom_emulator.openapi`.

The trimmed specs ship in `zoom_emulator/openapi/`, so these tests never depend on `../shared`.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from zoom_emulator.openapi import ContractViolation, covers, validate_exchange, validate_request

from .clients import JSON, LEA, bearer, meeting_body, s2s_token, user_tokens

# openapi-core cannot check the oauth2 security scheme; the emulator's own tests cover authentication.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")


def checked(http: httpx2.Client, method: str, path: str, **kwargs: Any) -> httpx2.Response:
    """Send a request to the emulator and validate both it and the answer against Zoom's spec."""
    response = http.request(method, path, **kwargs)
    sent = response.request
    validate_exchange(
        method,
        str(sent.url),
        dict(sent.headers),
        sent.content,
        response.status_code,
        dict(response.headers),
        response.content,
    )
    return response


def test_meeting_lifecycle_matches_the_meetings_spec(http: httpx2.Client) -> None:
    token = user_tokens(http, LEA)["access_token"]
    body = meeting_body(password="Kq7@mZ2x")
    created = checked(http, "POST", "/v2/users/me/meetings", json=body, headers=bearer(token))
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    assert checked(http, "GET", f"/v2/meetings/{meeting_id}", headers=bearer(token)).status_code == 200
    patch = {
        "topic": "Rescheduled",
        "start_time": "2030-05-01T10:00:00Z",
        "settings": {"mute_upon_entry": True},
    }
    updated = checked(http, "PATCH", f"/v2/meetings/{meeting_id}", json=patch, headers=bearer(token))
    assert updated.status_code == 204
    listed = checked(
        http,
        "GET",
        "/v2/users/me/meetings",
        params={"type": "upcoming"},
        headers=bearer(token),
    )
    assert listed.json()["total_records"] == 1
    deleted = checked(http, "DELETE", f"/v2/meetings/{meeting_id}", headers=bearer(token))
    assert deleted.status_code == 204
    missing = checked(http, "GET", f"/v2/meetings/{meeting_id}", headers=bearer(token))
    assert missing.status_code == 404


def test_registrant_endpoints_match_the_meetings_spec(http: httpx2.Client) -> None:
    token = user_tokens(http, LEA)["access_token"]
    settings = {
        "approval_type": 0,
        "registrants_confirmation_email": False,
        "registrants_email_notification": False,
    }
    body = meeting_body(password="Kq7@mZ2x", settings=settings)
    meeting_id = checked(http, "POST", "/v2/users/me/meetings", json=body, headers=bearer(token)).json()["id"]
    path = f"/v2/meetings/{meeting_id}/registrants"
    person = {"email": "ann@example.com", "first_name": "Ann", "last_name": "Doe"}
    added = checked(http, "POST", path, json=person, headers=bearer(token))
    assert added.status_code == 201
    registrant_id = added.json()["registrant_id"]
    listed = checked(http, "GET", path, params={"status": "approved", "page_size": 30}, headers=bearer(token))
    assert listed.json()["total_records"] == 1
    one = checked(http, "GET", f"{path}/{registrant_id}", headers=bearer(token))
    assert one.json()["status"] == "approved"
    cancel = {"action": "cancel", "registrants": [{"id": registrant_id, "email": "ann@example.com"}]}
    assert checked(http, "PUT", f"{path}/status", json=cancel, headers=bearer(token)).status_code == 204
    batch = {"auto_approve": True, "registrants": [{"email": "ben@example.com", "first_name": "Ben"}]}
    batch_path = f"/v2/meetings/{meeting_id}/batch_registrants"
    assert checked(http, "POST", batch_path, json=batch, headers=bearer(token)).status_code == 201
    assert checked(http, "DELETE", f"{path}/{registrant_id}", headers=bearer(token)).status_code == 204


def test_meeting_validation_errors_match_the_meetings_spec(http: httpx2.Client) -> None:
    token = user_tokens(http, LEA)["access_token"]
    response = checked(
        http,
        "POST",
        "/v2/users/me/meetings",
        json=meeting_body(password="short"),
        headers=bearer(token),
    )
    assert response.status_code == 400


def test_users_endpoints_match_the_users_spec(http: httpx2.Client) -> None:
    token = s2s_token(http)
    listed = checked(http, "GET", "/v2/users", params={"page_size": 2}, headers=bearer(token))
    assert listed.json()["next_page_token"]
    user = checked(http, "GET", f"/v2/users/{LEA}", headers=bearer(token))
    assert user.json()["id"] == LEA
    settings = checked(http, "GET", f"/v2/users/{LEA}/settings", headers=bearer(token))
    assert "meeting_password_requirement" in settings.json()["schedule_meeting"]
    security = checked(
        http,
        "GET",
        f"/v2/users/{LEA}/settings",
        params={"option": "meeting_security"},
        headers=bearer(token),
    )
    assert security.status_code == 200
    me = user_tokens(http, LEA)["access_token"]
    assert checked(http, "GET", "/v2/users/me", headers=bearer(me)).status_code == 200


def test_a_body_the_spec_forbids_is_reported() -> None:
    url = "http://127.0.0.1:9100/v2/users/me/meetings"
    headers = {"Authorization": "Bearer t", "Content-Type": "application/json"} | JSON
    validate_request("POST", url, headers, b'{"topic": "fine", "type": 2}')
    with pytest.raises(ContractViolation, match="request POST"):
        validate_request("POST", url, headers, b'{"topic": "x", "type": "two"}')


def test_a_response_the_spec_forbids_is_reported() -> None:
    url = "http://localhost:1/_zoom/v2/meetings/12345678901?occurrence_id=1"
    headers = {"Authorization": "Bearer t"} | JSON
    with pytest.raises(ContractViolation, match="response 200"):
        validate_exchange(
            "GET",
            url,
            headers,
            None,
            200,
            {"Content-Type": "application/json;charset=UTF-8"},
            b'{"id": "not a number"}',
        )


def test_coverage_and_url_mapping() -> None:
    assert covers("GET", "http://127.0.0.1:5/v2/users/me")
    assert covers("PATCH", "https://api.zoom.us/v2/meetings/1")
    assert covers("get", "/v2/users/me/meetings?type=upcoming")
    assert covers("GET", "http://host/_zoom/v2/users/me/settings")
    assert not covers("PUT", "http://127.0.0.1:5/v2/meetings/1")
    assert not covers("GET", "http://127.0.0.1:5/v2/webinars/1")
    assert not covers("POST", "http://127.0.0.1:5/oauth/token")
    with pytest.raises(ContractViolation, match="not in the trimmed Zoom specs"):
        validate_request("GET", "http://127.0.0.1:5/v2/webinars/1", {}, None)


def test_the_trimmed_specs_are_self_contained_and_shipped_as_package_data() -> None:
    import json
    from importlib.resources import files

    from zoom_emulator.openapi import SPEC_FILES
    from zoom_emulator.openapi.trim import SOURCES, dump, trim

    folder = files("zoom_emulator.openapi")
    for source in SOURCES:
        assert source.trimmed in SPEC_FILES.values()
        text = (folder / source.trimmed).read_text(encoding="utf-8")
        spec = json.loads(text)
        # Trimming a trimmed spec changes nothing: every $ref and security scheme it needs is in it.
        assert dump(trim(spec, source.operations)) == text
        kept = {
            path: {m for m in item if m in ("get", "post", "patch", "delete", "put")}
            for path, item in spec["paths"].items()
        }
        assert kept == {path: set(methods) for path, methods in source.operations.items()}


def test_trim_follows_refs_transitively() -> None:
    from zoom_emulator.openapi.trim import trim

    spec: dict[str, Any] = {
        "openapi": "3.0.0",
        "paths": {
            "/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}}}, "post": {}},
            "/b": {"get": {"security": [{"key": []}], "responses": {}}},
        },
        "components": {
            "responses": {
                "A": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}}
            },
            "schemas": {
                "X": {"properties": {"y": {"$ref": "#/components/schemas/Y/properties/z"}}},
                "Y": {"properties": {"z": {"type": "string"}}},
                "Unused": {},
            },
            "securitySchemes": {"key": {"type": "apiKey"}, "other": {"type": "apiKey"}},
        },
    }
    trimmed = trim(spec, {"/a": ("get",), "/b": ("get",)})
    assert list(trimmed["paths"]["/a"]) == ["get"]
    assert trimmed["components"] == {
        "responses": spec["components"]["responses"],
        "schemas": {"X": spec["components"]["schemas"]["X"], "Y": spec["components"]["schemas"]["Y"]},
        "securitySchemes": {"key": {"type": "apiKey"}},
    }
