"""The dashboard's figures, kept a short while (issue 9: the national page in under
100 ms): a summary is reused while nothing that changes the figures was written, and
never longer than DASHBOARD_CACHE_SECONDS (60 s).

Each process keeps its own summaries (gunicorn workers share nothing), but before using
one it reads a fingerprint of the data from the database, in one cheap query: the last
audit event (every move of an offer, an application, a request, an organisation, an
account or the PVD list is journaled), the last recruit snapshot and application, and
how many offers are published (the worker's expiry). A write made by any process or
host changes it, so no process serves figures older than the last such write; what
escapes the fingerprint is at most a minute old.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from recrutement.applications.models import Application
from recrutement.core.models import AuditEvent
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.pilotage.models import Recruit
from recrutement.pilotage.scope import Scope
from recrutement.pilotage.summary import Summary, summarise

EXTENSION = "recrutement.dashboard_cache"


@dataclass
class Entry:
    fingerprint: tuple[Any, ...]
    stored_at: datetime
    day: date
    summary: Summary


def data_fingerprint() -> tuple[Any, ...]:
    """One query whose answer changes with every write that changes the figures."""
    return tuple(
        db.session.execute(
            select(
                select(func.max(AuditEvent.id)).scalar_subquery(),
                select(func.max(Recruit.id)).scalar_subquery(),
                select(func.max(Application.id)).scalar_subquery(),
                select(func.count(Offer.id))
                .where(Offer.status == OfferStatus.PUBLISHED)
                .scalar_subquery(),
            )
        ).one()
    )


ScopeKey = tuple[str, str | None, tuple[str, ...] | None]


def _store() -> tuple[dict[ScopeKey, Entry], threading.Lock]:
    # One per application object: tests, and several apps in one process, never share.
    store: tuple[dict[ScopeKey, Entry], threading.Lock] = current_app.extensions.setdefault(
        EXTENSION, ({}, threading.Lock())
    )
    return store


def cached_summary(scope: Scope) -> Summary:
    """`summarise(scope)`, reused while the data's fingerprint, the day and the minute
    hold; with DASHBOARD_CACHE_SECONDS at 0, always computed anew."""
    seconds = current_app.config["DASHBOARD_CACHE_SECONDS"]
    if seconds <= 0:
        return summarise(scope)
    entries, lock = _store()
    key = (scope.level, scope.code, scope.department_codes)
    fingerprint, now, today = data_fingerprint(), utcnow(), paris_today()
    with lock:
        entry = entries.get(key)
    if (
        entry is not None
        and entry.fingerprint == fingerprint
        and entry.day == today
        and now - entry.stored_at < timedelta(seconds=seconds)
    ):
        return entry.summary
    summary = summarise(scope)
    with lock:
        entries[key] = Entry(fingerprint, now, today, summary)
    return summary
