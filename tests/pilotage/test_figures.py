"""Each figure of the programme dashboard on hand-built data, with the expected number
written here; the recruit snapshot taken by the hire and by a filed request."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import inspect, select

from recrutement.accounts.models import Role
from recrutement.applications import services as applications
from recrutement.applications.models import ApplicationStatus
from recrutement.candidates.models import CandidateProfile
from recrutement.candidates.personal_data import delete_account
from recrutement.cofunding import instruction
from recrutement.cofunding import services as cofunding
from recrutement.cofunding.models import CofundingRequest, CofundingStatus, FundingPlan
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.pilotage import figures, scope
from recrutement.pilotage.models import Recruit
from recrutement.pilotage.summary import summarise
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.cofunding.conftest import content

TODAY = paris_today()


def recruit(organisation, key, started_on, ends_on=None, **profile):
    row = Recruit(
        organisation_id=organisation.id,
        department_code=organisation.department_code,
        post_key=key,
        source="hire",
        started_on=started_on,
        ends_on=ends_on,
        employer_kind=profile.pop("employer_kind", "commune"),
        **profile,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def towns(referential):
    """Organisations of Quimperlé (29), Landerneau (29), Commercy (55), Ploërmel (56)."""
    return {
        name: factories.OrganisationFactory(commune=referential[name], name=f"Commune de {name}")
        for name in ("quimperle", "landerneau", "commercy", "ploermel")
    }


def test_pvd_towns_per_scope(referential):
    # Quimperlé, Landerneau (29), Ploërmel (56) in Bretagne; Commercy, Stenay (55).
    assert figures.pvd_towns(scope.france()) == 5
    assert figures.pvd_towns(scope.region("53")) == 3
    assert figures.pvd_towns(scope.department("29")) == 2
    assert figures.pvd_towns(scope.department("55")) == 2
    assert figures.pvd_towns(scope.departments(["29", "55"])) == 4


def test_a_hire_takes_the_anonymous_snapshot_in_its_transaction(login_as, referential):
    employer = login_as(Role.EMPLOYER)
    offer = factories.OfferFactory(
        organisation=employer.organisation,
        first_published_at=utcnow() - timedelta(days=40),
        start_date=TODAY + timedelta(days=10),
        duration_months=36,
    )
    application = make_application(offer, "lea@exemple.fr", ApplicationStatus.INTERVIEW)
    db.session.add(
        CandidateProfile(
            user_id=application.candidate_id,
            experience_years=3,
            diploma="bac+5",
            field_of_study="urbanisme",
            gender="femme",
        )
    )
    db.session.commit()

    applications.hire(employer, application)

    snapshot = db.session.scalars(select(Recruit)).one()
    assert snapshot.post_key == f"offer:{offer.id}" and snapshot.source == "hire"
    assert snapshot.started_on == TODAY + timedelta(days=10)
    assert snapshot.ends_on == date(
        snapshot.started_on.year + 3, snapshot.started_on.month, snapshot.started_on.day
    )
    assert snapshot.hired_on == TODAY and snapshot.days_to_hire == 40
    assert (snapshot.experience, snapshot.diploma, snapshot.field_of_study, snapshot.gender) == (
        "1_5_ans",
        "bac+4/5",
        "urbanisme",
        "femme",
    )
    assert snapshot.employer_kind == "commune"
    # In post from the start date only.
    assert figures.project_leads_in_post(scope.department("29"), TODAY) == 0
    assert figures.project_leads_in_post(scope.department("29"), TODAY + timedelta(days=10)) == 1
    assert figures.median_days_to_hire(scope.france()) == 40

    # Anonymous: nothing points at the person, and it outlives the account.
    columns = {column.name for column in inspect(Recruit).columns}
    assert not {"candidate_id", "application_id", "user_id"} & columns
    assert not any(
        key.column.table.name in ("user_account", "application")
        for key in Recruit.__table__.foreign_keys
    )
    candidate = application.candidate
    candidate.password_hash = factories.PASSWORD_HASH
    db.session.commit()
    delete_account(candidate, factories.PASSWORD)
    kept = db.session.scalars(select(Recruit)).one()
    assert kept.gender == "femme" and kept.diploma == "bac+4/5"


def test_a_filed_request_declares_its_post_and_a_grant_cofunds_it(people):
    # A post filled elsewhere: Camille Le Gall from 1 March 2026 to 28 February 2029.
    request = cofunding.create_request(people.other_employer, content())
    assert db.session.scalar(select(Recruit)) is None  # a draft declares nothing
    cofunding.submit(people.other_employer, request)
    snapshot = db.session.scalars(select(Recruit)).one()
    assert (snapshot.source, snapshot.started_on, snapshot.ends_on) == (
        "declared",
        date(2026, 3, 1),
        date(2029, 2, 28),
    )
    meuse = scope.department("55")
    assert figures.project_leads_in_post(meuse, date(2026, 2, 28)) == 0
    assert figures.project_leads_in_post(meuse, date(2026, 6, 1)) == 1
    assert figures.project_leads_in_post(meuse, date(2029, 3, 1)) == 0
    assert figures.project_leads_in_post(scope.department("29"), date(2026, 6, 1)) == 0
    assert figures.pvd_towns_with_project_lead(meuse, date(2026, 6, 1)) == 1  # Commercy
    assert figures.project_leads_cofunded(meuse, date(2026, 6, 1)) == 0

    instruction.open_instruction(people.prefecture55, request)
    instruction.grant(people.prefecture55, request)
    assert figures.project_leads_cofunded(meuse, date(2026, 6, 1)) == 1
    # The grant covers 2026 only: still in post in 2027, no longer cofunded.
    assert figures.project_leads_in_post(meuse, date(2027, 1, 15)) == 1
    assert figures.project_leads_cofunded(meuse, date(2027, 1, 15)) == 0

    # 60,000 € a year from 1 March to 31 December 2026 (306 days of 365), no ANAH:
    # BdT min(25 %, 15,000 €) = 15,000 € → 12,575.34 €; the State 30,000 € → 25,150.68 €.
    money = figures.money_granted(meuse)
    assert money.by_year == {2026: {"anct": D("25150.68"), "bdt": D("12575.34"), "anah": D("0")}}
    assert money.total == {"anct": D("25150.68"), "bdt": D("12575.34"), "anah": D("0")}
    assert figures.money_granted(scope.department("29")).by_year == {}
    assert figures.requests_by_status(meuse)["granted"] == 1
    assert figures.requests_by_status(scope.department("29"))["granted"] == 0


def test_requests_by_status_leave_drafts_out(people):
    cofunding.create_request(people.employer, content())
    cofunding.submit(
        people.employer,
        cofunding.create_request(people.employer, content(post_title="Chef de projet adjoint")),
    )
    counts = figures.requests_by_status(scope.france())
    assert "draft" not in counts
    assert counts == {
        "submitted": 1,
        "in_instruction": 0,
        "changes_requested": 0,
        "granted": 0,
        "refused": 0,
        "dismissed": 0,
    }


def test_offers_and_applications_per_scope_follow_the_place_of_work(towns):
    quimperle, commercy = towns["quimperle"], towns["commercy"]
    open_29 = factories.OfferFactory(organisation=quimperle)
    factories.OfferFactory(organisation=quimperle, status="filled")
    factories.OfferFactory(organisation=quimperle, status="draft")
    factories.OfferFactory(organisation=commercy)
    factories.OfferFactory(organisation=commercy, status="closed")
    make_application(open_29, "a@exemple.fr")
    make_application(open_29, "b@exemple.fr")
    assert figures.open_offers(scope.france()) == 2
    assert figures.open_offers(scope.department("29")) == 1
    assert figures.filled_offers(scope.region("53")) == 1
    assert figures.filled_offers(scope.region("44")) == 0
    assert figures.applications(scope.department("29")) == 2
    assert figures.applications(scope.department("55")) == 0


def test_median_days_to_hire_odd_and_even(towns):
    organisation = towns["quimperle"]
    for number, days in enumerate((40, 10, 20)):
        recruit(organisation, f"offer:{number}", TODAY, days_to_hire=days)
    recruit(towns["commercy"], "title:declared", TODAY)  # no hire: no delay
    assert figures.median_days_to_hire(scope.france()) == 20
    recruit(organisation, "offer:9", TODAY, days_to_hire=50)
    assert figures.median_days_to_hire(scope.france()) == 30
    assert figures.median_days_to_hire(scope.department("55")) is None


def test_starts_by_semester_and_posts_that_ended(towns):
    organisation = towns["quimperle"]
    recruit(organisation, "offer:1", date(2021, 3, 1), ends_on=date(2022, 2, 28))
    recruit(organisation, "offer:2", date(2021, 7, 1))
    recruit(organisation, "offer:3", date(2021, 12, 31))
    recruit(towns["commercy"], "offer:4", date(2022, 1, 10))
    recruit(towns["commercy"], "offer:5", TODAY + timedelta(days=200))  # not arrived yet
    starts = figures.starts_by_semester(scope.france(), TODAY)
    assert starts == {"2021-S1": 1, "2021-S2": 2, "2022-S1": 1}
    assert figures.starts_by_semester(scope.department("55"), TODAY) == {"2022-S1": 1}
    assert figures.starts_by_semester(scope.france(), date(2021, 12, 30)) == {
        "2021-S1": 1,
        "2021-S2": 1,
    }
    assert figures.project_leads_in_post(scope.france(), date(2022, 2, 28)) == 4
    assert figures.project_leads_in_post(scope.france(), date(2022, 3, 1)) == 3
    assert figures.recruits_count(scope.region("53")) == 3


def _granted(organisation, key, year, parts):
    request = CofundingRequest(
        organisation_id=organisation.id,
        status=CofundingStatus.GRANTED,
        post_title="Chef de projet",
        post_key=key,
        holder_first_name="A",
        holder_last_name="B",
        holder_start_date=date(year, 1, 1),
        contract_type="project_contract",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        annual_loaded_cost=D("60000"),
        anah_asked="anah" in parts,
        submitted_at=utcnow(),
        decided_at=utcnow(),
        plan=[
            FundingPlan(funder=funder, requested_amount=D(amount), granted_amount=D(amount))
            for funder, amount in parts.items()
        ],
    )
    db.session.add(request)
    db.session.commit()
    return request


def test_money_per_funder_and_year_and_anah_posts(towns):
    quimperle, commercy = towns["quimperle"], towns["commercy"]
    _granted(quimperle, "offer:1", 2024, {"anct": "20000", "bdt": "15000", "anah": "10000"})
    _granted(quimperle, "offer:1", 2025, {"anct": "20000", "bdt": "15000", "anah": "20000"})
    _granted(commercy, "offer:2", 2025, {"anct": "25000", "anah": "30000"})
    _granted(commercy, "offer:3", 2025, {"anct": "30000", "bdt": "15000"})
    money = figures.money_granted(scope.france())
    assert money.by_year[2024] == {"anct": D("20000"), "bdt": D("15000"), "anah": D("10000")}
    assert money.by_year[2025] == {"anct": D("75000"), "bdt": D("30000"), "anah": D("50000")}
    assert money.total == {"anct": D("95000"), "bdt": D("45000"), "anah": D("60000")}
    # Two posts with an ANAH part: 30,000 € each (10,000 + 20,000; 30,000).
    assert figures.anah_cofunded_posts(scope.france()) == (2, D("30000.00"))
    assert figures.anah_cofunded_posts(scope.department("55")) == (1, D("30000.00"))
    assert figures.anah_cofunded_posts(scope.department("56")) == (0, None)


def test_profile_counts_every_recruit_with_not_answered(towns):
    quimperle = towns["quimperle"]
    recruit(quimperle, "offer:1", TODAY, gender="femme", diploma="bac+4/5")
    recruit(quimperle, "offer:2", TODAY, gender="femme", employer_kind="epci")
    recruit(quimperle, "offer:3", TODAY, gender="homme", employer_kind="petr")
    profile = figures.recruits_profile(scope.france())
    assert profile["genre"] == {"femme": 2, "homme": 1, "autre": 0, "non_renseigne": 0}
    assert profile["diplome"]["bac+4/5"] == 1 and profile["diplome"]["non_renseigne"] == 2
    assert profile["employeur"] == {"commune": 1, "epci": 1, "petr": 1}
    assert all(sum(cells.values()) == 3 for cells in profile.values())


def test_region_figures_are_the_sum_of_their_departments(towns):
    quimperle, landerneau, ploermel = towns["quimperle"], towns["landerneau"], towns["ploermel"]
    recruit(quimperle, "offer:1", date(2024, 1, 1))
    recruit(ploermel, "offer:2", date(2024, 1, 1))
    recruit(landerneau, "offer:3", date(2030, 1, 1))  # not started yet
    factories.OfferFactory(organisation=ploermel)
    factories.OfferFactory(organisation=landerneau)
    _granted(quimperle, "offer:1", 2026, {"anct": "20000"})
    region = summarise(scope.region("53"))
    parts = [summarise(scope.department(code)) for code in ("29", "56")]
    for name in ("pvd_towns", "pvd_towns_with_project_lead", "in_post", "cofunded"):
        assert getattr(region, name) == sum(getattr(part, name) for part in parts), name
    for name in ("open_offers", "filled_offers", "applications", "anah_posts"):
        assert getattr(region, name) == sum(getattr(part, name) for part in parts), name
    assert region.in_post == 2 and region.open_offers == 2 and region.pvd_towns == 3
    rows = {item.code: item for item in region.departments}
    assert set(rows) == {"29", "56"}
    assert sum(item.pvd_towns_with_project_lead for item in rows.values()) == (
        region.pvd_towns_with_project_lead
    )
    assert sum(item.open_offers for item in rows.values()) == region.open_offers
    assert rows["29"].share_with_project_lead == 0.5


def test_unknown_places_are_refused(referential):
    with pytest.raises(scope.UnknownPlace) as found:
        scope.from_args({"region": "99"})
    assert found.value.parameter == "region"
    with pytest.raises(scope.UnknownPlace) as found:
        scope.from_args({"departement": "2C"})
    assert found.value.parameter == "departement"
