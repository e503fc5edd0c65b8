"""Turning source texts and names into what our definitions accept: plain safe text, ascii slugs."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# Elements whose content is code or embedded media, never text a resident should read.
_DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template",
                           "svg", "math", "head", "title"})
_BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4",
                    "h5", "h6", "blockquote", "section", "article", "hr"})
_TAG_LIKE = re.compile(r"<\s*[A-Za-z!/?]")
# Marks a line break from a block element; survives the whitespace folding of further passes.
_BREAK = "\x1e"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._dropping += 1
        elif tag in _BLOCK:
            self.parts.append(_BREAK)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append(_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCK:
            self.parts.append(_BREAK)

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def _strip_once(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def html_to_text(markup: str) -> str:
    """Reduce HTML to plain text: tags and the content of script-like elements are removed.

    Entities are decoded, so ``&lt;script&gt;`` would come back as markup after one pass;
    the text is stripped again until nothing tag-like is left, and any remaining ``<`` that
    starts a tag is neutralised, so no script survives whatever the nesting of escapes.
    """
    text = _CONTROL.sub("", markup)
    for _ in range(5):
        stripped = _strip_once(text)
        if stripped == text and not _TAG_LIKE.search(stripped):
            break
        text = stripped
    text = _TAG_LIKE.sub(lambda m: "‹" + m.group(0)[1:], text)
    lines = [" ".join(line.split()) for line in text.replace("\xa0", " ").split(_BREAK)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(value: str) -> str:
    """Text from a spreadsheet cell: markup only if it looks like markup, otherwise kept as is."""
    if _TAG_LIKE.search(value) or re.search(r"&[#A-Za-z0-9]+;", value):
        return html_to_text(value)
    return value.strip()


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()


def make_id(value: str, fallback: str = "q", limit: int = 40) -> str:
    """A question/page/scale id: ``[a-z][a-z0-9_]*``; already valid ids come back unchanged."""
    ident = re.sub(r"_{2,}", "_", re.sub(r"[^a-z0-9_]+", "_", _ascii(value))).strip("_")
    if not ident:
        ident = fallback
    if not ident[0].isalpha():
        ident = f"{fallback}_{ident}"
    return ident[:limit].rstrip("_")


def make_code(value: str, limit: int = 32) -> str:
    """An answer or item code: ``[a-z0-9][a-z0-9_-]*`` (LimeSurvey ``A1`` becomes ``a1``)."""
    code = re.sub(r"[^a-z0-9_-]+", "_", _ascii(value)).strip("_-")
    return (code or "x")[:limit]


def make_slug(value: str, fallback: str = "survey", limit: int = 64) -> str:
    """A survey slug: ``[a-z0-9][a-z0-9-]*``."""
    slug = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", _ascii(value))).strip("-")
    return (slug or fallback)[:limit].rstrip("-")


class SlugRegistry:
    """Hands out unique ids or codes: the second ``q1`` becomes ``q1_2``."""

    def __init__(self, code: bool = False) -> None:
        self._taken: set[str] = set()
        self._code = code

    def claim(self, value: str, fallback: str = "q") -> str:
        base = make_code(value) if self._code else make_id(value, fallback)
        slug, n = base, 1
        while slug in self._taken:
            n += 1
            slug = f"{base[:28]}_{n}"
        self._taken.add(slug)
        return slug
