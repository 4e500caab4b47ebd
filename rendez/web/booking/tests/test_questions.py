"""The service's booking questions on the public page: asked on the details step, refused beside their field
with what was typed kept, kept with the booking and shown back on the confirmation and the customer's page."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Booking
from rendez.scheduling.questions import QuestionDraft, add_question
from rendez.web.booking.tests.test_booking import a_monday, details, details_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(yoga):  # noqa: F811
    return [
        add_question(yoga, QuestionDraft("Your level", "choice", ["Beginner", "Advanced"], required=True)),
        add_question(yoga, QuestionDraft("I accept the terms", "checkbox", required=True)),
        add_question(yoga, QuestionDraft("Injuries we should know about")),
    ]


def test_the_details_step_asks_the_questions_in_order_marking_what_is_required(client, yoga, asked):  # noqa: F811
    start = a_monday()
    page = client.get(details_url(yoga), {"staff": "any", "start": start.isoformat()}).content.decode()
    level, terms, injuries = (page.index(q.label) for q in asked)
    assert page.index("Your name") < level < terms < injuries < page.index("Notes (optional)")
    assert "Your level (required)" in page and "I accept the terms (required)" in page
    assert "Injuries we should know about (optional)" in page
    assert '<option value="Beginner">Beginner</option>' in page


def test_wrong_answers_are_refused_beside_their_field_and_what_was_typed_stays(client, yoga, asked):  # noqa: F811
    level, terms, injuries = asked
    data = details(yoga, a_monday(), party_size="1", **{f"q_{level.pk}": "", f"q_{injuries.pk}": "Bad knee"})
    response = client.post(details_url(yoga), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_q_{level.pk}-errors"><li>Choose one.</li>' in page
    assert f'id="id_q_{terms.pk}-errors"><li>Tick this box to continue.</li>' in page
    assert "Bad knee</textarea>" in page and 'value="Charlie Day"' in page
    assert not Booking.objects.exists()


def test_a_choice_not_offered_is_refused(client, yoga, asked):  # noqa: F811
    level, terms, _ = asked
    data = details(yoga, a_monday(), party_size="1", **{f"q_{level.pk}": "Expert", f"q_{terms.pk}": "on"})
    page = client.post(details_url(yoga), data).content.decode()
    assert "Select a valid choice" in page or "Choose one of" in page
    assert not Booking.objects.exists()


def test_the_answers_are_kept_and_shown_back_to_the_customer(client, yoga, asked):  # noqa: F811
    level, terms, injuries = asked
    answers = {f"q_{level.pk}": "Advanced", f"q_{terms.pk}": "on", f"q_{injuries.pk}": ""}
    data = details(yoga, a_monday(), party_size="1", **answers)
    response = client.post(details_url(yoga), data)
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.answers == [
        {"question_id": level.pk, "label": "Your level", "answer": "Advanced"},
        {"question_id": terms.pk, "label": "I accept the terms", "answer": "Yes"},
    ]
    for url in (response["Location"], f"/manage/{booking.manage_token}"):
        page = client.get(url).content.decode()
        assert "<dt>Your level</dt><dd>Advanced</dd>" in page
        assert "<dt>I accept the terms</dt><dd>Yes</dd>" in page
        assert "Injuries" not in page


def test_a_retired_question_is_no_longer_asked(client, yoga, asked):  # noqa: F811
    from rendez.scheduling.questions import retire_question

    for question in asked:
        retire_question(question)
    response = client.post(details_url(yoga), details(yoga, a_monday(), party_size="1"))
    assert response.status_code == 302
    assert Booking.objects.get().answers == []
