"""Do groups differ, and do they agree on the order? Design-aware tests on summaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["RaoScottResult", "benjamini_hochberg", "kendalls_w", "rao_scott_test"]


@dataclass(frozen=True)
class RaoScottResult:
    """Second-order Rao–Scott test of independence in a weighted two-way table.

    ``statistic`` is the F statistic ``X² / tr(Δ)`` with ``df`` and ``ddf`` (Satterthwaite)
    degrees of freedom; ``chisq`` is Pearson's X² on the weighted table scaled to ``nobs``.
    """

    statistic: float
    df: float
    ddf: float
    p_value: float
    chisq: float


def rao_scott_test(
    proportions: np.ndarray, covariance: np.ndarray, shape: tuple[int, int], nobs: float,
    design_df: float,
) -> RaoScottResult:
    """Rao–Scott corrected chi-square test for a weighted ``rows × cols`` table.

    Parameters
    ----------
    proportions : numpy.ndarray
        Estimated cell proportions (summing to 1), rows varying fastest.
    covariance : numpy.ndarray
        Design-based covariance matrix of ``proportions``.
    shape : tuple of int
        ``(rows, cols)``.
    nobs : float
        Unweighted number of observations in the table.
    design_df : float
        Design degrees of freedom (respondents minus one for this design).

    Returns
    -------
    RaoScottResult

    Notes
    -----
    Follows R's ``svychisq(statistic = "F")``: the generalised design effects ``Δ`` are
    taken on the interaction contrasts of the saturated log-linear model.

    References
    ----------
    Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency
    tables with cell proportions estimated from survey data. Ann. Statist. 12(1), 46-60.
    """
    rows, cols = shape
    p = np.asarray(proportions, dtype=float)
    table = p.reshape(cols, rows).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        chisq = float(nobs * np.nansum(np.where(expected > 0, (table - expected) ** 2 / expected,
                                                0.0)))
    r_idx = np.tile(np.arange(rows), cols)
    c_idx = np.repeat(np.arange(cols), rows)
    main = np.column_stack(
        [np.ones(rows * cols)]
        + [(r_idx == r).astype(float) for r in range(1, rows)]
        + [(c_idx == c).astype(float) for c in range(1, cols)]
    )
    inter = np.column_stack([(r_idx == r) & (c_idx == c) for r in range(1, rows)
                             for c in range(1, cols)]).astype(float)
    coef, *_ = np.linalg.lstsq(main, inter, rcond=None)
    contrasts = inter - main @ coef
    inv_p = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denom = contrasts.T @ (contrasts * (inv_p / nobs)[:, None])
    scaled = contrasts * inv_p[:, None]
    numer = scaled.T @ covariance @ scaled
    try:
        delta = np.linalg.solve(denom, numer)
    except np.linalg.LinAlgError:
        # A group with no answers in one outcome leaves the contrasts degenerate.
        return RaoScottResult(np.nan, np.nan, np.nan, np.nan, chisq)
    trace = float(np.trace(delta))
    if trace <= 0:
        return RaoScottResult(np.nan, np.nan, np.nan, np.nan, chisq)
    d0 = trace**2 / float(np.trace(delta @ delta))
    statistic = chisq / trace
    p_value = float(stats.f.sf(statistic, d0, d0 * design_df))
    return RaoScottResult(statistic, d0, d0 * design_df, p_value, chisq)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate); NaN stays NaN.

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B
    57(1), 289-300.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    order = np.argsort(p[ok])
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    out[ok] = result
    return out


def kendalls_w(scores: np.ndarray) -> float:
    """Kendall's coefficient of concordance W for ``raters × objects`` scores.

    Each row (a group) is ranked with ties averaged; W is 1 when all groups order the items
    the same way and 0 when there is no agreement. Tie-corrected.

    References
    ----------
    Kendall, M. G. and Babington Smith, B. (1939). The problem of m rankings. Ann. Math.
    Statist. 10(3), 275-287.
    """
    x = np.asarray(scores, dtype=float)
    m, n = x.shape
    if m < 2 or n < 2:
        raise ValueError("Kendall's W needs at least two raters and two objects")
    ranks = np.vstack([stats.rankdata(row) for row in x])
    totals = ranks.sum(axis=0)
    s = float(((totals - totals.mean()) ** 2).sum())
    ties = 0.0
    for row in ranks:
        _, t = np.unique(row, return_counts=True)
        ties += float((t**3 - t).sum())
    denom = m**2 * (n**3 - n) - m * ties
    return s * 12 / denom if denom > 0 else np.nan
