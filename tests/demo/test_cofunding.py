"""The demo cofunding requests (`flask demo seed`): every state in both demo
départements, made through the services as the demo users, with real history,
messages, ANAH opinion, decision PDFs and renewals; idempotent; refused in
production. What the seed made is read on a copy of the demo seeded once for the
session (see conftest); the other cases run on the small test referential."""

from __future__ import annotations

import io
import re
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from recrutement.accounts.models import User
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.cofunding import services
from recrutement.cofunding.content import check_content
from recrutement.cofunding.models import (
    AnahOpinion,
    Attachment,
    CofundingMessage,
    CofundingRequest,
    CofundingStatus,
    Funder,
    FundingPlan,
    FundingRule,
    InstructionNote,
)
from recrutement.core.models import AuditEvent, history_of
from recrutement.core.time import PARIS, paris_today, utcnow
from recrutement.demo import DemoRefused
from recrutement.demo.accounts import ACCOUNTS, ORGANISATIONS, ensure_account, ensure_organisation
from recrutement.demo.applications import create_demo_applications
from recrutement.demo.cofunding import Timeline, create_demo_cofunding, plan
from recrutement.demo.offers import create_demo_offers_in_every_state
from recrutement.emails.models import OutgoingEmail
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.storage import read_stored
from recrutement.files.stores import file_store
from tests.cofunding.test_engine import RULE
from tests.demo.conftest import SeededDemo
from tests.factories import PASSWORD_HASH

DOMAIN = "demo.recrutement-pvd.fr"
DEMO_ORGANISATIONS = {"29233", "55122"}


@pytest.fixture
def programme_rule(app):
    """The rule the migration inserts (the tests build the schema without it)."""
    db.session.add(FundingRule(effective_from=date(2020, 10, 1), **asdict(RULE)))
    db.session.commit()


def demo_accounts(referential, monkeypatch) -> None:
    """What `recrutement.demo.seed()` makes, on the small test referential (with the
    factories' precomputed password hash: hashing eight passwords takes seconds)."""
    monkeypatch.setattr("recrutement.demo.accounts.hash_password", lambda _password: PASSWORD_HASH)
    organisations = {
        item.insee_code: ensure_organisation(item)
        for item in ORGANISATIONS
        if item.insee_code in DEMO_ORGANISATIONS
    }
    for account in ACCOUNTS:
        if account.organisation_insee in (None, *DEMO_ORGANISATIONS):
            ensure_account(account, "demo-pvd-2026", organisations)
    db.session.commit()


@pytest.fixture
def demo_world(referential, programme_rule, monkeypatch):
    """The demo accounts, offers and applications (with a hire in Commercy)."""
    demo_accounts(referential, monkeypatch)
    create_demo_offers_in_every_state()
    create_demo_applications()


@pytest.fixture
def seeded(seeded_demo: SeededDemo, demo_app: Flask) -> int:
    """A copy of the demo `flask demo seed` made on the real referential (see conftest);
    returns how many requests it said it added."""
    said = re.search(
        r"Demandes de cofinancement de démonstration ajoutées : (\d+)", seeded_demo.output
    )
    assert said, seeded_demo.output
    return int(said.group(1))


def user(local_part: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{local_part}@{DOMAIN}"))


def requests_of(department: str | None = None) -> list[CofundingRequest]:
    found = db.session.scalars(select(CofundingRequest).order_by(CofundingRequest.id)).all()
    return [r for r in found if department is None or r.organisation.department_code == department]


def one(department: str, status: str, **where) -> CofundingRequest:
    matching = [
        r
        for r in requests_of(department)
        if r.status == status and all(getattr(r, k) == v for k, v in where.items())
    ]
    assert matching, (department, status, where)
    return matching[0]


def test_every_state_in_both_departments_with_decision_renewal_and_hire(seeded):
    assert seeded == len(requests_of()) == 16
    for department in ("29", "55"):
        states = {r.status for r in requests_of(department)}
        assert states == set(CofundingStatus), department
    organisations = {r.organisation.commune_insee_code for r in requests_of()}
    assert organisations == DEMO_ORGANISATIONS
    # One post per request: no two requests hold the same post over overlapping periods.
    for request in requests_of():
        services._check_overlap(request)

    # Granted: the decision PDF on disk, and a renewal draft for the next period.
    for department in ("29", "55"):
        granted = one(department, CofundingStatus.GRANTED)
        assert file_store().exists(granted.decision_pdf.stored_name)
        assert read_stored(granted.decision_pdf).startswith(b"%PDF-")
        assert granted.rule is not None and granted.decided_at is not None
        assert granted.granted_total > 0
        renewal = one(department, CofundingStatus.DRAFT, renewal_of_id=granted.id)
        assert renewal.period_start == granted.period_end + timedelta(days=1)
        assert renewal.post_key == granted.post_key
        assert len(renewal.attachments) == len(granted.attachments) > 0
    # Quimperlé's chef de projet's contract ends in August: the renewal stops there.
    quimperle = one("29", CofundingStatus.GRANTED)
    assert one("29", CofundingStatus.DRAFT, renewal_of_id=quimperle.id).period_end == (
        quimperle.contract_end_date
    )
    # Commercy's préfecture lowered the Banque des territoires part before granting.
    commercy = one("55", CofundingStatus.GRANTED)
    bdt = commercy.part(Funder.BDT)
    assert bdt.granted_amount < bdt.requested_amount
    assert "cofunding.adjust" in {event.action for event in history_of(commercy)}

    # Commercy's filed request starts from the hire the demo applications record.
    hire = db.session.scalar(
        select(Application).where(Application.status == ApplicationStatus.HIRED)
    )
    assert hire.offer.organisation.commune_insee_code == "55122"
    request = one("55", CofundingStatus.SUBMITTED, application_id=hire.id)
    assert request.offer_id == hire.offer_id
    assert request.post_title == hire.offer.title
    assert request.holder_name == f"{hire.candidate.first_name} {hire.candidate.last_name}"


def test_anah_opinion_notes_messages_reasons_and_attachments(seeded):
    granted = one("29", CofundingStatus.GRANTED)
    opinion = granted.anah_opinion
    assert opinion.favourable and opinion.author == user("anah29")
    assert opinion.comment
    assert granted.part(Funder.ANAH).granted_amount == opinion.amount > 0
    waiting = [
        r
        for r in requests_of("29")
        if r.anah_asked and r.anah_opinion is None and r.status != CofundingStatus.DRAFT
    ]
    assert {r.status for r in waiting} >= {CofundingStatus.IN_INSTRUCTION}
    assert all(r.housing_operation for r in requests_of("29") if r.anah_asked)
    assert len([r for r in requests_of("29") if r.anah_asked]) >= 3
    # There is no ANAH agent in the Meuse demo: nothing there waits for one.
    assert not [r for r in requests_of("55") if r.anah_asked]
    anah_mails = db.session.scalars(
        select(OutgoingEmail.subject).where(OutgoingEmail.recipient == f"anah29@{DOMAIN}")
    ).all()
    assert any(subject.startswith("Avis de l'ANAH attendu") for subject in anah_mails)

    for department, prefecture in (("29", "prefecture29"), ("55", "prefecture55")):
        in_instruction = one(department, CofundingStatus.IN_INSTRUCTION)
        assert in_instruction.instructor == user(prefecture)
        assert services.notes(in_instruction)
        sides = {message.author_side for message in services.thread(in_instruction)}
        assert {"prefecture", "employer"} <= sides

        changes = one(department, CofundingStatus.CHANGES_REQUESTED)
        last = services.thread(changes)[-1]
        assert last.author_side == "prefecture" and last.author == user(prefecture)

        for status in (CofundingStatus.REFUSED, CofundingStatus.DISMISSED):
            decided = one(department, status)
            assert len(decided.decision_reason) > 40
            assert decided.decision_pdf is None
        assert one(department, CofundingStatus.SUBMITTED).submitted_at is not None
    # The collectivité answered a request for changes in Meuse: it went back to instruction.
    actions = [e.action for e in history_of(one("55", CofundingStatus.IN_INSTRUCTION))]
    assert actions.index("cofunding.request_changes") < actions.index("cofunding.answer")

    # Supporting documents: small, real PDFs.
    attachments = db.session.scalars(select(Attachment)).all()
    assert len(attachments) > 20
    kinds = {attachment.kind for attachment in attachments}
    assert {"deliberation", "contract", "job_description", "financing_plan"} <= kinds
    deliberation = next(a for a in attachments if a.kind == "deliberation")
    text = PdfReader(io.BytesIO(read_stored(deliberation.file))).pages[0].extract_text()
    assert "Délibération du conseil municipal — exemple de démonstration" in text
    for attachment in attachments:
        assert read_stored(attachment.file).startswith(b"%PDF-")


def test_history_is_spread_over_the_past_weeks(seeded):
    now = utcnow()
    ages = set()
    for request in requests_of():
        events = history_of(request)
        times = [event.created_at for event in events]
        assert times == sorted(times) and times[-1] <= now
        assert request.created_at <= times[0] + timedelta(seconds=1)
        by_action = {event.action: event.created_at for event in events}
        if request.submitted_at:
            assert abs(request.submitted_at - by_action["cofunding.submit"]) < timedelta(seconds=1)
            ages.add((now - request.submitted_at).days)
        if request.status == CofundingStatus.GRANTED:
            # Granted today: the day the decision PDF is dated.
            assert request.decided_at.astimezone(PARIS).date() == paris_today()
        elif request.decided_at:
            assert (now - request.decided_at).days > 30
        for message in services.thread(request):
            assert message.created_at <= now
    # The préfecture's queue shows requests of every age (its filters: 15 and 30 days).
    assert min(ages) < 15 and any(15 <= age < 30 for age in ages) and max(ages) > 30


def counts() -> dict:
    models = (
        CofundingRequest,
        FundingPlan,
        AuditEvent,
        CofundingMessage,
        InstructionNote,
        AnahOpinion,
        Attachment,
        StoredFile,
        OutgoingEmail,
    )
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in models
    }


def test_seeding_again_adds_nothing(demo_app, seeded):
    before = counts()
    files = len(list(Path(demo_app.config["UPLOAD_DIR"]).iterdir()))

    assert create_demo_cofunding() == 0

    assert counts() == before
    assert len(list(Path(demo_app.config["UPLOAD_DIR"]).iterdir())) == files
    # Nor next year, when the planned periods move on.
    assert create_demo_cofunding(today=paris_today() + timedelta(days=400)) == 0
    assert counts() == before


def test_without_a_hire_the_filed_request_is_made_by_hand_and_a_later_hire_adds_nothing(
    referential, programme_rule, monkeypatch
):
    demo_accounts(referential, monkeypatch)
    create_demo_offers_in_every_state()

    assert create_demo_cofunding() == 16
    by_hand = one("55", CofundingStatus.SUBMITTED)
    assert by_hand.application_id is None and by_hand.holder_name == "Karim Benali"

    create_demo_applications()  # now Commercy has a hire
    assert create_demo_cofunding() == 0


def test_a_hire_the_services_refuse_to_start_from_gives_way_to_the_request_by_hand(demo_world):
    hire = db.session.scalar(
        select(Application).where(Application.status == ApplicationStatus.HIRED)
    )
    hire.offer.contract_type, hire.offer.duration_months = "fixed_term", None  # no contract end
    db.session.commit()

    assert create_demo_cofunding() == 16

    by_hand = one("55", CofundingStatus.SUBMITTED)
    assert by_hand.application_id is None and by_hand.holder_name == "Karim Benali"
    assert create_demo_cofunding() == 0


def test_refused_in_production(app, demo_world):
    app.config["APP_ENV"] = "production"
    with pytest.raises(DemoRefused):
        create_demo_cofunding()
    assert not requests_of()


def test_without_a_funding_rule_nothing_is_made(referential, monkeypatch):
    demo_accounts(referential, monkeypatch)
    assert create_demo_cofunding() == 0
    assert not requests_of()


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2031])
def test_the_plan_holds_in_any_year(programme_rule, year):
    """Every planned content passes the services' checks, and its steps go forward in
    time, whatever the current year (leap years included)."""
    for planned_requests in plan(year).values():
        titles = [planned.post_title for planned in planned_requests]
        assert len(set(titles)) == len(titles)
        for planned in planned_requests:
            check_content(planned.content())
            assert planned.period[0].year == planned.period[1].year
            timeline = Timeline(date(year, 11, 22))
            timeline.mark(planned.created_days_ago)
            for step in planned.steps:
                timeline.mark(step.days_ago)


def test_a_step_planned_before_the_previous_one_is_refused():
    timeline = Timeline(date(2026, 11, 22))
    timeline.mark(10)
    with pytest.raises(ValueError):
        timeline.mark(12)
    timeline.mark(0)
    with pytest.raises(ValueError):
        timeline.mark(3)
