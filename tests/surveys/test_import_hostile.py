"""Hostile files are refused quickly, in bounded memory, with a message naming the limit.

Each file is made by tests/hostile_files.py in the shapes an outside probe used (issue #15):
before the limits the .lss took 27 s and produced a 37 MB title, the 200 MB cell cost
464 MB, and 50,000 rows took 4.6 s. The time bounds here are generous (the machine is
shared); the memory bound is what the limits are for.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from surveys.importers import UnreadableFile, import_file
from tests.hostile_files import (
    entity_amplification_lss,
    huge_cell_xlsform,
    long_cell_xlsform,
    many_rows_xlsform,
)

# Far below what the probe's files cost before the limits; far above what a refusal needs.
PEAK_BYTES = 40 * 1024 * 1024
SECONDS = 10


@pytest.mark.parametrize(("make", "name", "message"), [
    (entity_amplification_lss, "bomb.lss", "declares a document type"),
    (huge_cell_xlsform, "cell.xlsx", "'xl/worksheets/sheet1.xml' unpacks to 210 MB; "
                                     "at most 17 MB"),
    (many_rows_xlsform, "rows.xlsx", "'xl/worksheets/sheet1.xml' has 50,001 rows; "
                                     "at most 10,000 per sheet"),
    (long_cell_xlsform, "label.xlsx", "survey sheet row 2 column 3 holds 100,000 characters; "
                                      "at most 65,535"),
])
def test_hostile_file_is_refused_fast_in_bounded_memory(
    tmp_path: Path, make: Callable[[Path], Path], name: str, message: str,
) -> None:
    path = make(tmp_path / name)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(UnreadableFile, match=message) as refused:
            import_file(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(refused.value).startswith(f"{name}: refused: ")
    assert elapsed < SECONDS
    assert peak < PEAK_BYTES, f"{peak / 1e6:.0f} MB"


def test_xml_larger_than_any_export_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.lss"
    path.write_bytes(b"<document>" + b" " * (9 * 1024 * 1024) + b"</document>")
    with pytest.raises(UnreadableFile, match="larger than 8 MB, the most XML that is read"):
        import_file(path)


def test_lss_with_more_rows_than_any_export_is_refused(tmp_path: Path) -> None:
    """80,000 questions in 8 MB took 25 s to import: the rows are counted before parsing."""
    rows = "".join(f"<row><qid>{n}</qid><gid>1</gid><type>T</type><title>q{n}</title></row>"
                   for n in range(10_001))
    path = tmp_path / "rows.lss"
    path.write_text(f"<document><questions><rows>{rows}</rows></questions></document>",
                    encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match="the file has 10,001 table rows; at most 10,000"):
        import_file(path)
    assert time.perf_counter() - started < SECONDS


def test_a_plain_lss_without_doctype_still_imports(tmp_path: Path) -> None:
    """The prologue check stops at the root element: an ordinary export passes it."""
    path = entity_amplification_lss(tmp_path / "plain.lss")
    text = path.read_text(encoding="utf-8")
    start, end = text.index("<!DOCTYPE"), text.index("]>") + 2
    path.write_text(text[:start] + text[end:].replace("&e;" * 100_000, "Trygghet"),
                    encoding="utf-8")
    with pytest.raises(UnreadableFile, match="nothing left that our surveys can represent"):
        import_file(path)  # a survey without questions: read, not refused by a limit
