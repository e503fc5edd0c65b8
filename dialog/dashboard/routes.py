"""Dashboard views: thin – find the survey, take the cached results, render."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HttpResponse

from ..auth import READ_ROLES, STAFF_ROLES, roles_required
from ..extensions import db
from ..models import SurveyRecord
from ..promises.models import Promise
from ..services import catalog
from ..services.results import (
    CHARTS,
    SurveyResults,
    chart_bytes,
    earlier_round,
    results_for,
    suggest_focus,
    trend,
)
from ..staff_language import choose_staff_language
from . import presenting

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", static_folder="static",
               static_url_path="/static")

_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


bp.before_request(choose_staff_language)


@bp.after_request
def _private(response: HttpResponse) -> HttpResponse:
    # Aggregates only, but still not for a shared computer's cache or a proxy.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _record_or_404(slug: str) -> SurveyRecord:
    record = catalog.find_survey(slug)
    if record is None or record.current_version is None:
        abort(404)
    return record


def chart_texts() -> dict[str, str]:
    return {
        "share": _("Share saying fairly or very big problem"),
        "group": _("Age group"),
        "item": _("Problem"),
        "suppressed": _("too few answers"),
        "overall": _("Everyone"),
        "rank": _("place"),
    }


@bp.get("/")
@roles_required(*READ_ROLES)
def list_surveys() -> str:
    records = db.session.scalars(
        select(SurveyRecord).where(SurveyRecord.current_version_id.is_not(None))
        .order_by(SurveyRecord.created_at.desc())).all()
    surveys = [(r, catalog.definition_of(r.current_version)) for r in records]
    return render_template("dashboard/list.html", surveys=surveys)


@bp.get("/<slug>/")
@roles_required(*READ_ROLES)
def show_dashboard(slug: str) -> str:
    record = _record_or_404(slug)
    results = results_for(record)
    lang = g.lang
    context = _context(record, results, lang)
    return render_template("dashboard/show.html", **context)


def _context(record: SurveyRecord, results: SurveyResults, lang: str) -> dict:
    survey = results.survey
    context: dict = {
        "record": record, "results": results, "survey": survey, "lang": lang,
        "ages": presenting.option_labels(survey, "age_band", lang),
        "genders": presenting.option_labels(survey, "gender", lang),
        "p": presenting, "promise": _promise_of(record),
        "can_edit": current_user.role in STAFF_ROLES,
    }
    if results.ranking is None:
        return context
    context.update(_ranking_view(results, lang))
    previous = earlier_round(record)
    if previous is not None:
        before = results_for(previous)
        change = trend(before, results)
        if change is not None:
            old_promise = _promise_of(previous)
            focus = {f["item"] for f in old_promise.focus} if old_promise else set()
            trend_groups, group_trend = presenting.group_trend(change, results, lang)
            context.update(previous=previous, previous_results=before,
                           previous_promise=old_promise,
                           trend=presenting.trend_rows(change, results, lang, focus),
                           trend_groups=trend_groups, group_trend=group_trend)
    return context


def _ranking_view(results: SurveyResults, lang: str) -> dict:
    """Everything the page derives from the ranking; cached with the results per language."""
    cached = results.views.get(lang)
    if cached is not None:
        return cached
    ranking = results.ranking
    labels = presenting.item_labels(results, lang)
    groups, heat_rows = presenting.heat_table(ranking)
    differences = ranking.differences
    differing = [labels[i] for i in differences.loc[differences["significant"], "item"]]
    tested = differences.loc[differences["groups_tested"] >= 2]
    view = dict(
        labels=labels, overall=presenting.overall_rows(results, lang),
        groups=groups, heat_rows=heat_rows, group_tops=presenting.group_tops(ranking),
        differing=differing,
        agreeing=[labels[i] for i in tested.loc[~tested["significant"], "item"]],
        agreement=presenting.agreement_words(ranking.kendall_w),
        suggestions=suggest_focus(ranking), n_eff=ranking.weighting.n_eff,
        design_effect=ranking.weighting.design_effect, weights=ranking.diagnostics,
        suppressed_cells=int(ranking.table["suppressed"].sum()),
        areas=presenting.option_labels(results.survey, "area", lang),
    )
    view["age_shared_top"] = presenting.shared_top(ranking)
    view["key_groups"], view["key_figures"] = presenting.key_figure_rows(results, lang)
    if results.key_figures_by_gender is not None:
        genders = presenting.option_labels(results.survey, "gender", lang)
        view["key_gender_groups"], view["key_gender_rows"] = presenting.key_figure_rows(
            results, lang, results.key_figures_by_gender, order=list(genders))
    if results.by_area is not None:
        area_groups, area_rows = presenting.heat_table(results.by_area,
                                                       order=list(view["areas"]))
        view.update(area_groups=area_groups, area_rows=area_rows,
                    area_tops=presenting.group_tops(results.by_area, order=list(view["areas"])),
                    area_shared_top=presenting.shared_top(results.by_area),
                    area_differing=[labels[i] for i in results.by_area.differences.loc[
                        results.by_area.differences["significant"], "item"]],
                    area_suppressed=int(results.by_area.table.loc[
                        results.by_area.table["group"] != "all", "suppressed"].sum()))
    results.views[lang] = view
    return view


def _promise_of(record: SurveyRecord) -> Promise | None:
    return db.session.scalar(select(Promise).where(Promise.survey_id == record.id))


@bp.get("/<slug>/chart/<name>.<fmt>")
@roles_required(*READ_ROLES)
def show_chart(slug: str, name: str, fmt: str) -> HttpResponse:
    if name not in CHARTS or fmt not in _FORMATS:
        abort(404)
    record = _record_or_404(slug)
    results = results_for(record)
    if results.ranking is None:
        abort(404)
    lang = g.lang
    etag = hashlib.sha256(repr((results.stamp, name, fmt, lang)).encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        titles = {
            "heatmap": _("Share who see each problem as big, by age group"),
            "dotplot": _("The biggest problems, everyone"),
            "small_multiples": _("The problems in each age group"),
        }
        data = _chart(results, name, fmt, lang, titles[name])
        response = make_response(data)
        response.mimetype = _FORMATS[fmt]
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=600"
    return response


def _chart(results: SurveyResults, name: str, fmt: str, lang: str, title: str) -> bytes:
    return chart_bytes(results, name, fmt, lang, presenting.item_labels(results, lang),
                       presenting.option_labels(results.survey, "age_band", lang),
                       chart_texts(), title)
