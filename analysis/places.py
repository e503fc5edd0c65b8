"""Where residents feel unsafe, without exposing anyone: marks counted per grid cell.

A marked point is personal data (often a home), so only counts leave this module: per square
of a grid in SWEREF 99 TM (the plane coordinates Swedish maps use) at several sizes – the
zoom levels of a map – and per group of residents. A count is the number of residents who
marked a place in the square; one resident counts once per smallest square however many
marks they put there, so a larger square's count is the sum of its smaller squares' counts
and the "all" column the sum of the groups' (and of the residents without a group).

Every published count passes the disclosure rule of :mod:`analysis.disclosure`: a square with
fewer than ``min_n`` residents is withheld, and further squares are withheld until no withheld
count can be recovered by subtracting shown ones – between zoom levels (a large square minus
its shown smaller squares), between "all" and the groups, and from the whole area's totals.

References
----------
Lantmäteriet, "Gauss konforma projektion (Transverse Mercator)", Krügers formler för
projektion från latitud/longitud till plana koordinater (SWEREF 99 TM: GRS 80, central
meridian 15° E, scale 0.9996, false easting 500 000 m).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.disclosure import withhold

__all__ = ["GRID_SIZES", "GridCounts", "Mark", "ReasonCounts", "count_marks", "sweref99tm", "wgs84"]

# GRS 80 and the SWEREF 99 TM projection parameters.
_A = 6378137.0
_F = 1 / 298.257222101
_CENTRAL_MERIDIAN = math.radians(15.0)
_SCALE = 0.9996
_FALSE_EASTING = 500000.0

_E2 = _F * (2 - _F)
_N = _F / (2 - _F)
_A_ROOF = _A / (1 + _N) * (1 + _N ** 2 / 4 + _N ** 4 / 64)
_DELTA = (_E2, (5 * _E2 ** 2 - _E2 ** 3) / 6, (104 * _E2 ** 3 - 45 * _E2 ** 4) / 120,
          1237 * _E2 ** 4 / 1260)
_BETA = (_N / 2 - 2 * _N ** 2 / 3 + 5 * _N ** 3 / 16 + 41 * _N ** 4 / 180,
         13 * _N ** 2 / 48 - 3 * _N ** 3 / 5 + 557 * _N ** 4 / 1440,
         61 * _N ** 3 / 240 - 103 * _N ** 4 / 140,
         49561 * _N ** 4 / 161280)

_DELTA_INV = (_N / 2 - 2 * _N ** 2 / 3 + 37 * _N ** 3 / 96 - _N ** 4 / 360,
              _N ** 2 / 48 + _N ** 3 / 15 - 437 * _N ** 4 / 1440,
              17 * _N ** 3 / 480 - 37 * _N ** 4 / 840,
              4397 * _N ** 4 / 161280)
_GEODETIC = (_E2 + _E2 ** 2 + _E2 ** 3 + _E2 ** 4,
             -(7 * _E2 ** 2 + 17 * _E2 ** 3 + 30 * _E2 ** 4) / 6,
             (224 * _E2 ** 3 + 889 * _E2 ** 4) / 120,
             -4279 * _E2 ** 4 / 1260)

# Square sizes in metres, smallest first: each divides the next, so squares nest.
GRID_SIZES: tuple[int, ...] = (250, 1000, 4000)


def sweref99tm(lat: np.ndarray | float, lon: np.ndarray | float
               ) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 (SWEREF 99) latitude and longitude in degrees to SWEREF 99 TM (northing,
    easting) in metres, by Krüger's series as Lantmäteriet gives them.

    Parameters
    ----------
    lat, lon : array_like
        Degrees.

    Returns
    -------
    tuple of numpy.ndarray
        Northing (N, "x") and easting (E, "y") in metres.
    """
    phi = np.radians(np.asarray(lat, dtype=float))
    dlam = np.radians(np.asarray(lon, dtype=float)) - _CENTRAL_MERIDIAN
    sin2 = np.sin(phi) ** 2
    conformal = phi - np.sin(phi) * np.cos(phi) * (
        _DELTA[0] + _DELTA[1] * sin2 + _DELTA[2] * sin2 ** 2 + _DELTA[3] * sin2 ** 3)
    xi = np.arctan2(np.tan(conformal), np.cos(dlam))
    eta = np.arctanh(np.cos(conformal) * np.sin(dlam))
    north, east = xi.copy(), eta.copy()
    for k, beta in enumerate(_BETA, start=1):
        north += beta * np.sin(2 * k * xi) * np.cosh(2 * k * eta)
        east += beta * np.cos(2 * k * xi) * np.sinh(2 * k * eta)
    return _SCALE * _A_ROOF * north, _SCALE * _A_ROOF * east + _FALSE_EASTING


def wgs84(north: np.ndarray | float, east: np.ndarray | float
          ) -> tuple[np.ndarray, np.ndarray]:
    """SWEREF 99 TM (northing, easting) in metres back to latitude and longitude in degrees
    (the inverse of :func:`sweref99tm`, same source), e.g. for a square's corners in GeoJSON."""
    xi = np.asarray(north, dtype=float) / (_SCALE * _A_ROOF)
    eta = (np.asarray(east, dtype=float) - _FALSE_EASTING) / (_SCALE * _A_ROOF)
    xi_p, eta_p = xi.copy(), eta.copy()
    for k, delta in enumerate(_DELTA_INV, start=1):
        xi_p -= delta * np.sin(2 * k * xi) * np.cosh(2 * k * eta)
        eta_p -= delta * np.cos(2 * k * xi) * np.sinh(2 * k * eta)
    conformal = np.arcsin(np.sin(xi_p) / np.cosh(eta_p))
    dlam = np.arctan2(np.sinh(eta_p), np.cos(xi_p))
    sin2 = np.sin(conformal) ** 2
    phi = conformal + np.sin(conformal) * np.cos(conformal) * (
        _GEODETIC[0] + _GEODETIC[1] * sin2 + _GEODETIC[2] * sin2 ** 2
        + _GEODETIC[3] * sin2 ** 3)
    return np.degrees(phi), np.degrees(dlam + _CENTRAL_MERIDIAN)


@dataclass(frozen=True)
class Mark:
    """One marked place of one resident, as counting needs it: where (a named place from the
    list at its coordinates from the definition, or a point on the map) and the follow-up
    answers given about it as ``(follow-up id, option code)`` pairs."""

    lat: float
    lon: float
    place: str | None = None
    answers: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class ReasonCounts:
    """Residents per square or named place and group who gave one follow-up answer (a reason,
    a time of day) about a place they marked there: the rows and columns of
    :class:`GridCounts`, withheld by the same rule, and never shown where the count is not."""

    question: str
    option: str
    counts: np.ndarray
    shown: np.ndarray


@dataclass(frozen=True)
class GridCounts:
    """Residents per square, named place and group, with what may be shown.

    ``squares`` lists ``(size, north, east)`` – the south-west corner in SWEREF 99 TM metres –
    for every square that holds a mark, smaller sizes first; ``places`` the named places, whose
    rows follow the squares'. ``counts`` has one row per square and named place and one column
    per group, then the residents without a group (never shown), then all. ``shown`` is False
    where the count is withheld; a withheld count is published as nothing. ``reasons`` holds
    the same table for each follow-up answer.
    """

    squares: tuple[tuple[int, int, int], ...]
    groups: tuple[str, ...]
    counts: np.ndarray
    shown: np.ndarray
    places: tuple[str, ...] = ()
    reasons: tuple[ReasonCounts, ...] = ()

    def place_row(self, code: str) -> int:
        """The row of a named place in ``counts``."""
        return len(self.squares) + self.places.index(code)


def count_marks(marks: Sequence[Sequence[Mark]], groups: Sequence[str | None],
                group_names: Sequence[str], min_n: int,
                places: Mapping[str, tuple[float, float]] | None = None,
                answers: Sequence[tuple[str, str]] = (),
                sizes: Sequence[int] = GRID_SIZES) -> GridCounts:
    """Count residents per grid square at each size, per named place and group, and the same
    for each follow-up answer, withholding what could identify anyone.

    A named place stands for its 250 m square's marks: a resident counts at a named place when
    they chose it from the list or set a point on the map in its square (nearest the place
    when the square holds several), once however many such marks they made, and once per
    smallest square for their other points. A square's count is then exactly the sum of its
    named places or of its points, and a larger square's the sum of its smaller ones: every
    published count is a sum of the same pieces, and the rule of :mod:`analysis.disclosure`
    sees every subtraction an attacker could make – a square minus its named places, a large
    square minus its small ones, all minus the groups, the area's totals minus the squares,
    and a place's count minus the residents who gave an answer there. A count is shown only
    where at least ``min_n`` different residents stand behind it.

    Parameters
    ----------
    marks : sequence of sequences of Mark
        Each resident's marks (named places already at their coordinates).
    groups : sequence of str or None
        Each resident's group (e.g. age band), ``None`` when not stated.
    group_names : sequence of str
        The groups shown, in order.
    min_n : int
        Fewest residents a shown count may rest on.
    places : mapping of str to (lat, lon)
        The named places counted on their own rows, in order, with their coordinates; a mark
        with another code counts as a point.
    answers : sequence of (str, str)
        The follow-up answers counted, as ``(follow-up id, option code)``.
    sizes : sequence of int
        Square sizes in metres, smallest first, each dividing the next.

    Returns
    -------
    GridCounts
    """
    if any(big % small for small, big in zip(sizes, sizes[1:], strict=False)):
        raise ValueError(f"square sizes must nest: {list(sizes)}")
    column = {name: i for i, name in enumerate(group_names)}
    rest = len(group_names)
    width = rest + 2  # the groups, the rest, all
    measures = 1 + len(answers)  # the residents, then each answer
    answer_index = {pair: m for m, pair in enumerate(answers, start=1)}
    places = dict(places or {})
    place_index = {code: k for k, code in enumerate(places)}
    smallest = sizes[0]
    # Which named places each smallest square holds, with their plane coordinates.
    holding: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
    if places:
        p_north, p_east = sweref99tm(np.array([c[0] for c in places.values()]),
                                     np.array([c[1] for c in places.values()]))
        for code, n, e in zip(places, p_north, p_east, strict=True):
            holding.setdefault((int(n // smallest) * smallest, int(e // smallest) * smallest),
                               []).append((code, float(n), float(e)))
    # A piece is a named place or the points of one smallest square: the finest unit every
    # published count is a sum of. Per piece and per square: residents by measure and column.
    pieces: dict[tuple, np.ndarray] = {}
    piece_square: dict[tuple, tuple[int, int]] = {}
    distinct: dict[tuple[int, int, int], np.ndarray] = {}
    for resident_marks, group in zip(marks, groups, strict=True):
        if not resident_marks:
            continue
        col = column.get(group, rest) if group is not None else rest
        north, east = sweref99tm(np.array([m.lat for m in resident_marks]),
                                 np.array([m.lon for m in resident_marks]))
        held: dict[tuple, set[int]] = {}
        for mark, n, e in zip(resident_marks, north, east, strict=True):
            square = (int(n // smallest) * smallest, int(e // smallest) * smallest)
            if mark.place in place_index:
                piece: tuple = ("place", mark.place)
            elif square in holding:
                code = min(holding[square], key=lambda p: (p[1] - n) ** 2 + (p[2] - e) ** 2)[0]
                piece = ("place", code)
            else:
                piece = ("points", *square)
            piece_square[piece] = square
            held.setdefault(piece, {0}).update(
                answer_index[a] for a in mark.answers if a in answer_index)
        for piece, measured in held.items():
            pieces.setdefault(piece, np.zeros((measures, rest + 1)))[sorted(measured), col] += 1
        # The threshold is about people: a resident with marks in two smaller squares of a
        # larger one is two in its count but one person behind it.
        for size in sizes:
            within: dict[tuple[int, int, int], set[int]] = {}
            for piece, measured in held.items():
                n, e = piece_square[piece]
                within.setdefault((size, n // size * size, e // size * size), set()
                                  ).update(measured)
            for key, measured in within.items():
                distinct.setdefault(key, np.zeros((measures, rest + 1)))[sorted(measured), col] += 1
    squares: list[tuple[int, int, int]] = []
    for size in sizes:
        squares += sorted({(size, n // size * size, e // size * size)
                           for n, e in piece_square.values()})
    # Rows: the squares, then the named places.
    rows = len(squares) + len(places)
    index = {key: r for r, key in enumerate(squares)}
    counts = np.zeros((measures, rows, width))
    people = np.zeros((measures, rows, width))
    for piece, row in pieces.items():
        n, e = piece_square[piece]
        for size in sizes:
            counts[:, index[(size, n // size * size, e // size * size)], :rest + 1] += row
        if piece[0] == "place":
            counts[:, len(squares) + place_index[piece[1]], :rest + 1] = row
    counts[:, :, -1] = counts[:, :, :rest + 1].sum(axis=2)
    people[:] = counts
    for key, r in index.items():
        people[:, r, :rest + 1] = distinct[key]
        people[:, r, -1] = distinct[key].sum(axis=1)
    # Never shown: the residents without a group, and a sum that rests on fewer than min_n
    # people.
    published = (people >= min_n) | (counts == 0)
    published[:, :, rest] = False
    named = {}
    for piece in pieces:
        if piece[0] == "place":
            named.setdefault(piece_square[piece], []).append(
                len(squares) + place_index[piece[1]])
    partitions = _partitions(squares, sizes, width, rows, named)
    everyone = withhold(counts[0].ravel(), min_n, _used(partitions, counts[0]),
                        published[0].ravel())
    withheld = everyone.withheld.reshape(rows, width)
    reasons = []
    size = rows * width
    for m, (question, option) in enumerate(answers, start=1):
        # Next to each answer's count, the residents there who did not give it: never shown,
        # and a place's count minus the answer's would otherwise give it.
        both = np.concatenate([counts[m].ravel(), (counts[0] - counts[m]).ravel()])
        visible = np.concatenate([published[m].ravel(), np.zeros(size, dtype=bool)])
        # An answer is shown only where the place's count is.
        forced = np.concatenate([withheld.ravel(), np.zeros(size, dtype=bool)])
        pairs = [[i, size + i] for i in np.flatnonzero(~withheld.ravel() & (counts[0].ravel() > 0))]
        result = withhold(both, min_n, _used(partitions, counts[m]) + pairs, visible, forced)
        reasons.append(ReasonCounts(question, option, counts[m],
                                    ~result.withheld[:size].reshape(rows, width)))
    return GridCounts(tuple(squares), tuple(group_names), counts[0], ~withheld,
                      tuple(places), tuple(reasons))


def _partitions(squares: list[tuple[int, int, int]], sizes: Sequence[int], width: int,
                rows: int, named: dict[tuple[int, int], list[int]]) -> list[list[int]]:
    """Every set of cells (flat indices into rows × columns) whose sum is a published count;
    ``named`` gives the rows of the named places in each smallest square that holds any."""
    index = {key: r for r, key in enumerate(squares)}
    # All = the groups + the rest, in every row.
    partitions = [[r * width + c for c in range(width - 1)] for r in range(rows)]
    # A square = its smaller squares, in every column.
    for size, north, east in squares:
        if size == sizes[0]:
            continue
        smaller = sizes[sizes.index(size) - 1]
        children = [i for (s, n, e), i in index.items()
                    if s == smaller and n // size * size == north and e // size * size == east]
        partitions += [[i * width + c for i in children] for c in range(width)]
    # A smallest square with named places = those places (they take its points too).
    for parts in named.values():
        partitions += [[r * width + c for r in parts] for c in range(width)]
    # The whole area's totals per group (published elsewhere as the number who answered).
    top = [i for (s, _n, _e), i in index.items() if s == sizes[-1]]
    partitions += [[i * width + c for i in top] for c in range(width)]
    return partitions


def _used(partitions: list[list[int]], counts: np.ndarray) -> list[list[int]]:
    """The partitions with any count in them: the others can never need a cell withheld."""
    flat = counts.ravel()
    return [part for part in partitions if flat[part].any()]
