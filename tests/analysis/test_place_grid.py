"""Grid counts of marked places: the SWEREF 99 TM projection against Lantmäteriet's control
points, and the counts as an attacker would read them across zoom levels and groups."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from analysis.places import GRID_SIZES, Mark, count_marks, sweref99tm, wgs84


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


def _residents(seed: int) -> tuple[list[list[Mark]], list[str | None]]:
    """Residents of a town: crowds at three hot spots, a few elsewhere, small groups."""
    rng = np.random.default_rng(seed)
    hot = [(61.3002, 17.0445), (61.3018, 17.0583), (61.3013, 17.0690)]
    points, groups = [], []
    for _ in range(300):
        marks = []
        for _ in range(int(rng.integers(1, 4))):
            if rng.random() < 0.7:
                lat, lon = hot[int(rng.integers(3))]
                marks.append(Mark(lat + rng.normal(0, 0.0008), lon + rng.normal(0, 0.0016)))
            else:
                marks.append(Mark(61.30 + rng.normal(0, 0.02), 17.06 + rng.normal(0, 0.04)))
        points.append(marks)
        groups.append(rng.choice([*GROUPS, None], p=[0.05, 0.3, 0.35, 0.25, 0.05]))
    return points, groups


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_count_under_the_threshold_can_be_read_or_derived(seed):
    points, groups = _residents(seed)
    result = count_marks(points, groups, GROUPS, MIN_N)
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
    near = [Mark(61.3002, 17.0445), Mark(61.30021, 17.04451)]
    points = [near] * 6 + [[Mark(61.25, 17.2)]]
    result = count_marks(points, ["25-44"] * 7, GROUPS, MIN_N)
    smallest = [i for i, square in enumerate(result.squares) if square[0] == GRID_SIZES[0]]
    assert sorted(result.counts[smallest, -1]) == [1, 6]
    lone = next(i for i in smallest if result.counts[i, -1] == 1)
    assert not result.shown[lone].any()
    crowd = next(i for i in smallest if result.counts[i, -1] == 6)
    assert result.shown[crowd, -1]
    north, east = result.squares[crowd][1:]
    assert north % 250 == 0 and east % 250 == 0


# -- named places and follow-up answers, attacked by solving everything published -----------

PLACES = {"station": (61.3018, 17.0583), "torget": (61.3013, 17.0690),
          "parken": (61.30135, 17.0693), "tunneln": (61.3002, 17.0445)}
ANSWERS = (("varfor", "belysning"), ("nar", "natt"))


def _residents_with_places(seed: int) -> tuple[list[list[Mark]], list[str | None]]:
    """Residents who choose named places from the list (two of them in one 250 m square) or
    set points near them or elsewhere, with reasons and times of day, in groups of all sizes."""
    rng = np.random.default_rng(seed)
    codes = list(PLACES)
    marks, groups = [], []
    for _ in range(80):
        mine = []
        for _ in range(int(rng.integers(1, 3))):
            code = codes[int(rng.choice(4, p=[0.4, 0.3, 0.1, 0.2]))]
            lat, lon = PLACES[code]
            given = frozenset(a for a, p in zip(ANSWERS, (0.5, 0.6), strict=True)
                              if rng.random() < p)
            way = rng.random()
            if way < 0.6:
                mine.append(Mark(lat, lon, code, given))
            elif way < 0.96:
                mine.append(Mark(lat + rng.normal(0, 0.001), lon + rng.normal(0, 0.002),
                                 None, given))
            else:
                mine.append(Mark(61.30 + rng.normal(0, 0.02), 17.06 + rng.normal(0, 0.04),
                                 None, given))
        marks.append(mine)
        groups.append(rng.choice([*GROUPS, None], p=[0.05, 0.3, 0.35, 0.25, 0.05]))
    return marks, groups


def _pieces(marks, groups):
    """The attacker's unknowns, worked out independently: residents per piece (a named place
    with the map points of its 250 m square, nearest it, or the map points of a square without
    a named place) and column, for everyone and for each answer."""
    column = {g: i for i, g in enumerate(GROUPS)}
    named = {code: sweref99tm(*at) for code, at in PLACES.items()}

    def square_of(north: float, east: float) -> tuple[int, int]:
        return int(north // 250) * 250, int(east // 250) * 250
    found: dict[tuple, np.ndarray] = {}
    where: dict[tuple, tuple[int, int]] = {}
    for mine, group in zip(marks, groups, strict=True):
        col = column.get(group, len(GROUPS))
        held: dict[tuple, set[int]] = {}
        for mark in mine:
            north, east = sweref99tm(mark.lat, mark.lon)
            square = square_of(north, east)
            near = sorted((float((n - north) ** 2 + (e - east) ** 2), code)
                          for code, (n, e) in named.items() if square_of(n, e) == square)
            piece = (("place", mark.place) if mark.place
                     else ("place", near[0][1]) if near else ("points", *square))
            where[piece] = square
            held.setdefault(piece, {0}).update(1 + ANSWERS.index(a) for a in mark.answers)
        for piece, measured in held.items():
            found.setdefault(piece, np.zeros((1 + len(ANSWERS), len(GROUPS) + 1)))
            found[piece][sorted(measured), col] += 1
    keys = sorted(found)
    return keys, np.array([found[k] for k in keys]), [where[k] for k in keys]


@pytest.mark.parametrize("seed", [4])
def test_solving_everything_published_gives_no_small_count_back(seed):
    """Squares at every size, named places, groups and each answer per square and place are
    one linear system in the pieces' counts; the attacker also knows the area's totals and
    that an answer's count is at most its piece's. Linear programming gives each withheld
    count under the threshold a range: it must never close on the true count."""
    marks, groups = _residents_with_places(seed)
    result = count_marks(marks, groups, GROUPS, MIN_N, PLACES, ANSWERS)
    keys, truth, squares = _pieces(marks, groups)
    pieces, measures, columns = truth.shape
    everyone = columns  # the "all" column of the published tables
    assert result.shown[[result.place_row(c) for c in PLACES], everyone].sum() >= 2
    assert any(r.shown[:, everyone].any() for r in result.reasons)

    def rows_of(row: int) -> np.ndarray:
        """Which pieces a published row adds up."""
        if row >= len(result.squares):
            return np.array([k == ("place", result.places[row - len(result.squares)])
                             for k in keys])
        size, north, east = result.squares[row]
        return np.array([n // size * size == north and e // size * size == east
                         for n, e in squares])

    def at(measure: int, chosen: np.ndarray, col: int) -> np.ndarray:
        """Indices of the unknowns (measures × pieces × columns) a published cell adds up."""
        cols = range(columns) if col == everyone else [col]
        return np.array([(measure * pieces + p) * columns + c
                         for p in np.flatnonzero(chosen) for c in cols], dtype=np.int64)

    def matrix(rows: list[np.ndarray], signs: list[np.ndarray] | None = None) -> csr_matrix:
        data = np.concatenate(signs) if signs else np.ones(sum(len(r) for r in rows))
        return csr_matrix((data, (np.repeat(np.arange(len(rows)), [len(r) for r in rows]),
                                  np.concatenate(rows))), shape=(len(rows), truth.size))

    tables = [(0, result.counts, result.shown)] + [
        (m, r.counts, r.shown) for m, r in enumerate(result.reasons, start=1)]
    equations, values = [], []
    for measure, counts, shown in tables:
        for row, col in zip(*np.nonzero(shown), strict=True):
            equations.append(at(measure, rows_of(row), col))
            values.append(counts[row, col])
        for col in [*range(len(GROUPS)), everyone]:  # the area's totals
            equations.append(at(measure, np.ones(pieces, dtype=bool), col))
            values.append(truth[:, measure, :].sum() if col == everyone
                          else truth[:, measure, col].sum())
    # An answer's count is at most its piece's: answer − piece ≤ 0.
    limits = [np.array([(m * pieces + p) * columns + c, (p * columns) + c])
              for m in range(1, measures) for p in range(pieces) for c in range(columns)]
    a_eq, b_eq = matrix(equations), np.array(values)
    a_ub = matrix(limits, [np.array([1.0, -1.0])] * len(limits))
    truth_vector = np.moveaxis(truth, 1, 0).ravel()
    assert_allclose(a_eq @ truth_vector, b_eq)  # the system holds for the truth
    # Attacked: every withheld cell under the threshold (a square, a named place, an answer)
    # and the never shown residents without a group.
    targets = [(measure, rows_of(row), col, counts[row, col])
               for measure, counts, shown in tables
               for row, col in zip(*np.nonzero(~shown), strict=True)]
    # And a place's residents who did not give an answer: its count minus the answer's.
    targets += [(-m, rows_of(row), col, result.counts[row, col] - r.counts[row, col])
                for m, r in enumerate(result.reasons, start=1)
                for row, col in zip(*np.nonzero(result.shown), strict=True)]
    attacked = 0
    for measure, chosen, col, true in targets:
        if not 0 < true < MIN_N:
            continue
        target = np.zeros(truth.size)
        target[at(abs(measure), chosen, col)] = 1.0
        if measure < 0:
            target[at(0, chosen, col)] = -1.0
            target = -target
        low, high = (linprog(sign * target, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub,
                             b_ub=np.zeros(len(limits)), bounds=(0, None), method="highs")
                     for sign in (1, -1))
        assert low.status == 0 and high.status == 0
        lowest, highest = low.fun, -high.fun
        where = (measure, [keys[p] for p in np.flatnonzero(chosen)][:3], col, true)
        assert highest - lowest >= 1 - 1e-6, where
        attacked += 1
    assert attacked >= 10


def test_an_answer_nearly_everyone_gave_is_withheld_with_the_few_who_did_not():
    """12 residents chose the station, 10 of them for its lighting: 12 − 10 would name the two
    who did not, so the lighting count is withheld; 6 of 12 at night is shown."""
    lighting, night = ANSWERS
    station = [[Mark(*PLACES["station"], "station",
                     frozenset({lighting} if i < 10 else set()) | ({night} if i % 2 else set()))]
               for i in range(12)]
    result = count_marks(station, ["25-44"] * 12, GROUPS, MIN_N, PLACES, ANSWERS)
    row, everyone = result.place_row("station"), len(GROUPS) + 1
    assert result.shown[row, everyone] and result.counts[row, everyone] == 12
    by_answer = {(r.question, r.option): r for r in result.reasons}
    assert by_answer[lighting].counts[row, everyone] == 10
    assert not by_answer[lighting].shown[row, everyone]
    assert by_answer[night].shown[row, everyone]
    assert by_answer[night].counts[row, everyone] == 6
