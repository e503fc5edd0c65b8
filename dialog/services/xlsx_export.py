"""Responses as an Excel workbook: codes, labels and the codebook, written row by row.

XlsxWriter's ``constant_memory`` mode flushes every finished row to a temporary file, so the
memory used does not grow with the number of responses. All cells are written as strings or
numbers explicitly, in a workbook from :func:`analysis.workbook.open_workbook`, so no text can
become a formula and none needs the apostrophe a CSV cell gets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from analysis.workbook import open_workbook
from surveys import Survey, codebook_rows

from ..models import SurveyRecord
from .export import META_COLUMNS, codebook_table, iter_response_rows

_PLAIN_INTEGER = re.compile(r"^(?:0|-?[1-9]\d{0,14})$")
_LIST_SEPARATOR = ";"


def label_lookup(survey: Survey, lang: str) -> dict[str, dict[str, str]]:
    """Column → code → label in ``lang`` (the survey's default language where missing)."""
    table: dict[str, dict[str, str]] = {}
    for row in codebook_rows(survey):
        if row.code:
            text = row.labels.get(lang) or row.labels.get(survey.default_language, row.code)
            table.setdefault(row.column, {})[row.code] = text
    return table


def _labelled(row: list[str], columns: list[str], labels: dict[str, dict[str, str]],
              offset: int) -> list[str]:
    out = row[:offset]
    for column, cell in zip(columns, row[offset:], strict=True):
        codes = labels.get(column)
        if codes is None or not cell or not isinstance(cell, str):
            out.append(cell)
        else:
            out.append("; ".join(codes.get(code, code) for code in cell.split(_LIST_SEPARATOR)))
    return out


def _write_row(sheet, index: int, row: Iterable[object], fmt=None) -> None:
    for col, cell in enumerate(row):
        if cell is None or cell == "":
            continue
        value = cell if isinstance(cell, str) else str(cell)
        if _PLAIN_INTEGER.match(value):
            sheet.write_number(index, col, int(value))
        else:
            sheet.write_string(index, col, value, fmt)


def write_responses_xlsx(
    target: str | Path | IO[bytes], record: SurveyRecord, survey: Survey, *, lang: str,
    rows: Iterator[list[str]] | None = None,
) -> int:
    """Write sheets "codes", "labels" and "codebook"; returns the number of responses.

    ``rows`` defaults to :func:`iter_response_rows` (header first); labels are in ``lang``.
    """
    rows = rows if rows is not None else iter_response_rows(record, survey, neutralised=False)
    workbook = open_workbook(target, constant_memory=True)
    bold = workbook.add_format({"bold": True})
    codes_sheet = workbook.add_worksheet("codes")
    labels_sheet = workbook.add_worksheet("labels")
    codebook_sheet = workbook.add_worksheet("codebook")
    header = next(rows)
    offset = len(META_COLUMNS)
    survey_columns = header[offset:]
    for sheet in (codes_sheet, labels_sheet):
        sheet.freeze_panes(1, 1)
        for col, name in enumerate(header):
            sheet.write_string(0, col, name, bold)
    labels = label_lookup(survey, lang)
    count = 0
    for count, row in enumerate(rows, 1):
        _write_row(codes_sheet, count, row)
        _write_row(labels_sheet, count, _labelled(row, survey_columns, labels, offset))
    for index, row in enumerate(codebook_table(survey, neutralised=False)):
        _write_row(codebook_sheet, index, row, bold if index == 0 else None)
    workbook.close()
    return count
