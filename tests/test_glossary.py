"""The glossary holds: the terms that must not vary (medborgarlöfte, anonym, kommun, vet ej,
the scale labels) are rendered one way in the built-in survey and in every catalog."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from surveys import load_builtin_template
from surveys.glossary import Term, glossary_violations, load_glossary
from surveys.strings import survey_strings

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
TARGETS = ("en", "ar", "fa", "so", "ti", "uk", "fi")


def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def _flat(value) -> str:
    return " ".join(value) if isinstance(value, tuple) else (value or "")


def survey_texts():
    survey = load_builtin_template()
    return [(f"trygghet.yaml {s.key}", s.text["sv"], lang, s.text.get(lang, ""))
            for s in survey_strings(survey) for lang in TARGETS]


def catalog_texts():
    swedish = _catalog("sv")
    catalogs = {lang: _catalog(lang) for lang in TARGETS}
    return [(f"{lang} catalog {message.id!r}", _flat(message.string), lang,
             _flat(catalogs[lang][message.id].string))
            for message in swedish if message.id for lang in TARGETS]


@pytest.mark.parametrize("texts", [survey_texts, catalog_texts], ids=["survey", "catalogs"])
def test_glossary_terms_are_rendered_one_way(texts):
    violations = glossary_violations(texts())
    assert not violations, "\n".join(
        f"{v.where} [{v.lang}]: {v.problem}: {v.target}" for v in violations)


def test_the_glossary_covers_the_terms_and_every_language():
    terms = {term.term: term for term in load_glossary()}
    assert {"medborgarlöfte", "anonym", "kommun", "vet ej", "Instämmer knappast",
            "Ganska stort problem"} <= set(terms)
    for term in terms.values():
        assert set(term.use) == set(TARGETS), term.term


def test_a_different_rendering_is_found():
    # The check must be able to fail: the readings the second reader found are caught.
    texts = [("scale", "Instämmer knappast", "ar", "بالكاد أوافق"),
             ("löfte", "Läs medborgarlöftet", "ar", "اقرأ وعد المواطنين"),
             ("footer", "Dina svar är anonyma.", "so", "Jawaabahaagu waa qarsoodi."),
             ("scale", "Vet ej", "en", "Don't know")]
    found = glossary_violations(texts)
    assert [(v.where, v.lang) for v in found] == [("scale", "ar"), ("löfte", "ar"),
                                                  ("footer", "so")]


def test_an_exact_term_compares_whole_texts():
    term = Term(term="vet ej", sv="Vet ej", use={"en": "Don't know"}, avoid={}, exact=True)
    assert term.applies_to("Vet ej") and not term.applies_to("Vet ej riktigt")
    assert term.problem("en", "Don't know") is None
    assert term.problem("en", "Do not know") is not None


def test_persian_uses_one_digit_system():
    # Latin digits, as every number the app formats: Persian digits beside them read as mixed.
    persian_digits = set("۰۱۲۳۴۵۶۷۸۹")
    mixed = [where for where, _source, lang, target in survey_texts() + catalog_texts()
             if lang == "fa" and persian_digits & set(target)]
    assert not mixed
