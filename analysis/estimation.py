"""Design-based estimates from cell counts, with calibration-aware Taylor linearisation.

Answers are categorical and weights are constant within a weighting cell, so every
respondent in the same *fine cell* (weighting cell × reporting group) who gave the same
code has the same linearised value. All sums over respondents therefore reduce to sums
over cell counts: the cost after aggregation does not depend on the number of answers.

For a ratio mean ``ȳ = Σ w d y / Σ w d`` over domain ``d`` the linearised value of a
respondent is ``v = d (y - ȳ) / Σ w d``. Calibration is accounted for as in R's
``survey`` package (``svyrecvar``): ``v`` is replaced by its residual within the
post-strata (a mean weighted by the weights before calibration), or, for raking, by
alternately centring it within each margin (ten sweeps), and the variance is
``Σ_h (1 - f_h) n_h/(n_h-1) Σ_{i∈h} (e_i - ē_h)²`` with ``e = w (v - a)`` over *all*
respondents, domain estimates included (zero outside the domain before calibration), as R
does for subsets of calibrated designs. Open rounds are one stratum with ``f = 0``; a
sampled round has its sampling strata and fractions (:mod:`analysis.sampling`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .distributions import t_quantile
from .weighting import WeightingResult

__all__ = ["CellDesign", "ItemEstimates", "build_design", "estimate_means", "logit_ci"]

# R's svyrecvar iterates the raking residuals a fixed ten times.
RAKE_RESIDUAL_SWEEPS = 10


@dataclass(frozen=True)
class CellDesign:
    """Fine cells and the calibration structure needed for linearisation.

    Attributes
    ----------
    n : float
        Respondents in the whole sample.
    weight, size : numpy.ndarray
        Weight and number of respondents of each fine cell.
    group : numpy.ndarray
        Reporting-group code of each fine cell.
    calibration : str
        ``"none"``, ``"poststratify"`` or ``"rake"``.
    strata : numpy.ndarray
        Post-stratum of each fine cell.
    margins : tuple of numpy.ndarray
        Raking margin category of each fine cell, one array per margin.
    start : numpy.ndarray
        Weight of each fine cell before calibration.
    sampling_stratum : numpy.ndarray
        Sampling stratum of each fine cell.
    fraction : numpy.ndarray
        Sampling fraction of each sampling stratum (0: no finite population correction).
    """

    n: float
    weight: np.ndarray
    size: np.ndarray
    group: np.ndarray
    calibration: str
    strata: np.ndarray
    margins: tuple[np.ndarray, ...]
    start: np.ndarray
    sampling_stratum: np.ndarray
    fraction: np.ndarray

    @property
    def stratum_size(self) -> np.ndarray:
        """Respondents in each sampling stratum."""
        return np.bincount(self.sampling_stratum, weights=self.size,
                           minlength=len(self.fraction))

    @property
    def df(self) -> float:
        """Degrees of freedom of the design: respondents minus sampling strata."""
        return self.n - len(self.fraction)

    def domain_df(self, counts: np.ndarray) -> np.ndarray:
        """Degrees of freedom of subsets with ``counts`` respondents per fine cell (shape
        (s, J)), as R's ``degf`` of a subset: respondents minus strata they fall in."""
        per_stratum = _group_sum(counts, self.sampling_stratum, len(self.fraction))
        return counts.sum(axis=1) - (per_stratum > 0).sum(axis=1)

    def offsets(self, sums: np.ndarray) -> np.ndarray:
        """Per-cell calibration offsets ``a`` for linearised values with cell sums ``sums``.

        ``sums`` has shape ``(s, J)``: statistic × fine cell.
        """
        if self.calibration == "poststratify":
            # R's postStratify centres within post-strata with the weights it started from.
            k = int(self.strata.max()) + 1
            num = _group_sum(sums * self.start, self.strata, k)
            den = np.bincount(self.strata, weights=self.size * self.start, minlength=k)
            return (num / den)[:, self.strata]
        a = np.zeros_like(sums)
        if self.calibration == "rake":
            # R's raking residuals are plain means of v within each margin category, whatever
            # the starting weights.
            for _ in range(RAKE_RESIDUAL_SWEEPS):
                for codes in self.margins:
                    k = int(codes.max()) + 1
                    resid = _group_sum(sums - self.size * a, codes, k)
                    den = np.bincount(codes, weights=self.size, minlength=k)
                    a = a + (resid / den)[:, codes]
        return a

    def variance(self, sums: np.ndarray, squares: np.ndarray) -> np.ndarray:
        """Variances of statistics with per-cell sums of ``v`` and of ``v²`` (shape (s, J))."""
        a = self.offsets(sums)
        w, m = self.weight, self.size
        k = len(self.fraction)
        total = _group_sum(w * (sums - m * a), self.sampling_stratum, k)
        total_sq = _group_sum(w * w * (squares - 2 * a * sums + m * a * a),
                              self.sampling_stratum, k)
        n_h = self.stratum_size
        within = np.maximum(total_sq - total * total / n_h, 0.0)
        return (within * self._scale(n_h)).sum(axis=1)

    def _scale(self, n_h: np.ndarray) -> np.ndarray:
        """``(1 - f_h) n_h / (n_h - 1)`` per sampling stratum."""
        return (1 - self.fraction) * n_h / (n_h - 1)

    def covariance(self, sums: np.ndarray, products: np.ndarray) -> np.ndarray:
        """Covariance matrix from cell sums ``(s, J)`` and cross-products ``(s, t, J)``."""
        a = self.offsets(sums)
        w2 = self.weight**2
        m = self.size
        k = len(self.fraction)
        onehot = np.zeros((len(m), k))
        onehot[np.arange(len(m)), self.sampling_stratum] = 1.0
        total = (self.weight * (sums - m * a)) @ onehot  # (s, H)
        cross = (
            np.einsum("j,stj,jh->sth", w2, products, onehot)
            - np.einsum("j,sj,tj,jh->sth", w2, sums, a, onehot)
            - np.einsum("j,sj,tj,jh->sth", w2, a, sums, onehot)
            + np.einsum("j,sj,tj,jh->sth", w2 * m, a, a, onehot)
        )
        n_h = self.stratum_size
        within = cross - np.einsum("sh,th->sth", total, total) / n_h
        return within @ self._scale(n_h)


def _group_sum(values: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    onehot = np.zeros((len(codes), k))
    onehot[np.arange(len(codes)), codes] = 1.0
    return values @ onehot


def build_design(
    weighting: WeightingResult, group_of_row: np.ndarray, n_groups: int
) -> tuple[CellDesign, np.ndarray]:
    """Fine cells (weighting cell × group) and the fine cell of each row.

    Returns
    -------
    design : CellDesign
    fine_of_row : numpy.ndarray
        Fine-cell code of each input row (int64).
    """
    raw = weighting.cell_of_row * n_groups + group_of_row
    size_all = np.bincount(raw, minlength=len(weighting.cells) * n_groups)
    present = size_all > 0
    used = np.flatnonzero(present)
    fine_of_row = (np.cumsum(present) - 1)[raw]
    wcell = used // n_groups
    rows_per_cell = np.bincount(weighting.cell_of_row, minlength=len(weighting.cells))
    # For aggregated input a row may stand for several respondents.
    per_row = weighting.cells["n"].astype(float) / np.maximum(rows_per_cell, 1)
    size = size_all[used] * per_row[wcell]
    strata = (weighting.poststrata[wcell] if weighting.poststrata is not None
              else np.zeros(len(used), dtype=np.int64))
    strata = np.unique(strata, return_inverse=True)[1]
    margins = tuple(np.unique(m[wcell], return_inverse=True)[1] for m in weighting.margins)
    fraction = np.zeros(1) if weighting.strata is None else weighting.strata.fraction
    design = CellDesign(
        n=weighting.n, weight=weighting.cell_weights[wcell], size=size,
        group=used % n_groups, calibration=weighting.method, strata=strata, margins=margins,
        start=weighting.start_weights[wcell], sampling_stratum=weighting.cell_strata[wcell],
        fraction=fraction,
    )
    return design, fine_of_row


@dataclass(frozen=True)
class ItemEstimates:
    """Weighted means over valid answers for several items in one domain (arrays per item)."""

    n: np.ndarray
    n_eff: np.ndarray
    total_weight: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    df: np.ndarray


def estimate_means(
    design: CellDesign, counts: np.ndarray, scores: np.ndarray, domain: np.ndarray
) -> ItemEstimates:
    """Weighted mean of ``scores`` over valid answers in a domain, with linearised SE.

    Parameters
    ----------
    design : CellDesign
    counts : numpy.ndarray
        Shape ``(I, J, C)``: respondents per item, fine cell and answer code.
    scores : numpy.ndarray
        Shape ``(C,)`` or ``(I, C)``: value of each code; NaN marks codes that are not valid
        answers (``vet ej``, missing), which are left out.
    domain : numpy.ndarray
        Boolean per fine cell.

    Returns
    -------
    ItemEstimates
        Means are NaN where the domain has no valid answer.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2 and 7.
    Särndal, C.-E., Swensson, B. and Wretman, J. (1992). Model Assisted Survey Sampling.
    Springer, section 5.6 (ratio estimators) and ch. 7 (post-stratification).
    """
    scores = np.broadcast_to(np.asarray(scores, dtype=float), counts.shape[::2])
    valid = ~np.isnan(scores)
    y = np.where(valid, scores, 0.0)
    d = domain.astype(float)
    valid_counts = (counts * valid[:, None, :]).sum(axis=2) * d  # (I, J)
    w = design.weight
    total_w = valid_counts @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = ((counts * y[:, None, :]).sum(axis=2) * d) @ w / total_w
        dev = (y - mean[:, None]) * valid  # (I, C)
        v_sum = (counts * dev[:, None, :]).sum(axis=2) * d / total_w[:, None]
        v_sq = (counts * (dev**2)[:, None, :]).sum(axis=2) * d / (total_w**2)[:, None]
    ok = total_w > 0
    se = np.full(len(mean), np.nan)
    if ok.any():
        se[ok] = np.sqrt(design.variance(v_sum[ok], v_sq[ok]))
    n_valid = valid_counts.sum(axis=1)
    sq = valid_counts @ (w * w)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(sq > 0, total_w**2 / sq, 0.0)
    return ItemEstimates(n=n_valid, n_eff=n_eff, total_weight=total_w,
                         estimate=np.where(ok, mean, np.nan), se=se,
                         df=design.domain_df(valid_counts))


def logit_ci(
    p: np.ndarray, se: np.ndarray, df: np.ndarray, alpha: float | np.ndarray = 0.05,
    n_eff: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a proportion formed on the logit scale.

    ``logit(p) ± t_{df, 1-α/2} · se / (p(1-p))``, back-transformed; this is R's
    ``svyciprop(method = "logit")`` with ``df = degf(design)``. At ``p = 0`` or ``1`` the
    logit is undefined and the linearised SE is 0; there the interval is the exact
    Clopper–Pearson one-sided bound ``1 - (α/2)^(1/n)`` with ``n`` the effective sample size
    (Kish's ``n_eff``, which the weights make smaller than the number of answers), so a group
    where nobody chose an answer still gets an honest upper limit. ``alpha`` may be an array
    (broadcast against ``p``), which :mod:`analysis.rounds` uses to invert intervals.

    References
    ----------
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. Survey Methodology 24.
    """
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    df = np.asarray(df, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    q = t_quantile(np.maximum(df, 1), 1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        centre = np.log(p / (1 - p))
        half = q * se / (p * (1 - p))
        low = 1 / (1 + np.exp(-(centre - half)))
        high = 1 / (1 + np.exp(-(centre + half)))
    nobs = np.maximum(df + 1 if n_eff is None else np.asarray(n_eff, dtype=float), 1)
    edge_high = 1 - (alpha / 2) ** (1 / nobs)
    low = np.where(p <= 0, 0.0, np.where(p >= 1, (alpha / 2) ** (1 / nobs), low))
    high = np.where(p <= 0, edge_high, np.where(p >= 1, 1.0, high))
    missing = np.isnan(p) | np.isnan(se)
    return np.where(missing, np.nan, low), np.where(missing, np.nan, high)
