"""No framework wording reaches a client, for any field of any body or query the OpenAPI document lists: each
field is sent the kinds of wrong value clients send, and every refusal is read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.api.tests.test_error_shape import FRAMEWORK_WORDING, error_of, send_raw

WRONG_BODY_VALUES: list[Any] = [None, [], {}, "x", -1, 1.5, True, "x" * 5000, 2**70]
WRONG_QUERY_VALUES = ["", "x", "-1", "1.5", "9" * 30, "true"]


def _schema(document: dict, node: dict) -> dict:
    while "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def _body_fields(document: dict, operation: dict) -> dict[str, dict]:
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    return _schema(document, body).get("properties", {})


def _wrong_bodies(document: dict, operation: dict) -> list[dict]:
    bodies = []
    for name, prop in _body_fields(document, operation).items():
        bodies += [{name: value} for value in WRONG_BODY_VALUES]
        nested = _schema(document, prop).get("properties", {})
        for inner in nested:
            bodies += [{name: {inner: value}} for value in WRONG_BODY_VALUES]
    return bodies


@pytest.fixture
def ids(alice_api, consultation, dora, monday) -> dict[str, int | str]:
    booking = alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10))).json()
    consultation.series_allowed = True
    consultation.save(update_fields=["series_allowed"])
    body = booking_body(consultation, dora, berlin(monday, 11))
    body["repeat"] = {"frequency": "weekly", "count": 2}
    series = alice_api.post("/series", body).json()
    return {
        "service_id": consultation.pk,
        "staff_id": dora.pk,
        "booking_id": booking["id"],
        "appointment_id": booking["appointment_id"],
        "series_id": series["id"],
        "provider": "google",  # staff calendars (rendez/calendars/api.py)
    }


def _requests(document: dict, ids: dict[str, int | str]):
    for template, operations in document["paths"].items():
        path = template.removeprefix("/api/v1").format(**ids)
        for method, operation in operations.items():
            if "requestBody" in operation:
                for body in _wrong_bodies(document, operation):
                    yield method, path, body
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    for value in WRONG_QUERY_VALUES:
                        yield method, path, {parameter["name"]: value}


def test_no_refusal_of_any_field_speaks_in_framework_words(alice_api, ids):
    document = alice_api.client.get("/api/v1/openapi.json").json()
    leaks: list[str] = []
    refusals = 0
    for method, path, values in _requests(document, ids):
        if method == "get":
            response = alice_api.client.get(f"/api/v1{path}", values, headers=alice_api._headers())
        else:
            response = send_raw(alice_api, method, path, json.dumps(values))
        if response.status_code < 400:
            continue
        refusals += 1
        error = error_of(response)
        for text in [error["message"], *error["fields"].values()]:
            leaks += [f"{method} {path} {values!r:.80}: {text}" for w in FRAMEWORK_WORDING if w in text]
    assert refusals > 500
    assert not leaks, "\n".join(leaks[:20])
