"""Grid counts of marked places: the SWEREF 99 TM projection against Lantmäteriet's control
points, and the counts as an attacker would read them across zoom levels and groups."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis.places import GRID_SIZES, count_cells, sweref99tm, wgs84


@pytest.mark.parametrize(("lat", "lon", "north", "east", "tolerance"), [
    # Stockholm Central Station as published by the map services (whole metres).
    (59.330231, 18.059196, 6580822.0, 674032.0, 1.0),
    # On the central meridian: the false easting, northing = 0.9996 × the meridian arc of
    # GRS 80 (equator to pole 10 001 965.729 m).
    (0.0, 15.0, 0.0, 500000.0, 0.001),
    (90.0, 15.0, 0.9996 * 10001965.729, 500000.0, 0.01),
])
def test_projection_matches_known_coordinate_pairs(lat, lon, north, east, tolerance):
    got_north, got_east = sweref99tm(lat, lon)
    assert_allclose([got_north, got_east], [north, east], atol=tolerance, rtol=0)


def test_the_inverse_gives_the_point_back_within_a_millimetre():
    lats = np.array([55.3, 59.330231, 61.3002, 67.85, 69.06])
    lons = np.array([11.1, 18.059196, 17.0445, 20.22, 24.1])
    north, east = sweref99tm(lats, lons)
    back_lat, back_lon = wgs84(north, east)
    # 1e-8 degrees is about a millimetre.
    assert_allclose(back_lat, lats, atol=1e-8, rtol=0)
    assert_allclose(back_lon, lons, atol=1e-8, rtol=0)


GROUPS = ("16-24", "25-44", "45-64", "65-79")
MIN_N = 5


def _residents(seed: int) -> tuple[list[list[tuple[float, float]]], list[str | None]]:
    """Residents of a town: crowds at three hot spots, a few elsewhere, small groups."""
    rng = np.random.default_rng(seed)
    hot = [(61.3002, 17.0445), (61.3018, 17.0583), (61.3013, 17.0690)]
    points, groups = [], []
    for _ in range(300):
        marks = []
        for _ in range(int(rng.integers(1, 4))):
            if rng.random() < 0.7:
                lat, lon = hot[int(rng.integers(3))]
                marks.append((lat + rng.normal(0, 0.0008), lon + rng.normal(0, 0.0016)))
            else:
                marks.append((61.30 + rng.normal(0, 0.02), 17.06 + rng.normal(0, 0.04)))
        points.append(marks)
        groups.append(rng.choice([*GROUPS, None], p=[0.05, 0.3, 0.35, 0.25, 0.05]))
    return points, groups


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_count_under_the_threshold_can_be_read_or_derived(seed):
    points, groups = _residents(seed)
    result = count_cells(points, groups, GROUPS, MIN_N)
    counts, shown = result.counts, result.shown
    rest, everyone = len(GROUPS), len(GROUPS) + 1
    assert shown.any(), "the hot spots must be shown"
    assert not shown[:, rest].any(), "residents without a group are never a column"
    # Every shown count rests on at least MIN_N residents.
    assert (counts[shown] >= MIN_N).all()
    by_square = {square: i for i, square in enumerate(result.squares)}

    def leaked(total: float, parts: list[int], column: int) -> bool:
        """What subtracting the shown parts from a known total gives the attacker."""
        hidden = total - sum(counts[i, column] for i in parts if shown[i, column])
        return 0 < hidden < MIN_N

    # All minus the groups, in every shown square.
    for i in range(len(result.squares)):
        if shown[i, everyone]:
            groups_shown = sum(counts[i, c] for c in range(rest) if shown[i, c])
            assert not 0 < counts[i, everyone] - groups_shown < MIN_N, result.squares[i]
    # A larger square minus its shown smaller squares, in every column.
    for size, smaller in zip(GRID_SIZES[1:], GRID_SIZES, strict=False):
        for (s, north, east), i in by_square.items():
            if s != size:
                continue
            children = [j for (t, n, e), j in by_square.items()
                        if t == smaller and n // size * size == north and e // size * size == east]
            for column in range(everyone + 1):
                if shown[i, column]:
                    assert not leaked(counts[i, column], children, column), (size, north, east)
    # The whole area's total per group minus the shown largest squares.
    top = [i for (s, _n, _e), i in by_square.items() if s == GRID_SIZES[-1]]
    for column in range(everyone + 1):
        assert not leaked(counts[top, column].sum(), top, column)


def test_one_resident_counts_once_per_square_and_far_points_are_apart():
    near = [(61.3002, 17.0445), (61.30021, 17.04451)]
    points = [near] * 6 + [[(61.25, 17.2)]]
    result = count_cells(points, ["25-44"] * 7, GROUPS, MIN_N)
    smallest = [i for i, square in enumerate(result.squares) if square[0] == GRID_SIZES[0]]
    assert sorted(result.counts[smallest, -1]) == [1, 6]
    lone = next(i for i in smallest if result.counts[i, -1] == 1)
    assert not result.shown[lone].any()
    crowd = next(i for i in smallest if result.counts[i, -1] == 6)
    assert result.shown[crowd, -1]
    north, east = result.squares[crowd][1:]
    assert north % 250 == 0 and east % 250 == 0
