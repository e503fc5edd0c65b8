"""Map tiles from the configured source, and the settings a place question's map is drawn with.

Residents' browsers ask only this app: Leaflet is a static file of ours and every tile comes
through :func:`tile`, which asks ``MAP_TILE_URL`` itself without the resident's address or
cookies (see docs/places.md). A source is a URL template with ``{z}``, ``{x}`` and ``{y}``:
``https://…`` fetched over the network, ``file://…`` read from the server's disk.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, url_for

from surveys import Question, map_bounds

from ..cache import LRUCache
from ..i18n import pick_text

LEAFLET_FILE = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
# A tile is 5–50 kB: a thousand of the most recent cover a town at the zoom levels residents
# use and keep the process small.
_TILES: LRUCache[bytes] = LRUCache(1000)
# A source that does not answer must not hold a server thread for long.
FETCH_TIMEOUT_SECONDS = 5
MAX_TILE_BYTES = 1024 * 1024


class TileNotFound(LookupError):
    """No source, a tile outside the world, or one the source does not have."""


class TileSourceFailed(RuntimeError):
    """The source did not answer or answered with an error."""


@dataclass(frozen=True)
class Tile:
    body: bytes
    mimetype: str


def tile_source() -> str | None:
    return current_app.config.get("MAP_TILE_URL") or None


def max_zoom() -> int:
    return int(current_app.config.get("MAP_MAX_ZOOM", 18))


def _mimetype(url: str) -> str:
    return "image/jpeg" if url.lower().endswith((".jpg", ".jpeg")) else "image/png"


def tile(z: int, x: int, y: int) -> Tile:
    """Tile ``z/x/y`` from the source (kept in memory once fetched)."""
    source = tile_source()
    if source is None or not 0 <= z <= max_zoom() or not (0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise TileNotFound(f"{z}/{x}/{y}")
    url = source.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    cached = _TILES.get(url)
    if cached is None:
        cached = _TILES.put(url, _read(url))
    return Tile(cached, _mimetype(url))


def _read(url: str) -> bytes:
    parts = urlsplit(url)
    if parts.scheme == "file":
        try:
            with open(parts.path, "rb") as handle:
                return handle.read(MAX_TILE_BYTES)
        except FileNotFoundError as exc:
            raise TileNotFound(url) from exc
        except OSError as exc:
            raise TileSourceFailed(url) from exc
    if parts.scheme not in ("http", "https"):
        raise TileSourceFailed(f"unsupported tile source {parts.scheme!r}")
    # Tile services ask for a User-Agent naming the application; nothing of the resident's
    # request (address, cookies, language) is passed on.
    request = urllib.request.Request(url, headers={"User-Agent": "Medborgardialog tile proxy"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310 - scheme checked above
            return answer.read(MAX_TILE_BYTES)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise TileNotFound(url) from exc
        raise TileSourceFailed(url) from exc
    except (OSError, ValueError) as exc:
        raise TileSourceFailed(url) from exc


def _leaflet_installed() -> bool:
    return os.path.exists(os.path.join(current_app.static_folder or "", LEAFLET_FILE))


def map_sources() -> dict:
    """Where a map's parts come from: Leaflet's files ("" when Leaflet is not installed), the
    tile URL template through this app ("" without a source), its attribution and top zoom."""
    installed = _leaflet_installed()
    tiles = ""
    if tile_source() is not None:
        tiles = url_for("places.show_tile", z=0, x=0, y=0).replace("/0/0/0.", "/{z}/{x}/{y}.")
    return {
        "leaflet": url_for("static", filename=LEAFLET_FILE) if installed else "",
        "leaflet_css": url_for("static", filename=LEAFLET_CSS) if installed else "",
        "tiles": tiles,
        "attribution": current_app.config.get("MAP_ATTRIBUTION") or "",
        "max_zoom": max_zoom(),
    }


def map_settings(question: Question) -> dict:
    """What places.js draws a place question's map with (the template global ``place_map``):
    :func:`map_sources`, the map area and the named places and outlines in the page's
    language."""
    return {
        **map_sources(),
        "bounds": map_bounds(question),
        "places": [{"code": p.code, "label": pick_text(p.label), "lat": p.lat, "lon": p.lon}
                   for p in question.places],
        "areas": [{"label": pick_text(a.label), "outline": [list(c) for c in a.outline]}
                  for a in question.areas],
    }
