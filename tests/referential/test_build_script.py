"""The matching logic of scripts/build_referential.py, on a tiny made-up country."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_referential.py"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_referential", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through it
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def commune(build, code, name, department, postcodes, epci=None, population=800):
    region = {"29": "53", "56": "53"}[department]
    return build.Commune(
        insee_code=code,
        name=name,
        department_code=department,
        region_code=region,
        zone="metro",
        population=population,
        postcodes=postcodes,
        siren=None,
        epci_siren=epci,
    )


def place(build, geonameid, name, latitude, longitude, population=700):
    return build.Place(geonameid, name, "53", latitude, longitude, population)


def test_matching_and_estimates(build):
    communes = {
        c.insee_code: c
        for c in [
            commune(build, "29001", "Alpha", "29", ["29100"], epci="E1"),
            commune(build, "29002", "Saint-Martin", "29", ["29100"]),
            commune(build, "29003", "Gamma", "29", ["29100"]),
            commune(build, "29004", "Delta", "29", ["29999"], epci="E1"),
            commune(build, "29005", "Epsilon", "29", ["29888"]),
            commune(build, "29006", "Tiny", "29", ["29100"], population=50),
            commune(build, "56001", "Bêta", "56", ["56100"]),
            commune(build, "56002", "Saint Martin", "56", ["56100"]),
        ]
    }
    places = [
        place(build, 1, "Alpha", 48.0, -4.0),
        place(build, 2, "Beta", 47.7, -2.8),
        # Homonyms in one région: each goes to the commune whose neighbours are near.
        place(build, 3, "Saint-Martin", 47.71, -2.79, population=600),
        place(build, 4, "Saint-Martin", 48.01, -4.01, population=900),
        # Far bigger than the commune of that name: another place.
        place(build, 5, "Tiny", 48.02, -4.02, population=5000),
    ]
    report = build.MatchReport()
    matched = build.match_geonames(communes, places, report)
    assert {code: p.geonameid for code, p in matched.items()} == {
        "29001": 1,
        "56001": 2,
        "29002": 4,
        "56002": 3,
    }
    assert len(report.rejected_population) == 1
    assert report.homonyms_matched == 2

    sources = build.place_communes(communes, matched, places)
    assert sources == {"geonames": 4, "postcode": 2, "epci": 1, "department": 1}
    assert communes["29003"].coordinates_source == "postcode"  # Alpha and Saint-Martin
    assert communes["29003"].latitude == pytest.approx(48.005)
    assert communes["29004"].coordinates_source == "epci"  # Alpha
    assert (communes["29004"].latitude, communes["29004"].longitude) == (48.0, -4.0)
    assert communes["29005"].coordinates_source == "department"


def test_plausible_population(build):
    assert build.plausible_population(12_000, 11_000)
    assert build.plausible_population(30_000, 2_000)  # a commune nouvelle grew
    assert build.plausible_population(100, 550)
    assert not build.plausible_population(100, 5_000)
    assert not build.plausible_population(None, 5_000)
