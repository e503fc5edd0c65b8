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

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ._cells import factorize_columns, natural_key, number_or_nan
from .columns import Columns
from .errors import AnalysisError
from .notes import Note
from .population import tidy_population
from .rounding import whole_percent
from .sampling import StrataDesign, StratifiedSample

if TYPE_CHECKING:
    import pandas as pd

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
    cells : Columns
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
    cells: Columns
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
        return self.cells["weight"].astype(float)

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
        return self.cells["sampling_stratum"].astype(np.int64)


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
    data: Columns | pd.DataFrame, *, counts: str | None = None,
    sample: StratifiedSample | None = None,
) -> WeightingResult:
    """No calibration: all weights 1, or a sampled round's ``N_h / r_h``."""
    data = Columns.of(data)
    n_row = _row_counts(data, counts)
    if sample is None:
        cells = Columns({"n": [float(n_row.sum())], "weight": [1.0]})
        return _result(np.zeros(len(data), dtype=np.int64), cells, "none", [], n_row)
    cell_of_row, cells, strata = _cells(data, [], n_row, sample)
    cells["weight"] = strata.start_weight[cells["sampling_stratum"]]
    return _result(cell_of_row, cells, "none", [], n_row, strata=strata)


def poststratify_weights(
    data: Columns | pd.DataFrame,
    population: Columns | pd.DataFrame,
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
    data : Columns or pandas.DataFrame
        Respondents (or aggregated rows, see ``counts``) with the ``by`` columns.
    population : Columns or pandas.DataFrame
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
    data = Columns.of(data)
    _require_columns(data, by)
    pop = tidy_population(Columns.of(population), by)
    n_row = _row_counts(data, counts)
    cell_of_row, cells, strata = _cells(data, by, n_row, sample)
    _check_levels(cells, pop, by)
    people_of = dict(zip(_keys(pop, by), pop["count"].tolist(), strict=True))
    cell_keys = _keys(cells, by)
    for key in cell_keys:
        if not people_of.get(key, 0) > 0:
            cell = _cell_text(key, by)
            raise AnalysisError(
                f"the data have cell {cell} which the population table lacks / data har "
                f"cellen {cell} som saknas i befolkningstabellen")
    # Population cells without respondents take part in collapsing so that their people are
    # still represented by a neighbouring band.
    answered: dict[tuple[str, ...], float] = {}
    for key, n in zip(cell_keys, cells["n"].tolist(), strict=True):
        answered[key] = answered.get(key, 0.0) + n
    full = [key for key in _keys(pop, by) if people_of[key] > 0]
    stratum_of, notes = _collapse(full, [answered.get(k, 0.0) for k in full], by,
                                  collapse_by, min_cell)
    code = np.array([stratum_of[k] for k in cell_keys], dtype=np.int64)
    start = (np.ones(len(cells)) if strata is None
             else strata.start_weight[cells["sampling_stratum"]])
    people = np.zeros(max(stratum_of.values()) + 1)
    np.add.at(people, [stratum_of[k] for k in full], [people_of[k] for k in full])
    started = np.bincount(code, weights=start * cells["n"], minlength=len(people))
    cells["count"] = np.array([people_of[k] for k in cell_keys], dtype=float)
    cells["stratum"] = code
    cells["weight"] = start * (people / started)[code]
    return _result(cell_of_row, cells, "poststratify", notes, n_row, poststrata=code,
                   strata=strata)


def rake_weights(
    data: Columns | pd.DataFrame,
    population: Columns | pd.DataFrame,
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
    data = Columns.of(data)
    _require_columns(data, by)
    pop = tidy_population(Columns.of(population), by)
    _require_every_cell(pop, by)
    n_row = _row_counts(data, counts)
    cell_of_row, cells, strata = _cells(data, by, n_row, sample)
    n_cell = cells["n"].astype(float)
    _check_levels(cells, pop, by)
    margins: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for var in by:
        levels = sorted(set(pop[var].tolist()))
        position = {level: k for k, level in enumerate(levels)}
        target = np.zeros(len(levels))
        np.add.at(target, [position[v] for v in pop[var]], pop["count"])
        codes = np.array([position[v] for v in cells[var]], dtype=np.int64)
        zero = target[codes] <= 0
        if zero.any():
            raise AnalysisError(
                f"the data have {var}={cells[var][zero][0]!r} but its population count is 0"
            )
        margins.append(codes)
        targets.append(target)
    w = (np.ones(len(cells)) if strata is None
         else strata.start_weight[cells["sampling_stratum"]])
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
    n_cell = result.cells["n"].astype(float)
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
    cells: Columns,
    method: str,
    notes: list[Note],
    n_row: np.ndarray,
    *,
    poststrata: np.ndarray | None = None,
    margins: tuple[np.ndarray, ...] = (),
    iterations: int = 0,
    strata: StrataDesign | None = None,
) -> WeightingResult:
    w_cell = cells["weight"].astype(float)
    n_cell = cells["n"].astype(float)
    n = float(n_cell.sum())
    n_eff = kish_effective_n(w_cell, n_cell)
    return WeightingResult(
        weights=w_cell[cell_of_row], cells=cells, method=method, n=n, n_eff=n_eff,
        design_effect=n / n_eff if n_eff else np.nan, notes=notes, cell_of_row=cell_of_row,
        poststrata=poststrata, margins=margins, iterations=iterations, strata=strata,
    )


def _cells(
    data: Columns, by: Sequence[str], n_row: np.ndarray, sample: StratifiedSample | None
) -> tuple[np.ndarray, Columns, StrataDesign | None]:
    """Weighting cells with their respondents ``n``; in a sampled round each cell is a
    combination of ``by`` and the sampling stratum (column ``sampling_stratum``)."""
    if sample is None:
        cell_of_row, cells = factorize_columns(data, by)
        strata = None
    else:
        _require_columns(data, [sample.column])
        strata = sample.design(data.coded(sample.column), n_row)
        keyed = data.select(by).assign(sampling_stratum=strata.code_of_row)
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
    n_cell = result.cells["n"].astype(float)
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


def _row_counts(data: Columns, counts: str | None) -> np.ndarray:
    if counts is None:
        return np.ones(len(data))
    _require_columns(data, [counts])
    coded = data.coded(counts)
    lookup = np.array([number_or_nan(v) for v in coded.levels] + [np.nan])
    values = lookup[coded.codes]
    if np.isnan(values).any() or (values < 0).any():
        raise AnalysisError(f"column {counts!r} must hold non-negative numbers")
    return values


def _require_columns(data: Columns, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in data.columns:
            raise AnalysisError(
                f"unknown column {col!r}; the data have: {', '.join(map(str, data.columns))} / "
                f"okänd kolumn {col!r}"
            )


def _keys(table: Columns, by: Sequence[str]) -> list[tuple[str, ...]]:
    """Each row's values of ``by``, as the key of its cell."""
    return list(zip(*(table[c].tolist() for c in by), strict=True)) if by else [()]


def _check_levels(cells: Columns, pop: Columns, by: Sequence[str]) -> None:
    for var in by:
        in_data = set(cells[var].tolist())
        in_pop = set(pop[var].tolist())
        extra = sorted(in_data - in_pop, key=natural_key)
        if extra:
            raise AnalysisError(
                f"the data have {var}={extra[0]!r}, which the population table lacks / "
                f"data har {var}={extra[0]!r} som saknas i befolkningstabellen"
            )
        populated = set(pop[var][pop["count"] > 0].tolist())
        absent = sorted(populated - in_data, key=natural_key)
        if absent:
            raise AnalysisError(
                f"the population table has {var}={absent[0]!r}, which no response has; drop it "
                f"from the population table / befolkningstabellen har {var}={absent[0]!r} men "
                "inget svar har det"
            )


def _require_every_cell(pop: Columns, by: Sequence[str]) -> None:
    """Raking uses the margins of the population table; a missing row would silently shrink
    a margin (45–64 calibrated to the women alone), so every combination must be there."""
    if len(by) < 2:
        return
    present = set(_keys(pop, by))
    values = [list(dict.fromkeys(pop[c].tolist())) for c in by]
    missing = sorted(key for key in itertools.product(*values) if key not in present)
    if missing:
        cell = "(" + ", ".join(f"{c}={v}" for c, v in zip(by, missing[0], strict=True)) + ")"
        raise AnalysisError(
            f"the population table has no row for {cell}; raking would take the margins "
            f"without it – add the row (count 0 if nobody lives there) / befolkningstabellen "
            f"saknar raden {cell}")


def _cell_text(key: tuple[str, ...], by: Sequence[str]) -> str:
    return "(" + ", ".join(f"{c}={v}" for c, v in zip(by, key, strict=True)) + ")"


def _collapse(
    full: list[tuple[str, ...]], sizes_of: list[float], by: Sequence[str], band: str,
    min_cell: int,
) -> tuple[dict[tuple[str, ...], int], list[Note]]:
    """Post-stratum of each populated cell ``full`` (with ``sizes_of`` respondents): cells
    with fewer than ``min_cell`` merged along ``band``, within each combination of the
    other variables, in the order those first appear."""
    at = list(by).index(band)
    others = [c for c in by if c != band]
    parts: dict[tuple[str, ...], list[int]] = {}
    for i, key in enumerate(full):
        parts.setdefault(key[:at] + key[at + 1:], []).append(i)
    stratum_of: dict[tuple[str, ...], int] = {}
    notes: list[Note] = []
    next_id = 0
    for rest, members in parts.items():
        order = sorted(members, key=lambda i: natural_key(full[i][at]))
        segments = [[i] for i in order]
        sizes = [float(sizes_of[i]) for i in order]
        where = "" if not others else " (" + ", ".join(
            f"{c}={v}" for c, v in zip(others, rest, strict=True)) + ")"
        while len(segments) > 1 and min(sizes) < min_cell:
            small = int(np.argmin(sizes))
            neighbours = [j for j in (small - 1, small + 1) if 0 <= j < len(segments)]
            other = min(neighbours, key=lambda j: sizes[j])
            low, high = sorted((small, other))
            names = [full[i][at] for i in segments[small]]
            into = [full[i][at] for i in segments[other]]
            # The note says "fewer than", not the count: it is published with the results.
            notes.append(Note(
                f"Cellen {band}={'+'.join(names)}{where} hade färre än {min_cell} svar och "
                f"slogs ihop med {'+'.join(into)}.",
                f"Cell {band}={'+'.join(names)}{where} had fewer than {min_cell} answers and "
                f"was merged with {'+'.join(into)}."))
            segments[low:high + 1] = [segments[low] + segments[high]]
            sizes[low:high + 1] = [sizes[low] + sizes[high]]
        if min(sizes) < min_cell:
            place = ", ".join(f"{c}={v}" for c, v in zip(others, rest, strict=True)) or band
            raise AnalysisError(
                f"too few answers to post-stratify ({place}: {sizes[0]:.0f} < {min_cell}) and no "
                "neighbouring band to merge with; use method 'rake' / för få svar för "
                "efterstratifiering"
            )
        for seg in segments:
            for i in seg:
                stratum_of[full[i]] = next_id
            next_id += 1
    return stratum_of, notes
