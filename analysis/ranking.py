"""Ranking the problems residents see as biggest, with honest uncertainty.

:func:`rank_items` is the entry point for the CLI, the Flask command and notebooks. It
weights the responses, estimates per item overall and per group, ranks the items with
rank intervals, tests whether groups differ and withholds every estimate that rests on
fewer than ``min_n`` answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._cells import natural_key
from .errors import AnalysisError
from .estimation import CellDesign, build_design, estimate_means, logit_ci
from .group_tests import benjamini_hochberg, kendalls_w, rao_scott_test
from .weighting import (
    WeightingResult,
    poststratify_weights,
    rake_weights,
    trim_weights,
    unit_weights,
)

__all__ = ["RANKING_COLUMNS", "RankingResult", "compare_rounds", "rank_items"]

RANKING_COLUMNS = [
    "group", "item", "n", "n_eff", "share", "se", "ci_low", "ci_high", "mean_score",
    "mean_se", "rank", "rank_low", "rank_high", "suppressed",
]
EXTRA_COLUMNS = ["dont_know_share", "missing_share", "priority_share", "priority_se"]
DIFFERENCE_COLUMNS = [
    "item", "groups_tested", "statistic", "df", "ddf", "p_value", "p_adjusted", "significant",
]
METHODS = ("poststratify", "rake", "none")
OVERALL = "all"
DEFAULT_SEED = 20261121
_WITHHELD = ["n_eff", "share", "se", "ci_low", "ci_high", "mean_score", "mean_se", "rank",
             "rank_low", "rank_high", "dont_know_share", "missing_share", "priority_share",
             "priority_se"]


@dataclass(frozen=True)
class RankingResult:
    """Everything one ranking run produces.

    Attributes
    ----------
    table : pandas.DataFrame
        :data:`RANKING_COLUMNS` then ``dont_know_share``, ``missing_share``,
        ``priority_share``, ``priority_se``; one row per group (``"all"`` first) and item,
        ordered by rank. Suppressed rows keep ``n`` and have every estimate missing.
    differences : pandas.DataFrame
        Per item: Rao–Scott test across groups, Benjamini–Hochberg adjusted p-value.
    kendall_w : float or None
        Agreement of the groups on the order of the items (None without two groups and two
        items estimable in every group).
    weighting : WeightingResult
        Weights, Kish ``n_eff``, design effect, method and notes.
    notes : list of str
        Human-readable notes in Swedish and English.
    items, groups : list of str
        Items analysed and group values (natural order).
    group : str or None
        Grouping column.
    parameters : dict
        Settings of the run, for reports.
    """

    table: pd.DataFrame
    differences: pd.DataFrame
    kendall_w: float | None
    weighting: WeightingResult
    notes: list[str]
    items: list[str]
    groups: list[str]
    group: str | None
    parameters: dict[str, object] = field(default_factory=dict)

    def overall(self) -> pd.DataFrame:
        """Rows of the whole sample (``group == "all"``)."""
        return self.table.loc[self.table["group"] == OVERALL].reset_index(drop=True)


def rank_items(
    responses: pd.DataFrame,
    population: pd.DataFrame | None = None,
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
    trim: float | None = None,
    min_cell: int = 5,
    tol: float = 1e-10,
    max_iter: int = 100,
    alpha: float = 0.05,
) -> RankingResult:
    """Weighted shares, mean scores and ranks of problem items, overall and per group.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per complete response. Item columns hold numeric codes (float, NaN for
        missing) or strings of digits ("" for missing).
    population : pandas.DataFrame or None
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
    trim : float or None
        Cap weights at this multiple of the mean weight.
    min_cell : int
        Post-strata with fewer respondents are merged with a neighbouring band.
    tol, max_iter
        Raking convergence tolerance and sweep limit.
    alpha : float
        1 − confidence level, and the false discovery rate of the group tests.

    Returns
    -------
    RankingResult

    Raises
    ------
    AnalysisError
        Unknown column or option, a code outside ``valid`` and ``dont_know``, population
        problems (see :func:`analysis.weighting.poststratify_weights`).

    Notes
    -----
    Standard errors are Taylor-linearised and account for the calibration as R's
    ``survey`` package does; confidence intervals are formed on the logit scale with
    ``n - 1`` degrees of freedom (``svyciprop(method = "logit")``). Rank intervals come
    from a parametric bootstrap: ``n_boot`` draws from the normal distribution with the
    estimated shares as mean and their linearised covariance matrix (which includes the
    correlation between items answered by the same people), ranking each draw; the
    interval is the central ``1 - alpha`` range of the simulated ranks, widened if needed
    to contain the observed rank. This works on cell counts, so it costs the same for 500
    or a million answers.

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. J. Statistical Software 9(8).
    Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their limitations.
    JRSS A 159(3), 385-443.
    """
    items = _check_options(responses, items, group, weight_by, method, positive, valid,
                           dont_know, min_n, n_boot, priorities, alpha)
    weighting = _weigh(responses, population, weight_by, method, trim, min_cell, tol, max_iter)
    group_of_row, groups = _group_codes(responses, group)
    design, fine = build_design(weighting, group_of_row, len(groups) + 1)
    codes = _answer_codes(responses, items, valid, dont_know)
    n_codes = len(valid) + 2
    counts = _cell_counts(fine, codes, len(design.weight), n_codes)
    share_scores = np.array([1.0 if v in set(positive) else 0.0 for v in valid] + [np.nan] * 2)
    mean_scores = np.array([float(v) for v in valid] + [np.nan] * 2)
    prio_counts = None
    if priorities is not None:
        prio = _priority_codes(responses[priorities], items, priorities)
        prio_counts = _cell_counts(fine, prio, len(design.weight), 3)
    pair_sums = _pair_sums(fine, codes, len(design.weight), len(valid), share_scores)

    rng = np.random.default_rng(seed)
    domains = [(OVERALL, np.ones(len(design.weight), dtype=bool))]
    domains += [(g, design.group == i) for i, g in enumerate(groups)]
    frames = []
    for label, domain in domains:
        frames.append(_domain_table(
            label, domain, design, counts, prio_counts, share_scores, mean_scores, pair_sums,
            items, min_n, alpha, n_boot, rng, len(valid)))
    table = pd.concat(frames, ignore_index=True)
    table = table[RANKING_COLUMNS + EXTRA_COLUMNS]

    differences = _differences(design, counts, share_scores, items, groups, table, min_n,
                               alpha)
    kendall, kendall_note = _concordance(table, items, groups)
    notes = list(weighting.notes)
    if weighting.method == "none":
        notes.append("Ovägd analys: svaren är inte viktade mot befolkningen. / Unweighted "
                     "analysis: the answers are not weighted to the population.")
    n_sup = int(table["suppressed"].sum())
    if n_sup:
        notes.append(
            f"{n_sup} skattningar bygger på färre än {min_n} svar och visas inte. / "
            f"{n_sup} estimates rest on fewer than {min_n} answers and are withheld."
        )
    if kendall_note:
        notes.append(kendall_note)
    notes.append(
        f"Rangintervall: {n_boot} simuleringar (seed {seed}) från skattningarnas "
        f"kovariansmatris. / Rank intervals: {n_boot} simulations (seed {seed}) from the "
        "estimates' covariance matrix."
    )
    parameters = {
        "method": weighting.method, "weight_by": list(weight_by) if population is not None
        else [], "positive": list(positive), "valid": list(valid), "dont_know": list(dont_know),
        "min_n": min_n, "seed": seed, "n_boot": n_boot, "alpha": alpha, "trim": trim,
        "priorities": priorities, "n_respondents": weighting.n,
    }
    return RankingResult(table=table, differences=differences, kendall_w=kendall,
                         weighting=weighting, notes=notes, items=items, groups=groups,
                         group=group, parameters=parameters)


def compare_rounds(
    previous: RankingResult, current: RankingResult, alpha: float = 0.05
) -> pd.DataFrame:
    """Change in share per group and item between two survey rounds.

    The rounds are independent samples, so ``se = sqrt(se_prev² + se_cur²)``; the test is
    a two-sided z test and the interval ``diff ± z_{1-α/2} se``. Rows where either round is
    suppressed (or the item is missing from one round) keep no estimate and are marked
    ``suppressed``.

    Many changes are tested at once (17 problems overall, and again in every age group), so
    ``significant`` uses Benjamini–Hochberg adjusted p-values: one family for the overall
    rows, one for all group rows together – otherwise about one problem in twenty would look
    changed by chance alone.

    Returns
    -------
    pandas.DataFrame
        ``group, item, share_previous, share_current, change, se, ci_low, ci_high,
        p_value, p_adjusted, significant, suppressed``.
    """
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1, got {alpha}")
    keep = ["group", "item", "share", "se", "suppressed"]
    both = previous.table[keep].merge(current.table[keep], on=["group", "item"], how="outer",
                                      suffixes=("_previous", "_current"))
    suppressed = ~(both["suppressed_previous"].eq(False) & both["suppressed_current"].eq(False))
    change = both["share_current"] - both["share_previous"]
    se = np.sqrt(both["se_previous"] ** 2 + both["se_current"] ** 2)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_value = 2 * stats.norm.sf(np.abs(change / se))
    out = pd.DataFrame({
        "group": both["group"], "item": both["item"],
        "share_previous": both["share_previous"], "share_current": both["share_current"],
        "change": change, "se": se, "ci_low": change - z * se, "ci_high": change + z * se,
        "p_value": p_value, "p_adjusted": np.nan, "significant": False,
        "suppressed": suppressed,
    })
    estimates = ["share_previous", "share_current", "change", "se", "ci_low", "ci_high",
                 "p_value"]
    out.loc[suppressed, estimates] = np.nan
    for family in (out["group"] == OVERALL, out["group"] != OVERALL):
        out.loc[family, "p_adjusted"] = benjamini_hochberg(out.loc[family, "p_value"].to_numpy())
    out["significant"] = out["p_adjusted"] < alpha
    order = {g: i for i, g in enumerate([OVERALL, *current.groups, *previous.groups])}
    out = out.assign(_g=out["group"].map(order)).sort_values(["_g", "item"], kind="stable")
    return out.drop(columns="_g").reset_index(drop=True)


def _check_options(
    responses: pd.DataFrame, items: Sequence[str], group: str | None,
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
    responses: pd.DataFrame, population: pd.DataFrame | None, weight_by: Sequence[str],
    method: str, trim: float | None, min_cell: int, tol: float, max_iter: int,
) -> WeightingResult:
    if population is None or method == "none":
        return unit_weights(responses)
    if method == "poststratify":
        result = poststratify_weights(responses, population, weight_by, min_cell=min_cell)
    else:
        result = rake_weights(responses, population, weight_by, tol=tol, max_iter=max_iter)
    return trim_weights(result, trim) if trim is not None else result


def _group_codes(responses: pd.DataFrame, group: str | None) -> tuple[np.ndarray, list[str]]:
    """Group code per row; rows with an empty group value get the extra last code."""
    if group is None:
        return np.zeros(len(responses), dtype=np.int64), []
    raw, uniques = pd.factorize(responses[group])
    labels = [str(int(u)) if isinstance(u, float) and u.is_integer() else str(u)
              for u in uniques]
    order = sorted(range(len(labels)), key=lambda i: natural_key(labels[i]))
    remap = np.empty(len(labels) + 1, dtype=np.int64)
    remap[order] = np.arange(len(labels))
    remap[-1] = len(labels)  # factorize's -1 for an empty value lands here
    return remap[raw], [labels[i] for i in order]


def _answer_codes(
    responses: pd.DataFrame, items: list[str], valid: Sequence[float],
    dont_know: Sequence[float],
) -> np.ndarray:
    """Code index per row and item: valid codes in order, then "vet ej", then missing."""
    n_valid = len(valid)
    known = {float(v): i for i, v in enumerate(valid)}
    known.update({float(d): n_valid for d in dont_know})
    out = np.empty((len(responses), len(items)), dtype=np.int8)
    for i, item in enumerate(items):
        values = _numeric_column(responses[item], item)
        missing = np.isnan(values)
        present = values[~missing]
        uniq = np.unique(present)
        unknown = [u for u in uniq if u not in known]
        if unknown:
            bad = unknown[0]
            shown = int(bad) if float(bad).is_integer() else bad
            raise AnalysisError(
                f"column {item!r} has code {shown}, which is neither a valid answer "
                f"({', '.join(_fmt(v) for v in valid)}) nor 'vet ej' "
                f"({', '.join(_fmt(d) for d in dont_know) or '-'}) / kolumnen {item!r} har "
                f"koden {shown} som inte är ett giltigt svar"
            )
        column = np.full(len(values), n_valid + 1, dtype=np.int8)
        lookup = np.array([known[u] for u in uniq], dtype=np.int8)
        column[~missing] = lookup[np.searchsorted(uniq, present)]
        out[:, i] = column
    return out


def _numeric_column(series: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    text = series.astype("string").str.strip()
    text = text.mask(text == "")
    values = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & values.isna()
    if bad.any():
        raise AnalysisError(
            f"column {name!r} has value {text[bad].iloc[0]!r}, which is not a numeric code / "
            f"kolumnen {name!r} har värdet {text[bad].iloc[0]!r} som inte är en sifferkod"
        )
    return values.to_numpy(dtype=float, na_value=np.nan)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _priority_codes(series: pd.Series, items: list[str], name: str) -> np.ndarray:
    """0 = item picked, 1 = not picked, 2 = question not answered."""
    codes, uniques = pd.factorize(series.astype("string").str.strip())
    index = {item: i for i, item in enumerate(items)}
    table = np.ones((len(uniques) + 1, len(items)), dtype=np.int8)
    table[-1, :] = 2
    for u, text in enumerate(uniques):
        picks = [p.strip() for p in str(text).split(";") if p.strip()]
        if not picks:
            table[u, :] = 2
        for pick in picks:
            if pick not in index:
                raise AnalysisError(
                    f"column {name!r} names {pick!r}, which is not one of the items "
                    f"({', '.join(items)})"
                )
            table[u, index[pick]] = 0
    return table[codes]


def _cell_counts(fine: np.ndarray, codes: np.ndarray, n_cells: int, n_codes: int) -> np.ndarray:
    base = fine * n_codes
    return np.stack([
        np.bincount(base + codes[:, i], minlength=n_cells * n_codes).reshape(n_cells, n_codes)
        for i in range(codes.shape[1])
    ]).astype(float)


def _pair_sums(
    fine: np.ndarray, codes: np.ndarray, n_cells: int, n_valid: int, share_scores: np.ndarray
) -> np.ndarray:
    """Per fine cell, the cross-products of [positive, valid] indicators over items.

    Shape ``(J, 2I, 2I)``; these are the joint counts the between-item covariance needs.
    """
    positive_codes = np.flatnonzero(share_scores[:n_valid] == 1)
    # Radix sort: fine-cell codes are small integers.
    order = np.argsort(fine.astype(np.int16 if n_cells < 2**15 else np.int64), kind="stable")
    sorted_codes = codes[order]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(fine, minlength=n_cells))])
    n_items = codes.shape[1]
    out = np.empty((n_cells, 2 * n_items, 2 * n_items))
    chunk = 262_144
    for j in range(n_cells):
        acc = np.zeros((2 * n_items, 2 * n_items))
        for start in range(bounds[j], bounds[j + 1], chunk):
            block = sorted_codes[start:min(start + chunk, bounds[j + 1])]
            ind = np.concatenate([np.isin(block, positive_codes), block < n_valid], axis=1)
            ind = ind.astype(np.float32)
            acc += (ind.T @ ind).astype(float)
        out[j] = acc
    return out


def _domain_table(
    label: str, domain: np.ndarray, design: CellDesign, counts: np.ndarray,
    prio_counts: np.ndarray | None, share_scores: np.ndarray, mean_scores: np.ndarray,
    pair_sums: np.ndarray, items: list[str], min_n: int, alpha: float, n_boot: int,
    rng: np.random.Generator, n_valid: int,
) -> pd.DataFrame:
    share = estimate_means(design, counts, share_scores, domain)
    mean = estimate_means(design, counts, mean_scores, domain)
    low, high = logit_ci(share.estimate, share.se, share.n - 1, alpha)
    w_dom = design.weight * domain
    everyone = counts.sum(axis=2) @ w_dom
    with np.errstate(invalid="ignore", divide="ignore"):
        dont_know = counts[:, :, n_valid] @ w_dom / everyone
        missing = counts[:, :, n_valid + 1] @ w_dom / everyone
    frame = pd.DataFrame({
        "group": label, "item": items, "n": np.rint(share.n).astype(np.int64),
        "n_eff": share.n_eff, "share": share.estimate, "se": share.se, "ci_low": low,
        "ci_high": high, "mean_score": mean.estimate, "mean_se": mean.se,
        "dont_know_share": dont_know, "missing_share": missing,
        "priority_share": np.nan, "priority_se": np.nan,
    })
    suppressed = share.n < min_n
    if prio_counts is not None:
        prio = estimate_means(design, prio_counts, np.array([1.0, 0.0, np.nan]), domain)
        frame["priority_share"] = np.where(prio.n >= min_n, prio.estimate, np.nan)
        frame["priority_se"] = np.where(prio.n >= min_n, prio.se, np.nan)
    frame["suppressed"] = suppressed
    ranks = np.full((3, len(items)), np.nan)
    shown = np.flatnonzero(~suppressed & ~np.isnan(share.estimate))
    if len(shown):
        cov = _share_covariance(design, pair_sums, counts, share_scores, share, domain,
                                shown, n_valid)
        ranks[:, shown] = _rank_intervals(share.estimate[shown], cov, n_boot, alpha, rng)
    for i, col in enumerate(("rank", "rank_low", "rank_high")):
        frame[col] = pd.array(ranks[i], dtype="Int64")
    frame.loc[suppressed, _WITHHELD] = np.nan
    frame = frame.assign(_r=frame["rank"].astype("Float64").fillna(np.inf))
    return frame.sort_values("_r", kind="stable").drop(columns="_r")


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


def _differences(
    design: CellDesign, counts: np.ndarray, share_scores: np.ndarray, items: list[str],
    groups: list[str], table: pd.DataFrame, min_n: int, alpha: float,
) -> pd.DataFrame:
    rows = []
    n_valid = len(share_scores) - 2
    outcome = np.stack([share_scores[:n_valid], 1 - share_scores[:n_valid]])  # (2, V)
    for i, item in enumerate(items):
        grouped = table.loc[(table["item"] == item) & (table["group"] != OVERALL)]
        kept = [groups.index(g) for g in grouped.loc[~grouped["suppressed"], "group"]]
        kept.sort()
        row = {"item": item, "groups_tested": len(kept), "statistic": np.nan, "df": np.nan,
               "ddf": np.nan, "p_value": np.nan}
        if len(kept) >= 2:
            result = _rao_scott_item(design, counts[i, :, :n_valid], outcome, kept)
            row.update(statistic=result.statistic, df=result.df, ddf=result.ddf,
                       p_value=result.p_value)
        rows.append(row)
    out = pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS[:-2])
    out["p_adjusted"] = benjamini_hochberg(out["p_value"].to_numpy(dtype=float))
    out["significant"] = out["p_adjusted"] < alpha
    return out[DIFFERENCE_COLUMNS]


def _rao_scott_item(design: CellDesign, valid_counts: np.ndarray, outcome: np.ndarray,
                    kept: list[int]):
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
    return rao_scott_test(p, cov, (rows, cols), float(n_jk.sum()), design.n - 1)


def _concordance(table: pd.DataFrame, items: list[str], groups: list[str]
                 ) -> tuple[float | None, str | None]:
    if len(groups) < 2:
        return None, None
    grouped = table.loc[table["group"] != OVERALL]
    # A group withheld entirely says nothing about the order; leave it out, not the items.
    wide = grouped.pivot(index="group", columns="item", values="share").dropna(how="all")
    complete = [i for i in items if wide[i].notna().all()] if len(wide) else []
    dropped = len(items) - len(complete)
    if len(complete) < 2 or len(wide) < 2:
        return None, ("Kendalls W kunde inte beräknas: för få grupper eller frågor med "
                      "skattningar. / Kendall's W not computed: too few groups or items with "
                      "estimates.")
    w = kendalls_w(-wide[complete].to_numpy(dtype=float))
    note = None
    if dropped:
        note = (f"Kendalls W bygger på {len(complete)} frågor; {dropped} saknar skattning i "
                f"någon grupp. / Kendall's W uses {len(complete)} items; {dropped} are "
                "withheld in some group.")
    return float(w), note
