"""Signing in and out, and choosing a new password after a reset link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from recrutement.accounts import services as accounts
from recrutement.accounts.devices import DEVICE_COOKIE, set_device_cookie
from recrutement.accounts.forms import EmailForm, LoginForm, ResetPasswordForm
from recrutement.accounts.models import Role
from recrutement.accounts.permissions import home_url_for, public, roles
from recrutement.accounts.sessions import end_session, start_session
from recrutement.accounts.tokens import TokenError
from recrutement.core.errors import ServiceError
from recrutement.core.validators import safe_next_url
from recrutement.web.auth import bp
from recrutement.web.transaction import Refused, form_status, submit

ALL_ROLES = tuple(Role)


def remote_address() -> str:
    """The client's address, for the rate limits (the proxies' headers already applied)."""
    return request.remote_addr or "unknown"


@bp.route("/connexion", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or home_url_for(current_user))
    form = LoginForm()
    outcome = submit(
        form,
        lambda: accounts.authenticate(
            form.email.data,
            form.password.data,
            remote_address(),
            request.cookies.get(DEVICE_COOKIE),
        ),
    )
    if outcome:
        user = outcome.value
        start_session(user)
        flash(f"Bienvenue, {user.full_name}.", "success")
        response = redirect(next_url or home_url_for(user))
        set_device_cookie(response, user)
        return response
    # Not confirmed yet: the page offers a new confirmation link.
    unconfirmed = isinstance(outcome, Refused) and getattr(outcome.error, "unconfirmed", False)
    return render_template("auth/login.html", form=form, unconfirmed=unconfirmed), form_status(form)


@bp.post("/deconnexion")
@roles(*ALL_ROLES)
def logout():
    end_session()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("public.home"))


@bp.route("/mot-de-passe/oublie", methods=["GET", "POST"])
@public
def password_forgotten():
    form = EmailForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, remote_address())
        # The same answer whether the account exists or not.
        flash(
            "Si un compte existe pour cette adresse, un lien de réinitialisation vient de lui "
            "être envoyé. Il est valable une heure.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/password_forgotten.html", form=form), form_status(form)


@bp.route("/mot-de-passe/reinitialiser/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        user = accounts.user_for_reset_token(token)
    except TokenError as error:
        flash(str(error), "error")
        return redirect(url_for("auth.password_forgotten"))
    form = ResetPasswordForm()
    form.known_email = user.email
    if submit(
        form,
        lambda: accounts.reset_password(token, form.password.data),
        refusals=(TokenError, ServiceError),
    ):
        end_session()
        flash("Votre mot de passe a été modifié. Connectez-vous avec le nouveau.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, account=user), form_status(form)
