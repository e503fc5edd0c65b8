"""Staff sign-in, accounts and the audit log. The survey rounds, paper entry, answer review
and exports under /staff are features of their own (see ``staff_area.py``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as HttpResponse

from .. import audit, auth, security
from ..auth import READ_ROLES, roles_required
from ..staff_area import landing, staff_blueprint
from ..staff_language import fresh_session
from .forms import ChangePasswordForm, LoginForm, OrganisationForm, UserForm

bp = staff_blueprint("staff", __name__)


def _local_target(target: str | None) -> str:
    return security.local_path(target) or landing()


@bp.route("/login", methods=["GET", "POST"])
def login() -> HttpResponse | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(_local_target(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("staff/login.html", form=form, error=None), status
    outcome = auth.authenticate(form.email.data, form.password.data,
                                client=security.client_key())
    if outcome.throttled:
        message = _too_many_attempts(outcome)
        return render_template("staff/login.html", form=form, error=message), 429
    if outcome.user is None:
        message = _("The e-mail address or the password is wrong.")
        return render_template("staff/login.html", form=form, error=message), 401
    fresh_session()
    auth.start_session(outcome.user)
    audit.record("sign_in", outcome.user.email)
    return redirect(_local_target(request.args.get("next")))


def _too_many_attempts(outcome: auth.SignIn) -> str:
    wait = format_timedelta(outcome.retry_after or auth.FAILED_LOGIN_WINDOW,
                            threshold=1.0, add_direction=False)
    return _("Too many failed attempts. Wait %(wait)s and try again.", wait=wait)


@bp.post("/logout")
def logout() -> HttpResponse:
    if current_user.is_authenticated:
        # Signing out anywhere ends the account's sessions everywhere, copied cookies included.
        auth.end_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("staff.login"))


@bp.route("/password", methods=["GET", "POST"])
@roles_required(*READ_ROLES)
def change_password() -> HttpResponse | str | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        checked = auth.check_current_password(current_user, form.current.data)
        if checked.throttled:
            form.current.errors = [_too_many_attempts(checked)]
            return render_template("staff/password.html", form=form), 429
        if checked.user is None:
            form.current.errors = [_("The current password is wrong.")]
        else:
            auth.set_password(current_user, form.new.data)
            # Every other session (another device, a stolen cookie) has ended; this one goes on.
            auth.renew_session(current_user)
            audit.record("change_password", current_user.email)
            flash(_("Your password has been changed."))
            return redirect(url_for("rounds.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/password.html", form=form), status


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def list_users() -> HttpResponse | str | tuple[str, int]:
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = auth.create_user(form.email.data, form.password.data, form.role.data,
                                    form.language.data, form.organisation.data or None)
        except ValueError:
            form.email.errors = [_("An account with this e-mail address already exists.")]
        else:
            audit.record("create_user", user.email, user.role)
            flash(_("The account has been created."))
            return redirect(url_for("staff.list_users"))
    users = auth.all_users()
    status = 422 if request.method == "POST" else 200
    return render_template("staff/users.html", users=users, form=form,
                           organisation_form=OrganisationForm), status


@bp.post("/users/<int:user_id>/organisation")
@roles_required("admin")
def set_organisation(user_id: int) -> HttpResponse:
    user = auth.find_user(user_id) or abort(404)
    form = OrganisationForm()
    if not form.validate_on_submit():
        abort(400)
    auth.set_organisation(user, form.organisation.data or None)
    audit.record("set_organisation", user.email, user.organisation or "-")
    return redirect(url_for("staff.list_users"))


@bp.post("/users/<int:user_id>/active")
@roles_required("admin")
def toggle_user(user_id: int) -> HttpResponse:
    user = auth.find_user(user_id) or abort(404)
    if user.id == current_user.id:
        abort(409, description=_("You cannot deactivate your own account."))
    auth.set_active(user, not user.active)
    audit.record("activate_user" if user.active else "deactivate_user", user.email)
    return redirect(url_for("staff.list_users"))


@bp.get("/audit")
@roles_required("admin")
def show_audit() -> str:
    events, total = audit.latest(200)
    return render_template("staff/audit.html", events=events, total=total,
                           summary=ngettext("%(num)d event", "%(num)d events", total or 0))
