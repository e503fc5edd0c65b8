"""Free-text review: the answers of a survey round page by page, and removing text for good.

What counts as personal data is decided in ``services/redaction.py``; this module reads and
writes the stored answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

from surveys import Question, Survey

from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion, utcnow
from ..services import redaction

PAGE_SIZE = 50


class UnknownAnswer(LookupError):
    """No free-text answer of this survey round by that response and question."""


class UnknownScope(ValueError):
    """Neither the whole answer nor the flagged parts were chosen."""


class Entry(NamedTuple):
    response: Response
    question: Question
    pieces: list[tuple[str, str | None]]
    flagged: bool


@dataclass(frozen=True)
class ReviewPage:
    entries: list[Entry]
    more: bool


def free_text_questions(survey: Survey) -> list[Question]:
    return [q for q in survey.questions() if q.type == "free_text"]


def review_page(record: SurveyRecord, survey: Survey, page: int, *,
                only_flagged: bool) -> ReviewPage:
    """Page ``page`` (from 1) of the round's non-empty free-text answers, each split into
    plain and flagged pieces."""
    questions = free_text_questions(survey)
    query = (select(Response)
             .join(SurveyVersion, Response.version_id == SurveyVersion.id)
             .where(SurveyVersion.survey_id == record.id)
             .order_by(Response.id))
    entries: list[Entry] = []
    # Flags are computed in Python, so the page walks responses in batches until it has
    # one screenful of answers (or has seen them all).
    skip = (page - 1) * PAGE_SIZE
    for response in db.session.scalars(query.execution_options(yield_per=500)):
        for question in questions:
            text = (response.answers or {}).get(question.id)
            if not isinstance(text, str) or not text.strip():
                continue
            pieces = redaction.segments(text)
            flagged = any(kind for _piece, kind in pieces)
            if only_flagged and not flagged:
                continue
            if skip:
                skip -= 1
                continue
            if len(entries) == PAGE_SIZE:
                return ReviewPage(entries, more=True)
            entries.append(Entry(response, question, pieces, flagged))
    return ReviewPage(entries, more=False)


def redact_answer(record: SurveyRecord, survey: Survey, response_id: int, field: str,
                  scope: str | None) -> bool:
    """Remove the whole answer (``scope="all"``) or its flagged parts (``"flagged"``).

    Returns whether the stored text changed. Raises ``UnknownAnswer`` or ``UnknownScope``.
    """
    response = db.session.get(Response, response_id)
    if (response is None or response.version.survey_id != record.id
            or field not in {q.id for q in free_text_questions(survey)}):
        raise UnknownAnswer(response_id, field)
    text = (response.answers or {}).get(field)
    if not isinstance(text, str):
        raise UnknownAnswer(response_id, field)
    if scope == "all":
        new_text = redaction.REDACTED
    elif scope == "flagged":
        new_text = redaction.redact_flagged(text)
    else:
        raise UnknownScope(scope)
    if new_text == text:
        return False
    # A new dict: the JSON column only notices a replaced value, not an in-place change.
    response.answers = {**response.answers, field: new_text}
    response.updated_at = utcnow()
    db.session.commit()
    return True
