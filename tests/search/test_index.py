"""The index: documents, the shared searcher, the writer's lock, rebuild and repair."""

from __future__ import annotations

import gc
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from recrutement.extensions import db
from recrutement.offers.models import IndexTask, Offer, OfferStatus
from recrutement.search import index as search_index
from recrutement.search import reader as search_reader
from recrutement.search.documents import offer_document
from recrutement.search.index import (
    INDEX_NAME,
    IndexBusy,
    apply_pending_tasks,
    ensure_index,
    index_directory,
    index_state,
    pending_task_count,
    rebuild_index,
    try_apply,
)
from recrutement.search.query import SearchParams, search_offers
from recrutement.search.sync import queue_reindex
from tests import factories
from tests.factories import OfferFactory
from tests.search.backends import indexed_ids


def found(text: str = "") -> list[int]:
    return search_offers(SearchParams.from_args({"q": text})).offer_ids


@pytest.fixture
def organisation(referential):
    return factories.OrganisationFactory(commune=referential["quimperle"])


def test_document_of_a_published_offer(organisation, referential):
    offer = OfferFactory(
        organisation=organisation,
        towns=[referential["quimperle"], referential["mellac"]],
        application_deadline=date(2031, 3, 9),
        grades="Attaché territorial",
    )
    document = offer_document(offer)
    assert document["id"] == str(offer.id)
    assert (document["region"], document["department"], document["workplace"]) == (
        "53",
        "29",
        "29233",
    )
    assert document["contract_type"] == "project_contract"
    assert document["application_deadline"] == 20310309
    assert document["latitude"] == 47_870_000 and document["longitude"] == -3_550_000
    assert document["organisation"] == "Commune de Quimperlé"
    for text in ("revitalisation", "Attaché territorial", "Mellac", "Contrat de projet"):
        assert text in document["body"]
    assert document["body"] in document["spelling"]


def test_a_draft_has_no_document(organisation):
    with pytest.raises(ValueError):
        offer_document(OfferFactory(organisation=organisation, status=OfferStatus.DRAFT))


def test_only_published_offers_are_indexed(organisation):
    published = OfferFactory(organisation=organisation)
    for status in (OfferStatus.DRAFT, OfferStatus.CLOSED, OfferStatus.FILLED):
        OfferFactory(organisation=organisation, status=status)
    assert indexed_ids() == {published.id: 1}
    assert pending_task_count() == 0


@pytest.mark.whoosh_only
def test_one_searcher_per_process_renewed_when_the_index_changes(organisation):
    offer = OfferFactory(organisation=organisation)
    found()
    first = search_reader._shared._view
    found("revitalisation")
    assert search_reader._shared._view is first

    offer.missions = "La requalification des friches."
    db.session.commit()
    assert found("friches") == [offer.id]
    assert search_reader._shared._view is not first
    # The changed offer is there once, its old text gone.
    assert found() == [offer.id]
    assert found("revitalisation") == []


def test_rebuild_recreates_the_index_from_the_database(organisation):
    offers = [OfferFactory(organisation=organisation) for _ in range(3)]
    OfferFactory(organisation=organisation, status=OfferStatus.DRAFT)
    # A bulk statement goes around the session events: the index drifts.
    db.session.execute(
        update(Offer).where(Offer.id == offers[0].id).values(status=OfferStatus.CLOSED)
    )
    db.session.commit()
    assert offers[0].id in indexed_ids()

    assert rebuild_index() == 2
    assert indexed_ids() == {offers[1].id: 1, offers[2].id: 1}
    assert pending_task_count() == 0


def test_bulk_changes_queue_their_tasks_themselves(organisation):
    offer = OfferFactory(organisation=organisation)
    db.session.execute(update(Offer).where(Offer.id == offer.id).values(status=OfferStatus.CLOSED))
    queue_reindex([offer.id])
    db.session.commit()
    assert indexed_ids() == {}


@pytest.mark.whoosh_only
def test_missing_index_is_rebuilt_whole_not_restarted_with_one_offer(organisation):
    kept = OfferFactory(organisation=organisation)
    shutil.rmtree(index_directory())
    assert index_state() == "absent"
    changed = OfferFactory(organisation=organisation)
    assert indexed_ids() == {kept.id: 1, changed.id: 1}


@pytest.mark.whoosh_only
def test_a_search_rebuilds_a_missing_index(organisation):
    offer = OfferFactory(organisation=organisation)
    search_reader.close_searcher()
    shutil.rmtree(index_directory())
    assert found() == [offer.id]
    assert index_state() == "ok"


def _segment_files() -> list[Path]:
    """Every file of the index's segments (postings, terms, columns, stored fields)."""
    return sorted(index_directory().glob(f"{INDEX_NAME}_*.*"))


@pytest.fixture
def damaged_files_leak():
    """Whoosh leaves a damaged segment's files open; close them here, within the test."""
    yield
    gc.collect()


# Whoosh does not close the files of a segment it fails to read.
tolerates_whoosh_leaks = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


@tolerates_whoosh_leaks
@pytest.mark.whoosh_only
@pytest.mark.parametrize("damage", ["garble", "delete"])
def test_corrupt_index_is_detected_and_repaired(organisation, damage, damaged_files_leak):
    offers = [OfferFactory(organisation=organisation) for _ in range(2)]
    search_reader.close_searcher()
    segments = _segment_files()
    assert segments
    for segment in segments:
        if damage == "garble":
            segment.write_bytes(b"\x00garbage" * 64)
        else:
            segment.unlink()
    assert index_state() == "corrompu"

    assert ensure_index() == "corrompu"
    assert index_state() == "ok"
    assert ensure_index() == "ok"
    assert indexed_ids() == {offer.id: 1 for offer in offers}


@tolerates_whoosh_leaks
@pytest.mark.whoosh_only
def test_a_search_repairs_a_corrupt_index(organisation, damaged_files_leak):
    offer = OfferFactory(organisation=organisation)
    search_reader.close_searcher()
    assert _segment_files()
    for segment in _segment_files():
        segment.write_bytes(b"not a segment")
    assert found("revitalisation") == [offer.id]


@tolerates_whoosh_leaks
@pytest.mark.whoosh_only
def test_a_corrupt_index_hit_by_the_after_commit_hook_is_rebuilt(organisation, damaged_files_leak):
    first = OfferFactory(organisation=organisation)
    search_reader.close_searcher()
    for segment in _segment_files():
        segment.write_bytes(b"not a segment")
    second = OfferFactory(organisation=organisation)
    assert indexed_ids() == {first.id: 1, second.id: 1}


@pytest.mark.whoosh_only
def test_busy_lock_leaves_tasks_to_the_worker(organisation):
    offer = OfferFactory(organisation=organisation)
    with search_index._index_lock(index_directory(), timeout=0):
        offer.missions = "Les friches industrielles."
        db.session.commit()
        assert pending_task_count() == 1
        assert try_apply([offer.id]) is False
        with pytest.raises(IndexBusy):
            apply_pending_tasks(timeout=0.1)
    assert found("friches") == []
    assert apply_pending_tasks() == 1
    assert pending_task_count() == 0
    assert found("friches") == [offer.id]
    assert apply_pending_tasks() == 0


@pytest.mark.whoosh_only
def test_worker_applies_tasks_oldest_first_in_batches(organisation):
    first = OfferFactory(organisation=organisation)
    with search_index._index_lock(index_directory(), timeout=0):
        offers = [OfferFactory(organisation=organisation) for _ in range(5)]
    assert pending_task_count() == 5
    assert apply_pending_tasks(limit=2) == 2
    applied = db.session.scalars(
        select(IndexTask.offer_id)
        .where(IndexTask.done_at.is_not(None), IndexTask.offer_id != first.id)
        .order_by(IndexTask.id)
    ).all()
    assert applied == [offers[0].id, offers[1].id]
    assert apply_pending_tasks() == 3
    assert indexed_ids() == {offer.id: 1 for offer in [first, *offers]}


@pytest.mark.whoosh_only
def test_a_task_for_a_deleted_offer_removes_it(organisation):
    offer = OfferFactory(organisation=organisation)
    with search_index._index_lock(index_directory(), timeout=0):
        db.session.delete(offer)
        db.session.commit()
    assert apply_pending_tasks() == 1
    assert indexed_ids() == {}
    assert db.session.scalar(select(func.count()).select_from(IndexTask)) == 2


def _segments() -> list:
    return search_index._storage(index_directory()).open_index(INDEX_NAME)._segments()


@pytest.mark.whoosh_only
def test_web_writes_leave_merging_to_the_worker(organisation):
    """A write made for a web request adds its segment without merging (the
    publication's own cost stays small) until MAX_UNMERGED_SEGMENTS, and the worker's
    writes merge the small ones (Whoosh's MERGE_SMALL, from 5 segments)."""
    offers = [OfferFactory(organisation=organisation) for _ in range(6)]
    db.session.commit()
    rebuild_index()
    assert len(_segments()) == 1
    for offer in offers:
        offer.title = f"Chef de projet {offer.id} remanié"
        db.session.commit()  # outside a request: applied at once, like a web request's
    assert len(_segments()) == 7

    offers[0].title = "Chef de projet fusionné"
    with search_index._index_lock(index_directory(), timeout=0):
        db.session.commit()  # the lock is held: the task waits for the worker
    assert apply_pending_tasks() == 1
    assert len(_segments()) < 7
    assert found("fusionné") == [offers[0].id]
    assert indexed_ids() == Counter({offer.id: 1 for offer in offers})


@pytest.mark.whoosh_only
def test_too_many_unmerged_segments_are_merged_by_the_next_web_write(organisation, monkeypatch):
    monkeypatch.setattr(search_index, "MAX_UNMERGED_SEGMENTS", 3)
    offers = [OfferFactory(organisation=organisation) for _ in range(7)]
    db.session.commit()
    rebuild_index()
    counts = []
    for offer in offers:
        offer.title = f"Chef de projet {offer.id} revu"
        db.session.commit()
        counts.append(len(_segments()))
    # Without merging: 2, 3, ..., 8 segments.
    assert counts[:2] == [2, 3]
    assert counts[-1] < len(offers) + 1
    assert indexed_ids() == Counter({offer.id: 1 for offer in offers})
