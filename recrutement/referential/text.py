"""Text folding for place names: what `search_name` columns hold and what searches compare."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition does not split into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})

# Hyphens, dashes and apostrophes (typewriter and typographic) become word separators.
_SEPARATORS = re.compile(r"[\-\u2010\u2011\u2012\u2013\u2014\u2212'\u2018\u2019\u02bc`´]")
_SPACES = re.compile(r"\s+")
# Combining diacritical marks, left alone by decomposition next to their base letter.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str | None) -> str:
    """Return `text` lowercased, without accents, hyphens or apostrophes, spaces collapsed.

    >>> fold("Saint-Pol-de-Léon")
    'saint pol de leon'
    >>> fold("L'Haÿ-les-Roses")
    'l hay les roses'

    Abbreviations are left as they are: "St" stays "st", "Saint" stays "saint".
    """
    if not text:
        return ""
    lowered = text.casefold().translate(_LIGATURES)
    bare = _MARKS.sub("", unicodedata.normalize("NFKD", lowered))
    bare = _SEPARATORS.sub(" ", bare)
    return _SPACES.sub(" ", bare).strip()
