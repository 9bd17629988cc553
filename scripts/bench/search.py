"""Search latency in-process, at each size: Whoosh against a plain SQL search, and what
one `/offres?…` request costs (SQL statements, Python CPU time).

- Whoosh: `recrutement.search.query.search_offers` (the page's offer ids, the total,
  the facet counts, excerpts and the spelling suggestion), then the page's 20 offers
  loaded from SQL, as the results page loads them; with the results cache off
  (`SEARCH_CACHE_SIZE = 0`; code without a cache ignores the key);
- SQL: `LIKE '%word%'` (case-insensitive, every word required) over title, missions,
  profile and benefits with the same filters, newest first, 20 rows, plus the total
  and the same facet counts with GROUP BY (each facet with the other filters but not
  its own, as the search counts them);
- served from the cache: the first query again, with the default configuration, after
  a first identical request;
- per request: `/offres?…` through `app.test_client()`, counting the statements sent
  to the database (SQLAlchemy's `before_cursor_execute`) and the process's CPU time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, or_, select

from scripts.bench.data import create_quiet_app
from scripts.bench.stats import Row, ratio, summary

SECTION = "recherche (sans cache)"
CACHED_SECTION = "recherche servie du cache"
WARM_UP_RUNS = 3
PAGE_SIZE = 20


@dataclass(frozen=True)
class Query:
    label: str
    args: dict[str, str]


# The fixed set: one query that every offer matches, rare and common words,
# an unaccented word, two words together, and each facet filter.
QUERIES = (
    Query("chef de projet", {"q": "chef de projet"}),
    Query("revitalisation", {"q": "revitalisation"}),
    Query("habitat indigne", {"q": "habitat indigne"}),
    Query("mobilites (sans accent)", {"q": "mobilites"}),
    Query("urbanisme commerce", {"q": "urbanisme commerce"}),
    Query("chef de projet + dép. 29", {"q": "chef de projet", "departement": "29"}),
    Query(
        "revitalisation + contrat de projet", {"q": "revitalisation", "contrat": "project_contract"}
    ),
    Query(
        "habitat + Bretagne + télétravail",
        {"q": "habitat", "region": "53", "teletravail": "regular"},
    ),
    Query("(toutes) + expérience confirmée", {"experience": "confirmed"}),
)


def page_query() -> Any:
    """The columns a results page shows, for both sides: the search only finds ids."""
    from recrutement.offers.models import Offer
    from recrutement.organisations.models import Organisation
    from recrutement.referential.models import Commune

    offer, town, organisation = Offer.__table__, Commune.__table__, Organisation.__table__
    return select(
        offer.c.id,
        offer.c.title,
        organisation.c.name,
        town.c.name,
        town.c.department_code,
        offer.c.contract_type,
        offer.c.published_at,
        offer.c.application_deadline,
    ).select_from(
        offer.join(town, town.c.insee_code == offer.c.workplace_insee_code).join(
            organisation, organisation.c.id == offer.c.organisation_id
        )
    )


def sql_search(args: dict[str, str], today: date) -> int:
    """The plain SQL search: LIKE per word, filters, first page, total and facet
    counts (each with every other filter applied but not its own); returns the total."""
    from recrutement.extensions import db
    from recrutement.offers.models import Offer, OfferStatus
    from recrutement.referential.models import Commune

    offer = Offer.__table__
    town = Commune.__table__
    conditions = [
        offer.c.status == OfferStatus.PUBLISHED.value,
        offer.c.application_deadline >= today,
    ]
    text_columns = (offer.c.title, offer.c.missions, offer.c.profile, offer.c.benefits)
    for word in args.get("q", "").split():
        pattern = f"%{word}%"
        conditions.append(or_(*(column.ilike(pattern) for column in text_columns)))
    facet_columns = {
        "region": town.c.region_code,
        "departement": town.c.department_code,
        "contrat": offer.c.contract_type,
        "experience": offer.c.experience,
        "teletravail": offer.c.remote_work,
    }
    filters = {
        name: column == args[name] for name, column in facet_columns.items() if args.get(name)
    }
    joined = offer.join(town, town.c.insee_code == offer.c.workplace_insee_code)
    matching = [*conditions, *filters.values()]
    db.session.execute(
        page_query()
        .where(*matching)
        .order_by(offer.c.published_at.desc(), offer.c.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(joined).where(*matching))
    for name, column in facet_columns.items():
        others = [condition for other, condition in filters.items() if other != name]
        db.session.execute(
            select(column, func.count())
            .select_from(joined)
            .where(*conditions, *others)
            .group_by(column)
        ).all()
    return total or 0


def whoosh_search(args: dict[str, str]) -> int:
    """The search package's search, then the page's offers from SQL; returns the total."""
    from recrutement.extensions import db
    from recrutement.offers.models import Offer
    from recrutement.search.query import SearchParams, search_offers

    result = search_offers(SearchParams.from_args(args))
    ids = result.offer_ids
    rows = {row.id: row for row in db.session.execute(page_query().where(Offer.id.in_(ids)))}
    if len(rows) != len(ids) or not isinstance(result.facets, dict):
        raise RuntimeError("la page de résultats ne correspond pas aux offres en base")
    return result.total


def timed(
    run: Callable[[], int], runs: int, warm_up: int = WARM_UP_RUNS
) -> tuple[list[float], int]:
    """Warm up, then time `run` `runs` times (milliseconds); a fresh session each time,
    as each web request has. Returns the samples and the last total."""
    from recrutement.extensions import db

    total = 0
    for _ in range(warm_up):
        run()
        db.session.remove()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        total = run()
        samples.append((time.perf_counter() - started) * 1000)
        db.session.remove()
    return samples, total


def request_costs(app: Any, args: dict[str, str], runs: int) -> tuple[float, float]:
    """Median SQL statements and Python CPU milliseconds of one `/offres?…` request."""
    from recrutement.extensions import db

    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    client = app.test_client()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    counts, cpu = [], []
    try:
        for index in range(WARM_UP_RUNS + runs):
            statements = 0
            started = time.process_time()
            response = client.get("/offres", query_string=args)
            elapsed = (time.process_time() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"/offres a répondu {response.status_code}")
            if index >= WARM_UP_RUNS:
                counts.append(statements)
                cpu.append(elapsed)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(counts), statistics.median(cpu)


def measure_search(directory: Path, size: int, runs: int) -> list[Row]:
    """The rows of one size: each query uncached on both sides with its request costs,
    then "chef de projet" served from the cache."""
    from recrutement.extensions import db

    # Deadlines are counted in French time, as the Whoosh search counts them.
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    rows = []
    # The baseline scans every text at each query (seconds at 10,000 offers on a busy
    # machine): fewer runs (one in --quick), enough for its order of magnitude.
    sql_runs = max(1, runs // 6)
    app = create_quiet_app(directory, SEARCH_CACHE_SIZE=0)
    with app.app_context():
        for query in QUERIES:
            whoosh, found = timed(partial(whoosh_search, query.args), runs)
            sql, sql_found = timed(
                partial(sql_search, query.args, today), sql_runs, warm_up=min(1, sql_runs - 1)
            )
            statements, cpu = request_costs(app, query.args, max(3, runs // 3))
            figures = summary(whoosh)
            rows.append(
                Row(
                    SECTION,
                    query.label,
                    {
                        **figures,
                        "SQL p50 ms": statistics.median(sql),
                        "SQL p95 ms": summary(sql)["p95 ms"],
                        "ratio SQL/Whoosh p95": ratio(summary(sql)["p95 ms"], figures["p95 ms"]),
                        "résultats": found,
                        "résultats SQL": sql_found,
                        "requêtes SQL /offres": statements,
                        "CPU ms /offres": cpu,
                    },
                    size=size,
                    note=f"SQL : {sql_runs} mesure(s)",
                )
            )
        db.session.remove()
        db.engine.dispose()

    cached_app = create_quiet_app(directory)
    with cached_app.app_context():
        query = QUERIES[0]
        samples, found = timed(partial(whoosh_search, query.args), runs)
        rows.append(
            Row(
                CACHED_SECTION,
                f"{query.label} (requête identique répétée)",
                {**summary(samples), "résultats": found},
                size=size,
                note="configuration par défaut",
            )
        )
        db.session.remove()
        db.engine.dispose()
    print(f"Recherche mesurée à {size} offres.")
    return rows
