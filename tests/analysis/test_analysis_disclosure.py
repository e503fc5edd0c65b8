"""Disclosure control tested as an attacker would try it.

The attacker has everything published (every share of the shown cells, the overall share,
the population table) and, to be on the safe side, even the true weighted number of valid
answers of every cell – also of the age × area cells, which nothing publishes. They try to
get withheld cells back by subtraction and by solving the linear system of published totals
(linear programming over the age × area cells): nothing may come back tighter than what the
combined figure of the withheld cells (which rests on at least ``min_n`` answers) allows.
"""

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from openpyxl import load_workbook
from scipy.optimize import linprog

from analysis import write_report
from analysis.disclosure import withhold, withhold_groups
from tests.analysis.conftest import MIN_N


def _truth(data: pd.DataFrame, weights: np.ndarray, item: str) -> pd.DataFrame:
    """Weighted valid and positive totals per age × area cell ("" for no area)."""
    x = data[item]
    valid = x.isin([1, 2, 3, 4]).to_numpy()
    positive = x.isin([3, 4]).to_numpy()
    frame = pd.DataFrame({"age": data["age_band"], "area": data["area"].fillna(""),
                          "n": valid.astype(int), "T": weights * valid,
                          "P": weights * positive})
    return frame.groupby(["age", "area"], as_index=False)[["n", "T", "P"]].sum()


def _published(result, item: str) -> pd.DataFrame:
    rows = result.table.loc[result.table["item"] == item]
    return rows.set_index("group")


def test_the_audit_subtraction_no_longer_recovers_the_small_group(survey, by_age, items):
    """Overall minus the shown groups gave the 7-person group back to 1e-11; now it gives
    only the withheld groups together, which hold at least min_n answers."""
    weights = by_age.weighting.weights
    for item in items:
        published = _published(by_age, item)
        cells = _truth(survey, weights, item)
        per_age = cells.groupby("age")[["n", "T", "P"]].sum()
        withheld = [g for g in by_age.groups if published.loc[g, "suppressed"]]
        assert "16-24" in withheld
        assert len(withheld) >= 2 and per_age.loc[withheld, "n"].sum() >= MIN_N
        shown = [g for g in by_age.groups if g not in withheld]
        overall = published.loc["all", "share"] * per_age["T"].sum()
        left = overall - sum(published.loc[g, "share"] * per_age.loc[g, "T"] for g in shown)
        assert_allclose(left, per_age.loc[withheld, "P"].sum(), rtol=1e-9)
        assert published.loc[withheld, ["share", "n", "dont_know_share",
                                        "missing_share"]].isna().all().all()


def _bounds(c_index: list[int], cells: pd.DataFrame, equalities: list[tuple[np.ndarray, float]]
            ) -> tuple[float, float]:
    """Smallest and largest share of the cells ``c_index`` that the published totals allow
    (every cell's positive total between 0 and its valid total)."""
    size = len(cells)
    objective = np.zeros(size)
    objective[c_index] = 1.0
    a_eq = np.array([row for row, _ in equalities])
    b_eq = np.array([value for _, value in equalities])
    limits = list(zip(np.zeros(size), cells["T"].to_numpy(), strict=True))
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=limits, method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=limits, method="highs")
    assert low.status == 0 and high.status == 0
    total = cells["T"].to_numpy()[c_index].sum()
    return low.fun / total, -high.fun / total


def _equalities(cells: pd.DataFrame, results: dict[str, object], item: str
                ) -> list[tuple[np.ndarray, float]]:
    """Every published share times its (known) valid total, as a linear equation in the
    age × area cells' positive totals."""
    rows = []
    everyone = np.ones(len(cells))
    for column, result in results.items():
        published = _published(result, item)
        rows.append((everyone, published.loc["all", "share"] * cells["T"].sum()))
        for group in result.groups:
            if published.loc[group, "suppressed"]:
                continue
            mask = (cells[column] == group).to_numpy(dtype=float)
            rows.append((mask, published.loc[group, "share"] * cells["T"].to_numpy() @ mask))
    return rows


@pytest.mark.parametrize("partitions", [("age",), ("area",), ("age", "area")])
def test_solving_the_published_totals_gives_nothing_tighter_than_the_rule(
        survey, by_age, by_area, items, partitions):
    """Linear programming over the age × area cells, with the ranking by age, by area or both
    published: every withheld cell keeps at least the range that the combined withheld
    figure of its own table leaves, and never collapses to its true value."""
    results = {"age": by_age, "area": by_area}
    weights = by_age.weighting.weights
    assert_allclose(weights, by_area.weighting.weights)
    checked = 0
    for item in items:
        cells = _truth(survey, weights, item)
        cells = cells.loc[cells["n"] > 0].reset_index(drop=True)
        equalities = _equalities(cells, {k: results[k] for k in partitions}, item)
        for column in partitions:
            result = results[column]
            published = _published(result, item)
            groups = [g for g in result.groups if published.loc[g, "suppressed"]]
            hidden = [*groups, ""]  # people without an area are never shown
            hidden_cells = cells.loc[cells[column].isin(hidden)]
            for group in groups:
                index = list(np.flatnonzero((cells[column] == group).to_numpy()))
                if not index:
                    continue
                low, high = _bounds(index, cells, equalities)
                mine = cells.loc[index]
                others = hidden_cells.loc[hidden_cells[column] != group, "T"].sum()
                combined = hidden_cells["P"].sum()
                rule_low = max(0.0, combined - others) / mine["T"].sum()
                rule_high = min(mine["T"].sum(), combined) / mine["T"].sum()
                assert low <= rule_low + 1e-9 and high >= rule_high - 1e-9, (item, group)
                assert high - low > 0.05, (item, group)
                checked += 1
    assert checked >= len(items)


def test_every_written_file_withholds_the_same_cells(tmp_path, by_age):
    write_report(by_age, tmp_path, charts=False)
    csv = pd.read_csv(tmp_path / "ranking.csv")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    withheld = csv.loc[csv["suppressed"]]
    figures = ["n", "n_eff_kish", "n_eff_design", "share", "se", "ci_low", "ci_high",
               "mean_score", "dont_know_share", "missing_share"]
    assert len(withheld) >= 2 * len(by_age.items)
    assert withheld[figures].isna().all().all()
    for group, rows in summary["ranking"].items():
        for row in rows:
            if row["suppressed"]:
                assert row["n"] is None and row["share"] is None, group
    book = load_workbook(tmp_path / "ranking.xlsx", read_only=True)
    try:
        for name in book.sheetnames[1:-2]:
            sheet = list(book[name].iter_rows(values_only=True))
            header, body = sheet[0], sheet[1:]
            hidden = header.index("suppressed")
            for row in body:
                if row[hidden]:
                    assert row[header.index("n")] is None and row[header.index("share")] is None
    finally:
        book.close()


def test_rule_two_withheld_groups_and_the_unshown_rest():
    # One item, groups (12, 3, 30, 40) and 0 people without a group: 3 needs a partner.
    # The last column, people without a group, is never shown.
    got = withhold_groups(np.array([[12, 3, 30, 40, 0]]), MIN_N)
    assert got.withheld[0].tolist() == [True, True, False, False, True]
    # Two small groups (6 and 5) already hold 11 answers together: nothing more.
    got = withhold_groups(np.array([[6, 5, 30, 40, 0]]), MIN_N)
    assert got.withheld[0].tolist() == [True, True, False, False, True]
    # Two tiny ones (2 and 3) together are still too few: the smallest shown joins them.
    got = withhold_groups(np.array([[2, 3, 30, 12, 0]]), MIN_N)
    assert got.withheld[0].tolist() == [True, True, False, True, True]
    # Without anyone small, nothing is withheld beyond the unshown rest.
    got = withhold_groups(np.array([[20, 30, 40, 12]]), MIN_N)
    assert got.withheld[0].tolist() == [False, False, False, True]
    # Three people without a group would come out by subtraction: protect them too.
    got = withhold_groups(np.array([[50, 30, 40, 3]]), MIN_N)
    assert got.withheld[0].tolist() == [False, True, False, True]
    assert got.primary[0].tolist() == [False, False, False, True]
    # Many people without a group already hide a small group's figure.
    got = withhold_groups(np.array([[50, 4, 40, 25]]), MIN_N)
    assert got.withheld[0].tolist() == [False, True, False, True]


def test_rule_in_two_directions_reaches_a_fixed_point():
    """A 3 × 3 table with row and column totals published: each row and column that has a
    withheld cell ends with two or more, and the small cell's row and column hold at least
    min_n withheld answers."""
    counts = np.array([[3, 20, 25], [30, 40, 35], [22, 18, 50]])
    rows = [range(3 * r, 3 * r + 3) for r in range(3)]
    cols = [range(c, 9, 3) for c in range(3)]
    got = withhold(counts.ravel(), MIN_N, rows + cols).withheld.reshape(3, 3)
    for line in [*got, *got.T]:
        assert line.sum() in (0, 2, 3)
    assert got[0, 0]
    assert counts[0][got[0]].sum() >= MIN_N and counts[:, 0][got[:, 0]].sum() >= MIN_N
