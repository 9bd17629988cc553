"""Fixtures of the search tests: the sync listeners on, the process's caches empty at the
start of each test, a searcher closed after it."""

from __future__ import annotations

import pytest

from recrutement.search import query
from recrutement.search.reader import close_searcher
from recrutement.search.sync import init_search
from recrutement.web.api import offers as api_offers
from recrutement.web.public import search as search_page


@pytest.fixture(autouse=True)
def _search_sync(app):
    """Keep the index in step, as create_app does once it calls init_search(). The result
    and page caches live as long as the process, which runs many tests (xdist): a test
    that counts their entries must not see another test's."""
    init_search(app)
    for cache in (query._results, search_page._fragments, api_offers._bodies):
        cache.clear()
    yield
    close_searcher()
