"""Reproduce R's survey package (public_expected.json) and Kalton & Flores-Cervantes."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import kish_effective_n, poststratify_weights, rake_weights, rank_items
from analysis.estimation import build_design, estimate_means

RTOL = 1e-6


@pytest.fixture(scope="module", params=["poststratify", "rake"])
def method_result(request, responses, population, items):
    result = rank_items(responses, population, items, group="age_band",
                        weight_by=("age_band", "gender"), method=request.param, min_n=1,
                        n_boot=200)
    return request.param, result


def test_every_row_matches_r(method_result, expected):
    method, result = method_result
    table = result.table.set_index(["group", "item"])
    rows = expected[method]
    assert len(rows) == len(table) == 60
    for row in rows:
        got = table.loc[(row["group"], row["item"])]
        assert got["n"] == row["n"], (row["group"], row["item"])
        keys = ["share", "se", "mean_score", "mean_se"]
        if row["group"] == "all":
            keys += ["ci_low", "ci_high"]
        assert_allclose([got[k] for k in keys], [row[k] for k in keys], rtol=RTOL,
                        err_msg=f"{method} {row['group']} {row['item']}")


def test_kish_effective_n_matches_r(method_result, expected):
    method, result = method_result
    assert_allclose(result.weighting.n_eff, expected["kish_n_eff"][method], rtol=RTOL)
    assert_allclose(result.weighting.design_effect,
                    420 / expected["kish_n_eff"][method], rtol=RTOL)


def test_treating_calibrated_weights_as_fixed_gives_a_different_se(responses, population,
                                                                   expected):
    # The README warns that fixed-weight SEs are wrong; make sure ours are not those.
    weighting = poststratify_weights(responses, population, ["age_band", "gender"])
    group = np.zeros(len(responses), dtype=np.int64)
    fixed, fine = build_design(replace(weighting, method="none", poststrata=None), group, 1)
    calibrated, _ = build_design(weighting, group, 1)
    x = responses["nedskrapning"]
    codes = np.select([x.isin([1, 2]), x.isin([3, 4]), x == 9], [0, 1, 2], 3)
    counts = np.zeros((1, len(fixed.weight), 4))
    np.add.at(counts, (0, fine, codes), 1)
    scores = np.array([0.0, 1.0, np.nan, np.nan])
    everywhere = np.ones(len(fixed.weight), dtype=bool)
    se_fixed = estimate_means(fixed, counts, scores, everywhere).se[0]
    se_calibrated = estimate_means(calibrated, counts, scores, everywhere).se[0]
    reference = expected["poststratify"][0]
    assert reference["item"] == "nedskrapning" and reference["group"] == "all"
    assert_allclose(se_calibrated, reference["se"], rtol=RTOL)
    assert abs(se_fixed / reference["se"] - 1) > 1e-3


SAMPLE = np.array([[20, 40, 40], [50, 140, 310], [100, 50, 50], [30, 100, 70]])
POP = np.array([[80, 40, 55], [60, 150, 340], [170, 60, 200], [55, 165, 125]])
KFC_RAKE = np.array([
    [1.8108050931, 1.4528219448, 2.0167755086],
    [1.0835644440, 0.8693515436, 1.2068147151],
    [2.1960890997, 1.7619380732, 2.4458837275],
    [1.8332255324, 1.4708100244, 2.0417461655],
])


@pytest.fixture(scope="module")
def kfc() -> tuple[pd.DataFrame, pd.DataFrame]:
    cells = [(f"a{i + 1}", f"b{j + 1}", SAMPLE[i, j], POP[i, j])
             for i in range(4) for j in range(3)]
    table = pd.DataFrame(cells, columns=["a", "b", "n", "count"])
    return table[["a", "b", "n"]], table[["a", "b", "count"]]


def test_kalton_poststratification_factors(kfc):
    sample, pop = kfc
    result = poststratify_weights(sample, pop, ["a", "b"], counts="n")
    assert_allclose(result.weights.reshape(4, 3), POP / SAMPLE, rtol=1e-12)
    assert_allclose(result.n_eff, 803.9906, atol=5e-5)
    assert result.notes == []


def test_kalton_raking_factors(kfc):
    sample, pop = kfc
    result = rake_weights(sample, pop, ["a", "b"], counts="n", tol=1e-12)
    assert_allclose(result.weights.reshape(4, 3), KFC_RAKE, rtol=1e-9)
    assert_allclose(result.n_eff, 909.3549, atol=5e-5)
    assert_allclose(kish_effective_n(result.weights, sample["n"].to_numpy()), result.n_eff)
