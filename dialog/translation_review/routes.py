"""Translation review pages for staff: which strings a person has checked, side by side with
the Swedish source, and the XLIFF round trip with a translation agency."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HttpResponse

from surveys import Survey
from surveys.strings import text_digest

from ..auth import STAFF_ROLES, roles_required
from ..extensions import db
from ..i18n import supported_languages, text_direction
from ..models import SurveyRecord
from ..services import catalog
from ..staff_language import choose_staff_language
from . import service
from .forms import StringForm, XliffUploadForm

bp = Blueprint("translation_review", __name__, url_prefix="/staff/translations")


def _messages() -> dict[str, str]:
    return {
        "language": _("This survey is not translated into that language."),
        "key": _("That text does not exist (any more). Reload the page."),
        "state": _("Choose one of the review states."),
        "empty": _("Write the translation, or approve the one shown."),
        "xliff": _("The file is not an XLIFF 2.0 file that can be read."),
        "xliff_language": _("The file is for another language or has another source language."),
        "xliff_survey": _("The file belongs to another survey."),
    }


@bp.errorhandler(service.ReviewError)
def _review_error(error: service.ReviewError):
    # Said on the page the reviewer came from (post/redirect/get); a language the survey
    # does not have never gets here: the views answer it with 404 first.
    code = str(error)
    flash(_messages().get(code, code))
    return redirect(_strings_page(**(request.view_args or {}))), 303


def _strings_page(target: str, slug: str | None = None) -> str:
    """The side-by-side page a form on it, or the XLIFF import, returns to."""
    if slug is None:
        return url_for(".show_interface_strings", target=target)
    return url_for(".show_survey_strings", slug=slug, target=target)


@bp.app_template_global()
def survey_text_unreviewed(survey: Survey, page_index: int | None = None) -> bool:
    """For the residents' pages (web and kiosk): is the survey text of this page (``None``:
    the intro) not yet approved in the page language? They then say the Swedish text applies.
    A template global, so that the answering flow does not import this feature."""
    return service.page_is_unreviewed(survey, str(get_locale()),
                                      service.page_prefixes(survey, page_index))


@bp.before_request
def _language() -> None:
    choose_staff_language()


@bp.after_request
def _no_store(response: HttpResponse) -> HttpResponse:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _record_or_404(slug: str, target: str) -> SurveyRecord:
    record = catalog.find_survey(slug)
    if record is None or record.current_version is None:
        abort(404)
    if target not in service.translation_languages(catalog.definition_of(record.current_version)):
        abort(404)
    return record


def _interface_language_or_404(target: str) -> None:
    if target not in supported_languages() or target == service.SOURCE_LANGUAGE:
        abort(404)


def state_labels() -> dict[str, str]:
    return {"machine": _("Machine translation"), "needs_review": _("Needs review"),
            "approved": _("Approved")}


@bp.get("/")
@roles_required(*STAFF_ROLES)
def list_languages() -> str:
    records = db.session.scalars(select(SurveyRecord).where(
        SurveyRecord.current_version_id.is_not(None)).order_by(SurveyRecord.slug)).all()
    surveys = []
    for record in records:
        survey = catalog.definition_of(record.current_version)
        rows = [(lang, url_for(".show_survey_strings", slug=record.slug, target=lang),
                 service.summary(service.survey_review(survey, lang)))
                for lang in service.translation_languages(survey)]
        surveys.append((record, survey, rows))
    interface = [(lang, url_for(".show_interface_strings", target=lang),
                  service.summary(service.catalog_review(lang)))
                 for lang in supported_languages() if lang != service.SOURCE_LANGUAGE]
    return render_template("translation_review/index.html", surveys=surveys,
                           interface_rows=interface, states=state_labels())


def row_anchor(key: str) -> str:
    """The id of a string's row, so that a saved row is scrolled back into view."""
    return "s-" + text_digest(key)[:12]


def _shown(strings: list[service.ReviewedString]) -> tuple[list, str | None]:
    wanted = request.args.get("state")
    if wanted not in service.STATES:
        return strings, None
    return [s for s in strings if s.state == wanted], wanted


def _render(template_args: dict, strings: list[service.ReviewedString], lang: str,
            status: int = 200) -> tuple[str, int]:
    shown, wanted = _shown(strings)
    return render_template(
        "translation_review/strings.html", strings=shown, counts=service.summary(strings),
        total=len(strings), wanted=wanted, lang=lang, lang_name=supported_languages()[lang],
        lang_dir=text_direction(lang), states=state_labels(), row_anchor=row_anchor,
        **template_args), status


@bp.get("/surveys/<slug>/<target>/")
@roles_required(*STAFF_ROLES)
def show_survey_strings(slug: str, target: str) -> tuple[str, int]:
    record = _record_or_404(slug, target)
    survey = catalog.definition_of(record.current_version)
    strings = service.survey_review(survey, target)
    return _render({"record": record, "survey": survey, "editable": True,
                    "upload": XliffUploadForm(),
                    "note": survey.review_notes.get(target)}, strings, target)


@bp.post("/surveys/<slug>/<target>/")
@roles_required(*STAFF_ROLES)
def update_survey_string(slug: str, target: str) -> HttpResponse:
    record = _record_or_404(slug, target)
    return _apply(record, target, _strings_page(target, slug))


@bp.get("/interface/<target>/")
@roles_required(*STAFF_ROLES)
def show_interface_strings(target: str) -> tuple[str, int]:
    _interface_language_or_404(target)
    return _render({"record": None, "survey": None, "editable": False, "upload": None,
                    "note": None}, service.catalog_review(target), target)


@bp.post("/interface/<target>/")
@roles_required(*STAFF_ROLES)
def update_interface_string(target: str) -> HttpResponse:
    _interface_language_or_404(target)
    return _apply(None, target, _strings_page(target))


def _apply(record: SurveyRecord | None, target: str, back: str) -> HttpResponse:
    form = StringForm()
    if not form.validate_on_submit():
        flash(_("The form could not be read. Reload the page and try again."))
        return redirect(back, 303)
    key, action, actor = form.key.data, form.action.data, current_user.email
    comment = form.comment.data or ""
    if action == "edit":
        if record is None:
            abort(405)  # the interface catalogs are changed in the repository, not here
        version = service.edit_translation(record, target, key, form.text.data or "",
                                           actor=actor, comment=comment)
        flash(_("The translation is saved and approved. Version %(number)s has been "
                "published.", number=version))
    elif action == "comment":
        service.decide(record, target, key, actor=actor, comment=comment)
        flash(_("The comment is saved."))
    else:
        state = "approved" if action == "approve" else "needs_review"
        service.decide(record, target, key, actor=actor, state=state, comment=comment)
        flash(_("The text is approved.") if state == "approved"
              else _("The text is marked as needing review."))
    return redirect(f"{back}#{row_anchor(key)}", 303)


@bp.get("/surveys/<slug>/<target>/xliff")
@roles_required(*STAFF_ROLES)
def export_xliff(slug: str, target: str) -> Response:
    record = _record_or_404(slug, target)
    data = service.export_xliff(record, target)
    name = f"{slug}-sv-{target}.xlf"
    return Response(data, mimetype="application/xliff+xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/surveys/<slug>/<target>/xliff")
@roles_required(*STAFF_ROLES)
def import_xliff(slug: str, target: str) -> HttpResponse:
    record = _record_or_404(slug, target)
    back = _strings_page(target, slug)
    form = XliffUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose an XLIFF file."))
        return redirect(back, 303)
    result = service.import_xliff(record, target, form.file.data.read(), actor=current_user.email)
    flash(ngettext("%(num)d translation changed", "%(num)d translations changed", result.texts)
          + ", " + ngettext("%(num)d review state changed", "%(num)d review states changed",
                            result.states)
          + ", " + ngettext("%(num)d comment changed", "%(num)d comments changed",
                            result.comments) + ".")
    if result.interface_texts:
        flash(ngettext(
            "%(num)d interface translation differs from the catalog. Send it to the "
            "developers: interface texts are changed in the catalogs.",
            "%(num)d interface translations differ from the catalog. Send them to the "
            "developers: interface texts are changed in the catalogs.",
            result.interface_texts))
    if result.unknown:
        flash(ngettext("%(num)d text in the file no longer exists and was skipped.",
                       "%(num)d texts in the file no longer exist and were skipped.",
                       result.unknown))
    return redirect(back, 303)
