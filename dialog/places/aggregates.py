"""Marked places as counts per grid square and named place for the dashboard, the lägesbild
and the public löfte page: never a raw point.

Each resident's marks become :class:`analysis.places.Mark` records (a named place from the
list at its coordinates from the definition; a text without a point is not placed), grouped by
age band, with their follow-up answers (why, when), and are counted by
:func:`analysis.places.count_marks`, which withholds every count a person could be picked out
of – across zoom levels, between a square and its named places, between all and the groups,
and between a place and the answers about it (docs/places.md).

The public functions here (:func:`grid_counts`, :func:`top_places`, :func:`as_geojson`) are
what other features build on: keep their signatures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from analysis.places import GRID_SIZES, GridCounts, Mark, count_marks, sweref99tm, wgs84
from surveys import Question, Survey

from ..extensions import db
from ..i18n import survey_texts
from ..models import Response, SurveyRecord, SurveyVersion
from ..services.results.store import results_stamp

# Follow-up answers that are counted: a free text is never aggregated (it can name anyone).
_COUNTED_TYPES = ("single_choice", "multiple_choice")


def place_questions(survey: Survey) -> list[Question]:
    """The survey's place questions, in order."""
    return [q for q in survey.questions() if q.type == "place"]


@dataclass(frozen=True)
class _Reading:
    """What reading one place question's answers needs, made once per count rather than once
    per response: its named places' coordinates and the follow-ups that are counted."""

    question: str
    named: dict[str, tuple[float, float]]
    counted: tuple[str, ...]


def _readings(questions: list[Question]) -> list[_Reading]:
    return [_Reading(q.id, {p.code: (p.lat, p.lon) for p in q.places},
                     tuple(f.id for f in q.follow_up if f.type in _COUNTED_TYPES))
            for q in questions]


def _marks(readings: list[_Reading], answers: dict) -> list[Mark]:
    marks = []
    for reading in readings:
        for mark in answers.get(reading.question) or ():
            given = frozenset((fid, code) for fid in reading.counted
                              for code in _codes(mark.get(fid)))
            if mark.get("lat") is not None and mark.get("lon") is not None:
                marks.append(Mark(float(mark["lat"]), float(mark["lon"]), None, given))
            elif mark.get("place") in reading.named:
                lat, lon = reading.named[mark["place"]]
                marks.append(Mark(lat, lon, mark["place"], given))
    return marks


def _codes(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


# Counted rounds a server process keeps: the public löfte page asks on every visit, and
# counting 20,000 responses takes seconds; a new or deleted answer changes the key.
_KEPT_COUNTS = 8
_KEPT_LOCK = threading.Lock()


def grid_counts(record: SurveyRecord, survey: Survey, min_n: int) -> GridCounts:
    """The round's complete responses as withheld-where-needed counts per square, named place
    and age band, with the follow-up answers per square and place (all versions of the round,
    as the dashboard counts them). Kept while the round's answers stay the same."""
    kept: OrderedDict = current_app.extensions.setdefault("places.grid_counts", OrderedDict())
    key = (record.id, results_stamp(record), min_n)
    with _KEPT_LOCK:
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
            return found
    found = _count(record, survey, min_n)
    with _KEPT_LOCK:
        kept[key] = found
        while len(kept) > _KEPT_COUNTS:
            kept.popitem(last=False)
    return found


def _count(record: SurveyRecord, survey: Survey, min_n: int) -> GridCounts:
    age = survey.question_with_role("age_band")
    questions = place_questions(survey)
    rows: Iterable[dict] = db.session.scalars(
        select(Response.answers).join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id, Response.status == "complete"))
    readings = _readings(questions)
    marks, groups = [], []
    for answers in rows:
        marks.append(_marks(readings, answers))
        groups.append(answers.get(age.id) if age is not None else None)
    names = tuple(o.code for o in age.options) if age is not None else ()
    counted = tuple(dict.fromkeys((f.id, o.code) for q in questions for f in q.follow_up
                                  if f.type in _COUNTED_TYPES for o in f.options))
    return count_marks(marks, groups, names, min_n, named_places(survey), counted)


@dataclass(frozen=True)
class PlaceSummary:
    """One shown square or named place: its count, and the follow-up answers that may be
    shown, most given first – for everyone and per group (only groups whose count is shown).

    ``answers`` maps a follow-up id to ``[(option code, count), …]``; ``groups`` maps a group
    to ``(count, answers)``. ``square`` is ``(size, north, east)`` for a square, ``place`` the
    code for a named place.
    """

    count: int
    answers: dict[str, list[tuple[str, int]]]
    groups: dict[str, tuple[int, dict[str, list[tuple[str, int]]]]]
    square: tuple[int, int, int] | None = None
    place: str | None = None


def _answers(counts: GridCounts, row: int, column: int) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for reason in counts.reasons:
        if reason.shown[row, column] and reason.counts[row, column] > 0:
            found.setdefault(reason.question, []).append(
                (reason.option, int(reason.counts[row, column])))
    return {q: sorted(pairs, key=lambda pair: -pair[1]) for q, pairs in found.items()}


def _summary(counts: GridCounts, row: int, **where: object) -> PlaceSummary:
    everyone = counts.counts.shape[1] - 1
    return PlaceSummary(
        count=int(counts.counts[row, everyone]), answers=_answers(counts, row, everyone),
        groups={name: (int(counts.counts[row, c]), _answers(counts, row, c))
                for c, name in enumerate(counts.groups) if counts.shown[row, c]},
        **where)


def _shown(counts: GridCounts, row: int) -> bool:
    everyone = counts.counts.shape[1] - 1
    return bool(counts.shown[row, everyone] and counts.counts[row, everyone] > 0)


def square_summaries(counts: GridCounts, size: int) -> list[PlaceSummary]:
    """The shown squares of one size, most residents first."""
    if size not in GRID_SIZES:
        raise ValueError(f"size must be one of {GRID_SIZES}")
    found = [_summary(counts, row, square=square) for row, square in enumerate(counts.squares)
             if square[0] == size and _shown(counts, row)]
    return sorted(found, key=lambda s: -s.count)


def top_places(counts: GridCounts, limit: int | None = None) -> list[PlaceSummary]:
    """The shown named places, most residents first (at most ``limit``)."""
    found = [_summary(counts, counts.place_row(code), place=code) for code in counts.places
             if _shown(counts, counts.place_row(code))]
    found.sort(key=lambda s: -s.count)
    return found if limit is None else found[:limit]


def square_polygon(size: int, north: int, east: int) -> list[list[float]]:
    """A square's corners as a closed GeoJSON ring of [lon, lat] (WGS 84)."""
    corners_n = [north, north, north + size, north + size, north]
    corners_e = [east, east + size, east + size, east, east]
    lats, lons = wgs84(corners_n, corners_e)
    return [[round(float(lon), 6), round(float(lat), 6)]
            for lat, lon in zip(lats, lons, strict=True)]


def named_places(survey: Survey) -> dict[str, tuple[float, float]]:
    """Each named place's coordinates from the definition (lat, lon)."""
    return {p.code: (p.lat, p.lon) for q in place_questions(survey) for p in q.places}


def _properties(summary: PlaceSummary) -> dict:
    return {"count": summary.count,
            "groups": {name: count for name, (count, _answers) in summary.groups.items()},
            "answers": {q: [{"code": code, "count": n} for code, n in pairs]
                        for q, pairs in summary.answers.items()},
            "group_answers": {name: {q: [{"code": code, "count": n} for code, n in pairs]
                                     for q, pairs in answers.items()}
                              for name, (_count, answers) in summary.groups.items()}}


def as_geojson(counts: GridCounts, size: int, survey: Survey | None = None) -> dict:
    """The shown squares of one size as GeoJSON polygons (WGS 84, RFC 7946) with ``count``
    (all residents), ``groups`` (only the groups' counts that may be shown) and the shown
    follow-up ``answers``, most given first; with ``survey``, also the shown named places as
    points at their coordinates from the definition (where the place is, not where anyone
    marked)."""
    features = []
    for summary in square_summaries(counts, size):
        square_size, north, east = summary.square or (0, 0, 0)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon",
                         "coordinates": [square_polygon(square_size, north, east)]},
            "properties": {"size_m": square_size, "sweref99tm": [north, east],
                           **_properties(summary)},
        })
    located = named_places(survey) if survey is not None else {}
    for summary in top_places(counts):
        lat, lon = located.get(summary.place or "", (None, None))
        if lat is None or lon is None:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {"place": summary.place, **_properties(summary)},
        })
    return {"type": "FeatureCollection", "features": features}


# How many places and squares a table lists, and how many answers per follow-up question.
TABLE_TOP = 10
ANSWERS_TOP = 3
# The squares of the lägesbild and the public löfte page: 1 km, fine enough to find a place,
# coarse enough for a page anyone can read.
PUBLIC_SQUARE_SIZE = 1000


def _nearest(survey: Survey, size: int, north: int, east: int) -> dict[str, str] | None:
    """The named place nearest a square's middle, when it lies within the square's size of it:
    how a councillor recognises the square."""
    best, found = float(size) ** 2, None
    for question in place_questions(survey):
        for place in question.places:
            n, e = sweref99tm(place.lat, place.lon)
            distance = (float(n) - north - size / 2) ** 2 + (float(e) - east - size / 2) ** 2
            if distance <= best:
                best, found = distance, survey_texts(place.label, survey)
    return found


def place_figures(counts: GridCounts, survey: Survey, size: int, min_n: int) -> dict:
    """The shown named places and squares of one size with their follow-up answers, for everyone
    and per age group where its count is shown, as one JSON document with every text in the
    survey's languages: what the dashboard, the lägesbild (frozen into its figures) and the
    public löfte page show, as a table and as a heat map (each square's corners)."""
    questions = place_questions(survey)
    follow_ups = {f.id: f for q in questions for f in q.follow_up if f.type in _COUNTED_TYPES}
    options = {(f.id, o.code): survey_texts(o.label, survey)
               for f in follow_ups.values() for o in f.options}
    age = survey.question_with_role("age_band")
    ages = {o.code: survey_texts(o.label, survey) for o in age.options} if age is not None else {}
    labels = {p.code: survey_texts(p.label, survey) for q in questions for p in q.places}
    points = named_places(survey)

    def answers(found: dict[str, list[tuple[str, int]]], top: int) -> dict[str, list[dict]]:
        return {fid: [{"label": options[(fid, code)], "count": n} for code, n in pairs[:top]]
                for fid, pairs in found.items()}

    def entry(summary: PlaceSummary) -> dict:
        return {"count": summary.count, "answers": answers(summary.answers, ANSWERS_TOP),
                "groups": [{"label": ages.get(name, {}), "count": count,
                            "answers": answers(found, 1)}
                           for name, (count, found) in summary.groups.items()]}

    squares = []
    for summary in square_summaries(counts, size):
        square_size, north, east = summary.square or (0, 0, 0)
        squares.append({"sweref99tm": [north, east], "near": _nearest(survey, size, north, east),
                        "polygon": square_polygon(square_size, north, east), **entry(summary)})
    return {"size": size, "min_n": min_n, "top": TABLE_TOP,
            "questions": [{"id": fid, "text": survey_texts(f.text, survey)}
                          for fid, f in follow_ups.items()],
            "places": [{"label": labels.get(s.place or "", {}),
                        "point": list(points.get(s.place or "", (None, None))), **entry(s)}
                       for s in top_places(counts, TABLE_TOP)],
            "squares": squares}


def figures_for(record: SurveyRecord, survey: Survey, size: int, min_n: int) -> dict | None:
    """:func:`place_figures` of a round, or None when its survey has no place question."""
    if not place_questions(survey):
        return None
    return place_figures(grid_counts(record, survey, min_n), survey, size, min_n)
