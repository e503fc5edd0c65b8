"""Turning analysis results into what a councillor reads: labels, per cent, ranks in words.

Pure functions of the results and the page language, so the dashboard, the printable report
and the public löfte page say things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from flask_babel import format_decimal
from flask_babel import gettext as _

from analysis import OVERALL, RankingResult
from analysis.report import ReadableSheet
from analysis.rounding import whole_percent
from surveys import Survey

from ..i18n import pick_text
from ..services.results.compute import SurveyResults
from ..services.results.facts import INDICATOR_PREFIX
from ..services.results.interpret import (
    agreeing_items,
    differing_items,
    suggest_focus,
    withheld_cells,
)
from ..services.results.outputs import item_labels
from ..templating import percent


def ordinal(number: int, lang: str) -> str:
    """1:a, 2:a, 3:e in Swedish; 1st, 2nd, 3rd in English; the bare number otherwise."""
    if lang == "sv":
        return f"{number}:{'a' if number % 10 in (1, 2) and number % 100 not in (11, 12) else 'e'}"
    if lang == "en":
        if number % 100 in (11, 12, 13):
            return f"{number}th"
        return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"
    return str(number)


def interval_text(low: str, high: str) -> str:
    """Two formatted ends of an interval in the page language: "2–4" in most languages, in
    words in Arabic and Persian ("من 2 إلى 4"), where a dash between two numbers in
    right-to-left text makes the interval read backwards."""
    return _("%(low)s–%(high)s", low=low, high=high)


def rank_text(low: int, high: int, lang: str) -> str:
    """A rank interval such as "2:a–4:e"; a single rank when the interval is one place."""
    if low == high:
        return ordinal(low, lang)
    return interval_text(ordinal(low, lang), ordinal(high, lang))


def change_points(change: float) -> str:
    """A change in whole percentage points, halves up, with its sign ("+4", "−3").

    The sign is the change's own, so a rise smaller than half a point reads "+0", never
    "±0", which is kept for no change at all.
    """
    points = whole_percent(change)
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return f"{sign}{format_decimal(abs(points))}"


def answers(n: object) -> int | None:
    """A published number of answers; None where it is withheld."""
    return None if pd.isna(n) else int(n)


def share_interval(low: float, high: float) -> str:
    """A confidence interval of a share ("31 %–39 %")."""
    return interval_text(percent(low), percent(high))


def change_interval(low: float, high: float) -> str:
    """A confidence interval of a change in points ("+2 … +9"; in words in Arabic and Persian)."""
    return _("%(low)s … %(high)s", low=change_points(low), high=change_points(high))


def agreement_words(w: float | None) -> str | None:
    """Kendall's W in words for people who have never heard of it."""
    if w is None or not np.isfinite(w):
        return None
    if w >= 0.7:
        return _("The age groups largely agree on which problems are the biggest.")
    if w >= 0.5:
        return _("The age groups agree fairly well on which problems are the biggest.")
    if w >= 0.3:
        return _("The age groups agree only partly on which problems are the biggest.")
    return _("The age groups see the problems quite differently.")


def option_labels(survey: Survey, role: str, lang: str) -> dict[str, str]:
    question = survey.question_with_role(role)
    if question is None:
        return {}
    return {o.code: pick_text(o.label, lang, survey.default_language) for o in question.options}


@dataclass(frozen=True)
class ItemRow:
    item: str
    label: str
    n: int | None
    share: str
    ci: str
    rank: str
    priority: str
    suppressed: bool


@dataclass(frozen=True)
class HeatCell:
    share: str
    n: int | None
    suppressed: bool


def _cell(row) -> HeatCell:
    """One group's share for a table cell; empty when withheld (fewer than min_n answers)."""
    hidden = bool(row["suppressed"])
    return HeatCell("" if hidden else percent(row["share"]), answers(row["n"]), hidden)


@dataclass(frozen=True)
class TrendRow:
    item: str
    label: str
    previous: str
    current: str
    change: str
    ci: str
    significant: bool
    suppressed: bool
    focus: bool


def overall_rows(results: SurveyResults, lang: str) -> list[ItemRow]:
    """The overall ranking, biggest problem first; suppressed items last."""
    labels = item_labels(results, lang)
    rows = []
    for r in results.ranking.overall().itertuples(index=False):
        shown = not r.suppressed
        rows.append(ItemRow(
            item=r.item, label=labels[r.item], n=answers(r.n),
            share=percent(r.share) if shown else "",
            ci=share_interval(r.ci_low, r.ci_high) if shown else "",
            rank=rank_text(int(r.rank_low), int(r.rank_high), lang) if shown else "",
            priority=percent(r.priority_share) if shown and pd.notna(r.priority_share) else "",
            suppressed=bool(r.suppressed),
        ))
    return rows


def heat_table(ranking: RankingResult, order: list[str] | None = None
               ) -> tuple[list[str], list[tuple[str, list[HeatCell]]]]:
    """Groups, then one row per item (overall rank order) with a cell per group.

    ``order`` puts the groups in the questionnaire's order (areas are not sortable by
    code the way age bands are); groups it does not name come last."""
    groups = _ordered(ranking.groups, order)
    table = ranking.table.set_index(["group", "item"])
    rows = [(r.item, [_cell(table.loc[(group, r.item)]) for group in groups])
            for r in ranking.overall().itertuples(index=False)]
    return groups, rows


def _ordered(groups: list[str], order: list[str] | None) -> list[str]:
    if order is None:
        return list(groups)
    position = {code: i for i, code in enumerate(order)}
    return sorted(groups, key=lambda g: position.get(g, len(position)))


def shared_top(ranking: RankingResult) -> tuple[str, str, str] | None:
    """(item, lowest share, highest share) when every group has the same biggest problem,
    so the page can say it once instead of once per group; None otherwise."""
    tops = group_tops(ranking)
    items = {item for _group, item, _share in tops}
    if len(tops) < 2 or len(items) != 1 or None in items:
        return None
    item = items.pop()
    table = ranking.table
    shares = table.loc[(table["item"] == item) & (table["group"].isin(ranking.groups)), "share"]
    return item, percent(shares.min()), percent(shares.max())


def group_tops(ranking: RankingResult, order: list[str] | None = None
               ) -> list[tuple[str, str | None, str]]:
    """Per group: its biggest problem and share (None when every item is withheld)."""
    table = ranking.table
    out = []
    for group in _ordered(ranking.groups, order):
        rows = table.loc[(table["group"] == group) & ~table["suppressed"]]
        if rows.empty:
            out.append((group, None, ""))
            continue
        first = rows.sort_values("rank", kind="stable").iloc[0]
        out.append((group, first["item"], percent(first["share"])))
    return out


def trend_rows(change: pd.DataFrame, results: SurveyResults, lang: str,
               focus: set[str]) -> list[TrendRow]:
    """Overall change per item, in the current ranking's order."""
    labels = item_labels(results, lang)
    overall = change.loc[change["group"] == OVERALL].set_index("item")
    rows = []
    for item in [r.item for r in results.ranking.overall().itertuples(index=False)]:
        if item not in overall.index:
            continue
        r = overall.loc[item]
        hidden = bool(r["suppressed"])
        rows.append(TrendRow(
            item=item, label=labels[item],
            previous="" if hidden else percent(r["share_previous"]),
            current="" if hidden else percent(r["share_current"]),
            change="" if hidden else change_points(r["change"]),
            ci="" if hidden else change_interval(r["ci_low"], r["ci_high"]),
            significant=bool(r["significant"]), suppressed=hidden, focus=item in focus,
        ))
    return rows


@dataclass(frozen=True)
class GroupChange:
    change: str  # "+8"; empty when either round had too few answers in the group
    ci: str
    significant: bool
    suppressed: bool


@dataclass(frozen=True)
class GroupTrendRow:
    item: str
    label: str
    cells: list[GroupChange]  # one per age group, in the order of ``groups``


def group_trend(change: pd.DataFrame, results: SurveyResults, lang: str
                ) -> tuple[list[str], list[GroupTrendRow]]:
    """Change per problem within each age group, in the current ranking's order.

    Returns the age groups (columns) and one row per problem; empty when the rounds have no
    age groups in common."""
    by_group = change.loc[change["group"] != OVERALL]
    groups = [g for g in results.ranking.groups if g in set(by_group["group"])]
    if not groups:
        return [], []
    labels = item_labels(results, lang)
    cells = by_group.set_index(["item", "group"])
    rows = []
    for item in [r.item for r in results.ranking.overall().itertuples(index=False)]:
        row = []
        for group in groups:
            if (item, group) not in cells.index:
                row.append(GroupChange("", "", False, True))
                continue
            r = cells.loc[(item, group)]
            hidden = bool(r["suppressed"])
            row.append(GroupChange(
                change="" if hidden else change_points(r["change"]),
                ci="" if hidden else change_interval(r["ci_low"], r["ci_high"]),
                significant=bool(r["significant"]), suppressed=hidden))
        rows.append(GroupTrendRow(item, labels[item], row))
    return groups, rows


def clear_group_changes(groups: list[str], rows: list[GroupTrendRow]
                        ) -> list[tuple[str, list[str]]]:
    """(age group, ["Klotter (+8)", …]) for every group with at least one clear change."""
    out = []
    for column, group in enumerate(groups):
        found = [f"{row.label} ({row.cells[column].change})" for row in rows
                 if row.cells[column].significant]
        if found:
            out.append((group, found))
    return out


@dataclass(frozen=True)
class KeyFigureRow:
    label: str
    n: int | None
    share: str  # empty when suppressed
    ci: str
    suppressed: bool
    cells: list[HeatCell]  # one per age group, in the order of the page's age table


def key_figure_rows(results: SurveyResults, lang: str, figures: RankingResult | None = None,
                    order: list[str] | None = None) -> tuple[list[str], list[KeyFigureRow]]:
    """The survey's key figures in the order it declares them, overall and by group: by age
    group unless another breakdown (``figures``, groups in ``order``) is given."""
    figures = results.key_figures if figures is None else figures
    if figures is None:
        return [], []
    table = figures.table.set_index(["group", "item"])
    groups = _ordered(figures.groups, order)
    rows = []
    for indicator in results.survey.indicators:
        item = f"{INDICATOR_PREFIX}{indicator.id}"
        r = table.loc[(OVERALL, item)]
        shown = not r["suppressed"]
        cells = [_cell(table.loc[(group, item)]) for group in groups]
        rows.append(KeyFigureRow(
            label=pick_text(indicator.label, lang, results.survey.default_language),
            n=answers(r["n"]), share=percent(r["share"]) if shown else "",
            ci=share_interval(r["ci_low"], r["ci_high"]) if shown else "",
            suppressed=not shown, cells=cells))
    return groups, rows


@dataclass(frozen=True)
class GroupShare:
    group: str
    share: str


@dataclass(frozen=True)
class Proposal:
    """One proposed focus problem as the decision page shows it."""

    row: ItemRow
    reason: str  # "overall" or "group" (the biggest problem of ``group``, where groups differ)
    group: str | None
    highest: GroupShare | None
    lowest: GroupShare | None
    area_highest: GroupShare | None
    area_lowest: GroupShare | None


def _extremes(ranking: RankingResult | None, item: str
              ) -> tuple[GroupShare | None, GroupShare | None]:
    """The group where the share is highest and where it is lowest. Withheld cells (too few
    answers, or hidden so that a small group cannot be worked out) take no part, so the
    decision page never tells more than the tables below it."""
    if ranking is None:
        return None, None
    table = ranking.table
    rows = table.loc[(table["item"] == item) & table["group"].isin(ranking.groups)
                     & ~table["suppressed"]]
    if len(rows) < 2:
        return None, None
    high, low = rows.loc[rows["share"].idxmax()], rows.loc[rows["share"].idxmin()]
    return (GroupShare(str(high["group"]), percent(high["share"])),
            GroupShare(str(low["group"]), percent(low["share"])))


def proposals(results: SurveyResults, overall: list[ItemRow], top: int = 3) -> list[Proposal]:
    """The first ``top`` suggested focus problems with their share, interval, rank interval
    and where they are highest and lowest by age group and by area."""
    rows = {row.item: row for row in overall}
    out = []
    for suggestion in suggest_focus(results.ranking)[:top]:
        highest, lowest = _extremes(results.ranking, suggestion.item)
        area_highest, area_lowest = _extremes(results.by_area, suggestion.item)
        out.append(Proposal(rows[suggestion.item], suggestion.reason, suggestion.group,
                            highest, lowest, area_highest, area_lowest))
    return out


def ranking_view(results: SurveyResults, lang: str) -> dict:
    """Everything the dashboard page derives from the ranking; cached with the results per
    language."""
    cached = results.views.get(lang)
    if cached is not None:
        return cached
    ranking = results.ranking
    labels = item_labels(results, lang)
    groups, heat_rows = heat_table(ranking)
    view = dict(
        labels=labels, overall=overall_rows(results, lang),
        groups=groups, heat_rows=heat_rows, group_tops=group_tops(ranking),
        differing=[labels[i] for i in differing_items(ranking)],
        agreeing=[labels[i] for i in agreeing_items(ranking)],
        agreement=agreement_words(ranking.kendall_w),
        suggestions=suggest_focus(ranking), n_eff=ranking.weighting.n_eff,
        design_effect=ranking.weighting.design_effect, weights=ranking.diagnostics,
        trimming=ranking.trimming,
        suppressed_cells=withheld_cells(ranking),
        areas=option_labels(results.survey, "area", lang),
    )
    view["proposals"] = proposals(results, view["overall"])
    view["age_shared_top"] = shared_top(ranking)
    view["key_groups"], view["key_figures"] = key_figure_rows(results, lang)
    if results.key_figures_by_gender is not None:
        genders = option_labels(results.survey, "gender", lang)
        view["key_gender_groups"], view["key_gender_rows"] = key_figure_rows(
            results, lang, results.key_figures_by_gender, order=list(genders))
    by_area = results.by_area
    if by_area is not None:
        areas = list(view["areas"])
        area_groups, area_rows = heat_table(by_area, order=areas)
        view.update(area_groups=area_groups, area_rows=area_rows,
                    area_tops=group_tops(by_area, order=areas),
                    area_shared_top=shared_top(by_area),
                    area_differing=[labels[i] for i in differing_items(by_area)],
                    area_suppressed=withheld_cells(by_area, groups_only=True))
    results.views[lang] = view
    return view


def percent_range(low: float, high: float) -> str:
    """An interval of shares with the per cent sign once ("34–41 %"), for a workbook cell."""
    return _("%(low)s–%(high)s %%", low=whole_percent(low), high=whole_percent(high))


def readable_ranking(results: SurveyResults, lang: str) -> ReadableSheet:
    """The ranking as staff read it, for the first sheet of the ranking workbook: the label
    first, shares rounded to whole per cent (halves up), the interval and the rank interval
    as text, the number of answers only where the figure is shown, then the share in each
    age group ("–" where withheld)."""
    ranking = results.ranking
    labels = item_labels(results, lang)
    ages = option_labels(results.survey, "age_band", lang)
    by_group = ranking.table.set_index(["group", "item"])
    share, priority = _("Big problem"), _("Among top-3 priorities")
    # The catalog writes "%" as "%%" (templates format every string); gettext formats only
    # when given values.
    interval = _("95 %% confidence interval") % ()
    hidden = _("Hidden: fewer than %(n)s answers here or in a group it would reveal",
               n=results.min_n)
    rows = []
    for r in ranking.overall().itertuples(index=False):
        shown = not r.suppressed
        row = {
            _("Problem"): labels[r.item],
            share: whole_percent(r.share) / 100 if shown else None,
            interval: percent_range(r.ci_low, r.ci_high) if shown
            else hidden,
            _("Place"): rank_text(int(r.rank_low), int(r.rank_high), lang) if shown else "–",
            priority: whole_percent(r.priority_share) / 100
            if shown and pd.notna(r.priority_share) else None,
            _("Answers"): int(r.n) if shown else None,
        }
        for group in ranking.groups:
            cell = by_group.loc[(group, r.item)]
            row[ages.get(group, group)] = ("–" if cell["suppressed"]
                                           else whole_percent(cell["share"]) / 100)
        rows.append(row)
    groups = tuple(ages.get(g, g) for g in ranking.groups)
    return ReadableSheet(pd.DataFrame(rows), percent=(share, priority, *groups))
