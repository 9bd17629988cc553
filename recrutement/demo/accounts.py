"""The demo accounts and their collectivités (data/accounts.toml), and `seed()`, which
loads the referential, marks stand-in PVD towns and makes them.

Idempotent: running it again updates what exists and adds what is missing.
Refused in production, where it would create accounts with a known password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from recrutement.accounts.models import Role, User
from recrutement.accounts.passwords import hash_password, verify_password
from recrutement.core.french import commune_organisation_name
from recrutement.core.time import utcnow
from recrutement.demo.common import DOMAIN, read_data, refuse_in_production
from recrutement.demo.places import mark_demo_pvd_towns
from recrutement.extensions import db
from recrutement.organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from recrutement.referential.loader import describe_load, load_referential
from recrutement.referential.models import Commune, Department


@dataclass(frozen=True)
class DemoOrganisation:
    """A demo collectivité: a commune, made a PVD town on `signed_on`."""

    insee_code: str
    status: OrganisationStatus
    signed_on: date


@dataclass(frozen=True)
class DemoAccount:
    """A demo account: <local_part>@DOMAIN, its role, name, départements or collectivité."""

    local_part: str
    role: Role
    first_name: str
    last_name: str
    departments: tuple[str, ...] = ()
    organisation_insee: str | None = None

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DOMAIN}"


def _read() -> tuple[list[DemoOrganisation], list[DemoAccount]]:
    data = read_data("accounts.toml")
    organisations = [
        DemoOrganisation(item["insee_code"], OrganisationStatus(item["status"]), item["signed_on"])
        for item in data["organisations"]
    ]
    accounts = [_account_of(item) for item in data["accounts"]]
    return organisations, accounts


def _account_of(item: dict[str, Any]) -> DemoAccount:
    first_name, last_name = item["name"]
    return DemoAccount(
        item["local_part"],
        Role(item["role"]),
        first_name,
        last_name,
        tuple(item.get("departments", ())),
        item.get("organisation"),
    )


ORGANISATIONS, ACCOUNTS = _read()


def seed() -> str:
    """Load the referential, mark stand-in PVD towns, create or update the demo
    collectivités and accounts; commit. Returns a summary with the credentials."""
    refuse_in_production()
    counts = load_referential()
    mark_demo_pvd_towns()
    organisations = {item.insee_code: ensure_organisation(item) for item in ORGANISATIONS}
    password = current_app.config["DEMO_PASSWORD"]
    for account in ACCOUNTS:
        ensure_account(account, password, organisations)
    db.session.commit()
    return _summary(counts, password)


def ensure_organisation(item: DemoOrganisation) -> Organisation:
    """The demo collectivité of `item`, created or brought back to its demo state."""
    commune = db.session.get(Commune, item.insee_code)
    if commune is None:
        raise LookupError(f"commune {item.insee_code} missing from the referential")
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


def ensure_account(
    account: DemoAccount, password: str, organisations: dict[str, Organisation]
) -> User:
    """The demo account, created or brought back to its demo state (its password too)."""
    user = db.session.scalar(select(User).where(User.email == account.email))
    if user is None:
        user = User(email=account.email, password_hash=hash_password(password), role=account.role)
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


def _summary(counts: dict[str, Any], password: str) -> str:
    lines = [
        f"Référentiel : {describe_load(counts)}",
        f"Comptes de démonstration (mot de passe : {password}) :",
    ]
    for account in ACCOUNTS:
        lines.append(f"  {account.role.label:<22} {account.email}")
    return "\n".join(lines)
