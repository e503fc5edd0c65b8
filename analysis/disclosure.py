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

__all__ = ["CrossedWithholding", "Withholding", "withhold", "withhold_crossed",
           "withhold_groups"]


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
    published: np.ndarray | None = None, forced: np.ndarray | None = None,
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
    forced : numpy.ndarray of bool, optional
        Cells withheld from the start whatever their size, e.g. because their total is
        withheld in another published table; the rule then protects them like the rest.

    Returns
    -------
    Withholding
    """
    n = np.asarray(counts, dtype=float)
    shown = np.ones(n.shape, dtype=bool) if published is None else np.asarray(published, bool)
    primary = (n < min_n) & (shown | (n > 0))
    withheld = primary | ~shown
    if forced is not None:
        withheld |= np.asarray(forced, bool)
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


def withhold_groups(counts: np.ndarray, min_n: int, rest: bool = True,
                    forced: np.ndarray | None = None) -> Withholding:
    """:func:`withhold` for a ranking: rows are items, columns groups, each row one total.

    ``counts`` has shape ``(items, groups + 1)`` when ``rest`` is true: the last column is
    the people who stated no group, counted in the overall figure but never shown.
    ``forced`` (same shape) withholds cells from the start (see :func:`withhold`).
    """
    n = np.asarray(counts, dtype=float)
    rows, cols = n.shape
    published = np.ones(cols, dtype=bool)
    if rest:
        published[-1] = False
    partitions = [range(r * cols, (r + 1) * cols) for r in range(rows)]
    result = withhold(n.ravel(), min_n, partitions, np.tile(published, rows),
                      None if forced is None else np.asarray(forced, bool).ravel())
    return Withholding(primary=result.primary.reshape(rows, cols),
                       withheld=result.withheld.reshape(rows, cols))


@dataclass(frozen=True)
class CrossedWithholding:
    """Result of :func:`withhold_crossed` for one item.

    ``cells[g, v]`` withholds group ``g`` in the table of selection ``v``; ``totals[v]``
    withholds the selection's overall figure, and then every cell of it as well.
    """

    cells: np.ndarray
    totals: np.ndarray


def withhold_crossed(counts: np.ndarray, min_n: int,
                     withheld_groups: np.ndarray | None = None) -> CrossedWithholding:
    """Withholding for a table shown once for everyone and once per selected subgroup.

    A councillor can look at the ranking by age group for everyone and again for women only
    (or one area, or one age group). The two are not independent tables: everyone's 25–44
    minus the women's 25–44 is the men's and the others' 25–44, and with a selection per
    gender the women's, men's and others' figures add up to everyone's. Together they are
    one two-way table – the table's groups by the selection's values – whose row totals are
    everyone's figures and whose column totals are each selection's overall figure. The rule
    of :func:`withhold` is applied to that table in both directions, so no published figure,
    subtracted from another, gives a small cell back, whichever selections are looked at.

    Parameters
    ----------
    counts : numpy.ndarray
        Answers, shape ``(groups + 1, values + 1)``: rows are the table's groups and then the
        people with no group; columns the selection's values and then the people with no
        value. Neither last row nor last column is ever shown.
    min_n : int
        Fewest answers a published figure may rest on.
    withheld_groups : numpy.ndarray of bool, optional
        Shape ``(groups,)``: the groups withheld in everyone's table. Their cells are
        withheld in every selection too, or everyone's hidden figure would be their sum.

    Returns
    -------
    CrossedWithholding
        ``cells`` of shape ``(groups, values)`` and ``totals`` of shape ``(values,)``.
    """
    n = np.asarray(counts, dtype=float)
    rows, cols = n.shape
    shown_values = np.r_[np.ones(cols - 1, dtype=bool), False]
    totals = withhold(n.sum(axis=0), min_n, [range(cols)], shown_values).withheld
    published = np.zeros((rows, cols), dtype=bool)
    published[:-1, :-1] = True
    forced = np.zeros((rows, cols), dtype=bool)
    forced[:, :-1] |= totals[None, :-1]
    if withheld_groups is not None:
        forced[:-1, :] |= np.asarray(withheld_groups, dtype=bool)[:, None]
    partitions = [range(r * cols, (r + 1) * cols) for r in range(rows)]
    partitions += [range(c, rows * cols, cols) for c in range(cols)]
    result = withhold(n.ravel(), min_n, partitions, published.ravel(), forced.ravel())
    return CrossedWithholding(cells=result.withheld.reshape(rows, cols)[:-1, :-1],
                              totals=totals[:-1])
