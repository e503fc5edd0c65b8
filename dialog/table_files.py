"""Reading a staff upload (CSV or XLSX) into its header and numbered rows of text.

Each feature checks the rows itself (indicators, sample files); this module only turns the
bytes into cells, within the same limits as a survey workbook (``surveys.importers.limits``):
the file is read by the web server itself when staff upload it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook

from surveys.importers.limits import MAX_SHEET_COLUMNS, TooLarge, check_zip

# A kommun's monthly series for ten years, 40 indicators and 20 areas is about 100,000 rows.
MAX_ROWS = 200_000


class UnreadableTable(ValueError):
    """The file is not a CSV or XLSX we can read; ``code`` says why (see messages.py)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes, filename: str) -> Table:
    """The header and the data rows (numbered as in the file, the header being row 1)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableTable("not_utf8") from None
    first = text.split("\n", 1)[0]
    # Swedish Excel saves CSV with semicolons (the comma is the decimal sign).
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        rows = []
        for number, cells in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise UnreadableTable("too_many_rows", str(MAX_ROWS))
            rows.append((number, cells[:MAX_SHEET_COLUMNS]))
    except csv.Error as error:
        raise UnreadableTable("bad_csv", str(error)) from None
    if not header:
        raise UnreadableTable("empty")
    return Table(header=[h.strip() for h in header], rows=rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        # Excel turns a typed "2026-03" into the first of the month.
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> Table:
    stream = io.BytesIO(data)
    try:
        check_zip(stream)
    except TooLarge as error:
        raise UnreadableTable("too_large", str(error)) from None
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableTable("bad_xlsx", type(error).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        rows_iter: Iterator = sheet.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS)
        header = [_cell(v).strip() for v in next(rows_iter, ())]
        rows = [(number, [_cell(v) for v in values])
                for number, values in enumerate(rows_iter, start=2)]
    finally:
        workbook.close()
    if not any(header):
        raise UnreadableTable("empty")
    return Table(header=header, rows=rows)
