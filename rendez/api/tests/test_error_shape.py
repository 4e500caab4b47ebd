"""Every refusal in the one error shape, with the field at fault named and words a person would write: bodies
that are not objects or too large, unknown paths and methods, missing rows, invalid fields."""

from __future__ import annotations

import json

import pytest

from rendez.api.tests.fixtures import berlin, booking_body
from rendez.scheduling.models import Booking, Service, Staff
from rendez.scheduling.tests.factories import make_staff

NOT_OBJECTS = ["[]", '"x"', "null", "1", "true", '[{"name": "Coaching"}]']
# What pydantic, ninja and Django say about themselves; none of it may reach a client.
FRAMEWORK_WORDING = ["Value error", "Input should", "matches the given query", "Field required", "instance"]


def send_raw(api, method: str, path: str, body: str | bytes):
    send = getattr(api.client, method)
    return send(f"/api/v1{path}", body, content_type="application/json", headers=api._headers())


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def assert_in_our_words(error: dict) -> None:
    texts = [error["message"], *error["fields"].values()]
    for text in texts:
        for wording in FRAMEWORK_WORDING:
            assert wording not in text, error


# --- bodies -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_a_patch_whose_body_is_not_an_object_is_refused(alice_api, consultation, dora, body):
    for path in (f"/services/{consultation.pk}", f"/staff/{dora.pk}"):
        response = send_raw(alice_api, "patch", path, body)
        assert response.status_code == 422, (path, response.content)
        error = error_of(response)
        assert error["code"] == "invalid"
        assert error["fields"] == {"body": "Must be a JSON object."}
        assert error["message"] == "body: Must be a JSON object."
    consultation.refresh_from_db()
    assert consultation.name == "Consultation"


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_a_post_whose_body_is_not_an_object_is_refused(alice_api, db, body):
    for path in ("/services", "/staff", "/bookings"):
        response = send_raw(alice_api, "post", path, body)
        assert response.status_code == 422, (path, response.content)
        assert error_of(response)["fields"] == {"body": "Must be a JSON object."}
    assert not Service.objects.exists() and not Staff.objects.exists()


def test_a_nested_member_that_is_not_an_object_is_named(alice_api, consultation, dora, monday):
    body = booking_body(consultation, dora, berlin(monday, 10))
    body["customer"] = ["Charlie", "charlie@example.com"]
    error = error_of(alice_api.post("/bookings", body))
    assert error["fields"] == {"customer": "Must be a JSON object."}
    assert not Booking.objects.exists()


def test_an_empty_body_is_asked_for(alice_api, consultation):
    response = send_raw(alice_api, "patch", f"/services/{consultation.pk}", b"")
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"body": "Must be a JSON object."}


def test_a_body_of_ten_megabytes_is_refused_with_413(alice_api, consultation):
    huge = json.dumps({"description": "x" * 10_000_000})
    response = send_raw(alice_api, "patch", f"/services/{consultation.pk}", huge)
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "too_large"
    assert error["message"] == "The body is too large: this API takes at most 1 MiB."
    consultation.refresh_from_db()
    assert consultation.description == ""


def test_over_http_a_large_body_is_refused_before_it_is_read(
    transactional_db, live_server, alice_key, consultation
):
    # A real server and client: the refusal must come back while the client is still sending.
    import httpx2

    response = httpx2.patch(
        f"{live_server.url}/api/v1/services/{consultation.pk}",
        content=json.dumps({"description": "x" * 10_000_000}),
        headers={"Authorization": f"Bearer {alice_key}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_body_just_under_the_limit_is_read(alice_api, consultation, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    description = "x" * (60 * 1024)
    response = alice_api.patch(f"/services/{consultation.pk}", {"description": description})
    assert response.status_code == 200
    assert send_raw(alice_api, "post", "/bookings", "{" + " " * 65 * 1024 + "}").status_code == 413


def test_a_body_that_is_not_json_is_a_400_saying_so(alice_api, db):
    error = error_of(send_raw(alice_api, "post", "/bookings", "{not json"))
    assert (error["code"], error["message"]) == ("malformed", "The body is not valid JSON.")


# --- routing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_path_is_a_json_404(alice_api, method, db):
    response = getattr(alice_api.client, method)("/api/v1/nothing/here", headers=alice_api._headers())
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "not_found"
    assert "/api/v1/nothing/here" in error["message"]


def test_an_unknown_path_is_a_json_404_without_a_key_too(anonymous_api, db):
    assert error_of(anonymous_api.get("/nothing"))["code"] == "not_found"


def test_a_method_the_path_does_not_take_is_a_json_405(alice_api, consultation):
    response = alice_api.delete(f"/services/{consultation.pk}")
    assert response.status_code == 405
    error = error_of(response)
    assert error["code"] == "method_not_allowed"
    assert "GET" in response["Allow"] and "PATCH" in response["Allow"]
    assert error["message"].startswith("DELETE is not allowed here")
    assert Service.objects.filter(pk=consultation.pk).exists()


# --- not found ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/services/999999", "No such service."),
        ("/staff/999999", "No such staff member."),
        ("/bookings/999999", "No such booking."),
        ("/appointments/999999", "No such appointment."),
        ("/appointments/999999/meeting/start", "No such appointment."),
    ],
)
def test_missing_rows_are_not_found_in_our_words(alice_api, db, path, message):
    response = alice_api.get(path)
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": message, "fields": {}}


def test_booking_an_unknown_service_says_which(alice_api, consultation, dora, monday):
    body = {**booking_body(consultation, dora, berlin(monday, 10)), "service_id": 999999}
    response = alice_api.post("/bookings", body)
    assert response.status_code == 404
    assert error_of(response)["message"] == "No such service."


# --- wording and attribution ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"party_size": 0}, "party_size", "Must be at least 1."),
        ({"party_size": "2"}, "party_size", "Must be a whole number."),
        ({"start": "2030-01-07T10:00:00"}, "start", "Needs a UTC offset, e.g. 2026-12-01T09:00:00+01:00."),
        ({"notes": "x" * 2001}, "notes", "Must be at most 2000 characters long."),
        ({"service_id": None}, "service_id", "Must be a whole number."),
    ],
)
def test_invalid_booking_fields_are_named_in_our_words(
    alice_api, consultation, dora, monday, change, field, text
):
    body = {**booking_body(consultation, dora, berlin(monday, 10)), **change}
    error = error_of(alice_api.post("/bookings", body))
    assert error["fields"] == {field: text}
    assert error["message"] == f"{field}: {text}"


def test_missing_fields_are_each_named(alice_api, db):
    # staff_id may be left out: "any available" (docs/scheduling.md).
    error = error_of(alice_api.post("/bookings", {"party_size": 1}))
    assert error["fields"] == {name: "Required." for name in ("service_id", "start", "customer")}
    assert error["message"].startswith("service_id: Required. start: Required.")


def test_a_party_too_large_for_the_service_is_its_party_sizes_fault(alice_api, consultation, dora, monday):
    body = booking_body(consultation, dora, berlin(monday, 10), party_size=3)
    response = alice_api.post("/bookings", body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "party_too_large"
    assert error["fields"] == {"party_size": "This service takes at most 1 person per slot."}


def test_a_full_group_says_so_in_words(alice_api, yoga, dora, monday):
    start = berlin(monday, 10)
    everyone = booking_body(yoga, dora, start, party_size=yoga.capacity)
    assert alice_api.post("/bookings", everyone).status_code == 201
    response = alice_api.post("/bookings", booking_body(yoga, dora, start, "Dave"))
    assert response.status_code == 409
    error = error_of(response)
    assert (error["code"], error["message"]) == ("full", "That time is fully booked.")


def test_a_party_bigger_than_the_seats_left_is_told_how_many_are(alice_api, yoga, dora, monday):
    start = berlin(monday, 10)
    alice_api.post("/bookings", booking_body(yoga, dora, start, party_size=yoga.capacity - 1))
    error = error_of(alice_api.post("/bookings", booking_body(yoga, dora, start, "Dave", party_size=2)))
    assert error["message"] == "Only 1 seat is left at that time."


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/staff", {"name": "Ines", "timezone": "Mars/Olympus"}, "timezone"),
        ("/staff", {"name": "Ines", "email": "ines-at-example.com"}, "email"),
        ("/services", {"name": "X", "duration_minutes": 30, "meeting_options": {"x": 1}}, "meeting_options"),
        ("/services", {"name": "X", "duration_minutes": 30, "price": "abc"}, "price"),
        ("/services", {"name": "", "duration_minutes": 30}, "name"),
        ("/services", {"name": "X", "duration_minutes": 30, "location_type": "moon"}, "location_type"),
        ("/staff", {"name": "Ines", "working_hours": [{"weekday": 0, "start": "9am", "end": "17:00"}]}, None),
    ],
)
def test_no_framework_wording_reaches_a_client(alice_api, db, path, body, field):
    response = alice_api.post(path, body)
    assert response.status_code == 422
    error = error_of(response)
    assert_in_our_words(error)
    if field:
        assert list(error["fields"]) == [field]


def test_an_unknown_zone_is_explained(alice_api, db):
    error = error_of(alice_api.post("/staff", {"name": "Ines", "timezone": "Mars/Olympus"}))
    assert error["fields"] == {
        "timezone": "'Mars/Olympus' is not a time zone; use an IANA name such as Europe/Berlin."
    }


def test_a_long_value_is_not_echoed_back(alice_api, db):
    error = error_of(alice_api.post("/staff", {"name": "Ines", "timezone": "x" * 150}))
    assert error["fields"] == {"timezone": "That is not a time zone; use an IANA name such as Europe/Berlin."}


def test_an_invalid_email_says_why(alice_api, db):
    error = error_of(alice_api.post("/staff", {"name": "Ines", "email": "ines-at-example.com"}))
    assert error["fields"]["email"].startswith("Not a valid email address. An email address must have an @")


def test_a_patch_cannot_null_a_required_field(alice_api, consultation):
    error = error_of(alice_api.patch(f"/services/{consultation.pk}", {"name": None, "capacity": None}))
    assert error["fields"] == {
        "capacity": "Cannot be null; leave it out to keep its value.",
        "name": "Cannot be null; leave it out to keep its value.",
    }


def test_another_tenants_staff_is_not_found_in_our_words(alice_api, bob):
    frank = make_staff(bob, "Frank")
    assert error_of(alice_api.get(f"/staff/{frank.pk}"))["message"] == "No such staff member."


# --- our own failures -------------------------------------------------------------------------------------


def test_a_failure_of_ours_is_a_logged_500_in_the_error_shape(caplog):
    # A real API built the way urls.py builds ours, with one operation that fails as a bug would.
    from ninja import Router
    from ninja.testing import TestClient

    from rendez.api.errors import Api, install_error_handlers

    router = Router()

    @router.get("/broken")
    def broken(request):
        raise RuntimeError("the token abc123 leaked into an exception")

    api = Api(urls_namespace="failure-test")
    install_error_handlers(api)
    api.add_router("", router)
    with caplog.at_level("ERROR", logger="rendez.api.errors"):
        response = TestClient(api).get("/broken")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "abc123" not in response.content.decode()
    assert any("GET /broken" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_the_zoom_settings_refuse_a_body_that_is_not_an_object(alice_api, body):
    response = send_raw(alice_api, "put", "/integrations/zoom/settings", body)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"body": "Must be a JSON object."}
