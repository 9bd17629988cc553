"""Many published offers over every département with PVD towns, written with bulk
inserts: `flask demo seed --offers N`, `make bench`, and the base demo's offers across
France (10,000 offers take a few seconds)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, func, insert, select

from recrutement.core.french import commune_organisation_name
from recrutement.core.time import utcnow
from recrutement.demo.offers.dates import lifecycle
from recrutement.demo.offers.writer import DEFAULT_SEED, OfferWriter, Place
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus, offer_town
from recrutement.organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    organisation_town,
)
from recrutement.referential.models import Commune, Department, Region

BATCH = 2_000


def create_demo_offers(
    count: int,
    seed: int = DEFAULT_SEED,
    status: OfferStatus = OfferStatus.PUBLISHED,
    now: datetime | None = None,
) -> int:
    """Add `count` realistic offers in `status`, spread over every département; commit.

    Départements take turns (round-robin); in each, the workplace is one of its
    PVD communes in turn, employed by a validated
    "Commune de X" organisation created as needed or reused. Communes whose
    organisation is pending, refused, a grouping's, or has members (a real or
    demo employer) are left alone: fake offers never land in someone's account.

    Offers and their towns are written with SQLAlchemy Core bulk inserts, which
    bypass the ORM session events: no index task is written, so the caller must
    rebuild the search index afterwards (`flask search rebuild`).

    Each call adds `count` more; the texts depend on `seed` and on how many
    offers exist already, so repeated calls do not repeat the same offers.
    Returns the number of offers created.
    """
    if count <= 0:
        return 0
    status = OfferStatus(status)
    now = now or utcnow()
    existing = db.session.scalar(select(func.count()).select_from(Offer)) or 0
    rng = random.Random(f"{seed}:{existing}")
    department_count = db.session.scalar(select(func.count()).select_from(Department)) or 1
    # No more organisations than the offers need: a few hundred offers go to the
    # largest PVD town of each département, ten thousand to all of them.
    places = _places_by_department(now, per_department=-(-count // department_count))
    if not places:
        raise ValueError(
            "Aucune commune Petites villes de demain dans le référentiel : lancez "
            "d'abord « flask demo seed » ou importez la liste des communes PVD."
        )
    writer = OfferWriter(rng)
    departments = sorted(places)
    turns: dict[str, int] = defaultdict(int)
    offers: list[dict[str, Any]] = []
    towns: list[tuple[str, ...]] = []
    created = 0
    for index in range(count):
        department = departments[(existing + index) % len(departments)]
        candidates = places[department]
        place = candidates[turns[department] % len(candidates)]
        turns[department] += 1
        dates = lifecycle(status, rng, now)
        published_on = (dates["published_at"] or dates["created_at"]).date()
        offers.append(
            {
                "organisation_id": place.organisation_id,
                "status": status.value,
                "created_by_id": None,
                **writer.content(place, published_on),
                **dates,
            }
        )
        towns.append(place.town_codes)
        if len(offers) >= BATCH:
            created += _insert_offers(offers, towns)
            offers, towns = [], []
    created += _insert_offers(offers, towns)
    db.session.commit()
    return created


def _insert_offers(offers: list[dict[str, Any]], towns: list[tuple[str, ...]]) -> int:
    if not offers:
        return 0
    table = cast(Table, Offer.__table__)
    ids = db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), offers
    ).scalars()
    links = [
        {"offer_id": offer_id, "commune_insee_code": code}
        for offer_id, codes in zip(ids, towns, strict=True)
        for code in codes
    ]
    db.session.execute(insert(offer_town), links)
    return len(offers)


def _places_by_department(now: datetime, per_department: int) -> dict[str, list[Place]]:
    """For each département with PVD towns, up to `per_department` of them for offers,
    largest first. A place without PVD towns (Clipperton, the Terres australes...)
    gets no offer: a chef de projet PVD works for a PVD town."""
    region_names: dict[str, str] = {
        code: name
        for code, name in db.session.execute(
            select(Department.code, Region.name).join(Region, Department.region_code == Region.code)
        )
    }
    department_names: dict[str, str] = {
        code: name for code, name in db.session.execute(select(Department.code, Department.name))
    }
    # Communes already employing: usable only through a validated commune organisation
    # that no employer has joined.
    organisations = {
        row.commune_insee_code: row
        for row in db.session.execute(
            select(
                Organisation.id,
                Organisation.commune_insee_code,
                Organisation.kind,
                Organisation.status,
                select(Membership.id)
                .where(Membership.organisation_id == Organisation.id)
                .exists()
                .label("has_members"),
            ).where(Organisation.commune_insee_code.is_not(None))
        )
    }

    def usable(code: str) -> bool:
        organisation = organisations.get(code)
        return organisation is None or (
            organisation.kind == OrganisationKind.COMMUNE
            and organisation.status == OrganisationStatus.VALIDATED
            and not organisation.has_members
        )

    columns = (
        Commune.insee_code,
        Commune.name,
        Commune.department_code,
        Commune.population,
        Commune.pvd_convention_signed_on,
    )
    chosen: dict[str, list[Row[Any]]] = defaultdict(list)
    for row in db.session.execute(
        select(*columns)
        .where(Commune.is_pvd)
        .order_by(Commune.department_code, Commune.population.desc(), Commune.insee_code)
    ):
        if usable(row.insee_code) and len(chosen[row.department_code]) < per_department:
            chosen[row.department_code].append(row)

    organisation_ids = _ensure_organisations(
        [row for rows in chosen.values() for row in rows], organisations, now
    )
    covered: dict[int, list[str]] = defaultdict(list)
    for organisation_id, code in db.session.execute(
        select(organisation_town.c.organisation_id, organisation_town.c.commune_insee_code).where(
            organisation_town.c.organisation_id.in_(organisation_ids.values())
        )
    ):
        covered[organisation_id].append(code)

    places: dict[str, list[Place]] = {}
    for department, rows in chosen.items():
        places[department] = []
        for row in rows:
            organisation_id = organisation_ids[row.insee_code]
            signed = row.pvd_convention_signed_on
            places[department].append(
                Place(
                    organisation_id=organisation_id,
                    workplace_insee_code=row.insee_code,
                    town_name=row.name,
                    population=row.population,
                    department_name=department_names[department],
                    region_name=region_names[department],
                    signed_year=signed.year if signed else 2021,
                    town_codes=tuple(sorted(covered[organisation_id] or [row.insee_code])),
                )
            )
    return places


def _ensure_organisations(
    rows: list[Row[Any]], existing: dict[str, Row[Any]], now: datetime
) -> dict[str, int]:
    """The organisation id of each commune of `rows`, creating validated ones as needed."""
    ids = {
        row.insee_code: existing[row.insee_code].id for row in rows if row.insee_code in existing
    }
    missing = [row for row in rows if row.insee_code not in existing]
    if missing:
        table = cast(Table, Organisation.__table__)
        new_ids = db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [
                {
                    "kind": OrganisationKind.COMMUNE.value,
                    "commune_insee_code": row.insee_code,
                    "grouping_siren": None,
                    "name": commune_organisation_name(row.name),
                    "department_code": row.department_code,
                    "status": OrganisationStatus.VALIDATED.value,
                    "refusal_reason": "",
                    "created_at": now,
                    "decided_at": now,
                    "decided_by_id": None,
                }
                for row in missing
            ],
        ).scalars()
        for row, organisation_id in zip(missing, new_ids, strict=True):
            ids[row.insee_code] = organisation_id
        db.session.execute(
            insert(organisation_town),
            [
                {"organisation_id": ids[row.insee_code], "commune_insee_code": row.insee_code}
                for row in missing
            ],
        )
    return ids
