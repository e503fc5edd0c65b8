"""Reading the text of a CSV file the way spreadsheets save it, with errors a person can act on.

UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark (Excel's "Unicode
text") and Windows-1252 (Excel's "CSV" on a Swedish Windows) are read; bytes that are none of
these end with the file name and the offset of the first bad byte, not a traceback.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from .errors import AnalysisError

__all__ = ["read_text", "read_utf8"]

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Bytes decoded at a time when checking UTF-8: the text of so few comes from memory the
# allocator reuses, where that of a megabyte would be fresh pages each time.
_CHUNK = 1 << 15


def read_text(path: str | Path, what: str = "file") -> str:
    """The decoded text of ``path``; ``what`` names the file in messages ("population file").

    Raises
    ------
    AnalysisError
        The file cannot be read, or holds bytes that are no text in any of the encodings.
    """
    text = read_utf8(path, what)
    return text if isinstance(text, str) else text.decode("utf-8")


def read_utf8(path: str | Path, what: str = "file", padding: int = 0) -> bytearray | str:
    """The bytes of a UTF-8 file without its byte-order mark, followed by ``padding`` zero
    bytes; the decoded text of a file in one of the other encodings.

    A survey export is mostly UTF-8 and can be large: its bytes are read once and checked
    without being held as text too (see :mod:`analysis.csvfile`).

    Raises
    ------
    AnalysisError
        As :func:`read_text`.
    """
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            data = bytearray(size + padding)
            with memoryview(data) as view:
                got = file.readinto(view[:size])
            rest = file.read()  # a file that grew, or a pipe (whose size is 0)
    except OSError as exc:
        raise AnalysisError(f"cannot read {what} {path}: {exc.strerror}") from None
    if got < size or rest:
        data = data[:got] + rest + bytes(padding)
        size = len(data) - padding
    if data.startswith(_UTF16_BOMS):
        del data[size:]
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _undecodable(path, what, data, exc.start, "UTF-16") from None
    bad = _utf8_error(data, size)
    if bad is None:
        del data[:len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0]
        return data
    del data[size:]
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise _undecodable(path, what, data, bad, "UTF-8 or Windows-1252") from None


def _utf8_error(data: bytearray, size: int) -> int | None:
    """The offset of the first of the first ``size`` bytes that is not UTF-8, if any.

    Decoded a slice at a time and thrown away: decoding a large file whole would hold it
    twice, once more as text."""
    if data.isascii():
        return None
    done = 0
    with memoryview(data) as view:
        while done < size:
            end = min(done + _CHUNK, size)
            try:  # a character cut at the slice's end is decoded with the next slice
                done += codecs.utf_8_decode(view[done:end], "strict", end == size)[1]
            except UnicodeDecodeError as exc:
                return done + exc.start
    return None


def _undecodable(path: str | Path, what: str, raw: bytearray, offset: int,
                 encodings: str) -> AnalysisError:
    return AnalysisError(
        f"{what} {path}: byte {offset} (0x{raw[offset]:02x}) is not {encodings} text; save "
        f"the file as CSV UTF-8 / {what} {path}: byte {offset} är inte läsbar text; spara "
        "filen som CSV UTF-8")
