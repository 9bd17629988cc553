"""Fixtures of the cofunding tests: the programme's rule, two collectivités in two
départements with their members, the instructors, and request content."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from recrutement.accounts.models import Role
from recrutement.cofunding.content import RequestContent
from recrutement.extensions import db
from tests import factories


def content(**overrides) -> RequestContent:
    """A complete request: a project contract from 1 March 2026, the rest of 2026 asked."""
    values = {
        "post_title": "Chef de projet Petites villes de demain",
        "holder_first_name": "Camille",
        "holder_last_name": "Le Gall",
        "holder_start_date": date(2026, 3, 1),
        "contract_type": "project_contract",
        "contract_end_date": date(2029, 2, 28),
        "period_start": date(2026, 3, 1),
        "period_end": date(2026, 12, 31),
        "annual_loaded_cost": D("60000"),
        "bdt_asked": True,
        "anah_asked": False,
        "housing_operation": "",
    }
    values.update(overrides)
    return RequestContent(**values)


@pytest.fixture
def people(app, referential, programme_rule):
    """Quimperlé (29) and Commercy (55) with one member each; préfecture and ANAH agents."""
    quimperle = factories.OrganisationFactory(commune=referential["quimperle"], name="Quimperlé")
    commercy = factories.OrganisationFactory(commune=referential["commercy"], name="Commercy")
    employer = factories.MembershipFactory(organisation=quimperle).user
    colleague = factories.MembershipFactory(organisation=quimperle).user
    other_employer = factories.MembershipFactory(organisation=commercy).user

    def agent(role, code):
        user = factories.UserFactory(role=role)
        user.departments = [referential["departments"][code]]
        return user

    people = SimpleNamespace(
        quimperle=quimperle,
        commercy=commercy,
        employer=employer,
        colleague=colleague,
        other_employer=other_employer,
        prefecture=agent(Role.PREFECTURE, "29"),
        prefecture55=agent(Role.PREFECTURE, "55"),
        anah=agent(Role.ANAH, "29"),
        anah55=agent(Role.ANAH, "55"),
    )
    db.session.commit()
    return people
