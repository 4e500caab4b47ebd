"""What the API shows of booking questions and of the answers kept with a booking (read side only: the
bodies that change questions are in `api/questions.py`)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

QuestionKind = Literal["text", "choice", "checkbox"]


class QuestionOut(Schema):
    id: int
    label: str
    kind: QuestionKind
    choices: list[str] = Field(description="The options of a `choice` question, in order; empty otherwise")
    required: bool


class AnswerOut(Schema):
    question_id: int
    label: str = Field(description="The question as it was asked when the booking was made")
    answer: str = Field(description='The answer given; a checkbox\'s is "Yes" or "No"')
