"""The two search backends side by side (SEARCH_BACKEND=whoosh|postgresql): the same
offers, the same queries, with the result cache off.

The offers of a size's SQLite database are copied into a PostgreSQL database created
for the run on the server BENCH_POSTGRESQL_URL names (for instance
postgresql+psycopg://postgres@127.0.0.1:5432/postgres; the part is skipped without
it) and dropped after. Then, in this process:

- each backend's full rebuild (Whoosh into a temporary directory, PostgreSQL in its
  tables), wall time;
- each query of search.QUERIES on both (search_offers, then the page's offers from
  SQL, as search.py times Whoosh), p50 and p95, the totals of both and whether the
  first page sorted by date holds the same offers in the same order (by relevance the
  order is each backend's: BM25F or ts_rank).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scripts.bench.data import create_quiet_app
from scripts.bench.search import QUERIES, timed, whoosh_search
from scripts.bench.stats import Row, ratio, summary

SECTION = "recherche : Whoosh et PostgreSQL"
SERVER_VARIABLE = "BENCH_POSTGRESQL_URL"
COPY_BATCH = 2000


@contextmanager
def temporary_database(server_url: str) -> Iterator[str]:
    """A new empty database on that server for the run, dropped at the end."""
    url = make_url(server_url)
    name = f"bench_search_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def copy_database(source_url: str, target_url: str) -> None:
    """Every row of every table, from the SQLite database into the PostgreSQL one
    (whose schema create_all has made)."""
    from recrutement.extensions import db

    source, target = create_engine(source_url), create_engine(target_url)
    try:
        with source.connect() as reading, target.begin() as writing:
            for table in db.metadata.sorted_tables:
                rows = reading.execute(table.select()).mappings()
                while batch := rows.fetchmany(COPY_BATCH):
                    writing.execute(table.insert(), [dict(row) for row in batch])
    finally:
        source.dispose()
        target.dispose()


def _page_by_date(args: dict[str, str]) -> tuple[int, tuple[int, ...]]:
    """The total and the first page's offers sorted by date: the same on both backends
    when they find the same offers (by relevance, the order is each backend's)."""
    from recrutement.search.query import SearchParams, search_offers

    results = search_offers(SearchParams.from_args({**args, "tri": "date"}))
    return results.total, tuple(results.offer_ids)


def measure_backends(directory: Path, size: int, runs: int) -> list[Row]:
    """The rows of one size; none (and a line saying why) without BENCH_POSTGRESQL_URL."""
    server = os.environ.get(SERVER_VARIABLE)
    if not server:
        print(f"Whoosh et PostgreSQL : non mesuré ({SERVER_VARIABLE} n'est pas défini).")
        return []
    from recrutement.extensions import db
    from recrutement.search.index import rebuild_index

    rows: list[Row] = []
    with temporary_database(server) as url, tempfile.TemporaryDirectory() as index:
        apps: dict[str, Any] = {
            "whoosh": create_quiet_app(directory, SEARCH_CACHE_SIZE=0, SEARCH_INDEX_DIR=index),
            "postgresql": create_quiet_app(
                directory,
                SEARCH_CACHE_SIZE=0,
                SQLALCHEMY_DATABASE_URI=url,
                SEARCH_BACKEND="postgresql",
            ),
        }
        with apps["postgresql"].app_context():
            db.create_all()
            db.engine.dispose()
        copy_database(apps["whoosh"].config["SQLALCHEMY_DATABASE_URI"], url)
        rebuilt: dict[str, float] = {}
        for name, app in apps.items():
            with app.app_context():
                started = time.perf_counter()
                count = rebuild_index()
                rebuilt[name] = time.perf_counter() - started
                db.session.remove()
        rows.append(
            Row(
                SECTION,
                "reconstruction complète",
                {
                    "Whoosh s": rebuilt["whoosh"],
                    "PostgreSQL s": rebuilt["postgresql"],
                    "ratio PostgreSQL/Whoosh": ratio(rebuilt["postgresql"], rebuilt["whoosh"]),
                    "offres": count,
                },
                size=size,
                note="dans ce processus",
            )
        )
        for query in QUERIES:
            figures: dict[str, dict[str, Any]] = {}
            for name, app in apps.items():
                with app.app_context():
                    samples, total = timed(partial(whoosh_search, query.args), runs)
                    page = _page_by_date(query.args)
                    db.session.remove()
                figures[name] = {"summary": summary(samples), "total": total, "page": page}
            whoosh, postgres = figures["whoosh"], figures["postgresql"]
            rows.append(
                Row(
                    SECTION,
                    query.label,
                    {
                        "Whoosh p50 ms": whoosh["summary"]["p50 ms"],
                        "Whoosh p95 ms": whoosh["summary"]["p95 ms"],
                        "PostgreSQL p50 ms": postgres["summary"]["p50 ms"],
                        "PostgreSQL p95 ms": postgres["summary"]["p95 ms"],
                        "ratio PostgreSQL/Whoosh p95": ratio(
                            postgres["summary"]["p95 ms"], whoosh["summary"]["p95 ms"]
                        ),
                        "résultats Whoosh": whoosh["total"],
                        "résultats PostgreSQL": postgres["total"],
                        "même 1re page par date": int(whoosh["page"] == postgres["page"]),
                    },
                    size=size,
                )
            )
        for app in apps.values():
            with app.app_context():
                db.engine.dispose()
    print(f"Whoosh et PostgreSQL mesurés à {size} offres.")
    return rows
