"""The collectivité's members (/collectivite/membres): invitations, their revocation,
and each member's choice of notification mails."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications.messages import set_notification_frequency
from recrutement.organisations import services as organisations
from recrutement.organisations.forms import InviteForm, NotificationForm, RevokeInvitationForm
from recrutement.organisations.queries import get_invitation_for_member_or_404
from recrutement.web.employer import bp
from recrutement.web.transaction import act, form_status, submit


@bp.route("/membres", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def members():
    organisation = current_user.organisation
    form = InviteForm()
    if done := submit(form, lambda: organisations.invite_member(current_user, form.email.data)):
        invitation = done.value
        flash(
            f"Invitation envoyée à {invitation.email}. Le lien est valable "
            f"{(invitation.expires_at - invitation.created_at).days} jours.",
            "success",
        )
        return redirect(url_for("employer.members"))
    return (
        render_template(
            "employer/members.html",
            organisation=organisation,
            members=organisations.members_of(organisation),
            invitations=organisations.pending_invitations(organisation),
            form=form,
            revoke_form=RevokeInvitationForm(),
            notification_form=NotificationForm(
                frequency=current_user.membership.notification_frequency
            ),
        ),
        form_status(form),
    )


@bp.post("/membres/notifications")
@roles(Role.EMPLOYER)
def notifications_preference():
    form = NotificationForm()
    if form.validate_on_submit() and act(
        lambda: set_notification_frequency(current_user, form.frequency.data)
    ):
        flash("Préférence enregistrée.", "success")
    return redirect(url_for("employer.members"))


@bp.post("/membres/invitations/<int:invitation_id>/annuler")
@roles(Role.EMPLOYER)
def revoke_invitation(invitation_id: int):
    invitation = get_invitation_for_member_or_404(current_user, invitation_id)
    form = RevokeInvitationForm()
    if form.validate_on_submit() and act(
        lambda: organisations.revoke_invitation(current_user, invitation)
    ):
        flash("L'invitation est annulée : son lien ne fonctionne plus.", "success")
    return redirect(url_for("employer.members"))
