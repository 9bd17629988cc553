"""Scoped queries: who may see which offer. Views load offers only through these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple, TypeVar

from flask import abort
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    FromClause,
    Select,
    and_,
    bindparam,
    inspect,
    select,
)

from recrutement.accounts.models import User
from recrutement.core.time import paris_today
from recrutement.extensions import Model, db
from recrutement.files.models import StoredFile
from recrutement.offers.models import Offer, OfferStatus, offer_town
from recrutement.organisations.models import Organisation
from recrutement.referential.models import Commune, Region

ModelT = TypeVar("ModelT", bound=Model)


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


def _columns(model: type[Model], table: FromClause | None = None) -> list[ColumnElement[Any]]:
    """Every column of a model's table (or of an alias of it), in the mapper's order."""
    table = model.__table__ if table is None else table
    return [table.c[attribute.columns[0].key] for attribute in inspect(model).column_attrs]


def _build(model: type[ModelT], values: Sequence[Any]) -> ModelT:
    """A transient object (never added to the session) of a row of `_columns(model)`."""
    keys = [attribute.key for attribute in inspect(model).column_attrs]
    return model(**dict(zip(keys, values, strict=True)))


# Every column of every row the offer page shows, for an open offer: the offer, its
# organisation, its workplace and that town's région (for the JSON-LD), its PDF (an
# outer join: all None without one). In Core, on the tables: the ORM would cost more
# than the statement for these hundred columns. Built once: SQLAlchemy remembers a
# statement's cache key on the statement object.
_offer, _organisation, _region, _file, _commune = (
    model.__table__ for model in (Offer, Organisation, Region, StoredFile, Commune)
)
_workplace = _commune.alias("workplace")
_PAGE_ROW = (
    select(
        *_columns(Offer),
        *_columns(Organisation),
        *_columns(Commune, _workplace),
        *_columns(Region),
        *_columns(StoredFile),
    )
    .join(_organisation, _organisation.c.id == _offer.c.organisation_id)
    .join(_workplace, _workplace.c.insee_code == _offer.c.workplace_insee_code)
    .join(_region, _region.c.code == _workplace.c.region_code)
    .outerjoin(_file, _file.c.id == _offer.c.attachment_id)
    .where(
        _offer.c.id == bindparam("offer_id"),
        _offer.c.status == OfferStatus.PUBLISHED,
        _offer.c.application_deadline >= bindparam("today"),
    )
)
# The towns it covers, a list, come apart: joined to the offer they would repeat its long
# texts once per town, and SQLite materialises the whole offer-town join first (ten times
# slower at 10,000 offers). Same order as the relationship (`Offer.towns`).
_TOWN_ROWS = (
    select(*_columns(Commune))
    .join(offer_town, offer_town.c.commune_insee_code == _commune.c.insee_code)
    .where(offer_town.c.offer_id == bindparam("offer_id"))
    .order_by(_commune.c.name, _commune.c.insee_code)
)


class OfferPageRows(NamedTuple):
    """Everything the public page of an open offer shows, as plain values: hashable,
    so the rendered page can be kept under it (web/public/offer_page.py). Any change of
    what the page shows (a text, a town, the PDF, the organisation's name or status,
    the workplace's name...) changes it, whichever column the change touched and
    whether or not it touched `Offer.updated_at`."""

    page: tuple[Any, ...]
    towns: tuple[tuple[Any, ...], ...]

    def offer(self) -> Offer:
        """The offer built from these values alone, with its organisation, workplace,
        région, PDF and towns: transient objects, never added to the session, so what
        is rendered from them is exactly what these values say."""
        values = iter(self.page)
        models: tuple[type[Model], ...] = (Offer, Organisation, Commune, Region, StoredFile)
        offer, organisation, workplace, region, attachment = (
            [next(values) for _ in _columns(model)] for model in models
        )
        built = _build(Offer, offer)
        built.organisation = _build(Organisation, organisation)
        built.workplace = _build(Commune, workplace)
        built.workplace.region = _build(Region, region)
        if built.attachment_id is not None:
            built.attachment = _build(StoredFile, attachment)
        built.towns = [_build(Commune, town) for town in self.towns]
        return built


def open_offer_page_rows(offer_id: int, today: date) -> OfferPageRows | None:
    """What the public page of an open offer shows, in two statements that build no
    object; None when the offer is not open (the page answers 404)."""
    connection = db.session.connection()
    row = connection.execute(_PAGE_ROW, {"offer_id": offer_id, "today": today}).first()
    if row is None:
        return None
    towns = connection.execute(_TOWN_ROWS, {"offer_id": offer_id}).all()
    return OfferPageRows(tuple(row), tuple(tuple(town) for town in towns))


def get_published_offer_or_404(offer_id: int) -> Offer:
    """For ANCT moderation: any published offer, open or past its deadline."""
    offer = db.session.scalar(
        select(Offer).where(Offer.id == offer_id, Offer.status == OfferStatus.PUBLISHED)
    )
    if offer is None:
        abort(404)
    return offer
