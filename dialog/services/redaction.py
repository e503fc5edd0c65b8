"""Finding likely personal data in residents' free text, and removing it for good.

Pure functions: the review page flags what these find, and a staff member decides. Patterns
only pre-flag; a human reads every answer, so a missed name is caught by reading and a false
flag costs one look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REDACTED = "[borttaget]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 10 or 12 digits with an optional - or + before the last four (+ marks age 100 or more).
_PERSONNUMMER = re.compile(r"(?<![\d-])((?:19|20)?\d{6})\s?([-+]?)\s?(\d{4})(?![\d-])")
# Swedish numbers: 0 or +46/0046, then 7–10 more digits grouped with spaces or hyphens.
_PHONE = re.compile(r"(?<![\d+])(?:\+46|0046|0)[\s-]?\(?0?\)?[1-9](?:[\s-]?\d){5,9}(?!\d)")
# "jag heter Anna", "grannen som heter Per Olsson": a capitalised word after a naming verb.
_NAMED = re.compile(
    r"\b(?:heter|hette|kallas|namnet|named|called|name is)\s+"
    r"([A-ZÅÄÖÉ][a-zåäöéü]+(?:\s+[A-ZÅÄÖÉ][a-zåäöéü]+)?)"
)
# Common first names in Sweden, one a line (see dialog/data/README.md for the source).
_NAMES_FILE = Path(__file__).resolve().parent.parent / "data" / "first_names_sv.txt"
_FIRST_NAMES = frozenset(
    line.strip() for line in _NAMES_FILE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#"))
# Surnames ending in -sson (Svensson, Karlsson) are names even without a first name.
_SON_SURNAME = re.compile(r"\b[A-ZÅÄÖÉ][a-zåäöéü]+sson(?:s)?\b")
# Swedish street addresses: a street name with one of the usual endings, a house number and
# an optional entrance letter ("Storgatan 12", "Köpmangatan 3 B", "Norra Esplanaden 4a" is not
# caught: only these endings are). Lower case too: residents do not always capitalise.
_ADDRESS = re.compile(
    r"\b(?:(?:Norra|Södra|Östra|Västra|Stora|Lilla|Gamla|Nya)\s+)?"
    r"[A-Za-zÅÄÖåäöÉé][a-zåäöéü-]+"
    r"(?:gatan|gata|vägen|väg|gränd|gränden|torget|backen|stigen|allén|allé|platsen)"
    r"\s+\d{1,4}(?:\s?[A-Ha-h](?![\wåäö]))?(?!\d)")
_CAPITALISED = re.compile(r"\b[A-ZÅÄÖÉ][a-zåäöéü]+\b")
_SURNAME = re.compile(r"\s+[A-ZÅÄÖÉ][a-zåäöéü]+\b")


@dataclass(frozen=True)
class Finding:
    """A span of ``text[start:end]`` that looks like personal data of the given kind."""

    kind: str  # personnummer | email | phone | address | name
    start: int
    end: int


def luhn_valid(digits: str) -> bool:
    """The Luhn check used by Swedish personnummer (over the last ten digits)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_personnummer(date_part: str, serial: str) -> bool:
    """A plausible date (day + 60 for samordningsnummer) and a valid Luhn check digit."""
    ten = date_part[-6:] + serial
    month, day = int(ten[2:4]), int(ten[4:6])
    if day > 60:
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= 31 and luhn_valid(ten)


def find_personal_data(text: str) -> list[Finding]:
    """Likely personal data in ``text``, in order, without overlaps (the first kind wins in the
    order personnummer, e-mail, phone, address, name)."""
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        if not any(f.start < end and start < f.end for f in found):
            found.append(Finding(kind, start, end))

    for match in _PERSONNUMMER.finditer(text):
        if is_personnummer(match.group(1), match.group(3)):
            add("personnummer", match.start(), match.end())
    for match in _EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for match in _PHONE.finditer(text):
        add("phone", match.start(), match.end())
    for match in _ADDRESS.finditer(text):
        add("address", match.start(), match.end())
    for match in _NAMED.finditer(text):
        add("name", match.start(1), match.end(1))
    for match in _CAPITALISED.finditer(text):
        if match.group().lower() in _FIRST_NAMES:
            surname = _SURNAME.match(text, match.end())
            add("name", match.start(), surname.end() if surname else match.end())
    for match in _SON_SURNAME.finditer(text):
        add("name", match.start(), match.end())
    return sorted(found, key=lambda f: f.start)


def redact_spans(text: str, findings: list[Finding]) -> str:
    """``text`` with every finding replaced by ``REDACTED``."""
    parts: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < position:
            continue
        parts.append(text[position:finding.start])
        parts.append(REDACTED)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def redact_flagged(text: str) -> str:
    """Remove everything :func:`find_personal_data` flags; the rest of the answer stays."""
    return redact_spans(text, find_personal_data(text))


def segments(text: str, findings: list[Finding] | None = None) -> list[tuple[str, str | None]]:
    """``text`` cut into (piece, kind) pairs, kind None for unflagged pieces: for highlighting
    what :func:`find_personal_data` flags, or the given ``findings`` (overlaps ignored as in
    :func:`redact_spans`)."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    chosen = find_personal_data(text) if findings is None else sorted(findings,
                                                                        key=lambda f: f.start)
    for finding in chosen:
        if finding.start < position:
            continue
        if finding.start > position:
            pieces.append((text[position:finding.start], None))
        pieces.append((text[finding.start:finding.end], finding.kind))
        position = finding.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
