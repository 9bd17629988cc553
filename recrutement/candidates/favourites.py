"""A candidate's favourite offers (/candidat/favoris): kept while open, listed after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import Role, User
from recrutement.candidates.models import Favourite
from recrutement.core.errors import ServiceError
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.queries import open_offers


@dataclass
class FavouriteRow:
    """One line of the favourites page."""

    offer: Offer
    added_at: datetime
    is_open: bool


def _check_candidate(user: User) -> None:
    if user.role != Role.CANDIDATE:
        raise ServiceError("Seuls les candidats peuvent garder des offres en favoris.")


def is_favourite(user: User, offer: Offer) -> bool:
    """Whether the user keeps this offer in their favourites."""
    return db.session.get(Favourite, (user.id, offer.id)) is not None


def add_favourite(user: User, offer: Offer) -> Favourite | None:
    """Keep an open offer in the user's favourites (adding it twice changes nothing);
    None when a concurrent change refused the row and it is not there."""
    _check_candidate(user)
    if db.session.scalar(open_offers().where(Offer.id == offer.id)) is None:
        raise ServiceError("Cette offre n'est plus ouverte aux candidatures.")
    favourite = db.session.get(Favourite, (user.id, offer.id))
    if favourite is not None:
        return favourite
    favourite = Favourite(user_id=user.id, offer_id=offer.id, created_at=utcnow())
    db.session.add(favourite)
    try:
        db.session.commit()
    except IntegrityError:
        # Added at the same moment by another request (a double click).
        db.session.rollback()
        favourite = db.session.get(Favourite, (user.id, offer.id))
    return favourite


def remove_favourite(user: User, offer: Offer) -> None:
    """Remove an offer from the user's favourites, open or not (removing twice is fine)."""
    favourite = db.session.get(Favourite, (user.id, offer.id))
    if favourite is not None:
        db.session.delete(favourite)
        db.session.commit()


def get_favourite_for_user_or_404(user: User, offer_id: int) -> Favourite:
    """One of the user's favourites, or 404 (another's is not found either)."""
    favourite = db.session.get(Favourite, (user.id, offer_id))
    if favourite is None:
        abort(404)
    return favourite


def favourites_of(user: User) -> list[FavouriteRow]:
    """The user's favourites: still open offers first, then the others; newest first."""
    today = paris_today()
    favourites = db.session.scalars(
        select(Favourite)
        .where(Favourite.user_id == user.id)
        .options(
            selectinload(Favourite.offer).selectinload(Offer.organisation),
            selectinload(Favourite.offer).selectinload(Offer.workplace),
        )
        .order_by(Favourite.created_at.desc(), Favourite.offer_id.desc())
    ).all()
    rows = [
        FavouriteRow(
            offer=favourite.offer,
            added_at=favourite.created_at,
            is_open=favourite.offer.status == OfferStatus.PUBLISHED
            and favourite.offer.application_deadline >= today,
        )
        for favourite in favourites
    ]
    return sorted(rows, key=lambda row: not row.is_open)
