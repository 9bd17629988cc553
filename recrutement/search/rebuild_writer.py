"""The writer of a full rebuild: Whoosh's segment writer with its postings kept in memory.

Whoosh's writer sorts every posting (field, term, document, weight, positions) as a
tuple, spills the sorted runs to temporary files with pickle whenever they pass
`limitmb`, and merges the runs back; it then looks up each posting's field length
with a file-existence check for fields that keep no lengths. On 10,000 offers that
was two thirds of the rebuild, and it grew faster than the offers as runs multiplied.

A rebuild adds documents in document-number order, so each term's postings arrive
already sorted: grouping them by term in compact arrays needs no sort but the
terms', no temporary file, and about 20 bytes a posting. The segment written is
the same as Whoosh's (same codec, same postings in the same order).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.writing import SegmentWriter

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
    """Postings grouped by term, for documents added in increasing document number."""

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self._terms: dict[tuple[str, bytes], _TermPostings] = {}

    def add(self, item: Posting) -> None:
        fieldname, text, document, weight, value = item
        key = (fieldname, text)
        postings = self._terms.get(key)
        if postings is None:
            postings = self._terms[key] = _TermPostings()
            self.fieldnames.add(fieldname)
        elif document < postings.documents[-1]:
            raise ValueError(f"document {document} added after {postings.documents[-1]}")
        postings.documents.append(document)
        postings.weights.append(weight)
        if value:
            postings.values += value
        postings.value_ends.append(len(postings.values))

    def iter_postings(self) -> Iterator[Posting]:
        """Every posting, by field, term and document, as Whoosh's sorted pool gives them."""
        for key in sorted(self._terms):
            fieldname, text = key
            postings = self._terms[key]
            values = bytes(postings.values)
            start = 0
            for document, weight, end in zip(
                postings.documents, postings.weights, postings.value_ends, strict=True
            ):
                yield fieldname, text, document, weight, values[start:end]
                start = end

    def cleanup(self) -> None:
        self._terms.clear()


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

    def doc_field_length(self, document: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get(fieldname)
        return default if lengths is None else lengths[document]


class RebuildWriter(SegmentWriter):  # type: ignore[misc]  # whoosh is untyped
    """A segment writer for documents added in order, without spilling postings to disk."""

    def __init__(self, index: Any, **kwargs: Any) -> None:
        super().__init__(index, **kwargs)
        self.pool = MemoryPostingPool()

    def _flush_segment(self) -> None:
        # SegmentWriter._flush_segment, with field lengths that skip unscored fields.
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        scored = frozenset(name for name in self.schema.names() if self.schema[name].scorable)
        lengths = _FieldLengths(reader, scored) if reader is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader is not None:
            reader.close()
