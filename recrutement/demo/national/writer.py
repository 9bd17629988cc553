"""Writes the national demo's plan with SQLAlchemy Core bulk inserts, in dependency order,
in the caller's transaction: no ORM flush per row, no mail, no index task."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import FromClause, Table, insert

from recrutement.accounts.models import Role, User, user_department
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.candidates.models import CandidateProfile
from recrutement.cofunding.models import (
    AnahOpinion,
    CofundingRequest,
    FundingPlan,
)
from recrutement.core.models import AuditEvent
from recrutement.core.time import PARIS
from recrutement.demo.national.applications import candidate_answers
from recrutement.demo.national.model import (
    AppPlan,
    Candidate,
    OfferPlan,
    Org,
    Plan,
    Tenure,
    known,
)
from recrutement.demo.national.parameters import (
    FIRST_NAMES,
    INTERVIEWS,
    LAST_NAMES,
    LETTERS,
    NATIONAL_DOMAIN,
    REJECTIONS,
)
from recrutement.demo.national.report import Clock
from recrutement.demo.national.request_rows import RequestRows
from recrutement.extensions import db
from recrutement.offers.models import Offer, offer_town
from recrutement.organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    organisation_town,
)
from recrutement.pilotage.models import Recruit, RecruitSource
from recrutement.referential.models import Grouping
from recrutement.referential.text import fold

BATCH = 5_000


def insert_rows(
    model_table: FromClause, rows: list[dict[str, Any]], returning: bool = False
) -> list[int]:
    """Bulk insert in batches; the new ids in the rows' order when `returning`."""
    table = cast(Table, model_table)  # a model's __table__ is typed as any FROM clause
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if not chunk:
            continue
        if returning:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids += db.session.execute(statement, chunk).scalars().all()
        else:
            db.session.execute(insert(table), chunk)
    return ids


class Writer:
    """Writes a plan with Core bulk inserts, in dependency order (the caller commits)."""

    def __init__(self, plan: Plan, clock: Clock, rng: random.Random) -> None:
        self.plan = plan
        self.world = plan.world
        self.clock = clock
        self.rng = rng

    def run(self) -> None:
        self.agents()
        self.organisations()
        self.members()
        self.offers()
        self.candidates()
        self.applications()
        self.recruits()
        self.requests()

    def user(
        self, email: str, role: Role, name: tuple[str, str], since: datetime
    ) -> dict[str, Any]:
        return {
            "email": email,
            "password_hash": self.world.password_hash,
            "role": role.value,
            "first_name": name[0],
            "last_name": name[1],
            "is_active_account": True,
            "email_confirmed_at": since,
            "created_at": since,
            "last_login_at": None,
            "session_token": secrets.token_urlsafe(24),
        }

    def a_name(self) -> tuple[str, str]:
        woman = self.rng.random() < 0.6
        return self.rng.choice(FIRST_NAMES[woman]), self.rng.choice(LAST_NAMES)

    def agents(self) -> None:
        """Préfecture and ANAH agents where the plain demo has none."""
        since = datetime(2020, 10, 1, 8, tzinfo=UTC)
        missing = [
            (role, code)
            for role in ("prefecture", "anah")
            for code, agent in self.plan.agents[role].items()
            if agent is None
        ]
        rows = [
            self.user(f"{role}-{code.lower()}@{NATIONAL_DOMAIN}", Role(role), self.a_name(), since)
            for role, code in missing
        ]
        ids = insert_rows(User.__table__, rows, returning=True)
        for (role, code), user_id in zip(missing, ids, strict=True):
            self.plan.agents[role][code] = user_id
        insert_rows(
            user_department,
            [
                {"user_id": user_id, "department_code": code}
                for (_role, code), user_id in zip(missing, ids, strict=True)
            ],
        )
        self.clock(f"{len(ids)} agents de préfecture et de l'ANAH")

    def organisations(self) -> None:
        orgs = self.plan.orgs
        petr = [org for org in orgs if org.declared_petr]
        insert_rows(Grouping.__table__, [self.petr_row(org) for org in petr])
        ids = insert_rows(Organisation.__table__, [self.org_row(org) for org in orgs], True)
        for org, org_id in zip(orgs, ids, strict=True):
            org.id = org_id
        insert_rows(
            organisation_town,
            [
                {"organisation_id": org.id, "commune_insee_code": town.insee_code}
                for org in orgs
                for town in org.towns
            ],
        )
        self.clock(f"{len(orgs)} collectivités, dont {len(petr)} PETR déclarés")

    def petr_row(self, org: Org) -> dict[str, Any]:
        return {
            "siren": org.grouping_siren,
            "name": org.name,
            "kind": "petr",
            "legal_form": "",
            "department_code": org.department_code,
            "search_name": fold(org.name),
            "declared": True,
        }

    def org_row(self, org: Org) -> dict[str, Any]:
        kind = OrganisationKind.COMMUNE if org.kind == "commune" else OrganisationKind.GROUPING
        return {
            "kind": kind.value,
            "commune_insee_code": org.commune_insee_code,
            "grouping_siren": org.grouping_siren,
            "name": org.name,
            "department_code": org.department_code,
            "status": OrganisationStatus.VALIDATED.value,
            "refusal_reason": "",
            "created_at": org.created_at,
            "decided_at": org.decided_at,
            "decided_by_id": self.plan.agents["prefecture"].get(org.department_code),
        }

    def members(self) -> None:
        orgs = self.plan.orgs
        rows = [
            self.user(org.email, Role.EMPLOYER, self.a_name(), known(org.created_at, "sign-up"))
            for org in orgs
        ]
        ids = insert_rows(User.__table__, rows, returning=True)
        for org, user_id in zip(orgs, ids, strict=True):
            org.member_id = user_id
        insert_rows(
            Membership.__table__,
            [
                {
                    "user_id": org.member_id,
                    "organisation_id": org.id,
                    "created_at": org.created_at,
                    "notification_frequency": "daily",
                }
                for org in orgs
            ],
        )
        self.clock(f"{len(ids)} comptes employeurs")

    def offers(self) -> None:
        offers = self.plan.offers
        ids = insert_rows(Offer.__table__, [self.offer_row(offer) for offer in offers], True)
        for offer, offer_id in zip(offers, ids, strict=True):
            offer.id = offer_id
        insert_rows(
            offer_town,
            [
                {"offer_id": offer.id, "commune_insee_code": town.insee_code}
                for offer in offers
                for town in offer.line.org.towns
            ],
        )
        self.clock(f"{len(ids)} offres")

    def offer_row(self, offer: OfferPlan) -> dict[str, Any]:
        org = offer.line.org
        return {
            **offer.content,
            "organisation_id": org.id,
            "status": offer.status,
            "created_by_id": org.member_id,
            "created_at": offer.created_at,
            "updated_at": offer.ended_at or offer.published_at,
            "published_at": offer.published_at,
            "first_published_at": offer.published_at,
            "closed_at": None,
            "filled_at": offer.ended_at if offer.status == "filled" else None,
            "expired_at": offer.ended_at if offer.status == "expired" else None,
        }

    def candidates(self) -> None:
        people = self.plan.candidates
        rows = []
        for person in people:
            since = person.first_at - timedelta(hours=self.rng.randint(1, 72))
            row = self.user(person.email, Role.CANDIDATE, person.name, since)
            row["last_login_at"] = person.last_at
            rows.append(row)
        ids = insert_rows(User.__table__, rows, returning=True)
        for person, user_id in zip(people, ids, strict=True):
            person.id = user_id
        insert_rows(CandidateProfile.__table__, [self.profile_row(person) for person in people])
        self.clock(f"{len(ids)} comptes candidats")

    def profile_row(self, person: Candidate) -> dict[str, Any]:
        answers = candidate_answers(self.rng, person)
        return {
            "user_id": person.id,
            "phone": "",
            "town_insee_code": None,
            "mobility_regions": [],
            "mobility_departments": [],
            "default_cv_id": None,
            "updated_at": person.first_at,
            **answers,
        }

    def applications(self) -> None:
        rows, apps = [], []
        for offer in self.plan.offers:
            for app in offer.applications:
                rows.append(self.application_row(offer, app))
                apps.append(app)
        ids = insert_rows(Application.__table__, rows, returning=True)
        for app, app_id in zip(apps, ids, strict=True):
            app.id = app_id
        self.clock(f"{len(ids)} candidatures")

    def application_row(self, offer: OfferPlan, app: AppPlan) -> dict[str, Any]:
        rng, anonymous = self.rng, app.anonymised
        rejected = app.status == ApplicationStatus.REJECTED
        interview = app.status == ApplicationStatus.INTERVIEW
        finished = app.finished_at or app.updated_at
        return {
            "offer_id": offer.id,
            "candidate_id": None if anonymous else known(app.candidate, "candidate").id,
            "status": app.status.value,
            "cover_letter": ""
            if anonymous
            else rng.choice(LETTERS).format(town=offer.line.workplace.name),
            "cv_id": None,
            "rejection_reason": rng.choice(REJECTIONS) if rejected and not anonymous else "",
            "rejection_reason_shared": rejected and not anonymous and rng.random() < 0.6,
            "interview_details": rng.choice(INTERVIEWS) if interview else "",
            "created_at": app.created_at,
            "updated_at": app.updated_at,
            "decided_at": app.decided_at,
            "anonymised_at": min(finished + self.world.retention, self.world.now)
            if anonymous
            else None,
        }

    def recruits(self) -> None:
        rows = [self.recruit_row(tenure) for tenure in self.plan.tenures]
        insert_rows(Recruit.__table__, rows)
        self.clock(f"{len(rows)} recrutements (profils anonymes)")

    def recruit_row(self, tenure: Tenure) -> dict[str, Any]:
        offer, org = tenure.offer, tenure.offer.line.org
        return {
            "organisation_id": org.id,
            "department_code": org.department_code,
            "post_key": f"offer:{offer.id}",
            "offer_id": offer.id,
            "source": RecruitSource.HIRE,
            "started_on": tenure.started_on,
            "ends_on": tenure.ends_on,
            "hired_on": tenure.hired_at.astimezone(PARIS).date(),
            "days_to_hire": tenure.days_to_hire,
            "experience": tenure.profile["experience"],
            "diploma": tenure.profile["diploma"],
            "field_of_study": tenure.profile["field_of_study"],
            "gender": tenure.profile["gender"],
            "employer_kind": org.kind,
            "created_at": tenure.hired_at,
        }

    def requests(self) -> None:
        requests = self.plan.requests
        rows = RequestRows(self.plan, self.rng)
        for year in sorted({request.year for request in requests}):
            batch = [request for request in requests if request.year == year]
            ids = insert_rows(
                CofundingRequest.__table__, [rows.request_row(r) for r in batch], True
            )
            for request, request_id in zip(batch, ids, strict=True):
                request.id = request_id
        insert_rows(FundingPlan.__table__, [row for r in requests for row in rows.plan_rows(r)])
        opinions = [rows.opinion_row(r) for r in requests if r.opinion is not None]
        insert_rows(AnahOpinion.__table__, opinions)
        events = [event for r in requests for event in rows.event_rows(r)]
        insert_rows(AuditEvent.__table__, events)
        self.clock(
            f"{len(requests)} demandes de cofinancement, {len(opinions)} avis de l'ANAH, "
            f"{len(events)} événements d'historique"
        )
