"""A rebuild writes the same index as offers indexed one task at a time, vocabulary included.

The rebuild has its own writer (rebuild_writer.py) and the vocabulary of « Vouliez-vous
dire » lives beside the index (vocabulary.py): what either writes must not depend on
the path the offers took into the index.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from recrutement.extensions import db
from recrutement.offers.models import OfferStatus
from recrutement.search import index as search_index
from recrutement.search import rebuild_parts
from recrutement.search.analysis import FRENCH_STOP_WORDS, WORD_PATTERN, fold_word
from recrutement.search.analysis import words as split_words
from recrutement.search.documents import facts_document, offer_document, published_offer_facts
from recrutement.search.index import (
    INDEX_NAME,
    apply_pending_tasks,
    index_directory,
    index_state,
    pending_task_count,
    rebuild_index,
)
from recrutement.search.query import SearchParams, search_offers
from recrutement.search.rebuild_writer import POSTING_COMPRESSION, RebuildWriter
from recrutement.search.vocabulary import (
    Vocabulary,
    document_words,
    tokens_words,
    vocabulary_path,
)
from tests import factories
from tests.factories import OfferFactory
from tests.search.test_analysis import FoldFilter

# The Whoosh index's own writer, segments and vocabulary files: test_postgresql.py
# checks the same properties on the PostgreSQL backend's tables.
pytestmark = pytest.mark.whoosh_only

MISSIONS = [
    "Vous pilotez l'aménagement du centre-bourg et la mobilité douce.",
    "La rénovation de l'habitat ancien, la lutte contre la vacance des logements.",
    "Les mobilités, le covoiturage et les liaisons cyclables du cœur de ville.",
    "La reconquête des friches industrielles et l'urbanisme opérationnel.",
    "Le développement du numérique, des tiers-lieux et de l'économie sociale.",
]
# Misspelt words whose corrections come from the offers above.
MISSPELT = [
    "amenagment",
    "mobilté",
    "renovaton",
    "frichse",
    "urbanisne",
    "numeriqe",
    "covoitrage",
    "logemnts",
    "chef amenagment",
]
# The fields searches and their filters, facets and sorts read.
SEARCHED_FIELDS = (
    "id",
    "title",
    "body",
    "region",
    "department",
    "contract_type",
    "experience",
    "remote_work",
    "published_at",
    "application_deadline",
    "latitude",
    "longitude",
    "workplace",
)


@pytest.fixture
def organisations(referential):
    return [
        factories.OrganisationFactory(commune=referential[name])
        for name in ("quimperle", "landerneau", "commercy")
    ]


def _segment_count() -> int:
    with _open_index().reader() as reader:
        return len(reader.leaf_readers())


def _open_index() -> Any:
    return search_index._storage(index_directory()).open_index(INDEX_NAME)


def snapshot() -> dict[str, Any]:
    """Everything the index holds about its live documents, by offer id rather than
    document number, with the vocabulary of its generation."""
    index = _open_index()
    with index.searcher() as searcher:
        reader = searcher.reader()
        offer_of = {doc: int(fields["id"]) for doc, fields in reader.iter_docs()}
        stored = {offer_of[doc]: fields for doc, fields in reader.iter_docs()}
        lengths = {
            (offer_of[doc], name): reader.doc_field_length(doc, name)
            for doc in offer_of
            for name in ("title", "body")
        }
        postings: dict[tuple[str, bytes], dict[int, tuple[float, bytes]]] = {}
        for name in SEARCHED_FIELDS:
            for term in list(reader.lexicon(name)):
                matcher = reader.postings(name, term)
                found = {}
                while matcher.is_active():
                    found[offer_of[matcher.id()]] = (matcher.weight(), matcher.value())
                    matcher.next()
                if found:  # a term of deleted documents only is no term of the live ones
                    postings[(name, term)] = found
        generation = index.latest_generation()
    vocabulary = Vocabulary.load(index_directory(), INDEX_NAME, generation)
    return {
        "stored": stored,
        "lengths": lengths,
        "postings": postings,
        "counts": vocabulary.counts,
        "forms": vocabulary.forms,
    }


def suggestions() -> dict[str, str | None]:
    return {
        text: search_offers(SearchParams.from_args({"q": text})).suggestion for text in MISSPELT
    }


def expected_vocabulary() -> Vocabulary:
    """The vocabulary of the published offers in the database, counted from scratch."""
    from sqlalchemy import select

    from recrutement.offers.models import Offer

    vocabulary = Vocabulary()
    published = db.session.scalars(select(Offer).where(Offer.status == OfferStatus.PUBLISHED))
    for offer in published:
        vocabulary.add(offer_document(offer)["spelling"])
    return vocabulary


def test_a_rebuild_writes_what_the_tasks_wrote_one_by_one(organisations):
    offers = [
        OfferFactory(
            organisation=organisations[number % 3],
            title=f"Chef de projet n° {number}",
            missions=MISSIONS[number % len(MISSIONS)],
        )
        for number in range(12)
    ]
    # Changes and withdrawals leave deleted documents in the incremental index.
    offers[0].missions = "La revitalisation du centre-ville et de ses commerces."
    offers[1].status = OfferStatus.CLOSED
    db.session.commit()
    offers[2].title = "Cheffe de projet Petites villes de demain"
    db.session.delete(offers[3])
    db.session.commit()
    assert pending_task_count() == 0
    incremental, suggested = snapshot(), suggestions()
    assert _segment_count() > 1  # several segments, deletions
    assert sum(value is not None for value in suggested.values()) >= 6

    assert rebuild_index() == 10
    rebuilt = snapshot()
    assert _segment_count() == 1
    assert rebuilt["stored"] == incremental["stored"]
    assert rebuilt["lengths"] == incremental["lengths"]
    assert rebuilt["postings"] == incremental["postings"]
    assert (rebuilt["counts"], rebuilt["forms"]) == (incremental["counts"], incremental["forms"])
    assert suggestions() == suggested
    assert rebuilt["counts"] == expected_vocabulary().counts


def test_the_vocabulary_follows_a_change_and_a_withdrawal(organisations):
    kept = OfferFactory(organisation=organisations[0], missions="La mobilité douce.")
    leaving = OfferFactory(organisation=organisations[1], missions="Les friches industrielles.")
    assert search_offers(SearchParams.from_args({"q": "frichse"})).suggestion == "friches"
    assert search_offers(SearchParams.from_args({"q": "mobilté"})).suggestion == "mobilité"

    # The only offer that had "friches" leaves: the word is no longer proposed.
    leaving.status = OfferStatus.CLOSED
    db.session.commit()
    assert search_offers(SearchParams.from_args({"q": "frichse"})).suggestion is None

    # A changed offer stops counting its old words and counts its new ones.
    kept.missions = "La rénovation de l'habitat."
    db.session.commit()
    assert search_offers(SearchParams.from_args({"q": "mobilté"})).suggestion is None
    assert search_offers(SearchParams.from_args({"q": "renovaton"})).suggestion == "rénovation"
    current = snapshot()
    assert current["counts"] == expected_vocabulary().counts
    assert "friches" not in current["counts"] and "mobilite" not in current["counts"]
    assert current["forms"]["renovation"] == {"rénovation": 1}


def test_the_rebuild_reads_the_documents_offer_document_gives(organisations, referential):
    """The rebuild reads offers as plain rows (published_offer_facts); one offer's
    change reads the ORM object (offer_document): both give the same document."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from recrutement.offers.models import ContractType, Offer, RemoteWork

    towns = [referential["quimperle"], referential["stenay"], referential["mellac"]]
    OfferFactory(organisation=organisations[0], towns=towns, missions=MISSIONS[0])
    OfferFactory(
        organisation=organisations[1],
        towns=[],
        workplace_insee_code=referential["mellac"].insee_code,
        contract_type=ContractType.PERMANENT,
        remote_work=RemoteWork.REGULAR,
        benefits="  Tickets restaurant.  ",
    )
    OfferFactory(organisation=organisations[2], status=OfferStatus.CLOSED)
    OfferFactory(organisation=organisations[2], status=OfferStatus.DRAFT)
    for number in range(3):
        OfferFactory(organisation=organisations[number], missions=MISSIONS[number + 1])
    published = db.session.scalars(select(Offer).where(Offer.status == OfferStatus.PUBLISHED))
    expected = {str(offer.id): offer_document(offer) for offer in published}

    with Session(db.engine) as session:
        # Batches of 2 offers: the towns of every batch are read with it.
        read = [facts_document(facts) for facts in published_offer_facts(session, batch=2)]
    assert [document["id"] for document in read] == sorted(expected, key=int)
    assert {document["id"]: document for document in read} == expected
    first = read[0]
    assert "Communes couvertes : Mellac, Quimperlé, Stenay" in first["body"]
    assert "latitude" in first and "latitude" not in read[1]
    assert "Communes couvertes" not in read[1]["body"]


def test_document_counts_follow_the_offers(organisations):
    first = OfferFactory(organisation=organisations[0], missions="La mobilité.")
    OfferFactory(organisation=organisations[1], missions="La mobilité et le vélo.")
    assert snapshot()["counts"]["mobilite"] == 2
    first.status = OfferStatus.CLOSED
    db.session.commit()
    assert snapshot()["counts"]["mobilite"] == 1
    first.status = OfferStatus.PUBLISHED
    db.session.commit()
    assert snapshot()["counts"]["mobilite"] == 2


class Crash(Exception):
    """The process dies between the index commit and the SQL commit."""


def test_a_crash_after_the_index_commit_then_the_retry_leave_the_vocabulary_exact(
    organisations, monkeypatch
):
    offer = OfferFactory(organisation=organisations[0], missions="Les friches industrielles.")
    other = OfferFactory(organisation=organisations[1], missions="Les friches et la mobilité.")
    with search_index._index_lock(index_directory(), timeout=0):
        offer.missions = "La rénovation de l'habitat."
        other.status = OfferStatus.CLOSED
        db.session.commit()
    assert pending_task_count() == 2

    def crash(*_args: object) -> None:
        raise Crash

    # The index commit happens; the tasks are never marked done.
    monkeypatch.setattr(search_index, "_mark_done", crash)
    with pytest.raises(Crash):
        apply_pending_tasks()
    assert pending_task_count() == 2
    after_crash = snapshot()
    assert after_crash["counts"] == expected_vocabulary().counts

    monkeypatch.undo()
    assert apply_pending_tasks() == 2
    assert pending_task_count() == 0
    retried = snapshot()
    assert retried["counts"] == after_crash["counts"] == expected_vocabulary().counts
    assert retried["forms"] == expected_vocabulary().forms
    assert "friches" not in retried["counts"] and retried["counts"]["renovation"] == 1


# Whoosh does not close the files of a writer it cancels; they are closed once collected.
@pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)
def test_a_writer_dying_before_its_index_commit_leaves_a_file_the_next_one_replaces(
    organisations, monkeypatch
):
    offer = OfferFactory(organisation=organisations[0], missions="Les friches industrielles.")
    generation = _open_index().latest_generation()

    def crash(*_args: object, **_kwargs: object) -> None:
        raise Crash

    # The vocabulary of generation + 1 is written, the index commit never happens.
    monkeypatch.setattr("whoosh.writing.SegmentWriter.commit", crash)
    with search_index._index_lock(index_directory(), timeout=0):
        offer.missions = "La mobilité."
        db.session.commit()
    with pytest.raises(Crash):
        apply_pending_tasks()
    monkeypatch.undo()
    gc.collect()
    assert vocabulary_path(index_directory(), INDEX_NAME, generation + 1).is_file()
    assert _open_index().latest_generation() == generation
    assert "friches" in snapshot()["counts"]

    assert apply_pending_tasks() == 1
    assert snapshot()["counts"] == expected_vocabulary().counts
    assert "friches" not in snapshot()["counts"]


def test_an_index_without_its_vocabulary_is_rebuilt(organisations):
    offer = OfferFactory(organisation=organisations[0], missions="Les friches industrielles.")
    generation = _open_index().latest_generation()
    vocabulary_path(index_directory(), INDEX_NAME, generation).unlink()
    assert index_state() == "corrompu"
    offer.missions = "La mobilité."
    db.session.commit()
    assert index_state() == "ok"
    assert snapshot()["counts"] == expected_vocabulary().counts


def test_old_vocabularies_are_deleted_a_few_generations_later(organisations):
    offer = OfferFactory(organisation=organisations[0])
    first = _open_index().latest_generation()
    for number in range(5):
        offer.missions = f"Mission {number}."
        db.session.commit()
    newest = _open_index().latest_generation()
    assert not vocabulary_path(index_directory(), INDEX_NAME, first).exists()
    for generation in range(newest - 3, newest + 1):
        assert vocabulary_path(index_directory(), INDEX_NAME, generation).is_file()


# The two Whoosh fields the vocabulary replaces, as they were analysed.
def _spelling_analyzer() -> Any:
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=3)
    )


def _accented_forms(text: str) -> set[tuple[str, str]]:
    forms = set()
    for token in (RegexTokenizer(WORD_PATTERN) | LowercaseFilter())(text):
        folded = fold_word(token.text)
        if folded != token.text and len(folded) >= 3 and folded.isalpha():
            forms.add((folded, token.text))
    return forms


@pytest.mark.parametrize(
    "text",
    [
        *MISSIONS,
        "Chef de projet PVD (H/F) — CŒUR DE VILLE, Saint-Pol-de-Léon; l'Haÿ-les-Roses.",
        "Été 2026 : 3 postes à pourvoir, rémunération selon grille, prime de 1 500 €.",
        "İstanbul ﬁnance ÆSIR straße naïve façade œuvre a1b2 ___ _é_ élu élus",
    ],
)
def test_the_vocabulary_holds_the_words_the_whoosh_fields_held(text):
    words, forms = document_words(text)
    assert words == {token.text for token in _spelling_analyzer()(text)}
    assert forms == _accented_forms(text)
    # What a rebuild counts, from the words its index analysis split.
    assert tokens_words(split_words(text)) == (words, forms)


def _segment_files(directory: Any) -> dict[str, bytes]:
    """The files of the only segment of the index in `directory`, by extension."""
    index = search_index._storage(directory).open_index(INDEX_NAME)
    (segment,) = index._segments()
    prefix = segment.segment_id()
    return {
        path.name[len(prefix) :]: path.read_bytes()
        for path in directory.iterdir()
        if path.name.startswith(prefix)
    }


def test_the_rebuild_writer_writes_whoosh_own_segment(tmp_path):
    # Same documents through Whoosh's writer and the rebuild's: the same files, byte for
    # byte, when both compress posting blocks alike (files kept apart, not in one
    # compound file that names them by segment). Terms of 300 documents have several
    # blocks of 128 postings, words repeat within a text, fields are missing here and there.
    words = [*MISSIONS[0].split(), "la", "le", "aménagement", "centre-bourg", "mobilité"]
    documents = []
    for number in range(300):
        body = " ".join(words[(number * step) % len(words)] for step in range(1, 40))
        document = {
            "id": str(number + 1),
            "title": f"Le chef de projet n° {number % 7} {words[number % len(words)]}",
            "body": body,
            "region": f"{number % 13:02d}",
            "department": f"{number % 17:02d}",
            "contract_type": ("cdd", "cdi")[number % 2],
            "experience": "confirmed",
            "remote_work": "none",
            "published_at": 1_700_000_000 + number * 3_600,
            "application_deadline": 20270101 + number % 28,
            "workplace": f"29{number:03d}",
            "organisation": f"Commune n° {number % 5}",
        }
        if number % 3:
            document["latitude"], document["longitude"] = 48_000_000 + number, -3_000_000
        documents.append(document)

    files = {}
    for name in ("whoosh", "rebuild"):
        directory = tmp_path / name
        directory.mkdir()
        index = search_index._storage(directory).create_index(search_index.SCHEMA, INDEX_NAME)
        if name == "whoosh":
            codec = W3Codec(compression=POSTING_COMPRESSION)
            writer = SegmentWriter(index, codec=codec, compound=False)
        else:
            analysed = {field: search_index.SCHEMA[field].analyzer for field in ("title", "body")}
            writer = RebuildWriter(index, analysed, compound=False)
        for document in documents:
            writer.add_document(**document)
        writer.commit()
        files[name] = _segment_files(directory)

    assert files["rebuild"].keys() == files["whoosh"].keys()
    assert {".pst", ".trm", "._stored.col", "._body_len.col", ".id.col"} <= files["rebuild"].keys()
    for extension, content in files["whoosh"].items():
        assert files["rebuild"][extension] == content, extension


# --- A rebuild over several processes (rebuild_parts.py) ---------------------------

PARALLEL_QUERIES = (
    {"q": "chef de projet"},
    {"q": "mobilite"},
    {"q": "habitat logements", "tri": "pertinence"},
    {"q": "urbanisme", "region": "53"},
    {"contrat": "project_contract"},
    {"q": "amenagment"},
)


def _searches() -> list[tuple[Any, ...]]:
    """Each query's page as the pages show it: ids, scores, excerpts, distances, total,
    facets and suggestion."""
    found = []
    for args in PARALLEL_QUERIES:
        result = search_offers(SearchParams.from_args({**args, "par_page": "50"}))
        found.append(
            (
                [
                    (hit.offer_id, hit.score, str(hit.excerpt), hit.distance_km)
                    for hit in result.hits
                ],
                result.total,
                result.facets,
                result.suggestion,
            )
        )
    return found


@pytest.fixture
def many_offers(organisations, monkeypatch):
    """Forty offers committed for real (forked processes read them on their own
    connections), and a rebuild that forks from the first offer on."""
    monkeypatch.setattr(rebuild_parts, "PARALLEL_MIN_OFFERS", 1)
    offers = [
        OfferFactory(
            organisation=organisations[number % 3],
            title=f"Chef de projet n° {number}",
            missions=MISSIONS[number % len(MISSIONS)] + f" Mission {number}.",
        )
        for number in range(40)
    ]
    db.session.commit()
    return offers


@pytest.mark.real_commits
def test_a_rebuild_in_three_processes_finds_what_one_process_finds(many_offers):
    assert rebuild_index(processes=1) == 40
    assert _segment_count() == 1
    alone, searched_alone = snapshot(), _searches()
    assert searched_alone[0][1] == 40

    assert rebuild_index(processes=3) == 40
    # Two children's segments, then the parent's: offers in id order.
    assert _segment_count() == 3
    with _open_index().searcher() as searcher:
        ids = [int(fields["id"]) for _doc, fields in searcher.reader().iter_docs()]
    assert ids == sorted(offer.id for offer in many_offers)
    assert snapshot() == alone
    assert _searches() == searched_alone


@pytest.mark.real_commits
def test_a_child_that_fails_leaves_the_index_as_it_was(many_offers, monkeypatch):
    assert rebuild_index(processes=1) == 40
    before, generation = snapshot(), _open_index().latest_generation()
    broken = many_offers[5].id
    facts_document_of = rebuild_parts.facts_document

    def failing(facts: Any) -> dict[str, Any]:
        if facts.id == broken:
            raise RuntimeError("offre illisible")
        return facts_document_of(facts)

    # The fault is in the first child's range only (offers 1 to 13 of 40).
    monkeypatch.setattr(rebuild_parts, "facts_document", failing)
    with pytest.raises(rebuild_parts.RebuildFailed, match="offre illisible"):
        rebuild_index(processes=3)
    assert _open_index().latest_generation() == generation
    assert snapshot() == before
    # And the next rebuild goes through.
    monkeypatch.setattr(rebuild_parts, "facts_document", facts_document_of)
    assert rebuild_index(processes=3) == 40
    assert snapshot() == before
