"""Medborgarlöften: staff draft, sign and follow up; residents read them at
/<lang>/loften/<slug>."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("promises", __name__)


def register(app: Flask) -> None:
    from . import routes

    app.register_blueprint(bp)
    app.context_processor(routes.thanks_context)
