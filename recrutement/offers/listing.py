"""Search results as pages and as JSON: offers loaded from SQL in the index's order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.models import ContractType, Experience, Offer, RemoteWork
from recrutement.offers.presentation import offer_url
from recrutement.referential.models import Commune, Department, Region
from recrutement.search.query import SearchResults, excerpt_text


@dataclass
class ResultRow:
    offer: Offer
    excerpt: Markup  # safe HTML, <mark> around the words found
    # From the town searched near, in km; None without a town.
    distance_km: float | None = None
    # Days left to apply: 0 on the deadline day.
    deadline_in_days: int = 0


def result_rows(results: SearchResults, today: date | None = None) -> list[ResultRow]:
    """The hits' offers, read from the database (the source of truth), in hit order."""
    today = today or paris_today()
    ids = [hit.offer_id for hit in results.hits]
    offers = {
        offer.id: offer
        for offer in db.session.scalars(
            select(Offer)
            .where(Offer.id.in_(ids))
            .options(
                selectinload(Offer.organisation),
                selectinload(Offer.workplace).selectinload(Commune.region),
            )
        )
    }
    # An offer deleted since it was indexed is skipped rather than shown broken.
    return [
        ResultRow(
            offers[hit.offer_id],
            hit.excerpt,
            hit.distance_km,
            (offers[hit.offer_id].application_deadline - today).days,
        )
        for hit in results.hits
        if hit.offer_id in offers
    ]


def api_row_json(row: ResultRow) -> dict:
    """One search result of `GET /api/v1/offres`: the offer, its excerpt and, in a
    search near a town, `distance_km`."""
    body = offer_json(row.offer, row.excerpt)
    if row.distance_km is not None:
        body["distance_km"] = round(row.distance_km, 1)
    return body


def facet_labels() -> dict[str, dict[str, str]]:
    """French labels of every facet value, for filters and facet lists."""
    regions = dict(db.session.execute(select(Region.code, Region.name)).all())
    departments = {
        code: f"{name} ({code})"
        for code, name in db.session.execute(select(Department.code, Department.name)).all()
    }
    return {
        "region": regions,
        "departement": departments,
        "contrat": {member.value: member.label for member in ContractType},
        "experience": {member.value: member.label for member in Experience},
        "teletravail": {member.value: member.label for member in RemoteWork},
    }


def offer_json(offer: Offer, excerpt: Markup | None = None) -> dict:
    """One offer in the public API's shape (DESIGN.md, Public contract).

    `extrait` is plain text; `extrait_html` the same excerpt as safe HTML, the words
    found in <mark> and the rest escaped (`&amp;`, `&lt;`, `&#39;`...).
    """
    excerpt = excerpt if excerpt is not None else Markup("")
    return {
        "id": offer.id,
        "titre": offer.title,
        "url": offer_url(offer),
        "organisation": offer.organisation.name,
        "commune": offer.workplace.name,
        "departement": offer.workplace.department_code,
        "region": offer.workplace.region_code,
        "contrat": offer.contract_type,
        "publiee_le": offer.published_at.date().isoformat() if offer.published_at else None,
        "date_limite": offer.application_deadline.isoformat(),
        "extrait": excerpt_text(excerpt),
        "extrait_html": str(excerpt),
    }


def offer_detail_json(offer: Offer) -> dict:
    """The whole public content of one offer, for `GET /api/v1/offres/<id>`."""
    return {
        **offer_json(offer),
        "code_insee_commune": offer.workplace_insee_code,
        "communes_couvertes": [
            {"code_insee": town.insee_code, "nom": town.name} for town in offer.towns
        ],
        "autorite_de_recrutement": offer.recruiting_authority,
        "poste_cree": offer.post_is_new,
        "vacant_depuis": offer.vacant_since.isoformat() if offer.vacant_since else None,
        "contrat_libelle": offer.contract_type.label,
        "duree_mois": offer.duration_months,
        "categorie": offer.category,
        "grades": offer.grades,
        "temps_de_travail_pourcent": offer.working_time_percent,
        "teletravail": offer.remote_work,
        "remuneration_annuelle_brute": {"min": offer.salary_min, "max": offer.salary_max},
        "prise_de_poste": offer.start_date.isoformat() if offer.start_date else None,
        "experience": offer.experience,
        "missions": offer.missions,
        "profil": offer.profile,
        "avantages": offer.benefits,
        "contact": {
            "nom": offer.contact_name,
            "courriel": offer.contact_email,
            "telephone": offer.contact_phone,
        },
    }
