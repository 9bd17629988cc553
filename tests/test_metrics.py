"""/metrics: Prometheus figures for the configured addresses only (issue 14, point 5).

The request counters are read through the real exposition (parsed back with
prometheus-client's own parser); the queue figures follow rows written in the test,
at a frozen time.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from recrutement import create_app
from recrutement.config import ConfigurationError
from recrutement.core.tasks import BackgroundTask, TaskStatus
from recrutement.emails.models import EmailStatus, OutgoingEmail
from recrutement.extensions import db
from recrutement.offers.models import IndexTask
from tests.conftest import test_config as base_config

NOW = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
FAMILIES = {
    "recrutement_database_up",
    "recrutement_http_requests",
    "recrutement_http_request_duration_seconds",
    "recrutement_outbox_pending_emails",
    "recrutement_outbox_oldest_pending_age_seconds",
    "recrutement_outbox_failed_emails",
    "recrutement_search_index_pending_tasks",
    "recrutement_search_index_lag_seconds",
    "recrutement_background_tasks_pending",
    "recrutement_background_tasks_oldest_pending_age_seconds",
}


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, keyed by name and sorted labels."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def requests_of(samples, endpoint: str, status: str = "2xx") -> float:
    labels = (("endpoint", endpoint), ("method", "GET"), ("status", status))
    return samples.get(("recrutement_http_requests_total", labels), 0.0)


def test_an_allowed_address_reads_every_family_uncached(client):
    response = client.get("/metrics")  # the test client calls from 127.0.0.1
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    families = {
        family.name for family in text_string_to_metric_families(response.get_data(as_text=True))
    }
    assert families >= FAMILIES


@pytest.mark.parametrize("caller", ["203.0.113.9", "10.0.0.1", "not-an-address"])
def test_any_other_address_gets_the_404_of_an_unknown_page(client, caller):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": caller})
    unknown = client.get("/nulle-part", environ_base={"REMOTE_ADDR": caller})
    assert response.status_code == unknown.status_code == 404
    # The same page, but for the nonce each response's scripts carry.
    nonce = re.compile(r'nonce="[^"]*"')
    assert nonce.sub("", response.get_data(as_text=True)) == nonce.sub(
        "", unknown.get_data(as_text=True)
    )


@pytest.fixture
def proxied_app(app_factory, database_url, tmp_path, smtp_server, _schema):
    """The production setting: nginx on 127.0.0.1 in front, Prometheus on 192.0.2.0/24."""
    return app_factory(
        {
            **base_config(database_url, tmp_path, smtp_server.port),
            "TRUSTED_PROXIES": 1,
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "METRICS_ALLOWED_IPS": "127.0.0.1, 192.0.2.0/24",
        }
    )


def test_a_forwarded_address_counts_only_through_a_trusted_proxy(proxied_app):
    client = proxied_app.test_client()
    prometheus = {"X-Forwarded-For": "192.0.2.7"}
    # Through the proxy, the forwarded address is the client's: allowed.
    through_proxy = client.get(
        "/metrics", headers=prometheus, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert through_proxy.status_code == 200
    # The same header from anyone else is dropped: the caller is itself, refused.
    direct = client.get(
        "/metrics", headers=prometheus, environ_base={"REMOTE_ADDR": "198.51.100.4"}
    )
    assert direct.status_code == 404
    # And a visitor coming through the proxy (which runs on an allowed address) is
    # judged on its own address, not the proxy's.
    visitor = client.get(
        "/metrics",
        headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.9"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert visitor.status_code == 404


def test_a_bad_allowed_list_stops_the_start(database_url, tmp_path, smtp_server):
    with pytest.raises(ValueError):
        create_app(
            {
                **base_config(database_url, tmp_path, smtp_server.port),
                "METRICS_ALLOWED_IPS": "127.0.0.1, prometheus.example",
            }
        )


@pytest.mark.parametrize("value", ["", "missing"])
def test_a_multiprocess_directory_that_is_not_one_stops_the_start(
    database_url, tmp_path, smtp_server, monkeypatch, value
):
    # prometheus-client would write its files in the working directory (""), or fail
    # every request (a directory that does not exist).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", value and str(tmp_path / value))
    with pytest.raises(ConfigurationError, match="PROMETHEUS_MULTIPROC_DIR"):
        create_app(base_config(database_url, tmp_path, smtp_server.port))


def test_each_request_is_counted_once_under_its_endpoint(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/robots.txt").status_code == 200
    client.get("/nulle-part/123")
    client.get("/nulle-part/456")
    # Refused by the permissions hook before any view: counted all the same.
    assert client.get("/candidat/").status_code == 302
    after = scrape(client)

    assert requests_of(after, "public.robots") - requests_of(before, "public.robots") == 3
    # Unknown paths share one series, whatever the path: no series per URL.
    assert requests_of(after, "unmatched", "4xx") - requests_of(before, "unmatched", "4xx") == 2
    assert not any("nulle-part" in str(labels) for _, labels in after)
    assert (
        requests_of(after, "candidate.home", "3xx") - requests_of(before, "candidate.home", "3xx")
        == 1
    )
    latency = (
        "recrutement_http_request_duration_seconds_count",
        (("endpoint", "public.robots"), ("method", "GET")),
    )
    assert after[latency] - before.get(latency, 0.0) == 3


def test_outbox_depth_age_and_failures_follow_the_rows(app, client):
    def mail(status: str, queued: datetime) -> OutgoingEmail:
        return OutgoingEmail(
            recipient="maire@example.org",
            subject="Objet",
            body_text="Bonjour",
            template="test",
            status=status,
            created_at=queued,
            send_after=queued,
        )

    with time_machine.travel(NOW, tick=False):
        samples = scrape(client)
        assert samples[("recrutement_database_up", ())] == 1
        assert samples[("recrutement_outbox_pending_emails", ())] == 0
        assert samples[("recrutement_outbox_oldest_pending_age_seconds", ())] == 0
        assert samples[("recrutement_outbox_failed_emails", ())] == 0

        db.session.add_all(
            [
                mail(EmailStatus.PENDING, NOW - timedelta(minutes=20)),
                mail(EmailStatus.PENDING, NOW - timedelta(minutes=1)),
                # Delivered long ago: neither waiting nor failed.
                mail(EmailStatus.SENT, NOW - timedelta(days=3)),
                mail(EmailStatus.FAILED, NOW - timedelta(days=1)),
            ]
        )
        db.session.commit()
        samples = scrape(client)
        assert samples[("recrutement_outbox_pending_emails", ())] == 2
        assert samples[("recrutement_outbox_oldest_pending_age_seconds", ())] == 20 * 60
        assert samples[("recrutement_outbox_failed_emails", ())] == 1

    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        samples = scrape(client)
        assert samples[("recrutement_outbox_oldest_pending_age_seconds", ())] == 30 * 60


def test_index_lag_and_background_tasks_follow_the_rows(app, client):
    with time_machine.travel(NOW, tick=False):
        samples = scrape(client)
        assert samples[("recrutement_search_index_pending_tasks", ())] == 0
        assert samples[("recrutement_search_index_lag_seconds", ())] == 0
        assert samples[("recrutement_background_tasks_pending", ())] == 0
        assert samples[("recrutement_background_tasks_oldest_pending_age_seconds", ())] == 0

        db.session.add_all(
            [
                IndexTask(offer_id=1, created_at=NOW - timedelta(seconds=90)),
                IndexTask(offer_id=2, created_at=NOW - timedelta(seconds=5)),
                # Applied: no lag.
                IndexTask(offer_id=3, created_at=NOW - timedelta(hours=1), done_at=NOW),
            ]
        )
        for status, age in [
            (TaskStatus.PENDING, timedelta(minutes=4)),
            (TaskStatus.DONE, timedelta(hours=2)),
            (TaskStatus.FAILED, timedelta(hours=3)),
        ]:
            db.session.add(
                BackgroundTask(
                    kind="offer.published",
                    subject_id=1,
                    status=status,
                    created_at=NOW - age,
                    run_after=NOW - age,
                )
            )
        db.session.commit()
        samples = scrape(client)
        assert samples[("recrutement_search_index_pending_tasks", ())] == 2
        assert samples[("recrutement_search_index_lag_seconds", ())] == 90
        assert samples[("recrutement_background_tasks_pending", ())] == 1
        assert samples[("recrutement_background_tasks_oldest_pending_age_seconds", ())] == 4 * 60


def test_without_the_database_the_request_figures_still_come(app_factory, tmp_path, smtp_server):
    # Nothing listens on port 1: every connection is refused at once.
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/recrutement"
    app = app_factory(base_config(unreachable, tmp_path, smtp_server.port))
    client = app.test_client()
    assert client.get("/robots.txt").status_code == 200
    samples = scrape(client)
    assert samples[("recrutement_database_up", ())] == 0
    assert ("recrutement_outbox_pending_emails", ()) not in samples
    assert requests_of(samples, "public.robots") >= 1


# Two processes forked from one loaded app, as gunicorn's workers are: each counts the
# requests it answers; a scrape made by one of them reports both counts added up.
FORKED_WORKERS = """
import json, os, sys
from recrutement import create_app

app = create_app(json.loads(sys.argv[1]))
child = os.fork()
for _ in range(3 if child == 0 else 2):
    assert app.test_client().get("/robots.txt").status_code == 200
if child == 0:
    os._exit(0)
os.waitpid(child, 0)
sys.stdout.write(app.test_client().get("/metrics").get_data(as_text=True))
"""


def test_with_a_multiprocess_directory_a_scrape_adds_up_every_process(
    database_url, tmp_path, smtp_server, _schema
):
    directory = tmp_path / "metrics"
    directory.mkdir()
    config = base_config(database_url, tmp_path, smtp_server.port)
    result = subprocess.run(
        [sys.executable, "-c", FORKED_WORKERS, json.dumps(config)],
        env={**os.environ, "APP_ENV": "testing", "PROMETHEUS_MULTIPROC_DIR": str(directory)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(result.stdout)
        for sample in family.samples
    }
    # 3 in one process, 2 in the other: a scrape of one process alone would say 2.
    assert requests_of(samples, "public.robots") == 5
    assert samples[("recrutement_outbox_pending_emails", ())] == 0
