"""The interface language of the pages for staff and councillors: Swedish or English.

The staff area, the dashboard and the löfte drafting pages choose it the same way: ``?lang=``
switches and is remembered in the session, else the account's language, else the browser's.
"""

from __future__ import annotations

from flask import g, request, session
from flask_login import current_user

from .extensions import db

STAFF_LANGUAGES = ("sv", "en")
_LANG_KEY = "staff_lang"


def choose_staff_language(*, save_to_account: bool = False) -> None:
    """Set ``g.lang``. With ``save_to_account`` a switch also becomes the account's language."""
    wanted = request.args.get("lang")
    if wanted in STAFF_LANGUAGES:
        session[_LANG_KEY] = wanted
        if save_to_account and current_user.is_authenticated \
                and current_user.language != wanted:
            current_user.language = wanted
            db.session.commit()
    chosen = session.get(_LANG_KEY)
    if chosen is None and current_user.is_authenticated:
        chosen = current_user.language
    if chosen not in STAFF_LANGUAGES:
        chosen = request.accept_languages.best_match(STAFF_LANGUAGES) or "sv"
    g.lang = chosen


def chosen_staff_language() -> str | None:
    """The staff language chosen in this session, if any (read without the database, so an
    error page can use it whatever went wrong)."""
    chosen = session.get(_LANG_KEY)
    return chosen if chosen in STAFF_LANGUAGES else None


def fresh_session() -> None:
    """Empty the session (nothing carries over a sign-in: no session fixation), keeping only
    the chosen language."""
    kept = session.get(_LANG_KEY)
    session.clear()
    if kept:
        session[_LANG_KEY] = kept
