"""What the national demo builds on: the PVD towns no collectivité covers yet, the
départements and groupings of the referential, the préfecture and ANAH agents already
there, the funding rules, the demo password (hashed once)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from recrutement.accounts.models import Role, User, user_department
from recrutement.accounts.passwords import hash_password
from recrutement.cofunding.engine import Rule
from recrutement.cofunding.models import FundingRule
from recrutement.cofunding.rules import as_rule
from recrutement.core.time import paris_today, utcnow
from recrutement.demo.common import DemoRefused
from recrutement.demo.national.parameters import COFUNDING_FROM
from recrutement.extensions import db
from recrutement.organisations.models import Organisation, organisation_town
from recrutement.referential.models import Commune, Department, Grouping, Region


@dataclass(frozen=True)
class Town:
    insee_code: str
    name: str
    department_code: str
    population: int | None
    epci_siren: str | None
    signed_on: date | None


@dataclass
class World:
    """The referential and accounts the national programme is built on."""

    today: date
    now: datetime
    cutoff: datetime  # applications finished before it are anonymised
    retention: timedelta
    towns: list[Town]
    departments: dict[str, tuple[str, str]]  # code: (name, région name)
    groupings: dict[str, tuple[str, str | None]]  # siren: (name, département)
    taken_sirens: set[str]
    prefecture_agents: dict[str, int]
    anah_agents: dict[str, int]
    rules: list[tuple[date, int, Rule]]
    password_hash: str

    def rule_on(self, day: date) -> tuple[int, Rule]:
        found = [(rule_id, rule) for since, rule_id, rule in self.rules if since <= day]
        return found[-1]


def read_world(rng: random.Random, scale: float) -> World:
    now = utcnow()
    retention = timedelta(days=current_app.config["RETENTION_DAYS"])
    rules = _rules()
    towns = _available_towns()
    if not towns:
        raise DemoRefused(
            "Aucune commune PVD sans collectivité : lancez d'abord `flask demo seed`."
        )
    return World(
        today=paris_today(),
        now=now,
        cutoff=now - retention,
        retention=retention,
        towns=_sample(rng, towns, scale),
        departments=_departments(),
        groupings={
            siren: (name, code)
            for siren, name, code in db.session.execute(
                select(Grouping.siren, Grouping.name, Grouping.department_code)
            )
        },
        taken_sirens=set(db.session.scalars(select(Grouping.siren))),
        prefecture_agents=_agents(Role.PREFECTURE),
        anah_agents=_agents(Role.ANAH),
        rules=rules,
        password_hash=hash_password(current_app.config["DEMO_PASSWORD"]),
    )


def _rules() -> list[tuple[date, int, Rule]]:
    rows = db.session.scalars(select(FundingRule).order_by(FundingRule.effective_from)).all()
    if not rows or rows[0].effective_from > date(COFUNDING_FROM, 1, 1):
        raise DemoRefused("Aucune règle de cofinancement en vigueur : lancez `flask db upgrade`.")
    return [(row.effective_from, row.id, as_rule(row)) for row in rows]


def _available_towns() -> list[Town]:
    """PVD towns that no organisation covers or is, and whose EPCI has none."""
    covered = select(organisation_town.c.commune_insee_code)
    communes = select(Organisation.commune_insee_code).where(
        Organisation.commune_insee_code.is_not(None)
    )
    taken_groupings = set(
        db.session.scalars(
            select(Organisation.grouping_siren).where(Organisation.grouping_siren.is_not(None))
        )
    )
    rows = db.session.execute(
        select(
            Commune.insee_code,
            Commune.name,
            Commune.department_code,
            Commune.population,
            Commune.epci_siren,
            Commune.pvd_convention_signed_on,
        )
        .where(Commune.is_pvd, Commune.insee_code.not_in(covered))
        .where(Commune.insee_code.not_in(communes))
        .order_by(Commune.insee_code)
    )
    return [
        Town(
            row.insee_code,
            row.name,
            row.department_code,
            row.population,
            None if row.epci_siren in taken_groupings else row.epci_siren,
            row.pvd_convention_signed_on,
        )
        for row in rows
    ]


def _sample(rng: random.Random, towns: list[Town], scale: float) -> list[Town]:
    """The towns of a share `scale` of the départements (all of them at 1)."""
    if scale >= 1:
        return towns
    codes = sorted({town.department_code for town in towns})
    rng.shuffle(codes)
    kept: set[str] = set()
    count = 0
    for code in codes:
        if kept and count >= scale * len(towns):
            break
        kept.add(code)
        count += sum(1 for town in towns if town.department_code == code)
    return [town for town in towns if town.department_code in kept]


def _departments() -> dict[str, tuple[str, str]]:
    rows = db.session.execute(
        select(Department.code, Department.name, Region.name).join(
            Region, Region.code == Department.region_code
        )
    )
    return {code: (name, region) for code, name, region in rows}


def _agents(role: Role) -> dict[str, int]:
    """An active agent of `role` per département, when there is one."""
    rows = db.session.execute(
        select(user_department.c.department_code, User.id)
        .join(User, User.id == user_department.c.user_id)
        .where(User.role == role, User.is_active_account.is_(True))
        .order_by(User.id)
    )
    agents: dict[str, int] = {}
    for code, user_id in rows:
        agents.setdefault(code, user_id)
    return agents
