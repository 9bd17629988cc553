"""Fixtures of the search tests: the sync listeners on, the process's caches empty at the
start of each test, a searcher closed after it.

Every test runs once per search backend (`search_backend`): Whoosh always, and
PostgreSQL too when TEST_DATABASE_URL points at a PostgreSQL server. A test marked
`whoosh_only` runs on Whoosh alone: it checks the Whoosh index's own parts (segments,
lock file, vocabulary files, the searcher), or nothing a backend does (the analyzer).
A test marked `postgresql_only` checks the PostgreSQL backend's own parts, or compares
the two (test_postgresql.py); it is skipped without PostgreSQL.
"""

from __future__ import annotations

import os

import pytest

from recrutement.search import query
from recrutement.search.reader import close_searcher
from recrutement.search.sync import init_search
from recrutement.web.api import offers as api_offers
from recrutement.web.public import search as search_page

POSTGRESQL_AVAILABLE = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def pytest_generate_tests(metafunc):
    if "search_backend" not in metafunc.fixturenames:
        return
    backends: list = ["whoosh"]
    if metafunc.definition.get_closest_marker("postgresql_only") is not None:
        skip = pytest.mark.skipif(
            not POSTGRESQL_AVAILABLE, reason="needs TEST_DATABASE_URL on a PostgreSQL server"
        )
        backends = [pytest.param("postgresql", marks=skip)]
    elif POSTGRESQL_AVAILABLE and metafunc.definition.get_closest_marker("whoosh_only") is None:
        backends.append("postgresql")
    metafunc.parametrize("search_backend", backends, indirect=True)


@pytest.fixture
def search_backend(request, app):
    """The backend the test searches with (SEARCH_BACKEND)."""
    app.config["SEARCH_BACKEND"] = request.param
    return request.param


@pytest.fixture(autouse=True)
def _search_sync(app, search_backend):
    """Keep the index in step, as create_app does once it calls init_search(). The result
    and page caches live as long as the process, which runs many tests (xdist): a test
    that counts their entries must not see another test's."""
    init_search(app)
    for cache in (query._results, search_page._fragments, api_offers._bodies):
        cache.clear()
    yield
    close_searcher()
