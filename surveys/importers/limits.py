"""Limits that keep a hostile or broken file from exhausting the server.

An upload is read by the web server itself, so every cost must be bounded before the work
starts: XML with a document type declaration is refused (entity expansion turns a small file
into gigabytes of text even under expat's own amplification cap), a workbook's declared sizes
are checked in the zip before openpyxl loads anything, and rows and text lengths are capped
while reading. The limits sit far above any real questionnaire: the largest file in our
import corpus is a 1.25 MB ``.lss`` and a 2.8 MB workbook with a few thousand rows.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO
from xml.parsers import expat

# A LimeSurvey structure export is plain XML of a few megabytes at most, with up to ~3,700
# table rows (questions, answers, attributes and texts) in the largest we have seen.
MAX_XML_BYTES = 8 * 1024 * 1024
MAX_XML_ROWS = 10_000
# Unpacked size of all parts of a workbook, and of its largest part (a sheet, shared strings).
MAX_WORKBOOK_BYTES = 40 * 1024 * 1024
MAX_WORKBOOK_PART_BYTES = 16 * 1024 * 1024
MAX_WORKBOOK_PARTS = 500
# Rows read from one sheet; a questionnaire of 10,000 rows is far past what residents answer.
MAX_SHEET_ROWS = 10_000
# Columns read from one sheet; a declared width of 16,384 columns costs nothing then.
MAX_SHEET_COLUMNS = 500
# LimeSurvey keeps texts in TEXT columns (65,535 bytes); no real label or help is longer.
MAX_TEXT_LENGTH = 65_535


class TooLarge(ValueError):
    """The file is over one of the limits; the message says which, in the file's terms."""


class _DoctypeSeen(Exception):
    pass


class _RootReached(Exception):
    pass


def _refuse_doctype(*_: object) -> None:
    raise _DoctypeSeen


def _stop_at_root(*_: object) -> None:
    raise _RootReached


def check_xml(data: bytes) -> None:
    """Refuse XML that is too large, has too many table rows, or declares a document type
    (and with it entities).

    Only the prologue is scanned: expat stops at the first start tag, so the check costs
    microseconds and expands nothing.
    """
    if len(data) > MAX_XML_BYTES:
        raise TooLarge(f"the file is larger than {MAX_XML_BYTES / 1e6:.0f} MB, the most XML "
                       "that is read")
    rows = data.count(b"<row>")
    if rows > MAX_XML_ROWS:
        raise TooLarge(f"the file has {rows:,} table rows; at most {MAX_XML_ROWS:,} are read")
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = _stop_at_root
    try:
        parser.Parse(data, True)
    except _DoctypeSeen:
        raise TooLarge("the file declares a document type (<!DOCTYPE>) with entities; "
                       "LimeSurvey exports have none, and entities are not read") from None
    except _RootReached:
        return
    except expat.ExpatError:
        return  # not well-formed: the parser proper reports where


def check_zip(path_or_buffer: str | Path | IO[bytes]) -> None:
    """Refuse a workbook whose unpacked parts are too many or too large, or whose sheets have
    too many rows, before openpyxl loads anything.

    The sizes come from the zip's directory; Python's zip reader never unpacks more than the
    size declared there, so a part cannot grow past the check while it is read.
    """
    try:
        with zipfile.ZipFile(path_or_buffer) as archive:
            infos = archive.infolist()
            _check_sizes(infos)
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_rows(archive, info)
    except TooLarge:
        raise
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: openpyxl's own error names the problem
    if hasattr(path_or_buffer, "seek"):
        path_or_buffer.seek(0)  # type: ignore[union-attr]


def _check_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Count a sheet's rows in its XML, at C speed: openpyxl would walk them all (a sheet
    without a declared size is read once just to measure it) before we could stop."""
    data = archive.read(info)
    rows = data.count(b"<row ") + data.count(b"<row>")
    if rows > MAX_SHEET_ROWS:
        raise TooLarge(f"'{info.filename}' has {rows:,} rows; at most {MAX_SHEET_ROWS:,} "
                       "per sheet")


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_WORKBOOK_PARTS:
        raise TooLarge(f"the workbook has {len(infos)} parts; at most {MAX_WORKBOOK_PARTS}")
    for info in infos:
        if info.file_size > MAX_WORKBOOK_PART_BYTES:
            raise TooLarge(f"'{info.filename}' unpacks to {info.file_size / 1e6:.0f} MB; "
                           f"at most {MAX_WORKBOOK_PART_BYTES / 1e6:.0f} MB per part")
    total = sum(info.file_size for info in infos)
    if total > MAX_WORKBOOK_BYTES:
        raise TooLarge(f"the workbook unpacks to {total / 1e6:.0f} MB; "
                       f"at most {MAX_WORKBOOK_BYTES / 1e6:.0f} MB")


def check_text(value: str, where: str) -> None:
    """Refuse one text longer than any real label; ``where`` names the cell or element."""
    if len(value) > MAX_TEXT_LENGTH:
        raise TooLarge(f"{where} holds {len(value):,} characters; at most {MAX_TEXT_LENGTH:,}")
