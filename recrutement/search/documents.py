"""What the index holds about a published offer: its search document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from recrutement.core.enums import LabelledEnum
from recrutement.offers.models import Category, ContractType, Offer, OfferStatus

# Coordinates are indexed as integer micro-degrees: Whoosh 2.7's sortable float
# columns cannot be written, and integers keep the distance filter exact to 0.1 m.
COORDINATE_SCALE = 1_000_000
# Whoosh fills a missing integer column with the type's maximum; coordinates never reach it.
MISSING_COORDINATE = 2**31 - 1


def offer_document(offer: Offer) -> dict[str, Any]:
    """Return the search document of a published `offer` (raise ValueError otherwise).

    `body` is the text searched besides the title, and the text excerpts are cut
    from; `spelling` is the text whose words feed "Vouliez-vous dire" (it goes to
    the vocabulary, vocabulary.py, not to a Whoosh field); the other fields
    filter, count facets and sort without reading the document back.
    """
    if offer.status != OfferStatus.PUBLISHED or offer.id is None:
        raise ValueError(f"only a saved, published offer is indexed (offer {offer.id})")
    workplace = offer.workplace
    text = searchable_text(offer)
    document = {
        "id": str(offer.id),
        "title": offer.title,
        "body": text,
        "spelling": f"{offer.title}\n{text}",
        "region": workplace.region_code,
        "department": workplace.department_code,
        "contract_type": offer.contract_type,
        "experience": offer.experience,
        "remote_work": offer.remote_work,
        "published_at": _timestamp(offer.published_at),
        "application_deadline": date_number(offer.application_deadline),
        "workplace": workplace.insee_code,
        "organisation": offer.organisation.name,
    }
    if workplace.latitude is not None and workplace.longitude is not None:
        document["latitude"] = round(workplace.latitude * COORDINATE_SCALE)
        document["longitude"] = round(workplace.longitude * COORDINATE_SCALE)
    return document


def searchable_text(offer: Offer) -> str:
    """The offer's text as searched and excerpted: what the post is first, then where."""
    workplace = offer.workplace
    towns = ", ".join(town.name for town in offer.towns)
    parts = [
        offer.missions,
        offer.profile,
        offer.benefits,
        _label(ContractType, offer.contract_type),
        _label(Category, offer.category),
        offer.grades,
        offer.organisation.name,
        f"Communes couvertes : {towns}" if towns else "",
        f"Lieu de travail : {workplace.name}",
        workplace.department.name if workplace.department else "",
        workplace.region.name if workplace.region else "",
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
