"""The French analyzer: accents, plurals and word forms must not matter (docs/design.md, Offers)."""

from __future__ import annotations

import pytest
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import TEXT

from recrutement.search.analysis import (
    FRENCH_STOP_WORDS,
    WORD_PATTERN,
    PositionsAnalysis,
    analyze,
    fold_token,
    french_analyzer,
)

# The analyzer alone, which both backends use: run once, with the Whoosh backend.
pytestmark = pytest.mark.whoosh_only


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("amenagement", "aménagement"),
        ("amenagements", "aménagement"),
        ("mobilites", "mobilité"),
        ("MOBILITÉ", "mobilités"),
        ("infirmiere", "infirmière"),
        ("infirmier", "infirmières"),
        ("Urbanisme", "urbaniste"),
        ("urbanistes", "urbanisme"),
        ("logements", "logement"),
        ("coeur", "cœur"),
        ("Premiere", "premier"),
        ("revitalisations", "revitalisation"),
    ],
)
def test_word_forms_reach_the_same_term(typed, written):
    assert analyze(typed) == analyze(written) != []


@pytest.mark.parametrize(("one", "other"), [("habitat", "habitant"), ("commerce", "commune")])
def test_different_words_stay_apart(one, other):
    assert analyze(one) != analyze(other)


def test_stop_words_are_dropped_even_without_accents():
    assert analyze("Le chef de projet et les élus à la mairie") == [
        "chef",
        "projet",
        "elus",
        "mair",
    ]
    assert analyze("a ete") == []
    assert {"a", "ete", "etaient", "les"} <= FRENCH_STOP_WORDS


def test_elisions_and_hyphens_separate_words():
    assert analyze("l'aménagement") == analyze("aménagement")
    assert analyze("centre-ville") == analyze("centre ville")


# --- The one-step filter against the chain of filters it replaced -------------------


class FoldFilter(Filter):
    """Each token's text without accents and ligatures (the filter of index offres_v1)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_token(token.text)
            yield token


class FeminineFilter(Filter):
    """ "-ière(s)" → "-ier(s)" on folded text (the filter of index offres_v1)."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if len(text) > 6:
                if text.endswith("ieres"):
                    token.text = text[:-5] + "iers"
                elif text.endswith("iere"):
                    token.text = text[:-4] + "ier"
            yield token


def chain_of_filters():
    """The French analyzer as it was, one Whoosh filter per step."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=2)
        | FeminineFilter()
        | StemFilter(lang="fr", cachesize=50_000)
    )


TEXTS = [
    "Le chef de projet et les élus à la mairie",
    "Vous pilotez l'aménagement du centre-bourg, la mobilité et les infirmières.",
    "CŒUR DE VILLE — Saint-Pol-de-Léon ; l'Haÿ-les-Roses, a ete été, y a-t-il ?",
    "İstanbul ﬁnance ÆSIR straße naïve façade œuvre a1b2 ___ _é_ élu élus x y z",
    "chef de projet de de de la revitalisation " * 3,
]
OPTIONS = [
    {"positions": True, "chars": True, "mode": "index"},
    {"positions": True, "chars": True, "removestops": False, "mode": "query"},
    {"positions": True, "start_pos": 7, "start_char": 3},
    {"tokenize": False},
    {"no_morph": True, "positions": True},
]


def tokens(analyzer, text, options):
    return [
        (
            token.text,
            token.stopped,
            # Positions and characters exist when asked for.
            *(getattr(token, name, None) for name in ("pos", "startchar", "endchar")),
        )
        for token in analyzer(text, **options)
    ]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("text", TEXTS)
def test_the_one_step_filter_gives_the_tokens_of_the_chain_of_filters(text, options):
    analyzer, reference = french_analyzer(), chain_of_filters()
    for _ in range(2):  # the second time from the filter's cache of words
        assert tokens(analyzer, text, options) == tokens(reference, text, options)


@pytest.mark.parametrize("text", [*TEXTS, "", "la le les", "le chef, le chef et la cheffe"])
def test_positions_analysis_gives_what_whoosh_indexes(text):
    # The rebuild's analysis (rebuild_writer.py) against Whoosh's own: the terms, in
    # the same order, with their positions and Whoosh's encoding of them.
    field = TEXT(analyzer=french_analyzer())
    expected = [
        (term, frequency, weight, field.format.decode_positions(value))
        for term, frequency, weight, value in field.format.word_values(
            text, field.analyzer, mode="index"
        )
    ]
    analysis = PositionsAnalysis(french_analyzer())
    for _ in range(2):  # the second time from its table of words
        found = analysis.positions(text)
        assert [
            (term, len(places), float(len(places)), places) for term, places in found.items()
        ] == expected
