"""What is made from the results for people to look at: item labels, charts, the tables of
the ranking workbook."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...i18n import pick_text
from .compute import SurveyResults
from .facts import INDICATOR_PREFIX

CHARTS = ("heatmap", "dotplot", "small_multiples")


def item_labels(results: SurveyResults, lang: str) -> dict[str, str]:
    """Item code → label in ``lang`` (the survey's default language if missing)."""
    spec = results.spec
    return {code: pick_text(spec.item_labels[column], lang, results.survey.default_language)
            for code, column in zip(spec.item_codes, spec.item_columns, strict=True)}


def chart_bytes(results: SurveyResults, name: str, fmt: str, lang: str,
                labels: Mapping[str, str], group_labels: Mapping[str, str],
                texts: Mapping[str, str], title: str) -> bytes:
    """A rendered chart, cached with the results it was drawn from."""
    if results.ranking is None or name not in CHARTS:
        raise LookupError(name)
    key = (name, fmt, lang)
    cached = results.charts.get(key)
    if cached is not None:
        return cached
    # Imported when a chart is first drawn: commands that never draw one (load-survey once
    # per file) do not load the chart engine, Pillow's drawing and the fonts.
    from analysis import charts as analysis_charts

    ranking = results.ranking
    if name == "heatmap":
        data = analysis_charts.heatmap(ranking, labels, title, fmt=fmt, texts=texts,
                                       group_labels=group_labels)
    elif name == "dotplot":
        data = analysis_charts.dotplot(ranking, labels, title, fmt=fmt, texts=texts)
    else:
        data = analysis_charts.small_multiples(ranking, labels, title, fmt=fmt, texts=texts,
                                               group_labels=group_labels)
    results.charts[key] = data
    return data


def report_sheets(results: SurveyResults, lang: str) -> dict[str, pd.DataFrame]:
    """The key figures and the ranking by area, as on the dashboard, for the ranking
    workbook (sheet name → table; small groups are already withheld)."""
    survey = results.survey
    columns = ["group", "item", "label", "n", "share", "ci_low", "ci_high", "suppressed"]
    sheets: dict[str, pd.DataFrame] = {}
    if results.key_figures is not None:
        names = {f"{INDICATOR_PREFIX}{i.id}": (i.id, pick_text(i.label, lang,
                                                                survey.default_language))
                 for i in survey.indicators}
        table = results.key_figures.table.copy()
        table["label"] = table["item"].map(lambda item: names[item][1])
        table["item"] = table["item"].map(lambda item: names[item][0])
        sheets["nyckeltal" if lang == "sv" else "key figures"] = table[columns]
    if results.by_area is not None:
        table = results.by_area.table.copy()
        table["label"] = table["item"].map(item_labels(results, lang))
        sheets["per område" if lang == "sv" else "by area"] = table[columns]
    return sheets
