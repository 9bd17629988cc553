"""Scoped queries: the organisations each user may see. Views load through these."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, false, select

from recrutement.accounts.models import Role, User
from recrutement.extensions import db
from recrutement.organisations.models import Invitation, Organisation


def organisations_for_instructor(user: User) -> Select[tuple[Organisation]]:
    """Organisations a préfecture (its départements) or ANCT (all) may decide on."""
    query = select(Organisation)
    if user.role == Role.ADMIN:
        return query
    if user.role == Role.PREFECTURE:
        return query.where(Organisation.department_code.in_(user.department_codes))
    return query.where(false())


def get_organisation_for_instructor_or_404(user: User, organisation_id: int) -> Organisation:
    organisation = db.session.scalar(
        organisations_for_instructor(user).where(Organisation.id == organisation_id)
    )
    if organisation is None:
        abort(404)
    return organisation


def get_invitation_for_member_or_404(user: User, invitation_id: int) -> Invitation:
    """An invitation of the user's own organisation; 404 for any other."""
    membership = user.membership
    assert membership is not None  # employers only (the view's roles)
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id,
            Invitation.organisation_id == membership.organisation_id,
        )
    )
    if invitation is None:
        abort(404)
    return invitation
