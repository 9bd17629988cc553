"""The Whoosh index of published offers: its schema, its one writer, its shared searcher.

The database is the source of truth (docs/design.md, "Real parts, not mocks"): every
change to an offer writes an `IndexTask` in its transaction (sync.py), and the
tasks are applied here, at once after the commit when the index lock is free
(`try_apply`) or later by the worker (`apply_pending_tasks`). `rebuild_index`
recreates the whole index from the database.

Writers. Every write to the index happens under one lock file in the index
directory, so that the web processes, the worker and `flask search rebuild`
never write at the same time. A task is marked done in SQL only after the
index commit that applied it: a process that dies in between leaves the task
pending, and applying it again is harmless (a task says "bring offer N up to
date", not what to write).

Readers are in reader.py. A rebuild writes a new index generation, so every
process's searcher sees the change and reopens. A missing or unreadable index is
rebuilt (`ensure_index`) rather than served broken: by the worker, which checks it
at every round, by /healthz, by the next index write, or by a search that cannot be
answered. It is built aside, in STAGING_DIR, and moved in whole, its table of
contents last: until then the other processes keep answering from the version they
have open (reader.py), never from a half-built or empty index.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from flask import current_app
from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session, selectinload
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex
from whoosh.util.filelock import FileLock, try_for

from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.offers.models import IndexTask, Offer, OfferStatus
from recrutement.referential.models import Commune
from recrutement.search import rebuild_parts
from recrutement.search.analysis import french_analyzer
from recrutement.search.backend import using_postgresql
from recrutement.search.documents import offer_document
from recrutement.search.rebuild_writer import RebuildWriter
from recrutement.search.vocabulary import (
    Vocabulary,
    forget_old_vocabularies,
    vocabulary_path,
)

logger = logging.getLogger(__name__)

# The schema's version is in the index name: after a schema change the new code
# finds no index of its name ("absent") and rebuilds it from the database.
INDEX_NAME = "offres_v2"
LOCK_FILE_NAME = "recrutement-index.lock"
# How long the worker and `search rebuild` wait for the index lock.
LOCK_TIMEOUT_SECONDS = 120.0
# Done tasks are kept a week, to see what was indexed when.
DONE_TASKS_KEPT = timedelta(days=7)
# A write made for a web request (after its response) adds its segment without merging
# the small ones, which the worker's writes do; past this many segments it merges too.
MAX_UNMERGED_SEGMENTS = 8
# Where an absent or damaged index is rebuilt before it is moved into the directory.
STAGING_DIR = "rebuild-staging"

IndexState = Literal["ok", "absent", "corrompu"]
FACET_FIELDS = ("region", "department", "contract_type", "experience", "remote_work")


class IndexBusy(Exception):
    """The index lock is held by another writer."""


def build_schema() -> Schema:
    """The fields of an offer's search document (see documents.offer_document).

    The title is stored with the body so that the text an indexed offer added to
    the vocabulary can be taken away again when it changes or leaves (vocabulary.py).
    """
    french = french_analyzer()
    return Schema(
        id=ID(unique=True, stored=True, sortable=True),
        title=TEXT(analyzer=french, field_boost=2.0, stored=True),
        body=TEXT(analyzer=french, stored=True),
        region=ID(sortable=True),
        department=ID(sortable=True),
        contract_type=ID(sortable=True),
        experience=ID(sortable=True),
        remote_work=ID(sortable=True),
        published_at=NUMERIC(int, bits=64, sortable=True),
        application_deadline=NUMERIC(int, bits=32, sortable=True),
        latitude=NUMERIC(int, bits=32, stored=True, sortable=True),
        longitude=NUMERIC(int, bits=32, stored=True, sortable=True),
        workplace=ID(stored=True, sortable=True),
        organisation=STORED(),
    )


SCHEMA = build_schema()
_TOC_FILE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")


def index_directory() -> Path:
    """The index directory of the current application (SEARCH_INDEX_DIR)."""
    return Path(current_app.config["SEARCH_INDEX_DIR"])


def _storage(directory: Path, mmap: bool = True) -> FileStorage:
    """The index's file storage. `mmap=False` reads segments with plain file reads:
    Whoosh then copies nothing at open (a check of the index costs a few milliseconds
    instead of about 60 at 10,000 offers), and a file damaged during the read raises
    an error instead of the SIGBUS a truncated memory-mapped file gives."""
    directory.mkdir(parents=True, exist_ok=True)
    return FileStorage(str(directory), supports_mmap=mmap)


def _has_toc(directory: Path) -> bool:
    return directory.is_dir() and any(_TOC_FILE.match(name) for name in os.listdir(directory))


# --- State and repair -------------------------------------------------------------


def index_state(directory: Path | None = None) -> IndexState:
    """Say whether the index can serve searches: "ok", "absent" or "corrompu".

    Cheap enough for /healthz: it opens the index and reads a little of every
    segment (a document, a term, its postings, a column value) without scanning it.
    """
    directory = directory or index_directory()
    if not _has_toc(directory):
        return "absent"
    try:
        index = _storage(directory, mmap=False).open_index(INDEX_NAME)
        with index.reader() as reader:
            _check_reader(reader)
        if not vocabulary_path(directory, INDEX_NAME, index.latest_generation()).is_file():
            raise FileNotFoundError("the index has no vocabulary for its generation")
    except Exception as error:
        # Only the text: the error's traceback holds the files Whoosh left open on a
        # damaged segment, which the garbage collector closes once it is dropped.
        logger.warning("search index unreadable: %s", repr(error), extra={"dir": str(directory)})
        return "corrompu"
    return "ok"


def _check_reader(reader: Any) -> None:
    if set(reader.schema.names()) != set(SCHEMA.names()):
        raise ValueError("the index was written with another schema")
    for leaf, _offset in reader.leaf_readers():
        total = leaf.doc_count_all()
        for docnum in {0, total - 1} if total else ():
            leaf.stored_fields(docnum)
            leaf.column_reader("id")[docnum]
        for term in islice(leaf.lexicon("body"), 1):
            list(islice(leaf.postings("body", term).all_ids(), 10))


def ensure_index() -> IndexState:
    """Rebuild the index from the database if it is absent or corrupt; return the state found.

    For the worker (at every round: a few milliseconds when the index is sound),
    /healthz and the search itself: a broken index is replaced rather than served.
    With the PostgreSQL backend: build its tables if they never were (postgresql.ensure).
    """
    if using_postgresql():
        from recrutement.search import postgresql

        return postgresql.ensure()
    directory = index_directory()
    state = index_state(directory)
    if state != "ok":
        logger.warning("search index %s: rebuilding it from the database", state)
        with _index_lock(directory, timeout=LOCK_TIMEOUT_SECONDS):
            # Another process may have repaired it while this one waited.
            if index_state(directory) != "ok":
                _rebuild_locked(directory)
    return state


def rebuild_index(processes: int = 1) -> int:
    """Recreate the index from the published offers in the database; return how many.

    The new content replaces the old in one index commit (readers see the old
    index until then), and every task written before the rebuild started is
    marked done. Waits for the index lock (IndexBusy after LOCK_TIMEOUT_SECONDS).
    With `processes` above one, forked children index parts of the offers
    (rebuild_parts.py): only from a process that runs no other thread.
    With the PostgreSQL backend: the same in one transaction, without a lock file
    (`processes` does not apply).
    """
    if using_postgresql():
        from recrutement.search import postgresql

        return postgresql.rebuild()[0]
    directory = index_directory()
    with _index_lock(directory, timeout=LOCK_TIMEOUT_SECONDS):
        count, _tasks = _rebuild_locked(directory, processes=processes)
    return count


def _rebuild_locked(directory: Path, *, processes: int = 1) -> tuple[int, int]:
    """Rebuild under the lock; return how many offers were indexed and tasks marked done.

    A sound index is rebuilt in place (Whoosh replaces its content in one commit); an
    absent or damaged one is built in STAGING_DIR and then moved in (`_publish`).
    """
    if index_state(directory) == "ok":
        target = directory
        index = _storage(directory).open_index(INDEX_NAME)
    else:
        target = directory / STAGING_DIR
        index = _create_fresh(directory, target)
    analysed = {name: SCHEMA[name].analyzer for name in ("title", "body")}
    with Session(db.engine) as session:
        # Read before the offers, so the offers read are at least as new as these
        # tasks. Exactly these are marked done: ids are not committed in order, so
        # "every id up to the largest" could cover a task whose change is not read.
        covered = session.scalars(select(IndexTask.id).where(IndexTask.done_at.is_(None))).all()
        cuts = rebuild_parts.cut_points(session, processes)
        children = [
            rebuild_parts.fork_part(
                # A child writes a segment beside the index, under the parent's lock.
                lambda vocabulary: RebuildWriter(index, analysed, vocabulary, _lk=False),
                after_id,
                up_to_id,
            )
            for after_id, up_to_id in zip([0, *cuts], cuts, strict=False)
        ]
        vocabulary = Vocabulary()
        # The writer counts the words of title and body, which are the spelling text's.
        writer = RebuildWriter(index, analysed, vocabulary, timeout=10.0)
        try:
            count = rebuild_parts.add_offers(writer, session, cuts[-1] if cuts else 0)
            parts = [rebuild_parts.collect(child) for child in children]
            for part in parts:
                count += part.count
                vocabulary.merge(part.vocabulary)
            vocabulary.save(target, INDEX_NAME, writer.generation)
        except BaseException:
            rebuild_parts.stop(children)
            writer.cancel()
            raise
        # The old segments go (as CLEAR does); the children's come first, in id order.
        segments = [part.segment for part in parts if part.segment is not None]
        writer.commit(mergetype=lambda _writer, _old: list(segments))
        if target != directory:
            _publish(target, directory, writer.generation)
        forget_old_vocabularies(directory, INDEX_NAME, writer.generation)
        _mark_done(session, covered)
        session.commit()
    logger.info("search index rebuilt", extra={"offers": count, "processes": len(cuts) + 1})
    return count, len(covered)


def _belongs_to_index(name: str) -> bool:
    return name.startswith((f"_{INDEX_NAME}_", f"{INDEX_NAME}_", f"{INDEX_NAME}-")) and not (
        name.endswith("WRITELOCK")
    )


def _create_fresh(directory: Path, staging: Path) -> FileIndex:
    """An empty index in `staging` (emptied first), under the index lock, to rebuild
    an absent or damaged one in `directory` without touching what is left of it.

    Its generation is above every one found in `directory`, so that a searcher another
    process still holds on the old index sees a change and reopens. When none is found
    (the directory was deleted), it comes from the clock: a process may still hold a
    searcher on the deleted index, whose generation must not come back.
    """
    shutil.rmtree(staging, ignore_errors=True)
    storage = _storage(staging)
    names = os.listdir(directory) if directory.is_dir() else []
    generations = [int(match.group(1)) for name in names if (match := _TOC_FILE.match(name))]
    generation = max(generations) + 1 if generations else int(time.time())
    Vocabulary().save(staging, INDEX_NAME, generation)
    TOC(SCHEMA, [], generation).write(storage, INDEX_NAME)
    return storage.open_index(INDEX_NAME)


def _publish(staging: Path, directory: Path, generation: int) -> None:
    """Move the index rebuilt in `staging` into `directory`, its table of contents last,
    then delete what was left of the old one (processes that have its files open keep
    reading them until they reopen)."""
    toc = f"_{INDEX_NAME}_{generation}.toc"
    vocabulary = vocabulary_path(staging, INDEX_NAME, generation).name
    moved = [
        name
        for name in os.listdir(staging)
        if name == vocabulary or (name.startswith(f"{INDEX_NAME}_") and _belongs_to_index(name))
    ]
    for name in [*moved, toc]:
        os.replace(staging / name, directory / name)
    kept = {*moved, toc}
    for name in os.listdir(directory):
        if _belongs_to_index(name) and name not in kept and (directory / name).is_file():
            (directory / name).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _offers_query() -> Select[tuple[Offer]]:
    return select(Offer).options(
        selectinload(Offer.organisation),
        selectinload(Offer.towns),
        selectinload(Offer.workplace).selectinload(Commune.department),
        selectinload(Offer.workplace).selectinload(Commune.region),
    )


# --- Applying tasks ---------------------------------------------------------------


@contextmanager
def _index_lock(directory: Path, timeout: float) -> Iterator[None]:
    """Hold the index lock; `timeout=0` tries once. Raise IndexBusy when not acquired."""
    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(directory / LOCK_FILE_NAME))
    if not try_for(lambda: lock.acquire(blocking=False), timeout=timeout, delay=0.05):
        raise IndexBusy(str(directory))
    try:
        yield
    finally:
        lock.release()


def try_apply(offer_ids: Iterable[int], timeout: float = 0.0) -> bool:
    """Apply these offers' pending tasks now if the index lock is free at once, or
    within `timeout` seconds.

    Return False, leaving the tasks to the worker, when another writer holds the lock.
    The PostgreSQL backend has no such lock: it applies them, and returns False only when
    another applier holds some of them (postgresql.apply_tasks skips those).
    """
    ids = sorted(set(offer_ids))
    if not ids:
        return True
    if using_postgresql():
        from recrutement.search import postgresql

        postgresql.apply_tasks(ids, limit=None)
        return not postgresql.pending_offers(ids)
    directory = index_directory()
    try:
        with _index_lock(directory, timeout=timeout):
            _apply_locked(directory, offer_ids=ids, limit=None)
    except IndexBusy:
        return False
    return True


def apply_pending_tasks(limit: int = 500, timeout: float = LOCK_TIMEOUT_SECONDS) -> int:
    """Apply up to `limit` pending tasks, oldest first; return how many were applied.

    For the worker: waits for the index lock (IndexBusy after `timeout` seconds).
    Reads each offer as it is now: a published offer is (re)indexed, anything
    else is removed from the index. Tasks are marked done after the index commit.
    """
    with Session(db.engine) as session:
        pending = session.scalar(select(IndexTask.id).where(IndexTask.done_at.is_(None)).limit(1))
    if pending is None:
        return 0
    if using_postgresql():
        from recrutement.search import postgresql

        return postgresql.apply_tasks(None, limit=limit)
    directory = index_directory()
    with _index_lock(directory, timeout=timeout):
        return _apply_locked(directory, offer_ids=None, limit=limit)


def pending_task_count() -> int:
    """How many index tasks wait to be applied (for /healthz and the worker's log)."""
    return (
        db.session.scalar(
            select(func.count()).select_from(IndexTask).where(IndexTask.done_at.is_(None))
        )
        or 0
    )


def _apply_locked(directory: Path, offer_ids: list[int] | None, limit: int | None) -> int:
    if not _has_toc(directory):
        # Applying a few tasks to a new index would make it look complete.
        return _rebuild_locked(directory)[1]
    with Session(db.engine) as session:
        query = (
            select(IndexTask.id, IndexTask.offer_id)
            .where(IndexTask.done_at.is_(None))
            .order_by(IndexTask.id)
        )
        if offer_ids is not None:
            query = query.where(IndexTask.offer_id.in_(offer_ids))
        if limit is not None:
            query = query.limit(limit)
        tasks = session.execute(query).all()
        if not tasks:
            return 0
        # Read after the tasks: each offer is at least as new as its tasks say.
        ids = sorted({task.offer_id for task in tasks})
        offers = {
            offer.id: offer for offer in session.scalars(_offers_query().where(Offer.id.in_(ids)))
        }
        try:
            # The worker merges small segments; a web process writing right after its
            # response does not, unless too many have piled up.
            merge = offer_ids is None or _segment_count(directory) >= MAX_UNMERGED_SEGMENTS
            _write(directory, ids, offers, merge=merge)
        except Exception:
            if index_state(directory) == "ok":
                raise
            session.rollback()
            return _rebuild_locked(directory)[1]
        _mark_done(session, [task.id for task in tasks])
        if offer_ids is None:
            session.execute(delete(IndexTask).where(IndexTask.done_at < utcnow() - DONE_TASKS_KEPT))
        session.commit()
    return len(tasks)


def _mark_done(session: Session, task_ids: Sequence[int]) -> None:
    now = utcnow()
    for start in range(0, len(task_ids), 1000):
        chunk = task_ids[start : start + 1000]
        session.execute(update(IndexTask).where(IndexTask.id.in_(chunk)).values(done_at=now))


def _segment_count(directory: Path) -> int:
    return len(_storage(directory).open_index(INDEX_NAME)._segments())


def _write(directory: Path, ids: list[int], offers: dict[int, Offer], merge: bool = True) -> None:
    """Bring these offers up to date in the index and in its vocabulary, in one commit.

    Each offer's change to the vocabulary is computed from the document the index
    holds now, so writing the same offers again after a crash changes nothing.
    """
    index = _storage(directory).open_index(INDEX_NAME)
    writer = index.writer(timeout=10.0)
    try:
        vocabulary = Vocabulary.load(directory, INDEX_NAME, writer.generation - 1)
        searcher = writer.searcher()
        for offer_id in ids:
            for indexed in searcher.documents(id=str(offer_id)):
                vocabulary.remove(f"{indexed['title']}\n{indexed['body']}")
            offer = offers.get(offer_id)
            if offer is not None and offer.status == OfferStatus.PUBLISHED:
                document = offer_document(offer)
                vocabulary.add(document.pop("spelling"))
                writer.update_document(**document)
            else:
                writer.delete_by_term("id", str(offer_id))
        vocabulary.save(directory, INDEX_NAME, writer.generation)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=merge)
    forget_old_vocabularies(directory, INDEX_NAME, writer.generation)
