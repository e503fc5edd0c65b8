"""Honest edges: intervals at 0 and 1, effective sample sizes, weight diagnostics, rounding,
Kendall's W – each against an independent route."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analysis import rank_items, trim_weights
from analysis.estimation import logit_ci
from analysis.group_tests import kendalls_w
from analysis.rounding import round_half_up, whole_percent
from analysis.weighting import TRIM_SHOWN_AT, poststratify_weights, weight_diagnostics

BY = ("age_band", "gender")


def test_interval_at_zero_uses_the_effective_n():
    """The audit's case: n = 289, Kish n_eff = 209 – upper bound 0.0175, not 0.0127."""
    low, high = logit_ci(np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([288, 288]),
                         n_eff=np.array([209.0, 209.0]))
    # Clopper–Pearson's one-sided bound for 0 successes, from the beta distribution.
    assert_allclose(high[0], stats.beta.ppf(0.975, 1, 209), rtol=1e-12)
    assert_allclose(high[0], 0.0175, atol=5e-5)
    assert_allclose(low[1], stats.beta.ppf(0.025, 209, 1), rtol=1e-12)
    assert low[0] == 0 and high[1] == 1


def test_a_share_of_zero_in_a_weighted_ranking_gets_the_effective_n_bound(responses,
                                                                        population, items):
    data = responses.assign(klotter=responses["klotter"].where(
        ~responses["klotter"].isin([3, 4]), 1.0))
    result = rank_items(data, population, items, weight_by=BY, n_boot=200)
    row = result.overall().set_index("item").loc["klotter"]
    assert row["share"] == 0 and row["n_eff_kish"] < row["n"]
    assert_allclose(row["ci_high"], stats.beta.ppf(0.975, 1, row["n_eff_kish"]), rtol=1e-12)
    assert np.isnan(row["n_eff_design"])  # p(1-p)/se² is undefined at 0


def test_design_based_n_is_p_q_over_se_squared(responses, population, items):
    result = rank_items(responses, population, items, weight_by=BY, n_boot=200)
    shown = result.overall()
    assert_allclose(shown["n_eff_design"],
                    shown["share"] * (1 - shown["share"]) / shown["se"] ** 2)


def test_weight_diagnostics_and_the_effect_of_trimming(responses, population):
    """Seven respondents standing for a big population cell: the audit's extreme weights."""
    young = responses.index[responses["age_band"] == "16-24"]
    data = responses.drop(young[7:]).reset_index(drop=True)
    big = population.assign(count=np.where(population["age_band"] == "16-24",
                                           population["count"] * 6, population["count"]))
    weighting = poststratify_weights(data, big, BY, min_cell=1)
    diag = weight_diagnostics(weighting, 10)
    w, n = weighting.cell_weights, weighting.cells["n"]
    assert_allclose(diag.max_to_mean, w.max() / (w @ n / n.sum()))
    assert_allclose(diag.design_effect, n.sum() * (n @ w**2) / (n @ w) ** 2)
    small = n < 10
    assert_allclose(diag.small_cell_weight, (n[small] @ w[small]) / (n @ w))
    assert diag.warning and diag.small_cell_weight > 0.10
    assert "Warning" in diag.note().en and "Varning" in diag.note().sv
    trimmed = weight_diagnostics(trim_weights(weighting, 5.0), 10)
    assert trimmed.max_to_mean <= 5.0 + 1e-9 < diag.max_to_mean
    assert trimmed.design_effect < diag.design_effect
    # Every output carries the figures; the run's notes carry the warning.
    result = rank_items(data, big, ["klotter"], weight_by=BY, n_boot=200, min_cell=1)
    assert result.diagnostics == diag
    assert any("Warning" in note.en for note in result.notes)


def test_every_weighted_ranking_shows_the_effect_of_trimming(responses, population, items):
    """The audit's extreme weights: the ranking reports what trimming at the documented cap
    changes, and the trimmed top shares agree with weighted means over the rows computed
    here from the trimmed weights (an independent route), and with a run given ``trim``."""
    young = responses.index[responses["age_band"] == "16-24"]
    data = responses.drop(young[7:]).reset_index(drop=True)
    big = population.assign(count=np.where(population["age_band"] == "16-24",
                                           population["count"] * 6, population["count"]))
    result = rank_items(data, big, items, weight_by=BY, n_boot=200, min_cell=1)
    effect = result.trimming
    trimmed_run = rank_items(data, big, items, weight_by=BY, n_boot=200, min_cell=1,
                             trim=TRIM_SHOWN_AT)
    assert effect.cap == TRIM_SHOWN_AT and effect.cells_trimmed >= 1
    assert_allclose(effect.design_effect, trimmed_run.weighting.design_effect)
    assert effect.design_effect < result.diagnostics.design_effect
    assert effect.max_to_mean <= TRIM_SHOWN_AT + 1e-9
    w = trim_weights(poststratify_weights(data, big, BY, min_cell=1), TRIM_SHOWN_AT).weights
    top = result.overall().head(3)
    changes = {}
    for item, share in zip(top["item"], top["share"], strict=True):
        codes = data[item].to_numpy(dtype=float)
        valid = np.isin(codes, [1, 2, 3, 4])
        by_hand = (w * np.isin(codes, [3, 4])).sum() / (w * valid).sum()
        assert_allclose(trimmed_run.overall().set_index("item").loc[item, "share"], by_hand)
        changes[item] = abs(by_hand - share)
    assert effect.item == max(changes, key=changes.get)
    assert_allclose(effect.largest_change, max(changes.values()))
    assert any("trimmade vid 5" in n.sv and "percentage points" in n.en for n in result.notes)
    # Given --trim, the run is already trimmed: no second figure.
    assert trimmed_run.trimming is None
    # Weights within the cap: the note says trimming would change nothing.
    calm = rank_items(responses, population, items, weight_by=BY, n_boot=200)
    assert calm.trimming.cells_trimmed == 0
    assert any("would change nothing" in n.en for n in calm.notes)


@pytest.mark.parametrize(("value", "expected"), [(0.125, 13), (0.285, 29), (0.005, 1),
                                                 (-0.005, -1), (0.0049, 0), (0.77, 77),
                                                 (1.0, 100)])
def test_percentages_round_half_up(value, expected):
    assert whole_percent(value) == expected


def test_round_half_up_on_the_printed_decimal():
    assert round_half_up(2.675, 2) == 2.68  # the float is 2.67499…; people read 2.675
    assert round_half_up(-0.5) == -1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kendalls_w_against_friedmans_statistic(seed):
    """W = χ²_F / (m (n − 1)) with Friedman's tie-corrected statistic from scipy (items as
    treatments, groups as blocks)."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 6, size=(5, 8)).astype(float)  # ties on purpose
    chi2 = stats.friedmanchisquare(*scores.T).statistic
    m, n = scores.shape
    assert_allclose(kendalls_w(scores), chi2 / (m * (n - 1)), rtol=1e-12)


def test_kendalls_w_of_the_ranking_against_friedman(responses, population, items):
    result = rank_items(responses, population, items, group="age_band", weight_by=BY,
                        n_boot=200, min_n=1)
    wide = result.table.loc[result.table["group"] != "all"].pivot(
        index="group", columns="item", values="share")
    chi2 = stats.friedmanchisquare(*(-wide.to_numpy()).T).statistic
    m, n = wide.shape
    assert_allclose(result.kendall_w, chi2 / (m * (n - 1)), rtol=1e-12)
