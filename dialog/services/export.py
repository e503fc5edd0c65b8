"""Responses as flat rows and CSV, streamed so that a million rows never sit in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import orjson
from sqlalchemy import String, Text, cast, func, select

from surveys import Question, Survey, codebook_rows, format_marks
from surveys.numbers import plain_number

from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion

META_COLUMNS = ("response_id", "survey_version", "completed", "channel", "language")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHOICE_CACHE_LIMIT = 100_000


def neutralise(value: str) -> str:
    """Stop spreadsheet programs from running a cell as a formula (CSV/formula injection)."""
    if value.startswith(_FORMULA_START):
        try:
            float(value.replace(",", "."))
            return value  # a plain negative number is data, not a formula
        except ValueError:
            return "'" + value
    return value


def _format_number(value: Any) -> str:
    if isinstance(value, float):
        return str(plain_number(value))
    return str(value)


def _choice_formatter(question: Question) -> Callable[[Any], str]:
    order = [o.code for o in question.options]

    # Residents pick from a few options, so the same lists come back again and again: each
    # distinct list is put in the survey's order once (a third of an export's time before).
    seen: dict[tuple, str] = {}

    def format_choices(value: Any) -> str:
        if not isinstance(value, list | tuple):
            return str(value)
        key = tuple(map(str, value))
        text = seen.get(key)
        if text is None:
            chosen = set(key)
            text = ";".join(code for code in order if code in chosen)
            if len(seen) < _CHOICE_CACHE_LIMIT:
                seen[key] = text
        return text

    return format_choices


@dataclass(frozen=True)
class _RowPlan:
    """How to turn one stored answers document into export cells, worked out once per export.

    Most columns are answer codes stored as strings and go out as they are. Codes match
    ``[a-z0-9][a-z0-9_-]*`` (checked when a definition is loaded) and every stored choice was
    checked against them, so they cannot start a formula; only free text and numbers need a
    closer look.
    """

    columns: list[str]
    formatters: list[tuple[int, Callable[[Any], str]]]
    free_text: list[int]

    def may_need_quotes(self) -> list[int]:
        """Columns whose cells can hold a delimiter, quote or line break: free text and the
        ``;``-joined choices. Codes, numbers and the meta columns never do."""
        return sorted({*self.free_text, *(i for i, _ in self.formatters)})


def _row_plan(survey: Survey) -> _RowPlan:
    columns: list[str] = []
    formatters: list[tuple[int, Callable[[Any], str]]] = []
    free_text: list[int] = []
    for question in survey.questions():
        for name in question.field_names():
            index = len(columns)
            columns.append(name)
            if question.type in ("multiple_choice", "pick_top"):
                formatters.append((index, _choice_formatter(question)))
            elif question.type == "number":
                formatters.append((index, _format_number))
            elif question.type == "place":
                # Raw marks: this export needs the export right and is audited (docs/places.md).
                formatters.append((index, format_marks))
            elif question.type == "free_text":
                free_text.append(index)
    return _RowPlan(columns, formatters, free_text)


def iter_response_rows(record: SurveyRecord, survey: Survey, *, batch: int = 5000,
                       neutralised: bool = True) -> Iterator[list[str]]:
    """Header, then one row per complete response (all versions, current columns).

    The cells equal ``flatten_answers`` with free text neutralised for CSV (``neutralised``;
    a workbook writes texts as texts instead); a precomputed plan and Core (not ORM) row
    fetching make this fast enough for a million rows.
    """
    # Read now: the rows are produced later, while a streamed download is being sent.
    survey_id = record.id
    plan = _row_plan(survey)
    return _response_rows(survey_id, plan, batch, neutralised)


def _response_rows(survey_id: int, plan: _RowPlan, batch: int,
                   neutralised: bool) -> Iterator[list[str]]:
    yield [*META_COLUMNS, *plan.columns]
    # Text, not the JSON type: one json.loads here instead of the type's per-row wrappers, and
    # the date as text instead of a parsed datetime (a third of the time at a million rows).
    query = (
        select(cast(Response.id, String), cast(SurveyVersion.number, String),
               func.substr(cast(Response.completed_at, String), 1, 10), Response.channel,
               Response.language, cast(Response.answers, Text))
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey_id, Response.status == "complete")
        .order_by(Response.id)
        .execution_options(yield_per=batch)
    )
    columns = plan.columns
    meta = len(META_COLUMNS)
    formatters = [(index + meta, format_cell) for index, format_cell in plan.formatters]
    free_text = [index + meta for index in plan.free_text] if neutralised else []
    result = db.session.connection().execute(query)
    # orjson decodes the answer documents about twice as fast as the json module; at a million
    # rows decoding is the largest single cost of an export.
    loads = orjson.loads
    blanks = ("",) * len(columns)
    for rid, number, completed, channel, language, answers in result:
        # The meta cells come first, then map() over the bound dict.get (about twice as fast
        # as a comprehension); one list per row, filled in place.
        cells = [rid, number, completed or "", channel, language]
        cells += map((loads(answers) if answers else {}).get, columns, blanks)
        for index, format_cell in formatters:
            value = cells[index]
            if value != "" and value is not None:
                cells[index] = format_cell(value)
        for index in free_text:
            value = cells[index]
            if value:
                cells[index] = neutralise(str(value))
        yield cells


def iter_responses_csv(record: SurveyRecord, survey: Survey, *, delimiter: str = ",",
                       bom: bool = False, chunk_rows: int = 2000) -> Iterator[str]:
    """The same text as ``iter_csv(iter_response_rows(record, survey), ...)``, faster.

    Only the columns that can need quoting go through the quoting rules of the ``csv``
    module (minimal quoting, doubled quotes); every other cell is joined as it is.
    """
    # Read now, like iter_response_rows: the text is produced while a download streams.
    survey_id = record.id
    plan = _row_plan(survey)
    return _csv_text(_response_rows(survey_id, plan, chunk_rows, True), plan, delimiter, bom,
                     chunk_rows)


def _csv_text(rows: Iterator[list[str]], plan: _RowPlan, delimiter: str, bom: bool,
              chunk_rows: int) -> Iterator[str]:
    risky = [index + len(META_COLUMNS) for index in plan.may_need_quotes()]
    def quoted(cell: str) -> str:
        # Four plain substring tests beat a generator over the special characters ~3 to 1.
        if delimiter in cell or '"' in cell or "\n" in cell or "\r" in cell:
            return '"' + cell.replace('"', '""') + '"'
        return cell

    if bom:
        yield "\ufeff"
    yield delimiter.join(map(quoted, next(rows))) + "\r\n"
    lines: list[str] = []
    for row in rows:
        for index in risky:
            cell = row[index]
            if cell:
                row[index] = quoted(cell)
        lines.append(delimiter.join(row))
        if len(lines) == chunk_rows:
            lines.append("")
            yield "\r\n".join(lines)
            lines.clear()
    if lines:
        lines.append("")
        yield "\r\n".join(lines)


def iter_csv(rows: Iterable[list[str]], *, delimiter: str = ",", bom: bool = False,
             chunk_rows: int = 1000) -> Iterator[str]:
    """CSV text in chunks of ``chunk_rows`` rows. ``bom`` and ``;`` make Swedish Excel open it
    correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        yield "\ufeff"
    rows = iter(rows)
    while chunk := list(islice(rows, chunk_rows)):
        writer.writerows(chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def codebook_table(survey: Survey, *, neutralised: bool = True) -> list[list[str]]:
    """Codes to labels in every language of the survey, one row per column and code; labels
    neutralised for CSV unless ``neutralised`` is False (a workbook writes them as texts)."""
    header = ["column", "question", "type", "code", *[f"label_{lang}" for lang in survey.languages]]
    keep = neutralise if neutralised else str
    rows = [header]
    for row in codebook_rows(survey):
        rows.append([row.column, row.question, row.type, row.code,
                     *[keep(row.labels.get(lang, "")) for lang in survey.languages]])
    return rows
