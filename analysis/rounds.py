"""Change between two survey rounds, honest at 0 % and 100 %.

A share of 0 % has a linearised standard error of 0, so a Wald interval ``diff ± z·se``
treats that round as exact: 0/20 then 4/20 would look like a certain rise (p = 0.03) while
Fisher's exact test gives p = 0.11. The change interval here is Newcombe's hybrid (MOVER):
it is built from each round's own confidence interval – the logit interval with the t
reference of the single-round intervals, and at 0 or 1 the exact bound from the effective
sample size – so it is valid wherever those are. The p-value is the interval inverted: the
largest ``alpha`` at which the ``1 - alpha`` interval still contains 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._cells import OVERALL
from .errors import AnalysisError
from .estimation import logit_ci
from .group_tests import benjamini_hochberg
from .ranking import RankingResult

__all__ = ["CHANGE_COLUMNS", "compare_rounds", "newcombe_interval"]

CHANGE_COLUMNS = [
    "group", "item", "share_previous", "share_current", "change", "ci_low", "ci_high",
    "p_value", "p_adjusted", "significant", "suppressed",
]
# Bisection steps on log(alpha) when inverting the interval: 30 halvings of [1e-16, 1]
# leave the p-value within 2e-8 of itself (relative), more digits than anyone reads or the
# Benjamini–Hochberg step can use; each step costs a t quantile per row and round.
_INVERSION_STEPS = 30


def newcombe_interval(
    p1: np.ndarray, low1: np.ndarray, high1: np.ndarray,
    p2: np.ndarray, low2: np.ndarray, high2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Interval for ``p2 - p1`` from each proportion's own interval (Newcombe's method 10).

    ``low = d - sqrt((p2 - low2)² + (high1 - p1)²)`` and
    ``high = d + sqrt((high2 - p2)² + (p1 - low1)²)`` with ``d = p2 - p1``: the "method of
    variance estimates recovery", exact for Wilson intervals in Newcombe's paper and valid
    for any interval that is valid at the edges.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.
    Zou, G. Y. and Donner, A. (2008). Construction of confidence limits about effect measures:
    a general approach. Statistics in Medicine 27, 1693-1702.
    """
    d = np.asarray(p2, dtype=float) - np.asarray(p1, dtype=float)
    low = d - np.sqrt((p2 - low2) ** 2 + (high1 - p1) ** 2)
    high = d + np.sqrt((high2 - p2) ** 2 + (p1 - low1) ** 2)
    return low, high


def compare_rounds(
    previous: RankingResult, current: RankingResult, alpha: float = 0.05
) -> pd.DataFrame:
    """Change in share per group and item between two survey rounds.

    The rounds are independent samples. The interval is :func:`newcombe_interval` of the
    two rounds' own ``1 - alpha`` intervals, recomputed from each row's share, SE, answers
    (t with ``n - 1`` degrees of freedom) and Kish ``n_eff`` exactly as the single-round
    intervals are. Rows where either round is withheld (or the item is missing from one
    round) keep no estimate and are marked ``suppressed``.

    Many changes are tested at once (17 problems overall, and again in every age group), so
    ``significant`` uses Benjamini–Hochberg adjusted p-values: one family for the overall
    rows, one for all group rows together – otherwise about one problem in twenty would look
    changed by chance alone.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`.
    """
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1, got {alpha}")
    keep = ["group", "item", "share", "se", "n", "n_eff_kish", "suppressed"]
    both = previous.table[keep].merge(current.table[keep], on=["group", "item"], how="outer",
                                      suffixes=("_previous", "_current"))
    suppressed = ~(both["suppressed_previous"].eq(False) & both["suppressed_current"].eq(False))
    rounds = [_RoundShares(both, "previous"), _RoundShares(both, "current")]
    change = rounds[1].share - rounds[0].share
    low, high = _change_interval(rounds, alpha)
    p_value = _inverted_p_value(rounds)
    out = pd.DataFrame({
        "group": both["group"], "item": both["item"],
        "share_previous": rounds[0].share, "share_current": rounds[1].share,
        "change": change, "ci_low": low, "ci_high": high,
        "p_value": p_value, "p_adjusted": np.nan, "significant": False,
        "suppressed": suppressed,
    })
    estimates = ["share_previous", "share_current", "change", "ci_low", "ci_high", "p_value"]
    out.loc[suppressed, estimates] = np.nan
    for family in (out["group"] == OVERALL, out["group"] != OVERALL):
        out.loc[family, "p_adjusted"] = benjamini_hochberg(out.loc[family, "p_value"].to_numpy())
    out["significant"] = out["p_adjusted"] < alpha
    order = {g: i for i, g in enumerate([OVERALL, *current.groups, *previous.groups])}
    out = out.assign(_g=out["group"].map(order)).sort_values(["_g", "item"], kind="stable")
    return out.drop(columns="_g").reset_index(drop=True)[CHANGE_COLUMNS]


class _RoundShares:
    """One round's columns of the merged table, as float arrays."""

    def __init__(self, both: pd.DataFrame, which: str) -> None:
        self.share = both[f"share_{which}"].to_numpy(dtype=float, na_value=np.nan)
        self.se = both[f"se_{which}"].to_numpy(dtype=float, na_value=np.nan)
        self.df = both[f"n_{which}"].to_numpy(dtype=float, na_value=np.nan) - 1
        self.n_eff = both[f"n_eff_kish_{which}"].to_numpy(dtype=float, na_value=np.nan)

    def interval(self, alpha: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return logit_ci(self.share, self.se, self.df, alpha, n_eff=self.n_eff)


def _change_interval(rounds: list[_RoundShares], alpha: float | np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    first, second = rounds
    return newcombe_interval(first.share, *first.interval(alpha),
                             second.share, *second.interval(alpha))


def _inverted_p_value(rounds: list[_RoundShares]) -> np.ndarray:
    """The ``alpha`` at which the change interval's nearer end touches 0 (two-sided)."""
    size = len(rounds[0].share)
    lo, hi = np.full(size, np.log(1e-16)), np.zeros(size)
    for _ in range(_INVERSION_STEPS):
        mid = (lo + hi) / 2
        low, high = _change_interval(rounds, np.exp(mid))
        excludes = (low > 0) | (high < 0)
        # The interval narrows as alpha grows: once it excludes 0, p is below this alpha.
        hi = np.where(excludes, mid, hi)
        lo = np.where(excludes, lo, mid)
    p = np.exp((lo + hi) / 2)
    no_change = rounds[1].share == rounds[0].share
    p = np.where(no_change, 1.0, p)
    return np.where(np.isnan(rounds[0].share) | np.isnan(rounds[1].share), np.nan, p)
