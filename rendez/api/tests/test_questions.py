"""Booking questions over the API: a service's questions put and read, bookings answering them (refused with
a field per wrong answer, writing nothing), and another tenant kept out."""

from __future__ import annotations

import pytest

from rendez.api.tests.fixtures import ApiClient, a_monday, berlin, booking_body
from rendez.scheduling.models import Booking, Customer, ServiceQuestion
from rendez.scheduling.tests.factories import make_api_key, make_service, make_staff, make_tenant

pytestmark = pytest.mark.django_db

QUESTIONS = {
    "questions": [
        {"label": "Your level", "kind": "choice", "choices": ["Beginner", "Advanced"], "required": True},
        {"label": "I accept the terms", "kind": "checkbox", "required": True},
        {"label": "Anything else?"},
    ]
}


@pytest.fixture
def studio(db):
    """A business that has just signed up: one staff member, one service, its own key."""
    tenant = make_tenant("studio", name="Fresh Studio")
    sam = make_staff(tenant, "Sam")
    service = make_service(tenant, sam, name="Intro lesson")
    return tenant, sam, service, ApiClient(make_api_key(tenant))


@pytest.fixture
def asked(studio) -> list[dict]:
    _, _, service, api = studio
    response = api.put(f"/services/{service.pk}/questions", QUESTIONS)
    assert response.status_code == 200, response.json()
    return response.json()["questions"]


def test_put_questions_are_what_the_service_carries(studio, asked):
    _, _, service, api = studio
    assert [(q["label"], q["kind"], q["choices"], q["required"]) for q in asked] == [
        ("Your level", "choice", ["Beginner", "Advanced"], True),
        ("I accept the terms", "checkbox", [], True),
        ("Anything else?", "text", [], False),
    ]
    assert api.get(f"/services/{service.pk}").json()["questions"] == asked
    assert api.get("/services").json()["items"][0]["questions"] == asked
    assert api.get(f"/services/{service.pk}/questions").json() == {"questions": asked}


def test_putting_a_shorter_list_reorders_rewrites_and_retires(studio, asked):
    _, _, service, api = studio
    level, terms, other = (q["id"] for q in asked)
    body = {
        "questions": [
            {"id": other, "label": "Notes for Sam"},
            {"id": level, "label": "Level", "kind": "text"},
        ]
    }
    response = api.put(f"/services/{service.pk}/questions", body)
    assert response.status_code == 200
    assert [(q["id"], q["label"]) for q in response.json()["questions"]] == [
        (other, "Notes for Sam"),
        (level, "Level"),
    ]
    assert ServiceQuestion.objects.get(pk=terms).is_active is False


def test_a_bad_question_is_named_and_nothing_changes(studio, asked):
    _, _, service, api = studio
    body = {"questions": [{"label": "Size", "kind": "choice", "choices": ["S", "s"]}]}
    response = api.put(f"/services/{service.pk}/questions", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == {"questions.0.choices": "Question 1: “s” is offered twice."}
    assert api.get(f"/services/{service.pk}/questions").json()["questions"] == asked


def test_a_booking_keeps_its_answers(studio, asked):
    _, sam, service, api = studio
    level, terms, other = (q["id"] for q in asked)
    answers = {str(level): "Advanced", str(terms): True, str(other): "  Bring mats "}
    response = api.post("/bookings", booking_body(service, sam, berlin(a_monday(), 10), answers=answers))
    assert response.status_code == 201, response.json()
    expected = [
        {"question_id": level, "label": "Your level", "answer": "Advanced"},
        {"question_id": terms, "label": "I accept the terms", "answer": "Yes"},
        {"question_id": other, "label": "Anything else?", "answer": "Bring mats"},
    ]
    booking = response.json()
    assert booking["answers"] == expected
    assert api.get(f"/bookings/{booking['id']}").json()["answers"] == expected
    bookings = api.get(f"/appointments/{booking['appointment_id']}").json()["bookings"]
    assert bookings[0]["answers"] == expected


def test_missing_and_wrong_answers_are_refused_and_nothing_is_written(studio, asked):
    _, sam, service, api = studio
    level, terms, _ = (q["id"] for q in asked)
    body = booking_body(service, sam, berlin(a_monday(), 10), answers={str(level): "Expert", "999999": "x"})
    response = api.post("/bookings", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_answers"
    assert error["fields"] == {
        "answers.999999": "Not a question of this service.",
        f"answers.{level}": "Choose one of: Beginner, Advanced.",
        f"answers.{terms}": "Tick this box to continue.",
    }
    assert not Booking.objects.exists() and not Customer.objects.exists()


def test_a_booking_without_answers_is_refused_when_questions_are_required(studio, asked):
    _, sam, service, api = studio
    response = api.post("/bookings", booking_body(service, sam, berlin(a_monday(), 10)))
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {
        f"answers.{asked[0]['id']}",
        f"answers.{asked[1]['id']}",
    }
    assert not Booking.objects.exists()


def test_a_service_without_questions_books_with_no_answers(alice_api, consultation, dora, monday):
    response = alice_api.post("/bookings", booking_body(consultation, dora, berlin(monday, 10)))
    assert response.status_code == 201
    assert response.json()["answers"] == []
    assert consultation.pk in [s["id"] for s in alice_api.get("/services").json()["items"]]


def test_another_tenant_can_neither_see_nor_change_the_questions(studio, asked, bob_api):
    _, sam, service, _ = studio
    assert bob_api.get(f"/services/{service.pk}/questions").status_code == 404
    response = bob_api.put(f"/services/{service.pk}/questions", {"questions": []})
    assert response.status_code == 404
    assert ServiceQuestion.objects.filter(service=service, is_active=True).count() == 3
    body = booking_body(service, sam, berlin(a_monday(), 10), answers={str(asked[0]["id"]): "Beginner"})
    refused = bob_api.post("/bookings", body)
    assert refused.status_code == 404
    assert refused.json()["error"]["message"] == "No such service."
    assert not Booking.objects.exists()


def series_body(service, staff, start, **extra) -> dict:
    body = {
        "service_id": service.pk,
        "staff_id": staff.pk,
        "start": start.isoformat(),
        "customer": {"name": "Charlie Day", "email": "charlie@example.com"},
        "repeat": {"frequency": "weekly", "count": 3},
    }
    return body | extra


def test_a_series_keeps_its_answers_with_every_occurrence(studio, asked):
    _, sam, service, api = studio
    service.series_allowed = True
    service.save(update_fields=["series_allowed"])
    level, terms, _ = (q["id"] for q in asked)

    response = api.post(
        "/series",
        series_body(service, sam, berlin(a_monday(), 10), answers={str(level): "Beginner", str(terms): True}),
    )

    assert response.status_code == 201, response.json()
    occurrences = response.json()["bookings"]
    assert len(occurrences) == 3
    assert {tuple(a["answer"] for a in booking["answers"]) for booking in occurrences} == {
        ("Beginner", "Yes")
    }


def test_a_series_with_wrong_answers_is_refused_and_books_nothing(studio, asked):
    _, sam, service, api = studio
    service.series_allowed = True
    service.save(update_fields=["series_allowed"])
    level, _, _ = (q["id"] for q in asked)

    response = api.post(
        "/series", series_body(service, sam, berlin(a_monday(), 10), answers={str(level): "x"})
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_answers"
    assert not Booking.objects.exists() and not Customer.objects.exists()
