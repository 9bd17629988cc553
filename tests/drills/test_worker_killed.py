"""The worker killed with SIGKILL in the middle of a batch of mails and index tasks.

After a restart every mail has left, none twice except the one the worker may have
been sending at the kill (the SMTP server had it, the row did not say so yet): that
copy carries the same Message-ID as the first. And the index matches the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from filelock import FileLock
from sqlalchemy import func, select, update
from whoosh.index import open_dir

from recrutement.emails.models import EmailStatus, OutgoingEmail
from recrutement.emails.outbox import message_id, queue_email
from recrutement.extensions import db
from recrutement.offers.models import IndexTask, Offer, OfferStatus
from recrutement.search.index import INDEX_NAME, LOCK_FILE_NAME, rebuild_index
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
MAILS = 60
NEW_OFFERS = 20
WITHDRAWN_OFFERS = 10


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, timeout: float, what: str) -> float:
    """Poll `condition` until true; return the seconds it took."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"{what}: not after {timeout} s"
        time.sleep(0.02)
    return time.monotonic() - start


def pending_mails() -> int:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).where(OutgoingEmail.status == EmailStatus.PENDING))
        or 0
    )


def pending_tasks() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(IndexTask).where(IndexTask.done_at.is_(None))
        )
        or 0
    )


@pytest.mark.slow
@pytest.mark.real_commits
def test_worker_killed_mid_batch_loses_nothing(app, database_url, smtp_server, mailbox):
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    organisation = factories.OrganisationFactory()
    kept = factories.OfferFactory.create_batch(WITHDRAWN_OFFERS, organisation=organisation)
    db.session.commit()
    rebuild_index()
    # While the test holds the index lock, the web process cannot apply the tasks its
    # commits write: they wait for the worker, as when the index is busy.
    with FileLock(str(index_dir / LOCK_FILE_NAME)):
        new = factories.OfferFactory.create_batch(NEW_OFFERS, organisation=organisation)
        for offer in kept:
            offer.status = OfferStatus.CLOSED
        for number in range(MAILS):
            queue_email(
                f"candidat{number}@exemple.fr",
                "password_changed",
                f"Exercice {number}",
                user=type("U", (), {"first_name": "W"})(),
                forgotten_link="http://localhost/",
            )
        db.session.commit()
    assert pending_tasks() == NEW_OFFERS + WITHDRAWN_OFFERS
    expected_ids = {message_id(mail) for mail in db.session.scalars(select(OutgoingEmail))}

    env = {
        **os.environ,
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "MAIL_PORT": str(smtp_server.port),
    }
    worker = start_worker(env)
    try:
        wait_for(lambda: len(mailbox.received) >= MAILS // 6, 60, "first mails")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    received_at_kill = len(mailbox.received)
    # Its claim would lapse after CLAIM_DURATION (5 minutes): the test does not wait,
    # it ends the dead worker's claims as time would.
    db.session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.claimed_by.like(f"%:{worker.pid}:%"))
        .values(claimed_until=OutgoingEmail.created_at)
    )
    db.session.commit()
    left_at_kill = pending_mails()

    restarted = start_worker(env)
    try:
        recovery = wait_for(
            lambda: pending_mails() == 0 and pending_tasks() == 0, 120, "outbox and tasks empty"
        )
        wait_for(lambda: len(mailbox.received) >= MAILS, 10, "every mail received")
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=20) == 0

    by_id = Counter(str(mail.message["Message-ID"]) for mail in mailbox.received)
    by_subject = Counter(str(mail.message["Subject"]) for mail in mailbox.received)
    doubled = sum(count - 1 for count in by_subject.values())
    print(
        f"\nworker killed after {received_at_kill}/{MAILS} mails received, {left_at_kill} "
        f"pending; restart emptied the outbox in {recovery:.1f} s; "
        f"{MAILS - doubled}/{MAILS} mails received exactly once, {doubled} twice"
    )
    # Nothing lost: every mail arrived, by subject and by its own Message-ID.
    assert set(by_subject) == {f"Exercice {number}" for number in range(MAILS)}
    assert set(by_id) == expected_ids
    # Doubled only in flight: at most the one mail being sent at the kill, and its
    # copies share the Message-ID (a subject is never received under two ids).
    assert doubled <= 1
    assert len(by_id) == len(by_subject) == MAILS

    # The index matches the database: every published offer, no closed one.
    with open_dir(str(index_dir), indexname=INDEX_NAME).searcher() as searcher:
        indexed = {int(fields["id"]) for fields in searcher.all_stored_fields()}
    published = set(
        db.session.scalars(select(Offer.id).where(Offer.status == OfferStatus.PUBLISHED))
    )
    assert published == {offer.id for offer in new}
    assert indexed == published
