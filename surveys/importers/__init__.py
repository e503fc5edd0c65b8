"""Bringing questionnaires in from LimeSurvey (.lss) and XLSForm (.xlsx), and out to XLSForm.

Every import returns an :class:`ImportResult`: the survey with everything our model can
represent, and the list of source elements it leaves out, each with its location in the file,
so the staff member can decide to import without them or to cancel.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from surveys.definition import Page, Survey
from surveys.importers.limesurvey import import_lss
from surveys.importers.result import ImportResult, UnreadableFile, Unsupported
from surveys.importers.xlsform import import_xlsform
from surveys.importers.xlsform_export import export_xlsform
from surveys.loader import load_definition
from surveys.serialize import survey_from_dict, survey_to_dict
from surveys.validation import DefinitionError, Problem

__all__ = ["UnreadableFile", "ImportResult", "Unsupported", "export_xlsform", "import_file",
           "import_lss", "import_xlsform"]


def import_file(path: str | Path) -> ImportResult:
    """Import by file extension: ``.lss`` (LimeSurvey), ``.xlsx`` (XLSForm) or ``.yaml``/``.yml``
    (our own definition files, which have nothing unsupported by construction)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".lss":
        return without_invalid_parts(import_lss(path), path.name)
    if suffix == ".xlsx":
        return without_invalid_parts(import_xlsform(path), path.name)
    if suffix in (".yaml", ".yml"):
        try:
            return ImportResult(load_definition(path))
        except DefinitionError as exc:
            raise UnreadableFile(path.name, "", str(exc)) from exc
    raise UnreadableFile(path.name, "", f"unknown file type '{suffix or '(none)'}'; "
                                      "expected .lss, .xlsx, .yaml or .yml")


_QUESTION_PROBLEM = re.compile(r"^pages\[(?P<page>\d+)\](?:\.questions\[(?P<question>\d+)\]"
                               r"(?P<condition>\.show_if)?)?")


def without_invalid_parts(result: ImportResult, source: str) -> ImportResult:
    """The import with every question, condition or page that still fails validation left
    out and reported, so that what remains validates.

    The importers map what they know; this catches the rest, so that importing without the
    unsupported parts always gives a valid survey. Missing intro texts are not dropped: staff
    write them (or take the template's) before publishing. A survey left with no page at all
    cannot be imported, and the error says why.
    """
    survey, dropped = result.survey, list[Unsupported]()
    for _ in range(4):  # dropping a question can empty a page: then that page goes next round
        problems = _problems(survey)
        if not problems:
            return _kept(result, survey, dropped)
        survey, notes = _drop(survey, problems)
        if not notes:
            break
        dropped += notes
    problems = _problems(survey)
    if not problems:
        return _kept(result, survey, dropped)
    reasons = "; ".join(str(p) for p in problems[:5])
    left_out = "; ".join(str(u) for u in [*result.unsupported, *dropped][:20])
    raise UnreadableFile(source, "", f"nothing left that our surveys can represent ({reasons}). "
                                   f"Left out: {left_out}")


def _kept(result: ImportResult, survey: Survey, dropped: list[Unsupported]) -> ImportResult:
    lost = len(result.survey.questions()) - len(survey.questions())
    return ImportResult(survey, [*result.unsupported, *dropped], result.source_questions,
                        max(result.kept_questions - lost, 0))


def _problems(survey: Survey) -> list[Problem]:
    try:
        survey_from_dict(survey_to_dict(survey))
    except DefinitionError as error:
        return [p for p in error.problems if not p.location.startswith("intro")]
    return []


def _drop(survey: Survey, problems: list[Problem]) -> tuple[Survey, list[Unsupported]]:
    drop_questions: dict[tuple[int, int], str] = {}
    drop_conditions: dict[tuple[int, int], str] = {}
    drop_pages: dict[int, str] = {}
    for problem in problems:
        match = _QUESTION_PROBLEM.match(problem.location)
        if not match:
            continue
        page = int(match["page"])
        if match["question"] is None:
            drop_pages.setdefault(page, problem.message)
        elif match["condition"]:
            drop_conditions.setdefault((page, int(match["question"])), problem.message)
        else:
            drop_questions.setdefault((page, int(match["question"])), problem.message)
    notes: list[Unsupported] = []
    pages: list[Page] = []
    for p_index, page in enumerate(survey.pages):
        if p_index in drop_pages:
            notes.append(Unsupported(f"page '{page.id}'", "page", f"{drop_pages[p_index]}; "
                                     "left out"))
            continue
        questions = []
        for q_index, question in enumerate(page.questions):
            key = (p_index, q_index)
            where = f"page '{page.id}' / question '{question.id}'"
            if key in drop_questions:
                notes.append(Unsupported(where, "question", f"{drop_questions[key]}; left out"))
                continue
            if key in drop_conditions:
                notes.append(Unsupported(where, "condition (show_if)",
                                         f"{drop_conditions[key]}; shown to everyone instead"))
                question = replace(question, show_if=None)
            questions.append(question)
        pages.append(replace(page, questions=tuple(questions)))
    return replace(survey, pages=tuple(pages)), notes
