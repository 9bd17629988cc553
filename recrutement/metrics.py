"""What operators watch: the figures `/metrics` serves in the Prometheus text format.

Two kinds of figures, gathered two ways:

- **Requests** (a counter per endpoint, method and status class, and a latency
  histogram per endpoint and method) are counted by this process in its before and
  after request hooks. Labels are the Flask endpoint name, never the raw path: one
  series per route, whatever URLs callers invent. Gunicorn runs several worker
  processes, and a scrape reaches only one of them; when `PROMETHEUS_MULTIPROC_DIR`
  is set (deploy/gunicorn.conf.py), prometheus-client's multiprocess mode keeps each
  process's counts in files of that directory and every scrape adds them all up.
  Without it (development server, tests) a scrape sees its own process only.
- **Queues** (the outbox, the search index tasks, the background tasks) are read
  from the database at scrape time by `QueueCollector`, so they are right whichever
  process answers and however many web hosts and workers share the database.

Who may read them is `METRICS_ALLOWED_IPS` (addresses or networks), checked against
the client address the app believes (recrutement/proxies.py): the view is in
web/public/metrics.py.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterator
from datetime import datetime

from flask import Flask, Response, current_app, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from recrutement.config import ConfigurationError
from recrutement.core.tasks import BackgroundTask, TaskStatus
from recrutement.core.time import utcnow
from recrutement.emails.models import EmailStatus, OutgoingEmail
from recrutement.extensions import db
from recrutement.offers.models import IndexTask
from recrutement.proxies import parse_networks

# The classic text format (0.0.4), which every Prometheus server reads.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
EXTENSION_KEY = "recrutement.metrics"
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
STARTED_KEY = "recrutement.metrics.started"
# The label of requests that matched no route (404, 405): one series for them all.
UNMATCHED = "unmatched"
# Any other method a caller sends is counted as "other", not as a series of its own.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Created unregistered: each scrape builds its own registry (see `exposition`).
REQUESTS = Counter(
    "recrutement_http_requests",
    "HTTP requests answered, by Flask endpoint, method and status class (2xx, 4xx, 5xx…).",
    ["endpoint", "method", "status"],
    registry=None,
)
# No status label here: it would multiply the histogram's series (one per bucket) by 5.
LATENCY = Histogram(
    "recrutement_http_request_duration_seconds",
    "Time from the first before-request hook to the response, by Flask endpoint and method.",
    ["endpoint", "method"],
    registry=None,
)


def init_metrics(app: Flask) -> None:
    """Parse `METRICS_ALLOWED_IPS` (a bad entry stops the start: ValueError) and count
    every request of `app`."""
    app.extensions[EXTENSION_KEY] = parse_networks(app.config["METRICS_ALLOWED_IPS"])
    multiprocess_directory()
    # First of all the before-request hooks: a hook that answers by itself (a redirect
    # to sign in, a 403, a 414) stops the ones after it, and its request is timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_count_request)


def multiprocess_directory() -> str | None:
    """The directory of multiprocess mode, or None when the mode is off.

    prometheus-client turns the mode on whenever the variable exists, even empty: an
    empty value would scatter its files in the working directory, a missing directory
    fail every request. Either stops the start instead (ConfigurationError).
    """
    if MULTIPROCESS_VARIABLE not in os.environ:
        return None
    directory = os.environ[MULTIPROCESS_VARIABLE]
    if not directory or not os.path.isdir(directory):
        raise ConfigurationError(
            f"{MULTIPROCESS_VARIABLE} must name an existing directory, not {directory!r}."
        )
    return directory


def _start_timer() -> None:
    request.environ[STARTED_KEY] = time.perf_counter()


def _count_request(response: Response) -> Response:
    endpoint = request.endpoint or UNMATCHED
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, f"{response.status_code // 100}xx").inc()
    # Missing only when the request failed before any hook ran (its context's setup).
    started: float | None = request.environ.get(STARTED_KEY)
    if started is not None:
        LATENCY.labels(endpoint, method).observe(time.perf_counter() - started)
    return response


def may_read_metrics(client_address: str | None) -> bool:
    """Whether the client (its address as the app believes it) may read /metrics."""
    try:
        address = ipaddress.ip_address((client_address or "").split("%")[0])
    except ValueError:
        return False
    networks = current_app.extensions[EXTENSION_KEY]
    return any(address in network for network in networks)


def _age_seconds(oldest: datetime | None, now: datetime) -> float:
    """How long the oldest waiting row has waited; 0 when nothing waits."""
    return max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0


# Each figure the queues give: its name and help (the value is read at scrape time).
QUEUE_FIGURES = {
    "recrutement_outbox_pending_emails": (
        "Mails in the outbox not yet delivered (due now or waiting for a retry)."
    ),
    "recrutement_outbox_oldest_pending_age_seconds": (
        "How long the oldest undelivered mail has waited since it was queued (0: none)."
    ),
    "recrutement_outbox_failed_emails": (
        "Mails given up after every retry, kept 90 days (emails/outbox.py)."
    ),
    "recrutement_search_index_pending_tasks": (
        "Offer changes not yet applied to the search index."
    ),
    "recrutement_search_index_lag_seconds": (
        "Age of the oldest offer change not yet in the search index (0: up to date)."
    ),
    "recrutement_background_tasks_pending": (
        "Background tasks (e.g. the instant alerts of a new offer) not yet done."
    ),
    "recrutement_background_tasks_oldest_pending_age_seconds": (
        "How long the oldest background task not yet done has waited (0: none)."
    ),
}


def read_queues(now: datetime) -> dict[str, float]:
    """The value of each of QUEUE_FIGURES: three aggregate queries on indexed columns."""
    mails = {
        status: (count, oldest)
        for status, count, oldest in db.session.execute(
            select(OutgoingEmail.status, func.count(), func.min(OutgoingEmail.created_at))
            .where(OutgoingEmail.status.in_([EmailStatus.PENDING, EmailStatus.FAILED]))
            .group_by(OutgoingEmail.status)
        )
    }
    pending_mails, oldest_mail = mails.get(EmailStatus.PENDING, (0, None))
    index_pending, index_oldest = db.session.execute(
        select(func.count(), func.min(IndexTask.created_at)).where(IndexTask.done_at.is_(None))
    ).one()
    tasks_pending, tasks_oldest = db.session.execute(
        select(func.count(), func.min(BackgroundTask.created_at)).where(
            BackgroundTask.status == TaskStatus.PENDING
        )
    ).one()
    return {
        "recrutement_outbox_pending_emails": pending_mails,
        "recrutement_outbox_oldest_pending_age_seconds": _age_seconds(oldest_mail, now),
        "recrutement_outbox_failed_emails": mails.get(EmailStatus.FAILED, (0, None))[0],
        "recrutement_search_index_pending_tasks": index_pending,
        "recrutement_search_index_lag_seconds": _age_seconds(index_oldest, now),
        "recrutement_background_tasks_pending": tasks_pending,
        "recrutement_background_tasks_oldest_pending_age_seconds": _age_seconds(tasks_oldest, now),
    }


class QueueCollector(Collector):
    """The queues' state, read from the database at each scrape.

    A database that does not answer leaves the queue figures out and says so in
    `recrutement_database_up` 0, rather than failing the scrape: the request figures
    (the 5xx of that very outage) must still reach Prometheus.
    """

    def collect(self) -> Iterator[Metric]:
        try:
            values = read_queues(utcnow())
        except SQLAlchemyError as error:
            db.session.rollback()
            current_app.logger.error(
                "metrics: queue figures unreadable", extra={"error": str(error)}
            )
            values = {}
        yield GaugeMetricFamily(
            "recrutement_database_up",
            "1 when the database answered this scrape's queries, 0 when it did not.",
            value=1 if values else 0,
        )
        for name, value in values.items():
            yield GaugeMetricFamily(name, QUEUE_FIGURES[name], value=value)


def exposition() -> tuple[bytes, str]:
    """The metrics of every process (or of this one, without multiprocess mode) and
    the queues', in the text format; with its content type."""
    registry = CollectorRegistry()
    directory = multiprocess_directory()
    if directory:
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(QueueCollector())
    return generate_latest(registry), CONTENT_TYPE
