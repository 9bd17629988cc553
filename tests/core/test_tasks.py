"""Background tasks: they exist only if their transaction commits, each runs once
through the handler of its kind, a failure is retried with back-off then given up,
and a claimed task is not run by a second worker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from recrutement.core.tasks import (
    CLAIM_DURATION,
    FINISHED_TASKS_KEPT,
    MAX_ATTEMPTS,
    BackgroundTask,
    TaskStatus,
    purge_finished_tasks,
    queue_task,
    retry_delay,
    run_due_tasks,
)
from recrutement.core.time import utcnow
from recrutement.extensions import db
from tests.support import later


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(BackgroundTask)) or 0


def test_a_task_queued_in_a_rolled_back_transaction_does_not_exist(app):
    queue_task("thing.happened", 1)
    db.session.rollback()
    assert count() == 0
    queue_task("thing.happened", 2)
    db.session.commit()
    task = db.session.scalar(select(BackgroundTask))
    assert (task.kind, task.subject_id, task.status) == ("thing.happened", 2, TaskStatus.PENDING)


def test_each_task_runs_once_through_the_handler_of_its_kind(app):
    seen: list[tuple[str, int]] = []
    queue_task("a.happened", 1)
    queue_task("b.happened", 2)
    queue_task("a.happened", 3)
    queue_task("unknown.happened", 4)
    db.session.commit()
    handlers = {
        "a.happened": lambda subject: seen.append(("a", subject)),
        "b.happened": lambda subject: seen.append(("b", subject)),
    }
    report = run_due_tasks(handlers)
    assert (report.done, report.failed) == (3, 0)
    assert seen == [("a", 1), ("b", 2), ("a", 3)]  # oldest first
    assert run_due_tasks(handlers).done == 0
    assert seen == [("a", 1), ("b", 2), ("a", 3)]
    statuses = dict(
        db.session.execute(select(BackgroundTask.subject_id, BackgroundTask.status)).tuples().all()
    )
    assert statuses == {1: "done", 2: "done", 3: "done", 4: "pending"}  # nobody handles 4


def test_a_failing_task_is_retried_with_back_off_then_given_up(app):
    calls: list[int] = []

    def failing(subject: int) -> None:
        calls.append(subject)
        raise RuntimeError("panne\n[SQL: INSERT ...] [parameters: ('lea@exemple.fr',)]")

    task = queue_task("x.happened", 7)
    db.session.commit()
    handlers = {"x.happened": failing}
    report = run_due_tasks(handlers)
    assert (report.done, report.failed, report.given_up) == (0, 1, 0)
    db.session.refresh(task)
    assert task.status == TaskStatus.PENDING and task.attempts == 1
    # Only the first line of the error is kept: no statement, no values.
    assert task.last_error == "RuntimeError: panne"
    assert run_due_tasks(handlers).failed == 0  # not due yet
    elapsed = timedelta(0)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        elapsed += retry_delay(attempt - 1) + timedelta(seconds=1)
        with later(elapsed):
            assert run_due_tasks(handlers).failed == 1
    assert len(calls) == MAX_ATTEMPTS
    db.session.refresh(task)
    assert task.status == TaskStatus.FAILED and task.done_at is not None
    with later(elapsed + timedelta(days=1)):
        assert run_due_tasks(handlers).failed == 0
    assert len(calls) == MAX_ATTEMPTS


def test_a_claimed_task_waits_until_the_claim_lapses(app):
    seen: list[int] = []
    task = queue_task("x.happened", 1)
    db.session.commit()
    # Another worker claimed it and is still on it (or died on it).
    task.claimed_until = utcnow() + CLAIM_DURATION
    task.attempts = 1
    db.session.commit()
    assert run_due_tasks({"x.happened": seen.append}).done == 0
    with later(CLAIM_DURATION + timedelta(seconds=1)):
        assert run_due_tasks({"x.happened": seen.append}).done == 1
    assert seen == [1]


def test_finished_tasks_are_purged_after_a_week(app):
    queue_task("x.happened", 1)
    db.session.commit()
    run_due_tasks({"x.happened": lambda subject: None})
    queue_task("x.happened", 2)  # still pending: never purged
    db.session.commit()
    assert purge_finished_tasks() == 0
    with later(FINISHED_TASKS_KEPT + timedelta(minutes=1)):
        assert purge_finished_tasks() == 1
    assert db.session.scalars(select(BackgroundTask.subject_id)).all() == [2]
