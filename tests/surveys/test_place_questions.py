"""Place questions ("where do you feel unsafe?") from definition to answer, export and back."""

from __future__ import annotations

import json

import openpyxl
import pytest

from surveys import (
    DefinitionError,
    FieldError,
    codebook_rows,
    definition_fingerprint,
    dump_definition,
    flatten_answers,
    mark_inputs,
    parse_definition,
    survey_from_dict,
    survey_to_dict,
    unexpected_fields,
    validate_page,
)
from surveys.importers import export_xlsform, import_file
from surveys.strings import survey_strings

DEFINITION = """\
slug: platser
title: {sv: Platser, en: Places}
languages: [sv, en]
default_language: sv
intro:
  responsible: {sv: Kommunen, en: The municipality}
  purpose: {sv: Syfte, en: Purpose}
  anonymity: {sv: Anonymt, en: Anonymous}
  retention: {sv: Två år, en: Two years}
  voluntary: {sv: Frivilligt, en: Voluntary}
pages:
  - id: plats
    title: {sv: Platser, en: Places}
    questions:
      - id: otrygg
        type: place
        text: {sv: "Var känner du dig otrygg?", en: "Where do you feel unsafe?"}
        max_marks: 2
        places:
          - {code: resecentrum, label: {sv: Resecentrum, en: Travel centre}, lat: 61.30, lon: 17.05}
          - {code: parken, label: {sv: Stadsparken, en: City park}, lat: 61.31, lon: 17.06}
        areas:
          - code: stad
            label: {sv: Staden, en: Town}
            outline: [[61.32, 17.03], [61.32, 17.09], [61.29, 17.09]]
        follow_up:
          - id: varfor
            type: multiple_choice
            text: {sv: "Varför?", en: "Why?"}
            options:
              - {code: belysning, label: {sv: Belysning, en: Lighting}}
              - {code: trafik, label: {sv: Trafik, en: Traffic}}
          - id: nar
            type: single_choice
            text: {sv: "När?", en: "When?"}
            options:
              - {code: dag, label: {sv: Dag, en: Day}}
              - {code: natt, label: {sv: Natt, en: Night}}
          - id: beskriv
            type: free_text
            max_length: 50
            text: {sv: Beskriv, en: Describe}
      - id: annat
        type: free_text
        text: {sv: Annat, en: Other}
        show_if: {question: otrygg, answered: true}
"""


def survey(text: str = DEFINITION):
    return parse_definition(text)


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text)
    return [str(p) for p in caught.value.problems]


def test_definition_reads_places_areas_and_follow_ups() -> None:
    question = survey().question("otrygg")
    assert question.max_marks == 2
    assert [(p.code, p.lat, p.lon) for p in question.places] == [
        ("resecentrum", 61.30, 17.05), ("parken", 61.31, 17.06)]
    assert question.areas[0].outline[0] == (61.32, 17.03)
    assert [(f.id, f.type) for f in question.follow_up] == [
        ("varfor", "multiple_choice"), ("nar", "single_choice"), ("beskriv", "free_text")]
    assert question.field_names() == ("otrygg",)
    assert "otrygg.2.varfor" in question.input_names()


def test_definition_round_trips_through_yaml_and_dict() -> None:
    loaded = survey()
    again = parse_definition(dump_definition(loaded))
    assert again == loaded
    assert survey_from_dict(survey_to_dict(loaded)) == loaded
    assert definition_fingerprint(again) == definition_fingerprint(loaded)


def test_place_labels_and_follow_ups_are_strings_for_translators() -> None:
    keys = {s.key for s in survey_strings(survey())}
    assert "pages.plats.questions.otrygg.places.resecentrum.label" in keys
    assert "pages.plats.questions.otrygg.areas.stad.label" in keys
    assert "pages.plats.questions.otrygg.follow_up.varfor.options.trafik.label" in keys


@pytest.mark.parametrize(("change", "expected"), [
    (("max_marks: 2", "max_marks: 11"),
     "questions[0].max_marks: max_marks must be from 1 to 10 (line 18)"),
    (("lat: 61.30", "lat: 161.30"), "places[0].lat: latitude 161.3 is outside -90…90 (line 20)"),
    (("lon: 17.06}", "lon: east}"), "places[1].lon: expected a longitude in degrees, got text"),
    (("code: parken", "code: resecentrum"), "places[1].code: duplicate place code 'resecentrum'"),
    (("[[61.32, 17.03], [61.32, 17.09], [61.29, 17.09]]", "[[61.32, 17.03], [61.29, 17.09]]"),
     "areas[0].outline: an outline needs at least three corners"),
    (("[61.32, 17.03],", "[61.32],"), "areas[0].outline[0]: expected [lat, lon], got a list"),
    (("id: nar\n", "id: place\n"), "follow_up[1].id: 'place' is taken by the mark itself"),
    (("id: nar\n", "id: varfor\n"), "follow_up[1].id: duplicate follow-up id 'varfor'"),
    (("type: single_choice", "type: number"),
     "follow_up[1].type: a follow-up question is one of single_choice, multiple_choice, "
     "free_text, not 'number'"),
    (("type: single_choice", "type: likert_matrix"), "follow_up[1].type: a follow-up"),
    (("        max_marks: 2\n", "        max_marks: 2\n        options: []\n"),
     "'options' is not used by place questions"),
    (("            max_length: 50\n", "            max_length: 0\n"),
     "follow_up[2].max_length: max_length must be at least 1"),
])
def test_definition_errors_are_located(change: tuple[str, str], expected: str) -> None:
    found = problems(DEFINITION.replace(*change, 1))
    assert any(expected in p for p in found), found


def test_place_question_needs_its_list() -> None:
    start = DEFINITION.index("        places:")
    end = DEFINITION.index("        areas:")
    found = problems(DEFINITION[:start] + DEFINITION[end:])
    assert any("a place question needs 'places'" in p for p in found), found


def test_show_if_can_only_test_that_a_place_was_answered() -> None:
    text = DEFINITION.replace("show_if: {question: otrygg, answered: true}",
                              "show_if: {question: otrygg, equals: resecentrum}")
    assert any("only 'answered' can be tested" in p for p in problems(text))


def check(form: dict[str, list[str]]):
    return validate_page(survey(), 0, form, {})


def test_marks_from_the_list_text_and_map_are_stored_in_the_fixed_format() -> None:
    result = check({
        "otrygg.1.place": ["resecentrum"], "otrygg.1.varfor": ["trafik", "belysning"],
        "otrygg.1.nar": ["natt"],
        "otrygg.2.text": ["Gångtunneln"], "otrygg.2.lat": ["61.3031234"],
        "otrygg.2.lon": ["17.0604449"], "otrygg.2.beskriv": ["mörkt"],
    })
    assert result.ok, result.errors
    assert result.answers["otrygg"] == [
        {"place": "resecentrum", "lat": None, "lon": None, "text": None,
         "varfor": ["belysning", "trafik"], "nar": "natt"},
        {"place": None, "lat": 61.30312, "lon": 17.06044, "text": "Gångtunneln",
         "beskriv": "mörkt"},
    ]


def test_an_empty_place_question_is_no_answer_and_required_asks_for_the_first_mark() -> None:
    assert check({}).answers == {}
    required = survey(DEFINITION.replace("max_marks: 2", "max_marks: 2\n        required: true"))
    result = validate_page(required, 0, {}, {})
    assert result.errors == {"otrygg.1.place": FieldError("required")}


@pytest.mark.parametrize(("form", "field", "code"), [
    ({"otrygg.1.place": ["slottet"]}, "otrygg.1.place", "invalid_choice"),
    ({"otrygg.1.lat": ["59.33"], "otrygg.1.lon": ["18.07"]}, "otrygg.1.place", "not_on_map"),
    ({"otrygg.1.lat": ["nan"], "otrygg.1.lon": ["17.05"]}, "otrygg.1.place", "not_on_map"),
    ({"otrygg.1.lat": ["61.30"]}, "otrygg.1.place", "not_on_map"),
    ({"otrygg.2.nar": ["natt"]}, "otrygg.2.place", "place_missing"),
    ({"otrygg.1.place": ["parken"], "otrygg.1.nar": ["kvall"]}, "otrygg.1.nar", "invalid_choice"),
    ({"otrygg.1.text": ["x" * 201]}, "otrygg.1.text", "too_long"),
    ({"otrygg.1.place": ["parken"], "otrygg.1.beskriv": ["x" * 51]}, "otrygg.1.beskriv",
     "too_long"),
    ({"otrygg.1.place": ["parken", "resecentrum"]}, "otrygg.1.place", "too_many"),
])
def test_bad_marks_are_refused_on_their_field(form, field: str, code: str) -> None:
    result = check(form)
    assert not result.ok
    assert result.errors[field].code == code
    assert "otrygg" not in result.answers


def test_only_the_declared_marks_belong_to_the_page() -> None:
    keys = ["otrygg.1.place", "otrygg.2.lat", "otrygg.2.varfor", "otrygg.3.place", "otrygg"]
    assert unexpected_fields(survey(), 0, keys) == ["otrygg.3.place", "otrygg"]


def test_stored_marks_fill_the_form_again() -> None:
    question = survey().question("otrygg")
    marks = [{"place": None, "lat": 61.30312, "lon": 17.06044, "text": "Tunneln",
              "varfor": ["trafik"]}]
    assert mark_inputs(question, marks) == {
        "otrygg.1.lat": "61.30312", "otrygg.1.lon": "17.06044", "otrygg.1.text": "Tunneln",
        "otrygg.1.varfor": ["trafik"]}


def test_export_cell_is_the_json_list_and_the_codebook_explains_it() -> None:
    loaded = survey()
    marks = [{"place": "parken", "lat": None, "lon": None, "text": None, "nar": "natt"}]
    row = flatten_answers(loaded, {"otrygg": marks})
    assert json.loads(row["otrygg"]) == marks
    rows = [r for r in codebook_rows(loaded) if r.column == "otrygg"]
    assert [r.code for r in rows] == ["resecentrum", "parken", "varfor.belysning",
                                      "varfor.trafik", "nar.dag", "nar.natt", "beskriv"]
    assert rows[0].labels == {"sv": "Resecentrum", "en": "Travel centre"}


def test_xlsform_round_trip_maps_place_to_geopoint_with_the_list_as_choices(tmp_path) -> None:
    loaded = survey()
    path = tmp_path / "platser.xlsx"
    export_xlsform(loaded, path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook["survey"].iter_rows(values_only=True))
    choices = list(workbook["choices"].iter_rows(values_only=True))
    workbook.close()
    header = rows[0]
    geopoint = next(dict(zip(header, row, strict=False)) for row in rows
                    if row[0] == "geopoint")
    assert (geopoint["name"], geopoint["places"], geopoint["max_marks"]) == ("otrygg", "otrygg", 2)
    follow_ups = [dict(zip(header, row, strict=False)) for row in rows if row[-1] == "otrygg"]
    assert [(f["type"], f["name"]) for f in follow_ups] == [
        ("select_multiple varfor", "varfor"), ("select_one nar", "nar"), ("text", "beskriv")]
    assert ("otrygg", "resecentrum", "Resecentrum", "Travel centre", None, None, 61.3, 17.05
            ) in choices
    result = import_file(path)
    assert result.unsupported == []
    assert result.survey == loaded


def test_a_plain_geopoint_from_elsewhere_is_reported_not_guessed(tmp_path) -> None:
    path = tmp_path / "kobo.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["geopoint", "var", "Where?"])
    sheet.append(["text", "why", "Why?"])
    workbook.save(path)
    result = import_file(path)
    assert [q.id for q in result.survey.questions()] == ["why"]
    assert any("location is not supported" in u.reason for u in result.unsupported)
