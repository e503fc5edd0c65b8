"""Error pages in the visitor's language, with a status code that fits. Never a bare 500."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .i18n import best_language, supported_languages
from .staff_language import chosen_staff_language


def _titles() -> dict[int, str]:
    return {
        400: _("Something in the form was wrong"),
        403: _("You do not have access to this page"),
        404: _("We could not find the page"),
        405: _("That is not possible on this page"),
        409: _("That has already been done"),
        410: _("The survey is closed"),
        413: _("You sent too much text"),
        422: _("Something in the form was wrong"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
    }


def _advice(code: int) -> str:
    return {
        400: _("Go back, check your answers and try again."),
        404: _("Check the address, or start from the home page."),
        410: _("The survey does not accept answers right now. Thank you for your interest."),
        413: _("Shorten your text and try again."),
        429: _("Wait a few minutes and try again."),
        500: _("Your earlier answers are saved. Try again in a little while."),
    }.get(code, _("Go back and try again."))


def render_error(error: HTTPException):
    if not getattr(g, "lang", None):
        first = request.path.strip("/").split("/", 1)[0]
        # Behind the sign-in the staff member's chosen language, not the browser's.
        staff = chosen_staff_language() if first in ("staff", "dashboard") else None
        g.lang = staff or (first if first in supported_languages() else best_language())
    code = error.code or 500
    description = error.description if _is_ours(error) else None
    # Keep what the error says in its headers (Allow on 405, Retry-After on 429), not its type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return render_template(
        "errors/error.html", code=code, title=_titles().get(code, _titles()[400]),
        description=description, advice=_advice(code),
    ), code, headers


def _is_ours(error: HTTPException) -> bool:
    # Werkzeug's default descriptions are English developer text; only our own are shown.
    return type(error).description != error.description


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        error.description = _("The page had expired. Go back, reload the page and try again.")
        return render_error(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return render_error(InternalServerError())
