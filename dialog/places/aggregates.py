"""Marked places as counts per grid square for the dashboard: never a raw point.

Each resident's marks become points (a named place from the list at its coordinates from the
definition; a text without a point is not placed), grouped by age band, and counted per square
by :func:`analysis.places.count_cells`, which withholds every count a person could be picked
out of – across zoom levels and between all and the groups (docs/places.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from analysis.places import GRID_SIZES, GridCounts, count_cells, wgs84
from surveys import Survey

from ..extensions import db
from ..models import Response, SurveyRecord, SurveyVersion


def _points(survey: Survey, answers: dict) -> list[tuple[float, float]]:
    points = []
    for question in survey.questions():
        if question.type != "place":
            continue
        named = {p.code: (p.lat, p.lon) for p in question.places}
        for mark in answers.get(question.id) or ():
            if mark.get("lat") is not None and mark.get("lon") is not None:
                points.append((float(mark["lat"]), float(mark["lon"])))
            elif mark.get("place") in named:
                points.append(named[mark["place"]])
    return points


def grid_counts(record: SurveyRecord, survey: Survey, min_n: int) -> GridCounts:
    """The round's complete responses as withheld-where-needed counts per square and age
    band (all versions of the round, as the dashboard counts them)."""
    age = survey.question_with_role("age_band")
    rows: Iterable[dict] = db.session.scalars(
        select(Response.answers).join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id, Response.status == "complete"))
    points, groups = [], []
    for answers in rows:
        points.append(_points(survey, answers))
        groups.append(answers.get(age.id) if age is not None else None)
    names = tuple(o.code for o in age.options) if age is not None else ()
    return count_cells(points, groups, names, min_n)


def as_geojson(counts: GridCounts, size: int) -> dict:
    """The shown squares of one size as GeoJSON polygons (WGS 84, RFC 7946) with ``count``
    (all residents) and ``groups`` (only the groups' counts that may be shown)."""
    if size not in GRID_SIZES:
        raise ValueError(f"size must be one of {GRID_SIZES}")
    everyone = counts.counts.shape[1] - 1
    features = []
    for row, (square_size, north, east) in enumerate(counts.squares):
        if square_size != size or not counts.shown[row, everyone]:
            continue
        corners_n = [north, north, north + size, north + size, north]
        corners_e = [east, east + size, east + size, east, east]
        lats, lons = wgs84(corners_n, corners_e)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[
                [round(float(lon), 6), round(float(lat), 6)]
                for lat, lon in zip(lats, lons, strict=True)]]},
            "properties": {
                "size_m": size, "sweref99tm": [north, east],
                "count": int(counts.counts[row, everyone]),
                "groups": {name: int(counts.counts[row, column])
                           for column, name in enumerate(counts.groups)
                           if counts.shown[row, column]},
            },
        })
    return {"type": "FeatureCollection", "features": features}
