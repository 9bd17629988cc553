"""French wording helpers, on real commune names read from the shipped referential."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from recrutement.core import french
from recrutement.core.french import NARROW_NBSP as N
from recrutement.referential.loader import read_referential_file


@pytest.fixture(scope="module")
def commune_names() -> dict[str, str]:
    """INSEE code → name, as the referential file the platform ships spells it."""
    return {code: row["name"] for code, row in read_referential_file()["communes"].items()}


@pytest.mark.parametrize(
    ("insee_code", "organisation_name"),
    [
        ("43157", "Commune du Puy-en-Velay"),
        ("85194", "Commune des Sables-d'Olonne"),
        ("89025", "Commune d'Avallon"),
        ("94038", "Commune de L'Haÿ-les-Roses"),
        ("83069", "Commune d'Hyères"),
        ("76351", "Commune du Havre"),
        ("97101", "Commune des Abymes"),
        ("80829", "Commune d'Y"),
        ("51410", "Commune d'Œuilly"),
        ("17300", "Commune de La Rochelle"),
        ("29233", "Commune de Quimperlé"),
        ("59279", "Commune de Halluin"),
        ("59295", "Commune d'Hazebrouck"),
        ("57757", "Commune de Yutz"),
        ("76758", "Commune d'Yvetot"),
        ("02381", "Commune d'Hirson"),
        ("29103", "Commune de Landerneau"),
    ],
)
def test_commune_names_take_de_contracted_or_elided(commune_names, insee_code, organisation_name):
    assert french.commune_organisation_name(commune_names[insee_code]) == organisation_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Commune de Quimperlé", "la commune de Quimperlé"),
        ("Commune du Puy-en-Velay", "la commune du Puy-en-Velay"),
        ("Commune d'Avallon", "la commune d'Avallon"),
        ("Quimperlé Communauté", "Quimperlé Communauté"),
        ("CC du Pays de Landivisiau", "la CC du Pays de Landivisiau"),
        (
            "Communauté de communes du Pays de Commercy",
            "la Communauté de communes du Pays de Commercy",
        ),
        ("PETR du Pays de Brocéliande", "le PETR du Pays de Brocéliande"),
        (
            "Pôle d'équilibre territorial et rural du Pays de Redon",
            "le Pôle d'équilibre territorial et rural du Pays de Redon",
        ),
        ("Eurométropole de Strasbourg", "l'Eurométropole de Strasbourg"),
        ("Métropole du Grand Nancy", "la Métropole du Grand Nancy"),
    ],
)
def test_organisation_names_take_their_article(name, expected):
    assert french.with_article(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Commune de Quimperlé", "de la commune de Quimperlé"),
        ("Commune des Abymes", "de la commune des Abymes"),
        ("PETR du Pays de Brocéliande", "du PETR du Pays de Brocéliande"),
        ("Eurométropole de Strasbourg", "de l'Eurométropole de Strasbourg"),
        ("Quimperlé Communauté", "de Quimperlé Communauté"),
        ("Auray Quiberon Terre Atlantique", "d'Auray Quiberon Terre Atlantique"),
        ("Les Sables d'Olonne Agglomération", "des Sables d'Olonne Agglomération"),
        ("Le Grand Chalon", "du Grand Chalon"),
        ("Hyères Les Palmiers", "d'Hyères Les Palmiers"),
    ],
)
def test_of_organisation_contracts_the_article(name, expected):
    assert french.of_organisation(name) == expected


def test_a_sentence_starts_with_a_capital_without_lowering_the_rest():
    assert french.upper_first(french.with_article("Commune de Quimperlé")) == (
        "La commune de Quimperlé"
    )
    assert french.upper_first("Quimperlé Communauté") == "Quimperlé Communauté"
    assert french.upper_first("") == ""


def test_le_or_les_inside_a_word_is_not_an_article():
    assert french.of_place("Lesneven") == "de Lesneven"
    assert french.of_place("Lens") == "de Lens"
    assert french.of_place("Le Relecq-Kerhuon") == "du Relecq-Kerhuon"


@pytest.mark.parametrize(
    ("count", "singular", "plural", "expected"),
    [
        (0, "demande", None, "0 demande"),
        (1, "demande", None, "1 demande"),
        (2, "demande", None, "2 demandes"),
        (12500, "candidature", None, f"12{N}500 candidatures"),
        (3, "avis", None, "3 avis"),
        (2, "bureau", None, "2 bureaux"),
        (1, "candidature retenue", "candidatures retenues", "1 candidature retenue"),
        (4, "candidature retenue", "candidatures retenues", "4 candidatures retenues"),
        (None, "offre", None, "0 offre"),
    ],
)
def test_plurals_are_real_never_parenthesised(count, singular, plural, expected):
    text = french.plural(count, singular, plural)
    assert text == expected and "(s)" not in text


def test_a_phrase_without_its_plural_is_refused():
    with pytest.raises(ValueError):
        french.plural(2, "candidature retenue")


def test_numbers_and_amounts_never_split():
    assert french.number(45000) == f"45{N}000"
    assert french.number(1234567) == f"1{N}234{N}567"
    assert french.number(Decimal("1234.5"), 1) == f"1{N}234,5"
    assert french.number(None) == ""
    assert french.euros(Decimal("45000")) == f"45{N}000{N}€"
    assert french.euros(Decimal("45000.00")) == f"45{N}000{N}€"
    assert french.euros(Decimal("12575.34")) == f"12{N}575,34{N}€"
    assert french.euros(Decimal("45000"), cents=True) == f"45{N}000,00{N}€"
    assert french.euros(45000.4, cents=False) == f"45{N}000{N}€"
    assert french.euros(None) == ""
    assert french.percent(Decimal("0.75")) == f"75{N}%"
    assert french.percent(0.125, 1) == f"12,5{N}%"
    # No ordinary space a line could break on.
    assert " " not in french.euros(Decimal("1234567.89"))


def test_dates_in_french():
    assert french.long_date(date(2026, 3, 1)) == "1er mars 2026"
    assert french.long_date(date(2026, 12, 12)) == "12 décembre 2026"
    assert french.long_date(date(2026, 8, 2)) == "2 août 2026"
    assert french.short_date(date(2026, 3, 1)) == "01/03/2026"
    assert french.long_date(None) == "" and french.short_date(None) == ""
    # A moment stored in UTC is read in Paris time: 23:30 UTC on 31 December is
    # already the 1st of January in France.
    late = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    assert french.long_date(late) == "1er janvier 2026"
    assert french.short_date(late) == "01/01/2026"
    assert french.long_datetime(late) == f"1er janvier 2026 à 0{N}h{N}30"
    summer = datetime(2026, 7, 14, 6, 5, tzinfo=UTC)
    assert french.long_datetime(summer) == f"14 juillet 2026 à 8{N}h{N}05"
    assert french.long_datetime(None) == ""


def test_the_helpers_are_jinja_filters(app):
    from flask import render_template_string

    page = render_template_string(
        "{{ name|of_place }} · {{ org|of_organisation }} · {{ org|with_article|upper_first }} · "
        "{{ n|plural('demande') }} · {{ amount|euros }} · {{ day|long_date }}",
        name="Le Puy-en-Velay",
        org="Commune d'Avallon",
        n=3,
        amount=Decimal("45000"),
        day=date(2026, 3, 1),
    )
    assert page == (
        "du Puy-en-Velay · de la commune d&#39;Avallon · La commune d&#39;Avallon · "
        f"3 demandes · 45{N}000{N}€ · 1er mars 2026"
    )
