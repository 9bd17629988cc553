"""Which search backend serves this application: SEARCH_BACKEND=whoosh|postgresql.

- "whoosh" (the default): the embedded index on local disk (index.py, reader.py), for
  one host; its writers take turns on a lock file.
- "postgresql": the offers' search documents in PostgreSQL tables (postgresql.py), for
  several web hosts and workers on one database: nothing on local disk, no index lock.

Both answer the same contract (docs/design.md, Offers) through the same entry points:
`index.ensure_index`, `index.rebuild_index`, `index.try_apply`,
`index.apply_pending_tasks`, `index.index_state`, `query.search_offers` and the caches
of cache.py. Those entry points look at the backend here and hand the work over to
postgresql.py when it is chosen; callers do not change.
"""

from __future__ import annotations

from typing import Literal

from flask import current_app

WHOOSH = "whoosh"
POSTGRESQL = "postgresql"
BACKENDS = (WHOOSH, POSTGRESQL)
Backend = Literal["whoosh", "postgresql"]


def search_backend() -> Backend:
    """The backend the current application searches with."""
    name = current_app.config.get("SEARCH_BACKEND") or WHOOSH
    if name not in BACKENDS:
        raise ValueError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    return "postgresql" if name == POSTGRESQL else "whoosh"


def using_postgresql() -> bool:
    return search_backend() == POSTGRESQL
