"""An offer in the public API's shape (`GET /api/v1/offres`, `/api/v1/offres/<id>`).

Search results wrap it with their excerpt and distance (search.results).
"""

from __future__ import annotations

from markupsafe import Markup

from recrutement.offers.models import Offer
from recrutement.offers.presentation import offer_url


def offer_json(offer: Offer, excerpt: Markup | None = None) -> dict[str, object]:
    """One offer in the public API's shape (docs/design.md, Public contract).

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
        # As search.query.excerpt_text gives it: tags dropped, entities decoded.
        "extrait": excerpt.striptags(),
        "extrait_html": str(excerpt),
    }


def offer_detail_json(offer: Offer) -> dict[str, object]:
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
