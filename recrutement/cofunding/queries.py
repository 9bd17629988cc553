"""Scoped queries: a collectivité sees its own requests; a préfecture the filed requests
of its départements; an ANAH delegation those of its départements that ask ANAH; ANCT
every filed request of the country, read-only. Views and exports load requests only
through these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from flask import abort
from sqlalchemy import Select, false, func, select

from recrutement.accounts.models import Role, User
from recrutement.cofunding.models import AnahOpinion, CofundingRequest, CofundingStatus, Funder
from recrutement.cofunding.workflow import ANSWER, DECIDED_STATES, FILED_STATES
from recrutement.core.models import AuditEvent
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.organisations.models import Organisation
from recrutement.referential.models import Department, Region

# A scoped query of cofunding requests.
Requests: TypeAlias = Select[tuple[CofundingRequest]]


def requests_for_member(user: User) -> Requests:
    organisation_id = user.membership.organisation_id if user.membership else -1
    return select(CofundingRequest).where(CofundingRequest.organisation_id == organisation_id)


def get_request_for_member_or_404(user: User, request_id: int) -> CofundingRequest:
    found = db.session.scalar(requests_for_member(user).where(CofundingRequest.id == request_id))
    if found is None:
        abort(404)
    return found


def requests_for_instructor(user: User) -> Requests:
    """Filed requests of the agent's départements (and, for ANAH, only those asking ANAH)."""
    query = (
        select(CofundingRequest)
        .join(Organisation, Organisation.id == CofundingRequest.organisation_id)
        .where(
            Organisation.department_code.in_(user.department_codes),
            CofundingRequest.status.in_(FILED_STATES),
        )
    )
    if user.role == Role.ANAH:
        return query.where(CofundingRequest.anah_asked.is_(True))
    if user.role == Role.PREFECTURE:
        return query
    return query.where(false())


def get_request_for_instructor_or_404(user: User, request_id: int) -> CofundingRequest:
    found = db.session.scalar(
        requests_for_instructor(user).where(CofundingRequest.id == request_id)
    )
    if found is None:
        abort(404)
    return found


def requests_for_programme(user: User) -> Requests:
    """Every filed request of the country, for ANCT (read-only); nothing for anyone else."""
    query = (
        select(CofundingRequest)
        .join(Organisation, Organisation.id == CofundingRequest.organisation_id)
        .where(CofundingRequest.status.in_(FILED_STATES))
    )
    if user.role == Role.ADMIN:
        return query
    return query.where(false())


def get_request_for_programme_or_404(user: User, request_id: int) -> CofundingRequest:
    found = db.session.scalar(requests_for_programme(user).where(CofundingRequest.id == request_id))
    if found is None:
        abort(404)
    return found


# Age of a request: days since it was filed.
AGES = {
    "moins-15j": ("Déposée il y a moins de 15 jours", 0, 15),
    "15-30j": ("Déposée il y a 15 à 30 jours", 15, 30),
    "plus-30j": ("Déposée il y a plus de 30 jours", 30, None),
}


# Values of the state filter that are not a state but a view of the queue ("etat=" in
# the URL, beside the states themselves):
# - WAITING: the requests that wait for the préfecture's decision (filed or in
#   instruction, which includes those whose complement the collectivité answered; a
#   request whose complement is asked waits for the collectivité). The same states as
#   pilotage.figures.WAITING_STATUSES. A préfecture's queue opens on it.
# - ANAH_PENDING: the requests asking ANAH that still wait for its opinion (and may
#   still get it). An ANAH delegation's queue opens on it.
# - DECIDED: granted, refused or dismissed.
# - ALL: every filed request (what an absent filter means for ANCT's list).
WAITING = "waiting"
WAITING_LABEL = "En attente de décision"
WAITING_STATES = (CofundingStatus.SUBMITTED, CofundingStatus.IN_INSTRUCTION)
ANAH_PENDING = "anah_pending"
# The states in which the ANAH delegation may still give (or change) its opinion.
OPINION_STATES = frozenset(
    {CofundingStatus.SUBMITTED, CofundingStatus.IN_INSTRUCTION, CofundingStatus.CHANGES_REQUESTED}
)
DECIDED = "decided"
ALL = "all"
VIEWS = (WAITING, ANAH_PENDING, DECIDED, ALL)


def default_view(user: User) -> str:
    """What awaits the agent: its opinions for an ANAH delegation, its decisions for a
    préfecture."""
    return ANAH_PENDING if user.role == Role.ANAH else WAITING


@dataclass
class QueueFilters:
    status: str = ""
    funder: str = ""
    age: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str], default: str = "") -> QueueFilters:
        """The filters of a query string; an absent or unknown state gives `default`
        (a view or a state, "" for every request)."""
        status = args.get("etat", "")
        funder = args.get("financeur", "")
        age = args.get("anciennete", "")
        return cls(
            status=status if status in FILED_STATES or status in VIEWS else default,
            funder=funder if funder in {Funder.BDT, Funder.ANAH} else "",
            age=age if age in AGES else "",
        )

    def to_args(self) -> dict[str, str]:
        pairs = {"etat": self.status, "financeur": self.funder, "anciennete": self.age}
        return {key: value for key, value in pairs.items() if value}

    def in_place(self, query: Requests) -> Requests:
        """The queue has no place filter: its scope is the agent's départements."""
        return query


@dataclass
class ProgrammeFilters(QueueFilters):
    """ANCT's filters: the queue's, plus a région or a département (known codes only)."""

    region: str = ""
    department: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str], default: str = "") -> ProgrammeFilters:
        base = QueueFilters.from_args(args, default)
        region = (args.get("region") or "").strip()
        department = (args.get("departement") or "").strip()
        if region and db.session.get(Region, region) is None:
            region = ""
        if department and db.session.get(Department, department) is None:
            department = ""
        return cls(
            status=base.status,
            funder=base.funder,
            age=base.age,
            region=region,
            department=department,
        )

    def to_args(self) -> dict[str, str]:
        pairs = {"region": self.region, "departement": self.department}
        return {**{key: value for key, value in pairs.items() if value}, **super().to_args()}

    def in_place(self, query: Requests) -> Requests:
        """Keep the requests of the chosen région and département (the query joins
        Organisation, as every scoped query of this module does)."""
        if self.department:
            query = query.where(Organisation.department_code == self.department)
        if self.region:
            query = query.where(
                Organisation.department_code.in_(
                    select(Department.code).where(Department.region_code == self.region)
                )
            )
        return query


def filtered(query: Requests, filters: QueueFilters) -> Requests:
    """A scoped query of requests, filtered (state, funder, age; and place for ANCT),
    oldest filed first."""
    query = filters.in_place(query)
    if filters.status == WAITING:
        query = query.where(CofundingRequest.status.in_(WAITING_STATES))
    elif filters.status == ANAH_PENDING:
        query = awaiting_anah_opinion(query)
    elif filters.status == DECIDED:
        query = query.where(CofundingRequest.status.in_(DECIDED_STATES))
    elif filters.status and filters.status != ALL:
        query = query.where(CofundingRequest.status == filters.status)
    if filters.funder == Funder.ANAH:
        query = query.where(CofundingRequest.anah_asked.is_(True))
    elif filters.funder == Funder.BDT:
        query = query.where(CofundingRequest.bdt_asked.is_(True))
    if filters.age:
        _, newest_days, oldest_days = AGES[filters.age]
        now = utcnow()
        query = query.where(CofundingRequest.submitted_at <= now - timedelta(days=newest_days))
        if oldest_days is not None:
            query = query.where(CofundingRequest.submitted_at > now - timedelta(days=oldest_days))
    return query.order_by(CofundingRequest.submitted_at, CofundingRequest.id)


def queue(user: User, filters: QueueFilters) -> Requests:
    """The agent's queue, filtered, oldest filed first."""
    return filtered(requests_for_instructor(user), filters)


def awaiting_anah_opinion(query: Requests) -> Requests:
    """The requests of a scoped query that ask ANAH and still wait for its opinion."""
    return query.where(
        CofundingRequest.anah_asked.is_(True),
        CofundingRequest.status.in_(OPINION_STATES),
        ~select(AnahOpinion.id).where(AnahOpinion.request_id == CofundingRequest.id).exists(),
    )


def view_counts(user: User, by_status: dict[str, int]) -> dict[str, int]:
    """How many of the agent's requests each view of the queue lists (`by_status`: its
    counts_by_status)."""
    scoped = awaiting_anah_opinion(requests_for_instructor(user)).subquery()
    return {
        WAITING: sum(by_status[status.value] for status in WAITING_STATES),
        ANAH_PENDING: db.session.scalar(select(func.count()).select_from(scoped)) or 0,
        DECIDED: sum(by_status[status.value] for status in DECIDED_STATES),
        ALL: sum(by_status.values()),
    }


def answered_on(request_ids: list[int]) -> dict[int, datetime]:
    """When the collectivité last answered a change request, for those of `request_ids`
    that are back in instruction that way (the queue marks them "complément reçu")."""
    if not request_ids:
        return {}
    rows = db.session.execute(
        select(AuditEvent.object_id, func.max(AuditEvent.created_at))
        .where(
            AuditEvent.object_type == CofundingRequest.__tablename__,
            AuditEvent.action == f"cofunding.{ANSWER.name}",
            AuditEvent.object_id.in_([str(request_id) for request_id in request_ids]),
        )
        .group_by(AuditEvent.object_id)
    ).all()
    return {int(object_id): when for object_id, when in rows}


def counts_by_status(user: User) -> dict[str, int]:
    """How many of the agent's requests are in each state (every filed state, zeros included)."""
    return status_counts(requests_for_instructor(user))


def status_counts(query: Select[Any]) -> dict[str, int]:
    """How many requests of a scoped query are in each state (every filed state, zeros
    included)."""
    scoped = query.subquery()
    found: dict[str, int] = dict(
        db.session.execute(select(scoped.c.status, func.count()).group_by(scoped.c.status))
        .tuples()
        .all()
    )
    return {
        status.value: found.get(status.value, 0)
        for status in CofundingStatus
        if status in FILED_STATES
    }
