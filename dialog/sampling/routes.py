"""Staff pages of sampled rounds: import, response rates, mailings, letters."""

from __future__ import annotations

import segno
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from ..auth import STAFF_ROLES, roles_required
from ..services import catalog
from ..services.export import iter_csv
from ..staff_area import staff_blueprint
from ..table_files import UnreadableTable, read_table
from . import service
from .forms import (
    OUTCOME_LABELS,
    WAVE_LABELS,
    LettersDoneForm,
    OutcomeForm,
    SampleUploadForm,
    WaveForm,
)
from .messages import describe_error, describe_problem

bp = staff_blueprint("sampling", __name__)


@bp.errorhandler(service.SampleError)
def _refused(error: service.SampleError) -> tuple[str, int]:
    return render_template("sampling/refused.html", message=describe_error(error)), 409


def _record(slug: str):
    record = catalog.find_survey(slug)
    if record is None:
        abort(404)
    return record


@bp.get("/urval/")
@roles_required(*STAFF_ROLES)
def index() -> str:
    return render_template("sampling/index.html", rounds=service.rounds_with_status())


@bp.route("/urval/<slug>/", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def show_sample(slug: str) -> HttpResponse | str:
    record = _record(slug)
    upload = SampleUploadForm()
    problems: list[str] = []
    if service.has_sample(record.id):
        overall, by_stratum, by_wave = service.rates(record.id)
        return render_template(
            "sampling/sample.html", record=record, overall=overall, by_stratum=by_stratum,
            by_wave=by_wave, waves=service.waves(record.id), wave_form=WaveForm(),
            outcome_form=OutcomeForm(), done_form=LettersDoneForm(),
            wave_labels=WAVE_LABELS, outcome_labels=OUTCOME_LABELS,
            letters_left=service.letters_left(record.id))
    if upload.validate_on_submit():
        try:
            plan = service.plan_sample(
                read_table(upload.sample.data.read(), upload.sample.data.filename or ""),
                read_table(upload.strata.data.read(), upload.strata.data.filename or ""))
        except UnreadableTable:
            problems = [_("A file cannot be read. Save it as CSV (UTF-8) or XLSX.")]
        else:
            problems = [describe_problem(p) for p in plan.problems]
            if not problems:
                count = service.import_sample(slug, plan, current_user.email)
                flash(_("%(num)d people imported, each with their own code.", num=count))
                return redirect(url_for("sampling.show_sample", slug=slug))
    status = 422 if problems or upload.errors else 200
    return render_template("sampling/import.html", record=record, form=upload,
                           problems=problems), status


@bp.post("/urval/<slug>/utskick")
@roles_required(*STAFF_ROLES)
def make_wave(slug: str) -> HttpResponse:
    _record(slug)
    form = WaveForm()
    if not form.validate_on_submit():
        flash(_("Choose which mailing to make."))
        return redirect(url_for("sampling.show_sample", slug=slug))
    wave = service.make_wave(slug, form.kind.data, current_user.email)
    return redirect(url_for("sampling.print_letters", slug=slug, wave_id=wave.id))


@bp.get("/urval/<slug>/brev/<int:wave_id>")
@roles_required(*STAFF_ROLES)
def print_letters(slug: str, wave_id: int) -> str:
    record = _record(slug)
    wave = service.wave(record.id, wave_id)
    if wave is None:
        abort(404)
    survey = catalog.definition_of(record.current_version)
    letters = service.letters_for(record.id, wave)
    return render_template("sampling/letters.html", record=record, survey=survey, wave=wave,
                           letters=letters, wave_labels=WAVE_LABELS, qr_svg=_qr_svg,
                           letter_line=_letter_line,
                           link=url_for("respond.show_intro", lang="sv", slug=slug,
                                        _external=True))


@bp.post("/urval/<slug>/utfall")
@roles_required(*STAFF_ROLES)
def set_outcome(slug: str) -> HttpResponse:
    form = OutcomeForm()
    if form.validate_on_submit():
        service.set_disposition(slug, form.sample_ref.data.strip(), form.disposition.data,
                                current_user.email)
        flash(_("The outcome is saved."))
    else:
        flash(_("Give the id and choose an outcome."))
    return redirect(url_for("sampling.show_sample", slug=slug, _anchor="utfall"))


@bp.post("/urval/<slug>/brev-klara")
@roles_required(*STAFF_ROLES)
def letters_done(slug: str) -> HttpResponse:
    form = LettersDoneForm()
    if form.validate_on_submit():
        count = service.letters_done(slug, current_user.email)
        flash(_("Addresses and printable codes deleted for %(num)d people.", num=count))
    else:
        flash(_("Tick the box to confirm."))
    return redirect(url_for("sampling.show_sample", slug=slug))


@bp.get("/urval/<slug>/koder.csv")
@roles_required(*STAFF_ROLES)
def download_codes(slug: str) -> HttpResponse:
    _record(slug)
    rows = [("id", "kod"), *service.code_list(slug, current_user.email)]
    response = HttpResponse("".join(iter_csv(iter(rows), delimiter=",", bom=False)),
                            mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-koder.csv"'
    return response



def _qr_svg(text: str) -> str:
    """The survey link with the code as an inline SVG QR code (medium error correction, so a
    folded letter still scans)."""
    return segno.make(text, error="m").svg_inline(scale=3, title=text)


def _letter_line(language: str) -> str:
    """One line in ``language`` pointing to the survey in that language."""
    with force_locale(language):
        return _("Answer in this language with the same code")
