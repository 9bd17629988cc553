"""Reading the index: each process's one searcher and what searches need from its columns.

Each process keeps one searcher, replaced when the index has changed (not opened
per request), with what searches need from its columns (IndexView). Whoosh readers
are not safe to share between threads, so the searches of one process take turns
on it; with the sync gunicorn workers of production there is one thread per process
anyway. A search that finds the index missing or broken has it rebuilt once
(`with_index_view`).

Damage while serving. Segment files never change once written, and the searcher
reads them through memory maps: a segment truncated under it would kill the process
(SIGBUS) at the next read. So before each use the view's segment files are compared
with what they were when it opened (a stat each): a changed one makes the search
repair the index (IndexDamaged) instead of reading it. An index that can no longer be
opened (directory deleted, table of contents unreadable) while the view's own files
are intact does not stop the process: it keeps answering from the version it has
open (deleted files stay readable while open) until the index is rebuilt, which the
worker does at its next round (index.ensure_index).
"""

from __future__ import annotations

import logging
import math
import operator
import os
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from whoosh.index import FileIndex

from recrutement.search.documents import COORDINATE_SCALE, MISSING_COORDINATE
from recrutement.search.index import (
    FACET_FIELDS,
    INDEX_NAME,
    _storage,
    ensure_index,
    index_directory,
)

logger = logging.getLogger(__name__)

# A segment file's identity and content as far as a stat can tell.
FileStamp = tuple[int, int, int]


class IndexDamaged(Exception):
    """A segment file of the index version a process has open changed under it."""


class IndexView:
    """One searcher and what searches need from its columns, read once per index version.

    Arrays are indexed by Whoosh document number; deleted documents are left out
    of `live` and of every set built from it.
    """

    def __init__(self, searcher: Any, directory: Path | None = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self._sets: dict[tuple[str, str], frozenset[int]] = {}
        self._open: tuple[int, frozenset[int]] | None = None
        # What other modules compute once per index version (ranking.py).
        self.memo: dict[str, Any] = {}
        self._files = _segment_stamps(directory, self.reader) if directory else {}
        # Whether this view has already said it outlives its index (logged once).
        self.orphaned = False

    def close(self) -> None:
        self.searcher.close()

    def changed_files(self) -> list[str]:
        """The view's segment files that are no longer what it opened (rewritten,
        truncated, replaced). A deleted one is not changed: the view still reads it."""
        changed = []
        for path, stamp in self._files.items():
            try:
                now = os.stat(path)
            except FileNotFoundError:
                continue
            if (now.st_ino, now.st_size, now.st_mtime_ns) != stamp:
                changed.append(os.path.basename(path))
        return changed

    def _column(self, name: str, missing: object = None) -> list[Any]:
        values: list[Any] = []
        for leaf, _offset in self.reader.leaf_readers():
            values.extend(_segment_column(leaf, name, missing))
        return values

    @cached_property
    def live(self) -> frozenset[int]:
        return frozenset(self.reader.all_doc_ids())

    @cached_property
    def offer_ids(self) -> list[int]:
        return [int(value) if value else 0 for value in self._column("id", "")]

    @cached_property
    def published_at(self) -> list[int]:
        return self._column("published_at", 0)

    @cached_property
    def deadlines(self) -> list[int]:
        return self._column("application_deadline", 0)

    @cached_property
    def newest_first(self) -> list[int]:
        """The live documents, most recently published first (then highest offer id)."""
        published, ids = self.published_at, self.offer_ids
        return sorted(self.live, key=lambda doc: (published[doc], ids[doc]), reverse=True)

    @cached_property
    def by_deadline(self) -> list[int]:
        """The live documents, closest deadline first (then most recently published,
        then highest offer id)."""
        deadlines, published, ids = self.deadlines, self.published_at, self.offer_ids
        return sorted(self.live, key=lambda doc: (deadlines[doc], -published[doc], -ids[doc]))

    @cached_property
    def facet_values(self) -> dict[str, list[str]]:
        return {name: self._column(name, "") for name in FACET_FIELDS}

    @cached_property
    def _facet_codes(self) -> dict[str, tuple[bytes, tuple[str, ...]]]:
        # Each facet's value as one byte a document, and the value each byte stands for.
        codes = {}
        for name, values in self.facet_values.items():
            vocabulary = tuple(sorted(set(values)))
            if len(vocabulary) <= 256:
                number = {value: code for code, value in enumerate(vocabulary)}
                codes[name] = (bytes(map(number.__getitem__, values)), vocabulary)
        return codes

    def count_values(self, facet: str, documents: Collection[int]) -> dict[str, int]:
        """How many of `documents` have each non-empty value of `facet`.

        The documents' codes are gathered into bytes by one itemgetter call, then
        counted in C: by bytes.count for a few values, by a Counter for many.
        """
        coded = self._facet_codes.get(facet)
        if coded is None:
            counts = Counter(map(self.facet_values[facet].__getitem__, documents))
        else:
            column, vocabulary = coded
            if len(documents) > 1:
                gathered = bytes(operator.itemgetter(*documents)(column))
            else:
                gathered = bytes(column[doc] for doc in documents)
            if len(vocabulary) <= 32:
                by_code = {code: gathered.count(code) for code in range(len(vocabulary))}
            else:
                by_code = Counter(gathered)
            counts = Counter({vocabulary[code]: n for code, n in by_code.items() if n})
        counts.pop("", None)
        return counts

    def docs_with(self, facet: str, value: str) -> frozenset[int]:
        """The live documents whose `facet` field is `value`."""
        key = (facet, value)
        if key not in self._sets:
            values = self.facet_values[facet]
            self._sets[key] = frozenset(doc for doc in self.live if values[doc] == value)
        return self._sets[key]

    def open_docs(self, today: int) -> frozenset[int]:
        """The live documents whose application deadline (YYYYMMDD) is today or later."""
        if self._open is None or self._open[0] != today:
            deadlines = self.deadlines
            self._open = (today, frozenset(doc for doc in self.live if deadlines[doc] >= today))
        return self._open[1]

    @cached_property
    def communes(self) -> dict[str, tuple[float, float, list[int]]]:
        """Each workplace commune's coordinates (degrees) and live documents."""
        workplaces = self._column("workplace", "")
        latitudes = self._column("latitude", MISSING_COORDINATE)
        longitudes = self._column("longitude", MISSING_COORDINATE)
        documents: dict[str, list[int]] = defaultdict(list)
        coordinates: dict[str, tuple[float, float]] = {}
        for doc in sorted(self.live):
            code = workplaces[doc]
            documents[code].append(doc)
            if code not in coordinates and latitudes[doc] != MISSING_COORDINATE:
                coordinates[code] = (
                    latitudes[doc] / COORDINATE_SCALE,
                    longitudes[doc] / COORDINATE_SCALE,
                )
        return {
            code: (*coordinates[code], docs)
            for code, docs in documents.items()
            if code in coordinates
        }

    def docs_within(self, latitude: float, longitude: float, radius_km: float) -> set[int]:
        """The live documents whose workplace is at most `radius_km` from the point."""
        return set(self.distances_within(latitude, longitude, radius_km))

    def distances_within(
        self, latitude: float, longitude: float, radius_km: float
    ) -> dict[int, float]:
        """{document: distance in km from the point to its workplace}, for the live
        documents at most `radius_km` away."""
        # A bounding box first spares the trigonometry for most communes.
        delta_latitude = radius_km / 111.2
        delta_longitude = radius_km / (111.2 * max(math.cos(math.radians(latitude)), 0.01))
        found: dict[int, float] = {}
        for commune_latitude, commune_longitude, docs in self.communes.values():
            if abs(commune_latitude - latitude) > delta_latitude:
                continue
            if abs(commune_longitude - longitude) > delta_longitude:
                continue
            distance = haversine_km(latitude, longitude, commune_latitude, commune_longitude)
            if distance <= radius_km:
                found.update(dict.fromkeys(docs, distance))
        return found


# A segment never changes once written (deletions are kept apart), so its column
# values are read once and reused by the next index versions.
_segment_columns: dict[tuple[str, str], list[Any]] = {}


def _segment_column(leaf: Any, name: str, missing: object) -> list[Any]:
    segment = leaf.segment()
    count = leaf.doc_count_all()
    if segment is None or not count:
        return []
    key = (segment.segment_id(), name)
    if key not in _segment_columns:
        if len(_segment_columns) > 2000:
            _segment_columns.clear()
        # A segment where no document has the field has no column.
        _segment_columns[key] = (
            list(leaf.column_reader(name)) if leaf.has_column(name) else [missing] * count
        )
    return _segment_columns[key]


def _segment_stamps(directory: Path, reader: Any) -> dict[str, FileStamp]:
    """{path: (inode, size, modification time)} of the files of the reader's segments."""
    segment_ids = set()
    for leaf, _offset in reader.leaf_readers():
        segment = leaf.segment()
        if segment is not None:
            segment_ids.add(segment.segment_id())
    stamps = {}
    # A segment's files are named after its id ("offres_v2_<random>") and an extension.
    for name in os.listdir(directory):
        if name.split(".", 1)[0] in segment_ids:
            path = os.path.join(directory, name)
            try:
                stat = os.stat(path)
            except FileNotFoundError:  # merged away by a writer meanwhile
                continue
            stamps[path] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return stamps


def haversine_km(latitude1: float, longitude1: float, latitude2: float, longitude2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(latitude1), math.radians(latitude2)
    delta_phi = phi2 - phi1
    delta_lambda = math.radians(longitude2 - longitude1)
    a = (
        math.sin(delta_phi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(delta_lambda / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


class _SharedSearcher:
    """This process's searcher: opened once, refreshed when the index changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: FileIndex | None = None
        self._view: IndexView | None = None
        self._directory: Path | None = None

    @contextmanager
    def view(self, directory: Path) -> Iterator[IndexView]:
        with self._lock:
            yield self._current(directory)

    def _current(self, directory: Path) -> IndexView:
        if self._view is not None and self._directory != directory:
            self._close()
        if self._view is None:
            self._index = _storage(directory).open_index(INDEX_NAME)
            self._view = IndexView(self._index.searcher(), directory)
            self._directory = directory
            return self._view
        changed = self._view.changed_files()
        if changed:
            # Read no further: a truncated file would kill the process.
            raise IndexDamaged(f"segment files changed under the searcher: {changed}")
        if not self._view.searcher.up_to_date():
            # Not searcher.refresh(): in whoosh-reloaded 2.7.5 the refreshed reader
            # keeps the old reader's segments next to the new ones, so a changed
            # offer would be found twice and a closed one still found. A new
            # searcher costs a few milliseconds; the postings read from segments
            # that did not change stay cached (ranking.py).
            stale = self._view
            assert self._index is not None  # opened with the view
            try:
                self._view = IndexView(self._index.searcher(), directory)
            except Exception as error:
                # The index can no longer be opened, but this version's files are
                # intact (checked above): answer from it until the index is rebuilt.
                if not stale.orphaned:
                    stale.orphaned = True
                    logger.warning(
                        "search index unreadable: answering from the version open in "
                        "this process until it is rebuilt",
                        extra={"error": repr(error), "generation": stale.reader.generation()},
                    )
                return stale
            stale.close()
        return self._view

    def _close(self) -> None:
        if self._view is not None:
            try:
                self._view.close()
            except Exception:
                logger.debug("closing a searcher failed", exc_info=True)
        self._index = None
        self._view = None
        self._directory = None

    def reset(self) -> None:
        """Forget the searcher: the next search opens the index again."""
        with self._lock:
            self._close()

    def forget_after_fork(self) -> None:
        # The parent's searcher and lock are not this process's: start afresh.
        self._lock = threading.Lock()
        self._index = None
        self._view = None
        self._directory = None


_shared = _SharedSearcher()
os.register_at_fork(after_in_child=_shared.forget_after_fork)

T = TypeVar("T")


def with_index_view(search: Callable[[IndexView], T]) -> T:
    """Run `search` on this process's searcher, repairing a missing or broken index once."""
    directory = index_directory()
    try:
        with _shared.view(directory) as view:
            return search(view)
    except Exception as error:
        # ensure_index checks the index first and rebuilds it only if it is absent or
        # damaged. A sound index under a view whose files changed: only reopen it.
        if ensure_index() == "ok" and not isinstance(error, IndexDamaged):
            raise
    _shared.reset()
    with _shared.view(directory) as view:
        return search(view)


def close_searcher() -> None:
    """Close this process's searcher (tests, and processes that stop searching)."""
    _shared.reset()
