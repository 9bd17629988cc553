"""The outbox: mails exist only if their transaction commits, and arrive once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from recrutement.core.time import utcnow
from recrutement.emails.models import EmailStatus, OutgoingEmail
from recrutement.emails.outbox import MAX_ATTEMPTS, queue_email, retry_delay, send_due
from recrutement.extensions import db
from tests.conftest import free_port
from tests.support import Mailbox

ROOT = Path(__file__).resolve().parents[2]


def queue(recipient: str) -> None:
    queue_email(
        recipient,
        "password_changed",
        "Sujet de test",
        user=type("U", (), {"first_name": "Test"})(),
        forgotten_link="http://localhost/mot-de-passe/oublie",
    )


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(app, mailbox):
    queue("annule@exemple.fr")
    db.session.rollback()
    queue("garde@exemple.fr")
    db.session.commit()
    received = mailbox.deliver().received
    assert [mail.recipients for mail in received] == [["garde@exemple.fr"]]


def test_each_mail_is_sent_once_with_text_and_html(app, mailbox):
    queue("une@exemple.fr")
    db.session.commit()
    first = send_due()
    second = send_due()
    assert (first.sent, second.sent) == (1, 0)
    mail = mailbox.last_to("une@exemple.fr")
    assert "Toutes vos autres sessions ont été fermées" in mail.text
    assert "<p>" in mail.html
    assert db.session.scalar(select(OutgoingEmail)).status == EmailStatus.SENT


def test_smtp_outage_then_recovery_delivers_every_mail_once(app):
    """SMTP down: mails wait with back-off. SMTP up: each arrives exactly once."""
    port = free_port()
    app.config["MAIL_PORT"] = port
    app.extensions["mail"].port = port
    for index in range(3):
        queue(f"personne{index}@exemple.fr")
    db.session.commit()

    down = send_due()
    assert (down.sent, down.failed) == (0, 3)
    emails = db.session.scalars(select(OutgoingEmail)).all()
    assert all(email.attempts == 1 and "Connection" in email.last_error for email in emails)
    assert all(email.send_after > utcnow() for email in emails)
    # Not due yet: nothing is attempted again before the back-off delay.
    assert send_due().failed == 0

    mailbox = Mailbox()
    server = Controller(mailbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        up = send_due(now=utcnow() + timedelta(minutes=2))
        again = send_due(now=utcnow() + timedelta(hours=1))
    finally:
        server.stop()
    assert (up.sent, again.sent) == (3, 0)
    recipients = sorted(mail.recipients[0] for mail in mailbox.received)
    assert recipients == [f"personne{index}@exemple.fr" for index in range(3)]


def test_back_off_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(30) == timedelta(hours=6)


def test_a_mail_is_given_up_after_the_last_attempt(app):
    app.extensions["mail"].port = free_port()  # nobody listens there
    queue("perdu@exemple.fr")
    db.session.commit()
    email = db.session.scalar(select(OutgoingEmail))
    email.attempts = MAX_ATTEMPTS - 1
    db.session.commit()
    report = send_due()
    assert report.given_up == 1
    db.session.refresh(email)
    assert email.status == EmailStatus.FAILED
    assert email.last_error


def test_a_crashed_workers_claim_lapses(app, mailbox):
    queue("repris@exemple.fr")
    db.session.commit()
    email = db.session.scalar(select(OutgoingEmail))
    email.claimed_by = "dead-worker"
    email.claimed_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert send_due().sent == 0
    assert send_due(now=utcnow() + timedelta(minutes=6)).sent == 1
    assert mailbox.to("repris@exemple.fr")


@pytest.mark.slow
@pytest.mark.real_commits
def test_two_workers_never_send_the_same_mail_twice(app, database_url, smtp_server, mailbox):
    count = 60
    for index in range(count):
        queue(f"lot{index}@exemple.fr")
    db.session.commit()
    script = (
        "from recrutement import create_app\n"
        "from recrutement.emails.outbox import send_due\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': {database_url!r}, "
        f"'MAIL_PORT': {smtp_server.port}}})\n"
        "with app.app_context():\n"
        "    total = 0\n"
        "    while True:\n"
        "        report = send_due(batch_size=5)\n"
        "        if report.sent == 0: break\n"
        "        total += report.sent\n"
        "    print(total)\n"
    )
    env = {**os.environ, "APP_ENV": "testing"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    totals = [int(worker.communicate(timeout=120)[0].strip()) for worker in workers]
    assert sum(totals) == count
    recipients = [mail.recipients[0] for mail in mailbox.received]
    assert sorted(recipients) == sorted(f"lot{index}@exemple.fr" for index in range(count))


def test_delivered_mails_are_deleted_after_90_days_pending_ones_never(app, mailbox):
    from recrutement.emails.outbox import purge_delivered

    for recipient in ("ancien@exemple.fr", "recent@exemple.fr", "en-attente@exemple.fr"):
        queue(recipient)
    db.session.commit()
    assert send_due().sent == 3
    long_ago = utcnow() - timedelta(days=91)
    for email in db.session.scalars(select(OutgoingEmail)):
        if email.recipient == "ancien@exemple.fr":
            email.sent_at = long_ago
        elif email.recipient == "en-attente@exemple.fr":
            # Never delivered (the SMTP server kept failing): kept whatever its age.
            email.status, email.sent_at, email.created_at = EmailStatus.PENDING, None, long_ago
    db.session.commit()

    assert purge_delivered() == 1
    left = sorted(db.session.scalars(select(OutgoingEmail.recipient)))
    assert left == ["en-attente@exemple.fr", "recent@exemple.fr"]
    assert purge_delivered() == 0
