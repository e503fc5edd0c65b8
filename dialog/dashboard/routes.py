"""Dashboard views: thin – find the survey, take the cached results, render."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, abort, current_app, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from analysis.places import GRID_SIZES

from ..auth import READ_ROLES, STAFF_ROLES, roles_required
from ..models import SurveyRecord, utcnow
from ..places.aggregates import as_geojson, figures_for, grid_counts, place_questions
from ..promises.service import promise_for
from ..services import catalog
from ..services.results.compute import SurveyResults
from ..services.results.interpret import earlier_round, trend
from ..services.results.outputs import CHARTS, chart_bytes
from ..services.results.selection import Selection, parse_selection, selection_choices
from ..services.results.store import is_refreshing, results_for, selection_results
from ..staff_language import choose_staff_language
from ..templating import local_date, translated
from ..views import published_or_404
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
    surveys = [(r, catalog.definition_of(r.current_version), complete)
               for r, complete in catalog.rounds_current_first()]
    return render_template("dashboard/list.html", surveys=surveys)


def _selection(survey) -> Selection | None:
    """The selection in the address (``?urval=gender.kvinna``); 404 for one the survey does
    not have."""
    try:
        return parse_selection(request.args.get("urval"), survey)
    except LookupError:
        abort(404)


@bp.get("/<slug>/")
@roles_required(*READ_ROLES)
def show_dashboard(slug: str) -> str:
    record, survey = published_or_404(slug)
    results = selection_results(record, _selection(survey))
    lang = g.lang
    context = _context(record, results, lang)
    return render_template("dashboard/show.html", **context)


def _selection_context(results: SurveyResults, lang: str) -> dict:
    """The filter form's choices with their labels, and the selection in words."""
    survey = results.survey
    names = {"age_band": _("Age group"), "gender": _("Gender"), "area": _("Area")}
    choices = []
    for dimension, codes in selection_choices(survey).items():
        labels = presenting.option_labels(survey, dimension, lang)
        choices.append((names[dimension], [(f"{dimension}.{code}", labels.get(code, code))
                                           for code in codes]))
    selection = results.selection
    label = None
    if selection is not None:
        labels = presenting.option_labels(survey, selection.dimension, lang)
        label = labels.get(selection.value, selection.value)
    # A sampled round's selection is a domain of its sample (analyse_selection).
    in_sample = results.ranking is not None and bool(results.ranking.parameters.get("within"))
    return {"selection": selection, "selection_label": label, "selection_choices": choices,
            "selection_in_sample": in_sample, "urval": selection.key if selection else None}


def _context(record: SurveyRecord, results: SurveyResults, lang: str) -> dict:
    survey = results.survey
    context: dict = {
        "record": record, "results": results, "survey": survey, "lang": lang,
        "ages": presenting.option_labels(survey, "age_band", lang),
        "genders": presenting.option_labels(survey, "gender", lang),
        "promise": promise_for(record), "has_places": bool(place_questions(survey)),
        "can_edit": current_user.role in STAFF_ROLES, "refreshing": is_refreshing(record),
        "round_period": catalog.round_period(record), "today": utcnow().date(),
        **_selection_context(results, lang),
    }
    if results.ranking is None:
        return context
    context.update(presenting.ranking_view(results, lang))
    # The previous round is compared for everyone only: its selections are not protected
    # against this round's.
    previous = earlier_round(record) if results.selection is None else None
    if previous is not None:
        before = results_for(previous)
        change = trend(before, results)
        if change is not None:
            old_promise = promise_for(previous)
            focus = {f["item"] for f in old_promise.focus} if old_promise else set()
            trend_groups, group_trend = presenting.group_trend(change, results, lang)
            context.update(previous=previous, previous_results=before,
                           previous_promise=old_promise,
                           trend=presenting.trend_rows(change, results, lang, focus),
                           trend_groups=trend_groups, group_trend=group_trend,
                           clear_group_changes=presenting.clear_group_changes(trend_groups,
                                                                              group_trend))
    return context


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: everything but letters, digits and spaces escaped,
    so a survey title cannot end the string or the rule."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


@bp.get("/<slug>/print.css")
@roles_required(*READ_ROLES)
def show_print_style(slug: str) -> HttpResponse:
    """The printed report's running head: the survey, the round's dates, the report's date
    and the selection on every page. A stylesheet of its own, because a page margin's text
    can only come from CSS, and the Content-Security-Policy allows no inline styles."""
    record, survey = published_or_404(slug)
    selection = _selection(survey)
    start, end = catalog.round_period(record)
    if start and end:  # short, so that the head stays one line on A4
        period = presenting.interval_text(local_date(start), local_date(end))
    else:
        period = _("The survey round has no dates set.")
    made = _("Report made %(date)s.", date=local_date(utcnow().date()))
    if selection is not None:
        labels = presenting.option_labels(survey, selection.dimension, g.lang)
        made = _("Selection: %(name)s", name=labels.get(selection.value, selection.value)) \
            + ". " + made
    title = translated(survey.title, survey.default_language)
    css = ("@page {\n"
           f"  @top-left {{ content: {css_string(title + ' – ' + period)}; }}\n"
           f"  @top-right {{ content: {css_string(made)}; }}\n"
           "}\n")
    response = make_response(css)
    response.mimetype = "text/css"
    return response


def _square_size(default: int) -> int:
    """The square size in the address (?size=250, 1000 or 4000); 400 for another."""
    size = request.args.get("size", str(default))
    if not size.isdigit() or int(size) not in GRID_SIZES:
        abort(400, description=_("Choose a square size of %(sizes)s metres.",
                                 sizes=", ".join(str(s) for s in GRID_SIZES)))
    return int(size)


@bp.get("/<slug>/places/")
@roles_required(*READ_ROLES)
def show_place_results(slug: str) -> str:
    """Where residents feel unsafe: the heat map and the tables of the top places, with the
    square size chosen in a plain GET form (so it works without script)."""
    record, survey = published_or_404(slug)
    size = _square_size(1000)
    figures = figures_for(record, survey, size, int(current_app.config["MIN_GROUP_SIZE"]))
    if figures is None:
        abort(404)
    return render_template("dashboard/places.html", record=record, survey=survey,
                           figures=figures, sizes=GRID_SIZES, lang=g.lang)


@bp.get("/<slug>/places.geojson")
@roles_required(*READ_ROLES)
def show_places(slug: str) -> HttpResponse:
    """Marked places per grid square (?size= 250, 1000 or 4000 metres): counts only, each
    shown where at least MIN_GROUP_SIZE residents marked a place, never a raw point."""
    record, survey = published_or_404(slug)
    size = _square_size(1000)
    counts = grid_counts(record, survey, int(current_app.config["MIN_GROUP_SIZE"]))
    response = make_response(json.dumps(as_geojson(counts, size, survey), ensure_ascii=False))
    response.mimetype = "application/geo+json"
    return response


@bp.get("/<slug>/chart/<name>.<fmt>")
@roles_required(*READ_ROLES)
def show_chart(slug: str, name: str, fmt: str) -> HttpResponse:
    if name not in CHARTS or fmt not in _FORMATS:
        abort(404)
    record, survey = published_or_404(slug)
    results = selection_results(record, _selection(survey))
    if results.ranking is None:
        abort(404)
    lang = g.lang
    selected = results.selection.key if results.selection else ""
    etag = hashlib.sha256(repr((results.stamp, selected, name, fmt, lang)).encode()
                          ).hexdigest()[:32]
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
