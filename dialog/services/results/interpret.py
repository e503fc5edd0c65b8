"""Reading the results for councillors: focus suggestions, what differs between groups, the
earlier round and the change since it. Shared by the dashboard and the public löfte page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from analysis import RankingResult, compare_rounds
from analysis.ranking import OVERALL
from surveys import analysis_spec

from ...extensions import db
from ...models import SurveyRecord
from .. import catalog
from .compute import SurveyResults


@dataclass(frozen=True)
class Suggestion:
    item: str
    reason: str  # "overall" or "group"
    group: str | None = None


def suggest_focus(ranking: RankingResult, top: int = 3) -> list[Suggestion]:
    """Focus problems to propose: the top-ranked overall, then the first item of any age
    group whose answers on that item differ significantly between groups."""
    overall = ranking.overall()
    shown = overall.loc[~overall["suppressed"]].sort_values("rank", kind="stable")
    out = [Suggestion(item, "overall") for item in shown["item"].head(top)]
    chosen = {s.item for s in out}
    differing = set(differing_items(ranking))
    table = ranking.table
    for group in ranking.groups:
        rows = table.loc[(table["group"] == group) & ~table["suppressed"]]
        if rows.empty:
            continue
        first = rows.sort_values("rank", kind="stable").iloc[0]["item"]
        if first in differing and first not in chosen:
            out.append(Suggestion(first, "group", group))
            chosen.add(first)
    return out


def differing_items(ranking: RankingResult) -> list[str]:
    """Items on which the groups answer significantly differently."""
    differences = ranking.differences
    return list(differences.loc[differences["significant"], "item"])


def agreeing_items(ranking: RankingResult) -> list[str]:
    """Items tested in at least two groups on which the groups do not differ."""
    tested = ranking.differences.loc[ranking.differences["groups_tested"] >= 2]
    return list(tested.loc[~tested["significant"], "item"])


def withheld_cells(ranking: RankingResult, *, groups_only: bool = False) -> int:
    """How many estimates are withheld as too small (of the groups alone, if asked)."""
    table = ranking.table
    if groups_only:
        table = table.loc[table["group"] != OVERALL]
    return int(table["suppressed"].sum())


def earlier_round(record: SurveyRecord) -> SurveyRecord | None:
    """The newest earlier survey round made from the same template with the same items."""
    if record.current_version is None:
        return None
    survey = catalog.definition_of(record.current_version)
    if not survey.template:
        return None
    items = analysis_spec(survey).item_codes
    candidates = db.session.scalars(
        select(SurveyRecord).where(SurveyRecord.id != record.id,
                                   SurveyRecord.current_version_id.is_not(None))).all()
    earlier = []
    for other in candidates:
        if (other.created_at, other.id) >= (record.created_at, record.id):
            continue
        definition = catalog.definition_of(other.current_version)
        if definition.template == survey.template and \
                analysis_spec(definition).item_codes == items:
            earlier.append(other)
    return max(earlier, key=lambda r: (r.created_at, r.id), default=None)


def trend(previous: SurveyResults, current: SurveyResults) -> pd.DataFrame | None:
    """Change per group and item since the previous round (None without both rankings)."""
    if previous.ranking is None or current.ranking is None:
        return None
    return compare_rounds(previous.ranking, current.ranking)
