"""Reading a rendered page as a person does, and finding English left on a translated page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

from dialog.config import LANGUAGES, RTL_LANGUAGES

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")
# Words the product keeps in every language: the brand, Swedish domain words, place names.
KEPT_WORDS = frozenset({"Medborgardialog", "Medborgarlöfte"})


class PageText(HTMLParser):
    """The visible text of a page plus the attributes read aloud, and the <html> attributes."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root: dict[str, str | None] = {}
        self.parts: list[str] = []
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.root = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(v for k, v in attrs if k in self.SPOKEN and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _fragments(msgid: str) -> list[str]:
    """The literal pieces of an English msgid, long enough to be recognisable on a page."""
    pieces = [p.strip(" .,:;()–") for p in PLACEHOLDER.split(msgid)]
    return [p for p in pieces if p and p not in KEPT_WORDS and (len(p) >= 4 or " " in p)]


def _english_fragments(lang: str) -> list[tuple[str, re.Pattern]]:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        translated = read_po(handle, locale=lang)
    found = []
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        local = translated.get(message.id[0] if isinstance(message.id, tuple) else message.id)
        strings = set(local.string if isinstance(local.string, tuple) else (local.string,)) \
            if local else set()
        for msgid in ids:
            if msgid in strings:
                # Identical in this language (a loan word such as "Status"): not a leak.
                continue
            for fragment in _fragments(msgid):
                pattern = re.compile(r"(?<!\w)" + re.escape(fragment) + r"(?!\w)")
                found.append((fragment, pattern))
    return found


ENGLISH = {lang: _english_fragments(lang) for lang in LANGUAGES if lang != "en"}


def check_page(html: str, lang: str) -> PageText:
    page = PageText(html)
    assert page.root.get("lang") == lang
    assert page.root.get("dir") == ("rtl" if lang in RTL_LANGUAGES else "ltr")
    if lang != "en":
        leaks = sorted({fragment for fragment, pattern in ENGLISH[lang]
                        if pattern.search(page.text)})
        assert not leaks, f"untranslated English UI text on a {lang} page: {leaks}"
    return page
