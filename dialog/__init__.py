"""The Flask web app: factory, blueprints, models and CLI."""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask, current_app, request

from . import auth, cli, errors, security, templating
from .config import Config, database_url
from .extensions import babel, csrf, db, migrate
from .i18n import select_locale
from .security import ANSWER_BLUEPRINTS

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_MIGRATIONS = os.path.join(_ROOT, "migrations")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. Does no I/O: the schema is created by ``flask init-db``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.update(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    _check_secret_key(app)
    if app.debug or app.testing or _local_development():
        # Plain http on loopback: a Secure cookie would never come back.
        app.config["SESSION_COOKIE_SECURE"] = False

    db.init_app(app)
    migrate.init_app(app, db, directory=_MIGRATIONS)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=_translations_dir())
    # Registered before CSRFProtect, whose check reads the body: the limit must already hold.
    app.before_request(_limit_answer_body)
    csrf.init_app(app)
    auth.init_app(app)
    _configure_sqlite(app)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    security.init_app(app)
    return app


def _blueprints() -> list[Blueprint]:
    """Every feature, each a ``bp`` in its ``routes.py``. Imported only when an app is built,
    so that scripts and migrations importing the models do not load every view."""
    from .answer_review.routes import bp as answer_review
    from .atgardsplan.routes import bp as atgardsplan
    from .atgardsplan.routes import public_bp as atgardsplan_public
    from .dashboard.routes import bp as dashboard
    from .exports.routes import bp as exports
    from .kiosk.routes import bp as kiosk
    from .lagesbild.routes import bp as lagesbild
    from .pages.routes import bp as pages
    from .paper.routes import bp as paper
    from .places.routes import bp as places
    from .promises.routes import bp as promises
    from .public_lagesbild.routes import bp as public_lagesbild
    from .respond.routes import bp as respond
    from .rounds.routes import bp as rounds
    from .sampling.routes import bp as sampling
    from .staff.routes import bp as staff
    from .translation_review.routes import bp as translation_review
    from .walks.routes import bp as walks

    return [respond, staff, rounds, paper, answer_review, exports, kiosk, pages, dashboard,
            promises, translation_review, sampling, lagesbild, public_lagesbild, places,
            atgardsplan, atgardsplan_public, walks]


def _limit_answer_body() -> None:
    """Answer pages are small; a larger body is tampering or a mistake, refused unread."""
    if request.method == "POST" and request.blueprint in ANSWER_BLUEPRINTS:
        request.max_content_length = current_app.config["RESPONSE_MAX_BYTES"]


def _translations_dir() -> str:
    return os.path.join(_ROOT, "translations")


def _local_development() -> bool:
    """``make run`` sets this: serving on 127.0.0.1 for a developer or a demo."""
    return os.environ.get("MEDBORGARDIALOG_DEV") == "1"


def _check_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing or _local_development():
        # Development only: a per-process key means sessions end on restart, which is fine there.
        app.config["SECRET_KEY"] = os.urandom(32).hex()
        return
    raise RuntimeError(
        "SECRET_KEY saknas. Sätt SECRET_KEY i miljön eller i instance/config.py "
        "(SECRET_KEY is missing: set it in the environment or instance/config.py)."
    )


def _configure_sqlite(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        # WAL lets readers (dashboards, exports) run while residents' answers are written;
        # the busy timeout makes concurrent writers wait instead of failing. synchronous=FULL
        # syncs the log at every commit: an answer the resident saw acknowledged survives a
        # power cut too, not only a crashed server (NORMAL would be ~10 % faster).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
