"""Booking questions: the writer's checks, order and retirement, and the check of a customer's answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rendez.scheduling import services
from rendez.scheduling.catalog import CatalogError
from rendez.scheduling.models import ServiceQuestion
from rendez.scheduling.questions import (
    MAX_ACTIVE,
    InvalidAnswers,
    QuestionDraft,
    active_questions,
    add_question,
    check_answers,
    checked_draft,
    edit_question,
    move_question,
    replace_questions,
    retire_question,
)
from rendez.scheduling.tests.factories import customer, make_service, make_staff, make_tenant, utc
from rendez.scheduling.tests.fixtures import NOW

pytestmark = pytest.mark.django_db

TUESDAY_TEN = utc(2026, 6, 2, 8)
LEVEL = QuestionDraft("Your level", kind="choice", choices=["Beginner", "Advanced"], required=True)
TERMS = QuestionDraft("I accept the terms", kind="checkbox", required=True)
ALLERGIES = QuestionDraft("Allergies")


@pytest.fixture
def studio(db):
    """A fresh business with one service, as a new tenant sets it up."""
    tenant = make_tenant("studio", name="Fresh Studio")
    return make_service(tenant, make_staff(tenant, "Sam"), name="Intro")


def refused(draft: QuestionDraft) -> CatalogError:
    with pytest.raises(CatalogError) as caught:
        checked_draft(draft)
    return caught.value


@pytest.mark.parametrize(
    ("draft", "field", "words"),
    [
        (QuestionDraft("   "), "label", "label"),
        (QuestionDraft("x" * 201), "label", "200"),
        (QuestionDraft("Size", kind="dropdown"), "kind", "text, choice, checkbox"),
        (QuestionDraft("Size", kind="choice", choices=["S"]), "choices", "2 to 20"),
        (QuestionDraft("Size", kind="choice", choices=[str(n) for n in range(21)]), "choices", "2 to 20"),
        (QuestionDraft("Size", kind="choice", choices=["S", " "]), "choices", "empty"),
        (QuestionDraft("Size", kind="choice", choices=["Small", "small"]), "choices", "twice"),
        (QuestionDraft("Size", kind="choice", choices=["S", "x" * 101]), "choices", "100"),
    ],
)
def test_a_bad_question_is_refused_on_its_field(draft, field, words):
    error = refused(draft)
    assert error.field == field
    assert words in error.message


def test_a_question_is_tidied_and_only_a_choice_keeps_options():
    assert checked_draft(QuestionDraft("  Size ", kind="choice", choices=[" S", "M "])) == QuestionDraft(
        "Size", kind="choice", choices=("S", "M")
    )
    assert checked_draft(QuestionDraft("Notes", kind="text", choices=["stray"])).choices == ()


@given(st.lists(st.text(min_size=1, max_size=100).filter(str.strip), min_size=2, max_size=20))
def test_options_a_choice_accepts_keep_their_order(options):
    stripped = [option.strip() for option in options]
    if len({option.casefold() for option in stripped}) < len(stripped) or any(
        len(option) > 100 for option in stripped
    ):
        return
    assert checked_draft(QuestionDraft("Pick", kind="choice", choices=options)).choices == tuple(stripped)


def test_questions_are_asked_in_the_order_added_and_moved(studio):
    level, terms, allergies = (add_question(studio, draft) for draft in (LEVEL, TERMS, ALLERGIES))
    assert [q.label for q in active_questions(studio)] == ["Your level", "I accept the terms", "Allergies"]
    move_question(allergies, -1)
    move_question(level, -1)  # already first: stays
    assert [q.pk for q in active_questions(studio)] == [level.pk, allergies.pk, terms.pk]
    move_question(level, 1)
    assert [q.pk for q in active_questions(studio)] == [allergies.pk, level.pk, terms.pk]


def test_retiring_keeps_the_row_and_the_answers_given(studio):
    level = add_question(studio, LEVEL)
    answers = check_answers(active_questions(studio), {str(level.pk): "Advanced"})
    booking = services.book(
        service=studio,
        staff=studio.staff.get(),
        start=TUESDAY_TEN,
        customer=customer(),
        now=NOW,
        answers=answers,
    )
    retire_question(level)
    with pytest.raises(CatalogError):
        edit_question(level, ALLERGIES)
    assert active_questions(studio) == []
    assert ServiceQuestion.objects.get(pk=level.pk).is_active is False
    booking.refresh_from_db()
    assert booking.answers == [{"question_id": level.pk, "label": "Your level", "answer": "Advanced"}]


def test_editing_a_question_leaves_the_answers_as_asked(studio):
    level = add_question(studio, LEVEL)
    answers = check_answers([level], {str(level.pk): "Beginner"})
    edit_question(level, QuestionDraft("Experience", kind="text"))
    fresh = ServiceQuestion.objects.get(pk=level.pk)
    assert (fresh.label, fresh.kind, fresh.choices, fresh.required) == ("Experience", "text", [], False)
    assert answers == [{"question_id": level.pk, "label": "Your level", "answer": "Beginner"}]


def test_a_service_asks_at_most_twenty_questions(studio):
    for number in range(MAX_ACTIVE):
        add_question(studio, QuestionDraft(f"Question {number}"))
    with pytest.raises(CatalogError) as caught:
        add_question(studio, ALLERGIES)
    assert caught.value.code == "too_many_questions"
    retire_question(active_questions(studio)[0])
    add_question(studio, ALLERGIES)  # a retired one makes room
    assert len(active_questions(studio)) == MAX_ACTIVE


def test_replacing_rewrites_adds_orders_and_retires(studio):
    level, terms = add_question(studio, LEVEL), add_question(studio, TERMS)
    result = replace_questions(
        studio, [(None, ALLERGIES), (level.pk, QuestionDraft("Level", kind="choice", choices=["A", "B"]))]
    )
    assert [(q.label, q.position) for q in active_questions(studio)] == [("Allergies", 1), ("Level", 2)]
    assert result[1].pk == level.pk
    assert ServiceQuestion.objects.get(pk=terms.pk).is_active is False


def test_replacing_names_the_item_at_fault_and_changes_nothing(studio):
    level = add_question(studio, LEVEL)
    with pytest.raises(CatalogError) as caught:
        replace_questions(studio, [(level.pk, ALLERGIES), (None, QuestionDraft("Size", kind="choice"))])
    assert caught.value.fields == {"questions.1.choices": caught.value.message}
    assert caught.value.message.startswith("Question 2: ")
    with pytest.raises(CatalogError) as unknown:
        replace_questions(studio, [(level.pk + 1000, ALLERGIES)])
    assert unknown.value.field == "questions.0.id"
    with pytest.raises(CatalogError) as twice:
        replace_questions(studio, [(level.pk, ALLERGIES), (level.pk, ALLERGIES)])
    assert (twice.value.field, twice.value.message) == (
        "questions.1.id",
        f"Question {level.pk} is listed twice.",
    )
    assert [(q.pk, q.label) for q in active_questions(studio)] == [(level.pk, "Your level")]


# --- answers ------------------------------------------------------------------------------------------------


@pytest.fixture
def asked(studio):
    return [add_question(studio, draft) for draft in (LEVEL, TERMS, ALLERGIES)]


def test_answers_become_the_snapshot_in_question_order(asked):
    level, terms, allergies = asked
    raw = {str(allergies.pk): "  Peanuts ", str(terms.pk): True, str(level.pk): "Beginner"}
    assert check_answers(asked, raw) == [
        {"question_id": level.pk, "label": "Your level", "answer": "Beginner"},
        {"question_id": terms.pk, "label": "I accept the terms", "answer": "Yes"},
        {"question_id": allergies.pk, "label": "Allergies", "answer": "Peanuts"},
    ]


def test_an_optional_empty_text_is_left_out_and_an_unticked_box_is_no(studio):
    news = add_question(studio, QuestionDraft("Send me news", kind="checkbox"))
    note = add_question(studio, ALLERGIES)
    assert check_answers([news, note], {str(note.pk): "  "}) == [
        {"question_id": news.pk, "label": "Send me news", "answer": "No"}
    ]


def test_each_wrong_answer_is_named_by_its_question(asked):
    level, terms, allergies = asked
    with pytest.raises(InvalidAnswers) as caught:
        check_answers(asked, {str(level.pk): "Expert", str(allergies.pk): "x" * 1001, "999999": "?"})
    assert caught.value.errors == {
        "999999": "Not a question of this service.",
        str(level.pk): "Choose one of: Beginner, Advanced.",
        str(terms.pk): "Tick this box to continue.",
        str(allergies.pk): "At most 1000 characters.",
    }


def test_required_answers_missing_are_refused(asked):
    level, terms, _ = asked
    with pytest.raises(InvalidAnswers) as caught:
        check_answers(asked, {str(terms.pk): "No"})
    assert caught.value.errors == {str(level.pk): "Choose one.", str(terms.pk): "Tick this box to continue."}


def test_a_box_answer_must_read_as_ticked_or_not(studio):
    news = add_question(studio, QuestionDraft("Send me news", kind="checkbox"))
    assert check_answers([news], {str(news.pk): "yes"})[0]["answer"] == "Yes"
    assert check_answers([news], {str(news.pk): False})[0]["answer"] == "No"
    with pytest.raises(InvalidAnswers):
        check_answers([news], {str(news.pk): "maybe"})
    note = add_question(studio, ALLERGIES)
    with pytest.raises(InvalidAnswers) as caught:
        check_answers([note], {str(note.pk): 12})
    assert caught.value.errors == {str(note.pk): "Must be text."}


def test_the_answers_are_stored_by_the_booking_insert_by_ids(asked, studio):
    level, terms, _ = asked
    answers = check_answers(asked, {str(level.pk): "Advanced", str(terms.pk): "on"})
    booking = services.book_by_ids(
        tenant_id=studio.tenant_id,
        service_id=studio.pk,
        staff_id=studio.staff.get().pk,
        start=TUESDAY_TEN,
        customer=customer(),
        now=NOW,
        answers=answers,
    )
    booking.refresh_from_db()
    assert booking.answers == answers


@given(st.text(max_size=1200))
def test_a_text_answer_is_kept_trimmed_or_refused_for_its_length(text):
    question = ServiceQuestion(pk=7, service_id=1, label="Anything else?", kind="text", required=False)
    try:
        answers = check_answers([question], {"7": text})
    except InvalidAnswers as invalid:
        assert len(text.strip()) > 1000 and invalid.errors == {"7": "At most 1000 characters."}
        return
    expected = [{"question_id": 7, "label": "Anything else?", "answer": text.strip()}] if text.strip() else []
    assert answers == expected
