"""Rate limits kept in the database.

A key's window opens at its first hit and lasts `seconds`; past `hits` hits in
it, the action is refused until the window closes.

The counters live in the application's database so that every server process
(and every host) shares them without another service to run. Each hit is one
atomic upsert on its own connection, so it counts even when the request that
made it fails and rolls back.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from recrutement.core.models import RateLimitCounter
from recrutement.core.time import utcnow
from recrutement.extensions import db


@dataclass(frozen=True)
class Limit:
    """At most `hits` hits per `seconds`-long window."""

    hits: int
    seconds: int


class RateLimitExceeded(Exception):
    """Raised when a limit is reached; the 429 handler tells when to retry."""

    def __init__(self, retry_after_seconds: int):
        super().__init__(f"rate limit exceeded, retry in {retry_after_seconds}s")
        self.retry_after_seconds = retry_after_seconds


def _counter_key(scope: str, subject: str) -> str:
    # Hash the subject: keys hold emails and addresses we need not store in clear.
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"{scope}:{digest}"


def hit(scope: str, subject: str, limit: Limit, now: datetime | None = None) -> None:
    """Count one hit of `subject` in `scope`; raise RateLimitExceeded past the limit."""
    if not current_app.config["RATE_LIMITS_ENABLED"]:
        return
    now = now or utcnow()
    window_end = now + timedelta(seconds=limit.seconds)
    engine = db.engine
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    window_over = RateLimitCounter.expires_at <= now
    statement = (
        insert(RateLimitCounter)
        .values(key=_counter_key(scope, subject), hits=1, expires_at=window_end)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "hits": case((window_over, 1), else_=RateLimitCounter.hits + 1),
                "expires_at": case((window_over, window_end), else_=RateLimitCounter.expires_at),
            },
        )
        .returning(RateLimitCounter.hits, RateLimitCounter.expires_at)
    )
    with engine.begin() as connection:
        hits, expires_at = connection.execute(statement).one()
    if expires_at.tzinfo is None:  # SQLite's RETURNING skips the column type
        expires_at = expires_at.replace(tzinfo=UTC)
    if hits > limit.hits:
        raise RateLimitExceeded(max(1, math.ceil((expires_at - now).total_seconds())))


def check(scope: str, subject: str, limit: Limit, now: datetime | None = None) -> None:
    """Raise RateLimitExceeded if `subject` has used up its hits, without counting one
    (for what is counted only when it fails, like a wrong password)."""
    if not current_app.config["RATE_LIMITS_ENABLED"]:
        return
    now = now or utcnow()
    # Read the row itself (not the session's identity map): hit() writes on its own
    # connection.
    found = db.session.execute(
        select(RateLimitCounter.hits, RateLimitCounter.expires_at).where(
            RateLimitCounter.key == _counter_key(scope, subject)
        )
    ).first()
    if found is None or found.expires_at <= now or found.hits < limit.hits:
        return
    raise RateLimitExceeded(max(1, math.ceil((found.expires_at - now).total_seconds())))


def purge_expired(now: datetime | None = None) -> int:
    """Delete counters whose window is over; returns how many went."""
    # A bulk DELETE answers a cursor result, which counts the rows.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            delete(RateLimitCounter).where(RateLimitCounter.expires_at < (now or utcnow()))
        ),
    )
    db.session.commit()
    return result.rowcount
