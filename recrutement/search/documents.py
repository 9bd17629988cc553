"""What the index holds about a published offer: its search document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from recrutement.core.enums import LabelledEnum
from recrutement.offers.models import (
    Category,
    ContractType,
    Experience,
    Offer,
    OfferStatus,
    RemoteWork,
    offer_town,
)
from recrutement.organisations.models import Organisation
from recrutement.referential.models import Commune, Department, Region

# Coordinates are indexed as integer micro-degrees: Whoosh 2.7's sortable float
# columns cannot be written, and integers keep the distance filter exact to 0.1 m.
COORDINATE_SCALE = 1_000_000
# Whoosh fills a missing integer column with the type's maximum; coordinates never reach it.
MISSING_COORDINATE = 2**31 - 1


class OfferFacts(NamedTuple):
    """What an offer's search document is made of: the offer's columns, its
    organisation's name, its workplace and that commune's département and région
    names, its towns' names (by name)."""

    id: int
    title: str
    missions: str
    profile: str
    benefits: str
    contract_type: ContractType
    category: Category
    grades: str
    experience: Experience
    remote_work: RemoteWork
    published_at: datetime | None
    application_deadline: date
    organisation: str
    workplace: str
    workplace_name: str
    region: str
    department: str
    latitude: float | None
    longitude: float | None
    department_name: str | None
    region_name: str | None
    towns: tuple[str, ...]


def offer_document(offer: Offer) -> dict[str, Any]:
    """Return the search document of a published `offer` (raise ValueError otherwise)."""
    if offer.status != OfferStatus.PUBLISHED or offer.id is None:
        raise ValueError(f"only a saved, published offer is indexed (offer {offer.id})")
    workplace = offer.workplace
    facts = OfferFacts(
        id=offer.id,
        title=offer.title,
        missions=offer.missions,
        profile=offer.profile,
        benefits=offer.benefits,
        contract_type=offer.contract_type,
        category=offer.category,
        grades=offer.grades,
        experience=offer.experience,
        remote_work=offer.remote_work,
        published_at=offer.published_at,
        application_deadline=offer.application_deadline,
        organisation=offer.organisation.name,
        workplace=workplace.insee_code,
        workplace_name=workplace.name,
        region=workplace.region_code,
        department=workplace.department_code,
        latitude=workplace.latitude,
        longitude=workplace.longitude,
        department_name=workplace.department.name if workplace.department else None,
        region_name=workplace.region.name if workplace.region else None,
        towns=tuple(town.name for town in offer.towns),
    )
    return facts_document(facts)


def published_offer_facts(
    session: Session, batch: int, after_id: int = 0, up_to_id: int | None = None
) -> Iterator[OfferFacts]:
    """The facts of every published offer by increasing id, read as plain rows; only
    those whose id is above `after_id` and at most `up_to_id` when it is given.

    For a full rebuild: the columns `facts_document` needs, `batch` offers per
    query and their towns in a second, instead of ORM objects and four related
    loads per batch (a tenth of a rebuild). `offer_document` stays the path of a
    single offer; tests/search/test_rebuild.py checks both give the same document.
    """
    workplace = aliased(Commune)
    columns = select(
        Offer.id,
        Offer.title,
        Offer.missions,
        Offer.profile,
        Offer.benefits,
        Offer.contract_type,
        Offer.category,
        Offer.grades,
        Offer.experience,
        Offer.remote_work,
        Offer.published_at,
        Offer.application_deadline,
        Organisation.name,
        workplace.insee_code,
        workplace.name,
        workplace.region_code,
        workplace.department_code,
        workplace.latitude,
        workplace.longitude,
        Department.name,
        Region.name,
    )
    query = (
        columns.join(Organisation, Organisation.id == Offer.organisation_id)
        .join(workplace, workplace.insee_code == Offer.workplace_insee_code)
        .outerjoin(Department, Department.code == workplace.department_code)
        .outerjoin(Region, Region.code == workplace.region_code)
        .where(Offer.status == OfferStatus.PUBLISHED)
        .order_by(Offer.id)
        .limit(batch)
    )
    if up_to_id is not None:
        query = query.where(Offer.id <= up_to_id)
    last_id = after_id
    while True:
        rows = session.execute(query.where(Offer.id > last_id)).all()
        if not rows:
            return
        ids = [row[0] for row in rows]
        towns: dict[int, list[str]] = {}
        # Ordered by name as the Offer.towns relationship is.
        for offer_id, name in session.execute(
            select(offer_town.c.offer_id, Commune.name)
            .join(Commune, Commune.insee_code == offer_town.c.commune_insee_code)
            .where(offer_town.c.offer_id.in_(ids))
            .order_by(Commune.name)
        ):
            towns.setdefault(offer_id, []).append(name)
        for row in rows:
            yield OfferFacts._make((*row, tuple(towns.get(row[0], ()))))
        last_id = ids[-1]


def facts_document(facts: OfferFacts) -> dict[str, Any]:
    """Return the search document of a published offer from its facts.

    `body` is the text searched besides the title, and the text excerpts are cut
    from; `spelling` is the text whose words feed "Vouliez-vous dire" (it goes to
    the vocabulary, vocabulary.py, not to a Whoosh field); the other fields
    filter, count facets and sort without reading the document back.
    """
    text = searchable_text(facts)
    document = {
        "id": str(facts.id),
        "title": facts.title,
        "body": text,
        "spelling": f"{facts.title}\n{text}",
        "region": facts.region,
        "department": facts.department,
        "contract_type": facts.contract_type,
        "experience": facts.experience,
        "remote_work": facts.remote_work,
        "published_at": _timestamp(facts.published_at),
        "application_deadline": date_number(facts.application_deadline),
        "workplace": facts.workplace,
        "organisation": facts.organisation,
    }
    if facts.latitude is not None and facts.longitude is not None:
        document["latitude"] = round(facts.latitude * COORDINATE_SCALE)
        document["longitude"] = round(facts.longitude * COORDINATE_SCALE)
    return document


def searchable_text(facts: OfferFacts) -> str:
    """The offer's text as searched and excerpted: what the post is first, then where."""
    towns = ", ".join(facts.towns)
    parts = [
        facts.missions,
        facts.profile,
        facts.benefits,
        _label(ContractType, facts.contract_type),
        _label(Category, facts.category),
        facts.grades,
        facts.organisation,
        f"Communes couvertes : {towns}" if towns else "",
        f"Lieu de travail : {facts.workplace_name}",
        facts.department_name or "",
        facts.region_name or "",
    ]
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def date_number(day: date) -> int:
    """A date as the integer YYYYMMDD, which sorts and compares like the date."""
    return day.year * 10_000 + day.month * 100 + day.day


def _timestamp(moment: datetime | None) -> int:
    # A published offer always has published_at; 0 sorts a missing one last.
    return int(moment.timestamp()) if moment else 0


def _label(enum: type[LabelledEnum], value: str) -> str:
    try:
        return enum(value).label
    except ValueError:
        return ""
