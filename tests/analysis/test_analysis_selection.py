"""Selections (women only, one area) attacked as a councillor with every view could try it.

The attacker has everyone's ranking by age group and the same ranking for each gender, and
knows the true number of valid answers in every age × gender cell. Every published share is
then a linear equation in the cells' numbers of "big problem" answers; a cell is given away
when the equations determine it, whatever the others are (its unit vector lies in the span
of theirs). No small cell may be. Without the crossed rule, everyone's 16–24 minus the
women's 16–24 gives the seven men back.

Like every cell suppression (see :mod:`analysis.disclosure`), this protects against working a
cell out, not against bounds: where every hidden cell of a total is 0 % the total says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import rank_items
from analysis.disclosure import withhold_crossed
from analysis.selection import selection_withheld
from tests.analysis.conftest import MIN_N

GENDERS = ("kvinna", "man", "annat")


@pytest.fixture(scope="module")
def answers(responses: pd.DataFrame) -> pd.DataFrame:
    """Seven men aged 16–24, six "annat" aged 45–64 and four aged 80+, two with no gender."""
    young_men = responses.index[(responses["age_band"] == "16-24")
                                & (responses["gender"] == "man")]
    data = responses.drop(young_men[7:]).reset_index(drop=True).astype({"gender": object})
    for band, count in (("45-64", 6), ("80+", 4)):
        data.loc[data.index[data["age_band"] == band][:count], "gender"] = "annat"
    data.loc[data.index[data["age_band"] == "65-79"][:2], "gender"] = None
    return data


def _rank(data, items, **extra):
    return rank_items(data, None, items, group="age_band", weight_by=(), method="none",
                      min_n=MIN_N, n_boot=200, **extra)


def _views(answers, items, protect: bool):
    everyone = _rank(answers, items)
    views = {}
    for gender in GENDERS:
        cells = selection_withheld(answers, everyone, "gender", gender) if protect else ()
        views[gender] = _rank(answers.loc[answers["gender"] == gender], items,
                              withheld_cells=cells)
    return everyone, views


def _derivable_small_cells(answers, items, everyone, views) -> list[tuple]:
    """Small age × gender cells that the published figures determine."""
    found = []
    for item in items:
        valid = answers[item].isin([1, 2, 3, 4])
        frame = pd.DataFrame({"age": answers["age_band"], "gender": answers["gender"].fillna(""),
                              "T": valid})
        cells = frame.groupby(["age", "gender"], as_index=False)["T"].sum()
        cells = cells.loc[cells["T"] > 0].reset_index(drop=True)
        equations = []
        for view, selected in [(everyone, None), *((views[g], g) for g in GENDERS)]:
            table = view.table.loc[view.table["item"] == item].set_index("group")
            chosen = np.ones(len(cells)) if selected is None else \
                (cells["gender"] == selected).to_numpy(dtype=float)
            for group, row in table.iterrows():
                if not row["suppressed"]:
                    equations.append(chosen if group == "all"
                                     else chosen * (cells["age"] == group).to_numpy())
        published = np.array(equations)
        rank = np.linalg.matrix_rank(published)
        for k, cell in cells.iterrows():
            unit = np.zeros(len(cells))
            unit[k] = 1.0
            if cell["T"] < MIN_N and np.linalg.matrix_rank(np.vstack([published, unit])) == rank:
                found.append((item, cell["age"], cell["gender"], int(cell["T"])))
    return found


def test_without_the_crossed_rule_a_selection_gives_small_cells_back(answers, items):
    everyone, views = _views(answers, items, protect=False)
    found = _derivable_small_cells(answers, items, everyone, views)
    assert any(age == "16-24" and gender == "man" for _item, age, gender, _n in found), found


def test_no_small_cell_comes_back_from_everyone_and_every_selection(answers, items):
    everyone, views = _views(answers, items, protect=True)
    assert not _derivable_small_cells(answers, items, everyone, views)
    # The women's 16–24 is withheld (everyone's minus it would be the seven men), and so is
    # a second group of theirs, or the women's overall figure would give it back.
    women = views["kvinna"].table
    hidden = women.loc[women["suppressed"] & (women["group"] != "all")]
    assert set(hidden.loc[hidden["item"] == items[0], "group"]) >= {"16-24"}
    assert (hidden.groupby("item").size() >= 2).all()
    # A selection with answers enough everywhere shows its figures.
    assert not women.loc[women["group"] == "all", "suppressed"].any()


def test_a_lone_complement_cell_is_protected_in_both_directions():
    # Rows: two age groups and nobody without one; columns: women, men, no gender.
    counts = np.array([[30, 4, 0], [25, 20, 0], [0, 0, 0]])
    rule = withhold_crossed(counts, MIN_N)
    # The four men of group 0 take their women's cell along, and the pair is repeated in
    # group 1, so no row or column has a single withheld cell.
    assert rule.cells.tolist() == [[True, True], [True, True]]
    assert not rule.totals.any()
    # A group everyone's table withholds is withheld in every selection.
    assert withhold_crossed(np.array([[30, 30, 0], [30, 30, 0], [0, 0, 0]]), MIN_N,
                            np.array([True, False])).cells[0].all()
