"""How French text becomes index terms, identically when indexing and when searching.

The chain is: split into words → lowercase → fold accents and ligatures →
drop stop words → normalise feminine "-ière" (these four in FrenchWordFilter)
→ Snowball French stemmer.

Folding comes before stemming so that a word typed without its accents
("amenagement", "mobilites") reaches the same stem as the accented text
("aménagement", "mobilité"); the stop list is folded too so it still matches.

Whoosh pickles the analyzers into the index's table of contents: the filter
classes below must stay importable under these names, or the index is
reported as corrupt and rebuilt (see index.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Filter,
    RegexTokenizer,
    StemFilter,
)
from whoosh.lang.stopwords import stoplists

from recrutement.referential.text import fold

# Words: letters and digits; hyphens and apostrophes separate ("l'aménagement",
# "Saint-Pol") like fold() does.
WORD_PATTERN = r"\w+"
_WORD = re.compile(WORD_PATTERN)

# Snowball's French list misses a few very common words ("les" above all).
_EXTRA_STOP_WORDS = {"les", "cet", "cette", "dont", "sans", "sous", "chez", "entre", "vers"}
FRENCH_STOP_WORDS = frozenset({fold(word) for word in stoplists["fr"]} | _EXTRA_STOP_WORDS)


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    # A single token holds no separator, so fold() only strips accents and ligatures.
    return fold(word).replace(" ", "")


class FrenchWordFilter(Filter):  # type: ignore[misc]  # whoosh is untyped: Filter is Any
    """Lowercase, fold, drop stop words and bring "-ière" to "-ier", in one step per word.

    The tokens of Whoosh's LowercaseFilter, then folding (fold_token), then
    StopFilter(FRENCH_STOP_WORDS, minsize=2) with its renumbering of positions, then
    the feminine step, as four filters gave them; but each distinct word is worked
    out once per process: offers repeat their words, and four filters a token cost
    a fifth of a rebuild (tests/search/test_analysis.py compares the two).
    """

    _MAX_WORDS = 100_000

    def __init__(self) -> None:
        self._words: dict[str, tuple[str, bool]] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Pickled into the index's table of contents: the cache is not part of it.
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._words = {}

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        words = self._words
        position = None
        for token in tokens:
            found = words.get(token.text)
            if found is None:
                if len(words) >= self._MAX_WORDS:
                    words.clear()
                found = words[token.text] = _french_word(token.text)
            token.text, stopped = found
            if not stopped:
                # StopFilter's renumbering: kept words follow each other.
                if token.positions:
                    if position is None:
                        position = token.pos
                    else:
                        position += 1
                        token.pos = position
                token.stopped = False
                yield token
            elif not token.removestops:
                token.stopped = True
                yield token


def _french_word(raw: str) -> tuple[str, bool]:
    """A raw word's text after the filters of FrenchWordFilter, and whether it is a stop word."""
    folded = _fold_word(raw.lower())
    stopped = len(folded) < 2 or folded in FRENCH_STOP_WORDS
    return _feminine_to_masculine(folded), stopped


def _feminine_to_masculine(text: str) -> str:
    """Bring the feminine "-ière(s)" ending (folded: "iere") back to the masculine "-ier(s)".

    Snowball stems "infirmière" to "infirmier" but "infirmier" to "infirmi", so
    without this step a search for one form misses the other.
    """
    if len(text) > 6:
        if text.endswith("ieres"):
            return text[:-5] + "iers"
        if text.endswith("iere"):
            return text[:-4] + "ier"
    return text


def french_analyzer() -> Any:
    """The analyzer of the full-text fields (title, body) and of the queries on them.

    Stemming stays a filter of its own: Whoosh skips morphological filters when
    asked to (`no_morph`), and only those.
    """
    return (
        RegexTokenizer(WORD_PATTERN) | FrenchWordFilter() | StemFilter(lang="fr", cachesize=50_000)
    )


class PositionsAnalysis:
    """The index terms of a text with their positions, as `french_analyzer` gives them.

    What Whoosh's `Positions.word_values` builds from the analyzer's tokens, for a
    full rebuild (rebuild_writer.py): instead of a token object going through three
    filters for each word of each offer, each distinct word is analysed once, by
    the analyzer itself, and its term (or None for a stop word) remembered; a text
    is then its words looked up in that table. The gain does not depend on offers
    sharing paragraphs, only on their sharing words, as any French text does.
    Positions follow the analyzer's: the first kept word keeps its rank among all
    words, the next kept words follow it (StopFilter's renumbering).
    """

    _MAX_WORDS = 200_000

    def __init__(self, analyzer: Any) -> None:
        self._analyzer = analyzer
        self._terms: dict[str, str | None] = {}

    def _term(self, word: str) -> str | None:
        terms = [token.text for token in self._analyzer(word, mode="index")]
        if len(terms) > 1:
            raise ValueError(f"the analyzer splits the word {word!r}")
        return terms[0] if terms else None

    def positions(self, text: str) -> dict[str, list[int]]:
        """Each term of `text` and its positions, in the order of first occurrence."""
        return self.word_positions(words(text))

    def word_positions(self, raw_words: list[str]) -> dict[str, list[int]]:
        """`positions` of the text whose words (`words(text)`) are `raw_words`."""
        terms = self._terms
        found: dict[str, list[int]] = {}
        position = -1
        first = True
        for rank, word in enumerate(raw_words):
            try:
                term = terms[word]
            except KeyError:
                if len(terms) >= self._MAX_WORDS:
                    terms.clear()
                term = terms[word] = self._term(word)
            if term is None:
                continue
            if first:
                position = rank
                first = False
            else:
                position += 1
            places = found.get(term)
            if places is None:
                found[term] = [position]
            else:
                places.append(position)
        return found


def words(text: str) -> list[str]:
    """The raw words of `text`, in order, as the analyzer's tokenizer splits it."""
    return _WORD.findall(text)


def analyze(text: str) -> list[str]:
    """Return the index terms of `text`, as the full-text fields store them."""
    return [token.text for token in _FRENCH(text)]


def fold_word(word: str) -> str:
    """Return `word` lowercased without accents, as the vocabulary stores it (vocabulary.py)."""
    return _fold_word(word.lower())


def fold_token(token: str) -> str:
    """Return a lowercased token without accents and ligatures, as the index terms have it."""
    return _fold_word(token)


_FRENCH = french_analyzer()
