"""The background worker: checks the search index (rebuilt when deleted or damaged)
and applies its tasks, runs the background tasks
(core.tasks: the instant alerts of an offer just published), delivers the outbox,
and does periodic housekeeping (expired offers, old rate-limit counters).

Several workers may run at once (on PostgreSQL): every task claims its rows
atomically, so none is done twice.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable

from recrutement.accounts.sessions import purge_sessions
from recrutement.alerts.sending import send_alerts, send_instant_alerts
from recrutement.applications.messages import send_digests
from recrutement.candidates.personal_data import purge_expired as purge_personal_data
from recrutement.core.ratelimit import purge_expired
from recrutement.core.tasks import TaskHandler, purge_finished_tasks, run_due_tasks
from recrutement.emails.outbox import purge_delivered, send_due
from recrutement.extensions import db
from recrutement.offers.services import OFFER_PUBLISHED, expire_due
from recrutement.search.index import apply_pending_tasks, ensure_index

logger = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_SECONDS = 600

# Who does each kind of background task: the domains that queue tasks do not know
# the domains that handle them (offers does not import alerts).
TASK_HANDLERS: dict[str, TaskHandler] = {OFFER_PUBLISHED: send_instant_alerts}


def run_tasks() -> int:
    """Run the background tasks that are due; return how many were done."""
    report = run_due_tasks(TASK_HANDLERS)
    if report.done or report.failed:
        logger.info("background tasks", extra=vars(report))
    return report.done


class Worker:
    """Run `tick()` every `interval` seconds until stopped by SIGTERM or SIGINT."""

    def __init__(self, interval: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self.clock = clock
        self.stopping = False
        self.last_housekeeping = float("-inf")

    def stop(self, *_args: object) -> None:
        self.stopping = True

    def tick(self) -> None:
        self.check_index()
        indexed = apply_pending_tasks()
        if indexed:
            logger.info("index tasks applied", extra={"count": indexed})
        # After the index (alerts search it), before the outbox (which sends their mails).
        run_tasks()
        report = send_due()
        if report.sent or report.failed or report.given_up:
            logger.info("outbox", extra=vars(report))
        if self.clock() - self.last_housekeeping >= HOUSEKEEPING_EVERY_SECONDS:
            purge_expired()
            purge_sessions()
            digests = send_digests()
            if digests:
                logger.info("digests queued", extra={"count": digests})
            purged = purge_personal_data()
            if purged["accounts_deleted"] or purged["applications_anonymised"]:
                logger.info("personal data purged", extra=purged)
            mails = purge_delivered()
            if mails:
                logger.info("delivered mails purged", extra={"count": mails})
            tasks = purge_finished_tasks()
            if tasks:
                logger.info("finished tasks purged", extra={"count": tasks})
            for frequency in ("instant", "daily", "weekly"):
                queued = send_alerts(frequency)
                if queued:
                    logger.info("alerts queued", extra={"frequency": frequency, "count": queued})
            expired = expire_due()
            if expired:
                logger.info("offers expired", extra={"count": expired})
            self.last_housekeeping = self.clock()

    def check_index(self) -> None:
        """Rebuild the search index if it was deleted or damaged: a few milliseconds when
        it is sound. Web processes keep answering meanwhile from the version they have
        open (search/reader.py). A failed rebuild does not hold up the rest of the round
        (the mails): the next round tries again."""
        try:
            state = ensure_index()
        except Exception:
            logger.exception("search index rebuild failed: retried next round")
            return
        if state != "ok":
            logger.warning("search index rebuilt by the worker", extra={"found": state})

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        # A missing or corrupt index is rebuilt from the database, never served broken.
        ensure_index()
        logger.info("worker started", extra={"interval": self.interval})
        while not self.stopping:
            try:
                self.tick()
            except Exception:
                # One failing round must not stop the worker; the next one retries.
                logger.exception("worker round failed")
                db.session.rollback()
            deadline = self.clock() + self.interval
            while not self.stopping and self.clock() < deadline:
                time.sleep(min(0.2, self.interval))
        logger.info("worker stopped")
