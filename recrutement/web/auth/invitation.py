"""Accepting an invitation to join a collectivité (/invitation/<token>)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from recrutement.accounts.forms import InvitationAcceptForm
from recrutement.accounts.permissions import public
from recrutement.accounts.sessions import start_session
from recrutement.core.errors import ServiceError
from recrutement.core.french import of_organisation
from recrutement.organisations import services as organisations
from recrutement.web.auth import bp
from recrutement.web.transaction import form_status, submit


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = organisations.invitation_for_token(token)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.login"))
    form = InvitationAcceptForm()
    form.known_email = invitation.email
    if done := submit(
        form,
        lambda: organisations.accept_invitation(
            token, form.first_name.data, form.last_name.data, form.password.data
        ),
    ):
        start_session(done.value)
        flash(
            f"Bienvenue dans l'espace {of_organisation(invitation.organisation.name)}.",
            "success",
        )
        return redirect(url_for("employer.home"))
    return render_template(
        "auth/accept_invitation.html", form=form, invitation=invitation
    ), form_status(form)
