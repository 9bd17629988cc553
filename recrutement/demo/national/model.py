"""The national demo's plan, before anything is written: collectivités, posts, offers
and their applications, holders, candidates and cofunding requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from recrutement.applications.models import ApplicationStatus
from recrutement.cofunding.models import CofundingStatus
from recrutement.demo.national.parameters import NATIONAL_DOMAIN
from recrutement.demo.national.world import Town, World

T = TypeVar("T")
# Per role ("prefecture", "anah", and "without_anah" for the départements left without
# ANAH agent): the agent's user id for each département, None until one is created.
Agents = dict[str, dict[str, int | None]]


def known(value: T | None, what: str) -> T:
    """`value`, which the planner has set by now (`what` names it if not)."""
    if value is None:
        raise ValueError(f"the national plan has no {what} here yet")
    return value


@dataclass(eq=False)
class Org:
    kind: str  # the employer kinds of pilotage.profile: commune, epci or petr
    name: str
    department_code: str
    towns: list[Town]
    posts: int = 1
    open_only: bool = False  # has not recruited yet: its first offer is open
    commune_insee_code: str | None = None
    grouping_siren: str | None = None
    declared_petr: bool = False
    created_at: datetime | None = None
    decided_at: datetime | None = None
    id: int | None = None
    member_id: int | None = None

    @property
    def email(self) -> str:
        return f"{self.kind}-{self.commune_insee_code or self.grouping_siren}@{NATIONAL_DOMAIN}"


@dataclass(eq=False)
class Line:
    """A chef de projet post of an organisation, held by one recruit after another."""

    org: Org
    workplace: Town
    turnover: bool = False
    anah: bool = False
    cofunded: bool = False
    housing_operation: str = ""


@dataclass(eq=False)
class AppPlan:
    status: ApplicationStatus
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None = None
    candidate: Candidate | None = None
    anonymised: bool = False
    id: int | None = None

    @property
    def finished_at(self) -> datetime | None:
        if self.status in (ApplicationStatus.HIRED, ApplicationStatus.REJECTED):
            return self.decided_at
        return self.updated_at if self.status == ApplicationStatus.WITHDRAWN else None


@dataclass(eq=False)
class OfferPlan:
    line: Line
    status: str
    content: dict[str, Any]
    created_at: datetime
    published_at: datetime
    ended_at: datetime | None = None  # filled or expired
    applications: list[AppPlan] = field(default_factory=list)
    tenure: Tenure | None = None
    id: int | None = None


@dataclass(eq=False)
class Tenure:
    """One holder of a post: the hire, the start and the end of the contract."""

    offer: OfferPlan
    hired_at: datetime
    started_on: date
    ends_on: date | None
    days_to_hire: int
    profile: dict[str, str] = field(default_factory=dict)
    holder: tuple[str, str] = ("", "")
    hire: AppPlan | None = None


@dataclass(eq=False)
class Candidate:
    key: tuple[int, int, int]  # (year, quarter, number)
    first_at: datetime
    last_at: datetime
    hired: Tenure | None = None
    woman: bool = True
    name: tuple[str, str] = ("", "")
    id: int | None = None

    @property
    def email(self) -> str:
        return f"candidat-{self.key[0]}-{self.key[1]}-{self.key[2]}@{NATIONAL_DOMAIN}"


@dataclass(eq=False)
class RequestPlan:
    tenure: Tenure
    year: int
    period: tuple[date, date]
    cost: int
    anah_asked: bool
    bdt_asked: bool
    previous: RequestPlan | None
    status: CofundingStatus = CofundingStatus.GRANTED
    steps: dict[str, datetime] = field(default_factory=dict)
    parts: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    rule_id: int | None = None
    opinion: Decimal | None = None
    reason: str = ""
    id: int | None = None


@dataclass
class Plan:
    world: World
    orgs: list[Org]
    lines: list[Line]
    offers: list[OfferPlan]
    tenures: list[Tenure]
    candidates: list[Candidate]
    requests: list[RequestPlan]
    agents: Agents
    vacant_towns: int

    def application_count(self) -> int:
        return sum(len(offer.applications) for offer in self.offers)
