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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.disclosure import withhold

__all__ = ["GRID_SIZES", "GridCounts", "count_cells", "sweref99tm", "wgs84"]

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
class GridCounts:
    """Residents per square and group, with what may be shown.

    ``squares`` lists ``(size, north, east)`` – the south-west corner in SWEREF 99 TM metres –
    for every square that holds a mark, smaller sizes first. ``counts`` has one row per square
    and one column per group, then the residents without a group (never shown), then all.
    ``shown`` is False where the count is withheld; a withheld count is published as nothing.
    """

    squares: tuple[tuple[int, int, int], ...]
    groups: tuple[str, ...]
    counts: np.ndarray
    shown: np.ndarray


def count_cells(points: Sequence[Sequence[tuple[float, float]]], groups: Sequence[str | None],
                group_names: Sequence[str], min_n: int,
                sizes: Sequence[int] = GRID_SIZES) -> GridCounts:
    """Count residents per grid square at each size and group, withholding what could
    identify anyone.

    Parameters
    ----------
    points : sequence of sequences of (lat, lon)
        Each resident's marked points (their named places already as coordinates).
    groups : sequence of str or None
        Each resident's group (e.g. age band), ``None`` when not stated.
    group_names : sequence of str
        The groups shown, in order.
    min_n : int
        Fewest residents a shown count may rest on.
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
    smallest = sizes[0]
    # One resident once per smallest square: a set of (square, column) pairs each. A larger
    # square also counts its distinct residents: a resident with marks in two of its smaller
    # squares counts twice in the sum but once there, and the threshold is about people.
    pairs: dict[tuple[int, int], np.ndarray] = {}
    distinct: dict[tuple[int, int, int], np.ndarray] = {}
    for resident_points, group in zip(points, groups, strict=True):
        if not resident_points:
            continue
        col = column.get(group, rest) if group is not None else rest
        lats, lons = zip(*resident_points, strict=True)
        north, east = sweref99tm(np.array(lats), np.array(lons))
        cells = {(int(n // smallest) * smallest, int(e // smallest) * smallest)
                 for n, e in zip(north, east, strict=True)}
        for cell in cells:
            pairs.setdefault(cell, np.zeros(rest + 1))[col] += 1
        for size in sizes:
            for key in {(size, n // size * size, e // size * size) for n, e in cells}:
                distinct.setdefault(key, np.zeros(rest + 1))[col] += 1
    squares: list[tuple[int, int, int]] = []
    rows: list[np.ndarray] = []
    index: dict[tuple[int, int, int], int] = {}
    for size in sizes:
        level: dict[tuple[int, int], np.ndarray] = {}
        for (north, east), row in pairs.items():
            key = (north // size * size, east // size * size)
            level[key] = level.get(key, 0) + row
        for (north, east), row in sorted(level.items()):
            index[(size, north, east)] = len(squares)
            squares.append((size, north, east))
            rows.append(row)
    width = rest + 2  # the groups, the rest, all
    counts = np.zeros((len(rows), width))
    if rows:
        counts[:, :rest + 1] = np.array(rows)
        counts[:, -1] = counts[:, :rest + 1].sum(axis=1)
    people = np.zeros(counts.shape)
    for key, r in index.items():
        people[r, :rest + 1] = distinct[key]
        people[r, -1] = distinct[key].sum()
    # Never shown: the residents without a group, and a sum of marks that rests on fewer
    # than min_n people.
    published = (people >= min_n) | (counts == 0)
    published[:, rest] = False
    partitions: list[list[int]] = []
    # All = the groups + the rest, in every square.
    partitions += [[r * width + c for c in range(rest + 1)] for r in range(len(rows))]
    # A square = its smaller squares, in every column.
    for size, north, east in index:
        if size == sizes[0]:
            continue
        smaller = sizes[sizes.index(size) - 1]
        children = [i for (s, n, e), i in index.items()
                    if s == smaller and n // size * size == north and e // size * size == east]
        partitions += [[i * width + c for i in children] for c in range(width)]
    # The whole area's totals per group (published elsewhere as the number who answered).
    top = [i for (s, _n, _e), i in index.items() if s == sizes[-1]]
    partitions += [[i * width + c for i in top] for c in range(width)]
    result = withhold(counts.ravel(), min_n, partitions, published.ravel())
    shown = ~result.withheld.reshape(counts.shape)
    return GridCounts(tuple(squares), tuple(group_names), counts, shown)
