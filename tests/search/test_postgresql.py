"""The PostgreSQL search backend's own parts (search/postgresql.py): the same answers as
Whoosh on the same offers, its tables kept exact by tasks and by a rebuild, tasks
applied once by concurrent appliers, nothing on local disk.

Runs only when TEST_DATABASE_URL points at PostgreSQL (`postgresql_only`); the rest of
tests/search runs on both backends.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text

from recrutement import create_app
from recrutement.config import ConfigurationError
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.offers.models import ContractType, Experience, IndexTask, OfferStatus, RemoteWork
from recrutement.search import postgresql
from recrutement.search.index import (
    apply_pending_tasks,
    index_directory,
    pending_task_count,
    rebuild_index,
    try_apply,
)
from recrutement.search.models import SearchDocument, SearchWord, SearchWordForm
from recrutement.search.query import SearchParams, search_offers
from recrutement.search.vocabulary import Vocabulary
from tests import factories
from tests.factories import OfferFactory

pytestmark = pytest.mark.postgresql_only

MISSIONS = [
    "Vous pilotez l'aménagement du centre-bourg et la mobilité douce.",
    "La rénovation de l'habitat ancien, la lutte contre la vacance des logements.",
    "Les mobilités, le covoiturage et les liaisons cyclables du cœur de ville.",
    "La reconquête des friches industrielles et l'urbanisme opérationnel.",
    "Le développement du numérique, des tiers-lieux et de l'économie sociale.",
    "Une infirmière coordinatrice pour la maison de santé ; le commerce de proximité.",
]

# Searches as the public parameters give them: words, operators, phrases, stop words,
# misspellings, filters, distance, sorts, pages.
SEARCHES = [
    {},
    {"q": "amenagement"},
    {"q": "aménagements"},
    {"q": "mobilites"},
    {"q": "MOBILITÉ"},
    {"q": "infirmier"},
    {"q": "infirmieres"},
    {"q": "coeur"},
    {"q": "chef de projet"},
    {"q": "de la"},
    {"q": "habitat OU commerce"},
    {"q": "habitat OR friches OU numérique"},
    {"q": "urbanisme SAUF habitat"},
    {"q": "revitalisation ET mobilité"},
    {"q": "SAUF habitat"},
    {"q": '"cœur de ville"'},
    {"q": '"ville de cœur"'},
    {"q": '"Petites villes"'},
    {"q": "(habitat OU friches) revitalisation"},
    {"q": "Quimperlé"},
    {"q": "Finistère"},
    {"q": "Bretagne urbanisme"},
    {"q": "attaché territorial"},
    {"q": "amenagment"},
    {"q": "mobilté renovaton"},
    {"q": "frichse"},
    {"q": "xyzzy"},
    {"q": "l'aménagement"},
    {"region": "53"},
    {"departement": "29", "contrat": "project_contract"},
    {"contrat": "permanent", "q": "numérique"},
    {"experience": "senior"},
    {"teletravail": "none", "region": "53"},
    {"commune": "29233", "rayon": "30"},
    {"commune": "29233", "rayon": "100", "q": "mobilité"},
    {"commune": "29233", "rayon": "200", "tri": "distance"},
    {"commune": "29233", "rayon": "200", "region": "53"},
    {"tri": "date_limite"},
    {"tri": "date"},
    {"q": "urbanisme", "tri": "date"},
    {"q": "urbanisme", "tri": "date_limite", "par_page": "2", "page": "2"},
    {"par_page": "3", "page": "2"},
    {"par_page": "3", "page": "9"},
]


@pytest.fixture
def offers(referential):
    referential["quimperle"].latitude, referential["quimperle"].longitude = 47.872, -3.550
    referential["landerneau"].latitude, referential["landerneau"].longitude = 48.451, -4.252
    referential["commercy"].latitude, referential["commercy"].longitude = 48.764, 5.592
    db.session.commit()
    organisations = [
        factories.OrganisationFactory(commune=referential[name])
        for name in ("quimperle", "landerneau", "commercy", "ploermel")
    ]
    contracts = list(ContractType)
    experiences = list(Experience)
    remote = list(RemoteWork)
    now = utcnow()
    created = []
    for number in range(18):
        created.append(
            OfferFactory(
                organisation=organisations[number % 4],
                title=(
                    "Chef de projet Petites villes de demain"
                    if number % 3
                    else f"Cheffe de projet revitalisation n° {number}"
                ),
                missions=MISSIONS[number % len(MISSIONS)] + " " + MISSIONS[(number * 5) % 6],
                contract_type=contracts[number % len(contracts)],
                experience=experiences[number % len(experiences)],
                remote_work=remote[number % len(remote)],
                # Equal dates for some: the ties are broken by offer id.
                published_at=now - timedelta(days=number % 5),
                application_deadline=paris_today() + timedelta(days=31 + number % 4),
            )
        )
    created[0].workplace = referential["mellac"]  # no known position
    created[1].status = OfferStatus.CLOSED
    db.session.commit()
    return created


def answers(app, backend: str, args: dict[str, str]) -> dict:
    """What a search answers on one backend, as the pages and the API use it."""
    app.config["SEARCH_BACKEND"] = backend
    results = search_offers(SearchParams.from_args(args))
    ordered = results.sort != "pertinence"
    return {
        "total": results.total,
        # By relevance the order is each backend's (BM25F or ts_rank): the hits of the
        # page are compared as a set only when the page holds every match.
        "ids": results.offer_ids if ordered else sorted(results.offer_ids),
        "excerpts": {hit.offer_id: str(hit.excerpt) for hit in results.hits},
        "distances": {hit.offer_id: hit.distance_km for hit in results.hits},
        "facets": results.facets,
        "suggestion": results.suggestion,
        "sort": results.sort,
        "scored": [hit.score is not None and hit.score >= 0 for hit in results.hits]
        if not ordered
        else [hit.score is None for hit in results.hits],
    }


def test_both_backends_answer_the_same(app, offers):
    app.config["SEARCH_BACKEND"] = "whoosh"
    assert rebuild_index() == 17
    app.config["SEARCH_BACKEND"] = "postgresql"
    assert rebuild_index() == 17
    differences = {}
    matched = 0
    for args in SEARCHES:
        whoosh = answers(app, "whoosh", args)
        postgres = answers(app, "postgresql", args)
        if whoosh != postgres:
            differences[str(args)] = (whoosh, postgres)
        matched += whoosh["total"] > 0
    assert differences == {}
    # The searches are not vacuous: most find offers, and some find none.
    assert len(SEARCHES) - 6 <= matched < len(SEARCHES)


def test_relevance_puts_the_most_relevant_first_on_both(app, offers):
    OfferFactory(
        organisation=offers[2].organisation,
        title="Chef de projet urbanisme",
        missions="Urbanisme, urbanisme, urbanisme réglementaire.",
    )
    db.session.commit()
    for backend in ("whoosh", "postgresql"):
        app.config["SEARCH_BACKEND"] = backend
        results = search_offers(SearchParams.from_args({"q": "urbanisme"}))
        assert results.hits[0].excerpt_text.startswith("Urbanisme, urbanisme"), backend
        scores = [hit.score for hit in results.hits]
        assert scores == sorted(scores, reverse=True)


def table_contents() -> dict:
    documents = {
        row.offer_id: (row.title, row.body, row.terms, row.region, row.published_at)
        for row in db.session.scalars(select(SearchDocument))
    }
    words = dict(db.session.execute(select(SearchWord.word, SearchWord.documents)).all())
    forms = {
        (row.word, row.form): row.documents for row in db.session.scalars(select(SearchWordForm))
    }
    return {"documents": documents, "words": words, "forms": forms}


def expected_vocabulary() -> Vocabulary:
    from recrutement.offers.models import Offer
    from recrutement.search.documents import offer_document

    vocabulary = Vocabulary()
    for offer in db.session.scalars(select(Offer).where(Offer.status == OfferStatus.PUBLISHED)):
        vocabulary.add(offer_document(offer)["spelling"])
    return vocabulary


def test_a_rebuild_writes_what_the_tasks_wrote_one_by_one(offers):
    offers[2].missions = "La revitalisation du centre-ville et de ses commerces."
    offers[3].status = OfferStatus.CLOSED
    db.session.commit()
    offers[4].title = "Cheffe de projet Petites villes de demain"
    db.session.delete(offers[5])
    db.session.commit()
    assert pending_task_count() == 0
    incremental = table_contents()
    suggested = search_offers(SearchParams.from_args({"q": "amenagment frichse"})).suggestion
    assert suggested == "aménagement friches"

    assert rebuild_index() == 15
    rebuilt = table_contents()
    assert rebuilt == incremental
    assert len(rebuilt["documents"]) == 15
    vocabulary = expected_vocabulary()
    assert rebuilt["words"] == vocabulary.counts
    assert rebuilt["forms"] == {
        (word, form): n for word, written in vocabulary.forms.items() for form, n in written.items()
    }


def test_the_word_counts_follow_a_change_and_a_withdrawal(referential):
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    kept = OfferFactory(organisation=organisation, missions="La mobilité douce.")
    leaving = OfferFactory(organisation=organisation, missions="Les friches industrielles.")
    assert search_offers(SearchParams.from_args({"q": "frichse"})).suggestion == "friches"
    leaving.status = OfferStatus.CLOSED
    db.session.commit()
    assert search_offers(SearchParams.from_args({"q": "frichse"})).suggestion is None
    kept.missions = "La rénovation de l'habitat."
    db.session.commit()
    assert search_offers(SearchParams.from_args({"q": "mobilté"})).suggestion is None
    assert search_offers(SearchParams.from_args({"q": "renovaton"})).suggestion == "rénovation"
    contents = table_contents()
    assert contents["words"] == expected_vocabulary().counts
    assert contents["forms"][("renovation", "rénovation")] == 1
    assert "friches" not in contents["words"] and "mobilite" not in contents["words"]


def test_every_change_gives_a_new_version_which_keys_the_caches(referential):
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    offer = OfferFactory(organisation=organisation)
    first = postgresql.current_view()
    assert postgresql.current_view() is first
    offer.missions = "Les friches."
    db.session.commit()
    second = postgresql.current_view()
    assert second.version != first.version and second is not first
    assert search_offers(SearchParams.from_args({"q": "friches"})).offer_ids == [offer.id]


def test_nothing_is_written_on_local_disk(app, referential):
    directory = index_directory()
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    offer = OfferFactory(organisation=organisation)
    rebuild_index()
    assert search_offers(SearchParams.from_args({"q": "revitalisation"})).offer_ids == [offer.id]
    assert not directory.exists() or list(directory.iterdir()) == []


def test_healthz_builds_tables_never_built(app, client, referential):
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    offer = OfferFactory(organisation=organisation)
    db.session.execute(text("DELETE FROM search_state"))
    db.session.execute(text("DELETE FROM search_document"))
    db.session.commit()
    assert postgresql.state() == "absent"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["search_index"] == "reconstruit (était absent)"
    assert client.get("/healthz").json["search_index"] == "ok"
    assert search_offers(SearchParams.from_args({})).offer_ids == [offer.id]


def test_the_postgresql_backend_needs_postgresql(tmp_path):
    with pytest.raises(ConfigurationError):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                "SEARCH_BACKEND": "postgresql",
                "UPLOAD_DIR": str(tmp_path / "u"),
                "SEARCH_INDEX_DIR": str(tmp_path / "i"),
            }
        )


@pytest.mark.real_commits
def test_a_task_another_applier_holds_is_left_to_it(app, referential):
    """Two appliers never take the same task: one holding a task (its transaction
    open) makes the other skip it, not wait for it nor apply it twice."""
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    db.session.commit()
    rebuild_index()  # the tables exist already, as on a running platform
    with app.test_request_context():
        # Committed within a request whose response is never sent: left to the worker.
        held = OfferFactory(organisation=organisation, missions="Les friches.")
        free = OfferFactory(organisation=organisation, missions="Les halles.")
        db.session.commit()
    assert pending_task_count() == 2
    held_id, free_id = held.id, free.id
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with other.begin() as connection:
            connection.execute(
                select(IndexTask.id).where(IndexTask.offer_id == held_id).with_for_update()
            ).all()
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        # An alert waiting for that offer learns it is not indexed yet (IndexBusy, retried).
        assert try_apply([held_id]) is False
        assert apply_pending_tasks() == 1
        ids = search_offers(SearchParams.from_args({})).offer_ids
        assert ids == [free_id]
    finally:
        release.set()
        holder.join(30)
        other.dispose()
    assert apply_pending_tasks() == 1
    assert sorted(search_offers(SearchParams.from_args({})).offer_ids) == sorted([held_id, free_id])
    assert pending_task_count() == 0


def test_a_search_builds_tables_never_built(referential):
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    offer = OfferFactory(organisation=organisation)
    db.session.execute(text("DELETE FROM search_state"))
    db.session.execute(text("DELETE FROM search_document"))
    db.session.commit()
    assert search_offers(SearchParams.from_args({"q": "revitalisation"})).offer_ids == [offer.id]
    assert postgresql.state() == "ok"
