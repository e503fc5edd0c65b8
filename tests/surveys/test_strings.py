"""A survey's translatable strings by key, and replacing one translation."""

import pytest

from surveys import load_builtin_template, survey_to_dict
from surveys.strings import survey_strings, text_digest, with_translation


@pytest.fixture(scope="module")
def survey():
    return load_builtin_template()


def test_keys_name_texts_by_ids_and_codes(survey):
    keys = [s.key for s in survey_strings(survey)]
    assert len(keys) == len(set(keys))
    assert {"title", "intro.anonymity", "thanks", "scales.instammer.options.3.label",
            "pages.trygghet.questions.ut_sent.text",
            "pages.trygghet.questions.ut_sent.options.gar_inte_ut.label",
            "pages.problem.questions.problem.items.narkotikahandel.label",
            "indicators.utsatt_12_man.label"} <= set(keys)
    assert not any(k.startswith("review") for k in keys)
    strings = {s.key: s.text for s in survey_strings(survey)}
    assert strings["scales.instammer.options.3.label"]["en"] == "Mostly disagree"


def test_one_translation_is_replaced_and_nothing_else(survey):
    key = "pages.trygghet.questions.ut_sent.text"
    changed = with_translation(survey, key, "so", "Su'aal cusub?")
    assert changed.question("ut_sent").text["so"] == "Su'aal cusub?"
    before, after = survey_to_dict(survey), survey_to_dict(changed)
    after["pages"][1]["questions"][0]["text"]["so"] = before["pages"][1]["questions"][0][
        "text"]["so"]
    assert after == before


def test_unknown_keys_and_the_source_language_are_refused(survey):
    with pytest.raises(KeyError):
        with_translation(survey, "pages.nope.title", "en", "x")
    with pytest.raises(ValueError):
        with_translation(survey, "title", "sv", "Ny titel")
    with pytest.raises(ValueError):
        with_translation(survey, "title", "de", "Titel")


def test_digest_changes_with_the_text():
    assert text_digest("Vet ej") == text_digest("Vet ej")
    assert text_digest("Vet ej") != text_digest("Vet ej.")
