"""What the search backend under test holds, read the backend's own way."""

from __future__ import annotations

from collections import Counter

from flask import current_app
from sqlalchemy import select

from recrutement.extensions import db
from recrutement.search import index as search_index
from recrutement.search.index import INDEX_NAME, index_directory
from recrutement.search.models import SearchDocument


def on_postgresql() -> bool:
    return current_app.config.get("SEARCH_BACKEND") == "postgresql"


def indexed_ids() -> Counter:
    """How many times each offer id is searchable: live documents of the Whoosh index,
    or rows of the PostgreSQL search table."""
    if on_postgresql():
        return Counter(db.session.scalars(select(SearchDocument.offer_id)))
    index = search_index._storage(index_directory()).open_index(INDEX_NAME)
    with index.searcher() as searcher:
        return Counter(int(fields["id"]) for fields in searcher.all_stored_fields())
