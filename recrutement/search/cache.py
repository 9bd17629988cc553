"""Search results kept for the index version they were computed on.

Popular searches repeat ("chef de projet", the page without words) and the index
changes a few times a day, so each process keeps its last results, at most
SEARCH_CACHE_SIZE of them (least recently used out; 0 turns the cache off).

A result depends on three things only: the validated parameters, the Paris date
(an offer leaves the results the day after its deadline) and the index the
searcher reads. The first two are the key. The third is the IndexView itself:
reader.with_index_view hands out a new view whenever the index on disk has a new
generation (any publication, change, withdrawal or rebuild, by any process), and
the first lookup with a new view empties the cache. So no process serves a result
older than the index it reads, and nothing else has to remember to invalidate it.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from recrutement.search.reader import IndexView

T = TypeVar("T")

DEFAULT_SIZE = 512


class ResultCache(Generic[T]):
    """Values computed on one IndexView, by key; emptied when the view changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._view: IndexView | None = None
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        # A forked child (a gunicorn worker) starts empty: the parent's lock may have
        # been held when it forked, and its views are not the child's.
        forget = weakref.WeakMethod(self._forget_after_fork)

        def forget_in_child() -> None:
            if (method := forget()) is not None:
                method()

        os.register_at_fork(after_in_child=forget_in_child)

    def get(self, view: IndexView, key: Hashable, size: int, compute: Callable[[], T]) -> T:
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
