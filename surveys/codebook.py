"""Flat export rows, the codebook that explains them, and what analysis needs to know."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surveys.definition import Indicator, Question, Scale, Survey, Text
from surveys.numbers import plain_number

_CODED_TYPES = ("single_choice", "multiple_choice", "pick_top", "likert_matrix")


@dataclass(frozen=True)
class CodebookRow:
    """One (column, code) pair; ``code`` is ``""`` for free_text and number columns.

    ``labels`` is the code's label per language (the question text for uncoded columns);
    ``column_labels`` is what the column asks: the question text, or the item label for a
    matrix column.
    """

    column: str
    question: str
    type: str
    code: str
    labels: Text
    column_labels: Text = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisSpec:
    """Where the problem ranking and the background variables live in the flat export.

    ``matrix_questions`` are the likert_matrix questions sharing the first scale that has
    ``positive`` codes; ``item_columns`` are their item columns (``<question>.<item>``) and
    ``item_codes`` the bare item codes in the same order. ``item_labels`` maps each item column
    to its label per language. ``priorities_column`` is the pick_top question whose option codes
    are exactly the item codes. ``role_codes`` lists the answer codes of each background role.
    """

    matrix_questions: tuple[str, ...]
    item_columns: tuple[str, ...]
    item_codes: tuple[str, ...]
    item_labels: dict[str, Text]
    valid_codes: tuple[str, ...]
    positive_codes: tuple[str, ...]
    dont_know_codes: tuple[str, ...]
    scores: dict[str, float]
    priorities_column: str | None
    priorities_max: int | None
    age_band_column: str | None
    gender_column: str | None
    area_column: str | None
    role_codes: dict[str, tuple[str, ...]]
    # The survey's key figures, each with whether its question takes several answers.
    indicators: tuple[tuple[Indicator, bool], ...] = ()


def export_columns(survey: Survey) -> list[str]:
    """One column per question (``<question>.<item>`` per matrix item), in survey order."""
    return [name for q in survey.questions() for name in q.field_names()]


def _format(value: Any, question: Question) -> str:
    if value is None:
        return ""
    if question.type == "place":
        return format_marks(value)
    if isinstance(value, list | tuple):
        order = [o.code for o in question.options]
        chosen = {str(v) for v in value}
        return ";".join(code for code in order if code in chosen)
    if isinstance(value, float):
        return str(plain_number(value))
    return str(value)


def format_marks(marks: Any) -> str:
    """A place answer's marks as one cell: the stored JSON list (docs/places.md)."""
    return json.dumps(marks, ensure_ascii=False, separators=(",", ":"))


def flatten_answers(survey: Survey, answers: Mapping[str, Any]) -> dict[str, str]:
    """Answers as one text cell per export column; unanswered fields are ``""``."""
    row: dict[str, str] = {}
    for question in survey.questions():
        for name in question.field_names():
            row[name] = _format(answers.get(name), question)
    return row


def codebook_rows(survey: Survey) -> list[CodebookRow]:
    """The codebook: every code of every column with its labels, in export order."""
    rows: list[CodebookRow] = []
    for question in survey.questions():
        if question.type == "likert_matrix":
            options = question.scale.options if question.scale else ()
            for item in question.items:
                column = f"{question.id}.{item.code}"
                rows.extend(
                    CodebookRow(column, question.id, question.type, o.code, dict(o.label),
                                dict(item.label))
                    for o in options
                )
        elif question.type == "place":
            rows.extend(_place_rows(question))
        elif question.type in _CODED_TYPES:
            rows.extend(
                CodebookRow(question.id, question.id, question.type, o.code, dict(o.label),
                            dict(question.text))
                for o in question.options
            )
        else:
            rows.append(
                CodebookRow(question.id, question.id, question.type, "", dict(question.text),
                            dict(question.text))
            )
    return rows


def _place_rows(question: Question) -> list[CodebookRow]:
    """The cell is a JSON list of marks: a row per named place (a mark's ``place``), then per
    follow-up code as ``<follow-up>.<code>`` (a free-text follow-up as ``<follow-up>``),
    naming the key of a mark that holds it."""
    rows = [CodebookRow(question.id, question.id, question.type, p.code, dict(p.label),
                        dict(question.text)) for p in question.places]
    for follow_up in question.follow_up:
        if follow_up.options:
            rows.extend(CodebookRow(question.id, question.id, follow_up.type,
                                    f"{follow_up.id}.{o.code}", dict(o.label),
                                    dict(follow_up.text)) for o in follow_up.options)
        else:
            rows.append(CodebookRow(question.id, question.id, follow_up.type, follow_up.id,
                                    dict(follow_up.text), dict(follow_up.text)))
    return rows


def _ranking_scale(survey: Survey) -> Scale | None:
    for question in survey.questions():
        if question.type == "likert_matrix" and question.scale and question.scale.positive:
            return question.scale
    return None


def analysis_spec(survey: Survey) -> AnalysisSpec:
    """What analysis needs: ranking items, their scale, priorities and background columns."""
    scale = _ranking_scale(survey)
    matrices = [
        q for q in survey.questions()
        if scale is not None and q.type == "likert_matrix" and q.scale == scale
    ]
    item_columns = tuple(f"{q.id}.{item.code}" for q in matrices for item in q.items)
    item_codes = tuple(item.code for q in matrices for item in q.items)
    item_labels = {f"{q.id}.{item.code}": dict(item.label) for q in matrices for item in q.items}

    priorities = next(
        (
            q for q in survey.questions()
            if q.type == "pick_top" and item_codes
            and sorted(o.code for o in q.options) == sorted(item_codes)
        ),
        None,
    )

    def role_column(role: str) -> str | None:
        question = survey.question_with_role(role)
        return question.id if question else None

    role_codes = {
        q.role: tuple(o.code for o in q.options) for q in survey.questions() if q.role
    }
    return AnalysisSpec(
        matrix_questions=tuple(q.id for q in matrices),
        item_columns=item_columns,
        item_codes=item_codes,
        item_labels=item_labels,
        valid_codes=scale.valid_codes if scale else (),
        positive_codes=scale.positive if scale else (),
        dont_know_codes=scale.dont_know_codes if scale else (),
        scores={o.code: o.score for o in scale.options if o.score is not None} if scale else {},
        priorities_column=priorities.id if priorities else None,
        priorities_max=priorities.max_selections if priorities else None,
        age_band_column=role_column("age_band"),
        gender_column=role_column("gender"),
        area_column=role_column("area"),
        role_codes=role_codes,
        indicators=tuple((i, survey.question(i.question).type == "multiple_choice")
                         for i in survey.indicators),
    )
