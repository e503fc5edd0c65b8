"""Walks, their stops, observations and photos: the one place they are written.

Functions raise :class:`WalkError` with a message code for input staff can correct.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from datetime import date

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from analysis.places import wgs84

from ..extensions import db
from ..i18n import pick_text
from ..models import SurveyRecord
from ..places.aggregates import (
    PlaceSummary,
    grid_counts,
    place_questions,
    square_summaries,
    top_places,
)
from ..services import catalog
from .models import CATEGORIES, Walk, WalkObservation, WalkPhoto, WalkStop

# The square size walks choose from: the smallest the dashboard shows, a few minutes' walk.
SQUARE_SIZE = 250
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A phone photo is 12–50 megapixels; more is a decompression bomb, not a photo.
MAX_PHOTO_PIXELS = 80_000_000
# Enough to see a broken lamp on a printed A4 page, and a tenth of a camera file's size.
PHOTO_EDGE = 2000
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_TEXT = 2000


class WalkError(ValueError):
    """Input that staff can correct; ``str(error)`` is a message code."""


@dataclass(frozen=True)
class PlaceChoice:
    """A place a walk can stop at: a named place or a shown square, never a resident's mark.
    ``count`` is the residents who marked it and ``reasons`` their follow-up answers (option
    label, residents), both only as far as councillors are shown them."""

    kind: str
    code: str
    label: str
    lat: float
    lon: float
    count: int | None = None
    reasons: tuple[tuple[str, int], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"


def _clean(text: str | None, limit: int) -> str:
    return (text or "").strip()[:limit]


def create_walk(held_on: date, area: str, participants: str, survey_id: int | None,
                author: str | None) -> Walk:
    area = _clean(area, 200)
    if not area:
        raise WalkError("area")
    if survey_id is not None and db.session.get(SurveyRecord, survey_id) is None:
        raise WalkError("survey")
    walk = Walk(held_on=held_on, area=area, participants=_clean(participants, MAX_TEXT),
                survey_id=survey_id, created_by=author)
    db.session.add(walk)
    db.session.commit()
    return walk


def all_walks() -> list[Walk]:
    return list(db.session.scalars(select(Walk).order_by(Walk.held_on.desc(), Walk.id.desc())))


def find_walk(walk_id: int) -> Walk | None:
    return db.session.get(Walk, walk_id)


def find_stop(stop_id: int) -> WalkStop | None:
    return db.session.get(WalkStop, stop_id)


def find_observation(observation_id: int) -> WalkObservation | None:
    return db.session.get(WalkObservation, observation_id)


def find_photo(photo_id: int) -> WalkPhoto | None:
    return db.session.get(WalkPhoto, photo_id)


def round_choices() -> list[SurveyRecord]:
    """The rounds whose places a walk can start from, the current one first."""
    return [record for record, _complete in catalog.rounds_current_first()
            if record.current_version is not None]


def offered_places(walk: Walk, lang: str) -> list[PlaceChoice]:
    """The named places of the walk's round (those residents marked most first) and its
    250 m squares that councillors are shown (at least MIN_GROUP_SIZE residents), with
    counts and reasons as the dashboard shows them; option labels in ``lang``."""
    record = db.session.get(SurveyRecord, walk.survey_id) if walk.survey_id else None
    if record is None or record.current_version is None:
        return []
    survey = catalog.definition_of(record.current_version)
    questions = place_questions(survey)
    options = {(f.id, o.code): pick_text(o.label, lang, survey.default_language)
               for q in questions for f in q.follow_up for o in f.options}

    def reasons(summary: PlaceSummary | None) -> tuple[tuple[str, int], ...]:
        if summary is None:
            return ()
        return tuple((options.get((question, code), code), n)
                     for question, pairs in summary.answers.items() for code, n in pairs)

    counts = grid_counts(record, survey, int(current_app.config["MIN_GROUP_SIZE"]))
    shown = {summary.place: summary for summary in top_places(counts)}
    named = [PlaceChoice("named", p.code, pick_text(p.label, lang, survey.default_language),
                         p.lat, p.lon, shown[p.code].count if p.code in shown else None,
                         reasons(shown.get(p.code)))
             for q in questions for p in q.places]
    named.sort(key=lambda c: -(c.count or 0))  # stable: the unmarked in the list's order
    squares = []
    for summary in square_summaries(counts, SQUARE_SIZE):
        size, north, east = summary.square
        lats, lons = wgs84([north + size / 2], [east + size / 2])
        squares.append(PlaceChoice("square", f"{size}:{north}:{east}", "",
                                   round(float(lats[0]), 5), round(float(lons[0]), 5),
                                   summary.count, reasons(summary)))
    return named + squares


def _position(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise WalkError("position")
    # About a metre: what a phone's position is worth.
    return round(lat, 5), round(lon, 5)


def add_stop(walk: Walk, *, choice: str = "", text: str = "", lat: float | None = None,
             lon: float | None = None) -> WalkStop:
    """A stop from the offered places (``choice`` is a :attr:`PlaceChoice.key`) or on the
    spot: a position from the phone, a description, or both. A named place keeps its
    Swedish name, the language of the protocol."""
    text = _clean(text, 300)
    if choice:
        chosen = next((c for c in offered_places(walk, "sv") if c.key == choice), None)
        if chosen is None:
            raise WalkError("place")
        stop = WalkStop(kind=chosen.kind, code=chosen.code, label=text or chosen.label,
                        lat=chosen.lat, lon=chosen.lon)
    else:
        lat, lon = _position(lat, lon)
        if lat is None and not text:
            raise WalkError("place")
        stop = WalkStop(kind="point" if lat is not None else "text", label=text, lat=lat,
                        lon=lon)
    stop.position = max((s.position for s in walk.stops), default=0) + 1
    walk.stops.append(stop)
    db.session.commit()
    return stop


def add_observation(stop: WalkStop, category: str, text: str) -> WalkObservation:
    if category not in CATEGORIES:
        raise WalkError("category")
    observation = WalkObservation(category=category, text=_clean(text, MAX_TEXT))
    stop.observations.append(observation)
    db.session.commit()
    return observation


def link_measure(observation: WalkObservation, measure_id: int) -> None:
    """The observation became this measure of the åtgärdsplan."""
    observation.measure_id = measure_id
    db.session.commit()


def observation_of_measure(measure_id: int) -> WalkObservation | None:
    """The walk observation a measure was made from, if any (the measure page links to it)."""
    return db.session.scalar(select(WalkObservation).where(
        WalkObservation.measure_id == measure_id))


# -- photos ------------------------------------------------------------------------------


def photo_dir() -> str:
    """Where photos are kept: outside the static folder, sent only to signed-in staff."""
    return (current_app.config.get("WALK_PHOTO_DIR")
            or os.path.join(current_app.instance_path, "walk-photos"))


def photo_path(photo: WalkPhoto) -> str:
    return os.path.join(photo_dir(), photo.filename)


def clean_photo(data: bytes) -> tuple[bytes, int, int]:
    """The photo as a new JPEG with nothing but its pixels: EXIF (with the GPS position and
    the camera's serial number), comments and colour profiles are left behind. Raises
    :class:`WalkError` for a file that is too large or not a photo."""
    if len(data) > MAX_PHOTO_BYTES:
        raise WalkError("photo_size")
    upright = None
    try:
        with warnings.catch_warnings():
            # Pillow only warns about a huge image; here it is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if (image.format in PHOTO_FORMATS
                        and image.width * image.height <= MAX_PHOTO_PIXELS):
                    upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise WalkError("photo_invalid") from exc
    if upright is None:
        raise WalkError("photo_invalid")
    upright.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
    # A fresh image carries no ``info`` from the upload (Pillow would write its comment).
    bare = Image.new("RGB", upright.size)
    bare.paste(upright)
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), bare.width, bare.height


def add_photo(stop: WalkStop, data: bytes, author: str | None) -> WalkPhoto:
    body, width, height = clean_photo(data)
    os.makedirs(photo_dir(), exist_ok=True)
    photo = WalkPhoto(filename=f"{secrets.token_hex(16)}.jpg", width=width, height=height,
                      size=len(body), created_by=author)
    path = photo_path(photo)
    with open(path + ".part", "wb") as handle:
        handle.write(body)
    os.replace(path + ".part", path)
    stop.photos.append(photo)
    db.session.commit()
    return photo


def remove_photo(photo: WalkPhoto) -> None:
    path = photo_path(photo)
    db.session.delete(photo)
    db.session.commit()
    if os.path.exists(path):
        os.remove(path)
