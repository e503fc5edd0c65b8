"""The interface catalogs are complete: every msgid translated in every language, none fuzzy,
the same placeholders as the English, and the template up to date with the code."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from dialog.config import LANGUAGES
from dialog.i18n.cli import extract_template

REPO_ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = REPO_ROOT / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa])|%%")


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def placeholders(text: str) -> list[tuple[str, str]]:
    return sorted(m.groups() for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def msgids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in catalog if m.id}


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def sources(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


@pytest.fixture(scope="module")
def template() -> Catalog:
    return read_catalog(TRANSLATIONS / "messages.pot")


@pytest.fixture(scope="module", params=sorted(LANGUAGES))
def catalog(request) -> Catalog:
    path = TRANSLATIONS / request.param / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalog for {request.param}: run `flask translate update`"
    return read_catalog(path, request.param)


def test_every_language_of_the_app_has_a_catalog() -> None:
    shipped = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(LANGUAGES)


def test_template_is_up_to_date_with_the_code(template: Catalog, tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    extract_template(fresh)
    current = msgids(read_catalog(fresh))
    missing = sorted(map(str, current - msgids(template)))
    stale = sorted(map(str, msgids(template) - current))
    assert not missing, f"new UI strings not in messages.pot (run `flask translate update`): " \
                        f"{missing}"
    assert not stale, f"messages.pot has strings the code no longer uses: {stale}"


def test_catalog_has_the_template_msgids(catalog: Catalog, template: Catalog) -> None:
    assert msgids(catalog) == msgids(template), "run `flask translate update`"


def test_every_entry_is_translated_and_not_fuzzy(catalog: Catalog) -> None:
    untranslated = [m.id for m in catalog if m.id and not all(s.strip() for s in forms(m))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{catalog.locale}: untranslated {untranslated}"
    assert not fuzzy, f"{catalog.locale}: fuzzy {fuzzy}"
    assert not catalog.fuzzy, f"{catalog.locale}: the catalog header is marked fuzzy"


def test_plural_entries_have_the_languages_number_of_forms(catalog: Catalog) -> None:
    expected = get_plural(str(catalog.locale)).num_plurals
    assert catalog.num_plurals == expected
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(forms(message)) == expected, message.id


def test_placeholders_match_the_msgid(catalog: Catalog) -> None:
    for message in catalog:
        if not message.id:
            continue
        expected = {tuple(placeholders(source)) for source in sources(message)}
        assert len(expected) == 1, f"singular and plural msgids differ: {message.id}"
        wanted = expected.pop()
        for form in forms(message):
            assert placeholders(form) == list(wanted), \
                f"{catalog.locale}: {message.id!r} -> {form!r}"
            values = {name: 1 for name, _ in wanted}
            # Formatting must not raise: a stray % or a broken placeholder would be a 500.
            assert isinstance(form % values if values else form, str)


def test_catalog_compiles(catalog: Catalog) -> None:
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    assert len(buffer.getvalue()) > 100


def test_machine_translations_say_they_await_review(catalog: Catalog) -> None:
    if str(catalog.locale) == "en":
        return
    assert "awaits review by a human translator" in catalog.header_comment


def test_placeholder_check_catches_a_mismatch() -> None:
    assert placeholders("Sida %(page)s av %(total)s") == [("page", "s"), ("total", "s")]
    assert placeholders("Sida %(sida)s av %(total)s") != placeholders("Page %(page)s of %(total)s")
    assert placeholders("100 %% %(num)d") == [("num", "d")]
