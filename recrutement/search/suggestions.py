"""« Vouliez-vous dire »: the search text with its misspelt words replaced by words of the offers."""

from __future__ import annotations

import re
from collections.abc import Callable

from recrutement.search.analysis import FRENCH_STOP_WORDS, analyze, fold_word
from recrutement.search.index import INDEX_NAME, index_directory
from recrutement.search.reader import IndexView
from recrutement.search.vocabulary import Vocabulary, vocabulary_generations

_WORD = re.compile(r"\w+")


def suggest(view: IndexView, text: str) -> str | None:
    """`text` with each misspelt word replaced by the closest word of the offers, or None.

    A word is misspelt when neither it (without accents) nor its stem occurs in
    any offer. The replacement is the most frequent word at the smallest edit
    distance (1, then 2), shown with its accents as the offers write it.
    """
    return replace_words(text, lambda word: _correction(view, word))


def replace_words(text: str, correction: Callable[[str], str | None]) -> str | None:
    """`text` with each word that `correction` corrects replaced, or None when none is.

    Shared with the PostgreSQL backend, whose `correction` reads its word tables.
    """
    changed = False
    pieces: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group()
        replacement = correction(word)
        if replacement is not None:
            pieces.append(text[position : match.start()])
            pieces.append(replacement)
            position = match.end()
            changed = True
    if not changed:
        return None
    pieces.append(text[position:])
    return "".join(pieces)


def _correction(view: IndexView, word: str) -> str | None:
    folded = fold_word(word)
    if len(folded) < 3 or not folded.isalpha() or folded in FRENCH_STOP_WORDS:
        return None
    vocabulary = _vocabulary(view)
    if folded in vocabulary:
        return None
    reader = view.reader
    stems = analyze(word)
    if stems and all(("body", stem) in reader or ("title", stem) in reader for stem in stems):
        return None
    for distance in (1, 2) if len(folded) > 4 else (1,):
        candidates = [
            candidate
            for candidate in vocabulary.words_within(folded, distance, prefix=1)
            if candidate != folded
        ]
        if candidates:
            best = max(candidates, key=lambda term: (vocabulary.document_count(term), term))
            return vocabulary.accented(best)
    return None


def _vocabulary(view: IndexView) -> Vocabulary:
    """The vocabulary of the index version `view` searches, read once per version."""
    vocabulary: Vocabulary | None = view.memo.get("vocabulary")
    if vocabulary is None:
        vocabulary = view.memo["vocabulary"] = _load_vocabulary(view.reader.generation())
    return vocabulary


def _load_vocabulary(generation: int | None) -> Vocabulary:
    if generation is None:
        # Whoosh reads an index without segments with a reader that has no generation.
        return Vocabulary()
    directory = index_directory()
    try:
        return Vocabulary.load(directory, INDEX_NAME, generation)
    except FileNotFoundError:
        # A process still searching an old version may find its file gone: the
        # newest vocabulary is then the closest to what it searches (it sees that
        # version on its next search).
        generations = vocabulary_generations(directory, INDEX_NAME)
        if not generations:
            return Vocabulary()
        return Vocabulary.load(directory, INDEX_NAME, generations[-1])
