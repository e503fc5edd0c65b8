"""Ranking the problems residents see as biggest, with honest uncertainty.

:func:`rank_items` is the entry point for the CLI, the Flask command and notebooks. It
weights the responses, estimates per item overall and per group, ranks the items with
rank intervals, tests whether groups differ and withholds every estimate that rests on
fewer than ``min_n`` answers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ._cells import (
    OVERALL,
    answer_codes,
    cell_counts,
    domain_rows,
    group_codes,
    priority_codes,
)
from ._cells import pair_sums as compute_pair_sums
from .columns import Columns
from .disclosure import Withholding, withhold_groups
from .errors import AnalysisError
from .estimation import CellDesign, build_design, estimate_means, logit_ci
from .group_tests import DIFFERENCE_COLUMNS, concordance, group_differences
from .notes import Note
from .options import DEFAULT_SEED, METHODS
from .rounding import percent
from .sampling import StratifiedSample
from .weighting import (
    TRIM_SHOWN_AT,
    WeightDiagnostics,
    WeightingResult,
    poststratify_weights,
    rake_weights,
    trim_weights,
    unit_weights,
    weight_diagnostics,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DIFFERENCE_COLUMNS", "OVERALL", "RANKING_COLUMNS", "RankingResult", "TrimmingEffect",
           "rank_items"]

RANKING_COLUMNS = [
    "group", "item", "n", "n_eff_kish", "n_eff_design", "share", "se", "ci_low", "ci_high",
    "mean_score", "mean_se", "rank", "rank_low", "rank_high", "suppressed",
]
EXTRA_COLUMNS = ["dont_know_share", "missing_share", "priority_share", "priority_se"]
# Whole numbers that may be missing: NaN in :attr:`RankingResult.rows`, Int64 in its table.
INTEGER_COLUMNS = ("n", "rank", "rank_low", "rank_high")
# Everything a withheld row could give away, its number of answers included.
_WITHHELD = ["n", "n_eff_kish", "n_eff_design", "share", "se", "ci_low", "ci_high",
             "mean_score", "mean_se", "rank", "rank_low", "rank_high", "dont_know_share",
             "missing_share", "priority_share", "priority_se"]


# The trimming effect is reported for the problems a reader acts on: the top of the ranking.
TRIM_TOP = 3


@dataclass(frozen=True)
class TrimmingEffect:
    """What capping the weights at ``cap`` times the mean weight would change.

    Attributes
    ----------
    cap : float
        The cap, as a multiple of the mean weight (:data:`analysis.weighting.TRIM_SHOWN_AT`).
    cells_trimmed : int
        Weighting cells whose weight the cap lowers (0: trimming changes nothing).
    max_to_mean, design_effect : float
        Largest weight over the mean weight and Kish's design effect after trimming.
    largest_change : float
        Largest absolute change, as a proportion, in the overall share of one of the
        :data:`TRIM_TOP` top-ranked problems shown; NaN when none is shown.
    item : str or None
        The problem with that change.
    """

    cap: float
    cells_trimmed: int
    max_to_mean: float
    design_effect: float
    largest_change: float
    item: str | None

    @property
    def largest_change_points(self) -> float:
        """:attr:`largest_change` in percentage points to one decimal, halves up (a change
        of 0.05 points shows as 0.1, not 0.0); NaN when no top problem is shown."""
        if not np.isfinite(self.largest_change):
            return np.nan
        return percent(self.largest_change, 1)

    def note(self, before: WeightDiagnostics) -> Note:
        """The effect as a note, next to the untrimmed figures ``before``."""
        if not self.cells_trimmed:
            return Note(f"Trimning vid {self.cap:g} gånger medelvikten skulle inte ändra något: "
                        "ingen vikt är så stor.",
                        f"Trimming at {self.cap:g} times the mean weight would change nothing: "
                        "no weight is that large.")
        points = (f"{self.largest_change_points:.1f}"
                  if np.isfinite(self.largest_change_points) else "–")
        return Note(
            f"Med vikterna trimmade vid {self.cap:g} gånger medelvikten ({self.cells_trimmed} "
            f"viktceller): designeffekt (Kish) {before.design_effect:.2f} → "
            f"{self.design_effect:.2f}, största vikten {before.max_to_mean:.1f} → "
            f"{self.max_to_mean:.1f} × medel; andelen för ett av de {TRIM_TOP} största "
            f"problemen ändras som mest {points} procentenheter ({self.item}).",
            f"With the weights trimmed at {self.cap:g} times the mean weight "
            f"({self.cells_trimmed} weighting cells): design effect (Kish) "
            f"{before.design_effect:.2f} → {self.design_effect:.2f}, largest weight "
            f"{before.max_to_mean:.1f} → {self.max_to_mean:.1f} × mean; the share of one of "
            f"the {TRIM_TOP} top problems changes by at most {points} percentage points "
            f"({self.item}).")


@dataclass(frozen=True)
class RankingResult:
    """Everything one ranking run produces.

    Attributes
    ----------
    rows : Columns
        :data:`RANKING_COLUMNS` then ``dont_know_share``, ``missing_share``,
        ``priority_share``, ``priority_se``; one row per group (``"all"`` first) and item,
        ordered by rank. ``n`` counts valid answers; ``n_eff_kish`` is Kish's effective
        sample size from the weights alone, ``n_eff_design`` the design-based one,
        ``p(1-p)/se²`` (missing at 0 and 1). Withheld rows (``suppressed``: small, or
        withheld so that a small one cannot be derived, see :mod:`analysis.disclosure`)
        have every figure missing (NaN), ``n`` included. :attr:`table` is the same as a
        pandas ``DataFrame``.
    difference_rows : Columns
        Per item (:data:`DIFFERENCE_COLUMNS`): Rao–Scott test across groups,
        Benjamini–Hochberg adjusted p-value; :attr:`differences` as a ``DataFrame``.
    kendall_w : float or None
        Agreement of the groups on the order of the items (None without two groups and two
        items estimable in every group).
    weighting : WeightingResult
        Weights, Kish ``n_eff``, design effect, method and notes.
    notes : list of Note
        Human-readable notes, each in Swedish and English.
    items, groups : list of str
        Items analysed and group values (natural order).
    group : str or None
        Grouping column.
    parameters : dict
        Settings of the run, for reports.
    diagnostics : WeightDiagnostics or None
        How extreme the weights are (largest/mean, Kish design effect, share of the weight
        in small weighting cells) and whether that warrants a warning.
    trimming : TrimmingEffect or None
        For weighted runs without ``trim``: what trimming at
        :data:`analysis.weighting.TRIM_SHOWN_AT` times the mean weight would change.
    """

    rows: Columns
    difference_rows: Columns
    kendall_w: float | None
    weighting: WeightingResult
    notes: list[Note]
    items: list[str]
    groups: list[str]
    group: str | None
    parameters: dict[str, object] = field(default_factory=dict)
    diagnostics: WeightDiagnostics | None = None
    trimming: TrimmingEffect | None = None

    @property
    def table(self) -> pd.DataFrame:
        """:attr:`rows` as a pandas ``DataFrame`` (``n`` and the ranks as nullable Int64),
        made once per result."""
        return self._frame("table", self.rows, INTEGER_COLUMNS)

    @property
    def differences(self) -> pd.DataFrame:
        """:attr:`difference_rows` as a pandas ``DataFrame``."""
        return self._frame("differences", self.difference_rows, ())

    def overall(self) -> pd.DataFrame:
        """Rows of the whole sample (``group == "all"``)."""
        return self.table.loc[self.table["group"] == OVERALL].reset_index(drop=True)

    def _frame(self, name: str, rows: Columns, integers: Sequence[str]) -> pd.DataFrame:
        frames = self.__dict__.setdefault("_frames", {})
        if name not in frames:
            frames[name] = rows.to_frame(integers)
        return frames[name]

    def __getstate__(self) -> dict[str, object]:
        # The data frames are views made on demand; a stored result keeps only the columns.
        return {k: v for k, v in self.__dict__.items() if k != "_frames"}


def rank_items(
    responses: Columns | pd.DataFrame,
    population: Columns | pd.DataFrame | None = None,
    items: Sequence[str] = (),
    group: str | None = None,
    weight_by: Sequence[str] = ("age_band", "gender"),
    method: str = "poststratify",
    positive: Sequence[float] = (3, 4),
    valid: Sequence[float] = (1, 2, 3, 4),
    dont_know: Sequence[float] = (9,),
    min_n: int = 10,
    seed: int = DEFAULT_SEED,
    n_boot: int = 1000,
    priorities: str | None = None,
    *,
    withheld_cells: Collection[tuple[str, str]] = (),
    trim: float | None = None,
    min_cell: int = 5,
    tol: float = 1e-10,
    max_iter: int = 100,
    alpha: float = 0.05,
    sample: StratifiedSample | None = None,
    within: tuple[str, str] | None = None,
) -> RankingResult:
    """Weighted shares, mean scores and ranks of problem items, overall and per group.

    Parameters
    ----------
    responses : Columns or pandas.DataFrame
        One row per complete response. Item columns hold numeric codes (float, NaN for
        missing) or strings of digits ("" for missing).
    population : Columns or pandas.DataFrame or None
        ``weight_by`` columns and ``count``; None gives the unweighted analysis.
    items : sequence of str
        Item columns, in questionnaire order.
    group : str or None
        Column to break results down by (e.g. ``"age_band"``); None for overall only.
    weight_by : sequence of str
        Weighting variables: post-stratification cells or raking margins.
    method : {"poststratify", "rake", "none"}
    positive : sequence of numbers
        Codes counted as "ganska/mycket stort problem".
    valid : sequence of numbers
        Codes of substantive answers, in scale order (used for the mean score).
    dont_know : sequence of numbers
        "Vet ej" codes: left out of ``n`` and estimates, their share reported.
    min_n : int
        Estimates from fewer valid answers are withheld.
    seed : int
        Seed of the rank-interval simulation.
    n_boot : int
        Replicates of the rank-interval simulation (at least 200).
    priorities : str or None
        Column with the top-3 priority answer: item names joined by ";".
    withheld_cells : collection of (group, item)
        Cells to withhold besides the small ones and those that would reveal them, e.g.
        because a published table of everyone would give them away
        (:func:`analysis.disclosure.withhold_crossed`); ``("all", item)`` withholds every
        figure of the item.
    trim : float or None
        Cap weights at this multiple of the mean weight.
    min_cell : int
        Post-strata with fewer respondents are merged with a neighbouring band.
    tol, max_iter
        Raking convergence tolerance and sweep limit.
    alpha : float
        1 − confidence level, and the false discovery rate of the group tests.
    sample : StratifiedSample or None
        A sampled round's strata: respondents start from ``N_h / r_h`` and the standard
        errors are those of a stratified sample (:mod:`analysis.sampling`).
    within : (str, str) or None
        ``(column, value)``: every figure is of the respondents whose ``column`` is
        ``value`` (women, one area), estimated as a domain of the whole sample (see Notes).
        The ``"all"`` rows are that domain's, the groups those within it; the disclosure
        rule counts the answers inside it.

    Returns
    -------
    RankingResult

    Raises
    ------
    AnalysisError
        Unknown column or option, a code outside ``valid`` and ``dont_know``, population
        problems (see :func:`analysis.weighting.poststratify_weights`), a ``within``
        value no response has.

    Notes
    -----
    Standard errors are Taylor-linearised and account for the calibration as R's
    ``survey`` package does; confidence intervals are formed on the logit scale with
    ``n - 1`` degrees of freedom (``n`` minus the sampling strata in a sampled round;
    ``svyciprop(method = "logit")``). Rank intervals come
    from a parametric bootstrap: ``n_boot`` draws from the normal distribution with the
    estimated shares as mean and their linearised covariance matrix (which includes the
    correlation between items answered by the same people), ranking each draw; the
    interval is the central ``1 - alpha`` range of the simulated ranks, widened if needed
    to contain the observed rank. This works on cell counts, so it costs the same for 500
    or a million answers.

    With ``within``, the weights and their calibration still use every respondent, and
    each estimate's linearised values run over all of them, zero outside the domain: R's
    ``svymean`` on ``subset(design, column == value)`` of the calibrated design, and
    ``svyby`` on that subset for the groups. This is domain estimation: the domain's size is
    random in a sample, and reweighting its respondents alone, as if it were the design,
    would treat it as fixed and understate the standard errors. Degrees of freedom are the
    domain's respondents minus the sampling strata they fall in (R's ``degf`` of the
    subset).

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. J. Statistical Software 9(8).
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 2.3
    (domains).
    Särndal, C.-E., Swensson, B. and Wretman, J. (1992). Model Assisted Survey Sampling.
    Springer, section 10.3 (domain estimation).
    Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their limitations.
    JRSS A 159(3), 385-443.
    """
    responses = Columns.of(responses)
    items = _check_options(responses, items, group, weight_by, method, positive, valid,
                           dont_know, min_n, n_boot, priorities, alpha)
    weighting = _weigh(responses, population, weight_by, method, trim, min_cell, tol, max_iter,
                       sample)
    group_of_row, groups = group_codes(responses, group)
    outside = 0
    if within is not None:
        group_of_row, groups = _within(group_of_row, groups, domain_rows(responses, *within))
        outside = 1  # the code of everyone outside the domain
    design, fine = build_design(weighting, group_of_row, len(groups) + 1 + outside)
    codes = answer_codes(responses, items, valid, dont_know)
    n_valid = len(valid)
    counts = cell_counts(fine, codes, len(design.weight), n_valid + 2)
    share_scores = np.array([1.0 if v in set(positive) else 0.0 for v in valid] + [np.nan] * 2)
    mean_scores = np.array([float(v) for v in valid] + [np.nan] * 2)
    prio_counts = None
    if priorities is not None:
        prio = priority_codes(responses, priorities, items)
        prio_counts = cell_counts(fine, prio, len(design.weight), 3)
    pair_sums = compute_pair_sums(fine, codes, len(design.weight), n_valid, share_scores)

    withheld = _withheld(design, counts[:, :, :n_valid], len(groups), min_n,
                         _cells_mask(withheld_cells, items, groups))
    prio_withheld = (None if prio_counts is None
                     else _withheld(design, prio_counts[:, :, :2], len(groups), min_n))
    rng = np.random.default_rng(seed)
    # Outside the domain is the last group code, in no figure.
    domains = [(OVERALL, design.group <= len(groups))]
    domains += [(g, design.group == i) for i, g in enumerate(groups)]
    parts = []
    for k, (label, domain) in enumerate(domains):
        parts.append(_domain_table(
            label, domain, design, counts, prio_counts, share_scores, mean_scores, pair_sums,
            items, alpha, n_boot, rng, n_valid, withheld.withheld[:, k],
            None if prio_withheld is None else prio_withheld.withheld[:, k]))
    table = Columns({name: np.concatenate([part[name] for part in parts])
                     for name in RANKING_COLUMNS + EXTRA_COLUMNS})

    inside = design.size * domains[0][1]
    differences = group_differences(design, counts, share_scores, items, groups, table, alpha,
                                    float(design.domain_df(inside[None])[0]))
    kendall, kendall_note = concordance(table, items, groups)
    diagnostics = weight_diagnostics(weighting, min_n)
    notes = list(weighting.notes)
    if weighting.method == "none":
        notes.append(Note("Ovägd analys: svaren är inte viktade mot befolkningen.",
                          "Unweighted analysis: the answers are not weighted to the population."))
    n_sup = int(table["suppressed"].sum())
    if n_sup:
        notes.append(Note(
            f"{n_sup} skattningar visas inte: de bygger på färre än {min_n} svar, eller skulle "
            "låta någon räkna fram en sådan skattning ur totalen.",
            f"{n_sup} estimates are withheld: they rest on fewer than {min_n} answers, or "
            "would let someone work such an estimate out from the totals."))
    trimming = None
    if weighting.method != "none":
        notes.append(diagnostics.note())
        if trim is None:
            trimming = _trimming_effect(weighting, group_of_row, len(groups), outside, counts,
                                        share_scores, items, table)
            notes.append(trimming.note(diagnostics))
    if kendall_note:
        notes.append(kendall_note)
    notes.append(Note(
        f"Rangintervall: {n_boot} simuleringar (seed {seed}) från skattningarnas "
        "kovariansmatris.", f"Rank intervals: {n_boot} simulations (seed {seed}) from the "
        "estimates' covariance matrix."))
    parameters = {
        "method": weighting.method, "weight_by": list(weight_by) if population is not None
        else [], "positive": list(positive), "valid": list(valid), "dont_know": list(dont_know),
        "min_n": min_n, "seed": seed, "n_boot": n_boot, "alpha": alpha, "trim": trim,
        "priorities": priorities, "n_respondents": weighting.n,
        "within": list(within) if within is not None else None,
    }
    return RankingResult(rows=table, difference_rows=differences, kendall_w=kendall,
                         weighting=weighting, notes=notes, items=items, groups=groups,
                         group=group, parameters=parameters, diagnostics=diagnostics,
                         trimming=trimming)


def _check_options(
    responses: Columns, items: Sequence[str], group: str | None,
    weight_by: Sequence[str], method: str, positive: Sequence[float], valid: Sequence[float],
    dont_know: Sequence[float], min_n: int, n_boot: int, priorities: str | None, alpha: float,
) -> list[str]:
    if method not in METHODS:
        raise AnalysisError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    items = list(items)
    if not items:
        raise AnalysisError("no items given / inga frågor angivna")
    dupes = sorted({i for i in items if items.count(i) > 1})
    if dupes:
        raise AnalysisError(f"item {dupes[0]!r} is given twice")
    if isinstance(weight_by, str):
        raise AnalysisError("weight_by must be a sequence of column names, not a string")
    columns = [*items, *([group] if group else []), *weight_by,
               *([priorities] if priorities else [])]
    for col in columns:
        if col not in responses.columns:
            raise AnalysisError(
                f"unknown column {col!r}; the data have: "
                f"{', '.join(map(str, responses.columns))} / okänd kolumn {col!r}"
            )
    if not valid:
        raise AnalysisError("no valid codes given")
    extra = [p for p in positive if p not in set(valid)]
    if extra:
        raise AnalysisError(f"positive code {extra[0]} is not among the valid codes {list(valid)}")
    both = [d for d in dont_know if d in set(valid)]
    if both:
        raise AnalysisError(f"code {both[0]} cannot be both valid and 'vet ej'")
    if int(min_n) != min_n or min_n < 1:
        raise AnalysisError(f"min_n must be a positive whole number, got {min_n}")
    if n_boot < 200:
        raise AnalysisError(f"n_boot must be at least 200 for stable rank intervals, got {n_boot}")
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1, got {alpha}")
    if len(responses) < 2:
        raise AnalysisError("at least two responses are needed")
    return items


def _weigh(
    responses: Columns, population: Columns | pd.DataFrame | None, weight_by: Sequence[str],
    method: str, trim: float | None, min_cell: int, tol: float, max_iter: int,
    sample: StratifiedSample | None,
) -> WeightingResult:
    if population is None or method == "none":
        return unit_weights(responses, sample=sample)
    if method == "poststratify":
        result = poststratify_weights(responses, population, weight_by, min_cell=min_cell,
                                      sample=sample)
    else:
        result = rake_weights(responses, population, weight_by, tol=tol, max_iter=max_iter,
                              sample=sample)
    return trim_weights(result, trim) if trim is not None else result


def _trimming_effect(weighting: WeightingResult, group_of_row: np.ndarray, n_groups: int,
                     outside: int, counts: np.ndarray, share_scores: np.ndarray,
                     items: list[str], table: Columns) -> TrimmingEffect:
    """The top problems' overall shares again with the weights trimmed at
    :data:`TRIM_SHOWN_AT`, by the same weighting and estimation code as the ranking."""
    trimmed = trim_weights(weighting, TRIM_SHOWN_AT)
    after = weight_diagnostics(trimmed, 1)
    n_cell = weighting.cells["n"].astype(float)
    cap = TRIM_SHOWN_AT * float(np.dot(n_cell, weighting.cell_weights) / n_cell.sum())
    cells_trimmed = int(((weighting.cell_weights > cap * (1 + 1e-12)) & (n_cell > 0)).sum())
    design, _ = build_design(trimmed, group_of_row, n_groups + 1 + outside)
    shares = estimate_means(design, counts, share_scores, design.group <= n_groups).estimate
    # Only shown figures: the change of a withheld one would tell what the rule withholds.
    top = (table["group"] == OVERALL) & ~table["suppressed"] & (table["rank"] <= TRIM_TOP)
    largest, item = np.nan, None
    for name, share in zip(table["item"][top], table["share"][top], strict=True):
        change = abs(float(shares[items.index(name)]) - float(share))
        if not change <= largest:  # also takes the first one over NaN
            largest, item = change, str(name)
    return TrimmingEffect(TRIM_SHOWN_AT, cells_trimmed, after.max_to_mean,
                          after.design_effect, largest, item)


def _within(group_of_row: np.ndarray, groups: list[str], inside: np.ndarray
            ) -> tuple[np.ndarray, list[str]]:
    """Group codes for a domain: the groups it has, in their order, then the code of its
    people without a group, then one code for everyone outside it."""
    present = np.bincount(group_of_row[inside], minlength=len(groups) + 1)[:len(groups)] > 0
    kept = np.flatnonzero(present)
    remap = np.full(len(groups) + 1, len(kept), dtype=np.int64)
    remap[kept] = np.arange(len(kept))
    return (np.where(inside, remap[group_of_row], len(kept) + 1),
            [groups[k] for k in kept])


def _cells_mask(cells: Collection[tuple[str, str]], items: list[str], groups: list[str]
                ) -> np.ndarray | None:
    """(group, item) pairs as a mask over items × (overall, groups); None when empty."""
    if not cells:
        return None
    columns = {OVERALL: 0, **{g: k + 1 for k, g in enumerate(groups)}}
    rows = {item: i for i, item in enumerate(items)}
    mask = np.zeros((len(items), len(groups) + 1), dtype=bool)
    for group, item in cells:
        if group in columns and item in rows:
            mask[rows[item], columns[group]] = True
    return mask


def _withheld(design: CellDesign, valid_counts: np.ndarray, n_groups: int,
              min_n: int, extra: np.ndarray | None = None) -> Withholding:
    """The disclosure rule over items × (groups, people without a group), with the overall
    figure of an item withheld when it rests on too few answers itself. ``extra`` (items ×
    (overall, groups)) withholds more, and the rule protects those cells like any other."""
    per_group = np.stack([valid_counts[:, design.group == g].sum(axis=(1, 2))
                          for g in range(n_groups + 1)], axis=1)  # (I, G + 1)
    forced = None
    if extra is not None:  # the overall figure withheld takes its groups along
        forced = np.column_stack([extra[:, 1:] | extra[:, :1],
                                  np.zeros((len(extra), 1), dtype=bool)])
    rule = withhold_groups(per_group, min_n, rest=True, forced=forced)
    small = per_group.sum(axis=1) < min_n
    if extra is not None:
        small = small | extra[:, 0]
    # Column 0 is the overall figure, then the groups; the unshown rest column is dropped.
    primary = np.column_stack([small, rule.primary[:, :-1] | small[:, None]])
    withheld = np.column_stack([small, rule.withheld[:, :-1] | small[:, None]])
    return Withholding(primary=primary, withheld=withheld)


def _domain_table(
    label: str, domain: np.ndarray, design: CellDesign, counts: np.ndarray,
    prio_counts: np.ndarray | None, share_scores: np.ndarray, mean_scores: np.ndarray,
    pair_sums: np.ndarray, items: list[str], alpha: float, n_boot: int,
    rng: np.random.Generator, n_valid: int, withheld: np.ndarray,
    prio_withheld: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """One group's rows (or everyone's), ordered by rank, withheld rows last."""
    share = estimate_means(design, counts, share_scores, domain)
    mean = estimate_means(design, counts, mean_scores, domain)
    low, high = logit_ci(share.estimate, share.se, share.df, alpha, n_eff=share.n_eff)
    w_dom = design.weight * domain
    everyone = counts.sum(axis=2) @ w_dom
    with np.errstate(invalid="ignore", divide="ignore"):
        dont_know = counts[:, :, n_valid] @ w_dom / everyone
        missing = counts[:, :, n_valid + 1] @ w_dom / everyone
        design_n = share.estimate * (1 - share.estimate) / share.se**2
    nothing = np.full(len(items), np.nan)
    rows = {
        "group": np.full(len(items), label, dtype=object),
        "item": np.array(items, dtype=object),
        "n": np.rint(share.n),
        "n_eff_kish": share.n_eff,
        "n_eff_design": np.where(np.isfinite(design_n) & (design_n > 0), design_n, np.nan),
        "share": share.estimate, "se": share.se, "ci_low": low,
        "ci_high": high, "mean_score": mean.estimate, "mean_se": mean.se,
        "dont_know_share": dont_know, "missing_share": missing,
        "priority_share": nothing, "priority_se": nothing,
        "suppressed": np.asarray(withheld, dtype=bool),
    }
    if prio_counts is not None and prio_withheld is not None:
        prio = estimate_means(design, prio_counts, np.array([1.0, 0.0, np.nan]), domain)
        rows["priority_share"] = np.where(prio_withheld, np.nan, prio.estimate)
        rows["priority_se"] = np.where(prio_withheld, np.nan, prio.se)
    ranks = np.full((3, len(items)), np.nan)
    shown = np.flatnonzero(~withheld & ~np.isnan(share.estimate))
    if len(shown):
        cov = _share_covariance(design, pair_sums, counts, share_scores, share, domain,
                                shown, n_valid)
        ranks[:, shown] = _rank_intervals(share.estimate[shown], cov, n_boot, alpha, rng)
    rows.update(rank=ranks[0], rank_low=ranks[1], rank_high=ranks[2])
    for name in _WITHHELD:
        rows[name] = np.where(withheld, np.nan, np.asarray(rows[name], dtype=float))
    order = np.argsort(np.where(np.isnan(rows["rank"]), np.inf, rows["rank"]), kind="stable")
    return {name: values[order] for name, values in rows.items()}


def _share_covariance(
    design: CellDesign, pair_sums: np.ndarray, counts: np.ndarray, share_scores: np.ndarray,
    share, domain: np.ndarray, shown: np.ndarray, n_valid: int,
) -> np.ndarray:
    n_items = counts.shape[0]
    d = domain.astype(float)
    p = share.estimate[shown]
    total_w = share.total_weight[shown]
    pos_counts = (counts[shown][:, :, :n_valid] * share_scores[:n_valid]).sum(axis=2) * d
    val_counts = counts[shown][:, :, :n_valid].sum(axis=2) * d
    sums = (pos_counts - p[:, None] * val_counts) / total_w[:, None]
    pos_idx, val_idx = shown, shown + n_items
    pp = pair_sums[:, pos_idx][:, :, pos_idx]
    pv = pair_sums[:, pos_idx][:, :, val_idx]
    vv = pair_sums[:, val_idx][:, :, val_idx]
    cross = (pp - p[None, None, :] * pv - p[None, :, None] * pv.transpose(0, 2, 1)
             + p[None, :, None] * p[None, None, :] * vv)
    cross = cross * d[:, None, None] / np.outer(total_w, total_w)[None]
    return design.covariance(sums, np.moveaxis(cross, 0, -1))


def _rank_intervals(
    estimates: np.ndarray, cov: np.ndarray, n_boot: int, alpha: float, rng: np.random.Generator
) -> np.ndarray:
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    draws = estimates + rng.standard_normal((n_boot, len(estimates))) @ root.T
    point = 1 + (estimates[None, :] > estimates[:, None]).sum(axis=1)
    simulated = 1 + (draws[:, None, :] > draws[:, :, None]).sum(axis=2)
    low = np.quantile(simulated, alpha / 2, axis=0, method="inverted_cdf")
    high = np.quantile(simulated, 1 - alpha / 2, axis=0, method="inverted_cdf")
    return np.vstack([point, np.minimum(low, point), np.maximum(high, point)])


