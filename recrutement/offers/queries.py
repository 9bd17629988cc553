"""Scoped queries: who may see which offer. Views load offers only through these."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select

from recrutement.accounts.models import User
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus


def offers_of_member(user: User) -> Select[tuple[Offer]]:
    """The offers of the employer's own organisation."""
    organisation_id = user.membership.organisation_id if user.membership else -1
    return select(Offer).where(Offer.organisation_id == organisation_id)


def get_offer_for_member_or_404(user: User, offer_id: int) -> Offer:
    offer = db.session.scalar(offers_of_member(user).where(Offer.id == offer_id))
    if offer is None:
        abort(404)
    return offer


def open_offers() -> Select[tuple[Offer]]:
    """Offers anyone may see: published, with a deadline not yet passed."""
    return select(Offer).where(
        Offer.status == OfferStatus.PUBLISHED, Offer.application_deadline >= paris_today()
    )


def get_open_offer_or_404(offer_id: int) -> Offer:
    offer = db.session.scalar(open_offers().where(Offer.id == offer_id))
    if offer is None:
        abort(404)
    return offer


def get_published_offer_or_404(offer_id: int) -> Offer:
    """For ANCT moderation: any published offer, open or past its deadline."""
    offer = db.session.scalar(
        select(Offer).where(Offer.id == offer_id, Offer.status == OfferStatus.PUBLISHED)
    )
    if offer is None:
        abort(404)
    return offer
