"""Fixtures of the search tests: the sync listeners on, a searcher closed after each test."""

from __future__ import annotations

import pytest

from recrutement.search.reader import close_searcher
from recrutement.search.sync import init_search


@pytest.fixture(autouse=True)
def _search_sync(app):
    """Keep the index in step, as create_app does once it calls init_search()."""
    init_search(app)
    yield
    close_searcher()
