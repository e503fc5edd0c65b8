"""XLSForm import against pyxform's own test forms (read from ../shared), messy sheets, and the
export -> import round trip of our own definitions."""

import io
import time
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from surveys.definition import INTRO_FIELDS, Condition, Survey
from surveys.importers import UnreadableFile, export_xlsform, import_file, import_xlsform
from surveys.loader import load_definition
from surveys.serialize import survey_from_dict, survey_to_dict
from surveys.templates import load_builtin_template

REPO_ROOT = Path(__file__).resolve().parents[2]
XLSFORM = REPO_ROOT.parent / "shared" / "fixtures" / "xlsform"
DATA = Path(__file__).parent / "data"
NO_INTRO = ("survey and choices sheets",
            "intro texts responsible, purpose, anonymity, retention, voluntary")


def with_intro(survey: Survey) -> Survey:
    text = {lang: "Text" for lang in survey.languages}
    return replace(survey, intro={name: text for name in INTRO_FIELDS})


UCL_UNSUPPORTED = [
    ("survey sheet row 3", "note 'note2'"),
    ("survey sheet row 4", "note 'note1'"),
    ("survey sheet row 2", "group 'intro' without supported questions"),
    ("survey sheet row 10",
     "constraint `regex(.,'^(([0-9]{1})*[- .(]*([0-9]{3})[- .)]*[0-9]{3}[- .]*[0-9]{4})+$')`"),
    ("survey sheet row 11", "start 'start'"),
    ("survey sheet row 12", "end 'end'"),
    ("survey sheet row 16", "select_one_from_file UCL_regions.csv 'region_id'"),
    ("survey sheet row 17", "select_one_from_file  UCL_districts.csv 'district_id'"),
    ("survey sheet row 18", "select_one_from_file UCL_villages.csv 'village'"),
    ("survey sheet row 20", "select_one_from_file ULC_Biomass_Plots.csv 'plot_id'"),
    ("survey sheet row 22", "geopoint 'center_point'"),
    ("survey sheet row 23", "image 'center_image'"),
    ("survey sheet row 26", "calculate 'slope_radius'"),
    ("survey sheet row 27", "calculate 'slope_radius_inner'"),
    ("survey sheet row 28 label", "reference ${slope_radius} ${slope_radius_inner}"),
    ("survey sheet row 28", "note 'note3'"),  # shown at the top of its page
    ("survey sheet rows 32-53", "repeat 'trees' (16 questions inside)"),
    ("survey sheet rows 56-69", "repeat 'stumps' (12 questions inside)"),
    ("survey sheet rows 72-78", "repeat 'subplot1' (5 questions inside)"),
    ("survey sheet rows 80-86", "repeat 'subplot2' (5 questions inside)"),
    ("survey sheet row 91", "deviceid 'deviceid'"),
    ("survey and choices sheets", "2 texts without a 'en' translation"),
    NO_INTRO,
]


def test_ucl_field_form() -> None:
    started = time.perf_counter()
    result = import_file(XLSFORM / "UCL_Biomass_Plot_Form.xlsx")
    elapsed = time.perf_counter() - started
    survey = result.survey
    # The sheet declares A1:AMJ1048576; reading must not walk a million rows.
    assert elapsed < 1.0
    assert survey.languages == ("sw", "en") and survey.default_language == "sw"
    assert [p.id for p in survey.pages] == ["info", "location", "page"]
    assert len(survey.questions()) == 13
    assert sum(len(q.items) for q in survey.questions()) == 0
    assert [(u.location, u.element) for u in result.unsupported] == UCL_UNSUPPORTED
    # Curly quotes in `${leader_name} = ‘other’`; the choices header is 'name ' (trailing space).
    assert survey.question("leader_name_other").show_if == Condition("leader_name",
                                                                     equals="other")
    assert [o.code for o in survey.question("leader_name").options] == ["aloyce", "andrea",
                                                                        "other"]
    assert survey.question("disturbance").type == "multiple_choice"
    assert survey.question("slope").type == "number" and survey.question("slope").integer
    assert survey.question("remarks").text == {"sw": "Maoni Kuhusu Plot",
                                               "en": "Remarks about Plot"}
    complete = with_intro(survey)
    assert survey_from_dict(survey_to_dict(complete)) == complete


def test_flat_form_with_language_names_and_matrices() -> None:
    result = import_file(XLSFORM / "flat_xlsform_test.xlsx")
    survey = result.survey
    assert survey.languages == ("en", "zh")
    assert [p.id for p in survey.pages] == ["page", "everything", "page_2"]
    # 17 questions and a date question (a date is one of our types since the import corpus).
    assert len(survey.questions()) == 18
    assert survey.question("date_test").type == "date"
    assert sum(len(q.items) for q in survey.questions()) == 2
    assert survey.question("address").text == {"en": "Enter an address", "zh": "您好"}
    # A plain 'label' column in choices belongs to the default language.
    assert survey.question("skip_to_end").options[0].label == {"en": "Yes", "zh": "是"}
    # table-list group, and a field-list group of 'label' + 'list-nolabel' rows.
    matrices = [q for q in survey.questions() if q.type == "likert_matrix"]
    assert [(q.id, [i.code for i in q.items]) for q in matrices] == [
        ("labeled_select_group", ["list-nolabel-test"]), ("name", ["table_list_question"])]
    assert {q.id for q in survey.questions()} >= {"q_1", "false"}
    reported = [(u.location, u.element) for u in result.unsupported]
    # Notes become page introductions: the references in their texts are reported too.
    assert len(reported) == 53
    assert reported[:3] == [("choices sheet row 4", "choice image"),
                            ("choices sheet row 5", "choice image"),
                            ("survey sheet row 3", "note 'email_note'")]
    assert ("survey sheet row 5",
            "relevant `not(selected(${skip_to_end}, 'yes'))` of group 'everything'") in reported
    assert ("survey sheet row 14", "constraint `. <= ${a_integer}`") in reported
    assert ("survey sheet row 59", "appearance `ex:org.thirdparty.app.ActivityName`") in reported
    assert ("survey and choices sheets", "27 texts without a 'zh' translation") in reported
    assert sum(1 for _, element in reported if element.startswith("note ")) == 13
    complete = with_intro(survey)
    assert survey_from_dict(survey_to_dict(complete)) == complete


def test_legacy_single_colon_language_header() -> None:
    result = import_file(XLSFORM / "group.xlsx")
    survey = result.survey
    assert survey.languages == ("en",)
    assert [(p.id, [q.id for q in p.questions]) for p in survey.pages] == [
        ("page", ["family_name"]), ("father", ["phone_number", "age"])]
    assert [(u.location, u.element) for u in result.unsupported] == [
        ("survey sheet row 4", "phone number"), NO_INTRO]


def _messy_workbook(path: Path, empty_rows_declared: int) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    survey = workbook.add_worksheet("Survey ")
    rows = [
        ["type ", " name", "label::Svenska (sv)", "label:English (en)", "relevant ", "required"],
        ["select_one ja_nej", "trygg", "Känner du dig trygg?", "Do you feel safe?", "", "yes"],
        ["text", "varfor", "Varför inte?", "Why not?", "${trygg} = “nej”", ""],
        ["select_multiple ja_nej", "flera", "Flera", "Several", "selected(${trygg}, ‘ja’)", ""],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            survey.write_string(r, c, value)
    # A formatted blank far below: the sheet now declares a million rows.
    survey.write_blank(empty_rows_declared - 1, 0, None, workbook.add_format({"bold": True}))
    choices = workbook.add_worksheet("choices")
    for r, row in enumerate([["list_name", "name ", "label::Svenska (sv)", "label::english"],
                             ["ja_nej", "ja", "Ja", "Yes"], ["ja_nej", "nej", "Nej", "No"]]):
        for c, value in enumerate(row):
            choices.write_string(r, c, value)
    workbook.close()


def test_million_declared_rows_messy_headers_and_curly_quotes(tmp_path: Path) -> None:
    path = tmp_path / "messy.xlsx"
    _messy_workbook(path, 1_000_000)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook["Survey "].max_row == 1_000_000
    workbook.close()
    started = time.perf_counter()
    result = import_xlsform(path)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    survey = result.survey
    assert survey.languages == ("sv", "en")
    assert [q.id for q in survey.questions()] == ["trygg", "varfor", "flera"]
    assert survey.question("trygg").required
    assert survey.question("varfor").show_if == Condition("trygg", equals="nej")
    assert survey.question("flera").show_if == Condition("trygg", equals="ja")
    assert survey.question("trygg").options[1].label == {"sv": "Nej", "en": "No"}
    # No settings sheet: the title comes from the file name, in the default language only.
    assert [u.element for u in result.unsupported] == ["2 texts without a 'en' translation",
                                                       NO_INTRO[1]]


@pytest.mark.parametrize("survey", [
    pytest.param(load_builtin_template(), id="trygghet-template"),
    pytest.param(load_definition(DATA / "sample.yaml"), id="sample"),
])
def test_export_then_import_gives_an_identical_definition(survey: Survey, tmp_path: Path
                                                          ) -> None:
    path = tmp_path / "roundtrip.xlsx"
    export_xlsform(survey, path)
    result = import_file(path)
    assert result.unsupported == []
    assert result.survey == survey


def test_round_trip_keeps_what_xlsform_lacks() -> None:
    survey = load_builtin_template()
    buffer = io.BytesIO()
    export_xlsform(survey, buffer)
    buffer.seek(0)
    back = import_xlsform(buffer).survey
    scales_with_positive = [s for s in survey.scales.values() if s.positive]
    assert scales_with_positive, "the template should exercise positive codes"
    assert [back.scales[s.id].positive for s in scales_with_positive] == [
        s.positive for s in scales_with_positive]
    assert back.review == survey.review and back.review
    assert back.intro == survey.intro
    assert [q.role for q in back.questions()] == [q.role for q in survey.questions()]
    assert [q.show_if for q in back.questions()] == [q.show_if for q in survey.questions()]


def test_exported_codes_stay_text_in_excel(tmp_path: Path) -> None:
    survey = load_builtin_template()
    path = tmp_path / "t.xlsx"
    export_xlsform(survey, path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    names = [row[1] for row in workbook["choices"].iter_rows(min_row=2, values_only=True)]
    workbook.close()
    assert names and all(isinstance(name, str) for name in names)


def test_broken_workbooks_raise_clear_errors(tmp_path: Path) -> None:
    not_zip = tmp_path / "form.xlsx"
    not_zip.write_bytes(b"this is not a workbook")
    with pytest.raises(UnreadableFile, match=r"form\.xlsx: not a readable \.xlsx workbook"):
        import_file(not_zip)

    unbalanced = tmp_path / "unbalanced.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in (["type", "name", "label"], ["begin group", "g", "G"], ["text", "t", "T"]):
        sheet.append(row)
    workbook.save(unbalanced)
    with pytest.raises(UnreadableFile, match="survey sheet row 2: 'begin group' is never closed"):
        import_file(unbalanced)

    sheet.append(["select_one missing", "s", "S"])
    sheet.append(["end group"])
    workbook.save(unbalanced)
    # The select is left out with a note; the text question stays.
    result = import_file(unbalanced)
    assert [q.id for q in result.survey.questions()] == ["t"]
    assert any(str(u).startswith("survey sheet row 4: select_one missing 's' – choice list "
                                 "'missing' is not in the choices sheet")
               for u in result.unsupported)


def test_unknown_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "form.xls"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="unknown file type '.xls'"):
        import_file(path)
