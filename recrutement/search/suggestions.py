"""« Vouliez-vous dire »: the search text with its misspelt words replaced by words of the offers."""

from __future__ import annotations

import re
from typing import Any

from recrutement.search.analysis import FORM_SEPARATOR, FRENCH_STOP_WORDS, analyze, fold_word
from recrutement.search.reader import IndexView

_WORD = re.compile(r"\w+")


def suggest(view: IndexView, text: str) -> str | None:
    """`text` with each misspelt word replaced by the closest word of the offers, or None.

    A word is misspelt when neither it (without accents) nor its stem occurs in
    any offer. The replacement is the most frequent word at the smallest edit
    distance (1, then 2), shown with its accents as the offers write it.
    """
    reader = view.reader
    changed = False
    pieces: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group()
        replacement = _correction(reader, word)
        if replacement is not None:
            pieces.append(text[position : match.start()])
            pieces.append(replacement)
            position = match.end()
            changed = True
    if not changed:
        return None
    pieces.append(text[position:])
    return "".join(pieces)


def _correction(reader: Any, word: str) -> str | None:
    folded = fold_word(word)
    if len(folded) < 3 or not folded.isalpha() or folded in FRENCH_STOP_WORDS:
        return None
    if ("spelling", folded) in reader:
        return None
    stems = analyze(word)
    if stems and all(("body", stem) in reader or ("title", stem) in reader for stem in stems):
        return None
    for distance in (1, 2) if len(folded) > 4 else (1,):
        candidates = [
            candidate
            for candidate in reader.terms_within("spelling", folded, distance, prefix=1)
            if candidate != folded
        ]
        if candidates:
            best = max(candidates, key=lambda term: (reader.doc_frequency("spelling", term), term))
            return _accented_form(reader, best)
    return None


def _accented_form(reader: Any, folded: str) -> str:
    prefix = f"{folded}{FORM_SEPARATOR}"
    forms = [term for term in reader.expand_prefix("spelling_forms", prefix)]
    if not forms:
        return folded
    best = max(forms, key=lambda term: reader.doc_frequency("spelling_forms", term))
    if isinstance(best, bytes):
        best = best.decode("utf-8")
    accented: str = best.split(FORM_SEPARATOR, 1)[1]
    return accented
