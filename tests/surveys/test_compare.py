"""What changed between two versions of a survey, and which changes break the comparison with
the earlier round: the built-in survey changed the ways staff change it, and two real
LimeSurvey exports of the same sample survey (../shared/fixtures/import-corpus)."""

from __future__ import annotations

import copy

import pytest

from surveys import load_builtin_template, survey_from_dict, survey_to_dict
from surveys.compare import compare_surveys
from surveys.importers import import_file
from tests.conftest import SHARED

LSS = SHARED / "fixtures" / "import-corpus" / "lss"


@pytest.fixture(scope="module")
def builtin():
    return load_builtin_template()


def _edited(survey, edit):
    data = copy.deepcopy(survey_to_dict(survey))
    edit(data, {q["id"]: q for page in data["pages"] for q in page["questions"]})
    return survey_from_dict(data)


def _every_language(survey, text):
    return dict.fromkeys(survey.languages, text)


def _summary(comparison):
    return {(c.kind, c.subject, c.where): (c.languages, c.breaks) for c in comparison.changes}


def test_the_same_survey_has_no_changes(builtin) -> None:
    comparison = compare_surveys(builtin, load_builtin_template())
    assert comparison.unchanged
    assert comparison.breaking == ()


def test_wording_conditions_and_options_without_breaking_the_trend(builtin) -> None:
    def edit(data, questions):
        questions["ut_sent"]["text"]["sv"] = "Hur trygg känner du dig ute sent på kvällen?"
        questions["ut_sent"]["text"]["en"] = "How safe do you feel out late?"
        problem = questions["problem"]
        problem["items"][0]["label"]["fi"] = "Roskat kaduilla"
        questions["undviker_vad"]["show_if"] = {"question": "undviker", "equals": "ja_ofta"}
        questions["utsatt"]["options"].insert(
            0, {"code": "natet", "label": _every_language(builtin, "Brott på nätet")})
        data["pages"][-1]["questions"].append(
            {"id": "kontakt", "type": "free_text", "text": _every_language(builtin, "Mer?")})

    comparison = compare_surveys(builtin, _edited(builtin, edit))
    assert _summary(comparison) == {
        ("reworded", "question", "ut_sent"): (("sv", "en"), None),
        ("changed", "condition", "undviker_vad"): ((), None),
        ("added", "option", "utsatt:natet"): ((), None),
        ("reworded", "item", "problem.nedskrapning"): (("fi",), None),
        ("added", "question", "kontakt"): ((), None),
    }
    assert comparison.reworded_per_language() == {"en": 1, "fi": 1, "sv": 1}
    assert comparison.count("added", "option") == 1
    assert comparison.breaking == ()


def test_changes_that_break_the_comparison(builtin) -> None:
    def edit(data, questions):
        questions["problem"]["items"] = [i for i in questions["problem"]["items"]
                                         if i["code"] != "klotter"]
        questions["prioritera"]["options"] = [o for o in questions["prioritera"]["options"]
                                              if o["code"] != "klotter"]
        data["scales"]["problem"]["positive"] = ["4"]
        questions["alder"]["options"] = questions["alder"]["options"][1:]
        questions["oro"]["options"] = [o for o in questions["oro"]["options"]
                                       if o["code"] != "ibland"]
        data["indicators"] = [i for i in data["indicators"] if i["id"] != "utsatt_12_man"]
        for indicator in data["indicators"]:
            if indicator["id"] == "orolig":
                indicator["counts"] = ["ofta"]

    comparison = compare_surveys(builtin, _edited(builtin, edit))
    reasons = {(c.subject, c.where): c.breaks for c in comparison.breaking}
    assert reasons == {
        ("ranking", "problem"): "ranking",
        ("scale", "problem"): "scale",
        ("item", "problem.klotter"): "ranking",
        ("option", "alder:13-15"): "background",
        ("option", "oro:ibland"): "indicator",
        ("indicator", "orolig"): "indicator",
        ("indicator", "utsatt_12_man"): "indicator",
    }
    # The scale's labels are unchanged: only what counts as a big problem moved.
    assert comparison.count("reworded", "option") == 0


def test_a_question_that_changes_kind_breaks_its_comparison(builtin) -> None:
    def edit(data, questions):
        questions["undviker"]["type"] = "multiple_choice"

    comparison = compare_surveys(builtin, _edited(builtin, edit))
    assert [(c.kind, c.subject, c.where, c.breaks) for c in comparison.changes] == [
        ("changed", "type", "undviker", "type")]


def test_two_limesurvey_versions_of_the_same_survey() -> None:
    # LimeSurvey 3's multilingual sample, and LimeSurvey 6's with Russian added.
    old = import_file(LSS / "ls3_sample_survey_multilingual_fr_de_en_it.lss").survey
    new = import_file(LSS / "ls6_sample_survey_multilingual_fr_de_en_it_ru.lss").survey
    comparison = compare_surveys(old, new)
    assert [c.where for c in comparison.changes if c.subject == "language"] == ["ru"]
    reworded = [c for c in comparison.changes if c.kind == "reworded"]
    assert {c.where for c in reworded} == {"q2_sq01", "q2_sq02", "q2_sq03", "q2_sq04"}
    assert comparison.reworded_per_language() == {"en": 4}
    assert comparison.count("added", "question") == comparison.count("removed", "question") == 0
    assert comparison.breaking == ()
    # Read backwards, Russian is removed and the same four texts differ.
    back = compare_surveys(new, old)
    assert [(c.kind, c.where) for c in back.changes if c.subject == "language"] == [
        ("removed", "ru")]
    assert back.reworded_per_language() == {"en": 4}
