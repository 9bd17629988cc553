"""factory_boy factories for the models; users share one precomputed password hash."""

from __future__ import annotations

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from recrutement.accounts.models import Role, User
from recrutement.accounts.passwords import hash_password
from recrutement.core.french import commune_organisation_name
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.offers.models import ContractType, Offer, OfferStatus
from recrutement.organisations.models import Membership, Organisation, OrganisationStatus
from recrutement.referential.models import Commune, Department, Grouping, Region

PASSWORD = "une phrase de passe solide"
# Hashing once keeps argon2's deliberate slowness out of every test.
PASSWORD_HASH = hash_password(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class RegionFactory(BaseFactory):
    class Meta:
        model = Region

    # Codes hold 3 characters (PostgreSQL enforces it, SQLite does not): the sequence
    # runs over the whole test run, so it wraps, and its letter never meets a real code.
    code = factory.Sequence(lambda n: f"R{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Région {n}")


class DepartmentFactory(BaseFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"X{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Département {n}")
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(BaseFactory):
    class Meta:
        model = Commune

    insee_code = factory.Sequence(lambda n: f"{10000 + n}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    search_name = factory.LazyAttribute(lambda o: o.name.lower())
    department = factory.SubFactory(DepartmentFactory)
    region_code = factory.LazyAttribute(lambda o: o.department.region_code)
    population = 5000
    postcodes = ""
    is_pvd = False


class GroupingFactory(BaseFactory):
    class Meta:
        model = Grouping

    siren = factory.Sequence(lambda n: f"2{n:08d}")
    name = factory.Sequence(lambda n: f"Communauté de communes {n}")
    kind = "epci"
    legal_form = "CC"
    search_name = factory.LazyAttribute(lambda o: o.name.lower())


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    password_hash = PASSWORD_HASH
    role = Role.CANDIDATE
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email_confirmed_at = factory.LazyFunction(utcnow)


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    kind = "commune"
    commune = factory.SubFactory(CommuneFactory, is_pvd=True)
    name = factory.LazyAttribute(lambda o: commune_organisation_name(o.commune.name))
    department_code = factory.LazyAttribute(lambda o: o.commune.department_code)
    status = OrganisationStatus.VALIDATED
    towns = factory.LazyAttribute(lambda o: [o.commune])


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, role=Role.EMPLOYER)
    organisation = factory.SubFactory(OrganisationFactory)


class OfferFactory(BaseFactory):
    """A complete offer, published by default, with a deadline two months ahead."""

    class Meta:
        model = Offer

    organisation = factory.SubFactory(OrganisationFactory)
    status = OfferStatus.PUBLISHED
    title = "Chef de projet Petites villes de demain"
    recruiting_authority = "Le maire"
    workplace_insee_code = factory.LazyAttribute(lambda o: o.organisation.towns[0].insee_code)
    towns = factory.LazyAttribute(lambda o: list(o.organisation.towns))
    contract_type = ContractType.PROJECT_CONTRACT
    duration_months = 36
    category = "A"
    grades = "Attaché territorial"
    application_deadline = factory.LazyFunction(lambda: paris_today() + timedelta(days=60))
    missions = "Piloter le programme de revitalisation du centre-bourg et l'aménagement des espaces publics."
    profile = "Formation en urbanisme ou développement territorial."
    benefits = "RTT, CNAS, télétravail possible."
    experience = "confirmed"
    remote_work = "occasional"
    contact_name = "Erwan Tanguy"
    contact_email = "recrutement@exemple.fr"
    published_at = factory.LazyAttribute(
        lambda o: utcnow() if o.status != OfferStatus.DRAFT else None
    )
