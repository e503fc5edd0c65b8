"""Every file of the import corpus (../shared/fixtures/import-corpus: 23 LimeSurvey exports
from 1.90 to 6.x and 23 XLSForms from other projects) imports without its unsupported parts,
and what remains is a valid survey.

No file in the corpus is without anything we can represent, so all 46 must import; a file
that cannot would be listed here with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.importers import UnreadableFile, import_file
from surveys.serialize import survey_from_dict, survey_to_dict
from surveys.templates import with_template_intro
from tests.conftest import SHARED

CORPUS = SHARED / "fixtures" / "import-corpus"
FILES = sorted([*CORPUS.glob("lss/*.lss"), *CORPUS.glob("xlsform/*.xlsx")])
# File name -> why nothing in it can be represented. Empty: every file holds a survey.
NOTHING_TO_IMPORT: dict[str, str] = {}


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 46


def _share(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("path", FILES, ids=_share)
def test_corpus_file_imports_without_its_unsupported_parts(path: Path) -> None:
    try:
        result = import_file(path)
    except UnreadableFile as refused:
        # A refusal names what is unsupported, and the file must be one we expected.
        assert "nothing left that our surveys can represent" in str(refused)
        assert path.name in NOTHING_TO_IMPORT, str(refused)
        print(f"{_share(path)}: refused – {NOTHING_TO_IMPORT[path.name]}")
        return
    survey = result.survey
    # What the load-survey command publishes: the import plus the template's intro texts.
    complete = with_template_intro(survey)
    assert survey_from_dict(survey_to_dict(complete)) == complete
    for note in result.unsupported:
        assert note.location and note.element and note.reason, note
    assert result.kept_questions >= 1
    print(f"{_share(path)}: {result.kept_questions} of {result.source_questions} questions "
          f"imported ({result.share:.0%}), {len(result.unsupported)} notes")


def _notes(name: str) -> tuple[object, list[str]]:
    result = import_file(CORPUS / name)
    return result, [str(u) for u in result.unsupported]


def test_limesurvey_language_variant_is_mapped_and_said() -> None:
    result, notes = _notes("lss/ls3_sample_survey_multilingual_fr_de_en_it.lss")
    assert result.survey.languages == ("en", "fr", "it", "de")
    assert "survey (sid 282267): language 'de-informal' – variants are not distinguished; " \
           "imported as 'de'" in notes


def test_field_spellings_of_language_names_are_read_and_said() -> None:
    result, notes = _notes("xlsform/xlsformutil_demo.xlsx")
    assert result.survey.languages == ("en", "ti", "am", "om")
    assert "survey sheet header 'label::Oromiffa': language 'Oromiffa' – read as 'om' " \
           "(Oromo (om))" in notes


def test_older_xlsform_spellings_are_read() -> None:
    # 'list name' with a space, 'bind:relevant', 'select one from yes_no'.
    result, _ = _notes("xlsform/onadata_MCH_v1.xlsx")
    assert result.share == 1.0
    assert [o.code for o in result.survey.question("lab").options] == ["yes", "no"]


def test_condition_comparing_a_number_is_dropped_with_a_note() -> None:
    result, notes = _notes("xlsform/cht_pregnancy.xlsx")
    assert "survey sheet row 92: relevant `${visited_hf_count} = 1` – 'visited_hf_count' has " \
           "no answer codes (free text, number or date): only whether it is answered can be " \
           "tested" in notes


def test_xlsform_details_become_what_we_can_show() -> None:
    result, notes = _notes("xlsform/correlaid_all_types_survey.xlsx")
    rank = result.survey.question("q_rank")
    assert (rank.type, rank.max_selections) == ("pick_top", len(rank.options))
    assert any(n.startswith("survey sheet row 22: rank 'q_rank' – the order") for n in notes)
    result, notes = _notes("xlsform/correlaid_testB.xlsx")
    consent = result.survey.question("consent_privacy_policy")
    assert (consent.type, len(consent.options)) == ("multiple_choice", 1)
    _, notes = _notes("xlsform/onadata_select_one_choices_test.xlsx")
    assert "survey sheet row 39: note – shown as text at the top of its page; its condition " \
           "`${a12}=1` is left out" in notes


def test_limesurvey_dates_and_multiple_inputs() -> None:
    result, _ = _notes("lss/limesurvey_survey_454287.lss")
    assert [q.type for q in result.survey.questions()] == ["date", "date", "date"]
    result, notes = _notes("lss/limesurvey_survey_MinMaxCompareTest.lss")
    assert {q.type for q in result.survey.questions()} == {"number", "free_text"}
    assert any("question type K (multiple numerical input) – imported as" in n for n in notes)
