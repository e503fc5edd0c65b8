"""The councillor dashboard at /dashboard/<slug>/ and the medborgarlöfte pages.

``register(app)`` is the one hook the app factory calls: it registers this blueprint, the
löfte blueprint, the ``analyse`` command and the thank-you page's link to a signed löfte.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", static_folder="static",
               static_url_path="/static")


def register(app: Flask) -> None:
    from ..promises import register as register_promises
    from . import routes  # noqa: F401  (attaches the views to bp)
    from .cli import analyse_command

    app.register_blueprint(bp)
    register_promises(app)
    app.cli.add_command(analyse_command)
