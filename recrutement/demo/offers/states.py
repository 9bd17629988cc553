"""The base demo's offers (`flask demo seed`): every state for the demo collectivités
(Quimperlé, Commercy), made through the ORM by their member, and published offers
across France topped up to DEMO_OFFERS_ACROSS_FRANCE. Idempotent."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import func, select

from recrutement.core.time import utcnow
from recrutement.demo.offers.bulk import create_demo_offers
from recrutement.demo.offers.dates import lifecycle
from recrutement.demo.offers.vocabulary import (
    DEMO_OFFERS_ACROSS_FRANCE,
    DEMO_STATE_ORGANISATIONS,
    STATES_FOR_DEMO,
)
from recrutement.demo.offers.writer import DEFAULT_SEED, OfferWriter, Place
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.organisations.models import Membership, Organisation


def create_demo_offers_in_every_state(
    seed: int = DEFAULT_SEED, now: datetime | None = None
) -> dict[str, int]:
    """Offers in every state for the demo organisations, and published offers across France.

    For Quimperlé (29233) and Commercy (55122), whose organisations
    `recrutement.demo.seed()` creates: two published offers and one draft,
    filled, closed and expired offer each, with coherent timestamps, created
    through the ORM by the organisation's member (so index tasks are written as
    for any offer). An organisation that already has offers is skipped. Then,
    when fewer than DEMO_OFFERS_ACROSS_FRANCE (300) offers of other organisations are
    published, `create_demo_offers` tops them up, which needs a search index rebuild
    afterwards. How many of each, and where: data/offers.toml.

    Idempotent; commits. Returns the offers created per state, and
    `across_france` for the bulk ones.
    """
    now = now or utcnow()
    created = {status.value: 0 for status in OfferStatus} | {"across_france": 0}
    for insee_code in DEMO_STATE_ORGANISATIONS:
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.commune_insee_code == insee_code)
        )
        if organisation is None:
            continue
        if db.session.scalar(select(Offer.id).where(Offer.organisation_id == organisation.id)):
            continue
        rng = random.Random(f"{seed}:states:{insee_code}")
        writer = OfferWriter(rng)
        place = _place_of(organisation)
        member_id = db.session.scalar(
            select(Membership.user_id)
            .where(Membership.organisation_id == organisation.id)
            .order_by(Membership.id)
        )
        for status, how_many in STATES_FOR_DEMO:
            for _ in range(how_many):
                dates = lifecycle(status, rng, now)
                published_on = (dates["published_at"] or dates["created_at"]).date()
                values = writer.content(place, published_on)
                offer = Offer(
                    organisation=organisation,
                    status=status.value,
                    created_by_id=member_id,
                    towns=list(organisation.towns),
                    **values,
                    **dates,
                )
                db.session.add(offer)
                created[status.value] += 1
        db.session.flush()
    db.session.commit()

    # Offers across France only: the demo organisations' own offers move (the demo
    # hire fills one), and counting them made every second seed add an offer.
    demo_organisations = select(Organisation.id).where(
        Organisation.commune_insee_code.in_(DEMO_STATE_ORGANISATIONS)
    )
    published = (
        db.session.scalar(
            select(func.count())
            .select_from(Offer)
            .where(
                Offer.status == OfferStatus.PUBLISHED,
                Offer.organisation_id.not_in(demo_organisations),
            )
        )
        or 0
    )
    if published < DEMO_OFFERS_ACROSS_FRANCE:
        created["across_france"] = create_demo_offers(
            DEMO_OFFERS_ACROSS_FRANCE - published, seed=seed, now=now
        )
    return created


def describe_demo_offers(created: dict[str, int]) -> str:
    """One French line for the seed summary."""
    by_state = ", ".join(
        f"{created[status.value]} {status.label.lower()}(s)"
        for status in OfferStatus
        if created.get(status.value)
    )
    parts = []
    if by_state:
        parts.append(f"offres des collectivités de démonstration : {by_state}")
    if created.get("across_france"):
        parts.append(f"{created['across_france']} offres publiées ailleurs en France")
    return "Offres : " + ("; ".join(parts) if parts else "rien à ajouter") + "."


def _place_of(organisation: Organisation) -> Place:
    commune = organisation.commune
    if commune is None:
        raise ValueError(f"{organisation.name} is not a commune's organisation")
    towns = organisation.towns or [commune]
    signed = commune.pvd_convention_signed_on
    return Place(
        organisation_id=organisation.id,
        workplace_insee_code=commune.insee_code,
        town_name=commune.name,
        population=commune.population,
        department_name=commune.department.name,
        region_name=commune.region.name,
        signed_year=signed.year if signed else 2021,
        town_codes=tuple(town.insee_code for town in towns),
    )
