"""What a lägesbild reads from the rest of the product, frozen into its figures: the latest
survey round's results and the commitments kommun and police have made.

``commitments()`` reads the åtgärdsplan's measures through ``atgardsplan.service``: each
commitment is ``{"focus", "what", "responsible", "responsible_name", "start", "end",
"status", "status_date"}`` with texts as ``{lang: text}``; ``status`` is a measure's
(planned, ongoing, done, cancelled).
"""

from __future__ import annotations

import math

from flask import current_app

from analysis import OVERALL
from surveys import AnalysisSpec, Survey

from ..atgardsplan import service as measures
from ..i18n import survey_texts
from ..places.aggregates import PUBLIC_SQUARE_SIZE, figures_for
from ..services import catalog
from ..services.results.compute import SurveyResults
from ..services.results.facts import INDICATOR_PREFIX
from ..services.results.store import results_for
from ..staff_language import STAFF_LANGUAGES

RANKING_TOP = 5


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def _key_figures(results: SurveyResults) -> list[dict]:
    if results.key_figures is None:
        return []
    table = results.key_figures.table
    overall = table.loc[table["group"] == OVERALL]
    shown = []
    for indicator in results.survey.indicators:
        row = overall.loc[overall["item"] == f"{INDICATOR_PREFIX}{indicator.id}"]
        if row.empty or bool(row["suppressed"].iloc[0]):
            continue
        shown.append({"label": survey_texts(indicator.label, results.survey),
                      "share": _number(row["share"].iloc[0]),
                      "ci": [_number(row["ci_low"].iloc[0]), _number(row["ci_high"].iloc[0])],
                      "n": int(row["n"].iloc[0])})
    return shown


def _ranking(results: SurveyResults) -> list[dict]:
    if results.ranking is None:
        return []
    labels = _item_labels(results.spec, results.survey)
    rows = results.ranking.overall()
    rows = rows.loc[~rows["suppressed"]].head(RANKING_TOP)
    return [{"item": r.item, "label": labels[r.item], "share": _number(r.share),
             "ci": [_number(r.ci_low), _number(r.ci_high)],
             "rank": [int(r.rank_low), int(r.rank_high)]}
            for r in rows.itertuples(index=False)]


def _areas(results: SurveyResults) -> list[dict]:
    """Per area: its biggest problem (withheld areas and items left out)."""
    ranking = results.by_area
    if ranking is None:
        return []
    survey = results.survey
    question = survey.question_with_role("area")
    area_labels = ({o.code: survey_texts(o.label, survey) for o in question.options}
                   if question else {})
    labels = _item_labels(results.spec, survey)
    table = ranking.table
    out = []
    for group in ranking.groups:
        rows = table.loc[(table["group"] == group) & ~table["suppressed"]]
        if rows.empty:
            continue
        first = rows.sort_values("rank", kind="stable").iloc[0]
        out.append({"area": area_labels.get(group, {lang: group for lang in survey.languages}),
                    "item": labels[first["item"]], "share": _number(first["share"])})
    return out


def survey_summary() -> dict | None:
    """The latest round's key figures, top of the ranking and biggest problem per area, as
    the dashboard computes them (small groups already withheld); None without answers."""
    record = catalog.current_round()
    if record is None:
        return None
    results = results_for(record)
    first, last = catalog.round_period(record)
    return {"slug": record.slug, "title": survey_texts(results.survey.title, results.survey),
            "n": results.n_complete, "weighted": results.weighted,
            "first_day": first.isoformat() if first else None,
            "last_day": last.isoformat() if last else None,
            "key_figures": _key_figures(results), "ranking": _ranking(results),
            "areas": _areas(results),
            "places": figures_for(record, results.survey, PUBLIC_SQUARE_SIZE,
                                  int(current_app.config["MIN_GROUP_SIZE"]))}


def commitments() -> list[dict]:
    """The measures of the åtgärdsplan residents may see (the signed löfte's åtgärder among
    them), each with its status and the date of its latest follow-up."""
    rows = measures.measure_statuses()
    labels = {lang: measures.problem_labels(rows, lang) for lang in STAFF_LANGUAGES}
    return [{"focus": {lang: labels[lang][row.id] for lang in STAFF_LANGUAGES},
             "what": dict(row.what), "responsible": row.responsible,
             "responsible_name": row.responsible_name, "start": row.starts.isoformat(),
             "end": row.ends.isoformat(), "status": row.status,
             "status_date": row.latest_on.isoformat() if row.latest_on else None}
            for row in rows]


def _item_labels(spec: AnalysisSpec, survey: Survey) -> dict[str, dict[str, str]]:
    return {code: survey_texts(spec.item_labels[column], survey)
            for code, column in zip(spec.item_codes, spec.item_columns, strict=True)}
