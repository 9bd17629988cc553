"""The French analyzer: accents, plurals and word forms must not matter (docs/design.md, Offers)."""

from __future__ import annotations

import pytest

from recrutement.search.analysis import FRENCH_STOP_WORDS, analyze


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
