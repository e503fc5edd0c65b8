"""Free-text review: the answers of a survey round page by page, removing text for good, and
the reviewed mark staff set on each answer they have read.

Free text is the answer to a free-text question and, inside each mark of a place question,
the street or landmark the resident wrote (often a home address) and every free-text
follow-up. A text inside a mark is named ``<question>.<n>.<key>`` like its form field (mark n
from 1, see docs/places.md) and is edited in place, so the mark stays a valid mark.

What counts as personal data is decided in ``services/redaction.py``; this module reads and
writes the stored answers. A removal is planned first (:func:`plan_removal`, shown to staff as
before and after) and carried out only for the exact text that was shown
(:func:`redact_answer` with the plan's digest), so an answer changed in between is not cut at
the wrong place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple

from flask_login import current_user
from sqlalchemy import delete, select

from surveys import Question, Survey

from .. import audit
from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion, utcnow
from ..services import redaction
from .models import FreeTextReview

PAGE_SIZE = 50
SCOPES = ("all", "flagged", "span")


class UnknownAnswer(LookupError):
    """No free-text answer of this survey round by that response and question."""


class UnknownScope(ValueError):
    """Neither the whole answer, the flagged parts nor a chosen span of text was asked for."""


class TextNotFound(ValueError):
    """The text staff chose to remove is not (or no longer) in the answer."""


class ChangedMeanwhile(RuntimeError):
    """The answer is not the text the confirmation showed (someone else changed it)."""


class Entry(NamedTuple):
    response: Response
    question: Question
    field: str
    # Inside a place question's mark: its number (from 1), and the free-text follow-up
    # (``None`` for the street or landmark the resident wrote).
    mark: int | None
    follow_up: Question | None
    pieces: list[tuple[str, str | None]]
    flagged: bool
    reviewed: FreeTextReview | None


class _Text(NamedTuple):
    """One free text stored in an answer, and where: ``key`` names the text inside mark
    ``mark`` of a place question, both ``None`` for a free-text question's answer."""

    question: Question
    field: str
    mark: int | None
    key: str | None
    follow_up: Question | None
    text: str


@dataclass(frozen=True)
class ReviewPage:
    entries: list[Entry]
    more: bool


@dataclass(frozen=True)
class Removal:
    """What a removal would do to one answer: ``before`` cut into (piece, removed) pairs,
    the text ``after`` it, and the digest of the text it was planned on."""

    before: list[tuple[str, bool]]
    after: str
    digest: str

    @property
    def changes(self) -> bool:
        return any(removed for _piece, removed in self.before)


def free_text_questions(survey: Survey) -> list[Question]:
    """The questions whose answers hold free text: free-text questions, and place questions
    (the street or landmark of each mark, and their free-text follow-ups)."""
    return [q for q in survey.questions() if q.type in ("free_text", "place")]


def _texts(question: Question, answers: dict) -> list[_Text]:
    """The free texts of ``question`` in one response's answers, in the order given."""
    value = answers.get(question.id)
    if question.type == "free_text":
        return [_Text(question, question.id, None, None, None, value)] if isinstance(
            value, str) else []
    if not isinstance(value, list):
        return []
    follow_ups = [(f.id, f) for f in question.follow_up if f.type == "free_text"]
    return [_Text(question, f"{question.id}.{number}.{key}", number, key, follow_up, mark[key])
            for number, mark in enumerate(value, start=1) if isinstance(mark, dict)
            for key, follow_up in (("text", None), *follow_ups)
            if isinstance(mark.get(key), str)]


def _replaced(answers: dict, found: _Text, new_text: str) -> dict:
    """A new answers dict with ``found`` replaced by ``new_text`` (a mark is copied, changed
    in that one key): the JSON column only notices a replaced value, not an in-place change."""
    if found.mark is None:
        return {**answers, found.field: new_text}
    marks = list(answers[found.question.id])
    marks[found.mark - 1] = {**marks[found.mark - 1], found.key: new_text}
    return {**answers, found.question.id: marks}


def _marks(record: SurveyRecord) -> dict[tuple[int, str], FreeTextReview]:
    rows = db.session.scalars(
        select(FreeTextReview).join(Response, FreeTextReview.response_id == Response.id)
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id))
    return {(row.response_id, row.field): row for row in rows}


def review_page(record: SurveyRecord, survey: Survey, page: int, *, only_flagged: bool,
                only_unreviewed: bool = True, newest_first: bool = True) -> ReviewPage:
    """Page ``page`` (from 1) of the round's non-empty free-text answers, each split into
    plain and flagged pieces, with its reviewed mark."""
    questions = free_text_questions(survey)
    marks = _marks(record)
    query = (select(Response)
             .join(SurveyVersion, Response.version_id == SurveyVersion.id)
             .where(SurveyVersion.survey_id == record.id)
             .order_by(Response.id.desc() if newest_first else Response.id))
    entries: list[Entry] = []
    # Flags are computed in Python, so the page walks responses in batches until it has
    # one screenful of answers (or has seen them all).
    skip = (page - 1) * PAGE_SIZE
    for response in db.session.scalars(query.execution_options(yield_per=500)):
        found = [item for question in questions for item in _texts(question,
                                                                   response.answers or {})]
        for question, field, mark, _key, follow_up, text in found:
            if not text.strip():
                continue
            reviewed = marks.get((response.id, field))
            if only_unreviewed and reviewed is not None:
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
            entries.append(Entry(response, question, field, mark, follow_up, pieces, flagged,
                                 reviewed))
    return ReviewPage(entries, more=False)


def _answer(record: SurveyRecord, survey: Survey, response_id: int,
            field: str) -> tuple[Response, _Text]:
    response = db.session.get(Response, response_id)
    if response is None or response.version.survey_id != record.id:
        raise UnknownAnswer(response_id, field)
    question_id = field.split(".", 1)[0]
    for question in free_text_questions(survey):
        if question.id == question_id:
            for found in _texts(question, response.answers or {}):
                if found.field == field:
                    return response, found
    raise UnknownAnswer(response_id, field)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _spans(text: str, scope: str | None, selected: str, start: int | None,
           end: int | None) -> list[redaction.Finding]:
    if scope == "all":
        return [redaction.Finding("all", 0, len(text))]
    if scope == "flagged":
        return redaction.find_personal_data(text)
    if scope != "span":
        raise UnknownScope(scope)
    # Offsets come from a selection in the browser; the selected text guards them, and
    # without offsets (no script) every occurrence of the typed text is removed.
    if (start is not None and end is not None and 0 <= start < end <= len(text)
            and (not selected or text[start:end] == selected)):
        return [redaction.Finding("selected", start, end)]
    needle = selected.strip()
    if not needle:
        raise TextNotFound(selected)
    found, position = [], text.find(needle)
    while position >= 0:
        found.append(redaction.Finding("selected", position, position + len(needle)))
        position = text.find(needle, position + len(needle))
    if not found:
        raise TextNotFound(selected)
    return found


def plan_removal(record: SurveyRecord, survey: Survey, response_id: int, field: str,
                 scope: str | None, selected: str = "", start: int | None = None,
                 end: int | None = None) -> Removal:
    """What removing ``scope`` (the whole answer, its flagged parts, or a span chosen by
    ``start``/``end`` or by its text ``selected``) would leave. Raises ``UnknownAnswer``,
    ``UnknownScope`` or ``TextNotFound``."""
    text = _answer(record, survey, response_id, field)[1].text
    spans = _spans(text, scope, selected, start, end)
    before = [(piece, kind is not None) for piece, kind in redaction.segments(text, spans)]
    return Removal(before, redaction.redact_spans(text, spans), _digest(text))


def redact_answer(record: SurveyRecord, survey: Survey, response_id: int, field: str,
                  scope: str | None, selected: str = "", start: int | None = None,
                  end: int | None = None, *, digest: str | None = None) -> bool:
    """Carry out :func:`plan_removal` for good; returns whether the stored text changed.

    With ``digest`` the answer must still be the text the plan was shown for, else
    ``ChangedMeanwhile``."""
    response, found = _answer(record, survey, response_id, field)
    if digest is not None and digest != _digest(found.text):
        raise ChangedMeanwhile(response_id, field)
    new_text = plan_removal(record, survey, response_id, field, scope, selected, start,
                            end).after
    if new_text == found.text:
        return False
    response.answers = _replaced(response.answers, found, new_text)
    response.updated_at = utcnow()
    db.session.commit()
    return True


def set_reviewed(record: SurveyRecord, survey: Survey, response_id: int, field: str,
                 reviewed: bool) -> None:
    """Mark one answer reviewed by the signed-in staff member (or take the mark away), in the
    audit log."""
    _answer(record, survey, response_id, field)
    db.session.execute(delete(FreeTextReview).where(FreeTextReview.response_id == response_id,
                                                    FreeTextReview.field == field))
    if reviewed:
        db.session.add(FreeTextReview(response_id=response_id, field=field,
                                      reviewed_by=current_user.email, reviewed_at=utcnow()))
    audit.record("free_text_reviewed" if reviewed else "free_text_unreviewed",
                 f"response {response_id} {field}", record.slug)
