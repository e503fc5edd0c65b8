"""Residents read the published lägesbild: the months at /<lang>/lagesbild/, one month at
/<lang>/lagesbild/YYYY-MM (earlier versions at …/vN), its figures at …/figures.csv."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import format_date

from ..i18n import supported_languages
from ..lagesbild import service
from ..lagesbild.models import Lagesbild
from ..lagesbild.presenting import figure_view, figures_csv, staff_text

bp = Blueprint("public_lagesbild", __name__)


@bp.url_value_preprocessor
def _language(_endpoint: str | None, values: dict | None) -> None:
    lang = (values or {}).get("lang")
    if lang not in supported_languages():
        abort(404)
    g.lang = lang


def month_name(period: str) -> str:
    """``2026-03`` → "mars 2026" in the page's language."""
    year, month = period.split("-")
    return format_date(date(int(year), int(month), 1), format="LLLL y")


def _context(lagesbild: Lagesbild, lang: str) -> dict:
    versions = service.published_versions(lagesbild.period)
    return {"lagesbild": lagesbild, "versions": versions, "page_lang": lang,
            "newest": versions[-1].id == lagesbild.id, "month_name": month_name,
            "text": lambda value: staff_text(value, lang),
            "csv_url": url_for("public_lagesbild.figures", lang=lang, period=lagesbild.period,
                               version=None if versions[-1].id == lagesbild.id
                               else lagesbild.version),
            "view": figure_view(lagesbild.figures, lang,
                                current_app.config["INDICATOR_MIN_COUNT"])}


def _published(period: str, version: int | None = None) -> Lagesbild:
    versions = service.published_versions(period)
    if version is not None:
        versions = [v for v in versions if v.version == version]
    if not versions:
        abort(404)
    return versions[-1]


@bp.get("/<lang>/lagesbild/")
def list_months(lang: str) -> str:
    return render_template("public_lagesbild/list.html", months=service.published_months(),
                           page_lang=lang, month_name=month_name)


@bp.get("/<lang>/lagesbild/<period>")
def show_month(lang: str, period: str) -> str:
    return render_template("public_lagesbild/show.html", **_context(_published(period), lang))


@bp.get("/<lang>/lagesbild/<period>/v<int:version>")
def show_version(lang: str, period: str, version: int) -> str:
    return render_template("public_lagesbild/show.html",
                           **_context(_published(period, version), lang))


@bp.get("/<lang>/lagesbild/<period>/figures.csv")
def figures(lang: str, period: str) -> Response:
    """The figures the page shows, as open data (the newest version, or ``?version=N``)."""
    version = request.args.get("version", type=int)
    lagesbild = _published(period, version)
    body = "".join(figures_csv(lagesbild.figures, current_app.config["INDICATOR_MIN_COUNT"]))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=lagesbild-{lagesbild.period}"
                               f"-v{lagesbild.version}.csv"})
