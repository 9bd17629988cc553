"""Matching and ranking the words of a search on cached postings.

Whoosh's collector walks postings one document at a time in Python: on 10,000
offers that all contain "chef de projet" it needs about 140 ms, far above the
50 ms budget (docs/design.md). Here each term's postings are read once per index
segment into arrays — a segment never changes once written, so the arrays stay
valid across index versions, and a publication only adds a small segment to
read — and a search then costs set operations plus one loop per term to score
the documents that passed every filter. Scores are Whoosh's BM25F (same
constants, field boosts included in the stored weights).

Phrases ("cœur de ville") are matched by Whoosh itself, which knows positions;
their words still count in the score.
"""

from __future__ import annotations

import operator
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

from whoosh import query as whoosh_query

from recrutement.search.reader import IndexView

# Whoosh's BM25F defaults.
K1 = 1.2
B = 0.75
# About 12 bytes a posting: 2 million postings stay under 25 MB per process.
MAX_CACHED_POSTINGS = 2_000_000

# A string: array is subscriptable only for the type checker before Python 3.12.
Postings: TypeAlias = "tuple[array[int], array[float], array[int]]"


class _SegmentCache:
    """Postings (document, weight, field length) per segment and term, least recently used out."""

    def __init__(self, max_postings: int) -> None:
        self.max_postings = max_postings
        self.size = 0
        self.entries: OrderedDict[tuple[str, str, str], Postings] = OrderedDict()
        self.lengths: dict[tuple[str, str], array[int]] = {}
        self.lock = threading.Lock()

    def postings(self, leaf: Any, field_name: str, text: str) -> Postings:
        segment_id = leaf.segment().segment_id()
        key = (segment_id, field_name, text)
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        found = self._read(leaf, segment_id, field_name, text)
        with self.lock:
            self.entries[key] = found
            self.size += len(found[0])
            while self.size > self.max_postings and len(self.entries) > 1:
                _key, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted[0])
            self._forget_lengths()
        return found

    def _read(self, leaf: Any, segment_id: str, field_name: str, text: str) -> Postings:
        documents, weights, lengths = array("I"), array("f"), array("I")
        if (field_name, text) not in leaf:
            return documents, weights, lengths
        field_lengths = self._field_lengths(leaf, segment_id, field_name)
        matcher = leaf.postings(field_name, text)
        while matcher.is_active():
            document = matcher.id()
            documents.append(document)
            weights.append(matcher.weight())
            lengths.append(field_lengths[document])
            matcher.next()
        return documents, weights, lengths

    def _field_lengths(self, leaf: Any, segment_id: str, field_name: str) -> array[int]:
        key = (segment_id, field_name)
        if key not in self.lengths:
            self.lengths[key] = array(
                "I",
                (leaf.doc_field_length(doc, field_name, 0) for doc in range(leaf.doc_count_all())),
            )
        return self.lengths[key]

    def _forget_lengths(self) -> None:
        # Lengths of segments that no cached postings use any more (merged away).
        if len(self.lengths) > 64:
            alive = {key[0] for key in self.entries}
            for key in [key for key in self.lengths if key[0] not in alive]:
                del self.lengths[key]


_segments = _SegmentCache(MAX_CACHED_POSTINGS)


def term_postings(
    view: IndexView, field_name: str, text: str
) -> tuple[list[int], array[float], array[int]]:
    """A term's postings in this index version: global document numbers, weights, lengths."""
    memo: dict[tuple[str, str], tuple[list[int], array[float], array[int]]]
    memo = view.memo.setdefault("postings", {})
    key = (field_name, text)
    if key not in memo:
        documents: list[int] = []
        weights, lengths = array("f"), array("I")
        for leaf, offset in view.reader.leaf_readers():
            if leaf.segment() is None:  # an empty index
                continue
            leaf_documents, leaf_weights, leaf_lengths = _segments.postings(leaf, field_name, text)
            documents.extend(doc + offset for doc in leaf_documents)
            weights.extend(leaf_weights)
            lengths.extend(leaf_lengths)
        if len(memo) > 512:
            memo.clear()
        memo[key] = (documents, weights, lengths)
    return memo[key]


def term_documents(view: IndexView, field_name: str, text: str) -> frozenset[int]:
    """The live documents holding a term."""
    memo: dict[tuple[str, str], frozenset[int]] = view.memo.setdefault("term_documents", {})
    key = (field_name, text)
    if key not in memo:
        if len(memo) > 512:
            memo.clear()
        memo[key] = frozenset(term_postings(view, field_name, text)[0]) & view.live
    return memo[key]


def _any_term_documents(view: IndexView, terms: tuple[Any, ...]) -> frozenset[int]:
    """The live documents holding at least one of `terms`."""
    memo: dict[tuple[tuple[str, str], ...], frozenset[int]]
    memo = view.memo.setdefault("any_term_documents", {})
    key = tuple(sorted((term.fieldname, term.text) for term in terms))
    if key not in memo:
        if len(memo) > 512:
            memo.clear()
        memo[key] = frozenset().union(
            *(term_documents(view, field_name, text) for field_name, text in key)
        )
    return memo[key]


def matching_documents(view: IndexView, query: Any) -> frozenset[int] | set[int]:
    """The live documents that match a parsed query (terms, AND, OR, NOT, phrases)."""
    if isinstance(query, whoosh_query.Term):
        return term_documents(view, query.fieldname, query.text)
    if isinstance(query, whoosh_query.Not):
        return view.live - matching_documents(view, query.query)
    if isinstance(query, whoosh_query.AndNot):
        return matching_documents(view, query.a) - matching_documents(view, query.b)
    if isinstance(query, whoosh_query.And):
        required = [part for part in query.subqueries if not isinstance(part, whoosh_query.Not)]
        excluded = [part.query for part in query.subqueries if isinstance(part, whoosh_query.Not)]
        result: frozenset[int] | set[int] = view.live
        if required:
            sets = sorted((matching_documents(view, part) for part in required), key=len)
            result = sets[0].intersection(*sets[1:])
        for part in excluded:
            result = result - matching_documents(view, part)
        return result
    if isinstance(query, whoosh_query.Or):
        if all(isinstance(part, whoosh_query.Term) for part in query.subqueries):
            # One word in the title or the body, most often: kept per index version.
            return _any_term_documents(view, tuple(query.subqueries))
        result = set()
        for part in query.subqueries:
            result |= matching_documents(view, part)
        return result
    if query is whoosh_query.NullQuery:
        return frozenset()
    # Phrases and anything else: Whoosh knows best.
    return frozenset(view.searcher.docs_for_query(query)) & view.live


def scoring_terms(query: Any) -> set[tuple[str, str]]:
    """The (field, text) terms that add to a document's score: those not under a NOT."""
    if isinstance(query, whoosh_query.Not):
        return set()
    if isinstance(query, whoosh_query.AndNot):
        return scoring_terms(query.a)
    if isinstance(query, whoosh_query.Term):
        return {(query.fieldname, query.text)}
    if isinstance(query, whoosh_query.Phrase):
        return {(query.fieldname, word) for word in query.words}
    terms: set[tuple[str, str]] = set()
    for child in query.children():
        terms |= scoring_terms(child)
    return terms


# The dense score columns of one index version take 8 bytes a document: at most this
# many bytes of them per process (about 200 terms at 10,000 offers).
MAX_CONTRIBUTION_BYTES = 16_000_000


def term_contributions(view: IndexView, field_name: str, text: str) -> array[float] | None:
    """What a term adds to each document's BM25F score, by document number (0.0 where
    absent), or None when no document holds it.

    Weights, lengths, the IDF and the average length are fixed for one index version,
    so this is computed once per version and term; a search then adds columns.
    """
    memo: OrderedDict[tuple[str, str], array[float] | None]
    memo = view.memo.setdefault("contributions", OrderedDict())
    key = (field_name, text)
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    postings, weights, lengths = term_postings(view, field_name, text)
    column = None
    if postings:
        searcher = view.searcher
        average = searcher.avg_field_length(field_name) or 1.0
        factor = searcher.idf(field_name, text) * (K1 + 1)
        constant = K1 * (1 - B)
        per_length = K1 * B / average
        column = array("d", bytes(8 * view.reader.doc_count_all()))
        for document, weight, length in zip(postings, weights, lengths, strict=True):
            column[document] = factor * weight / (weight + constant + per_length * length)
    memo[key] = column
    kept = MAX_CONTRIBUTION_BYTES // (8 * max(view.reader.doc_count_all(), 1))
    while len(memo) > max(kept, 1):
        memo.popitem(last=False)
    return column


def scores(view: IndexView, query: Any, documents: Sequence[int]) -> list[float]:
    """BM25F scores of `documents` for the query's terms, in their order.

    Each score is the sum of the terms' contributions in the order of
    `scoring_terms`, as Whoosh adds them; a term a document lacks adds 0.0, which
    changes no sum.
    """
    total: Iterable[float] | None = None
    for field_name, text in scoring_terms(query):
        column = term_contributions(view, field_name, text)
        if column is None:
            continue
        values = map(column.__getitem__, documents)
        total = values if total is None else map(operator.add, total, values)
    return list(total) if total is not None else [0.0] * len(documents)
