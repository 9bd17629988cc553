"""What the candidate's home (/candidat/) shows: the applications by state, the
interviews, the unread messages and the new offers that the saved searches find.

New offers are those published since the candidate's previous visit, or in the
last 7 days when that visit is more recent (or unknown), so that a candidate who
comes every day still sees the week's offers and one back after a month sees all
they missed. A visit is a run of home views less than VISIT_GAP apart: reloading
the home does not empty the list.

Each saved search runs through the real search (search.query.search_offers), as its
alert mail does, sorted by date: what the home shows is what the alert finds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import User
from recrutement.alerts.models import SavedSearch
from recrutement.alerts.saved_searches import describe, saved_searches_of
from recrutement.applications.models import Application, ApplicationMessage, ApplicationStatus
from recrutement.applications.queries import (
    ThreadSummary,
    applications_of_candidate,
    thread_summaries,
    threads_of_candidate,
    unread_for_candidate,
    unread_message_count,
)
from recrutement.candidates.profile import profile_of
from recrutement.core.time import PARIS, utcnow
from recrutement.extensions import db
from recrutement.offers.models import Offer
from recrutement.search.query import (
    MAX_PER_PAGE,
    SORT_DATE,
    InvalidSearch,
    SearchParams,
    search_offers,
)

logger = logging.getLogger(__name__)

NEW_OFFERS_WINDOW = timedelta(days=7)
VISIT_GAP = timedelta(hours=2)
# Offers shown under each saved search, and how deep each search is read to count them.
OFFERS_PER_SEARCH = 3
SEARCH_DEPTH = MAX_PER_PAGE
UNREAD_THREADS_SHOWN = 5
INTERVIEWS_SHOWN = 10


@dataclass(frozen=True)
class StateCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class NewOffers:
    """What one saved search found since the window's start."""

    saved_search: SavedSearch
    description: str
    offers: list[Offer]
    count: int
    # True when the search found at least SEARCH_DEPTH new offers: "50 or more".
    at_least: bool
    # False when the saved parameters no longer make a valid search.
    valid: bool = True


@dataclass(frozen=True)
class CandidateHome:
    counts: list[StateCount]
    total: int
    interviews: list[Application]
    unread_threads: list[tuple[Application, ThreadSummary]]
    unread_messages: int
    new_offers: list[NewOffers]
    # Where the new offers start, and whether that is the previous visit (else 7 days).
    since: datetime
    since_previous_visit: bool
    applied_offer_ids: frozenset[int]


def record_visit(user: User, now: datetime) -> datetime | None:
    """Record that the home is shown now; return when the previous visit ended (None
    for a first visit). Commits."""
    profile = profile_of(user)
    if profile.home_seen_at is None or now - profile.home_seen_at >= VISIT_GAP:
        profile.previous_visit_at = profile.home_seen_at
    profile.home_seen_at = now
    db.session.commit()
    return profile.previous_visit_at


def new_offers_start(previous_visit: datetime | None, now: datetime) -> tuple[datetime, bool]:
    """(start of the new offers, True when it is the previous visit)."""
    week_ago = now - NEW_OFFERS_WINDOW
    if previous_visit is not None and previous_visit < week_ago:
        return previous_visit, True
    return week_ago, False


def state_counts(user: User) -> list[StateCount]:
    """The candidate's applications per state, every state in the workflow's order."""
    counts = dict(
        db.session.execute(
            applications_of_candidate(user)
            .with_only_columns(Application.status, func.count(Application.id))
            .group_by(Application.status)
        )
        .tuples()
        .all()
    )
    return [
        StateCount(status.value, status.label, counts.get(status, 0))
        for status in ApplicationStatus
    ]


def interviews(user: User) -> list[Application]:
    """The applications at the interview stage, latest invitation first."""
    return list(
        db.session.scalars(
            applications_of_candidate(user)
            .where(Application.status == ApplicationStatus.INTERVIEW)
            .options(selectinload(Application.offer).selectinload(Offer.organisation))
            .order_by(Application.updated_at.desc(), Application.id.desc())
            .limit(INTERVIEWS_SHOWN)
        )
    )


def unread_threads(user: User) -> list[tuple[Application, ThreadSummary]]:
    """The threads with unread messages, the latest first."""
    with_unread = (
        select(ApplicationMessage.id)
        .where(ApplicationMessage.application_id == Application.id, unread_for_candidate())
        .exists()
    )
    applications = list(
        db.session.scalars(
            threads_of_candidate(user).where(with_unread).limit(UNREAD_THREADS_SHOWN)
        )
    )
    summaries = thread_summaries(applications)
    return [(application, summaries[application.id]) for application in applications]


def _new_offers(saved: SavedSearch, since: datetime, now: datetime) -> NewOffers:
    description = describe(saved.query)
    try:
        params = SearchParams.from_args(saved.query)
    except InvalidSearch as error:
        logger.info("saved search no longer valid", extra={"error": error.message})
        return NewOffers(saved, description, [], 0, False, valid=False)
    params = replace(params, sort=SORT_DATE, page=1, per_page=SEARCH_DEPTH)
    ids = search_offers(params, now.astimezone(PARIS).date()).offer_ids
    published = dict(
        db.session.execute(select(Offer.id, Offer.published_at).where(Offer.id.in_(ids)))
        .tuples()
        .all()
    )
    new_ids = [
        offer_id
        for offer_id in ids
        if (published_at := published.get(offer_id)) is not None and published_at >= since
    ]
    shown = new_ids[:OFFERS_PER_SEARCH]
    offers = {
        offer.id: offer
        for offer in db.session.scalars(
            select(Offer)
            .where(Offer.id.in_(shown))
            .options(selectinload(Offer.organisation), selectinload(Offer.workplace))
        )
    }
    return NewOffers(
        saved,
        description,
        [offers[offer_id] for offer_id in shown if offer_id in offers],
        len(new_ids),
        at_least=len(ids) == SEARCH_DEPTH and len(new_ids) == SEARCH_DEPTH,
    )


def new_offers(user: User, since: datetime, now: datetime) -> list[NewOffers]:
    """For each saved search, the open offers it finds published since `since`."""
    saved_searches = db.session.scalars(saved_searches_of(user).order_by(SavedSearch.id)).all()
    return [_new_offers(saved, since, now) for saved in saved_searches]


def candidate_home(user: User, now: datetime | None = None) -> CandidateHome:
    """Everything the home shows; records the visit (commits)."""
    now = now or utcnow()
    since, since_previous_visit = new_offers_start(record_visit(user, now), now)
    counts = state_counts(user)
    threads = unread_threads(user)
    found = new_offers(user, since, now)
    shown_ids = [offer.id for item in found for offer in item.offers]
    applied = frozenset(
        db.session.scalars(
            applications_of_candidate(user)
            .with_only_columns(Application.offer_id)
            .where(Application.offer_id.in_(shown_ids))
        )
    )
    return CandidateHome(
        counts=counts,
        total=sum(item.count for item in counts),
        interviews=interviews(user),
        unread_threads=threads,
        unread_messages=unread_message_count(user),
        new_offers=found,
        since=since,
        since_previous_visit=since_previous_visit,
        applied_offer_ids=applied,
    )
