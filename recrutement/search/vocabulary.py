"""The offers' vocabulary for « Vouliez-vous dire »: each word and how many offers hold it.

Suggestions need to know which words the published offers contain, in how many
offers each, and how the offers write them with their accents. Kept as Whoosh
fields, this took one posting per word per offer (44 % of the index's postings,
written at every rebuild); here it is a table of words and document counts.

It lives in the index directory, one file per index generation, written under the
index lock just before the index commit it belongs to (index.py). So it changes
with the index and only with it:

- readers load the table of the generation they search, once per generation;
- a writer that dies before its index commit leaves a file for a generation that
  was never committed, which the next writer, getting the same generation number,
  overwrites;
- a writer that dies after its index commit but before marking its tasks done
  leaves the table matching the index; applying the tasks again computes each
  offer's change from the document the index now holds (`remove` the words of the
  indexed document, `add` those of the offer), which changes nothing.

Counts are over the live documents: an offer withdrawn or changed stops counting
at once (the Whoosh field counted deleted documents until their segment was merged).
"""

from __future__ import annotations

import marshal
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh.support.levenshtein import distance

from recrutement.search.analysis import FRENCH_STOP_WORDS, fold_token, words

# The file of generation N of index "offres_vN" is "offres_vN-vocabulary-N.marshal":
# Whoosh's own file names ("offres_vN_<segment>.*", "_offres_vN_N.toc") never match it.
_FILE = re.compile(r"^(?P<index>.+)-vocabulary-(?P<generation>[0-9]+)\.marshal$")

# Generations kept besides the newest, for processes still searching an older one.
KEPT_GENERATIONS = 3
_FORMAT = 1

# What each raw token of an offer gives: its folded word (None under 3 letters or a
# stop word) and its accented form (None when folding changes nothing). Offers
# repeat the same words, so each is analysed once per process.
_token_cache: dict[str, tuple[str | None, tuple[str, str] | None]] = {}


def _analyse_token(token: str) -> tuple[str | None, tuple[str, str] | None]:
    lowered = token.lower()
    folded = fold_token(lowered)
    word = folded if len(folded) >= 3 and folded not in FRENCH_STOP_WORDS else None
    form = None
    if folded != lowered and len(folded) >= 3 and folded.isalpha():
        form = (folded, lowered)
    return word, form


def document_words(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The folded words of a document's text and its accented (folded, written) forms.

    Words are lowercased, accent-free, at least 3 letters and not stop words; forms
    are the lowercased words that folding changes, at least 3 letters of the alphabet.
    """
    return tokens_words(set(words(text)))


def tokens_words(tokens: Iterable[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """`document_words` of a text whose distinct raw words (`analysis.words`) are `tokens`."""
    folded_words: set[str] = set()
    forms: set[tuple[str, str]] = set()
    cache = _token_cache
    for token in tokens:
        found = cache.get(token)
        if found is None:
            if len(cache) > 200_000:
                cache.clear()
            found = cache[token] = _analyse_token(token)
        word, form = found
        if word is not None:
            folded_words.add(word)
        if form is not None:
            forms.add(form)
    return folded_words, forms


class Vocabulary:
    """Words of the live documents with their document counts, and their accented forms."""

    def __init__(
        self,
        counts: dict[str, int] | None = None,
        forms: dict[str, dict[str, int]] | None = None,
    ) -> None:
        self.counts: dict[str, int] = counts or {}
        # folded word → {written form: document count}
        self.forms: dict[str, dict[str, int]] = forms or {}
        self._by_initial: dict[str, list[str]] | None = None

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def document_count(self, word: str) -> int:
        """How many live documents hold `word` (folded)."""
        return self.counts.get(word, 0)

    def add(self, text: str) -> None:
        """Count a new document's text."""
        self._change(document_words(text), 1)

    def add_tokens(self, tokens: Iterable[str]) -> None:
        """Count a new document whose text has these distinct raw words (`analysis.words`).

        For a rebuild, which splits each text into words once for the index and this table.
        """
        self._change(tokens_words(tokens), 1)

    def merge(self, other: Vocabulary) -> None:
        """Count `other`'s documents too (the parts of a rebuild made in several processes)."""
        counts = self.counts
        for word, count in other.counts.items():
            counts[word] = counts.get(word, 0) + count
        for folded, written_counts in other.forms.items():
            mine = self.forms.setdefault(folded, {})
            for written, count in written_counts.items():
                mine[written] = mine.get(written, 0) + count
        self._by_initial = None

    def remove(self, text: str) -> None:
        """Stop counting the text of a document leaving the index."""
        self._change(document_words(text), -1)

    def _change(self, found: tuple[set[str], set[tuple[str, str]]], step: int) -> None:
        folded_words, forms = found
        counts = self.counts
        for word in folded_words:
            count = counts.get(word, 0) + step
            if count > 0:
                counts[word] = count
            else:
                counts.pop(word, None)
        for folded, written in forms:
            written_counts = self.forms.setdefault(folded, {})
            count = written_counts.get(written, 0) + step
            if count > 0:
                written_counts[written] = count
            else:
                written_counts.pop(written, None)
                if not written_counts:
                    del self.forms[folded]
        self._by_initial = None

    def words_within(self, word: str, max_distance: int, prefix: int = 1) -> Iterator[str]:
        """Words sharing `word`'s first `prefix` letters within `max_distance` edits.

        Edits are Damerau-Levenshtein's (a swap of two neighbouring letters is one),
        as Whoosh's reader over several segments computed them.
        """
        if self._by_initial is None:
            by_initial: dict[str, list[str]] = {}
            for known in sorted(self.counts):
                by_initial.setdefault(known[:1], []).append(known)
            self._by_initial = by_initial
        start = word[:prefix]
        length = len(word)
        for known in self._by_initial.get(word[:1], ()):
            # The length difference alone is a lower bound of the distance.
            if abs(len(known) - length) > max_distance or not known.startswith(start):
                continue
            if distance(known, word, limit=max_distance) <= max_distance:
                yield known

    def accented(self, word: str) -> str:
        """`word` (folded) as the offers most often write it, accents included."""
        written_counts = self.forms.get(word)
        if not written_counts:
            return word
        # The first of the most frequent in alphabetical order, as Whoosh's lexicon gave them.
        return max(sorted(written_counts), key=written_counts.__getitem__)

    # --- Files ------------------------------------------------------------------

    def save(self, directory: Path, index_name: str, generation: int) -> None:
        """Write this vocabulary as the one of index `generation` (atomically)."""
        path = vocabulary_path(directory, index_name, generation)
        temporary = path.with_name(f".{path.name}.tmp")
        with open(temporary, "wb") as file:
            marshal.dump((_FORMAT, self.counts, self.forms), file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)

    @classmethod
    def load(cls, directory: Path, index_name: str, generation: int) -> Vocabulary:
        """The vocabulary of index `generation` (FileNotFoundError if it has none)."""
        with open(vocabulary_path(directory, index_name, generation), "rb") as file:
            # Written by this application in the index directory, which Whoosh already
            # trusts to unpickle its table of contents; marshal reads it twice as fast as json.
            version, counts, forms = marshal.load(file)  # noqa: S302
        if version != _FORMAT:
            raise ValueError(f"vocabulary file of format {version}, expected {_FORMAT}")
        return cls(counts, forms)


def vocabulary_path(directory: Path, index_name: str, generation: int) -> Path:
    """Where the vocabulary of index `generation` is kept."""
    return directory / f"{index_name}-vocabulary-{generation}.marshal"


def vocabulary_generations(directory: Path, index_name: str) -> list[int]:
    """The generations of the index that have a vocabulary file, oldest first."""
    names = os.listdir(directory) if directory.is_dir() else []
    matches = (_FILE.match(name) for name in names)
    return sorted(
        int(match.group("generation"))
        for match in matches
        if match and match.group("index") == index_name
    )


def forget_old_vocabularies(directory: Path, index_name: str, newest: int) -> None:
    """Delete the vocabulary files of generations older than the few kept before `newest`."""
    for generation in vocabulary_generations(directory, index_name):
        if generation < newest - KEPT_GENERATIONS:
            vocabulary_path(directory, index_name, generation).unlink(missing_ok=True)
