"""Date questions ("när hände det?") from definition to answer, export and back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from surveys import (
    DefinitionError,
    FieldError,
    codebook_rows,
    definition_fingerprint,
    dump_definition,
    flatten_answers,
    parse_definition,
    survey_from_dict,
    survey_to_dict,
    validate_page,
)
from surveys.importers import export_xlsform, import_file

DEFINITION = """\
slug: datum
title: {sv: Händelser, en: Incidents}
languages: [sv, en]
default_language: sv
intro:
  responsible: {sv: Kommunen, en: The municipality}
  purpose: {sv: Syfte, en: Purpose}
  anonymity: {sv: Anonymt, en: Anonymous}
  retention: {sv: Två år, en: Two years}
  voluntary: {sv: Frivilligt, en: Voluntary}
pages:
  - id: handelse
    title: {sv: Händelsen, en: The incident}
    questions:
      - id: nar
        type: date
        text: {sv: "När hände det?", en: "When did it happen?"}
        required: true
        min: 2020-01-01
        max: today
      - id: fodd
        type: date
        text: {sv: Ett datum, en: A date}
      - id: alder
        type: number
        text: {sv: Ålder, en: Age}
        min: 16
        max: 110
"""


def survey(text: str = DEFINITION):
    return parse_definition(text)


def test_definition_reads_bounds_and_round_trips() -> None:
    loaded = survey()
    question = loaded.question("nar")
    assert (question.type, question.min_date, question.max_date) == ("date", "2020-01-01", "today")
    assert survey_from_dict(survey_to_dict(loaded)) == loaded
    assert parse_definition(dump_definition(loaded)) == loaded
    moved = survey(DEFINITION.replace("min: 2020-01-01", "min: 2021-01-01"))
    assert definition_fingerprint(moved) != definition_fingerprint(loaded)


@pytest.mark.parametrize(("change", "problem"), [
    ("min: 2020-01-01", "pages[0].questions[0].min: expected a date like 2024-01-31 or "
                        "'today', got text (line 19)"),
    ("max: today", "pages[0].questions[0].min: min (2020-01-01) is later than max (2019-12-31) "
                   "(line 19)"),
    ("required: true", "pages[0].questions[0]: 'integer' is not used by date questions "
                       "(line 19)"),
])
def test_definition_errors_are_located(change: str, problem: str) -> None:
    replacement = {"min: 2020-01-01": "min: 2020-13-01",
                   "max: today": "max: 2019-12-31",
                   "required: true": "required: true\n        integer: false"}[change]
    with pytest.raises(DefinitionError) as error:
        survey(DEFINITION.replace(change, replacement))
    assert problem in [str(p) for p in error.value.problems]


@pytest.mark.parametrize(("typed", "stored"), [
    ("2024-03-14", "2024-03-14"),  # what a date field sends
    ("14.3.2024", "2024-03-14"),   # typed where a browser shows a text box, day first
    ("14/03/2024", "2024-03-14"),
    (" 2024-3-4 ", "2024-03-04"),
])
def test_dates_are_stored_as_iso(typed: str, stored: str) -> None:
    result = validate_page(survey(), 0, {"nar": [typed]}, {})
    assert result.errors == {}
    assert result.answers == {"nar": stored}


def test_date_errors() -> None:
    loaded = survey()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    today = dt.date.today().isoformat()
    cases = {
        "2024-02-30": FieldError("not_a_date", {"value": "2024-02-30"}),
        "3/14/2024": FieldError("not_a_date", {"value": "3/14/2024"}),
        "igår": FieldError("not_a_date", {"value": "igår"}),
        "2019-12-31": FieldError("date_out_of_range", {"min": "2020-01-01", "max": today}),
        tomorrow: FieldError("date_out_of_range", {"min": "2020-01-01", "max": today}),
    }
    for typed, expected in cases.items():
        assert validate_page(loaded, 0, {"nar": [typed]}, {}).errors == {"nar": expected}
    assert validate_page(loaded, 0, {}, {}).errors == {"nar": FieldError("required")}
    # No bounds: any real date.
    assert validate_page(loaded, 0, {"nar": [today], "fodd": ["1901-01-01"]},
                         {}).answers["fodd"] == "1901-01-01"


def test_codebook_and_export_columns() -> None:
    loaded = survey()
    rows = {row.column: row for row in codebook_rows(loaded)}
    assert (rows["nar"].type, rows["nar"].code) == ("date", "")
    assert flatten_answers(loaded, {"nar": "2024-03-14"})["nar"] == "2024-03-14"


def test_xlsform_round_trip_keeps_dates_and_number_bounds(tmp_path: Path) -> None:
    loaded = survey()
    path = tmp_path / "datum.xlsx"
    export_xlsform(loaded, path)
    back = import_file(path)
    assert back.unsupported == []
    assert back.survey == loaded


def test_xlsform_date_constraints(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in (["type", "name", "label::Svenska (sv)", "constraint"],
                ["date", "nar", "När?", ". >= date('2021-06-01') and . <= today()"],
                ["date", "sen", "Senare?", ". > today()"],
                ["date", "kort", "Kort?", ". != date('2021-06-01')"]):
        sheet.append(row)
    workbook.save(tmp_path / "form.xlsx")
    result = import_file(tmp_path / "form.xlsx")
    questions = {q.id: (q.min_date, q.max_date) for q in result.survey.questions()}
    assert questions == {"nar": ("2021-06-01", "today"), "sen": ("today", None),
                         "kort": (None, None)}
    assert ("survey sheet row 4", "constraint `. != date('2021-06-01')`") in [
        (u.location, u.element) for u in result.unsupported]
