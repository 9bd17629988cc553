"""Scoped queries: who may see which offer. Views load offers only through these."""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from recrutement.accounts.models import User
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus, offer_town
from recrutement.referential.models import Commune


def offers_of_member(user: User) -> Select[tuple[Offer]]:
    """The offers of the employer's own organisation."""
    organisation_id = user.membership.organisation_id if user.membership else -1
    return select(Offer).where(Offer.organisation_id == organisation_id)


def get_offer_for_member_or_404(user: User, offer_id: int) -> Offer:
    offer = db.session.scalar(offers_of_member(user).where(Offer.id == offer_id))
    if offer is None:
        abort(404)
    return offer


def _is_open(today: date | BindParameter[date]) -> ColumnElement[bool]:
    return and_(Offer.status == OfferStatus.PUBLISHED, Offer.application_deadline >= today)


def open_offers() -> Select[tuple[Offer]]:
    """Offers anyone may see: published, with a deadline not yet passed."""
    return select(Offer).where(_is_open(paris_today()))


def get_open_offer_or_404(offer_id: int) -> Offer:
    offer = db.session.scalar(open_offers().where(Offer.id == offer_id))
    if offer is None:
        abort(404)
    return offer


# The offer page's two statements, built once: SQLAlchemy remembers a statement's cache
# key on the statement object, and with loading options that key costs more to compute
# than the query takes to run. The first brings what the page shows besides the offer
# (its organisation, its workplace and that town's région for the JSON-LD, its PDF),
# which the page would otherwise load on first use, one query apiece.
_OPEN_OFFER_FOR_PAGE = (
    select(Offer)
    .where(Offer.id == bindparam("offer_id"), _is_open(bindparam("today")))
    .options(
        joinedload(Offer.organisation),
        joinedload(Offer.workplace).joinedload(Commune.region),
        joinedload(Offer.attachment),
    )
)
# The towns it covers, a list, come apart: joined to the offer they would repeat its long
# texts once per town, and SQLite materialises the whole offer-town join first (ten times
# slower at 10,000 offers); `selectinload` costs twice this statement, its cache key
# being computed again on every load. Same order as the relationship (`Offer.towns`).
_TOWNS_OF_OFFER = (
    select(Commune)
    .join(offer_town, offer_town.c.commune_insee_code == Commune.insee_code)
    .where(offer_town.c.offer_id == bindparam("offer_id"))
    .order_by(Commune.name, Commune.insee_code)
)


def get_open_offer_for_page_or_404(offer_id: int) -> Offer:
    """The open offer with everything its public page shows, in two queries."""
    offer = db.session.scalar(_OPEN_OFFER_FOR_PAGE, {"offer_id": offer_id, "today": paris_today()})
    if offer is None:
        abort(404)
    towns = db.session.scalars(_TOWNS_OF_OFFER, {"offer_id": offer_id}).all()
    # Loaded as if from the database: the offer is not marked changed.
    set_committed_value(offer, "towns", list(towns))
    return offer


def get_published_offer_or_404(offer_id: int) -> Offer:
    """For ANCT moderation: any published offer, open or past its deadline."""
    offer = db.session.scalar(
        select(Offer).where(Offer.id == offer_id, Offer.status == OfferStatus.PUBLISHED)
    )
    if offer is None:
        abort(404)
    return offer
