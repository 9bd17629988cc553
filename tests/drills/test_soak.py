"""A soak: minutes of mixed traffic on two web processes and two workers sharing one
database and one search index, as two hosts behind a load balancer would.

The demo is seeded (`demo seed`: its accounts, offers in every state across France,
applications and cofunding requests in every state), topped up with candidates and
with cofunding requests filed for the préfectures to decide. Then two gunicorn
processes with deploy/gunicorn.conf.py (APP_ENV=production, each on its own port) and
two `flask worker` processes run on it, with a real SMTP server, while browsers
(tests/drills/soak_traffic.py) sign in and work against both web processes at random:
candidates search (page and API) and apply with a CV, employers move applications
(review, interview, reject, hire) and answer requests for changes, the préfectures of
Finistère and Meuse open and decide requests, and two employers publish offers whose
index lag is measured (from the publication's response to the offer found by the
other web process's API).

At the end: no 5xx and no request without a response, every mail of the outbox
received exactly once by its Message-ID (none failed, none pending), the index lag's
p50 and p95 printed and p95 under INDEX_LAG_P95_SECONDS, no process died.

On PostgreSQL the processes are set up as separate hosts would be: the PostgreSQL
search backend, and a search directory of their own that must stay empty.

SOAK_SECONDS sets the traffic's duration (45 s by default; `make soak`: 300 s).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from recrutement.accounts.models import Role, User
from recrutement.cofunding import services as cofunding
from recrutement.cofunding.content import RequestContent
from recrutement.demo import DOMAIN
from recrutement.emails.models import EmailStatus, OutgoingEmail
from recrutement.emails.outbox import message_id
from recrutement.extensions import db
from recrutement.offers.models import IndexTask
from tests import factories
from tests.conftest import free_port
from tests.drills import soak_traffic as traffic_of
from tests.drills.soak_traffic import Browser, Shared, Traffic, percentile, run_actor

ROOT = Path(__file__).resolve().parents[2]
SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "45"))
WEB_PROCESSES = 2
GUNICORN_WORKERS = 2
WORKERS = 2
EXTRA_CANDIDATES = 8
PUBLISH_EVERY_SECONDS = 3.0
INDEX_LAG_P95_SECONDS = 5.0
# Filed requests added for each préfecture to decide: enough for the whole soak (the
# préfecture also sends some back for changes, which the collectivité answers).
FILED_REQUESTS = 10 + int(SOAK_SECONDS / 3)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"{what}: not after {timeout} s"
        time.sleep(0.1)
    return time.monotonic() - start


def file_requests(count: int) -> None:
    """`count` cofunding requests filed by each demo collectivité (through the services,
    as the demo's own are), for its préfecture's queue."""
    year = date.today().year
    for local_part in ("quimperle", "commercy"):
        employer = db.session.scalar(select(User).where(User.email == f"{local_part}@{DOMAIN}"))
        assert employer is not None, f"demo account {local_part} missing"
        for number in range(count):
            content = RequestContent(
                post_title=f"Poste en charge continue n° {number + 1}",
                holder_first_name="Alex",
                holder_last_name=f"Continu {number + 1}",
                holder_start_date=date(year - 1, 1, 1),
                contract_type="permanent",
                contract_end_date=None,
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                annual_loaded_cost=Decimal(48000 + 250 * number),
            )
            request = cofunding.create_request(employer, content)
            cofunding.submit(employer, request)


def gunicorn_deaths(log: Path) -> tuple[list[str], int, int]:
    """A gunicorn log's lines saying a worker died (timeout, signal, error exit), the
    workers booted, and those restarted on purpose (max_requests)."""
    deaths, booted, recycled = [], 0, 0
    for line in log.read_text(errors="replace").splitlines():
        try:
            message = json.loads(line)["message"]
        except (ValueError, KeyError):
            continue
        booted += "Booting worker" in message
        recycled += "Autorestarting worker" in message
        if any(
            word in message for word in ("TIMEOUT", "was sent", "exited with code", "Exception")
        ):
            deaths.append(message)
    return deaths, booted, recycled


def metric_totals(metrics: str) -> tuple[float, float]:
    """The requests a web process counted, and its 5xx among them."""
    total = five_xx = 0.0
    for line in metrics.splitlines():
        if line.startswith("recrutement_http_requests_total{"):
            count = float(line.rsplit(" ", 1)[1])
            total += count
            five_xx += count if 'status="5xx"' in line else 0
    return total, five_xx


def error_lines(log: Path) -> list[str]:
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            lines.append(line)
            continue
        if entry.get("level") in ("ERROR", "CRITICAL"):
            lines.append(line[:1000])
    return lines


@pytest.mark.slow
@pytest.mark.real_commits
def test_soak_mixed_traffic_two_web_processes_two_workers(
    app, database_url, programme_rule, mailbox, smtp_server, tmp_path
):
    seeding = time.monotonic()
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    candidates = factories.UserFactory.create_batch(EXTRA_CANDIDATES, role=Role.CANDIDATE)
    db.session.commit()
    file_requests(FILED_REQUESTS)
    candidate_emails = [user.email for user in candidates]
    seeded = time.monotonic() - seeding
    db.session.remove()

    metrics_dirs = [tmp_path / f"metrics-{number}" for number in range(WEB_PROCESSES)]
    ports = [free_port() for _ in range(WEB_PROCESSES)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "BASE_URL": "https://recrutement-pvd.test",
        "WEB_CONCURRENCY": str(GUNICORN_WORKERS),
        "PYTHONUNBUFFERED": "1",
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs: dict[str, Path] = {}
    # On PostgreSQL, as on separate hosts: each process searches with the PostgreSQL
    # backend and has a search directory of its own, which must stay empty. Only the
    # database and the uploads' directory (a shared mount in production) are shared.
    host_disks: list[Path] = []

    def host_settings(name: str) -> dict[str, str]:
        if not database_url.startswith("postgresql"):
            return {}
        host_disks.append(tmp_path / f"search-{name}")
        return {"SEARCH_BACKEND": "postgresql", "SEARCH_INDEX_DIR": str(host_disks[-1])}

    def start(name: str, command: list[str], extra: dict[str, str]) -> None:
        logs[name] = tmp_path / f"{name}.log"
        with open(logs[name], "wb") as log:
            processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**env, **host_settings(name), **extra},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def answers(base: str) -> bool:
        try:
            return requests.get(base + "/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    traffic = Traffic()
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        for number, (port, metrics) in enumerate(zip(ports, metrics_dirs, strict=True)):
            metrics.mkdir()
            start(
                f"web{number + 1}",
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                {"GUNICORN_BIND": f"127.0.0.1:{port}", "PROMETHEUS_MULTIPROC_DIR": str(metrics)},
            )
        for number in range(WORKERS):
            start(
                f"worker{number + 1}",
                [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                {},
            )
        for base in bases:
            wait_for(lambda base=base: answers(base), 60, f"{base} answering")

        shared = Shared()
        demo_password = app.config["DEMO_PASSWORD"]
        actors: list[tuple[str, Callable[..., None], tuple[object, ...]]] = [
            (f"candidate-{email}", traffic_of.candidate, (email, password, shared, stop))
            for email, password in [
                *[(f"candidat{n}@{DOMAIN}", demo_password) for n in (1, 2)],
                *[(email, factories.PASSWORD) for email in candidate_emails],
            ]
        ]
        for local_part, department in (("quimperle", "29"), ("commercy", "55")):
            employer = (f"{local_part}@{DOMAIN}", demo_password)
            instructor = (f"prefecture{department}@{DOMAIN}", demo_password)
            # Two publishers in turn: one offer every PUBLISH_EVERY_SECONDS in all.
            every = 2 * PUBLISH_EVERY_SECONDS
            actors += [
                (
                    f"employer-{local_part}",
                    traffic_of.employer,
                    (*employer, department, shared, stop),
                ),
                (f"publisher-{local_part}", traffic_of.publisher, (*employer, every, shared, stop)),
                (
                    f"instructor-{department}",
                    traffic_of.instructor,
                    (*instructor, department, shared, stop),
                ),
            ]
        rng = random.Random(int(os.environ.get("SOAK_SEED", "14")))
        for number, (name, target, args) in enumerate(actors):
            # Each browser has its own address, as nginx would forward it.
            browser = Browser(
                traffic, bases, f"198.51.100.{number + 10}", random.Random(rng.random())
            )
            threads.append(run_actor(traffic, name, target, browser, *args))
            time.sleep(0.05)

        began = time.monotonic()
        stop.wait(SOAK_SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.monotonic() - began
        assert not [thread.name for thread in threads if thread.is_alive()]

        # Every mail the traffic caused leaves: the outbox empties.
        def outbox_done() -> bool:
            db.session.remove()
            pending = select(func.count()).where(OutgoingEmail.status == EmailStatus.PENDING)
            return db.session.scalar(pending) == 0

        drained = wait_for(outbox_done, 120, "the outbox emptied by the workers")
        wait_for(
            lambda: db.session.scalar(select(func.count()).where(IndexTask.done_at.is_(None))) == 0,
            60,
            "index tasks applied",
        )
        alive = {name: process.poll() is None for name, process in processes.items()}
        # What the web processes counted themselves (recrutement/metrics.py).
        served = [metric_totals(requests.get(base + "/metrics", timeout=30).text) for base in bases]
        uptime = (
            Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
        )
    finally:
        stop.set()
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    mails = db.session.scalars(select(OutgoingEmail)).all()
    expected = Counter(message_id(mail) for mail in mails)
    with mailbox.lock:
        received = Counter(str(mail.message["Message-ID"]) for mail in mailbox.received)
    once = sum(1 for key in expected if received[key] == 1)
    failed_mails = [mail.id for mail in mails if mail.status != EmailStatus.SENT]

    total = sum(traffic.counts.values())
    lags = traffic.lags
    p50, p95 = percentile(lags, 0.5), percentile(lags, 0.95)
    lines = [
        f"\nsoak on {db.engine.dialect.name}: {elapsed:.0f} s of traffic, {len(threads)} "
        f"browsers, {WEB_PROCESSES} web processes × {GUNICORN_WORKERS} gunicorn workers, "
        f"{WORKERS} workers (setup {seeded:.0f} s; load average {' '.join(uptime)})",
        f"{total} requests ({total / elapsed:.1f}/s), by kind (count, p50 / p95 ms, statuses):",
    ]
    for kind in sorted(traffic.counts):
        times = traffic.latencies[kind]
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(traffic.statuses[kind].items()))
        lines.append(
            f"  {kind:22} {traffic.counts[kind]:6} {percentile(times, 0.5) * 1000:7.0f} / "
            f"{percentile(times, 0.95) * 1000:6.0f}  {statuses}"
        )
    lines.append(
        "done: " + ", ".join(f"{name} {n}" for name, n in sorted(traffic.outcomes.items()))
    )
    if traffic.refusals:
        lines.append("refused by the application (forms on a state moved meanwhile):")
        lines += [f"  {n} × {what}" for what, n in traffic.refusals.most_common(8)]
    lines += [
        f"web processes counted {' + '.join(f'{total:.0f}' for total, _ in served)} requests, "
        f"{sum(five_xx for _, five_xx in served):.0f} 5xx",
        f"5xx: {len(traffic.server_errors)}; no response: {len(traffic.no_response)}; "
        f"mails received exactly once: {once}/{len(expected)} (outbox drained {drained:.1f} s "
        f"after the traffic); index lag over {len(lags)} publications: p50 {p50:.2f} s, "
        f"p95 {p95:.2f} s, max {max(lags, default=float('nan')):.2f} s",
    ]
    print("\n".join(lines))

    assert not traffic.crashed, traffic.crashed
    assert not traffic.server_errors, traffic.server_errors[:10]
    assert not traffic.no_response, traffic.no_response[:10]
    assert all(total > 0 for total, _ in served), served  # both took their share
    assert sum(five_xx for _, five_xx in served) == 0
    # Nothing lost, nothing doubled: each outbox row received once, nothing else received.
    assert not failed_mails
    assert set(received) == set(expected), (
        set(expected) - set(received),
        set(received) - set(expected),
    )
    assert once == len(expected), [key for key in expected if received[key] != 1][:10]
    # No process died: the four web workers booted at the start (plus those gunicorn
    # replaced on purpose after max_requests), the masters and the workers still running.
    assert all(alive.values()), alive
    # On PostgreSQL nothing of the search was written on a process's own disk.
    for disk in host_disks:
        assert not disk.exists() or not any(disk.iterdir()), (disk, list(disk.iterdir()))
    for name in logs:
        if name.startswith("web"):
            deaths, booted, recycled = gunicorn_deaths(logs[name])
            assert not deaths, deaths
            assert booted == GUNICORN_WORKERS + recycled, (name, booted, recycled)
        assert not error_lines(logs[name]), (name, error_lines(logs[name])[:5])
    # The traffic did what it says: searches, applications, moves, decisions, offers.
    assert not traffic.lags_missed, traffic.lags_missed
    assert len(lags) >= max(3, int(SOAK_SECONDS / PUBLISH_EVERY_SECONDS / 2))
    assert p95 <= INDEX_LAG_P95_SECONDS
    outcomes = traffic.outcomes
    assert traffic.counts["search_page"] and traffic.counts["search_api"]
    assert outcomes["applications sent"] > 0
    assert sum(n for name, n in outcomes.items() if name.startswith("applications moved")) > 0
    assert sum(n for name, n in outcomes.items() if name.startswith("cofunding")) > 0
