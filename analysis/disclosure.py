"""Which cells are withheld: small cells and the cells that keep them from being derived.

The one rule every output follows (ranking.csv, the workbooks, summary.json, the dashboard,
the public löfte page). A figure that rests on fewer than ``min_n`` answers is withheld
(*primary suppression*). Withholding it is not enough when a total is published: the overall
share minus the shown groups gives the hidden one back exactly. So in every set of cells
that adds up to a published total (one item's groups, including the unpublished cell of
people who did not state a group), the withheld cells with answers must be

* none, or
* at least two, holding at least ``min_n`` answers together when any of them is small
  (a shown cell withheld alone could itself be subtracted out, which matters where a cell
  sits in two totals, as in a two-way table),

otherwise the shown cell with the fewest answers is withheld as well (*complementary
suppression*), and again until the set meets the rule. Then subtraction and every linear
combination of published figures give at best the combined figure of the withheld cells,
which rests on ``min_n`` answers or more – the same protection a published figure has.
Withheld cells show neither their answer count nor their "vet ej" and missing shares.

This is the threshold rule with secondary (complementary) cell suppression described in
the ESSnet/Eurostat handbook and practised by SCB ("prickning" of small cells plus further
cells so that the small ones cannot be computed from totals): withhold one more cell in each
total where a single cell was withheld, choosing the cell that loses the least information
(the fewest answers).

References
----------
Hundepool, A. et al. (2010). Handbook on Statistical Disclosure Control, ESSnet SDC
(Eurostat), ch. 4 (frequency tables: threshold rule, secondary cell suppression).
Hundepool, A. et al. (2012). Statistical Disclosure Control. Wiley, ch. 4 and 5.
SCB, "Skyddsmetoder för röjandekontroll" (scb.se): cell suppression and its alternatives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Withholding", "withhold", "withhold_groups"]


@dataclass(frozen=True)
class Withholding:
    """Result of :func:`withhold`: boolean masks over the cells.

    ``primary`` cells rest on fewer than ``min_n`` answers; ``withheld`` adds the
    complementary cells. Outputs publish neither kind and do not say which is which.
    """

    primary: np.ndarray
    withheld: np.ndarray


def withhold(
    counts: np.ndarray, min_n: int, partitions: Sequence[Sequence[int]],
    published: np.ndarray | None = None,
) -> Withholding:
    """Decide which cells are withheld so that none can be derived from published totals.

    Parameters
    ----------
    counts : numpy.ndarray
        Answers per cell (flat).
    min_n : int
        Fewest answers a published figure may rest on.
    partitions : sequence of sequences of int
        Each a set of cells whose total is published (or derivable); a cell may be in
        several (rows and columns of a two-way table).
    published : numpy.ndarray of bool, optional
        False for cells that are never shown (e.g. people without a group): they count as
        withheld, and as primary when they hold 1 to ``min_n - 1`` answers.

    Returns
    -------
    Withholding
    """
    n = np.asarray(counts, dtype=float)
    shown = np.ones(n.shape, dtype=bool) if published is None else np.asarray(published, bool)
    primary = (n < min_n) & (shown | (n > 0))
    withheld = primary | ~shown
    changed = True
    while changed:
        changed = False
        for part in partitions:
            cells = np.asarray(part, dtype=np.int64)
            hidden = cells[withheld[cells] & (n[cells] > 0)]
            # A lone withheld cell is its total minus the shown ones: it protects nothing,
            # and in a two-way table it would give away the small cell in its other line.
            lone = len(hidden) == 1 and shown[hidden[0]]
            small = primary[hidden].any() and (len(hidden) < 2 or n[hidden].sum() < min_n)
            if not (lone or small):
                continue
            candidates = cells[~withheld[cells] & (n[cells] > 0)]
            if not len(candidates):
                continue  # the whole total rests on too few answers: it is itself withheld
            pick = candidates[np.argmin(n[candidates])]
            withheld[pick] = True
            changed = True
    return Withholding(primary=primary, withheld=withheld)


def withhold_groups(counts: np.ndarray, min_n: int, rest: bool = True) -> Withholding:
    """:func:`withhold` for a ranking: rows are items, columns groups, each row one total.

    ``counts`` has shape ``(items, groups + 1)`` when ``rest`` is true: the last column is
    the people who stated no group, counted in the overall figure but never shown.
    """
    n = np.asarray(counts, dtype=float)
    rows, cols = n.shape
    published = np.ones(cols, dtype=bool)
    if rest:
        published[-1] = False
    partitions = [range(r * cols, (r + 1) * cols) for r in range(rows)]
    result = withhold(n.ravel(), min_n, partitions, np.tile(published, rows))
    return Withholding(primary=result.primary.reshape(rows, cols),
                       withheld=result.withheld.reshape(rows, cols))
