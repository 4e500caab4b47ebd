"""The question writers under concurrent admins, each on its own PostgreSQL connection: the cap of active
questions holds and no two questions share a position."""

from __future__ import annotations

from collections import Counter

import pytest

from rendez.scheduling.catalog import CatalogError
from rendez.scheduling.models import ServiceQuestion
from rendez.scheduling.questions import MAX_ACTIVE, QuestionDraft, active_questions, add_question
from rendez.scheduling.tests.test_concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CLIENTS = 10


def outcome(result: object) -> str:
    if isinstance(result, ServiceQuestion):
        return "added"
    if isinstance(result, CatalogError):
        return result.code
    return repr(result)


def test_ten_admins_adding_at_once_never_pass_the_cap_or_share_a_place(consultation):
    for number in range(MAX_ACTIVE - 3):
        add_question(consultation, QuestionDraft(f"Question {number}"))
    results = all_at_once(
        lambda i: add_question(consultation, QuestionDraft(f"Late question {i}")), clients=CLIENTS
    )
    assert Counter(outcome(result) for result in results) == {"added": 3, "too_many_questions": CLIENTS - 3}
    positions = [question.position for question in active_questions(consultation)]
    assert len(positions) == MAX_ACTIVE == len(set(positions))
