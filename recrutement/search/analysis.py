"""How French text becomes index terms, identically when indexing and when searching.

The chain is: split into words → lowercase → fold accents and ligatures →
drop stop words → normalise feminine "-ière" → Snowball French stemmer.

Folding comes before stemming so that a word typed without its accents
("amenagement", "mobilites") reaches the same stem as the accented text
("aménagement", "mobilité"); the stop list is folded too so it still matches.

Whoosh pickles the analyzers into the index's table of contents: the filter
classes below must stay importable under these names, or the index is
reported as corrupt and rebuilt (see index.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang.stopwords import stoplists

from recrutement.referential.text import fold

# Words: letters and digits; hyphens and apostrophes separate ("l'aménagement",
# "Saint-Pol") like fold() does.
WORD_PATTERN = r"\w+"

# Snowball's French list misses a few very common words ("les" above all).
_EXTRA_STOP_WORDS = {"les", "cet", "cette", "dont", "sans", "sous", "chez", "entre", "vers"}
FRENCH_STOP_WORDS = frozenset({fold(word) for word in stoplists["fr"]} | _EXTRA_STOP_WORDS)


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    # A single token holds no separator, so fold() only strips accents and ligatures.
    return fold(word).replace(" ", "")


class FoldFilter(Filter):  # type: ignore[misc]  # whoosh is untyped: Filter is Any
    """Replace each token's text by its accent- and ligature-free form ("cœur" → "coeur")."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = _fold_word(token.text)
            yield token


class FeminineFilter(Filter):  # type: ignore[misc]  # whoosh is untyped: Filter is Any
    """Bring the feminine "-ière(s)" ending back to the masculine "-ier(s)".

    Snowball stems "infirmière" to "infirmier" but "infirmier" to "infirmi", so
    without this step a search for one form misses the other. The filter runs
    after folding, so it sees "iere".
    """

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            text = token.text
            if len(text) > 6:
                if text.endswith("ieres"):
                    token.text = text[:-5] + "iers"
                elif text.endswith("iere"):
                    token.text = text[:-4] + "ier"
            yield token


def french_analyzer() -> Any:
    """The analyzer of the full-text fields (title, body) and of the queries on them."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=2)
        | FeminineFilter()
        | StemFilter(lang="fr", cachesize=50_000)
    )


def analyze(text: str) -> list[str]:
    """Return the index terms of `text`, as the full-text fields store them."""
    return [token.text for token in _FRENCH(text)]


def fold_word(word: str) -> str:
    """Return `word` lowercased without accents, as the vocabulary stores it (vocabulary.py)."""
    return _fold_word(word.lower())


def fold_token(token: str) -> str:
    """Return a lowercased token without accents and ligatures, as FoldFilter writes it."""
    return _fold_word(token)


_FRENCH = french_analyzer()
