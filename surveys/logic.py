"""Skip logic: which questions and pages a respondent sees, given the answers so far."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveys.definition import Answers, Page, Question, Survey


def _is_answered(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list | tuple):
        return len(value) > 0
    return True


def is_visible(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether ``question`` is shown, judged by its ``show_if`` against ``answers``.

    For a multiple-choice answer (a list), ``equals`` means "was among the choices" and ``in``
    means "any of these was chosen".
    """
    condition = question.show_if
    if condition is None:
        return True
    value = answers.get(condition.question)
    if condition.answered is not None:
        return _is_answered(value) == condition.answered
    chosen = [str(v) for v in value] if isinstance(value, list | tuple) else (
        [str(value)] if _is_answered(value) else []
    )
    if condition.equals is not None:
        return condition.equals in chosen
    if condition.in_ is not None:
        return any(code in condition.in_ for code in chosen)
    return True


def visible_questions(page: Page, answers: Mapping[str, Any]) -> list[Question]:
    """The page's questions that ``answers`` make visible, in page order."""
    return [q for q in page.questions if is_visible(q, answers)]


def prune_hidden(survey: Survey, answers: Mapping[str, Any]) -> Answers:
    """Drop answers to questions that the remaining answers hide.

    Questions are walked in order, so a question hidden because the question it depends on
    was itself hidden is dropped too.
    """
    kept: Answers = dict(answers)
    for question in survey.questions():
        if not is_visible(question, kept):
            for name in question.field_names():
                kept.pop(name, None)
    return kept


def _page_has_visible(page: Page, answers: Mapping[str, Any]) -> bool:
    return any(is_visible(q, answers) for q in page.questions)


def next_page_index(survey: Survey, current: int, answers: Mapping[str, Any]) -> int | None:
    """The next page after ``current`` with a visible question; ``None`` at the end.

    ``current=-1`` gives the first page to show.
    """
    pruned = prune_hidden(survey, answers)
    for index in range(max(current + 1, 0), len(survey.pages)):
        if _page_has_visible(survey.pages[index], pruned):
            return index
    return None


def previous_page_index(
    survey: Survey, current: int, answers: Mapping[str, Any]
) -> int | None:
    """The nearest page before ``current`` with a visible question; ``None`` before the first."""
    pruned = prune_hidden(survey, answers)
    for index in range(min(current, len(survey.pages)) - 1, -1, -1):
        if _page_has_visible(survey.pages[index], pruned):
            return index
    return None
