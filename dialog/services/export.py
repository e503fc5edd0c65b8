"""Responses as flat rows and CSV, streamed so that a million rows never sit in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from surveys import Survey, codebook_rows, export_columns, flatten_answers

from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion

META_COLUMNS = ("response_id", "survey_version", "completed", "channel", "language")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Stop spreadsheet programs from running a cell as a formula (CSV/formula injection)."""
    if value.startswith(_FORMULA_START):
        try:
            float(value.replace(",", "."))
            return value  # a plain negative number is data, not a formula
        except ValueError:
            return "'" + value
    return value


def iter_response_rows(record: SurveyRecord, survey: Survey, *, batch: int = 2000) -> Iterator[
    list[str]
]:
    """Header, then one row per complete response (all versions, current columns)."""
    columns = export_columns(survey)
    yield [*META_COLUMNS, *columns]
    query = (
        select(Response.id, SurveyVersion.number, Response.completed_at, Response.channel,
               Response.language, Response.answers)
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id, Response.status == "complete")
        .order_by(Response.id)
        .execution_options(yield_per=batch)
    )
    for rid, number, completed, channel, language, answers in db.session.execute(query):
        flat = flatten_answers(survey, answers or {})
        yield [str(rid), str(number), completed.date().isoformat() if completed else "",
               channel, language, *(neutralise(flat.get(c, "")) for c in columns)]


def iter_csv(rows: Iterator[list[str]], *, delimiter: str = ",", bom: bool = False) -> Iterator[
    str
]:
    """CSV text in chunks. ``bom`` and ``;`` make Swedish Excel open it correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        yield "\ufeff"
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def codebook_table(survey: Survey) -> list[list[str]]:
    """Codes to labels in every language of the survey, one row per column and code."""
    header = ["column", "question", "type", "code", *[f"label_{lang}" for lang in survey.languages]]
    rows = [header]
    for row in codebook_rows(survey):
        rows.append([row.column, row.question, row.type, row.code,
                     *[neutralise(row.labels.get(lang, "")) for lang in survey.languages]])
    return rows
