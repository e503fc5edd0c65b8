"""analysis.distributions against scipy: the tests may import scipy, the analysis may not."""

from statistics import NormalDist

import numpy as np
import pytest
from scipy import special

from analysis.distributions import f_survival, t_quantile
from tests.analysis.helpers import packages_loaded

T_DF = np.concatenate([np.geomspace(1, 1e7, 36), [1, 2, 3, 1.5, 2.5, 4.7, 30.3, 1234.5]])
T_P = np.array([1e-10, 1e-6, 0.001, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975, 0.999,
                1 - 1e-6])
F_D1 = np.array([0.5, 0.7, 1, 1.3, 2, 3, 5, 7.7, 10, 20, 33.3, 50])
F_D2 = np.array([1, 1.5, 2, 3, 10, 31.6, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 3.3e7, 1e8])
F_X = np.concatenate([np.geomspace(1e-6, 1e4, 21), [0.9, 1.1, 1.5, 3]])


def test_t_quantile_matches_scipy_to_1e_12():
    df, p = np.meshgrid(T_DF, T_P, indexing="ij")
    ours = t_quantile(df, p)
    assert ours.shape == df.shape
    np.testing.assert_allclose(ours, special.stdtrit(df, p), rtol=1e-12, atol=0)


def test_t_quantile_far_tails_and_huge_df_match_scipy():
    df, p = np.meshgrid([1.2, 3, 7.5, 40, 1e3, 1e9, 1e14], [1e-100, 1e-30, 1e-16],
                        indexing="ij")
    np.testing.assert_allclose(t_quantile(df, p), special.stdtrit(df, p), rtol=1e-12)
    # At p = 1e-300 stdtrit gives inf for df 3 to 40, so check P(|T| > t) = P(F > t²)
    # instead (the F tail is ν times as sensitive: 1e-10 here is 1e-12 on t for ν ≤ 40).
    df = np.array([3, 7.5, 40])
    t = t_quantile(df, 1e-300)
    np.testing.assert_allclose(special.fdtrc(1, df, t * t), 2e-300, rtol=1e-10)
    assert 1e249 < -t_quantile(1.2, 1e-300) < np.inf


def test_t_quantile_edges():
    assert t_quantile(np.inf, 0.975) == pytest.approx(NormalDist().inv_cdf(0.975), rel=1e-15)
    assert t_quantile(1e300, 0.025) == pytest.approx(NormalDist().inv_cdf(0.025), rel=1e-12)
    assert t_quantile(30, 0.5) == 0.0
    assert isinstance(t_quantile(30, 0.975), float)
    out = t_quantile(np.array([5.0, 5.0, np.nan, 5.0, 5.0, 0.0, 5.0]),
                     np.array([0.0, 1.0, 0.9, np.nan, 1.5, 0.9, 0.9]))
    assert out[0] == -np.inf and out[1] == np.inf
    assert np.isnan(out[2:6]).all()
    assert out[6] == pytest.approx(special.stdtrit(5, 0.9), rel=1e-13)
    # df below 1 (Hill's start does not cover it) still converges.
    np.testing.assert_allclose(t_quantile([0.3, 0.7], [0.975, 0.2]),
                               special.stdtrit([0.3, 0.7], [0.975, 0.2]), rtol=1e-12)
    # Broadcasting as numpy does, and an array of probabilities as rounds.py passes.
    grid = t_quantile(np.array([[3.0], [300.0]]), np.array([0.9, 0.975, 0.999]))
    assert grid.shape == (2, 3)
    np.testing.assert_allclose(grid, special.stdtrit([[3.0], [300.0]], [0.9, 0.975, 0.999]),
                               rtol=1e-12)


def _scipy_f_survival(d1: np.ndarray, d2: np.ndarray, x: np.ndarray) -> np.ndarray:
    """scipy's ``I_w(d2/2, d1/2)`` with the smaller of ``w`` and ``1 - w`` passed exactly.

    ``fdtrc`` itself forms ``w = d2 / (d2 + d1 x)``; that rounding near 1 costs it up to
    3e-9 relative at d2 = 1e8 (40-digit values below), so it is the reference only for
    d2 ≤ 1e6.
    """
    w = d2 / (d2 + d1 * x)
    return np.where(w <= 0.5, special.betainc(d2 / 2, d1 / 2, w),
                    special.betaincc(d1 / 2, d2 / 2, d1 * x / (d2 + d1 * x)))


def test_f_survival_matches_scipy_to_1e_10():
    d1, d2, x = np.meshgrid(F_D1, F_D2, F_X, indexing="ij")
    ours = f_survival(d1, d2, x)
    assert ours.shape == d1.shape
    # Below 1e-280 scipy's own values drift (5e-8 at 2.7e-291, see the table below).
    ref = _scipy_f_survival(d1, d2, x)
    shown = ref >= 1e-280
    assert shown.sum() > 3000
    np.testing.assert_allclose(ours[shown], ref[shown], rtol=1e-10)
    fdtrc = special.fdtrc(d1, d2, x)
    shown = (fdtrc >= 1e-280) & (d2 <= 1e6)
    np.testing.assert_allclose(ours[shown], fdtrc[shown], rtol=1e-10)


# P(F > x) to 17 digits from mpmath (40-digit working precision, 700 digits where the
# value is 1 - I_{1-w}), at points where scipy is off by 1e-12 to 5e-8.
MPMATH_F = [
    (10, 1e8, 1, 0.44049329383858042),
    (10, 1e8, 1.5, 0.13206187542827388),
    (50, 1e8, 3, 6.3153889541245855e-12),
    (50, 1e8, 30, 3.1937233267815312e-281),
    (20, 3.3e7, 5, 1.2596729492582249e-12),
    (0.5, 1e8, 1, 0.25632205678744289),
    (1, 1e8, 1e-6, 0.99920211557417259),
    (33.3, 1000, 100, 2.6921895495549083e-291),
    (7.7, 1e6, 100, 3.4203388701198725e-161),
    (2, 1e7, 40, 4.2490340427284498e-18),
    (1.3, 1e4, 1000, 3.1638186460792305e-267),
]


@pytest.mark.parametrize(("d1", "d2", "x", "expected"), MPMATH_F)
def test_f_survival_against_40_digit_values(d1, d2, x, expected):
    assert f_survival(d1, d2, x) == pytest.approx(expected, rel=1e-12, abs=0)


def test_f_survival_edges():
    out = f_survival(3.0, 100.0, np.array([-1.0, 0.0, np.inf, np.nan]))
    assert out[0] == 1.0 and out[1] == 1.0 and out[2] == 0.0 and np.isnan(out[3])
    assert np.isnan(f_survival(0.0, 10.0, 1.0)) and np.isnan(f_survival(2.0, -1.0, 1.0))
    assert isinstance(f_survival(2.0, 50.0, 1.0), float)
    # Underflow is 0, not an error; the tiny x end is 1 - O(x^(d1/2)).
    assert f_survival(50.0, 1e8, 1e4) == 0.0
    assert f_survival(2.0, 10.0, 1e-12) == pytest.approx(special.fdtrc(2.0, 10.0, 1e-12),
                                                         rel=1e-15)
    grid = f_survival(np.array([[1.0], [4.0]]), 200.0, np.array([0.5, 2.0, 8.0]))
    assert grid.shape == (2, 3)
    np.testing.assert_allclose(grid, special.fdtrc([[1.0], [4.0]], 200.0, [0.5, 2.0, 8.0]),
                               rtol=1e-12)


def test_estimation_and_group_tests_do_not_import_scipy():
    code = "import analysis.estimation, analysis.group_tests, analysis.distributions"
    assert packages_loaded(code, ("scipy",)) == set()
