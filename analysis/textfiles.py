"""Reading the text of a CSV file the way spreadsheets save it, with errors a person can act on.

UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark (Excel's "Unicode
text") and Windows-1252 (Excel's "CSV" on a Swedish Windows) are read; bytes that are none of
these end with the file name and the offset of the first bad byte, not a traceback.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from .errors import AnalysisError

__all__ = ["read_text"]

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_text(path: str | Path, what: str = "file") -> str:
    """The decoded text of ``path``; ``what`` names the file in messages ("population file").

    Raises
    ------
    AnalysisError
        The file cannot be read, or holds bytes that are no text in any of the encodings.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read {what} {path}: {exc.strerror}") from None
    if raw.startswith(_UTF16_BOMS):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _undecodable(path, what, raw, exc.start, "UTF-16") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise _undecodable(path, what, raw, utf8.start, "UTF-8 or Windows-1252") from None


def _undecodable(path: str | Path, what: str, raw: bytes, offset: int,
                 encodings: str) -> AnalysisError:
    return AnalysisError(
        f"{what} {path}: byte {offset} (0x{raw[offset]:02x}) is not {encodings} text; save "
        f"the file as CSV UTF-8 / {what} {path}: byte {offset} är inte läsbar text; spara "
        "filen som CSV UTF-8")
