"""Booking questions on a service's page: an admin adds, edits, moves and retires them through the writer;
a staff member and another tenant's admin get 404 and change nothing."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import ServiceQuestion
from rendez.scheduling.questions import QuestionDraft, active_questions, add_question

pytestmark = pytest.mark.django_db


def url(service, *rest) -> str:
    return "/".join([f"/panel/services/{service.pk}/questions", *map(str, rest)]) + "/"


def add(client, service, **fields):
    data = {
        "new-label": "",
        "new-kind": "text",
        "new-choices": "",
        **{f"new-{k}": v for k, v in fields.items()},
    }
    return client.post(url(service), data)


def test_the_page_shows_the_questions_section(ada_client, consultation):
    add_question(consultation, QuestionDraft("Your level", "choice", ["Beginner", "Advanced"], True))
    page = ada_client.get(f"/panel/services/{consultation.pk}/").content.decode()
    assert "Booking questions" in page and "Your level" in page and "Beginner · Advanced" in page
    assert "Required" in page
    assert "Booking questions" not in ada_client.get("/panel/services/new/").content.decode()


def test_an_admin_adds_a_required_choice_question(ada_client, consultation):
    response = add(
        ada_client,
        consultation,
        label="Your level",
        kind="choice",
        choices="Beginner\n\nAdvanced\n",
        required="on",
    )
    assert response.status_code == 302
    assert response["Location"] == f"/panel/services/{consultation.pk}/#questions"
    [question] = active_questions(consultation)
    assert (question.label, question.kind, question.choices, question.required) == (
        "Your level",
        "choice",
        ["Beginner", "Advanced"],
        True,
    )


def test_a_refused_question_is_shown_beside_its_field_with_what_was_typed(ada_client, consultation):
    response = add(ada_client, consultation, label="Size", kind="choice", choices="Only one")
    assert response.status_code == 400
    page = response.content.decode()
    assert "A choice question offers 2 to 20 options." in page
    assert "Only one</textarea>" in page and 'value="Size"' in page
    assert not ServiceQuestion.objects.exists()


def test_an_admin_edits_moves_and_retires(ada_client, consultation):
    first = add_question(consultation, QuestionDraft("Allergies"))
    second = add_question(consultation, QuestionDraft("I accept the terms", "checkbox"))
    edited = ada_client.post(
        url(consultation, first.pk),
        {
            f"q{first.pk}-label": "Allergies or injuries",
            f"q{first.pk}-kind": "text",
            f"q{first.pk}-required": "on",
        },
    )
    assert edited.status_code == 302
    first.refresh_from_db()
    assert (first.label, first.required) == ("Allergies or injuries", True)
    assert ada_client.post(url(consultation, second.pk, "move"), {"direction": "up"}).status_code == 302
    assert [q.pk for q in active_questions(consultation)] == [second.pk, first.pk]
    assert ada_client.post(url(consultation, second.pk, "retire")).status_code == 302
    assert [q.pk for q in active_questions(consultation)] == [first.pk]
    assert ServiceQuestion.objects.filter(pk=second.pk).exists()
    # A retired question is no longer edited or moved.
    assert ada_client.post(url(consultation, second.pk, "move"), {"direction": "down"}).status_code == 404


def test_a_refused_edit_opens_its_form_with_the_error(ada_client, consultation):
    question = add_question(consultation, QuestionDraft("Allergies"))
    response = ada_client.post(
        url(consultation, question.pk),
        {
            f"q{question.pk}-label": "Size",
            f"q{question.pk}-kind": "choice",
            f"q{question.pk}-choices": "S\ns",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<details open>" in page and "is offered twice" in page
    question.refresh_from_db()
    assert question.label == "Allergies"


def test_staff_and_outsiders_get_404_and_nothing_changes(dora_client, olga_client, consultation):
    question = add_question(consultation, QuestionDraft("Allergies"))
    for client in (dora_client, olga_client):
        assert add(client, consultation, label="Hijack").status_code == 404
        assert (
            client.post(url(consultation, question.pk), {f"q{question.pk}-label": "Hijack"}).status_code
            == 404
        )
        assert client.post(url(consultation, question.pk, "move"), {"direction": "up"}).status_code == 404
        assert client.post(url(consultation, question.pk, "retire")).status_code == 404
    assert [(q.label, q.is_active) for q in ServiceQuestion.objects.all()] == [("Allergies", True)]
