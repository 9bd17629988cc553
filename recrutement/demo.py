"""Demo data (`flask demo seed`): the accounts of DESIGN.md and their organisations.

Idempotent: running it again updates what exists and adds what is missing.
Refused in production, where it would create accounts with a known password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from recrutement.accounts.models import Role, User
from recrutement.accounts.passwords import hash_password, verify_password
from recrutement.core.french import commune_organisation_name
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from recrutement.referential.loader import describe_load, load_referential
from recrutement.referential.models import Commune, Department

DOMAIN = "demo.recrutement-pvd.fr"
# Demo PVD towns per département when no official list was imported: the most
# populous communes under 20,000 inhabitants stand in for the real laureates, in the
# places the programme covers (see in_programme).
DEMO_PVD_TOWNS_PER_DEPARTMENT = 16
DEMO_PVD_SIGNED_ON = date(2021, 6, 15)


class DemoRefused(Exception):
    pass


@dataclass(frozen=True)
class DemoAccount:
    local_part: str
    role: Role
    first_name: str
    last_name: str
    departments: tuple[str, ...] = ()
    organisation_insee: str | None = None


@dataclass(frozen=True)
class DemoOrganisation:
    insee_code: str
    status: OrganisationStatus
    signed_on: date


ORGANISATIONS = [
    DemoOrganisation("29233", OrganisationStatus.VALIDATED, date(2021, 3, 26)),  # Quimperlé
    DemoOrganisation("55122", OrganisationStatus.VALIDATED, date(2021, 5, 4)),  # Commercy
    DemoOrganisation("29103", OrganisationStatus.PENDING, date(2021, 6, 1)),  # Landerneau
    DemoOrganisation("55502", OrganisationStatus.PENDING, date(2021, 7, 9)),  # Stenay
]

ACCOUNTS = [
    DemoAccount("anct", Role.ADMIN, "Camille", "Durand"),
    DemoAccount("prefecture29", Role.PREFECTURE, "Yann", "Le Gall", ("29",)),
    DemoAccount("prefecture55", Role.PREFECTURE, "Sophie", "Marchal", ("55",)),
    DemoAccount("anah29", Role.ANAH, "Morgane", "Kerboriou", ("29",)),
    DemoAccount("quimperle", Role.EMPLOYER, "Erwan", "Tanguy", organisation_insee="29233"),
    DemoAccount("commercy", Role.EMPLOYER, "Claire", "Thiéry", organisation_insee="55122"),
    DemoAccount("landerneau", Role.EMPLOYER, "Gwenaëlle", "Abiven", organisation_insee="29103"),
    DemoAccount("stenay", Role.EMPLOYER, "Julien", "Collignon", organisation_insee="55502"),
    DemoAccount("candidat1", Role.CANDIDATE, "Léa", "Moreau"),
    DemoAccount("candidat2", Role.CANDIDATE, "Karim", "Benali"),
]


def seed() -> str:
    """Create or update the demo data; returns a summary with the credentials."""
    if current_app.config["APP_ENV"] == "production":
        raise DemoRefused("Les données de démonstration sont refusées en production.")
    counts = load_referential()
    mark_demo_pvd_towns()
    organisations = {item.insee_code: _organisation(item) for item in ORGANISATIONS}
    password = current_app.config["DEMO_PASSWORD"]
    for account in ACCOUNTS:
        _account(account, password, organisations)
    db.session.commit()
    return _summary(counts, password)


def in_programme():
    """The départements the PVD programme covers: metropolitan France and the five
    overseas départements-régions. In the referential, the collectivités d'outre-mer
    (Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna,
    Polynésie, Nouvelle-Calédonie), the Terres australes and Clipperton are each their
    own région: they have no PVD town, so the demo gives them none (nor any offer)."""
    return Department.region_code != Department.code


def mark_demo_pvd_towns() -> None:
    """Stand-in PVD towns when no official list was imported (commits nothing)."""
    outside = select(Department.code).where(~in_programme())
    # Demo marks of an earlier version of this code in places outside the programme.
    for town in db.session.scalars(
        select(Commune).where(
            Commune.is_pvd,
            Commune.pvd_convention_signed_on == DEMO_PVD_SIGNED_ON,
            Commune.department_code.in_(outside),
        )
    ):
        town.is_pvd = False
        town.pvd_convention_signed_on = None
    db.session.flush()
    if db.session.scalar(select(func.count()).where(Commune.is_pvd)):
        return  # an official list was imported, or the demo already ran
    for department_code in db.session.scalars(select(Department.code).where(in_programme())):
        towns = db.session.scalars(
            select(Commune)
            .where(
                Commune.department_code == department_code,
                Commune.population > 0,
                Commune.population < 20_000,
            )
            .order_by(Commune.population.desc())
            .limit(DEMO_PVD_TOWNS_PER_DEPARTMENT)
        )
        for town in towns:
            town.is_pvd = True
            town.pvd_convention_signed_on = DEMO_PVD_SIGNED_ON


def _organisation(item: DemoOrganisation) -> Organisation:
    commune = db.session.get(Commune, item.insee_code)
    commune.is_pvd = True
    commune.pvd_convention_signed_on = item.signed_on
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.commune_insee_code == item.insee_code)
    )
    if organisation is None:
        organisation = Organisation(
            kind=OrganisationKind.COMMUNE,
            commune_insee_code=commune.insee_code,
            name=commune_organisation_name(commune.name),
            department_code=commune.department_code,
            towns=[commune],
        )
        db.session.add(organisation)
    organisation.status = item.status
    organisation.decided_at = utcnow() if item.status != OrganisationStatus.PENDING else None
    return organisation


def _account(account: DemoAccount, password: str, organisations: dict) -> User:
    email = f"{account.local_part}@{DOMAIN}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=hash_password(password), role=account.role)
        db.session.add(user)
    elif not verify_password(user.password_hash, password):
        user.password_hash = hash_password(password)
    user.role = account.role
    user.first_name = account.first_name
    user.last_name = account.last_name
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    user.is_active_account = True
    if account.departments:
        user.departments = list(
            db.session.scalars(select(Department).where(Department.code.in_(account.departments)))
        )
    if account.organisation_insee and user.membership is None:
        db.session.add(
            Membership(user=user, organisation=organisations[account.organisation_insee])
        )
    return user


def _summary(counts, password: str) -> str:
    lines = [
        f"Référentiel : {describe_load(counts)}",
        f"Comptes de démonstration (mot de passe : {password}) :",
    ]
    for account in ACCOUNTS:
        lines.append(f"  {account.role.label:<22} {account.local_part}@{DOMAIN}")
    return "\n".join(lines)
