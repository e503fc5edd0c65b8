"""Map tiles through the app's own origin, so residents' browsers contact no third party."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response as HttpResponse

from . import service

bp = Blueprint("places", __name__, url_prefix="/map")

# A day: tiles of a town change rarely, and every tile a browser keeps is one request less.
TILE_MAX_AGE = 24 * 60 * 60


# An image, not a page: the map shows what it has and a grey square where a tile is missing.
@bp.errorhandler(service.TileNotFound)
def _not_found(_error: service.TileNotFound) -> HttpResponse:
    return HttpResponse(status=404)


@bp.errorhandler(service.TileSourceFailed)
def _source_failed(_error: service.TileSourceFailed) -> HttpResponse:
    return HttpResponse(status=502)


@bp.route("/tiles/<int:z>/<int:x>/<int:y>.png")
def show_tile(z: int, x: int, y: int) -> HttpResponse:
    found = service.tile(z, x, y)
    response = HttpResponse(found.body, mimetype=found.mimetype)
    response.headers["Cache-Control"] = f"public, max-age={TILE_MAX_AGE}"
    return response
