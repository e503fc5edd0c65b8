"""Workbooks staff download: every response of a round, and the ranking with its sheets."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from analysis.report import write_report
from surveys import Survey

from ..dashboard.presenting import readable_ranking
from ..models import SurveyRecord
from ..services.results.compute import SurveyResults
from ..services.results.outputs import item_labels, report_sheets
from ..services.xlsx_export import write_responses_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def responses_workbook(record: SurveyRecord, survey: Survey, lang: str) -> tuple[Path, int]:
    """Every response in a temporary .xlsx file; returns the file and its number of rows.

    The workbook is a zip whose directory comes last, so it is built in a file (rows flushed
    as they are written) for the caller to stream out and delete.
    """
    handle, path = tempfile.mkstemp(suffix=".xlsx", dir=current_app.instance_path
                                    if os.path.isdir(current_app.instance_path) else None)
    os.close(handle)
    try:
        count = write_responses_xlsx(path, record, survey, lang=lang)
    except BaseException:
        os.unlink(path)
        raise
    return Path(path), count


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while block := source.read(256 * 1024):
            yield block


def ranking_workbook(results: SurveyResults, lang: str) -> bytes:
    """The ranking workbook in ``lang``, small groups already withheld: first a sheet for
    people to read, then the exact figures for analysts."""
    # write_report works on a folder; only its workbook is kept.
    with tempfile.TemporaryDirectory() as folder:
        write_report(results.ranking, folder, labels=item_labels(results, lang), lang=lang,
                     charts=False, extra_sheets=report_sheets(results, lang),
                     front_sheets={_("Ranking"): readable_ranking(results, lang)})
        return (Path(folder) / "ranking.xlsx").read_bytes()
