"""The index follows the database: tasks in the same transaction, applied after the commit
(at once outside a request; within one, once its response is sent)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.extensions import db
from recrutement.offers.models import IndexTask, Offer, OfferStatus
from recrutement.search import index as search_index
from recrutement.search.index import (
    apply_pending_tasks,
    index_directory,
    pending_task_count,
)
from recrutement.search.query import SearchParams, search_offers
from tests import factories
from tests.factories import OfferFactory
from tests.search.backends import indexed_ids
from tests.search.processes import finish, run_process


def tasks_of(offer_id: int) -> list[IndexTask]:
    return db.session.scalars(select(IndexTask).where(IndexTask.offer_id == offer_id)).all()


def task_count() -> int:
    return db.session.scalar(select(func.count()).select_from(IndexTask))


def found(text: str = "") -> list[int]:
    return search_offers(SearchParams.from_args({"q": text})).offer_ids


@pytest.fixture
def organisation(referential):
    return factories.OrganisationFactory(commune=referential["quimperle"])


def test_a_new_offer_writes_its_task_in_its_own_transaction(organisation):
    offer = OfferFactory.build(organisation=organisation)
    db.session.add(offer)
    db.session.flush()
    (task,) = tasks_of(offer.id)
    assert task.done_at is None
    db.session.commit()
    assert tasks_of(offer.id)[0].done_at is not None
    assert indexed_ids() == {offer.id: 1}


def test_rollback_leaves_no_task_and_no_index_change(organisation):
    kept = OfferFactory(organisation=organisation)
    before = task_count()

    offer = OfferFactory.build(organisation=organisation, missions="Les friches.")
    db.session.add(offer)
    kept.missions = "Autre chose."
    db.session.flush()
    assert task_count() == before + 2
    db.session.rollback()

    assert task_count() == before
    assert pending_task_count() == 0
    assert indexed_ids() == {kept.id: 1}
    assert found("friches") == [] and found("revitalisation") == [kept.id]
    # Nothing left behind for the next commit to apply.
    db.session.commit()
    assert indexed_ids() == {kept.id: 1}


def test_setting_a_field_to_its_value_writes_no_task(organisation):
    offer = OfferFactory(organisation=organisation)
    before = task_count()
    offer.title = offer.title
    db.session.commit()
    assert task_count() == before


def test_changing_the_towns_covered_reindexes(organisation, referential):
    offer = OfferFactory(organisation=organisation)
    offer.towns.append(referential["mellac"])
    db.session.commit()
    assert found("Mellac") == [offer.id]


def test_renaming_the_organisation_reindexes_its_offers(organisation):
    offer = OfferFactory(organisation=organisation)
    organisation.name = "Quimperlé Communauté"
    db.session.commit()
    assert len(tasks_of(offer.id)) == 2
    assert found("Communauté") == [offer.id]


def test_an_indexing_failure_does_not_undo_the_commit(organisation, monkeypatch):
    def broken(offer_ids, timeout=0.0):
        raise RuntimeError("disk full")

    monkeypatch.setattr(search_index, "try_apply", broken)
    offer = OfferFactory(organisation=organisation)
    assert db.session.get(Offer, offer.id) is not None
    assert pending_task_count() == 1
    monkeypatch.undo()
    assert apply_pending_tasks() == 1
    assert found() == [offer.id]


# --- Within a request ------------------------------------------------------------------


@pytest.fixture
def draft(client, login_as):
    employer = login_as(Role.EMPLOYER)
    offer = OfferFactory(
        organisation=employer.organisation,
        status=OfferStatus.DRAFT,
        title="Chef de projet, friches industrielles",
    )
    db.session.commit()
    return offer


def test_a_request_answers_before_the_index_is_written(client, draft):
    response = client.post(f"/collectivite/offres/{draft.id}/publier")

    # The response is built and returned: the offer is published, its task waits.
    assert response.status_code == 302
    assert response.headers["Location"] == f"/collectivite/offres/{draft.id}"
    assert db.session.get(Offer, draft.id).status == OfferStatus.PUBLISHED
    assert pending_task_count() == 1
    assert found("friches") == []

    # Closed once sent (by the server; here by the test): the index follows.
    response.close()
    assert found("friches") == [draft.id]
    assert pending_task_count() == 0


@pytest.mark.whoosh_only
def test_after_the_response_the_write_waits_a_little_for_the_index_lock(client, draft):
    # Another writer of this process holds the lock for a moment (another request's
    # write, a check of the index): the publication waits for it instead of leaving
    # its task to the worker's next round.
    held, release = threading.Event(), threading.Event()
    directory = index_directory()

    def hold_the_lock() -> None:
        with search_index._index_lock(directory, timeout=0):
            held.set()
            release.wait(timeout=10)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert held.wait(timeout=10)
    response = client.post(f"/collectivite/offres/{draft.id}/publier")
    assert response.status_code == 302
    threading.Timer(0.3, release.set).start()
    response.close()
    holder.join(timeout=10)
    assert pending_task_count() == 0
    assert found("friches") == [draft.id]


def test_a_failure_after_the_response_leaves_the_task_to_the_worker(
    client, draft, monkeypatch, caplog
):
    def broken(offer_ids, timeout=0.0):
        raise RuntimeError("disk full")

    monkeypatch.setattr(search_index, "try_apply", broken)
    response = client.post(f"/collectivite/offres/{draft.id}/publier")
    assert response.status_code == 302
    assert "search index update failed" not in caplog.text

    response.close()  # what the server does once the response is sent: nothing escapes
    assert "search index update failed" in caplog.text
    assert db.session.get(Offer, draft.id).status == OfferStatus.PUBLISHED
    assert pending_task_count() == 1
    assert found("friches") == []
    assert "L'offre est publiée" in client.get(response.headers["Location"]).page

    monkeypatch.undo()
    assert apply_pending_tasks() == 1
    assert found("friches") == [draft.id]


def test_outside_a_request_the_commit_applies_at_once(app, organisation):
    outside = OfferFactory(organisation=organisation, title="Chef de projet, halles")
    db.session.commit()
    assert found("halles") == [outside.id]
    assert pending_task_count() == 0

    # A request that never sends its response leaves its task to the worker.
    with app.test_request_context():
        within = OfferFactory(organisation=organisation, title="Chef de projet, friches")
        db.session.commit()
    assert found("friches") == []
    assert [task.done_at for task in tasks_of(within.id)] == [None]


# --- Several processes ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.real_commits
def test_two_processes_publishing_at_once(app, organisation):
    # The index exists already, as on a running platform.
    first = OfferFactory(organisation=organisation)
    db.session.commit()
    body = """
        offers = [publish(f"Offre {os.getpid()} {n}") for n in range(12)]
        for offer in offers[:3]:
            offer.status = "closed"
            db.session.commit()
    """
    processes = [run_process(app, organisation, body, wait=False) for _ in range(2)]
    for process in processes:
        finish(process)

    while apply_pending_tasks():
        pass
    db.session.expire_all()
    published = set(
        db.session.scalars(select(Offer.id).where(Offer.status == OfferStatus.PUBLISHED))
    )
    assert len(published) == 1 + 2 * 9
    assert first.id in published
    assert indexed_ids() == {offer_id: 1 for offer_id in published}
    assert pending_task_count() == 0
    assert sorted(found("revitalisation")) == sorted(published)


@pytest.mark.slow
@pytest.mark.real_commits
def test_a_process_killed_between_commit_and_indexing(app, organisation):
    OfferFactory(organisation=organisation)
    db.session.commit()
    body = """
        from recrutement.search import index as search_index

        # Dies right after the commit, before it could touch the index.
        search_index.try_apply = lambda offer_ids, timeout=0.0: os._exit(17)
        publish("Chef de projet, friches industrielles")
    """
    finish(run_process(app, organisation, body, wait=False), expected=17)

    offer = db.session.scalar(select(Offer).where(Offer.title.contains("friches")))
    assert offer is not None
    assert [task.done_at for task in tasks_of(offer.id)] == [None]
    assert found("friches") == []

    assert apply_pending_tasks() == 1
    assert found("friches") == [offer.id]
    assert tasks_of(offer.id)[0].done_at is not None
