"""What a lägesbild reads from the rest of the product, frozen into its figures: the latest
survey round's results and the commitments kommun and police have made.

``commitments()`` reads the löfte's åtgärder today; it is the one place to switch when the
åtgärdsplan's measures replace them (issue #17), so the lägesbild's templates and CSV need
not change: each commitment is ``{"focus", "what", "responsible", "responsible_name",
"start", "end", "status", "status_date"}`` with texts as ``{lang: text}``.
"""

from __future__ import annotations

import math

from analysis import OVERALL
from surveys import AnalysisSpec, Survey, analysis_spec

from ..promises import service as promises
from ..services import catalog
from ..services.results.compute import SurveyResults
from ..services.results.facts import INDICATOR_PREFIX
from ..services.results.store import results_for

RANKING_TOP = 5
PUBLIC_PROMISE_STATUSES = ("signed", "followed_up")


def _texts(text: dict | None, survey: Survey) -> dict[str, str]:
    """A text in every language of the survey (the default language where one is missing)."""
    text = text or {}
    fallback = text.get(survey.default_language, "")
    return {lang: text.get(lang) or fallback for lang in survey.languages}


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
        shown.append({"label": _texts(indicator.label, results.survey),
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
    area_labels = {o.code: _texts(o.label, survey) for o in question.options} if question else {}
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
    return {"slug": record.slug, "title": _texts(results.survey.title, results.survey),
            "n": results.n_complete, "weighted": results.weighted,
            "first_day": first.isoformat() if first else None,
            "last_day": last.isoformat() if last else None,
            "key_figures": _key_figures(results), "ranking": _ranking(results),
            "areas": _areas(results)}


def commitments() -> list[dict]:
    """The åtgärder of the newest signed löfte, each with its latest follow-up."""
    for record, _answers in catalog.rounds_current_first():
        promise = promises.promise_for(record)
        if promise is None or promise.status not in PUBLIC_PROMISE_STATUSES:
            continue
        survey = catalog.definition_of(record.current_version)
        spec_labels = _item_labels(analysis_spec(survey), survey)
        out = []
        for focus in promise.focus:
            for action in focus["actions"]:
                latest = promises.latest_followup(action)
                out.append({"focus": spec_labels.get(focus["item"],
                                                     {lang: focus["item"]
                                                      for lang in survey.languages}),
                            "what": _texts(action["what"], survey),
                            "responsible": action["responsible"],
                            "responsible_name": action["responsible_name"],
                            "start": action["start"], "end": action["end"],
                            "status": latest["status"] if latest else "not_started",
                            "status_date": latest["date"] if latest else None})
        return out
    return []


def _item_labels(spec: AnalysisSpec, survey: Survey) -> dict[str, dict[str, str]]:
    return {code: _texts(spec.item_labels[column], survey)
            for code, column in zip(spec.item_codes, spec.item_columns, strict=True)}
