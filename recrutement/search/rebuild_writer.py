"""The writer of a full rebuild: Whoosh's segment writer with its postings kept in memory.

Whoosh's writer sorts every posting (field, term, document, weight, positions) as a
tuple, spills the sorted runs to temporary files with pickle whenever they pass
`limitmb`, and merges the runs back; it then looks up each posting's field length
with a file-existence check for fields that keep no lengths. On 10,000 offers that
was two thirds of the rebuild, and it grew faster than the offers as runs multiplied.

A rebuild adds documents in document-number order, so each term's postings arrive
already sorted: grouping them by term in compact arrays needs no sort but the
terms', no temporary file, and about 20 bytes a posting. They are then handed to
Whoosh's codec a block of 128 postings at a time instead of one call per posting,
and the blocks are not zlib-compressed (a third of the writing time for a few tens
of megabytes on disk). The title and body are analysed by a table of words
(analysis.PositionsAnalysis) instead of a token object per word through three
filters. The segment written is, byte for byte, the one Whoosh's own writer writes
with the same codec (tests/search/test_rebuild.py).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Positions
from whoosh.writing import SegmentWriter

from recrutement.search.analysis import PositionsAnalysis, words
from recrutement.search.vocabulary import Vocabulary

# zlib level of the posting blocks a rebuild writes (Whoosh's default is 3). Each
# block records its own level, so readers, and later writers merging the segment,
# read these blocks like any other.
POSTING_COMPRESSION = 0

# (field name, term bytes, document number, weight, encoded value): Whoosh's posting.
Posting = tuple[str, bytes, int, float, bytes]


class _TermPostings:
    """One term's postings, in the order they were added."""

    __slots__ = ("documents", "weights", "value_ends", "values")

    def __init__(self) -> None:
        self.documents = array("I")
        self.weights = array("d")
        self.value_ends = array("I")
        self.values = bytearray()


class MemoryPostingPool:
    """Postings grouped by field and term, for documents added in increasing document number."""

    def __init__(self) -> None:
        self._fields: dict[str, dict[bytes, _TermPostings]] = {}

    def add(self, item: Posting) -> None:
        """Add one posting (Whoosh's pool interface)."""
        fieldname, text, document, weight, value = item
        self.add_field(fieldname, document, [(text, 0, weight, value)])

    def add_field(
        self, fieldname: str, document: int, items: Iterable[tuple[bytes, int, float, bytes]]
    ) -> int:
        """Add a document's postings in one field, as `field.index` gives them; return the
        sum of their frequencies (the field's length)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        length = 0
        for text, frequency, weight, value in items:
            length += frequency
            postings = terms.get(text)
            if postings is None:
                postings = terms[text] = _TermPostings()
            elif document < postings.documents[-1]:
                raise ValueError(f"document {document} added after {postings.documents[-1]}")
            postings.documents.append(document)
            postings.weights.append(weight)
            if value:
                postings.values += value
            postings.value_ends.append(len(postings.values))
        return length

    def terms(self) -> Iterator[tuple[str, bytes, _TermPostings]]:
        """Each term's postings, by field and term, as Whoosh's sorted pool orders them."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for text in sorted(terms):
                yield fieldname, text, terms[text]

    def cleanup(self) -> None:
        self._fields.clear()


class _FieldLengths:
    """Field lengths for writing postings, read once per field instead of once per posting.

    Whoosh's reader seeks and reads the lengths file for each posting, and checks
    on disk whether one exists for each posting of a field that keeps none (only
    scored fields do; the others answer 0, as Whoosh's reader does).
    """

    def __init__(self, reader: Any, scored: frozenset[str]) -> None:
        documents = range(reader.doc_count_all())
        self._lengths = {
            name: [reader.doc_field_length(document, name, 0) for document in documents]
            for name in scored
        }

    def of_field(self, fieldname: str) -> list[int] | None:
        """Each document's length in `fieldname`, or None for a field that keeps none (0)."""
        return self._lengths.get(fieldname)


def write_postings(fieldwriter: Any, schema: Any, lengths: Any, pool: MemoryPostingPool) -> None:
    """Write the pool's postings with Whoosh's field writer, a block at a time.

    What `FieldWriter.add_postings` does one posting at a time (about 40 million
    Python calls on 10,000 offers): each term's postings are cut into blocks of the
    codec's block size, and each block is handed to Whoosh's postings writer with
    the statistics its `add_posting` would have gathered (largest weight, shortest
    and longest non-zero field length), so the same blocks are written.
    """
    current_field = None
    field_lengths = None
    for fieldname, text, postings in pool.terms():
        if fieldname != current_field:
            if current_field is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            current_field = fieldname
            field_lengths = lengths.of_field(fieldname) if lengths is not None else None
        fieldwriter.start_term(text)
        _add_blocks(fieldwriter._postwriter, postings, field_lengths)
        fieldwriter.finish_term()
    if current_field is not None:
        fieldwriter.finish_field()


def _add_blocks(postwriter: Any, postings: _TermPostings, field_lengths: list[int] | None) -> None:
    """Fill Whoosh's postings writer with one term's postings, a block at a time.

    Every block but the last is written here; the last stays buffered for
    `finish_term`, which writes it marked as the last, as Whoosh does.
    """
    limit = postwriter._blocklimit
    documents, weights, ends = postings.documents, postings.weights, postings.value_ends
    values = bytes(postings.values)
    count = len(documents)
    for start in range(0, count, limit):
        if start:
            postwriter._write_block()
        stop = min(start + limit, count)
        block_documents = documents[start:stop]
        block_weights = weights[start:stop]
        postwriter._ids = block_documents
        postwriter._weights = array("f", block_weights)
        postwriter._maxweight = max(0, max(block_weights))
        value_start = ends[start - 1] if start else 0
        block_values = []
        for end in ends[start:stop]:
            if end > value_start:
                block_values.append(values[value_start:end])
            value_start = end
        postwriter._values = block_values
        if field_lengths is None:
            block_lengths = [0]
        else:
            block_lengths = [field_lengths[document] for document in block_documents]
        nonzero = [length for length in block_lengths if length]
        postwriter._minlength = min(nonzero) if nonzero else None
        postwriter._maxlength = max(0, max(block_lengths))


def _items(
    analysis: PositionsAnalysis, field: Any, raw_words: list[str], single: dict[int, bytes]
) -> Iterator[tuple[bytes, int, float, bytes]]:
    """What `field.index(text)` gives for a field of Positions, from a PositionsAnalysis
    of the text's words.

    Most terms occur once in an offer: the encoding of a lone position is kept in
    `single` (a few thousand positions) rather than pickled again for each term.
    """
    field_boost = field.format.field_boost
    encode = field.format.encode
    for term, positions in analysis.word_positions(raw_words).items():
        if len(positions) == 1:
            position = positions[0]
            value = single.get(position)
            if value is None:
                value = single[position] = encode(positions)
            yield term.encode("utf-8"), 1, field_boost, value
        else:
            yield (
                term.encode("utf-8"),
                len(positions),
                len(positions) * field_boost,
                encode(positions),
            )


class RebuildWriter(SegmentWriter):  # type: ignore[misc]  # whoosh is untyped
    """A segment writer for documents added in order, without spilling postings to disk."""

    def __init__(
        self,
        index: Any,
        analysed_fields: dict[str, Any],
        vocabulary: Vocabulary | None = None,
        **kwargs: Any,
    ) -> None:
        """`analysed_fields`: text fields whose analysis a PositionsAnalysis does, by name.

        `vocabulary`: counts each document's words in those fields, from the same
        split of the text into words as the index (instead of a second scan of it).
        """
        super().__init__(index, codec=W3Codec(compression=POSTING_COMPRESSION), **kwargs)
        self.vocabulary = vocabulary
        self.pool = MemoryPostingPool()
        self._single_positions: dict[int, bytes] = {}
        self._analyses = {
            name: PositionsAnalysis(analyzer) for name, analyzer in analysed_fields.items()
        }
        for name in analysed_fields:
            if type(self.schema[name].format) is not Positions:
                raise ValueError(f"field {name!r} does not index positions")
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r} needs what add_document leaves out")

    def add_document(self, **fields: Any) -> None:
        """SegmentWriter.add_document for this schema, with the analysed fields' fast path.

        Whoosh's own method without what this index never uses (document and field
        boosts, vectors, separate spelling fields, `_stored_` values); the other
        fields are indexed by Whoosh's field objects as before.
        """
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        document = self.docnum
        add_field = self.pool.add_field
        single = self._single_positions
        names = sorted(fields)
        self._check_fields(schema, names)
        document_words: set[str] = set()
        perdocwriter.start_doc(document)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    analysis = self._analyses.get(name)
                    if analysis is None:
                        items = field.index(value)
                    else:
                        raw_words = words(value)
                        document_words.update(raw_words)
                        items = _items(analysis, field, raw_words, single)
                    frequencies = add_field(name, document, items)
                    if field.scorable:
                        length = frequencies
                perdocwriter.add_field(name, field, value if field.stored else None, length)
                if field.column_type is not None:
                    perdocwriter.add_column_value(
                        name, field.column_type, field.to_column_value(value)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        if self.vocabulary is not None:
            self.vocabulary.add_tokens(document_words)
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        # SegmentWriter._flush_segment, with field lengths that skip unscored fields.
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        scored = frozenset(name for name in self.schema.names() if self.schema[name].scorable)
        lengths = _FieldLengths(reader, scored) if reader is not None else None
        write_postings(self.fieldwriter, self.schema, lengths, self.pool)
        self.fieldwriter.close()
        if reader is not None:
            reader.close()
