"""The OpenAPI document and the interactive docs page."""

from __future__ import annotations

import json
import re

from django.test import Client

EXPECTED_OPERATIONS = {
    ("get", "/api/v1/services"),
    ("post", "/api/v1/services"),
    ("get", "/api/v1/services/{service_id}"),
    ("patch", "/api/v1/services/{service_id}"),
    ("get", "/api/v1/services/{service_id}/questions"),
    ("put", "/api/v1/services/{service_id}/questions"),
    ("get", "/api/v1/staff"),
    ("post", "/api/v1/staff"),
    ("get", "/api/v1/staff/{staff_id}"),
    ("patch", "/api/v1/staff/{staff_id}"),
    ("get", "/api/v1/slots"),
    ("get", "/api/v1/bookings"),
    ("post", "/api/v1/bookings"),
    ("get", "/api/v1/bookings/{booking_id}"),
    ("post", "/api/v1/bookings/{booking_id}/reschedule"),
    ("post", "/api/v1/bookings/{booking_id}/cancel"),
    ("post", "/api/v1/bookings/{booking_id}/status"),
    ("get", "/api/v1/appointments"),
    ("get", "/api/v1/appointments/{appointment_id}"),
    ("post", "/api/v1/appointments/{appointment_id}/reschedule"),
    ("get", "/api/v1/appointments/{appointment_id}/meeting/start"),
    ("post", "/api/v1/appointments/{appointment_id}/meeting/sync"),
    ("post", "/api/v1/series"),
    ("get", "/api/v1/series/{series_id}"),
    ("post", "/api/v1/series/{series_id}/cancel"),
    ("post", "/api/v1/series/{series_id}/reschedule"),
}


def openapi() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_openapi_document_describes_every_operation(db):
    document = openapi()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Rendez API"
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations >= EXPECTED_OPERATIONS


def test_every_operation_needs_the_bearer_key(db):
    document = openapi()
    [scheme] = document["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["security"]


def test_every_operation_documents_its_errors_in_the_one_shape(db):
    document = openapi()
    assert set(document["components"]["schemas"]["ErrorOut"]["properties"]) == {"error"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert {"401", "422"} <= set(operation["responses"]), (method, path)


def test_the_meeting_operations_document_their_answers(db):
    paths = openapi()["paths"]
    start = paths["/api/v1/appointments/{appointment_id}/meeting/start"]["get"]
    assert set(start["responses"]) == {"302", "401", "404", "409", "410", "422", "502", "503"}
    assert "Location" in start["responses"]["302"]["headers"]
    sync = paths["/api/v1/appointments/{appointment_id}/meeting/sync"]["post"]
    assert set(sync["responses"]) == {"202", "401", "404", "422"}


def test_meetings_are_documented_with_their_last_error_and_without_a_host_link(db):
    schemas = openapi()["components"]["schemas"]
    assert set(schemas["MeetingOut"]["properties"]) == {
        "provider",
        "state",
        "meeting_id",
        "join_url",
        "password",
        "last_error",
        "next_attempt_at",
        "changed_elsewhere",
    }
    options = {"waiting_room", "join_before_host", "mute_upon_entry", "auto_recording"}
    assert set(schemas["MeetingOptionsIn"]["properties"]) == options
    assert schemas["MeetingOptionsIn"]["additionalProperties"] is False
    assert set(schemas["MeetingOptionsOut"]["properties"]) == options


def test_the_docs_page_loads_without_a_cdn(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "openapi.json" in html
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert Client().get(asset).status_code == 200, asset


def test_the_openapi_document_has_no_repeated_keys():
    # JSON parsers differ on repeated keys: Swagger UI refuses the whole document ("duplicated mapping key").
    repeated: list[str] = []

    def remember(pairs: list[tuple[str, object]]) -> dict:
        keys = [key for key, _ in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=remember)
    assert repeated == []
