"""Search results kept for the index version they were computed on.

Popular searches repeat ("chef de projet", the page without words) and the index
changes a few times a day, so each process keeps its last results, at most
SEARCH_CACHE_SIZE of them (least recently used out; 0 turns the cache off).

A result depends on three things only: the validated parameters, the Paris date
(an offer leaves the results the day after its deadline) and the index the
searcher reads. The first two are the key. The third is the IndexView itself (the
PostgreSQL backend: a PostgresView per version of its tables, postgresql.py):
reader.with_index_view hands out a new view whenever the index on disk has a new
generation (any publication, change, withdrawal or rebuild, by any process), and
the first lookup with a new view empties the cache. So no process serves a result
older than the index it reads, and nothing else has to remember to invalidate it.

The search page and the API also keep what they make of a result, the same way
(`cached_on_current_view`, SEARCH_PAGE_CACHE_SIZE entries): the page's HTML
fragments and the API's JSON body. They are derived from the result and from the
offers it names, and every change of an offer (or of its organisation's name)
writes an index task whose application gives the index a new generation, hence a
new view: so they are exactly as fresh as the result itself.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import current_app

from recrutement.search.backend import using_postgresql
from recrutement.search.reader import with_index_view

T = TypeVar("T")

DEFAULT_SIZE = 512
# A rendered page weighs about 35 KB: 256 of them, about 9 MB per process.
DEFAULT_PAGE_SIZE = 256


class ResultCache(Generic[T]):
    """Values computed on one IndexView, by key; emptied when the view changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # An IndexView (Whoosh) or a PostgresView (postgresql.py): compared by identity.
        self._view: object | None = None
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        # A forked child (a gunicorn worker) starts empty: the parent's lock may have
        # been held when it forked, and its views are not the child's.
        forget = weakref.WeakMethod(self._forget_after_fork)

        def forget_in_child() -> None:
            if (method := forget()) is not None:
                method()

        os.register_at_fork(after_in_child=forget_in_child)

    def get(self, view: object, key: Hashable, size: int, compute: Callable[[], T]) -> T:
        """The value of `key` on `view`, computed by `compute` unless kept from before."""
        if size <= 0:
            return compute()
        with self._lock:
            if self._view is not view:
                # Held by reference, so a new view can never be mistaken for the old one.
                self._entries.clear()
                self._view = view
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()
        with self._lock:
            if self._view is view:
                self._entries[key] = value
                while len(self._entries) > size:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every value (and the view they were computed on)."""
        with self._lock:
            self._entries.clear()
            self._view = None

    def __len__(self) -> int:
        return len(self._entries)

    def _forget_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._entries = OrderedDict()
        self._view = None


def page_cache_size() -> int:
    """How many rendered search pages (or API bodies) a process keeps: 0 when either
    SEARCH_PAGE_CACHE_SIZE or SEARCH_CACHE_SIZE is 0, so turning the result cache
    off for a measurement or an investigation turns this one off too."""
    config = current_app.config
    if config.get("SEARCH_CACHE_SIZE", DEFAULT_SIZE) <= 0:
        return 0
    return int(config.get("SEARCH_PAGE_CACHE_SIZE", DEFAULT_PAGE_SIZE))


def cached_on_current_view(cache: ResultCache[T], key: Hashable, compute: Callable[[], T]) -> T:
    """The value of `key` on the index view this process reads now, computed by
    `compute` unless kept from before (page_cache_size() entries at most).

    `compute` searches on its own (search_offers), after the view was taken: if the
    index changed in between, its newer value is kept under the older view, which
    no later request reads again (views only move forward), so nothing is served
    older than the index.
    """
    size = page_cache_size()
    if size <= 0:
        return compute()
    view: object
    if using_postgresql():
        from recrutement.search.postgresql import current_view

        view = current_view()
    else:
        view = with_index_view(lambda view: view)
    return cache.get(view, key, size, compute)
