"""Trygghetsvandringar: a walk, its stops (from what councillors are shown, or on the spot),
observations, photos without their metadata, "Gör till åtgärd" and the printed protocol."""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from dialog.atgardsplan.models import Measure
from dialog.extensions import db
from dialog.models import AuditEvent
from dialog.services import catalog
from dialog.walks import service
from dialog.walks.models import Walk, WalkObservation, WalkPhoto, WalkStop
from tests.dialog.helpers import seed, sign_in

BASE = "/staff/trygghetsvandringar"


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"WALK_PHOTO_DIR": str(tmp_path / "photos"), "MIN_GROUP_SIZE": 3}


def _survey_id(app) -> int:
    with app.app_context():
        return catalog.find_survey("trygghet").id


def _new_walk(client, csrf, app) -> str:
    page = client.get(BASE + "/")
    resp = client.post(BASE + "/", data={
        "csrf_token": csrf(page.text), "held_on": "2026-11-24", "area": "Centrum",
        "participants": "Trygghetssamordnare, LPO Hudiksvall, Hyresgästföreningen",
        "survey": str(_survey_id(app))})
    assert resp.status_code == 302
    return resp.headers["Location"]


def _new_stop(client, csrf, walk_url: str, **data) -> str:
    page = client.get(walk_url)
    resp = client.post(walk_url + "/stopp", data={"csrf_token": csrf(page.text), **data})
    assert resp.status_code == 302, resp.text
    return resp.headers["Location"]


def _observe(client, csrf, stop_url: str, category="belysning", text="Trasig lampa") -> None:
    page = client.get(stop_url)
    resp = client.post(stop_url + "/observation", data={
        "csrf_token": csrf(page.text), "category": category, "text": text})
    assert resp.status_code == 302


def test_walk_with_stops_observations_and_protocol(app, staff, csrf):
    page = staff.get(BASE + "/")
    assert page.status_code == 200
    assert 'href="/staff/trygghetsvandringar/" aria-current="page"' in page.text
    refused = staff.post(BASE + "/", data={"csrf_token": csrf(page.text),
                                           "held_on": "2026-11-24", "area": " "})
    assert refused.status_code == 422
    walk_url = _new_walk(staff, csrf, app)

    walk_page = staff.get(walk_url)
    assert '<option value="named:resecentrum">' in walk_page.text  # the round's list
    assert 'id="use-position"' in walk_page.text and "walks.js" in walk_page.text
    token = csrf(walk_page.text)
    for bad in ({}, {"choice": "named:finns-inte"}, {"choice": "square:250:1:1"},
                {"lat": "95", "lon": "17"}, {"lat": "61.3"}):
        assert staff.post(walk_url + "/stopp", data={"csrf_token": token, **bad}
                          ).status_code == 422, bad

    named = _new_stop(staff, csrf, walk_url, choice="named:resecentrum")
    here = _new_stop(staff, csrf, walk_url, lat="61.3033333", lon="17.06", text="")
    described = _new_stop(staff, csrf, walk_url, text="Gångtunneln under järnvägen")
    _observe(staff, csrf, named, "belysning", "Lampan vid busshållplatsen är trasig")
    _observe(staff, csrf, named, "sikt", "Buskarna skymmer gångvägen")
    assert staff.post(here + "/observation", data={
        "csrf_token": token, "category": "okänd"}).status_code == 422

    with app.app_context():
        stops = db.session.scalars(select(WalkStop).order_by(WalkStop.position)).all()
        assert [(s.kind, s.code, s.position) for s in stops] == [
            ("named", "resecentrum", 1), ("point", "", 2), ("text", "", 3)]
        assert (stops[1].lat, stops[1].lon) == (61.30333, 17.06)
        assert stops[0].label == "Resecentrum" and stops[0].lat is not None
        assert [o.category for o in stops[0].observations] == ["belysning", "sikt"]
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("walk.stop") == 3 and actions.count("walk.observation") == 2
        assert "walk.create" in actions

    protocol = staff.get(walk_url + "/protokoll")
    assert protocol.status_code == 200
    text = protocol.text
    assert "Hyresgästföreningen" in text and "Gångtunneln under järnvägen" in text
    assert text.index("Resecentrum") < text.index("61.30333") < text.index("Gångtunneln")
    assert "Buskarna skymmer gångvägen" in text
    assert staff.get(described).status_code == 200


def test_offered_places_are_only_what_councillors_are_shown(app, staff, csrf):
    seed(app, 120)
    with app.app_context():
        walk = service.create_walk(date(2026, 11, 24), "Tätorten", "", _survey_id(app), None)
        offered = service.offered_places(walk, "sv")
        squares = [c for c in offered if c.kind == "square"]
        named = [c for c in offered if c.kind == "named"]
        assert squares, "the demo answers mark the hot spots often enough"
        # MIN_GROUP_SIZE is 3 in this module: every count offered has at least that many.
        assert all(c.count >= 3 for c in squares)
        assert [c.count for c in squares] == sorted((c.count for c in squares), reverse=True)
        # Every named place of the list is offered, those residents marked most first; a
        # place too few marked shows no count and no reasons.
        assert named[0].count >= 3 and named[0].reasons
        assert all(c.count is None or c.count >= 3 for c in named)
        assert all(c.reasons == () for c in named if c.count is None)
        # A square stop keeps the square, never a resident's point.
        stop = service.add_stop(walk, choice=squares[0].key)
        assert stop.code.startswith("250:") and stop.kind == "square"
        assert (stop.lat, stop.lon) == (squares[0].lat, squares[0].lon)
        top = service.add_stop(walk, choice=named[0].key)
        top_id, top_label, (reason, n) = top.id, named[0].label, named[0].reasons[0]

    page = staff.get(f"{BASE}/stopp/{top_id}")
    assert f"<li>{reason}: {n}</li>" in page.text
    assert top_label in page.text


def _photo_with_metadata() -> bytes:
    """A camera photo as phones write it: EXIF with the maker, the orientation (turned a
    quarter) and the GPS position, and a comment."""
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (61.0, 18.0, 14.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (17.0, 3.0, 30.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"Hemma hos Anna")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


@pytest.mark.postgres
def test_photo_is_stored_without_metadata_and_shown_only_to_staff(app, staff, csrf,
                                                                  app_config):
    walk_url = _new_walk(staff, csrf, app)
    stop_url = _new_stop(staff, csrf, walk_url, text="Parkeringen vid simhallen")
    page = staff.get(stop_url)
    assert 'accept="image/*"' in page.text and 'capture="environment"' in page.text
    token = csrf(page.text)

    not_a_photo = staff.post(stop_url + "/foto", content_type="multipart/form-data", data={
        "csrf_token": token, "photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "bild.jpg")})
    assert not_a_photo.status_code == 422
    assert 'aria-invalid="true"' in not_a_photo.text
    resp = staff.post(stop_url + "/foto", content_type="multipart/form-data", data={
        "csrf_token": token, "photo": (io.BytesIO(_photo_with_metadata()), "IMG_0001.jpg")})
    assert resp.status_code == 302

    with app.app_context():
        photo = db.session.scalars(select(WalkPhoto)).one()
        photo_id, filename = photo.id, photo.filename
    assert "IMG_0001" not in filename
    path = os.path.join(app_config["WALK_PHOTO_DIR"], filename)
    stored = Path(path).read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (30, 40)  # turned upright
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"PhoneMaker" not in stored and b"Hemma" not in stored and b"Exif" not in stored

    url = f"{BASE}/foto/{photo_id}.jpg"
    # Closing the response closes the file it streamed.
    with staff.get(url) as shown:
        assert shown.status_code == 200 and shown.data == stored
        assert shown.headers["Content-Type"] == "image/jpeg"
        assert shown.headers["Cache-Control"] == "no-store"
    assert app.test_client().get(url).status_code == 302  # to the login page
    councillor = app.test_client()
    sign_in(app, councillor, "councillor")
    assert councillor.get(url).status_code == 403
    assert not app.static_folder or not path.startswith(app.static_folder)

    removed = staff.post(f"{BASE}/foto/{photo_id}/ta-bort", data={"csrf_token": token})
    assert removed.status_code == 302
    assert not os.path.exists(path) and staff.get(url).status_code == 404


def test_clean_photo_refuses_what_is_not_a_photo():
    with pytest.raises(service.WalkError, match="photo_size"):
        service.clean_photo(b"0" * (service.MAX_PHOTO_BYTES + 1))
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with pytest.raises(service.WalkError, match="photo_invalid"):
        service.clean_photo(gif.getvalue())
    with pytest.raises(service.WalkError, match="photo_invalid"):
        service.clean_photo(_photo_with_metadata()[:200])  # a cut-off upload
    # 81 megapixels in a few kilobytes: refused before it is decoded.
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < service.MAX_PHOTO_BYTES
    with pytest.raises(service.WalkError, match="photo_invalid"):
        service.clean_photo(bomb.getvalue())


def test_observation_becomes_a_measure_that_links_back(app, staff, csrf):
    walk_url = _new_walk(staff, csrf, app)
    stop_url = _new_stop(staff, csrf, walk_url, choice="named:resecentrum")
    _observe(staff, csrf, stop_url, "belysning", "Lampan vid busshållplatsen är trasig")
    with app.app_context():
        observation_id = db.session.scalars(select(WalkObservation.id)).one()
    stop_page = staff.get(stop_url)
    new_url = f"/staff/atgardsplan/ny?observation={observation_id}"
    assert f'href="{new_url}"' in stop_page.text

    form = staff.get(new_url)
    assert form.status_code == 200
    assert "Lampan vid busshållplatsen är trasig</textarea>" in form.text
    assert f'href="{stop_url}"' in form.text
    assert staff.get("/staff/atgardsplan/ny?observation=x").status_code == 404
    resp = staff.post(new_url, data={
        "csrf_token": csrf(form.text), "problem": f"item:{_survey_id(app)}:belysning",
        "what_sv": "Byt lampan vid busshållplatsen", "what_en": "", "how_sv": "", "how_en": "",
        "responsible": "kommun", "responsible_name": "Tekniska förvaltningen",
        "starts": "2026-12-01", "ends": "2027-01-31", "status": "planned", "indicator": "",
        "baseline_period": "", "baseline_value": "", "target_value": ""})
    assert resp.status_code == 302, resp.text
    measure_url = resp.headers["Location"]

    with app.app_context():
        measure = db.session.scalars(select(Measure)).one()
        assert db.session.get(WalkObservation, observation_id).measure_id == measure.id
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "measure.create")).one()
        assert event.detail == f"walk_observation {observation_id}"
        assert measure.problem_code == "belysning" and measure.survey_id == _survey_id(app)
        measure_id = measure.id
    # A second tap on "Gör till åtgärd" leads to the measure instead of making a copy.
    again = staff.get(new_url)
    assert again.status_code == 302 and again.headers["Location"] == measure_url
    shown = staff.get(measure_url)
    assert f'href="{stop_url}"' in shown.text
    assert re.search(rf'href="{measure_url}"', staff.get(stop_url).text)
    protocol = staff.get(walk_url + "/protokoll").text
    assert re.search(rf"<td>[^<]*\b{measure_id}\b[^<]*</td>", protocol)


@pytest.mark.postgres
def test_deleting_a_walk_removes_its_stops(app):
    with app.app_context():
        walk = service.create_walk(date(2026, 11, 24), "Ljusne",
                                   "", None, None)
        service.add_observation(service.add_stop(walk, text="Torget"), "folkliv", "")
        assert service.offered_places(walk, "sv") == []
        db.session.delete(walk)
        db.session.commit()
        assert db.session.scalars(select(WalkObservation)).all() == []
        assert db.session.scalars(select(Walk)).all() == []
