"""Scoped queries: a candidate sees only their own applications, an employer only
those made to its organisation's offers. Views load applications only through these."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select

from recrutement.accounts.models import User
from recrutement.applications.models import Application
from recrutement.extensions import db
from recrutement.offers.models import Offer


def applications_of_candidate(user: User) -> Select:
    return select(Application).where(Application.candidate_id == user.id)


def get_application_for_candidate_or_404(user: User, application_id: int) -> Application:
    found = db.session.scalar(
        applications_of_candidate(user).where(Application.id == application_id)
    )
    if found is None:
        abort(404)
    return found


def applications_for_member(user: User) -> Select:
    organisation_id = user.membership.organisation_id if user.membership else -1
    return (
        select(Application)
        .join(Offer, Offer.id == Application.offer_id)
        .where(Offer.organisation_id == organisation_id)
    )


def get_application_for_member_or_404(user: User, application_id: int) -> Application:
    found = db.session.scalar(applications_for_member(user).where(Application.id == application_id))
    if found is None:
        abort(404)
    return found
