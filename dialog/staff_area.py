"""What every page of the staff area under /staff has, whichever feature draws it: the
staff member's language with links to the others, no caching, and where a signed-in person
starts. Each feature there (staff accounts, rounds, paper entry, answer review, exports)
makes its blueprint with ``staff_blueprint``, so that a new one cannot forget a part."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from .auth import STAFF_ROLES
from .i18n import supported_languages
from .services import catalog
from .staff_language import STAFF_LANGUAGES, choose_staff_language


def staff_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /staff with the staff area's language choice, links and no-store."""
    bp = Blueprint(name, import_name, url_prefix="/staff")
    bp.before_request(_choose_language)
    bp.context_processor(_staff_context)
    bp.after_request(_no_store)
    return bp


def _choose_language() -> None:
    choose_staff_language(save_to_account=True)


def _staff_context() -> dict:
    def staff_language_url(code: str) -> str:
        # url_for reads _method, _anchor, _external and _scheme as its own options: a query
        # string must not reach them (a BuildError, or a link to another scheme).
        query = {k: v for k, v in request.args.items() if not k.startswith("_")}
        args = {**query, **(request.view_args or {}), "lang": code}
        return url_for(request.endpoint or "rounds.index", **args)

    return {"staff_languages": {c: supported_languages()[c] for c in STAFF_LANGUAGES},
            "staff_language_url": staff_language_url}


def _no_store(response: HttpResponse) -> HttpResponse:
    # Staff pages show answers and accounts: a shared office PC must not keep them in its cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def landing() -> str:
    """Where a signed-in person starts: staff at the survey rounds, a councillor at the
    results of the current round (the list of results while no round has answers)."""
    if current_user.role in STAFF_ROLES:
        return url_for("rounds.index")
    current = catalog.current_round()
    if current is None:
        return url_for("dashboard.list_surveys")
    return url_for("dashboard.show_dashboard", slug=current.slug)
