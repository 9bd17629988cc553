"""A full rebuild spread over several processes, each indexing a range of offers.

Analysing the offers and gathering their postings is pure Python: one process
uses one core. With `processes` above one (the command line asks for the cores
it may use), the published offers are cut into that many ranges of ids of equal
size. A forked child indexes each range but the last into a segment of its own,
written beside the index's files without taking the index's write lock (the
parent holds it, so nothing else writes meanwhile), and sends back that segment
and the vocabulary of its offers through a pipe. The parent indexes the last
range with its own writer, then commits the children's segments before its own:
the index lists every offer in id order, as a rebuild in one process does, and
searches read several segments as they do after any incremental write.

A child that fails fails the rebuild (RebuildFailed) before the index commit: the
index is unchanged, and the child's segment files, listed in no table of contents,
go at the next commit's cleanup.

Forking is for the command line (`flask search rebuild`, `demo seed`, `backup
restore`): a process running threads (a web server, the worker) rebuilds alone.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.search.documents import facts_document, published_offer_facts
from recrutement.search.rebuild_writer import RebuildWriter
from recrutement.search.vocabulary import Vocabulary

REBUILD_BATCH = 500
# Below this many offers a rebuild takes a few seconds in one process: a fork and
# one more segment would save little.
PARALLEL_MIN_OFFERS = 2000


class RebuildFailed(RuntimeError):
    """A child process of a rebuild failed; the message carries its traceback."""


@dataclass
class Part:
    """What a child indexed: how many offers, its segment and their vocabulary."""

    count: int
    segment: Any
    vocabulary: Vocabulary


def add_offers(
    writer: RebuildWriter, session: Session, after_id: int = 0, up_to_id: int | None = None
) -> int:
    """Add the published offers with an id in (after_id, up_to_id] to `writer`, in id
    order; return how many."""
    count = 0
    for facts in published_offer_facts(session, REBUILD_BATCH, after_id, up_to_id):
        document = facts_document(facts)
        # Its words go to the vocabulary the writer counts, not to a field.
        del document["spelling"]
        writer.add_document(**document)
        count += 1
    return count


def cut_points(session: Session, processes: int) -> list[int]:
    """The last id of each range but the last, for `processes` ranges of equal size;
    none (one range) for one process or fewer than PARALLEL_MIN_OFFERS offers."""
    if processes < 2:
        return []
    ids = session.scalars(
        select(Offer.id).where(Offer.status == OfferStatus.PUBLISHED).order_by(Offer.id)
    ).all()
    if len(ids) < PARALLEL_MIN_OFFERS:
        return []
    return [ids[len(ids) * part // processes - 1] for part in range(1, processes)]


@dataclass
class _Child:
    pid: int
    pipe: int


def fork_part(
    make_writer: Callable[[Vocabulary], RebuildWriter], after_id: int, up_to_id: int
) -> _Child:
    """Start a child indexing the offers in (after_id, up_to_id] with `make_writer`'s
    writer (which must not take the index lock); `collect` gets its Part."""
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return _Child(pid, read)
    # The child: nothing of the parent's may run here (no atexit, no finally of the
    # caller's frames), hence os._exit in every case.
    status = 1
    try:
        os.close(read)
        # The pooled connections are the parent's: leave them, open new ones.
        db.engine.dispose(close=False)
        try:
            vocabulary = Vocabulary()
            writer = make_writer(vocabulary)
            with Session(db.engine) as session:
                count = add_offers(writer, session, after_id, up_to_id)
            # Not the writer's _finish: it would remove the temporary directory the
            # parent's writer shares (the child's own temporary files are gone by now).
            segment = writer._finalize_segment() if count else None
            message: tuple[str, Any] = (
                "ok",
                (count, segment, vocabulary.counts, vocabulary.forms),
            )
            status = 0
        except BaseException:
            message = ("error", traceback.format_exc())
        with os.fdopen(write, "wb") as pipe:
            pickle.dump(message, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(status)


def collect(child: _Child) -> Part:
    """Wait for `child` and return what it indexed; raise RebuildFailed if it failed."""
    with os.fdopen(child.pipe, "rb") as pipe:
        # Read to the end before waiting: a child blocked on a full pipe never exits.
        payload = pipe.read()
    child.pipe = -1
    _pid, status = os.waitpid(child.pid, 0)
    if not payload:
        raise RebuildFailed(f"un processus de reconstruction s'est arrêté (statut {status})")
    # Written by our own forked child through a pipe only the two processes hold.
    kind, content = pickle.loads(payload)  # noqa: S301
    if kind != "ok":
        raise RebuildFailed(f"un processus de reconstruction a échoué :\n{content}")
    count, segment, counts, forms = content
    return Part(count, segment, Vocabulary(counts, forms))


def stop(children: list[_Child]) -> None:
    """End children whose work is no longer wanted (the parent failed)."""
    for child in children:
        try:
            os.kill(child.pid, 9)
            os.waitpid(child.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        if child.pipe >= 0:
            os.close(child.pipe)
            child.pipe = -1
