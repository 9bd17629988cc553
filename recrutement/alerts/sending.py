"""Alert mails: the new offers each saved search finds (docs/design.md, Applications).

An alert mails the open offers that its search finds, that were published
since its last mail (or since it was saved) and that it never mailed before
(`AlertedOffer`), as one mail per run: at once for "instant" ones
(`send_instant_alerts`, the background task that a publication queues and the
worker runs), at most once a day or a week for the others (`send_alerts`). The
mail, the `AlertedOffer` rows and `last_sent_at` are written in one transaction,
so a failure never mails an offer without recording it, nor records it without
mailing it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import Select, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import User
from recrutement.alerts.models import AlertedOffer, SavedSearch
from recrutement.alerts.saved_searches import FREQUENCIES, alert_title, describe
from recrutement.alerts.unsubscribe import unsubscribe_url
from recrutement.core.time import PARIS, utcnow
from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.presentation import offer_url
from recrutement.search.index import IndexBusy, apply_pending_tasks, try_apply
from recrutement.search.query import (
    MAX_PAGE,
    MAX_PER_PAGE,
    SORT_DATE,
    InvalidSearch,
    SearchParams,
    search_offers,
)

logger = logging.getLogger(__name__)

# How long after its last mail an alert may mail again. Slightly less than the
# period, so that a command run by cron at the same hour every day is never late.
SEND_INTERVALS = {
    "instant": timedelta(0),
    "daily": timedelta(hours=23),
    "weekly": timedelta(days=7) - timedelta(hours=1),
}
# The window of a run starts this long before the last mail, so that an offer
# published just before it but not yet in the search index then is not lost
# (AlertedOffer keeps what was mailed from being mailed again).
INDEX_LAG_MARGIN = timedelta(hours=1)


def _open_offers_on(today: date) -> Select[tuple[Offer]]:
    return select(Offer).where(
        Offer.status == OfferStatus.PUBLISHED, Offer.application_deadline >= today
    )


def _paris_date(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def _found_offers(
    query: dict[str, str], candidates: set[int], oldest: datetime, today: date
) -> list[int] | None:
    """Which `candidates` (offer ids, published at `oldest` or later) the saved query
    finds, newest first; None when the query is no longer valid.

    Pages through the results sorted by date until every candidate is found or
    the results are older than the oldest candidate.
    """
    try:
        params = SearchParams.from_args(query)
    except InvalidSearch as error:
        logger.warning("saved search no longer valid", extra={"error": error.message})
        return None
    params = replace(params, sort=SORT_DATE, per_page=MAX_PER_PAGE)
    found: list[int] = []
    for page in range(1, MAX_PAGE + 1):
        hits = search_offers(replace(params, page=page), today).offer_ids
        published = dict(
            db.session.execute(select(Offer.id, Offer.published_at).where(Offer.id.in_(hits)))
            .tuples()
            .all()
        )
        for offer_id in hits:
            if offer_id in candidates:
                found.append(offer_id)
            elif (published_at := published.get(offer_id)) is not None and published_at < oldest:
                return found
        if len(found) == len(candidates) or len(hits) < params.per_page:
            return found
    return found


def _mail_alert(saved: SavedSearch, offers: list[Offer], now: datetime) -> None:
    """Queue the alert mail listing `offers` and record them as mailed (not committed)."""
    count = len(offers)
    plural = "s" if count > 1 else ""
    subject = f"{count} nouvelle{plural} offre{plural} pour votre alerte {alert_title(saved)}"
    queue_email(
        saved.user.email,
        "alert",
        subject[:250],
        user=saved.user,
        saved_search=saved,
        title=alert_title(saved),
        description=describe(saved.query),
        items=[(offer, offer_url(offer)) for offer in offers],
        search_link=absolute_url("public.search", **saved.query),
        manage_link=absolute_url("candidate.alerts_list"),
        unsubscribe_link=unsubscribe_url(saved),
        # Mail clients offer their own one-click "unsubscribe" with these (RFC 8058).
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url(saved)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    for offer in offers:
        db.session.add(AlertedOffer(saved_search_id=saved.id, offer_id=offer.id, sent_at=now))
    saved.last_sent_at = now


def _can_receive(user: User) -> bool:
    return user.is_active_account and user.email_confirmed_at is not None


def _load_offers(offer_ids: list[int]) -> list[Offer]:
    offers = {
        offer.id: offer
        for offer in db.session.scalars(
            select(Offer)
            .where(Offer.id.in_(offer_ids))
            .options(selectinload(Offer.organisation), selectinload(Offer.workplace))
        )
    }
    return [offers[offer_id] for offer_id in offer_ids if offer_id in offers]


def _commit_alert() -> bool:
    """Commit one alert; False when another worker mailed the same offers meanwhile."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        logger.info("alert already sent by another worker")
        return False
    return True


def send_alerts(frequency: str, now: datetime | None = None) -> int:
    """Mail every due saved search of `frequency` the new offers it finds; return how
    many mails were queued.

    A saved search is due when it never mailed, or mailed at least SEND_INTERVALS
    ago, so running this more often than the period sends nothing more. A run
    with nothing new sends no mail and leaves `last_sent_at` as it is.
    """
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown alert frequency: {frequency}")
    now = now or utcnow()
    today = _paris_date(now)
    try:
        # The index must hold what was published until now.
        apply_pending_tasks()
    except IndexBusy:
        logger.warning("search index busy: alerts use it as it is")
    ids = db.session.scalars(
        select(SavedSearch.id).where(SavedSearch.frequency == frequency).order_by(SavedSearch.id)
    ).all()
    sent = 0
    for saved_search_id in ids:
        saved = db.session.scalar(
            select(SavedSearch)
            .where(SavedSearch.id == saved_search_id, SavedSearch.frequency == frequency)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if saved is None or not _can_receive(saved.user):
            db.session.rollback()
            continue
        if saved.last_sent_at is not None and now - saved.last_sent_at < SEND_INTERVALS[frequency]:
            db.session.rollback()
            continue
        since = saved.created_at
        if saved.last_sent_at is not None:
            since = max(since, saved.last_sent_at - INDEX_LAG_MARGIN)
        already = exists().where(
            AlertedOffer.saved_search_id == saved.id, AlertedOffer.offer_id == Offer.id
        )
        rows = db.session.execute(
            _open_offers_on(today)
            .with_only_columns(Offer.id, Offer.published_at)
            .where(Offer.published_at > since, Offer.published_at <= now, ~already)
        ).tuples()
        # The filter on published_at leaves no offer without it.
        candidates = {offer_id: published for offer_id, published in rows if published is not None}
        found = (
            _found_offers(saved.query, set(candidates), min(candidates.values()), today)
            if candidates
            else None
        )
        if not found:
            db.session.rollback()
            continue
        _mail_alert(saved, _load_offers(found), now)
        if _commit_alert():
            sent += 1
    return sent


def send_instant_alerts(offer_id: int) -> int:
    """Mail the "instant" saved searches that find this offer, just published; return
    how many mails were queued (each committed with its AlertedOffer rows).

    The handler of the background task that a publication queues (the worker runs
    it). Running it again mails nobody twice: a saved search that already mailed the
    offer is skipped, so a task retried after a crash sends only what was missing.
    Raises IndexBusy, for the task to be retried, when the offer cannot be indexed
    yet; what is missed altogether is caught up by `send_alerts("instant")`.
    """
    now = utcnow()
    today = _paris_date(now)
    offer = db.session.scalar(_open_offers_on(today).where(Offer.id == offer_id))
    if offer is None or offer.published_at is None:
        return 0
    published_at = offer.published_at
    # Normally done when the publication was committed, or by the worker just before.
    if not try_apply([offer_id]):
        raise IndexBusy(f"offer {offer_id} not indexed yet")
    already = exists().where(
        AlertedOffer.saved_search_id == SavedSearch.id, AlertedOffer.offer_id == offer_id
    )
    saved_searches = db.session.scalars(
        select(SavedSearch)
        .where(SavedSearch.frequency == "instant", ~already)
        .order_by(SavedSearch.id)
    ).all()
    # Several candidates often save the same search: search once per query.
    answers: dict[str, bool] = {}
    matching: list[int] = []
    for saved in saved_searches:
        if not _can_receive(saved.user) or saved.created_at >= published_at:
            continue
        key = repr(sorted(saved.query.items()))
        if key not in answers:
            answers[key] = bool(_found_offers(saved.query, {offer_id}, published_at, today))
        if answers[key]:
            matching.append(saved.id)
    sent = 0
    for saved_search_id in matching:
        saved_search = db.session.get(SavedSearch, saved_search_id)
        found = db.session.get(Offer, offer_id)
        if saved_search is None or found is None:
            continue
        _mail_alert(saved_search, [found], now)
        if _commit_alert():
            sent += 1
    return sent
