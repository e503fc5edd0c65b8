"""Calibration weights: post-stratification, raking, trimming and their summaries.

Every respondent starts with weight 1 (a self-selected sample treated as simple random
sampling), or, in a sampled round, with ``N_h / r_h`` of their sampling stratum (see
:mod:`analysis.sampling`), and is calibrated to a population table. Weights depend only on
the weighting cell (× sampling stratum), so the work is done on cell counts and the cost
does not grow with the number of respondents. The result also carries the calibration
structure (post-strata or raking margins) that :mod:`analysis.estimation` needs for
Taylor-linearised standard errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ._cells import factorize_columns, natural_key
from .errors import AnalysisError
from .notes import Note
from .population import validate_population
from .rounding import whole_percent
from .sampling import StrataDesign, StratifiedSample

__all__ = [
    "WARN_DESIGN_EFFECT",
    "WARN_MAX_TO_MEAN",
    "WARN_SMALL_CELL_WEIGHT",
    "WeightDiagnostics",
    "WeightingResult",
    "TRIM_SHOWN_AT",
    "kish_effective_n",
    "poststratify_weights",
    "rake_weights",
    "trim_weights",
    "unit_weights",
    "weight_diagnostics",
]

# Past any of these the weights, not the answers, drive the estimates, and the dashboard
# warns. Rules of thumb from weighting practice (Kish 1992; Potter 1990 trims at a few times
# the mean): a design effect of 3 spends two thirds of the answers on correcting the sample.
WARN_MAX_TO_MEAN = 10.0
WARN_DESIGN_EFFECT = 3.0
WARN_SMALL_CELL_WEIGHT = 0.10
# Every weighted ranking also reports what trimming at this many times the mean weight would
# change (Potter 1990 trims at a few times the mean; 5 is a common choice), so that staff can
# judge whether to rerun with ``--trim``.
TRIM_SHOWN_AT = 5.0


@dataclass(frozen=True)
class WeightingResult:
    """Weights and how they were made.

    Attributes
    ----------
    weights : numpy.ndarray
        Weight of each input row (per respondent; for aggregated input, per respondent of
        that row).
    cells : pandas.DataFrame
        One row per weighting cell found in the data: the weighting variables, ``n``
        (respondents), ``weight`` and, when calibrated, ``stratum`` (the post-stratum after
        collapsing) and ``count`` (population).
    method : str
        ``"poststratify"``, ``"rake"`` or ``"none"``.
    n, n_eff, design_effect : float
        Respondents, Kish effective sample size and Kish design effect ``n / n_eff``.
    notes : list of Note
        Collapsed cells, trimming and convergence, in Swedish and English.
    cell_of_row : numpy.ndarray
        Index into ``cells`` for each input row.
    poststrata : numpy.ndarray or None
        Post-stratum code of each cell (post-stratification only).
    margins : tuple of numpy.ndarray
        For raking, the category code of each cell on each margin.
    iterations : int
        Raking sweeps used.
    strata : StrataDesign or None
        The sampling strata of a sampled round; each cell then lies in one stratum
        (``cells["sampling_stratum"]``) and starts from that stratum's weight.
    """

    weights: np.ndarray
    cells: pd.DataFrame
    method: str
    n: float
    n_eff: float
    design_effect: float
    notes: list[Note] = field(default_factory=list)
    cell_of_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    poststrata: np.ndarray | None = None
    margins: tuple[np.ndarray, ...] = ()
    iterations: int = 0
    strata: StrataDesign | None = None

    @property
    def cell_weights(self) -> np.ndarray:
        """Weight of each cell, aligned with :attr:`cells`."""
        return self.cells["weight"].to_numpy(dtype=float)

    @property
    def start_weights(self) -> np.ndarray:
        """Weight of each cell before calibration (1 unless the round was sampled)."""
        if self.strata is None:
            return np.ones(len(self.cells))
        return self.strata.start_weight[self.cell_strata]

    @property
    def cell_strata(self) -> np.ndarray:
        """Sampling stratum code of each cell (all 0 unless the round was sampled)."""
        if self.strata is None:
            return np.zeros(len(self.cells), dtype=np.int64)
        return self.cells["sampling_stratum"].to_numpy(dtype=np.int64)


def kish_effective_n(weights: np.ndarray, counts: np.ndarray | None = None) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``.

    Parameters
    ----------
    weights : array_like
        Weights, one per respondent or one per group of identical respondents.
    counts : array_like, optional
        How many respondents each weight stands for.

    References
    ----------
    Kish, L. (1965). Survey Sampling. Wiley, section 11.7.
    """
    w = np.asarray(weights, dtype=float)
    c = np.ones_like(w) if counts is None else np.asarray(counts, dtype=float)
    total_sq = float(np.dot(c, w * w))
    if total_sq == 0:
        return 0.0
    return float(np.dot(c, w)) ** 2 / total_sq


def unit_weights(
    data: pd.DataFrame, *, counts: str | None = None, sample: StratifiedSample | None = None
) -> WeightingResult:
    """No calibration: all weights 1, or a sampled round's ``N_h / r_h``."""
    n_row = _row_counts(data, counts)
    if sample is None:
        cells = pd.DataFrame({"n": [float(n_row.sum())], "weight": [1.0]})
        return _result(np.zeros(len(data), dtype=np.int64), cells, "none", [], n_row)
    cell_of_row, cells, strata = _cells(data, [], n_row, sample)
    cells["weight"] = strata.start_weight[cells["sampling_stratum"].to_numpy()]
    return _result(cell_of_row, cells, "none", [], n_row, strata=strata)


def poststratify_weights(
    data: pd.DataFrame,
    population: pd.DataFrame,
    by: Sequence[str],
    *,
    counts: str | None = None,
    min_cell: int = 5,
    collapse_by: str | None = None,
    sample: StratifiedSample | None = None,
) -> WeightingResult:
    """Post-stratify to the population cells of ``by``.

    The weight of a respondent in cell *c* is ``N_c / n_c``, or in a sampled round
    ``d · N_c / Σ_c d`` with ``d`` the respondent's starting weight. A cell with fewer than
    ``min_cell`` respondents (including none) is merged with the neighbouring band of
    ``collapse_by`` (default: the first variable of ``by``) that has the same values of the
    other variables, and the merge is reported in ``notes``.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondents (or aggregated rows, see ``counts``) with the ``by`` columns.
    population : pandas.DataFrame
        ``by`` columns and ``count``.
    by : sequence of str
        Weighting variables, e.g. ``("age_band", "gender")``.
    counts : str, optional
        Column of ``data`` giving how many respondents each row stands for.
    min_cell : int
        Smallest acceptable number of respondents in a post-stratum.
    collapse_by : str, optional
        Ordered variable along which tiny cells are merged with a neighbour.
    sample : StratifiedSample, optional
        The strata of a sampled round (see :mod:`analysis.sampling`).

    Raises
    ------
    AnalysisError
        Unknown column, negative counts, a level in the data the population lacks (or the
        reverse), or a tiny cell with no neighbour to merge with.

    References
    ----------
    Holt, D. and Smith, T. M. F. (1979). Post stratification. JRSS A 142(1), 33-46.
    Lumley, T. R package ``survey``, ``postStratify``.
    """
    by = list(by)
    collapse_by = by[0] if collapse_by is None else collapse_by
    if collapse_by not in by:
        raise AnalysisError(f"collapse_by {collapse_by!r} is not one of the weighting variables")
    _require_columns(data, by)
    pop = validate_population(population, by)
    n_row = _row_counts(data, counts)
    cell_of_row, cells, strata = _cells(data, by, n_row, sample)
    _check_levels(cells, pop, by)
    merged = cells.merge(pop, on=by, how="left", validate="many_to_one")
    lacking = merged["count"].isna() | (merged["count"] <= 0)
    if lacking.any():
        row = merged.loc[lacking].iloc[0]
        raise AnalysisError(
            "the data have cell " + _cell_text(row, by)
            + " which the population table lacks / data har cellen "
            + _cell_text(row, by) + " som saknas i befolkningstabellen"
        )
    # Population cells without respondents take part in collapsing so that their people are
    # still represented by a neighbouring band.
    answered = cells.groupby(by, sort=False, as_index=False)["n"].sum()
    full = pop.loc[pop["count"] > 0].merge(answered, on=by, how="left")
    full["n"] = full["n"].fillna(0.0)
    poststrata, notes = _collapse(full, by, collapse_by, min_cell)
    full["stratum"] = poststrata
    cells = cells.merge(full[[*by, "count", "stratum"]], on=by, how="left")
    start = (np.ones(len(cells)) if strata is None
             else strata.start_weight[cells["sampling_stratum"].to_numpy()])
    code = cells["stratum"].to_numpy(dtype=np.int64)
    people = full.groupby("stratum")["count"].sum().to_numpy()
    started = np.bincount(code, weights=start * cells["n"].to_numpy(), minlength=len(people))
    cells["weight"] = start * (people / started)[code]
    return _result(cell_of_row, cells, "poststratify", notes, n_row, poststrata=code,
                   strata=strata)


def rake_weights(
    data: pd.DataFrame,
    population: pd.DataFrame,
    by: Sequence[str],
    *,
    counts: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
    sample: StratifiedSample | None = None,
) -> WeightingResult:
    """Rake (iterative proportional fitting) to the one-way margins of each ``by`` variable.

    A sampled round's respondents start from their stratum's weight (``sample``, see
    :mod:`analysis.sampling`), everyone else from 1.

    Parameters
    ----------
    data, population, by, counts
        As for :func:`poststratify_weights`; only the margins of ``population`` are used.
    tol : float
        Stop when every weighted margin is within ``tol`` (relative) of its target.
    max_iter : int
        Largest number of sweeps over all margins.

    Raises
    ------
    AnalysisError
        Bad input as for :func:`poststratify_weights`, or no convergence within
        ``max_iter`` sweeps (the message gives the remaining gap).

    References
    ----------
    Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled
    frequency table when the expected marginal totals are known. Ann. Math. Statist. 11.
    Kalton, G. and Flores-Cervantes, I. (2003). Weighting methods. J. Official Statistics
    19(2), 81-97.
    """
    by = list(by)
    if tol <= 0 or max_iter < 1:
        raise AnalysisError("tol must be positive and max_iter at least 1")
    _require_columns(data, by)
    pop = validate_population(population, by)
    _require_every_cell(pop, by)
    n_row = _row_counts(data, counts)
    cell_of_row, cells, strata = _cells(data, by, n_row, sample)
    n_cell = cells["n"].to_numpy(dtype=float)
    _check_levels(cells, pop, by)
    margins: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for var in by:
        target = pop.groupby(var)["count"].sum()
        codes = pd.Categorical(cells[var], categories=target.index).codes.astype(np.int64)
        zero = target.to_numpy()[codes] <= 0
        if zero.any():
            raise AnalysisError(
                f"the data have {var}={cells[var].to_numpy()[zero][0]!r} but its population "
                "count is 0"
            )
        margins.append(codes)
        targets.append(target.to_numpy(dtype=float))
    w = (np.ones(len(cells)) if strata is None
         else strata.start_weight[cells["sampling_stratum"].to_numpy()])
    gap = np.inf
    sweeps = 0
    while sweeps < max_iter:
        sweeps += 1
        for codes, target in zip(margins, targets, strict=True):
            achieved = np.bincount(codes, weights=n_cell * w, minlength=len(target))
            w = w * (target / achieved)[codes]
        gap = max(
            float(np.max(np.abs(
                np.bincount(codes, weights=n_cell * w, minlength=len(target)) / target - 1
            )))
            for codes, target in zip(margins, targets, strict=True)
        )
        if gap < tol:
            break
    if gap >= tol:
        raise AnalysisError(
            f"raking did not converge in {max_iter} iterations (largest margin gap {gap:.2e}, "
            f"tolerance {tol:.0e}) / rakingen konvergerade inte på {max_iter} varv"
        )
    cells["weight"] = w
    notes = [Note(f"Raking konvergerade efter {sweeps} varv.",
                  f"Raking converged after {sweeps} sweeps.")]
    return _result(cell_of_row, cells, "rake", notes, n_row, margins=tuple(margins),
                   iterations=sweeps, strata=strata)


def trim_weights(
    result: WeightingResult, max_ratio: float, *, max_iter: int = 50
) -> WeightingResult:
    """Cap weights at ``max_ratio`` times the mean weight, keeping the weighted total.

    The excess is spread proportionally over the untrimmed cells and the cap re-applied
    until no weight exceeds it. Standard errors still use the calibration structure of
    ``result``, as R's ``trimWeights`` does; the trimmed weights no longer meet the
    population totals exactly, which the notes say.

    References
    ----------
    Potter, F. J. (1990). A study of procedures to identify and trim extreme sampling
    weights. Proc. Survey Research Methods Section, ASA, 225-230.
    """
    if max_ratio <= 1:
        raise AnalysisError(f"trimming ratio must be above 1, got {max_ratio}")
    n_cell = result.cells["n"].to_numpy(dtype=float)
    w = result.cell_weights.copy()
    total = float(np.dot(n_cell, w))
    cap = max_ratio * total / n_cell.sum()
    trimmed = np.zeros(len(w), dtype=bool)
    for _ in range(max_iter):
        over = (w > cap * (1 + 1e-12)) & (n_cell > 0)
        if not over.any():
            break
        trimmed |= over
        w[trimmed] = cap
        free = ~trimmed & (n_cell > 0)
        rest = total - float(np.dot(n_cell[trimmed], w[trimmed]))
        w[free] *= rest / float(np.dot(n_cell[free], w[free]))
    count = int(trimmed.sum())
    notes = list(result.notes)
    cells = result.cells.assign(weight=w)
    n_eff = kish_effective_n(w, n_cell)
    if count:
        before = _max_to_mean(result.cell_weights, n_cell)
        after = _max_to_mean(w, n_cell)
        deff = result.n / n_eff
        notes.append(Note(
            f"{count} viktceller trimmades till {cap:.1f} ({max_ratio} × medelvikten): största "
            f"vikten {before:.1f} → {after:.1f} × medel, designeffekt (Kish) "
            f"{result.design_effect:.2f} → {deff:.2f}. Befolkningstotalerna möts inte längre "
            "exakt.",
            f"{count} weighting cells trimmed to {cap:.1f} ({max_ratio} × mean weight): largest "
            f"weight {before:.1f} → {after:.1f} × mean, design effect (Kish) "
            f"{result.design_effect:.2f} → {deff:.2f}. The population totals are no longer met "
            "exactly."))
    return replace(result, weights=w[result.cell_of_row], cells=cells, notes=notes,
                   n_eff=n_eff, design_effect=result.n / n_eff)


def _result(
    cell_of_row: np.ndarray,
    cells: pd.DataFrame,
    method: str,
    notes: list[Note],
    n_row: np.ndarray,
    *,
    poststrata: np.ndarray | None = None,
    margins: tuple[np.ndarray, ...] = (),
    iterations: int = 0,
    strata: StrataDesign | None = None,
) -> WeightingResult:
    w_cell = cells["weight"].to_numpy(dtype=float)
    n_cell = cells["n"].to_numpy(dtype=float)
    n = float(n_cell.sum())
    n_eff = kish_effective_n(w_cell, n_cell)
    return WeightingResult(
        weights=w_cell[cell_of_row], cells=cells, method=method, n=n, n_eff=n_eff,
        design_effect=n / n_eff if n_eff else np.nan, notes=notes, cell_of_row=cell_of_row,
        poststrata=poststrata, margins=margins, iterations=iterations, strata=strata,
    )


def _cells(
    data: pd.DataFrame, by: Sequence[str], n_row: np.ndarray, sample: StratifiedSample | None
) -> tuple[np.ndarray, pd.DataFrame, StrataDesign | None]:
    """Weighting cells with their respondents ``n``; in a sampled round each cell is a
    combination of ``by`` and the sampling stratum (column ``sampling_stratum``)."""
    if sample is None:
        cell_of_row, cells = factorize_columns(data, by)
        strata = None
    else:
        _require_columns(data, [sample.column])
        strata = sample.design(data[sample.column], n_row)
        keyed = data[list(by)].assign(sampling_stratum=strata.code_of_row)
        cell_of_row, cells = factorize_columns(keyed, [*by, "sampling_stratum"])
        cells["sampling_stratum"] = cells["sampling_stratum"].astype(np.int64)
    cells["n"] = np.bincount(cell_of_row, weights=n_row, minlength=len(cells))
    return cell_of_row, cells, strata


@dataclass(frozen=True)
class WeightDiagnostics:
    """How far the weights are from equal, for every output to report.

    Attributes
    ----------
    max_to_mean : float
        Largest weight over the mean weight.
    design_effect : float
        Kish's design effect from the weights alone, ``n / n_eff``.
    n_eff : float
        Kish's effective sample size ``(Σw)² / Σw²``.
    small_cell_weight : float
        Share of all weight carried by respondents in weighting cells with fewer than
        ``min_n`` respondents: people whose own figures are withheld yet who move every
        published one.
    min_n : int
    """

    max_to_mean: float
    design_effect: float
    n_eff: float
    small_cell_weight: float
    min_n: int

    @property
    def warning(self) -> bool:
        """Past a threshold (:data:`WARN_MAX_TO_MEAN`, :data:`WARN_DESIGN_EFFECT`,
        :data:`WARN_SMALL_CELL_WEIGHT`)."""
        return (self.max_to_mean > WARN_MAX_TO_MEAN or self.design_effect > WARN_DESIGN_EFFECT
                or self.small_cell_weight > WARN_SMALL_CELL_WEIGHT)

    def note(self) -> Note:
        """The figures as a note (a warning when past a threshold)."""
        share = whole_percent(self.small_cell_weight)
        sv = (f"Största vikten är {self.max_to_mean:.1f} gånger medelvikten, designeffekten "
              f"(Kish) {self.design_effect:.2f}; {share} % av vikten ligger hos svarande i "
              f"viktceller med färre än {self.min_n} svar.")
        en = (f"The largest weight is {self.max_to_mean:.1f} times the mean weight, the design "
              f"effect (Kish) {self.design_effect:.2f}; {share} % of the weight is carried by "
              f"respondents in weighting cells with fewer than {self.min_n} answers.")
        if self.warning:
            sv = ("Varning: ett fåtal svarande väger mycket tungt och resultaten är osäkrare än "
                  "antalet svar antyder; överväg trimning av vikterna. " + sv)
            en = ("Warning: a few respondents weigh very heavily and the results are less "
                  "certain than the number of answers suggests; consider trimming the weights. "
                  + en)
        return Note(sv, en)


def weight_diagnostics(result: WeightingResult, min_n: int) -> WeightDiagnostics:
    """:class:`WeightDiagnostics` of a weighting, with ``min_n`` as the small-cell limit."""
    n_cell = result.cells["n"].to_numpy(dtype=float)
    w = result.cell_weights
    total = float(np.dot(n_cell, w))
    small = n_cell < min_n
    return WeightDiagnostics(
        max_to_mean=_max_to_mean(w, n_cell), design_effect=float(result.design_effect),
        n_eff=float(result.n_eff),
        small_cell_weight=float(np.dot(n_cell[small], w[small]) / total) if total else 0.0,
        min_n=int(min_n))


def _max_to_mean(w: np.ndarray, n_cell: np.ndarray) -> float:
    used = n_cell > 0
    mean = float(np.dot(n_cell, w) / n_cell.sum()) if n_cell.sum() else np.nan
    return float(w[used].max() / mean) if used.any() and mean else np.nan


def _row_counts(data: pd.DataFrame, counts: str | None) -> np.ndarray:
    if counts is None:
        return np.ones(len(data))
    _require_columns(data, [counts])
    values = pd.to_numeric(data[counts], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise AnalysisError(f"column {counts!r} must hold non-negative numbers")
    return values


def _require_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in data.columns:
            raise AnalysisError(
                f"unknown column {col!r}; the data have: {', '.join(map(str, data.columns))} / "
                f"okänd kolumn {col!r}"
            )


def _check_levels(cells: pd.DataFrame, pop: pd.DataFrame, by: Sequence[str]) -> None:
    for var in by:
        in_data = set(cells[var])
        in_pop = set(pop[var])
        extra = sorted(in_data - in_pop, key=natural_key)
        if extra:
            raise AnalysisError(
                f"the data have {var}={extra[0]!r}, which the population table lacks / "
                f"data har {var}={extra[0]!r} som saknas i befolkningstabellen"
            )
        populated = set(pop.loc[pop["count"] > 0, var])
        absent = sorted(populated - in_data, key=natural_key)
        if absent:
            raise AnalysisError(
                f"the population table has {var}={absent[0]!r}, which no response has; drop it "
                f"from the population table / befolkningstabellen har {var}={absent[0]!r} men "
                "inget svar har det"
            )


def _require_every_cell(pop: pd.DataFrame, by: Sequence[str]) -> None:
    """Raking uses the margins of the population table; a missing row would silently shrink
    a margin (45–64 calibrated to the women alone), so every combination must be there."""
    if len(by) < 2:
        return
    full = pd.MultiIndex.from_product([pop[c].unique() for c in by], names=list(by))
    present = pd.MultiIndex.from_frame(pop[list(by)])
    missing = full.difference(present)
    if len(missing):
        cell = "(" + ", ".join(f"{c}={v}" for c, v in zip(by, missing[0], strict=True)) + ")"
        raise AnalysisError(
            f"the population table has no row for {cell}; raking would take the margins "
            f"without it – add the row (count 0 if nobody lives there) / befolkningstabellen "
            f"saknar raden {cell}")


def _cell_text(row: pd.Series, by: Sequence[str]) -> str:
    return "(" + ", ".join(f"{c}={row[c]}" for c in by) + ")"


def _collapse(
    full: pd.DataFrame, by: Sequence[str], band: str, min_cell: int
) -> tuple[np.ndarray, list[str]]:
    others = [c for c in by if c != band]
    strata = np.full(len(full), -1, dtype=np.int64)
    notes: list[str] = []
    next_id = 0
    parts = list(full.groupby(others, sort=False)) if others else [((), full)]
    for key, part in parts:
        order = sorted(part.index, key=lambda i: natural_key(part.at[i, band]))
        segments = [[i] for i in order]
        sizes = [float(full.at[i, "n"]) for i in order]
        while len(segments) > 1 and min(sizes) < min_cell:
            small = int(np.argmin(sizes))
            neighbours = [j for j in (small - 1, small + 1) if 0 <= j < len(segments)]
            other = min(neighbours, key=lambda j: sizes[j])
            low, high = sorted((small, other))
            names = [str(full.at[i, band]) for i in segments[small]]
            into = [str(full.at[i, band]) for i in segments[other]]
            where = "" if not others else " (" + ", ".join(
                f"{c}={v}" for c, v in zip(others, np.atleast_1d(key), strict=True)) + ")"
            # The note says "fewer than", not the count: it is published with the results.
            notes.append(Note(
                f"Cellen {band}={'+'.join(names)}{where} hade färre än {min_cell} svar och "
                f"slogs ihop med {'+'.join(into)}.",
                f"Cell {band}={'+'.join(names)}{where} had fewer than {min_cell} answers and "
                f"was merged with {'+'.join(into)}."))
            segments[low:high + 1] = [segments[low] + segments[high]]
            sizes[low:high + 1] = [sizes[low] + sizes[high]]
        if min(sizes) < min_cell:
            where = ", ".join(f"{c}={v}" for c, v in zip(others, np.atleast_1d(key),
                                                        strict=True)) or band
            raise AnalysisError(
                f"too few answers to post-stratify ({where}: {sizes[0]:.0f} < {min_cell}) and no "
                "neighbouring band to merge with; use method 'rake' / för få svar för "
                "efterstratifiering"
            )
        for seg in segments:
            strata[seg] = next_id
            next_id += 1
    return strata, notes
