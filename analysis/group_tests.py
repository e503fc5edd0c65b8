"""Do groups differ, and do they agree on the order? Design-aware tests on summaries.

:func:`group_differences` tests every item across the shown groups (Rao–Scott, then
Benjamini–Hochberg over the items) and :func:`concordance` measures how alike the groups
order the items (Kendall's W); both work on the cell counts and the ranking table that
:func:`analysis.rank_items` builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._cells import OVERALL
from .columns import Columns
from .distributions import f_survival
from .estimation import CellDesign
from .notes import Note

__all__ = [
    "DIFFERENCE_COLUMNS",
    "RaoScottResult",
    "average_ranks",
    "benjamini_hochberg",
    "concordance",
    "group_differences",
    "kendalls_w",
    "rao_scott_test",
]

DIFFERENCE_COLUMNS = [
    "item", "groups_tested", "statistic", "df", "ddf", "p_value", "p_adjusted", "significant",
]


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
    p_value = float(f_survival(d0, d0 * design_df, statistic))
    return RaoScottResult(statistic, d0, d0 * design_df, p_value, chisq)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate); NaN stays NaN.

    Over the m p-values that exist, sorted ascending: ``p_(i) · m / i``, made monotone from
    the largest down and capped at 1 – the step-up procedure as ``p.adjust(method = "BH")``
    and ``scipy.stats.false_discovery_control`` compute it (the tests compare with scipy).
    Computed here because importing ``scipy.stats`` costs more than a whole ranking.

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B
    57(1), 289-300.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    present = p[ok]
    m = present.size
    if m:
        order = np.argsort(present, kind="stable")
        scaled = present[order] * m / np.arange(1, m + 1)
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
        out[ok] = adjusted
    return out


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n along the last axis, ties sharing the average of their ranks.

    What ``scipy.stats.rankdata(values, axis=-1)`` returns for finite values (the tests
    compare with it); NaN is refused, since no caller has an order for a missing value.
    """
    x = np.asarray(values, dtype=float)
    if np.isnan(x).any():
        raise ValueError("average_ranks: NaN has no rank")
    rows = x.reshape(-1, x.shape[-1])
    out = np.empty(rows.shape)
    for row, dest in zip(rows, out, strict=True):
        order = np.argsort(row, kind="stable")
        ordered = row[order]
        n = ordered.size
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], n]  # one past each run of equal values
        # A run at positions s..e-1 (0-based) holds ranks s+1..e, whose mean is (s+1+e)/2.
        dest[order] = np.repeat((starts + 1 + ends) / 2, ends - starts)
    return out.reshape(x.shape)


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
    ranks = average_ranks(x)
    totals = ranks.sum(axis=0)
    s = float(((totals - totals.mean()) ** 2).sum())
    ties = 0.0
    for row in ranks:
        _, t = np.unique(row, return_counts=True)
        ties += float((t**3 - t).sum())
    denom = m**2 * (n**3 - n) - m * ties
    return s * 12 / denom if denom > 0 else np.nan


def group_differences(
    design: CellDesign, counts: np.ndarray, share_scores: np.ndarray, items: Sequence[str],
    groups: Sequence[str], table: Columns, alpha: float, df: float,
) -> Columns:
    """Per item, the Rao–Scott test across the groups shown for it, BH-adjusted over items.

    Withheld groups (``table["suppressed"]``) take no part, so no test result rests on them.
    ``df`` is the degrees of freedom of the respondents the groups are of: all of them
    (``design.df``), or a domain's respondents minus the sampling strata they fall in (R's
    ``degf`` of a subset).
    Returns :data:`DIFFERENCE_COLUMNS`.
    """
    n_valid = len(share_scores) - 2
    outcome = np.stack([share_scores[:n_valid], 1 - share_scores[:n_valid]])  # (2, V)
    position = {g: k for k, g in enumerate(groups)}
    shown = (table["group"] != OVERALL) & ~table["suppressed"]
    tested = np.zeros(len(items), dtype=np.int64)
    figures = np.full((4, len(items)), np.nan)  # statistic, df, ddf, p_value
    for i, item in enumerate(items):
        kept = sorted(position[g] for g in table["group"][shown & (table["item"] == item)])
        tested[i] = len(kept)
        if len(kept) >= 2:
            result = _rao_scott_item(design, counts[i, :, :n_valid], outcome, kept, df)
            figures[:, i] = (result.statistic, result.df, result.ddf, result.p_value)
    adjusted = benjamini_hochberg(figures[3])
    with np.errstate(invalid="ignore"):
        significant = adjusted < alpha
    return Columns({"item": np.array(items, dtype=object), "groups_tested": tested,
                    "statistic": figures[0], "df": figures[1], "ddf": figures[2],
                    "p_value": figures[3], "p_adjusted": adjusted, "significant": significant})


def _rao_scott_item(design: CellDesign, valid_counts: np.ndarray, outcome: np.ndarray,
                    kept: list[int], df: float):
    """Rao–Scott test of group × (positive / not) among valid answers of one item."""
    in_group = np.stack([design.group == g for g in kept]).astype(float)  # (R, J)
    domain = in_group.sum(axis=0)
    rows, cols = len(kept), outcome.shape[0]
    # Indicator of statistic s = r + R c for cell j and code k.
    ind = (in_group[None, :, :, None] * outcome[:, None, None, :]).reshape(rows * cols, -1,
                                                                           outcome.shape[1])
    n_jk = valid_counts * domain[:, None]
    w = design.weight
    total_w = float((n_jk.sum(axis=1)) @ w)
    p = np.einsum("sjk,jk,j->s", ind, n_jk, w) / total_w
    v = (ind - p[:, None, None]) * (domain[None, :, None] > 0) / total_w
    sums = np.einsum("jk,sjk->sj", n_jk, v)
    products = np.einsum("jk,sjk,tjk->stj", n_jk, v, v)
    cov = design.covariance(sums, products)
    return rao_scott_test(p, cov, (rows, cols), float(n_jk.sum()), df)


def concordance(table: Columns, items: Sequence[str], groups: Sequence[str]
                ) -> tuple[float | None, Note | None]:
    """Kendall's W of the groups' orders of the items, and a note when it is partial.

    Groups withheld for every item are left out; items withheld in some remaining group
    are left out (and counted in the note).
    """
    if len(groups) < 2:
        return None, None
    row_of = {g: k for k, g in enumerate(groups)}
    column_of = {item: k for k, item in enumerate(items)}
    wide = np.full((len(groups), len(items)), np.nan)
    for group, item, share in zip(table["group"], table["item"], table["share"], strict=True):
        if group != OVERALL:
            wide[row_of[group], column_of[item]] = share
    # A group withheld entirely says nothing about the order; leave it out, not the items.
    wide = wide[~np.isnan(wide).all(axis=1)]
    complete = ~np.isnan(wide).any(axis=0) if len(wide) else np.zeros(len(items), dtype=bool)
    dropped = len(items) - int(complete.sum())
    if complete.sum() < 2 or len(wide) < 2:
        return None, Note("Kendalls W kunde inte beräknas: för få grupper eller frågor med "
                          "skattningar.", "Kendall's W not computed: too few groups or items "
                          "with estimates.")
    w = kendalls_w(-wide[:, complete])
    note = None
    if dropped:
        note = Note(f"Kendalls W bygger på {int(complete.sum())} frågor; {dropped} saknar "
                    "skattning i någon grupp.", f"Kendall's W uses {int(complete.sum())} items; "
                    f"{dropped} are withheld in some group.")
    return float(w), note
