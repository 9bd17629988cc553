"""What the collectivité's home (/collectivite/) shows a member: its offers with the
applications received since the member's previous visit, and what awaits an action.

A visit is a run of home views less than VISIT_GAP apart, so that coming back to the
home during the same sitting does not empty the "new" counts. Before a member's first
visit, applications of the last NEW_WINDOW count as new.

Everything is read through the scoped queries (offers_of_member,
applications_for_member, requests_for_member): a member only ever counts their own
organisation's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import User
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.applications.queries import applications_for_member
from recrutement.cofunding.models import CofundingRequest, CofundingStatus
from recrutement.cofunding.queries import requests_for_member
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.queries import offers_of_member
from recrutement.organisations.models import Membership

VISIT_GAP = timedelta(hours=2)
NEW_WINDOW = timedelta(days=7)
# An open offer whose deadline falls within this many days "closes soon".
CLOSING_SOON_DAYS = 7
OFFERS_SHOWN = 10


@dataclass(frozen=True)
class OfferLine:
    """One offer of the home's list, with its application counts."""

    offer: Offer
    applications: int
    new: int


@dataclass
class EmployerHome:
    # Applications received after this moment count as new.
    since: datetime
    # True when `since` is the end of the member's previous visit (else: NEW_WINDOW).
    since_last_visit: bool
    offers: list[OfferLine] = field(default_factory=list)
    # Offers of the list left out (beyond OFFERS_SHOWN).
    more_offers: int = 0
    new_applications: int = 0
    # Applications waiting for a first look (sent) and interviews to schedule (in review).
    to_examine: int = 0
    to_schedule: int = 0
    closing_soon: list[Offer] = field(default_factory=list)
    changes_requested: list[CofundingRequest] = field(default_factory=list)
    # Hires recorded on the platform for which no cofunding request was filed yet.
    hires_without_request: list[Application] = field(default_factory=list)
    open_offers: int = 0
    drafts: int = 0

    @property
    def actions(self) -> int:
        """How many things await an action (the number the home's heading shows)."""
        return (
            len(self.changes_requested)
            + (1 if self.to_examine else 0)
            + (1 if self.to_schedule else 0)
            + len(self.closing_soon)
            + len(self.hires_without_request)
        )


def record_visit(membership: Membership, now: datetime | None = None) -> datetime | None:
    """Note that the member looks at the home now (the caller commits); return the end
    of their previous visit, None before the first one."""
    now = now or utcnow()
    last_seen = membership.last_seen_at
    if last_seen is None or now - last_seen > VISIT_GAP:
        membership.previous_visit_at = last_seen
    membership.last_seen_at = now
    return membership.previous_visit_at


def employer_home(
    member: User, previous_visit: datetime | None, now: datetime | None = None
) -> EmployerHome:
    """Gather the member's home; `previous_visit` is what record_visit returned."""
    now = now or utcnow()
    home = EmployerHome(
        since=previous_visit or now - NEW_WINDOW, since_last_visit=previous_visit is not None
    )
    _offers(member, home)
    _to_handle(member, home)
    return home


def _offers(member: User, home: EmployerHome) -> None:
    """The open offers and any offer with new applications, the newest activity first."""
    member_offers = offers_of_member(member).subquery()
    counts = {
        row.offer_id: (row.total, row.new)
        for row in db.session.execute(
            select(
                Application.offer_id,
                func.count(Application.id).label("total"),
                func.count(Application.id).filter(Application.created_at > home.since).label("new"),
            )
            .where(Application.offer_id.in_(select(member_offers.c.id)))
            .group_by(Application.offer_id)
        )
    }
    with_new = [offer_id for offer_id, (_, new) in counts.items() if new]
    offers = db.session.scalars(
        offers_of_member(member)
        .where(or_(Offer.status == OfferStatus.PUBLISHED, Offer.id.in_(with_new)))
        .options(selectinload(Offer.workplace))
    ).all()
    lines = [OfferLine(offer, *counts.get(offer.id, (0, 0))) for offer in offers]
    # New applications first, then the open offers whose deadline comes first.
    lines.sort(key=lambda line: (-line.new, line.offer.application_deadline, line.offer.id))
    home.offers = lines[:OFFERS_SHOWN]
    home.more_offers = max(len(lines) - OFFERS_SHOWN, 0)
    home.new_applications = sum(new for _, new in counts.values())
    by_status = dict(
        db.session.execute(
            select(Offer.status, func.count(Offer.id))
            .where(Offer.id.in_(select(member_offers.c.id)))
            .group_by(Offer.status)
        )
        .tuples()
        .all()
    )
    home.open_offers = by_status.get(OfferStatus.PUBLISHED, 0)
    home.drafts = by_status.get(OfferStatus.DRAFT, 0)


def _to_handle(member: User, home: EmployerHome) -> None:
    states = dict(
        db.session.execute(
            applications_for_member(member)
            .with_only_columns(Application.status, func.count(Application.id))
            .where(Application.status.in_([ApplicationStatus.SENT, ApplicationStatus.IN_REVIEW]))
            .group_by(Application.status)
        )
        .tuples()
        .all()
    )
    home.to_examine = states.get(ApplicationStatus.SENT, 0)
    home.to_schedule = states.get(ApplicationStatus.IN_REVIEW, 0)
    today = paris_today()
    home.closing_soon = list(
        db.session.scalars(
            offers_of_member(member)
            .where(
                Offer.status == OfferStatus.PUBLISHED,
                Offer.application_deadline >= today,
                Offer.application_deadline <= today + timedelta(days=CLOSING_SOON_DAYS),
            )
            .order_by(Offer.application_deadline, Offer.id)
        )
    )
    home.changes_requested = list(
        db.session.scalars(
            requests_for_member(member)
            .where(CofundingRequest.status == CofundingStatus.CHANGES_REQUESTED)
            .order_by(CofundingRequest.updated_at)
        )
    )
    filed = select(CofundingRequest.application_id).where(
        CofundingRequest.application_id.is_not(None)
    )
    home.hires_without_request = list(
        db.session.scalars(
            applications_for_member(member)
            .where(Application.status == ApplicationStatus.HIRED, Application.id.not_in(filed))
            .options(selectinload(Application.candidate), selectinload(Application.offer))
            .order_by(Application.decided_at.desc())
        )
    )
