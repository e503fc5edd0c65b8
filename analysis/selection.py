"""Rankings of a selection of the respondents (women, one area, one age group) that cannot be
subtracted from everyone's.

A councillor who compares the ranking of everyone with the ranking of women could work out
the men's and the others' figures; one who also looks at the men's could work out the
others'. :func:`selection_withheld` decides, for a ranking rerun on a selection, which cells
to withhold besides its own small ones, from the two-way table of the ranking's groups by
every value of the selection (:func:`analysis.disclosure.withhold_crossed`). It depends
only on the answers and on which cells everyone's ranking withholds, so every selection of
the same kind withholds consistently, whichever of them someone looks at.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._cells import OVERALL, answer_codes
from .columns import Columns
from .disclosure import withhold_crossed
from .errors import AnalysisError
from .ranking import RankingResult

__all__ = ["selection_withheld"]


def selection_withheld(responses: pd.DataFrame, everyone: RankingResult, by: str,
                       value: str) -> set[tuple[str, str]]:
    """Cells to withhold when ``everyone``'s ranking is rerun on the rows whose ``by`` is
    ``value``: pass them as ``withheld_cells`` to :func:`analysis.rank_items`.

    Parameters
    ----------
    responses : pandas.DataFrame
        The same rows ``everyone`` was computed from, with the column ``by``.
    everyone : RankingResult
        The published ranking of every respondent (its groups, items, codes and ``min_n``).
    by : str
        The column that selects (``"gender"``, ``"area"``, ``"age_band"``).
    value : str
        The selected value of ``by``.

    Returns
    -------
    set of (group, item)
        ``("all", item)`` when the selection's overall figure of the item is withheld.
    """
    if by not in responses.columns:
        raise AnalysisError(f"unknown column {by!r}")
    params = everyone.parameters
    min_n = int(params["min_n"])
    codes = answer_codes(Columns.of(responses), everyone.items, params["valid"],
                         params["dont_know"])
    valid = codes < len(params["valid"])
    groups = list(everyone.groups)
    rows = _positions(responses[everyone.group] if everyone.group else None, groups,
                      len(responses))
    values = sorted({str(v) for v in responses[by].dropna()} | {value})
    columns = _positions(responses[by], values, len(responses))
    target = values.index(value)
    shown = everyone.table.set_index(["group", "item"])["suppressed"]
    out: set[tuple[str, str]] = set()
    for i, item in enumerate(everyone.items):
        counts = np.zeros((len(groups) + 1, len(values) + 1))
        np.add.at(counts, (rows[valid[:, i]], columns[valid[:, i]]), 1)
        hidden = np.array([bool(shown.loc[(g, item)]) for g in groups], dtype=bool)
        rule = withhold_crossed(counts, min_n, hidden)
        if rule.totals[target]:
            out.add((OVERALL, item))
        out.update((g, item) for g, cell in zip(groups, rule.cells[:, target], strict=True)
                   if cell)
    return out


def _positions(column: pd.Series | None, labels: list[str], size: int) -> np.ndarray:
    """Index of each row's value in ``labels``; ``len(labels)`` for none or another value."""
    if column is None:
        return np.full(size, len(labels), dtype=np.int64)
    index = {label: k for k, label in enumerate(labels)}
    return np.array([index.get(str(v), len(labels)) if pd.notna(v) else len(labels)
                     for v in column], dtype=np.int64)
