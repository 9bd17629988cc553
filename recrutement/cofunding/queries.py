"""Scoped queries: a collectivité sees its own requests; a préfecture the filed requests
of its départements; an ANAH delegation those of its départements that ask ANAH.
Views and exports load requests only through these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import abort
from sqlalchemy import Select, func, select

from recrutement.accounts.models import Role, User
from recrutement.cofunding.models import CofundingRequest, CofundingStatus, Funder
from recrutement.cofunding.workflow import FILED_STATES
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.organisations.models import Organisation


def requests_for_member(user: User) -> Select:
    organisation_id = user.membership.organisation_id if user.membership else -1
    return select(CofundingRequest).where(CofundingRequest.organisation_id == organisation_id)


def get_request_for_member_or_404(user: User, request_id: int) -> CofundingRequest:
    found = db.session.scalar(requests_for_member(user).where(CofundingRequest.id == request_id))
    if found is None:
        abort(404)
    return found


def requests_for_instructor(user: User) -> Select:
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
    return query.where(False)


def get_request_for_instructor_or_404(user: User, request_id: int) -> CofundingRequest:
    found = db.session.scalar(
        requests_for_instructor(user).where(CofundingRequest.id == request_id)
    )
    if found is None:
        abort(404)
    return found


# Age of a request: days since it was filed.
AGES = {
    "moins-15j": ("Déposée il y a moins de 15 jours", 0, 15),
    "15-30j": ("Déposée il y a 15 à 30 jours", 15, 30),
    "plus-30j": ("Déposée il y a plus de 30 jours", 30, None),
}


@dataclass
class QueueFilters:
    status: str = ""
    funder: str = ""
    age: str = ""

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        status = args.get("etat", "")
        funder = args.get("financeur", "")
        age = args.get("anciennete", "")
        return cls(
            status=status if status in FILED_STATES else "",
            funder=funder if funder in {Funder.BDT, Funder.ANAH} else "",
            age=age if age in AGES else "",
        )

    def to_args(self) -> dict:
        pairs = {"etat": self.status, "financeur": self.funder, "anciennete": self.age}
        return {key: value for key, value in pairs.items() if value}


def queue(user: User, filters: QueueFilters) -> Select:
    """The agent's queue, filtered, oldest filed first."""
    query = requests_for_instructor(user)
    if filters.status:
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


def counts_by_status(user: User) -> dict[str, int]:
    """How many of the agent's requests are in each state (every filed state, zeros included)."""
    scoped = requests_for_instructor(user).subquery()
    rows = db.session.execute(select(scoped.c.status, func.count()).group_by(scoped.c.status)).all()
    found = dict(rows)
    return {
        status.value: found.get(status.value, 0)
        for status in CofundingStatus
        if status in FILED_STATES
    }
