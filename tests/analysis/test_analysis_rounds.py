"""Change between rounds: Newcombe's hybrid interval, honest at 0 % and 100 %."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analysis import compare_rounds, rank_items
from analysis.rounds import newcombe_interval


def _wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, centre - half, centre + half


@pytest.mark.parametrize(("first", "second", "expected"), [
    # Newcombe (1998), Table II, method 10 (difference first minus second).
    ((56, 70), (48, 80), (0.0524, 0.3339)),
    ((9, 10), (3, 10), (0.1705, 0.8090)),
    ((5, 56), (0, 29), (-0.0381, 0.1926)),
    ((0, 10), (0, 20), (-0.1611, 0.2775)),
    ((10, 10), (0, 20), (0.6791, 1.0000)),
])
def test_newcombe_matches_the_published_examples(first, second, expected):
    # Our difference is second minus first, so the published one is ours with roles swapped.
    p1, l1, u1 = _wilson(*second)
    p2, l2, u2 = _wilson(*first)
    low, high = newcombe_interval(np.array(p1), l1, u1, np.array(p2), l2, u2)
    assert_allclose([low, high], expected, atol=5e-5)


def _round(positives: int, n: int) -> object:
    answers = [4.0] * positives + [1.0] * (n - positives)
    frame = pd.DataFrame({"problem": answers})
    return rank_items(frame, None, ["problem"], weight_by=(), n_boot=200, min_n=10)


def test_a_zero_share_is_not_treated_as_exact():
    """0/20 then 4/20: the Wald test said p = 0.029 with the interval [0.020, 0.380]."""
    change = compare_rounds(_round(0, 20), _round(4, 20)).iloc[0]
    fisher = stats.fisher_exact([[0, 20], [4, 16]]).pvalue  # 0.106
    assert change["change"] == pytest.approx(0.2)
    assert change["ci_low"] < 0 < change["ci_high"]
    assert change["p_value"] > 0.05 and fisher > 0.05
    assert not change["significant"]
    # The first round's own upper bound (0.168 at n = 20) is carried into the change.
    previous = _round(0, 20).overall().iloc[0]
    assert_allclose(previous["ci_high"], 1 - 0.025 ** (1 / 20))
    assert change["ci_high"] >= change["change"]


@pytest.mark.parametrize(("before", "after"), [((0, 20), (0, 30)), ((20, 20), (0, 20)),
                                               ((0, 40), (12, 40)), ((30, 30), (28, 30))])
def test_edges_agree_with_fisher_on_clear_and_unclear_changes(before, after):
    change = compare_rounds(_round(*before), _round(*after)).iloc[0]
    table = [[before[0], before[1] - before[0]], [after[0], after[1] - after[0]]]
    fisher = stats.fisher_exact(table).pvalue
    assert (change["p_value"] < 0.05) == (fisher < 0.05)
    assert (change["ci_low"] > 0 or change["ci_high"] < 0) == (change["p_value"] < 0.05)
    assert -1 <= change["ci_low"] <= change["change"] <= change["ci_high"] <= 1


def test_p_value_is_the_inverted_interval(responses, population, items):
    a = rank_items(responses, population, items, n_boot=200)
    b = rank_items(responses.iloc[::-1].reset_index(drop=True).assign(
        klotter=responses["klotter"].where(responses.index % 3 != 0, 4.0)),
        population, items, n_boot=200)
    change = compare_rounds(a, b)
    row = change.set_index("item").loc["klotter"]
    again = compare_rounds(a, b, alpha=row["p_value"] * 1.001).set_index("item").loc["klotter"]
    assert min(abs(again["ci_low"]), abs(again["ci_high"])) < 1e-3
