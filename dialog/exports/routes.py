"""Exports for staff: every response of a round as CSV or Excel, its codebook, and the
ranking workbook. Each download is written to the audit log."""

from __future__ import annotations

from flask import Response, abort, g, request, stream_with_context
from flask_babel import gettext as _

from surveys import Survey

from .. import audit
from ..auth import STAFF_ROLES, roles_required
from ..models import SurveyRecord, utcnow
from ..services.export import codebook_table, iter_csv, iter_responses_csv
from ..services.results.store import results_for
from ..staff_area import staff_blueprint
from ..views import published_or_404
from . import service
from .forms import ExportForm

bp = staff_blueprint("exports", __name__)


@bp.get("/surveys/<slug>/export")
@roles_required(*STAFF_ROLES)
def export_responses(slug: str) -> Response:
    record, survey = published_or_404(slug)
    form = ExportForm(request.args)
    if not form.validate():
        abort(400, description=_("Choose a format for the export."))
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if form.format.data == "xlsx":
        return _xlsx_download(record, survey, f"{slug}-{stamp}.xlsx")
    delimiter = ";" if form.delimiter.data == "semicolon" else ","
    audit.record("export_responses", slug,
                 f"csv delimiter={form.delimiter.data} bom={'yes' if form.bom.data else 'no'}")
    chunks = iter_responses_csv(record, survey, delimiter=delimiter, bom=bool(form.bom.data))
    return _download(stream_with_context(chunks), f"{slug}-{stamp}.csv",
                     "text/csv; charset=utf-8")


@bp.get("/surveys/<slug>/codebook.csv")
@roles_required(*STAFF_ROLES)
def export_codebook(slug: str) -> Response:
    _record, survey = published_or_404(slug)
    audit.record("export_codebook", slug, "csv")
    return _download(iter_csv(iter(codebook_table(survey)), delimiter=";", bom=True),
                     f"{slug}-codebook.csv", "text/csv; charset=utf-8")


def _download(body, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_download(record: SurveyRecord, survey: Survey, filename: str) -> Response:
    path, count = service.responses_workbook(record, survey, str(g.lang))
    audit.record("export_responses", record.slug, f"xlsx rows={count}")
    response = _download(service.file_chunks(path), filename, service.XLSX)
    # The file holds every answer: it goes when the response is closed, which the server
    # does also when the download is cancelled half-way (a generator's own clean-up would
    # then never run and leave the file behind).
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


@bp.get("/surveys/<slug>/ranking.xlsx")
@roles_required(*STAFF_ROLES)
def export_ranking(slug: str) -> Response:
    record, survey = published_or_404(slug)
    results = results_for(record)
    if results.ranking is None:
        abort(404, description=_("There are too few complete answers for a ranking yet."))
    workbook = service.ranking_workbook(results, str(g.lang))
    weighting = "weighted" if results.weighted else "unweighted"
    audit.record("export_ranking", slug, f"xlsx {weighting} n={results.n_complete}")
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return _download(workbook, f"{slug}-rangordning-{stamp}.xlsx", service.XLSX)
