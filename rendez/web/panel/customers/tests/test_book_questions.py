"""Booking from the panel asks the service's booking questions too: they come with the service's free times,
are refused beside their field as on the booking page, and are kept with the booking."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Booking
from rendez.scheduling.questions import QuestionDraft, add_question
from rendez.web.panel.customers.tests.test_customers import _form

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms(consultation):
    return add_question(consultation, QuestionDraft("I accept the terms", "checkbox", required=True))


def test_the_questions_come_with_the_services_free_times(ada_client, consultation, dora, monday, terms):
    page = ada_client.get("/panel/customers/book/", {"service": consultation.pk}).content.decode()
    assert "I accept the terms (required)" in page
    fragment = ada_client.get(
        "/panel/customers/book/slots/",
        {"service": consultation.pk, "date": monday.isoformat(), f"q_{terms.pk}": "on"},
    ).content.decode()
    assert 'id="questions" hx-swap-oob="true"' in fragment
    assert f'name="q_{terms.pk}"' in fragment and "checked" in fragment


def test_a_required_answer_missing_is_refused_and_nothing_is_booked(
    ada_client, consultation, dora, monday, terms
):
    response = ada_client.post("/panel/customers/book/", _form(consultation, dora, monday, 14, name="Nina"))
    assert response.status_code == 400
    assert "Tick this box to continue." in response.content.decode()
    assert not Booking.objects.exists()


def test_the_answers_are_kept_with_the_booking(ada_client, consultation, dora, monday, terms):
    data = _form(consultation, dora, monday, 14, name="Nina", **{f"q_{terms.pk}": "on"})
    assert ada_client.post("/panel/customers/book/", data).status_code == 302
    assert Booking.objects.get().answers == [
        {"question_id": terms.pk, "label": "I accept the terms", "answer": "Yes"}
    ]
