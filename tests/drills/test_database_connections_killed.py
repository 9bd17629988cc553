"""PostgreSQL's connections killed in the middle of traffic (pg_terminate_backend).

Threads serve candidates adding favourites through the app while another kills
every backend of the test database, several times. Only the requests in flight at a
kill may fail (at most one per thread and kill), the next ones succeed, and every
favourite a successful request added is in the database.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy import select

from recrutement.accounts.models import Role
from recrutement.candidates.models import Favourite
from recrutement.extensions import db
from tests import factories

THREADS = 4
REQUESTS_PER_THREAD = 60
KILLS = 5
KILL_EVERY_SECONDS = 0.6


@dataclass
class Request:
    """One request of a thread: when it began and ended, and whether it succeeded."""

    offer_id: int
    began: float
    ended: float
    succeeded: bool
    what: str = ""


def serve(
    app, email: str, offer_ids: list[int], done: list[Request], start: threading.Event
) -> None:
    client = app.test_client()
    signed_in = client.post("/connexion", data={"email": email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    start.wait()
    for offer_id in offer_ids:
        began = time.monotonic()
        try:
            status = client.post(f"/candidat/favoris/{offer_id}").status_code
        except Exception as error:  # noqa: BLE001 — what a 500 page would be in production
            done.append(Request(offer_id, began, time.monotonic(), False, type(error).__name__))
            continue
        done.append(Request(offer_id, began, time.monotonic(), status == 302, f"HTTP {status}"))


def kill_backends(database_url: str) -> int:
    """Terminate every other connection to the test database; return how many."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


@pytest.mark.slow
@pytest.mark.real_commits
def test_connections_killed_mid_traffic_fail_only_what_was_in_flight(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no server connections to kill")
    organisation = factories.OrganisationFactory()
    offers = factories.OfferFactory.create_batch(
        THREADS * REQUESTS_PER_THREAD, organisation=organisation
    )
    candidates = factories.UserFactory.create_batch(THREADS, role=Role.CANDIDATE)
    db.session.commit()
    offer_ids = [offer.id for offer in offers]
    emails = [candidate.email for candidate in candidates]
    ids_of = {candidate.email: candidate.id for candidate in candidates}
    db.session.remove()

    start = threading.Event()
    traffic: list[list[Request]] = [[] for _ in range(THREADS)]
    threads = [
        threading.Thread(
            target=serve,
            args=(
                app,
                emails[number],
                offer_ids[number * REQUESTS_PER_THREAD : (number + 1) * REQUESTS_PER_THREAD],
                traffic[number],
                start,
            ),
        )
        for number in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    start.set()
    # When each kill began and ended (connecting and terminating take a while), and
    # how many backends it ended.
    kills: list[tuple[float, float, int]] = []
    for _ in range(KILLS):
        time.sleep(KILL_EVERY_SECONDS)
        if not any(thread.is_alive() for thread in threads):
            break
        before = time.monotonic()
        killed = kill_backends(database_url)
        kills.append((before, time.monotonic(), killed))
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.monotonic() - began
    assert len(kills) >= 3, f"the traffic ended after {len(kills)} kills: make it longer"

    def in_flight(request: Request) -> bool:
        return any(request.began <= after and before <= request.ended for before, after, _ in kills)

    requests = [request for done in traffic for request in done]
    assert len(requests) == THREADS * REQUESTS_PER_THREAD
    failed = [request for request in requests if not request.succeeded]
    # Only the requests in flight at a kill fail: the next ones find a fresh connection
    # (pool_pre_ping), there is no cascade.
    assert all(in_flight(request) for request in failed), [
        (request.what, request.began - began) for request in failed if not in_flight(request)
    ]
    recoveries = []
    for done in traffic:
        for _, moment, _ in kills:
            later = [
                request.ended for request in done if request.succeeded and request.began > moment
            ]
            if later:
                recoveries.append(later[0] - moment)
    print(
        f"\n{len(requests)} requests in {elapsed:.1f} s on {THREADS} threads; backends killed "
        f"{[count for _, _, count in kills]}; {len(failed)} requests failed, all among the "
        f"{sum(in_flight(request) for request in requests)} in flight at a kill; first success "
        f"of each thread after a kill within {max(recoveries, default=0) * 1000:.0f} ms"
    )

    # Nothing lost: every favourite a successful request added is there.
    stored = set(db.session.execute(select(Favourite.user_id, Favourite.offer_id)).tuples())
    for email, done in zip(emails, traffic, strict=True):
        acknowledged = {(ids_of[email], request.offer_id) for request in done if request.succeeded}
        assert not acknowledged - stored, "favourites acknowledged but lost"
