"""The demo offer generator: every département and contract, varied texts, open
deadlines, fast bulk inserts; and the base demo's offers in every state."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from recrutement.core.time import utcnow
from recrutement.demo.offers import (
    DEMO_OFFERS_ACROSS_FRANCE,
    OfferWriter,
    Place,
    create_demo_offers,
    create_demo_offers_in_every_state,
    describe_demo_offers,
)
from recrutement.demo.places import in_programme
from recrutement.extensions import db
from recrutement.offers.models import (
    DEFAULT_TITLE,
    FIXED_TERM_CONTRACTS,
    ContractType,
    Experience,
    Offer,
    OfferStatus,
    RemoteWork,
    offer_town,
)
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.referential.models import Commune, Department
from tests import factories


def all_offers() -> list[Offer]:
    return list(db.session.scalars(select(Offer).order_by(Offer.id)))


def test_offers_cover_every_department_and_contract_with_open_deadlines(referential):
    created = create_demo_offers(60)

    offers = all_offers()
    assert created == len(offers) == 60
    assert {offer.workplace.department_code for offer in offers} == {"29", "55", "56"}
    assert all(offer.workplace.is_pvd for offer in offers)
    assert {offer.contract_type for offer in offers} == set(ContractType)
    assert {offer.experience for offer in offers} == set(Experience)
    assert {offer.remote_work for offer in offers} == set(RemoteWork)
    now = utcnow()
    today = now.date()
    for offer in offers:
        assert offer.status == OfferStatus.PUBLISHED
        assert offer.organisation.status == OrganisationStatus.VALIDATED
        assert offer.organisation.commune_insee_code == offer.workplace_insee_code
        assert [town.insee_code for town in offer.towns] == [offer.workplace_insee_code]
        assert now - timedelta(days=60) <= offer.published_at <= now
        assert offer.first_published_at == offer.published_at
        assert offer.created_at <= offer.published_at
        published_on = offer.published_at.date()
        assert offer.application_deadline > today
        assert 31 <= (offer.application_deadline - published_on).days <= 90
        assert (offer.duration_months is not None) == (offer.contract_type in FIXED_TERM_CONTRACTS)
        assert offer.missions and offer.profile and offer.benefits and offer.contact_email
        assert "chef de projet" in offer.missions.lower()
        if offer.salary_min is not None:
            assert offer.salary_min < offer.salary_max


def test_texts_are_varied(referential):
    create_demo_offers(50)

    offers = all_offers()
    assert len({offer.missions for offer in offers}) == 50
    assert len({offer.profile for offer in offers}) == 50
    assert len({offer.benefits for offer in offers}) > 40
    titles = Counter(offer.title for offer in offers)
    assert titles.most_common(1)[0][0] == DEFAULT_TITLE
    assert len(titles) >= 3
    assert len({offer.grades for offer in offers}) >= 5
    assert len({offer.contact_name for offer in offers}) >= 20


def test_the_same_seed_writes_the_same_offer():
    place = Place(1, "29233", "Quimperlé", 12300, "Finistère", "Bretagne", 2021, ("29233",))
    published_on = utcnow().date()

    first = OfferWriter(random.Random(7)).content(place, published_on)
    second = OfferWriter(random.Random(7)).content(place, published_on)
    other = OfferWriter(random.Random(8)).content(place, published_on)

    assert first == second
    assert first["missions"] != other["missions"]
    assert "Quimperlé" in first["missions"]
    assert first["contact_email"] == "recrutement.quimperle@demo.recrutement-pvd.fr"


def test_each_call_adds_more_offers_and_reuses_the_organisations(referential):
    create_demo_offers(30)
    organisations = db.session.scalar(select(func.count()).select_from(Organisation))

    create_demo_offers(30)

    offers = all_offers()
    assert len(offers) == 60
    assert len({offer.missions for offer in offers}) == 60
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == organisations


def test_employers_organisations_get_no_generated_offers(referential):
    member = factories.MembershipFactory(
        organisation=factories.OrganisationFactory(commune=referential["quimperle"])
    )
    pending = factories.OrganisationFactory(
        commune=referential["landerneau"], status=OrganisationStatus.PENDING
    )

    create_demo_offers(40)

    organisation_ids = {offer.organisation_id for offer in all_offers()}
    assert member.organisation_id not in organisation_ids
    assert pending.id not in organisation_ids
    assert db.session.get(Organisation, pending.id).status == OrganisationStatus.PENDING


def test_every_department_of_france_and_a_thousand_offers_in_a_few_seconds(demo_app):
    # The seeded demo (see conftest): the real referential and, no PVD list being
    # imported, the demo's stand-in PVD towns in the places the programme covers.
    departments = set(
        db.session.scalars(select(Commune.department_code).where(Commune.is_pvd).distinct())
    )
    in_the_programme = set(db.session.scalars(select(Department.code).where(in_programme())))
    # Every département but Paris (one commune of two million people).
    assert departments == in_the_programme - {"75"}
    assert len(departments) == 100 and departments >= {"2A", "971", "976"}
    assert not departments & {"975", "977", "978", "984", "986", "987", "988", "989"}
    last_id = db.session.scalar(select(func.max(Offer.id))) or 0
    links = db.session.scalar(select(func.count()).select_from(offer_town))

    started = time.perf_counter()
    created = create_demo_offers(1_000)
    elapsed = time.perf_counter() - started

    assert created == 1_000
    assert elapsed < 3.0, f"1,000 offers took {elapsed:.1f} s"
    new = Offer.id > last_id
    covered = set(
        db.session.scalars(
            select(Commune.department_code)
            .join(Offer, Offer.workplace_insee_code == Commune.insee_code)
            .where(new)
            .distinct()
        )
    )
    assert covered == departments
    assert db.session.scalar(select(func.count()).select_from(offer_town)) == links + 1_000
    assert db.session.scalar(select(func.count(func.distinct(Offer.missions))).where(new)) == 1_000


def demo_organisations(referential) -> dict[str, Organisation]:
    """The organisations `recrutement.demo.seed()` makes for Quimperlé and Commercy."""
    return {
        code: factories.MembershipFactory(
            organisation=factories.OrganisationFactory(commune=referential[name])
        ).organisation
        for code, name in (("29233", "quimperle"), ("55122", "commercy"))
    }


def test_demo_organisations_have_offers_in_every_state(referential):
    organisations = demo_organisations(referential)

    created = create_demo_offers_in_every_state()

    now = utcnow()
    today = now.date()
    for organisation in organisations.values():
        offers = db.session.scalars(
            select(Offer).where(Offer.organisation_id == organisation.id)
        ).all()
        assert {offer.status for offer in offers} == set(OfferStatus)
        member = organisation.memberships[0].user_id
        for offer in offers:
            assert offer.created_by_id == member
            assert [town.insee_code for town in offer.towns] == [organisation.commune_insee_code]
            assert offer.created_at <= now
            status = offer.status
            if status == OfferStatus.DRAFT:
                assert offer.published_at is None
                assert offer.application_deadline > today + timedelta(days=31)
                continue
            assert offer.first_published_at == offer.published_at
            assert offer.created_at < offer.published_at <= now
            assert (offer.application_deadline - offer.published_at.date()).days >= 31
            if status == OfferStatus.PUBLISHED:
                assert offer.application_deadline > today
            elif status == OfferStatus.CLOSED:
                assert offer.published_at < offer.closed_at <= now
                assert offer.closed_at.date() < offer.application_deadline
            elif status == OfferStatus.FILLED:
                assert offer.published_at < offer.filled_at <= now
            elif status == OfferStatus.EXPIRED:
                assert offer.application_deadline < today
                assert offer.application_deadline < offer.expired_at.date() <= today
            assert offer.updated_at >= offer.published_at
    published = db.session.scalar(
        select(func.count()).select_from(Offer).where(Offer.status == OfferStatus.PUBLISHED)
    )
    # 300 across France, besides the demo organisations' own 4.
    assert published == DEMO_OFFERS_ACROSS_FRANCE + 4
    assert created == {
        "draft": 2,
        "published": 4,
        "filled": 2,
        "closed": 2,
        "expired": 2,
        "across_france": DEMO_OFFERS_ACROSS_FRANCE,
    }
    assert "2 brouillon(s)" in describe_demo_offers(created)


def test_every_state_demo_is_idempotent(referential):
    demo_organisations(referential)
    create_demo_offers_in_every_state()
    before = db.session.scalar(select(func.count()).select_from(Offer))

    created = create_demo_offers_in_every_state()

    assert set(created.values()) == {0}
    assert db.session.scalar(select(func.count()).select_from(Offer)) == before
    assert describe_demo_offers(created) == "Offres : rien à ajouter."


def test_a_demo_hire_filling_an_offer_adds_no_offer_on_the_next_seed(referential):
    """The demo hire fills one of Commercy's published offers: that must not make the
    next seed top the offers across France up again (it did, one offer a run)."""
    demo_organisations(referential)
    create_demo_offers_in_every_state()
    offer = db.session.scalars(
        select(Offer)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(Organisation.commune_insee_code == "55122", Offer.status == OfferStatus.PUBLISHED)
    ).first()
    offer.status = OfferStatus.FILLED
    offer.filled_at = utcnow()
    db.session.commit()

    assert create_demo_offers_in_every_state()["across_france"] == 0


def test_every_state_demo_adds_no_bulk_offers_when_enough_are_published(referential):
    demo_organisations(referential)
    create_demo_offers(350)

    created = create_demo_offers_in_every_state()

    assert created["across_france"] == 0
    assert created["published"] == 4
