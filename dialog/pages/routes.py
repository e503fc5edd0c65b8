"""Pages about the service itself: the accessibility statement (see ``statement.py``)."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template

from ..i18n import supported_languages
from .statement import statement_context

bp = Blueprint("pages", __name__)


@bp.get("/<lang>/tillganglighet")
def show_accessibility(lang: str) -> str:
    if lang not in supported_languages():
        abort(404)
    g.lang = lang
    return render_template("pages/accessibility.html", **statement_context())
