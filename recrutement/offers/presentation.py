"""How an offer is shown outside the app: slug, schema.org JobPosting, summary lines."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from recrutement.core.french import NARROW_NBSP, number
from recrutement.core.urls import absolute_url
from recrutement.offers.models import ContractType, Offer, RemoteWork
from recrutement.referential.text import fold

# schema.org employmentType values for each contract.
EMPLOYMENT_TYPES = {
    ContractType.PROJECT_CONTRACT: "TEMPORARY",
    ContractType.FIXED_TERM: "TEMPORARY",
    ContractType.TRANSFER: "FULL_TIME",
    ContractType.SECONDMENT: "TEMPORARY",
    ContractType.PERMANENT: "FULL_TIME",
}


def slug(offer: Offer) -> str:
    """A readable URL part: "chef-de-projet-petites-villes-de-demain-quimperle"."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(f"{offer.title} {offer.workplace.name}"))
    return words.strip("-")[:80].rstrip("-")


# French typography (core/french.py): a narrow no-break space groups thousands and ties
# "€", "km" and "%" to their number, a no-break space "36 mois", so that no amount or
# length splits across two lines.
NBSP = "\u00a0"

# Remote work in a list of results, where the offer page's long labels would not fit.
REMOTE_WORK_SHORT = {
    RemoteWork.NONE: "Sans télétravail",
    RemoteWork.OCCASIONAL: "Télétravail ponctuel",
    RemoteWork.REGULAR: "Télétravail régulier",
}


def salary_range(offer: Offer) -> str | None:
    """The gross annual pay as candidates compare it, or None when the offer gives none:
    "30 500 à 36 000 € brut par an", "à partir de 30 500 € brut par an"..."""
    low, high = offer.salary_min, offer.salary_max
    if low and high and low != high:
        amount = f"{number(low)} à {number(high)}"
    elif low or high:
        amount = number(low or high)
        if low and not high:
            amount = f"à partir de {amount}"
        elif high and not low:
            amount = f"jusqu'à {amount}"
    else:
        return None
    return f"{amount}{NARROW_NBSP}€ brut par an"


def contract_summary(offer: Offer) -> str:
    """The contract as a list shows it: "Contrat de projet, 36 mois", "CDI",
    "CDD, 12 mois, temps partiel (80 %)"."""
    parts = [offer.contract_type.label]
    if offer.duration_months:
        parts.append(f"{offer.duration_months}{NBSP}mois")
    if offer.working_time_percent < 100:
        parts.append(f"temps partiel ({offer.working_time_percent}{NARROW_NBSP}%)")
    return ", ".join(parts)


def distance_label(distance_km: float) -> str:
    """How far the workplace is from the town searched near: "à 12 km", "à moins de 1 km"."""
    if distance_km < 1:
        return f"à moins de 1{NARROW_NBSP}km"
    return f"à {number(round(distance_km))}{NARROW_NBSP}km"


def offer_url(offer: Offer) -> str:
    return absolute_url("public.offer", offer_id=offer.id, slug=slug(offer))


def _iso(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat()
    return datetime.combine(moment, time(23, 59, 59), tzinfo=UTC).isoformat()


def job_posting(offer: Offer) -> dict[str, Any]:
    """The schema.org JobPosting of a published offer, for job search engines."""
    workplace = offer.workplace
    description = "\n\n".join(
        part
        for part in (
            f"Missions :\n{offer.missions}",
            f"Profil recherché :\n{offer.profile}",
            f"Ce que nous offrons :\n{offer.benefits}" if offer.benefits else "",
        )
        if part
    )
    employment = [EMPLOYMENT_TYPES[ContractType(offer.contract_type)]]
    employment.insert(0, "FULL_TIME" if offer.working_time_percent >= 100 else "PART_TIME")
    posting: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": offer.title,
        "description": description,
        "identifier": {
            "@type": "PropertyValue",
            "name": offer.organisation.name,
            "value": str(offer.id),
        },
        "datePosted": _iso(offer.published_at or offer.created_at),
        "validThrough": _iso(offer.application_deadline),
        "employmentType": list(dict.fromkeys(employment)),
        "hiringOrganization": {
            "@type": "Organization",
            "name": offer.organisation.name,
            "sameAs": absolute_url("public.organisation", organisation_id=offer.organisation_id),
        },
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": workplace.name,
                "postalCode": (workplace.postcodes or "").split(" ")[0],
                "addressRegion": workplace.region.name,
                "addressCountry": "FR",
            },
        },
        "directApply": False,
        "url": offer_url(offer),
        "industry": "Administration publique territoriale",
        "occupationalCategory": "Chef de projet en développement territorial",
    }
    if workplace.latitude is not None:
        posting["jobLocation"]["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": workplace.latitude,
            "longitude": workplace.longitude,
        }
    if offer.salary_min or offer.salary_max:
        value: dict[str, object] = {"@type": "QuantitativeValue", "unitText": "YEAR"}
        if offer.salary_min:
            value["minValue"] = offer.salary_min
        if offer.salary_max:
            value["maxValue"] = offer.salary_max
        posting["baseSalary"] = {"@type": "MonetaryAmount", "currency": "EUR", "value": value}
    if offer.start_date:
        posting["jobStartDate"] = offer.start_date.isoformat()
    return posting
