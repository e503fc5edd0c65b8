"""Configuration defaults. Secrets come from ``instance/config.py`` or the environment only."""

from __future__ import annotations

import os
from datetime import timedelta

LANGUAGES: dict[str, str] = {
    "sv": "Svenska",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "so": "Soomaali",
    "ti": "ትግርኛ",
    "uk": "Українська",
    "fi": "Suomi",
}
RTL_LANGUAGES = frozenset({"ar", "fa"})


class Config:
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    LANGUAGES = LANGUAGES
    # A resident may take an hour over one page; the token is tied to the session anyway.
    WTF_CSRF_TIME_LIMIT = None
    # Answer messages come from our own catalogs; WTForms' would be parsed on every request.
    WTF_I18N_ENABLED = False
    # Resident answer pages are small; staff uploads (definitions, population tables) are larger.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    RESPONSE_MAX_BYTES = 64 * 1024
    RESUME_COOKIE_MAX_AGE = 60 * 60 * 24 * 30
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    MIN_GROUP_SIZE = 10
    # Lägesbild: an area's count under this is shown as "fewer than N" (docs/lagesbild.md).
    INDICATOR_MIN_COUNT = 5
    # When the dashboard's analysis last took longer than this (seconds), a view after new
    # answers shows the previous results at once and the analysis runs again in the
    # background; None always waits for fresh results. See docs/deployment.md.
    RESULTS_BACKGROUND_AFTER_SECONDS: float | None = 1.0
    # How long a server process trusts what it read about a round (open? which version?).
    # Closing a round therefore reaches residents on other processes within this time.
    SURVEY_REF_CACHE_SECONDS = 2.0
    DEMO_RESPONSES = 600
    # Staff sessions end after this much inactivity, and at the latest this long after sign-in
    # however busy they are (a copied cookie kept in use dies too).
    STAFF_IDLE_LIMIT = timedelta(minutes=30)
    STAFF_SESSION_LIFETIME = timedelta(hours=12)
    # How staff passwords are hashed: werkzeug's scrypt (N=32768, r=8, p=1), about 0.15 s of
    # CPU per sign-in on purpose. The tests of the sign-in flow set a cheaper N, which leaves
    # their outcome the same (tests/dialog/test_staff_auth.py checks this default).
    PASSWORD_HASH_METHOD = "scrypt"
    # Kiosk: the screen is cleared after KIOSK_IDLE_SECONDS without a touch, with a notice
    # KIOSK_WARNING_SECONDS before (per survey in the staff area). The browser timer is the real
    # limit; KIOSK_MAX_PAGE_SECONDS catches a kiosk whose browser neither ran it nor reloaded.
    KIOSK_IDLE_SECONDS = 120
    KIOSK_WARNING_SECONDS = 20
    KIOSK_MAX_PAGE_SECONDS = 30 * 60
    # Shown in the accessibility statement. Placeholders (.example cannot exist): each
    # municipality sets its own contact in instance/config.py before going live.
    # Map tiles for place questions, fetched by the app so residents' browsers contact no
    # third party (docs/places.md): a URL template with {z}/{x}/{y}, https:// or file://.
    # Unset, the map shows the outlines and named places on a plain background.
    MAP_TILE_URL: str | None = os.environ.get("MAP_TILE_URL")
    MAP_ATTRIBUTION: str | None = os.environ.get("MAP_ATTRIBUTION")
    MAP_MAX_ZOOM = 18
    # Trygghetsvandring photos: outside the static folder, sent only to signed-in staff.
    # Unset: instance/walk-photos/. Back it up with the database (docs/trygghetsvandring.md).
    WALK_PHOTO_DIR: str | None = os.environ.get("WALK_PHOTO_DIR")
    ORGANISATION_NAME = "Kommunen"
    ACCESSIBILITY_EMAIL: str | None = "tillganglighet@kommunen.example"
    ACCESSIBILITY_PHONE: str | None = None


def database_url(instance_path: str) -> str:
    """SQLite in the instance folder unless DATABASE_URL says otherwise."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the psycopg 3 driver named.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + os.path.join(instance_path, "medborgardialog.db")
