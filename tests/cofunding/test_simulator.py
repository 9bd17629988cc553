"""The public simulator page and GET /api/v1/simulateur, with rules read from the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from recrutement.cofunding.models import FundingRule
from recrutement.extensions import db


def test_api_answers_the_contract_shape(client, programme_rule):
    response = client.get("/api/v1/simulateur?cout=60000&anah=0&debut=2026-07-01&fin=2026-12-31")
    assert response.status_code == 200
    assert response.json == {
        "plafond_total": 22684.93,
        "total": 22684.92,
        "parts": {"anct": 15123.28, "bdt": 7561.64, "anah": 0.0},
        "taux": 0.75,
        "jours": 184,
    }


def test_api_with_anah_on_a_whole_year(client, programme_rule):
    body = client.get("/api/v1/simulateur?cout=100000&anah=1&debut=2026-01-01&fin=2026-12-31").json
    assert body["parts"] == {"anct": 0.0, "bdt": 15000.0, "anah": 40000.0}
    assert body["total"] == 55000.0 and body["plafond_total"] == 55000.0 and body["jours"] == 365


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("anah=0&debut=2026-01-01&fin=2026-12-31", "cout"),
        ("cout=-5&debut=2026-01-01&fin=2026-12-31", "cout"),
        ("cout=abc", "cout"),
        ("cout=60000&anah=2", "anah"),
        ("cout=60000&debut=2026-06-01&fin=2026-05-01", "fin"),
        ("cout=60000&debut=2026-06-01&fin=2027-06-01", "fin"),
        ("cout=60000&debut=01/06/2026", "debut"),
        ("cout=60000&debut=2019-01-01&fin=2019-12-31", "debut"),
    ],
)
def test_api_bad_input_answers_400_in_json(client, programme_rule, query, parameter):
    response = client.get(f"/api/v1/simulateur?{query}")
    assert response.status_code == 400
    assert response.json["parametre"] == parameter and response.json["message"]


def test_a_rule_change_is_a_new_row_with_its_date(client, programme_rule):
    db.session.add(
        FundingRule(
            effective_from=date(2027, 1, 1),
            total_rate=D("0.75"),
            total_cap=D("50000"),
            total_cap_with_anah=D("60000"),
            anah_rate=D("0.50"),
            anah_cap=D("40000"),
            bdt_rate=D("0.25"),
            bdt_cap=D("15000"),
        )
    )
    db.session.commit()
    before = client.get("/api/v1/simulateur?cout=100000&debut=2026-01-01&fin=2026-12-31").json
    after = client.get("/api/v1/simulateur?cout=100000&debut=2027-01-01&fin=2027-12-31").json
    assert before["total"] == 45000.0 and after["total"] == 50000.0
    # The page's explanations come from the same rows, not from text.
    page_2027 = client.get("/simulateur?cout=100000&debut=2027-01-01&fin=2027-12-31").page
    assert "dans la limite de 50 000 € par an (60 000 € lorsque" in page_2027
    assert "en vigueur depuis le 01/01/2027" in page_2027
    page_2026 = client.get("/simulateur?cout=100000&debut=2026-01-01&fin=2026-12-31").page
    assert "dans la limite de 45 000 € par an (55 000 € lorsque" in page_2026


def test_simulator_page_explains_each_part_in_french(client, programme_rule):
    page = client.get("/simulateur?cout=80000&debut=2026-01-01&fin=2026-12-31").page
    # Amounts never split across lines: narrow no-break spaces (core.french.euros).
    assert "30\u202f000,00\u202f€" in page and "15\u202f000,00\u202f€" in page
    assert "45\u202f000,00\u202f€" in page
    assert "limitée par son plafond annuel" in page and "limité par le plafond annuel" in page
    assert "arrondie au centime inférieur" in page


def test_simulator_page_without_input_and_with_bad_input(client, programme_rule):
    assert client.get("/simulateur").status_code == 200
    bad = client.get("/simulateur?cout=-3")
    assert bad.status_code == 400 and "Calcul impossible" in bad.page


def test_simulator_page_without_any_rule_says_so(client):
    """No rule row at all (a database not migrated yet): a French message, not a 500."""
    assert client.get("/simulateur").status_code == 200
    response = client.get("/simulateur?cout=60000&anah=1")
    assert response.status_code == 400
    assert "Aucune règle de cofinancement n'est en vigueur" in response.page
