"""The national demo programme (`flask demo seed --national`), on a small share of the
départements: the report's proportions, coherent dates, the engine's caps, figures
everywhere on the dashboard, idempotence, and refusal in production."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from recrutement.accounts.models import User
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.cofunding.engine import compute_split
from recrutement.cofunding.models import (
    CofundingRequest,
    CofundingStatus,
    Funder,
    FundingPlan,
)
from recrutement.cofunding.rules import rule_in_force
from recrutement.core.models import AuditEvent
from recrutement.core.time import PARIS, paris_today, utcnow
from recrutement.demo import DemoRefused
from recrutement.demo.national import NATIONAL_DOMAIN, seed_national
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.rules import earliest_deadline
from recrutement.organisations.models import Membership, Organisation
from recrutement.pilotage import figures
from recrutement.pilotage.models import Recruit
from recrutement.pilotage.scope import france
from recrutement.pilotage.summary import summarise
from tests.factories import PASSWORD_HASH

SCALE = 0.1
FINISHED = {ApplicationStatus.HIRED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}


@pytest.fixture
def national(demo_app, monkeypatch):
    """The plain demo on the real referential (a copy of the one seeded for the session,
    see conftest), then the national programme at SCALE (with a precomputed password
    hash: argon2 takes time)."""
    monkeypatch.setattr(
        "recrutement.demo.national.world.hash_password", lambda _password: PASSWORD_HASH
    )
    return seed_national(scale=SCALE)


def national_organisations():
    return (
        select(Membership.organisation_id)
        .join(User, User.id == Membership.user_id)
        .where(User.email.like(f"%@{NATIONAL_DOMAIN}"))
    )


def of_national(model, *where) -> list:
    return db.session.scalars(
        select(model).where(model.organisation_id.in_(national_organisations()), *where)
    ).all()


def shares(values) -> dict:
    counts = Counter(values)
    return {key: count / len(values) for key, count in counts.items()}


def table_counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (
            User,
            Organisation,
            Offer,
            Application,
            Recruit,
            CofundingRequest,
            FundingPlan,
            AuditEvent,
        )
    )


def test_a_small_national_programme_then_nothing_more(national):
    assert "collectivités" in national
    check_proportions()
    check_offers_and_applications()
    check_requests_within_the_caps()
    check_dashboard()

    counts = table_counts()
    again = seed_national(scale=SCALE)
    assert "déjà présent" in again
    assert table_counts() == counts


def check_proportions():
    recruits = of_national(Recruit)
    assert len(recruits) >= 60
    gender = shares([recruit.gender for recruit in recruits])
    assert gender["femme"] == pytest.approx(0.69, abs=0.02)
    diploma = shares([recruit.diploma for recruit in recruits])
    assert diploma["bac+4/5"] == pytest.approx(0.90, abs=0.02)
    field = shares([recruit.field_of_study for recruit in recruits])
    assert field["urbanisme"] == pytest.approx(0.61, abs=0.02)
    experience = shares([recruit.experience for recruit in recruits])
    assert experience["1_5_ans"] + experience["5_20_ans"] == pytest.approx(0.83, abs=0.03)
    employer = shares([recruit.employer_kind for recruit in recruits])
    assert employer["epci"] == pytest.approx(0.60, abs=0.06)
    assert employer["commune"] == pytest.approx(0.36, abs=0.06)
    assert 0 < employer.get("petr", 0) < 0.10
    assert all(30 <= recruit.days_to_hire <= 120 for recruit in recruits)
    assert all(recruit.hired_on <= recruit.started_on for recruit in recruits)

    # The first holder of each post starts with the report's seasonality.
    first = [recruit.started_on for recruit in recruits if recruit.offer_id in new_posts()]
    windows = shares([start_window(day) for day in first])
    assert windows["2020"] == pytest.approx(0.02, abs=0.02)
    assert windows["2021-S1"] == pytest.approx(0.13, abs=0.03)
    assert windows["2021-S2"] == pytest.approx(0.73, abs=0.03)
    assert windows["2022-01"] == pytest.approx(0.11, abs=0.03)
    # Then turnover: posts end and are filled again, up to this year.
    assert len(recruits) > len(first)
    assert any(recruit.ends_on and recruit.ends_on < paris_today() for recruit in recruits)
    assert max(recruit.started_on for recruit in recruits).year >= paris_today().year - 1


def new_posts() -> set[int]:
    return set(db.session.scalars(select(Offer.id).where(Offer.post_is_new)))


def start_window(day: date) -> str:
    if day.year == 2020:
        return "2020"
    if day.year == 2021:
        return "2021-S1" if day.month <= 6 else "2021-S2"
    return "2022-01" if day < date(2022, 2, 1) else "later"


def check_offers_and_applications():
    now, today = utcnow(), paris_today()
    offers = of_national(Offer)
    states = Counter(offer.status for offer in offers)
    assert states[OfferStatus.FILLED] and states[OfferStatus.PUBLISHED]
    applications = db.session.scalars(
        select(Application).where(Application.offer_id.in_([offer.id for offer in offers]))
    ).all()
    by_offer = {offer.id: [] for offer in offers}
    for application in applications:
        by_offer[application.offer_id].append(application)
    assert len(applications) >= 20 * states[OfferStatus.FILLED]
    for offer in offers:
        published = offer.first_published_at
        assert offer.created_at < published == offer.published_at <= now
        assert offer.application_deadline >= earliest_deadline(published.astimezone(PARIS).date())
        if offer.status == OfferStatus.PUBLISHED:
            assert offer.application_deadline > today
        if offer.status == OfferStatus.FILLED:
            assert published < offer.filled_at <= now
        if offer.status == OfferStatus.EXPIRED:
            assert offer.expired_at.astimezone(PARIS).date() > offer.application_deadline
        check_applications(offer, by_offer[offer.id], now)
    statuses = Counter(application.status for application in applications)
    assert statuses[ApplicationStatus.REJECTED] > len(applications) / 2
    assert statuses[ApplicationStatus.WITHDRAWN] and statuses[ApplicationStatus.SENT]


def check_applications(offer: Offer, applications: list[Application], now) -> None:
    hired = [item for item in applications if item.status == ApplicationStatus.HIRED]
    assert len(hired) == (1 if offer.status == OfferStatus.FILLED else 0)
    if hired:
        assert hired[0].decided_at == offer.filled_at
    for item in applications:
        assert offer.first_published_at <= item.created_at <= item.updated_at <= now
        assert item.decided_at is None or item.created_at <= item.decided_at <= now
        if offer.status != OfferStatus.PUBLISHED:
            assert item.status in FINISHED
        # Past the retention period, an application keeps no trace of its candidate.
        if item.candidate_id is None:
            assert item.anonymised_at is not None and item.cover_letter == ""


def check_requests_within_the_caps():
    now = utcnow()
    requests = of_national(CofundingRequest)
    granted = [item for item in requests if item.status == CofundingStatus.GRANTED]
    assert len(granted) > 0.8 * len(requests)
    for request in requests:
        steps = [
            request.created_at,
            request.submitted_at,
            request.instruction_started_at,
            request.decided_at,
        ]
        present = [step for step in steps if step is not None]
        assert present == sorted(present) and present[-1] <= now
        assert request.period_start.year == request.period_end.year
        assert request.holder_start_date <= request.period_start <= request.period_end
        assert request.contract_end_date is None or request.period_end <= request.contract_end_date
    for request in granted:
        check_caps(request)
    years = {request.period_start.year for request in granted}
    assert set(range(2021, paris_today().year + 1)) <= years
    assert any(request.part(Funder.ANAH) for request in granted)


def check_caps(request: CofundingRequest) -> None:
    """The engine's split is the part asked; what is granted never exceeds it."""
    rule = rule_in_force(request.period_start)
    split = compute_split(
        request.annual_loaded_cost,
        request.anah_asked,
        request.period_start,
        request.period_end,
        rule,
        request.bdt_asked,
    )
    share = Decimal(split.days) / Decimal(split.days_in_year)
    cost = request.annual_loaded_cost
    caps = {
        Funder.ANAH: min(rule.anah_rate * cost, rule.anah_cap) * share,
        Funder.BDT: min(rule.bdt_rate * cost, rule.bdt_cap) * share,
        Funder.ANCT: split.ceiling,
    }
    assert {line.funder for line in request.plan} == {funder.value for funder in request.funders}
    for line in request.plan:
        assert line.requested_amount == split.parts[line.funder]
        assert 0 <= line.granted_amount <= line.requested_amount <= caps[Funder(line.funder)]
    assert 0 < request.granted_total <= split.ceiling
    anah = request.part(Funder.ANAH)
    if anah is not None and anah.granted_amount > 0:
        assert request.anah_opinion.favourable
        assert anah.granted_amount <= request.anah_opinion.amount
    assert request.rule_id is not None and request.decided_at is not None


def check_dashboard():
    summary = summarise(france())
    assert 0 < summary.pvd_towns_with_project_lead < summary.pvd_towns
    assert 0 < summary.cofunded < summary.in_post
    assert summary.open_offers and summary.filled_offers
    assert summary.applications > 20 * summary.filled_offers
    assert 30 <= summary.median_days_to_hire <= 120
    assert all(count > 0 for count in summary.requests.values()), summary.requests
    assert all(amount > 0 for amount in summary.money.total.values())
    for year in range(2021, paris_today().year + 1):
        assert all(amount > 0 for amount in summary.money.by_year[year].values()), year
    assert summary.anah_posts > 0 and summary.anah_mean > 0
    assert {"2020-S2", "2021-S1", "2021-S2", "2022-S1"} <= set(summary.starts)
    for cells in summary.profile.values():
        assert sum(cell.value or 0 for cell in cells.values()) > 0
    document = summary.as_json()
    assert document["chefs_de_projet"]["en_poste"] == summary.in_post
    # What needs action: old requests, posts vacant.
    for query in (
        figures.requests_waiting(france()),
        figures.vacant_towns(france(), paris_today()),
    ):
        assert db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_the_national_demo_is_refused_in_production(app, runner):
    app.config["APP_ENV"] = "production"
    with pytest.raises(DemoRefused):
        seed_national(scale=SCALE)
    result = runner.invoke(args=["demo", "seed", "--national"])
    assert result.exit_code != 0
    assert "refusées en production" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
