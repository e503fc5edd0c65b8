"""Who may see what. Roles: admin (everything), staff (surveys, responses, exports, löften),
councillor (read-only dashboard and aggregated results – never raw responses or free text)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, redirect, request, url_for
from flask_login import LoginManager, current_user

from .extensions import db
from .models import User

ROLES = ("admin", "staff", "councillor")
STAFF_ROLES = ("admin", "staff")
READ_ROLES = ("admin", "staff", "councillor")

login_manager = LoginManager()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


@login_manager.unauthorized_handler
def _to_login():
    return redirect(url_for("staff.login", next=request.full_path))


def roles_required(*roles: str) -> Callable:
    """Anonymous visitors go to the login page; a signed-in user without the role gets 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
