"""Key figures (nyckeltal) in a definition: what is accepted, what is refused, round trips."""

from __future__ import annotations

import io
from typing import Any

import pytest

from surveys import DefinitionError, Indicator, survey_from_dict
from surveys.importers import import_xlsform
from surveys.importers.xlsform_export import export_xlsform
from surveys.serialize import dump_definition, survey_to_dict
from surveys.templates import load_builtin_template

LABEL = {"sv": "Har bil", "en": "Has a car"}


def with_indicator(sample_data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    indicator = {"id": "har_bil", "question": "har_bil", "counts": ["ja"], "label": LABEL}
    indicator.update(fields)
    sample_data["indicators"] = [{k: v for k, v in indicator.items() if v is not None}]
    return sample_data


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        survey_from_dict(data)
    return [str(p) for p in info.value.problems]


def test_a_key_figure_is_read_and_kept(sample_data: dict[str, Any]) -> None:
    survey = survey_from_dict(with_indicator(sample_data, excludes=["nej"]))
    assert survey.indicators == (Indicator("har_bil", "har_bil", ("ja",), LABEL, ("nej",)),)
    assert survey_from_dict(survey_to_dict(survey)) == survey


@pytest.mark.parametrize(("fields", "expected"), [
    ({"question": "finns_inte"}, "indicators[0].question: no question has the id 'finns_inte'"),
    ({"question": "bilmarke"}, "indicators[0].question: 'bilmarke' is a free_text question"),
    ({"counts": ["kanske"]}, "indicators[0].counts[0]: 'kanske' is not one of the question's"),
    ({"counts": []}, "indicators[0].counts: needs at least one of codes"),
    ({"excludes": ["ja"]}, "indicators[0].excludes: 'ja' is both counted and excluded"),
    ({"label": {"sv": "Bara svenska"}}, "indicators[0].label: missing translation for 'en'"),
    ({"colour": "red"}, "indicators[0]: unknown key 'colour'"),
])
def test_a_wrong_key_figure_names_the_problem(sample_data: dict[str, Any], fields: dict,
                                              expected: str) -> None:
    found = problems(with_indicator(sample_data, **fields))
    assert any(p.startswith(expected) for p in found), found


def test_two_key_figures_may_not_share_an_id(sample_data: dict[str, Any]) -> None:
    data = with_indicator(sample_data)
    data["indicators"].append(dict(data["indicators"][0]))
    assert any("indicator id 'har_bil' is used twice" in p for p in problems(data))


def test_multiple_choice_questions_can_be_key_figures(sample_data: dict[str, Any]) -> None:
    survey = survey_from_dict(with_indicator(sample_data, question="utsatt",
                                             counts=["hot", "vald"]))
    assert survey.indicators[0].counts == ("hot", "vald")


def test_the_built_in_template_has_key_figures_that_survive_yaml_and_xlsform() -> None:
    survey = load_builtin_template()
    assert [i.id for i in survey.indicators] == ["otrygg_ute", "orolig", "utsatt_12_man",
                                                 "polisen_bryr_sig"]
    assert "indicators:" in dump_definition(survey)
    buffer = io.BytesIO()
    export_xlsform(survey, buffer)
    buffer.seek(0)
    assert import_xlsform(buffer).survey.indicators == survey.indicators


def test_a_broken_key_figure_row_in_a_workbook_is_reported_not_fatal() -> None:
    import openpyxl

    survey = load_builtin_template()
    buffer = io.BytesIO()
    export_xlsform(survey, buffer)
    buffer.seek(0)
    workbook = openpyxl.load_workbook(buffer)
    sheet = workbook["metadata"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "indicator.orolig":
            row[1].value = "not json"
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    result = import_xlsform(out)
    assert [i.id for i in result.survey.indicators] == ["otrygg_ute", "utsatt_12_man",
                                                         "polisen_bryr_sig"]
    assert any(u.element == "indicator.orolig" for u in result.unsupported)
