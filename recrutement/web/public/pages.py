"""Public pages: home, legal pages, health check."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from flask import Response, current_app, jsonify, render_template

from recrutement.accounts.permissions import public
from recrutement.extensions import db
from recrutement.search import postgresql as postgresql_search
from recrutement.search.backend import using_postgresql
from recrutement.search.index import INDEX_NAME, ensure_index, index_directory, index_state
from recrutement.web.public import bp

# How long /healthz trusts a full check of the search index (open it, read a little of
# every segment: 25 ms of CPU at 10,000 offers, over 90 % of the call). A load balancer
# polls every few seconds; between full checks only the index's presence is checked.
INDEX_CHECK_SECONDS = 30.0
# When each index directory last passed a full check in this process (`_clock` time).
_last_full_check: dict[Path, float] = {}
_clock: Callable[[], float] = time.monotonic


@bp.get("/")
@public
def home():
    return render_template("public/home.html")


@bp.get("/accessibilite")
@public
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/mentions-legales")
@public
def legal_notice():
    return render_template("public/legal_notice.html")


@bp.get("/donnees-personnelles")
@public
def personal_data():
    return render_template("public/personal_data.html")


@bp.get("/robots.txt")
@public
def robots():
    lines = [
        "User-agent: *",
        "Disallow: /candidat/",
        "Disallow: /collectivite/",
        "Disallow: /prefecture/",
        "Disallow: /pilotage/",
        "Disallow: /connexion",
        "Disallow: /inscription/",
        "Disallow: /mot-de-passe/",
        f"Sitemap: {current_app.config['BASE_URL']}/sitemap.xml",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


def _database_state() -> str:
    """One round trip on a connection of the pool; straight on the engine, as the ORM
    session's bookkeeping would cost more than the query."""
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return "ok"
    except Exception as error:  # noqa: BLE001 — any failure means "down"
        current_app.logger.error("healthz: database unreachable", extra={"error": str(error)})
        return "erreur"


def _index_present(directory: Path) -> bool:
    """Whether the directory holds the index's table of contents (Whoosh's
    `_<index name>_<generation>.toc`), without opening the index."""
    prefix = f"_{INDEX_NAME}_"
    try:
        return any(
            name.startswith(prefix) and name.endswith(".toc") for name in os.listdir(directory)
        )
    except OSError:  # no directory: no index
        return False


def _index_state() -> tuple[str, bool]:
    """The search index's state and whether it can serve; a missing or corrupt
    index is rebuilt from the database rather than served broken.

    Cheap on most calls: an index that passed a full check less than
    INDEX_CHECK_SECONDS (30 s) ago in this process is only looked for (its table of
    contents). So a deleted index is found at once, and a corrupt one by the first
    call made 30 s or more after the last full check: the damage is reported (and
    repaired) at most 30 s after it happened, given calls.
    """
    if using_postgresql():
        return _search_tables_state()
    directory = index_directory()
    now = _clock()
    checked_at = _last_full_check.get(directory)
    recently_checked = checked_at is not None and now - checked_at < INDEX_CHECK_SECONDS
    if recently_checked and _index_present(directory):
        return "ok", True
    _last_full_check.pop(directory, None)
    state = index_state(directory)
    if state == "ok":
        _last_full_check[directory] = now
        return state, True
    try:
        ensure_index()
    except Exception as error:  # noqa: BLE001 — report it: the check must answer
        current_app.logger.error("healthz: index rebuild failed", extra={"error": str(error)})
        return state, False
    # The rebuilt index gets its full check on the next call.
    return f"reconstruit (était {state})", True


def _search_tables_state() -> tuple[str, bool]:
    """The PostgreSQL search backend's state: its tables read (one row each), built
    from the database when they never were."""
    state = postgresql_search.state()
    if state == "ok":
        return state, True
    try:
        ensure_index()
    except Exception as error:  # noqa: BLE001 — report it: the check must answer
        current_app.logger.error("healthz: search tables build failed", extra={"error": str(error)})
        return state, False
    return f"reconstruit (était {state})", postgresql_search.state() == "ok"


@bp.get("/healthz")
@public
def healthz():
    """Machine-readable state for the load balancer and monitoring: the database is
    queried on every call, the search index checked as `_index_state` says."""
    index, index_usable = _index_state()
    checks = {"database": _database_state(), "search_index": index}
    healthy = checks["database"] == "ok" and index_usable
    body = {"status": "ok" if healthy else "degraded", **checks}
    return jsonify(body), 200 if healthy else 503
