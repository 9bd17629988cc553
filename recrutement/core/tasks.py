"""Background tasks: slow work a change calls for, recorded in the change's own
transaction and done by the worker (`flask worker`), not by the request.

`queue_task` only adds a row to the caller's session, as `queue_email` does: the
task exists if and only if the change that caused it commits. A task names what
happened ("offer.published") and the row it happened to (`subject_id`); it
carries no content, so whoever runs it reads the database as it is then.

`run_due_tasks` runs the due tasks through the handlers it is given, one kind
each: core and the domain that queues a task know nothing of the domain that
handles it (the worker, at the top, maps kinds to handlers). Each task is
claimed with one atomic UPDATE, so two workers never run it at once; a crashed
worker's claim lapses after CLAIM_DURATION. A handler commits its own work and
must be idempotent: a worker that dies between the handler's commit and the
task's `done_at` leaves the task to run again. A handler that raises is rolled
back and retried with back-off (1, 2, 4 … minutes), then given up after
MAX_ATTEMPTS (status "failed", kept with its last error).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import CursorResult, Index, String, Text, delete, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model, db

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_DURATION = timedelta(minutes=10)
FIRST_RETRY_DELAY = timedelta(minutes=1)
# Finished tasks are kept this long, to see what was done when, then deleted.
FINISHED_TASKS_KEPT = timedelta(days=7)

TaskHandler = Callable[[int], object]


class TaskStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class BackgroundTask(Model):
    """ "Do what `kind` calls for about row `subject_id`", for the worker."""

    __tablename__ = "background_task"
    __table_args__ = (Index("ix_background_task_due", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What happened, e.g. "offer.published"; the worker maps it to its handler.
    kind: Mapped[str] = mapped_column(String(60))
    # The id of the row it happened to (an offer's, for "offer.published").
    subject_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=TaskStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker that claims a task holds it until then; a crashed worker's claim lapses.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # When it was done, or given up.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def queue_task(kind: str, subject_id: int) -> BackgroundTask:
    """Add a task to the session; the caller commits (the task lives or dies with it)."""
    now = utcnow()
    task = BackgroundTask(
        kind=kind,
        subject_id=subject_id,
        status=TaskStatus.PENDING,
        created_at=now,
        run_after=now,
        attempts=0,
        last_error="",
    )
    db.session.add(task)
    return task


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failure: 1, 2, 4 … minutes."""
    factor: int = 2 ** max(attempts - 1, 0)
    return FIRST_RETRY_DELAY * factor


@dataclass
class TaskReport:
    done: int = 0
    failed: int = 0
    given_up: int = 0


def _claim(task_id: int, now: datetime) -> bool:
    """Claim one due task for this worker (committed); False if another has it."""
    claimable = or_(BackgroundTask.claimed_until.is_(None), BackgroundTask.claimed_until < now)
    result = db.session.execute(
        update(BackgroundTask)
        .where(
            BackgroundTask.id == task_id,
            BackgroundTask.status == TaskStatus.PENDING,
            claimable,
        )
        .values(claimed_until=now + CLAIM_DURATION, attempts=BackgroundTask.attempts + 1)
    )
    db.session.commit()
    return isinstance(result, CursorResult) and result.rowcount == 1


def _finish(task_id: int, values: dict[str, object]) -> None:
    db.session.execute(
        update(BackgroundTask)
        .where(BackgroundTask.id == task_id)
        .values(claimed_until=None, **values)
    )
    db.session.commit()


def run_due_tasks(handlers: Mapping[str, TaskHandler], limit: int = 100) -> TaskReport:
    """Run up to `limit` due tasks of the kinds in `handlers`, oldest first.

    Tasks of other kinds stay pending. Never raises for a failing handler: its
    task is retried later, or given up after MAX_ATTEMPTS.
    """
    now = utcnow()
    report = TaskReport()
    if not handlers:
        return report
    due = db.session.execute(
        select(BackgroundTask.id, BackgroundTask.kind, BackgroundTask.subject_id)
        .where(
            BackgroundTask.status == TaskStatus.PENDING,
            BackgroundTask.run_after <= now,
            BackgroundTask.kind.in_(list(handlers)),
            or_(BackgroundTask.claimed_until.is_(None), BackgroundTask.claimed_until < now),
        )
        .order_by(BackgroundTask.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    for task_id, kind, subject_id in due:
        if not _claim(task_id, now):
            continue
        try:
            handlers[kind](subject_id)
        except Exception as error:
            db.session.rollback()
            _failed(task_id, kind, subject_id, error, report)
            continue
        # Committed with whatever the handler left uncommitted.
        _finish(task_id, {"status": TaskStatus.DONE, "done_at": utcnow(), "last_error": ""})
        report.done += 1
    return report


def _failed(task_id: int, kind: str, subject_id: int, error: Exception, report: TaskReport) -> None:
    """Schedule a failed task's retry, or give it up after MAX_ATTEMPTS."""
    report.failed += 1
    attempts = db.session.scalar(
        select(BackgroundTask.attempts).where(BackgroundTask.id == task_id)
    )
    # The first line only: a database error goes on with the statement and its values.
    first_line = next(iter(str(error).splitlines()), "")
    message = f"{type(error).__name__}: {first_line}"[:300]
    extra = {"task_id": task_id, "kind": kind, "subject_id": subject_id}
    if attempts is None or attempts >= MAX_ATTEMPTS:
        report.given_up += 1
        logger.error("background task given up", exc_info=error, extra=extra)
        _finish(task_id, {"status": TaskStatus.FAILED, "done_at": utcnow(), "last_error": message})
    else:
        logger.warning("background task failed, will retry", exc_info=error, extra=extra)
        _finish(task_id, {"run_after": utcnow() + retry_delay(attempts), "last_error": message})


def purge_finished_tasks() -> int:
    """Delete the tasks done or given up more than FINISHED_TASKS_KEPT ago; how many."""
    result = db.session.execute(
        delete(BackgroundTask).where(
            BackgroundTask.status != TaskStatus.PENDING,
            BackgroundTask.done_at < utcnow() - FINISHED_TASKS_KEPT,
        )
    )
    db.session.commit()
    return result.rowcount if isinstance(result, CursorResult) else 0
