"""XLIFF 2.0 for translation agencies: the strings of one language out, their work back in.

XLIFF 2.0 (OASIS) rather than a spreadsheet: every CAT tool an agency uses (Trados, memoQ,
Phrase, OmegaT with a plug-in) opens it, it carries the review state per segment
(``initial`` / ``translated`` / ``reviewed`` / ``final``) and notes natively, so nothing
depends on a column order someone may change, and it is written and read with the standard
library (no spreadsheet reader to add). Pure functions: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

NS = "urn:oasis:names:tc:xliff:document:2.0"
_Q = f"{{{NS}}}"
STATE_TO_XLIFF = {"machine": "initial", "needs_review": "translated", "approved": "final"}
XLIFF_TO_STATE = {"initial": "machine", "translated": "needs_review", "reviewed": "approved",
                  "final": "approved"}
# An entity declaration can expand to gigabytes ("billion laughs"); XLIFF never needs one.
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class XliffError(ValueError):
    """The file is not XLIFF 2.0 this application can read; the message says why."""


@dataclass(frozen=True)
class Unit:
    key: str  # survey string key or catalog msgid
    source: str
    target: str
    state: str  # machine | needs_review | approved
    note: str = ""


@dataclass(frozen=True)
class XliffFile:
    id: str  # "survey:<slug>" or "ui"
    units: tuple[Unit, ...]


def unit_id(key: str) -> str:
    """An XML name for a key: msgids have spaces, which an XLIFF unit id may not."""
    return "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def write_xliff(source_lang: str, target_lang: str, files: list[XliffFile]) -> bytes:
    """One XLIFF 2.0 document with a <file> per scope and a <unit> per string."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{_Q}xliff", {"version": "2.0", "srcLang": source_lang,
                                     "trgLang": target_lang})
    for xfile in files:
        file_el = ET.SubElement(root, f"{_Q}file", {"id": xfile.id})
        for unit in xfile.units:
            unit_el = ET.SubElement(file_el, f"{_Q}unit", {"id": unit_id(unit.key),
                                                           "name": unit.key})
            if unit.note:
                notes = ET.SubElement(unit_el, f"{_Q}notes")
                ET.SubElement(notes, f"{_Q}note", {"category": "comment"}).text = unit.note
            segment = ET.SubElement(unit_el, f"{_Q}segment",
                                    {"state": STATE_TO_XLIFF[unit.state]})
            ET.SubElement(segment, f"{_Q}source").text = unit.source
            ET.SubElement(segment, f"{_Q}target").text = unit.target
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(element: ET.Element | None) -> str:
    # Inline markup (<ph/>, <pc>) is not used in our strings; keep any text it wraps.
    return "".join(element.itertext()) if element is not None else ""


def read_xliff(data: bytes) -> tuple[str, str, list[XliffFile]]:
    """Source language, target language and the files of an XLIFF 2.0 document."""
    if _DOCTYPE.search(data):
        raise XliffError("the file declares a DOCTYPE or entities, which XLIFF does not use")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise XliffError(f"not well-formed XML: {exc}") from None
    if root.tag != f"{_Q}xliff" or root.get("version") != "2.0":
        raise XliffError("not an XLIFF 2.0 document")
    files = []
    for file_el in root.findall(f"{_Q}file"):
        units = []
        for unit_el in file_el.findall(f"{_Q}unit"):
            key = unit_el.get("name")
            segment = unit_el.find(f"{_Q}segment")
            if not key or segment is None:
                raise XliffError(f"unit {unit_el.get('id')!r} has no name or no segment")
            state = XLIFF_TO_STATE.get(segment.get("state", "initial"))
            if state is None:
                raise XliffError(f"unit {key!r}: unknown state {segment.get('state')!r}")
            notes = [_text(n) for n in unit_el.findall(f"{_Q}notes/{_Q}note")]
            units.append(Unit(key=key, source=_text(segment.find(f"{_Q}source")),
                              target=_text(segment.find(f"{_Q}target")), state=state,
                              note="\n".join(n for n in notes if n)))
        files.append(XliffFile(id=file_el.get("id", ""), units=tuple(units)))
    return root.get("srcLang", ""), root.get("trgLang", ""), files
