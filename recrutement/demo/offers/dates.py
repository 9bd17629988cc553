"""Coherent lifecycle dates of a demo offer in each state, as of `now`."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from recrutement.offers.models import OfferStatus

PUBLISHED_WITHIN_DAYS = 60
DEADLINE_MIN_DAYS = 31  # a notice stays open at least one month (docs/design.md)
DEADLINE_MAX_DAYS = 90


def published_dates(rng: random.Random, now: datetime) -> tuple[datetime, date]:
    """A publication within the last 60 days and a deadline still open.

    The deadline is 31 to 90 days after publication and at least tomorrow: the
    platform lists only open offers.
    """
    published_at = now - timedelta(seconds=rng.randrange(PUBLISHED_WITHIN_DAYS * 86_400))
    published_on = published_at.date()
    days_ago = (now.date() - published_on).days
    deadline = published_on + timedelta(
        days=rng.randint(max(DEADLINE_MIN_DAYS, days_ago + 1), DEADLINE_MAX_DAYS)
    )
    return published_at, deadline


def lifecycle(status: OfferStatus, rng: random.Random, now: datetime) -> dict[str, Any]:
    """Coherent timestamps and deadline for an offer in `status` as of `now`."""
    dates: dict[str, Any] = dict.fromkeys(
        ("published_at", "first_published_at", "closed_at", "filled_at", "expired_at")
    )
    if status == OfferStatus.DRAFT:
        created_at = now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
        deadline = now.date() + timedelta(days=rng.randint(45, 80))
        dates.update(created_at=created_at, updated_at=created_at)
        return {**dates, "application_deadline": deadline}
    if status == OfferStatus.PUBLISHED:
        published_at, deadline = published_dates(rng, now)
        last_change = published_at
    elif status == OfferStatus.EXPIRED:
        # Its deadline has passed; the nightly job expired it the next morning.
        published_at = now - timedelta(days=rng.randint(70, 150), hours=rng.randint(0, 12))
        deadline = published_at.date() + timedelta(days=rng.randint(31, 45))
        last_change = dates["expired_at"] = datetime.combine(
            deadline + timedelta(days=1), datetime.min.time(), now.tzinfo
        ) + timedelta(hours=2)
    elif status == OfferStatus.CLOSED:
        # Closed early by the employer, before its deadline.
        published_at = now - timedelta(days=rng.randint(35, 60), hours=rng.randint(0, 12))
        deadline = published_at.date() + timedelta(days=rng.randint(40, 60))
        last_change = dates["closed_at"] = published_at + timedelta(days=rng.randint(10, 30))
    elif status == OfferStatus.FILLED:
        # Published, candidates interviewed after the deadline, the hire recorded.
        published_at = now - timedelta(days=rng.randint(100, 200), hours=rng.randint(0, 12))
        deadline = published_at.date() + timedelta(days=rng.randint(31, 50))
        last_change = dates["filled_at"] = datetime.combine(
            deadline, datetime.min.time(), now.tzinfo
        ) + timedelta(days=rng.randint(10, 40), hours=10)
    else:
        raise ValueError(f"unknown offer status {status!r}")
    created_at = published_at - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
    dates.update(
        published_at=published_at,
        first_published_at=published_at,
        created_at=created_at,
        updated_at=last_change,
    )
    return {**dates, "application_deadline": deadline}
