"""The PostgreSQL search backend (SEARCH_BACKEND=postgresql): the Whoosh index's contract
on tables of the database, for several web hosts and workers (backend.py).

What it keeps (models.py): one `search_document` row per published offer, with a
`tsvector` of its terms under a GIN index; the offers' words with their document
counts (`search_word`, under a pg_trgm index) and accented forms, for « Vouliez-vous
dire »; one `search_state` row whose version every change replaces.

Same terms as Whoosh. The terms are those of the application's French analyzer
(analysis.py: fold accents, stop words, "-ière" → "-ier", Snowball French stemmer),
at the positions Whoosh gives them, written as a tsvector literal: title with weight
A, body with weight D. PostgreSQL's own `french` configuration with `unaccent` would
not give the same terms: it stems "infirmier" to "infirmi" but "infirmière" to
"infirmier" (so neither finds the other), keeps "les" (as "le") and has another stop
list, so the same search would not find the same offers on the two backends. The
query is parsed by the same parser (query.parse_text) and its tree translated into a
tsquery: a word is `'term':A | 'term':D`, a phrase `<->` between terms of one field,
OU/ET/SAUF are `|`, `&`, `!`. Hence every search matches the same offers on both.

What differs: relevance. The order by relevance is PostgreSQL's `ts_rank` (title
weighted twice the body, normalised by the document's length), not Whoosh's BM25F;
ties are broken the same way (most recently published, then highest offer id). The
contract (docs/design.md) asks for a sort by relevance, not for BM25's figures.

Facets, sorts, distances, pages, excerpts and suggestions are computed as query.py
does for Whoosh, on the rows the text, the deadline and the distance select (one
query), so they come out identical.

Applying tasks needs no index lock: each applier takes the pending tasks it can lock
(`FOR UPDATE SKIP LOCKED`, so two workers never take the same), then a transaction
lock per offer (two appliers of one offer take turns, so its word counts change once),
and writes the documents, the word counts and the version in one transaction with
marking the tasks done. A rebuild takes a transaction lock that appliers share and it
holds alone, so it never interleaves with them. Readers are never blocked (MVCC).

The result caches (cache.py) key on a `PostgresView` per version: each search reads
the version first (one row), so a process sees another's change at its next
search, as with Whoosh's index generations.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session
from whoosh import query as whoosh_query
from whoosh.support.levenshtein import distance as edit_distance

from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.offers.models import IndexTask, Offer, OfferStatus
from recrutement.search.analysis import (
    FRENCH_STOP_WORDS,
    PositionsAnalysis,
    analyze,
    fold_word,
    french_analyzer,
)
from recrutement.search.documents import (
    OfferFacts,
    facts_document,
    offer_document,
    published_offer_facts,
)
from recrutement.search.models import SearchState
from recrutement.search.vocabulary import Vocabulary, document_words

logger = logging.getLogger(__name__)

# Transaction-level advisory locks: appliers share REBUILD_LOCK, a rebuild holds it
# alone; OFFER_LOCK_SPACE with the offer id serialises the appliers of one offer.
REBUILD_LOCK = 0x5EA4C4
OFFER_LOCK_SPACE = 0x5EA4
# PostgreSQL keeps positions 1..16383 and at most 256 positions per lexeme.
MAX_POSITION = 16383
MAX_POSITIONS_PER_TERM = 256
# Lexemes must be shorter than 2 KB; longer "words" are not searchable anyway.
MAX_LEXEME_BYTES = 2000
# ts_rank's weights, {D, C, B, A}: the title (A) counts twice the body (D), as Whoosh's
# field boost; normalisation 1 divides by 1 + log(document length).
RANK_WEIGHTS = "{0.5, 0.5, 0.5, 1.0}"
RANK_NORMALISATION = 1
REBUILD_BATCH = 500
DONE_TASKS_KEPT = timedelta(days=7)


# --- Documents ----------------------------------------------------------------------

_analysis = PositionsAnalysis(french_analyzer())


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def terms_literal(title: str, body: str) -> str:
    """The tsvector (as its text) of a document: the terms the French analyzer gives the
    title, weight A, then the body's, weight D, at Whoosh's positions (1-based, the body
    after the title with a gap, so that no phrase runs from one into the other)."""
    positions: dict[str, list[str]] = {}
    title_positions = _analysis.positions(title)
    for term, places in title_positions.items():
        positions.setdefault(term, []).extend(f"{min(p + 1, MAX_POSITION)}A" for p in places)
    offset = max((max(places) for places in title_positions.values()), default=0) + 3
    for term, places in _analysis.positions(body).items():
        positions.setdefault(term, []).extend(str(min(p + offset, MAX_POSITION)) for p in places)
    return " ".join(
        f"{_lexeme(term)}:{','.join(places[:MAX_POSITIONS_PER_TERM])}"
        for term, places in positions.items()
        if len(term.encode()) < MAX_LEXEME_BYTES
    )


def _row(document: Mapping[str, Any]) -> dict[str, Any]:
    """A `search_document` row from a Whoosh document (documents.facts_document)."""
    return {
        "offer_id": int(document["id"]),
        "title": document["title"],
        "body": document["body"],
        "terms": terms_literal(document["title"], document["body"]),
        "region": document["region"],
        "department": document["department"],
        "contract_type": str(document["contract_type"]),
        "experience": str(document["experience"]),
        "remote_work": str(document["remote_work"]),
        "published_at": document["published_at"],
        "application_deadline": document["application_deadline"],
        "workplace": document["workplace"],
        "latitude": document.get("latitude"),
        "longitude": document.get("longitude"),
    }


_INSERT = text(
    "INSERT INTO search_document (offer_id, title, body, terms, region, department,"
    " contract_type, experience, remote_work, published_at, application_deadline,"
    " workplace, latitude, longitude) VALUES (:offer_id, :title, :body,"
    " CAST(:terms AS tsvector), :region, :department, :contract_type, :experience,"
    " :remote_work, :published_at, :application_deadline, :workplace, :latitude,"
    " :longitude)"
)


def _spelling(title: str, body: str) -> str:
    # The text whose words feed « Vouliez-vous dire », as documents.facts_document has it.
    return f"{title}\n{body}"


class _WordChanges:
    """How many documents each word and accented form gains or loses in a transaction."""

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.forms: Counter[tuple[str, str]] = Counter()

    def change(self, spelling: str, step: int) -> None:
        words, forms = document_words(spelling)
        for word in words:
            self.words[word] += step
        for form in forms:
            self.forms[form] += step

    def write(self, session: Session) -> None:
        # In a fixed order, so that two transactions never wait for each other's rows.
        words = sorted((word, n) for word, n in self.words.items() if n)
        forms = sorted((word, form, n) for (word, form), n in self.forms.items() if n)
        if words:
            session.execute(
                text(
                    "INSERT INTO search_word (word, documents) VALUES (:word, :n)"
                    " ON CONFLICT (word) DO UPDATE"
                    " SET documents = search_word.documents + excluded.documents"
                ),
                [{"word": word, "n": n} for word, n in words],
            )
            fewer = [word for word, n in words if n < 0]
            if fewer:
                session.execute(
                    text("DELETE FROM search_word WHERE word = ANY(:words) AND documents <= 0"),
                    {"words": fewer},
                )
        if forms:
            session.execute(
                text(
                    "INSERT INTO search_word_form (word, form, documents) VALUES (:word, :form, :n)"
                    " ON CONFLICT (word, form) DO UPDATE"
                    " SET documents = search_word_form.documents + excluded.documents"
                ),
                [{"word": word, "form": form, "n": n} for word, form, n in forms],
            )
            session.execute(
                text("DELETE FROM search_word_form WHERE word = ANY(:words) AND documents <= 0"),
                {"words": sorted({word for word, _form, n in forms if n < 0}) or [""]},
            )


def _raise_version(session: Session) -> None:
    """Give the tables a new version, which readers key their caches on; last, to hold
    its row briefly.

    A random number rather than a counter: a counter comes back to values a process
    has already seen, with other contents, after a restore of an older backup (or in
    tests, after a rollback), and that process would serve its old results again.
    """
    session.execute(
        text(
            "INSERT INTO search_state (id, version) VALUES (1, :version)"
            " ON CONFLICT (id) DO UPDATE SET version = excluded.version"
        ),
        {"version": secrets.randbits(62) + 1},
    )


def _mark_done(session: Session, task_ids: Sequence[int]) -> None:
    now = utcnow()
    for start in range(0, len(task_ids), 1000):
        chunk = task_ids[start : start + 1000]
        session.execute(update(IndexTask).where(IndexTask.id.in_(chunk)).values(done_at=now))


# --- Applying tasks and rebuilding ----------------------------------------------------


def apply_tasks(offer_ids: Collection[int] | None, limit: int | None) -> int:
    """Apply pending tasks (of these offers, or the oldest `limit`); return how many.

    A published offer gets its document written again, anything else loses it. Tasks
    another applier holds are skipped (it applies them); the documents, the words and
    the tasks' done mark are committed together.
    """
    if state() == "absent":
        # Applying a few tasks to empty tables would make them look complete.
        return rebuild()[1]
    from recrutement.search.index import _offers_query

    with Session(db.engine) as session:
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": REBUILD_LOCK})
        query = (
            select(IndexTask.id, IndexTask.offer_id)
            .where(IndexTask.done_at.is_(None))
            .order_by(IndexTask.id)
            .with_for_update(skip_locked=True)
        )
        if offer_ids is not None:
            query = query.where(IndexTask.offer_id.in_(sorted(offer_ids)))
        if limit is not None:
            query = query.limit(limit)
        tasks = session.execute(query).all()
        if not tasks:
            return 0
        ids = sorted({task.offer_id for task in tasks})
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(:space, offer_id)"
                " FROM (SELECT unnest(CAST(:ids AS integer[])) AS offer_id ORDER BY 1) AS ordered"
            ),
            {"space": OFFER_LOCK_SPACE, "ids": ids},
        )
        # Read after the locks: each offer is at least as new as its tasks say, and the
        # documents are those the last applier of each offer committed.
        changes = _WordChanges()
        for title, body in session.execute(
            text("SELECT title, body FROM search_document WHERE offer_id = ANY(:ids)"),
            {"ids": ids},
        ):
            changes.change(_spelling(title, body), -1)
        session.execute(
            text("DELETE FROM search_document WHERE offer_id = ANY(:ids)"), {"ids": ids}
        )
        rows = []
        for offer in session.scalars(_offers_query().where(Offer.id.in_(ids))):
            if offer.status == OfferStatus.PUBLISHED:
                document = offer_document(offer)
                changes.change(document.pop("spelling"), 1)
                rows.append(_row(document))
        if rows:
            session.execute(_INSERT, rows)
        changes.write(session)
        _mark_done(session, [task.id for task in tasks])
        if offer_ids is None:
            session.execute(delete(IndexTask).where(IndexTask.done_at < utcnow() - DONE_TASKS_KEPT))
        _raise_version(session)
        session.commit()
    return len(tasks)


def pending_offers(offer_ids: Collection[int]) -> set[int]:
    """Those of these offers that still have a pending task (another applier holds it,
    or it was written since)."""
    with Session(db.engine) as session:
        return set(
            session.scalars(
                select(IndexTask.offer_id).where(
                    IndexTask.done_at.is_(None), IndexTask.offer_id.in_(sorted(offer_ids))
                )
            )
        )


def rebuild() -> tuple[int, int]:
    """Write every published offer's document again, in one transaction; return how many
    offers were indexed and how many tasks it marked done (those pending when it began).

    Searches read the former documents until the commit.
    """
    with Session(db.engine) as session:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REBUILD_LOCK})
        covered = session.scalars(select(IndexTask.id).where(IndexTask.done_at.is_(None))).all()
        for table in ("search_document", "search_word", "search_word_form"):
            session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 — fixed names
        vocabulary = Vocabulary()
        count = 0
        batch: list[dict[str, Any]] = []
        facts: OfferFacts
        for facts in published_offer_facts(session, REBUILD_BATCH):
            document = facts_document(facts)
            vocabulary.add(document.pop("spelling"))
            batch.append(_row(document))
            count += 1
            if len(batch) >= REBUILD_BATCH:
                session.execute(_INSERT, batch)
                batch = []
        if batch:
            session.execute(_INSERT, batch)
        words = [{"word": word, "n": n} for word, n in sorted(vocabulary.counts.items())]
        if words:
            session.execute(
                text("INSERT INTO search_word (word, documents) VALUES (:word, :n)"), words
            )
        forms = [
            {"word": word, "form": form, "n": n}
            for word, written in sorted(vocabulary.forms.items())
            for form, n in sorted(written.items())
        ]
        if forms:
            session.execute(
                text(
                    "INSERT INTO search_word_form (word, form, documents) VALUES (:word, :form, :n)"
                ),
                forms,
            )
        _mark_done(session, covered)
        _raise_version(session)
        session.commit()
        # Fresh statistics: without them the planner may scan every document's terms
        # rather than use the GIN index until autovacuum gets to the tables.
        session.execute(text("ANALYZE search_document, search_word"))
        session.commit()
    logger.info("search tables rebuilt", extra={"offers": count})
    return count, len(covered)


def state() -> Literal["ok", "absent", "corrompu"]:
    """ "ok" once the tables were built (they have a version), "absent" before,
    "corrompu" when they cannot be read (missing tables, say)."""
    try:
        with Session(db.engine) as session:
            version = session.scalar(select(SearchState.version).where(SearchState.id == 1))
            session.execute(text("SELECT offer_id FROM search_document LIMIT 1")).all()
    except Exception as error:
        logger.warning("search tables unreadable: %s", repr(error))
        return "corrompu"
    return "absent" if version is None else "ok"


def ensure() -> Literal["ok", "absent", "corrompu"]:
    """Build the tables if they never were; return the state found."""
    found = state()
    if found == "absent":
        rebuild()
    return found


# --- Versions (what the caches key on) -----------------------------------------------


@dataclass(frozen=True, eq=False)
class PostgresView:
    """The search tables at one version, as this process knows them: the caches of
    cache.py compare views by identity, so each version has one object per process."""

    database: str
    version: int


_views: dict[str, PostgresView] = {}


def current_view() -> PostgresView:
    """The view of the version the tables have now (read on the session's connection)."""
    version = db.session.scalar(select(SearchState.version).where(SearchState.id == 1))
    if version is None:
        # Never built (a new database, or tables emptied by hand): built now, as Whoosh
        # rebuilds a missing index at the first search, rather than answering nothing.
        ensure()
        version = db.session.scalar(select(SearchState.version).where(SearchState.id == 1))
    database = str(db.engine.url)
    view = _views.get(database)
    if view is None or view.version != (version or 0):
        view = _views[database] = PostgresView(database, version or 0)
    return view


# --- Searching ----------------------------------------------------------------------

# A query part that every document matches (a NOT of nothing).
_EVERYTHING = "*"
_WEIGHTS = {"title": "A", "body": "D"}


def tsquery(query: Any) -> str | None:
    """The tsquery (as text) matching what `ranking.matching_documents` matches for a
    parsed Whoosh query: None when nothing matches, `_EVERYTHING` when all does."""
    if query is whoosh_query.NullQuery or query is None:
        return None
    if isinstance(query, _AnyField):
        return _lexeme(query.text)
    if isinstance(query, whoosh_query.Term):
        return f"{_lexeme(query.text)}:{_WEIGHTS[query.fieldname]}"
    if isinstance(query, whoosh_query.Phrase):
        if not query.words:
            return None
        weight = _WEIGHTS[query.fieldname]
        return "(" + " <-> ".join(f"{_lexeme(word)}:{weight}" for word in query.words) + ")"
    if isinstance(query, whoosh_query.Not):
        return _negation(tsquery(query.query))
    if isinstance(query, whoosh_query.AndNot):
        return _conjunction([tsquery(query.a)], [tsquery(query.b)])
    if isinstance(query, whoosh_query.And):
        required = [part for part in query.subqueries if not isinstance(part, whoosh_query.Not)]
        excluded = [part.query for part in query.subqueries if isinstance(part, whoosh_query.Not)]
        return _conjunction([tsquery(part) for part in required], [tsquery(p) for p in excluded])
    if isinstance(query, whoosh_query.Or):
        parts = [tsquery(part) for part in _either_field(query.subqueries)]
        if _EVERYTHING in parts:
            return _EVERYTHING
        kept = [part for part in parts if part is not None]
        return "(" + " | ".join(kept) + ")" if kept else None
    raise ValueError(f"query of a kind the PostgreSQL backend does not translate: {query!r}")


class _AnyField:
    """A word in the title or the body: every position of a document is one or the
    other, so its lexeme needs no weight, which spares the GIN index's recheck (reading
    each matching document's tsvector back) and lets it answer alone."""

    def __init__(self, text: str) -> None:
        self.text = text


def _either_field(parts: Sequence[Any]) -> list[Any]:
    """`parts` with each pair of terms "word in the title", "word in the body" (what the
    parser makes of one word) replaced by one _AnyField."""
    fields: dict[str, set[str]] = {}
    for part in parts:
        if isinstance(part, whoosh_query.Term):
            fields.setdefault(part.text, set()).add(part.fieldname)
    both = {word for word, names in fields.items() if names >= set(_WEIGHTS)}
    kept: list[Any] = []
    for part in parts:
        if isinstance(part, whoosh_query.Term) and part.text in both:
            if part.fieldname == "title":
                kept.append(_AnyField(part.text))
            continue
        kept.append(part)
    return kept


def _negation(part: str | None) -> str | None:
    if part is None:
        return _EVERYTHING
    if part == _EVERYTHING:
        return None
    return f"!{part}"


def _conjunction(required: list[str | None], excluded: list[str | None]) -> str | None:
    if None in required or _EVERYTHING in excluded:
        return None
    parts = [part for part in required if part is not None and part != _EVERYTHING]
    parts += [f"!{part}" for part in excluded if part is not None]
    return "(" + " & ".join(parts) + ")" if parts else _EVERYTHING


def _ranking_query(text_query: Any) -> str | None:
    """The words that add to the score (those not under a SAUF), any of them."""
    from recrutement.search.ranking import scoring_terms

    terms = sorted(scoring_terms(text_query))
    if not terms:
        return None
    parts = _either_field([whoosh_query.Term(field, term) for field, term in terms])
    return " | ".join(tsquery(part) or "" for part in parts)


# Facet fields, in the order of the columns of the counting query.
_FACET_COLUMNS = ("region", "department", "contract_type", "experience", "remote_work")
# A workplace's position in degrees, as reader.IndexView computes it from micro-degrees.
_LATITUDE = "(CAST(latitude AS float8) / CAST(1000000 AS float8))"
_LONGITUDE = "(CAST(longitude AS float8) / CAST(1000000 AS float8))"
# reader.haversine_km, operation for operation (the same C functions: the same floats).
_DISTANCE = (
    f"(2 * CAST(6371.0088 AS float8) * asin(sqrt("
    f"power(sin((radians({_LATITUDE}) - :phi) / 2), 2)"
    f" + :cos_phi * cos(radians({_LATITUDE}))"
    f" * power(sin(radians({_LONGITUDE} - :place_longitude) / 2), 2))))"
)
_ORDERS = {
    "pertinence": "score DESC, published_at DESC, offer_id DESC",
    "distance": "distance ASC, published_at DESC, offer_id DESC",
    "date_limite": "application_deadline ASC, published_at DESC, offer_id DESC",
    "date": "published_at DESC, offer_id DESC",
}


def search(view: PostgresView, params: Any, today: date) -> Any:
    """query.search_offers on the search tables: the same SearchResults as Whoosh gives.

    Two queries: the number of matching offers per combination of facet values (the
    facets and the total come from it, each facet counted without its own filter), and
    the page, sorted and cut in SQL, with its bodies for the excerpts.
    """
    from recrutement.search import query as q
    from recrutement.search.documents import date_number

    text_query = q.parse_text(params.text)
    sort = params.effective_sort
    if sort == q.SORT_RELEVANCE and text_query is None:
        sort = q.SORT_DATE
    conditions = ["application_deadline >= :today"]
    values: dict[str, Any] = {"today": date_number(today)}
    matches_nothing = False
    if text_query is not None:
        found = tsquery(text_query)
        if found is None:
            matches_nothing = True
        elif found != _EVERYTHING:
            conditions.append("terms @@ CAST(:query AS tsquery)")
            values["query"] = found
    score = "CAST(NULL AS float8)"
    if sort == q.SORT_RELEVANCE:
        ranking = _ranking_query(text_query)
        score = "CAST(0.0 AS float8)"
        if ranking is not None:
            score = (
                f"ts_rank(CAST('{RANK_WEIGHTS}' AS real[]), terms,"
                f" CAST(:ranking AS tsquery), {RANK_NORMALISATION})"
            )
            values["ranking"] = ranking
    distance = "CAST(NULL AS float8)"
    place = params.place
    if place is not None:
        # reader.IndexView.distances_within: its box, then the distance.
        radius = float(params.radius_km or q.DEFAULT_RADIUS_KM)
        delta_latitude = radius / 111.2
        delta_longitude = radius / (111.2 * max(math.cos(math.radians(place.latitude)), 0.01))
        distance = _DISTANCE
        conditions.append(
            "latitude IS NOT NULL AND longitude IS NOT NULL"
            f" AND abs({_LATITUDE} - :place_latitude) <= :delta_latitude"
            f" AND abs({_LONGITUDE} - :place_longitude) <= :delta_longitude"
            f" AND {_DISTANCE} <= :radius"
        )
        values.update(
            place_latitude=place.latitude,
            place_longitude=place.longitude,
            delta_latitude=delta_latitude,
            delta_longitude=delta_longitude,
            phi=math.radians(place.latitude),
            cos_phi=math.cos(math.radians(place.latitude)),
            radius=radius,
        )
    where = " AND ".join(conditions)

    combinations: list[tuple[tuple[str, ...], int]] = []
    if not matches_nothing:
        columns = ", ".join(_FACET_COLUMNS)
        counting = text(
            f"SELECT {columns}, count(*) FROM search_document"  # noqa: S608 — our own SQL
            f" WHERE {where} GROUP BY {columns}"
        )
        combinations = [
            (tuple(row[: len(_FACET_COLUMNS)]), row[-1])
            for row in db.session.execute(counting, values)
        ]
    selected = {
        _FACET_COLUMNS.index(q.FACET_PARAMETERS[name]): value
        for name, value in params.filters.items()
    }

    def passes(combination: tuple[str, ...], skipped: int | None = None) -> bool:
        return all(
            combination[column] == value for column, value in selected.items() if column != skipped
        )

    total = sum(count for combination, count in combinations if passes(combination))
    facets = {}
    for name, field_name in q.FACET_PARAMETERS.items():
        column = _FACET_COLUMNS.index(field_name)
        counts: Counter[str] = Counter()
        for combination, count in combinations:
            if passes(combination, skipped=column if column in selected else None):
                counts[combination[column]] += count
        counts.pop("", None)
        facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    hits = []
    start = (params.page - 1) * params.per_page
    if start < total:
        filters = "".join(f" AND {_FACET_COLUMNS[column]} = :facet_{column}" for column in selected)
        values.update({f"facet_{column}": value for column, value in selected.items()})
        values.update(limit=params.per_page, offset=start)
        page = text(
            f"SELECT offer_id, body, {score} AS score, {distance} AS distance"  # noqa: S608
            f" FROM search_document WHERE {where}{filters}"
            f" ORDER BY {_ORDERS[sort]} LIMIT :limit OFFSET :offset"
        )
        terms = q._highlight_terms(text_query)
        hits = [
            q.SearchHit(
                row.offer_id,
                None if row.score is None else float(row.score),
                q.excerpt(row.body, terms),
                row.distance,
            )
            for row in db.session.execute(page, values)
        ]
    return q.SearchResults(
        total=total,
        page=params.page,
        per_page=params.per_page,
        hits=hits,
        facets=facets,
        suggestion=suggest(params.text) if params.text else None,
        sort=sort,
    )


# --- « Vouliez-vous dire » -----------------------------------------------------------


def suggest(text_typed: str) -> str | None:
    """suggestions.suggest on the word tables: each misspelt word replaced by the most
    frequent word of the offers 1 (then 2) edits away, with its accents."""
    from recrutement.search.suggestions import replace_words

    return replace_words(text_typed, _correction)


def _correction(word: str) -> str | None:
    folded = fold_word(word)
    if len(folded) < 3 or not folded.isalpha() or folded in FRENCH_STOP_WORDS:
        return None
    session = db.session
    if session.execute(
        text("SELECT 1 FROM search_word WHERE word = :word"), {"word": folded}
    ).first():
        return None
    stems = analyze(word)
    if stems and all(
        session.execute(
            text("SELECT 1 FROM search_document WHERE terms @@ CAST(:term AS tsquery) LIMIT 1"),
            {"term": _lexeme(stem)},
        ).first()
        for stem in stems
    ):
        return None
    # Trigram similarity (pg_trgm's `%`, at least 0.3, under the GIN index) finds the
    # candidates; Whoosh's rule picks among them: same first letter, 1 then 2 edits.
    candidates = dict(
        session.execute(
            text(
                "SELECT word, documents FROM search_word"
                " WHERE word % :word AND left(word, 1) = left(:word, 1)"
            ),
            {"word": folded},
        )
        .tuples()
        .all()
    )
    for distance in (1, 2) if len(folded) > 4 else (1,):
        within = [
            candidate
            for candidate in candidates
            if candidate != folded
            and abs(len(candidate) - len(folded)) <= distance
            and edit_distance(candidate, folded, limit=distance) <= distance
        ]
        if within:
            best = max(within, key=lambda term: (candidates[term], term))
            return _accented(best)
    return None


def _accented(word: str) -> str:
    forms = dict(
        db.session.execute(
            text("SELECT form, documents FROM search_word_form WHERE word = :word"),
            {"word": word},
        )
        .tuples()
        .all()
    )
    if not forms:
        return word
    return str(max(sorted(forms), key=forms.__getitem__))
