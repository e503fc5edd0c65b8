"""Trygghetsvandringar in the staff area: walks, stops, observations, photos and the printed
protocol (docs/trygghetsvandring.md). Staff only: councillors do not see the working notes."""

from __future__ import annotations

import os

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from .. import audit
from ..auth import STAFF_ROLES, roles_required
from ..models import utcnow
from ..staff_area import staff_blueprint
from . import service
from .forms import CATEGORY_LABELS, ObservationForm, PhotoForm, StopForm, WalkForm
from .models import Walk, WalkStop

bp = staff_blueprint("walks", __name__)


def _messages() -> dict[str, str]:
    return {
        "area": _("Write which area the walk covers."),
        "survey": _("That survey round does not exist."),
        "place": _("Choose a place, use your position or describe the place."),
        "position": _("The position is not a place on Earth. Try again or describe the place."),
        "category": _("Choose what the observation is about."),
        "photo_size": _("The photo is larger than 10 MB. Take it again at a lower resolution."),
        "photo_invalid": _("The file is not a photo (JPEG, PNG or WebP)."),
    }


@bp.app_context_processor
def _labels() -> dict:
    return {"walk_categories": CATEGORY_LABELS}


def _walk_or_404(walk_id: int) -> Walk:
    walk = service.find_walk(walk_id)
    if walk is None:
        abort(404)
    return walk


def _stop_or_404(stop_id: int) -> WalkStop:
    stop = service.find_stop(stop_id)
    if stop is None:
        abort(404)
    return stop


def _round_field(form: WalkForm) -> None:
    form.survey.choices = [("", _("No round"))] + [
        (str(r.id), r.slug) for r in service.round_choices()]


@bp.route("/trygghetsvandringar/", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def list_walks() -> HttpResponse | tuple[str, int]:
    form = WalkForm()
    _round_field(form)
    error = None
    if request.method == "GET":
        form.held_on.data = utcnow().date()
        if len(form.survey.choices) > 1:
            form.survey.data = form.survey.choices[1][0]
    elif form.validate():
        try:
            walk = service.create_walk(form.held_on.data, form.area.data,
                                       form.participants.data or "",
                                       int(form.survey.data) if form.survey.data else None,
                                       current_user.email)
        except service.WalkError as exc:
            error = _messages()[str(exc)]
        else:
            audit.record("walk.create", str(walk.id))
            return redirect(url_for("walks.show_walk", walk_id=walk.id))
    else:
        error = _("Check the fields marked below.")
    return render_template("walks/list.html", walks=service.all_walks(), form=form,
                           error=error), 422 if error else 200


def _walk_page(walk: Walk, form: StopForm, error: str | None = None,
               status: int = 200) -> tuple[str, int]:
    places = service.offered_places(walk, g.lang)

    def counted(label: str, count: int | None) -> str:
        if count is None:
            return label
        return label + " – " + ngettext("%(num)d resident marked a place here",
                                        "%(num)d residents marked a place here", count)

    named = [(c.key, counted(c.label, c.count)) for c in places if c.kind == "named"]
    squares = [(c.key, counted(_square_label(c.code), c.count))
               for c in places if c.kind == "square"]
    form.choice.choices = [("", _("Choose a place")), *named, *squares]
    return render_template("walks/walk.html", walk=walk, form=form, has_places=bool(places),
                           error=error), status


def _square_label(code: str) -> str:
    _size, north, east = code.split(":")
    return _("250 m square at N %(north)s, E %(east)s (SWEREF 99 TM)", north=north, east=east)


@bp.app_template_global()
def walk_stop_label(stop: WalkStop) -> str:
    """What a stop is called on the pages and the protocol."""
    if stop.kind == "square":
        square = _square_label(stop.code)
        return f"{square} – {stop.label}" if stop.label else square
    return stop.label or _("Position %(lat)s, %(lon)s", lat=stop.lat, lon=stop.lon)


@bp.get("/trygghetsvandringar/<int:walk_id>")
@roles_required(*STAFF_ROLES)
def show_walk(walk_id: int) -> tuple[str, int]:
    return _walk_page(_walk_or_404(walk_id), StopForm(formdata=None))


@bp.post("/trygghetsvandringar/<int:walk_id>/stopp")
@roles_required(*STAFF_ROLES)
def add_stop(walk_id: int) -> HttpResponse | tuple[str, int]:
    walk = _walk_or_404(walk_id)
    form = StopForm()
    if not form.validate():
        return _walk_page(walk, form, _("Check the fields marked below."), 422)
    try:
        stop = service.add_stop(walk, choice=form.choice.data or "", text=form.text.data or "",
                                lat=form.lat.data, lon=form.lon.data)
    except service.WalkError as exc:
        return _walk_page(walk, form, _messages()[str(exc)], 422)
    audit.record("walk.stop", str(walk.id), str(stop.id))
    return redirect(url_for("walks.show_stop", stop_id=stop.id))


def _survey_places(walk: Walk) -> dict[tuple[str, str], service.PlaceChoice]:
    """What the survey showed of each place the walk can stop at, by (kind, code)."""
    return {(c.kind, c.code): c for c in service.offered_places(walk, g.lang)}


def _stop_page(stop: WalkStop, *, observation: ObservationForm | None = None,
               photo: PhotoForm | None = None, error: str | None = None,
               status: int = 200) -> tuple[str, int]:
    return render_template(
        "walks/stop.html", stop=stop, walk=stop.walk, error=error,
        from_survey=_survey_places(stop.walk).get((stop.kind, stop.code)),
        observation=observation or ObservationForm(formdata=None),
        photo=photo or PhotoForm(formdata=None),
        max_photo_mb=service.MAX_PHOTO_BYTES // (1024 * 1024)), status


@bp.get("/trygghetsvandringar/stopp/<int:stop_id>")
@roles_required(*STAFF_ROLES)
def show_stop(stop_id: int) -> tuple[str, int]:
    return _stop_page(_stop_or_404(stop_id))


@bp.post("/trygghetsvandringar/stopp/<int:stop_id>/observation")
@roles_required(*STAFF_ROLES)
def add_observation(stop_id: int) -> HttpResponse | tuple[str, int]:
    stop = _stop_or_404(stop_id)
    form = ObservationForm()
    if not form.validate():
        return _stop_page(stop, observation=form, error=_("Check the fields marked below."),
                          status=422)
    observation = service.add_observation(stop, form.category.data, form.text.data or "")
    audit.record("walk.observation", str(stop.walk_id), str(observation.id))
    flash(_("The observation has been saved."))
    return redirect(url_for("walks.show_stop", stop_id=stop.id))


@bp.post("/trygghetsvandringar/stopp/<int:stop_id>/foto")
@roles_required(*STAFF_ROLES)
def add_photo(stop_id: int) -> HttpResponse | tuple[str, int]:
    stop = _stop_or_404(stop_id)
    form = PhotoForm()
    if not form.validate():
        return _stop_page(stop, photo=form, error=_("Check the fields marked below."),
                          status=422)
    try:
        photo = service.add_photo(stop, form.photo.data.read(), current_user.email)
    except service.WalkError as exc:
        form.photo.errors = [_messages()[str(exc)]]
        return _stop_page(stop, photo=form, error=_("Check the fields marked below."),
                          status=422)
    audit.record("walk.photo", str(stop.walk_id), str(photo.id))
    flash(_("The photo has been saved without its location and camera data."))
    return redirect(url_for("walks.show_stop", stop_id=stop.id))


@bp.get("/trygghetsvandringar/foto/<int:photo_id>.jpg")
@roles_required(*STAFF_ROLES)
def show_photo(photo_id: int) -> HttpResponse:
    photo = service.find_photo(photo_id)
    if photo is None or not os.path.exists(service.photo_path(photo)):
        abort(404)
    return send_file(service.photo_path(photo), mimetype="image/jpeg")


@bp.post("/trygghetsvandringar/foto/<int:photo_id>/ta-bort")
@roles_required(*STAFF_ROLES)
def remove_photo(photo_id: int) -> HttpResponse:
    photo = service.find_photo(photo_id)
    if photo is None:
        abort(404)
    stop = photo.stop
    service.remove_photo(photo)
    audit.record("walk.photo_delete", str(stop.walk_id), str(photo_id))
    flash(_("The photo has been removed."))
    return redirect(url_for("walks.show_stop", stop_id=stop.id))


@bp.get("/trygghetsvandringar/<int:walk_id>/protokoll")
@roles_required(*STAFF_ROLES)
def show_protocol(walk_id: int) -> str:
    walk = _walk_or_404(walk_id)
    return render_template("walks/protocol.html", walk=walk, made_on=utcnow().date(),
                           survey_places=_survey_places(walk))
