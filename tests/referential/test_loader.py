"""load_referential(): the shipped file into the database, and refreshes of it."""

from __future__ import annotations

import gzip
import json
import math

import pytest
from sqlalchemy import event, func, insert, select, update

from recrutement.extensions import db
from recrutement.referential.loader import DATA_FILE, load_referential, read_referential_file
from recrutement.referential.models import (
    Commune,
    Department,
    Grouping,
    Region,
    grouping_member,
)

COORDINATE_SOURCES = {"geonames", "postcode", "epci", "department", "none"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def distance_km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def test_data_file_is_compact_and_attributed():
    assert DATA_FILE.stat().st_size < 2_000_000
    attribution = (DATA_FILE.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Licence Ouverte" in attribution
    assert "CC BY 4.0" in attribution
    raw = json.loads(gzip.decompress(DATA_FILE.read_bytes()))
    assert raw["sources"]["decoupage-administratif"] == "6.0.0"


def test_first_load_inserts_everything(first_load, ref_session):
    counts, elapsed = first_load
    wanted = read_referential_file()
    assert counts["changed"] is True
    assert counts["inserted"] == {
        "regions": len(wanted["regions"]),
        "departments": len(wanted["departments"]),
        "groupings": len(wanted["groupings"]),
        "communes": len(wanted["communes"]),
        "grouping_members": len(wanted["grouping_members"]),
    }
    assert count(Region) == counts["regions"] == len(wanted["regions"])
    assert count(Department) == counts["departments"] == len(wanted["departments"])
    assert count(Grouping) == counts["groupings"] == len(wanted["groupings"])
    assert count(Commune) == counts["communes"] == len(wanted["communes"])
    assert count(grouping_member) == counts["grouping_members"]
    # France has about 35,000 communes, 101 départements, 18 régions, 1,250 EPCI.
    assert 34_000 < counts["communes"] < 36_000
    assert counts["departments"] >= 101
    assert counts["regions"] >= 18
    assert 1_200 < counts["groupings"] < 1_300
    assert elapsed < 30, f"first load took {elapsed:.1f} s"


def test_second_load_is_a_no_op(first_load, ref_session):
    """A second load of the same file writes nothing: it reports no change and sends no
    INSERT, UPDATE or DELETE (checked on the statements, not on a wall clock, which a
    busy machine makes meaningless)."""
    writes: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        counts = load_referential()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert counts["changed"] is False
    for key in ("inserted", "updated", "deleted", "kept"):
        assert sum(counts[key].values()) == 0, (key, counts[key])
    assert counts["communes"] == count(Commune)
    assert writes == []


@pytest.mark.parametrize(
    ("insee_code", "name", "department", "region", "latitude", "longitude", "epci_words"),
    [
        ("29233", "Quimperlé", "29", "53", 47.87, -3.55, "quimperle"),
        ("55122", "Commercy", "55", "44", 48.76, 5.59, "commercy"),
    ],
)
def test_known_commune(
    ref_session, insee_code, name, department, region, latitude, longitude, epci_words
):
    commune = db.session.get(Commune, insee_code)
    assert commune.name == name
    assert commune.department_code == department
    assert commune.region_code == region
    assert commune.population > 3000
    assert commune.siren and len(commune.siren) == 9
    assert commune.coordinates_source == "geonames"
    assert distance_km(commune.latitude, commune.longitude, latitude, longitude) < 5
    assert commune.epci is not None
    assert commune.epci.kind == "epci"
    assert commune.epci.declared is False
    assert commune.epci.department_code == department
    assert epci_words in commune.epci.search_name
    assert commune in commune.epci.members
    assert commune.search_name == name.lower().replace("é", "e")


def test_cities_are_communes_not_arrondissements(ref_session):
    for code in ("75056", "69123", "13055"):
        assert db.session.get(Commune, code) is not None
    for arrondissement in ("75101", "69381", "13201"):
        assert db.session.get(Commune, arrondissement) is None
    # Paris's 21 postcodes do not fit the column: whole postcodes are kept.
    paris = db.session.get(Commune, "75056")
    assert paris.postcodes.startswith("75001 75002")
    assert all(len(postcode) == 5 for postcode in paris.postcodes.split(" "))


def test_overseas_departments_are_loaded(ref_session):
    for code in ("971", "972", "973", "974", "976"):
        assert db.session.get(Department, code) is not None
        assert db.session.scalar(select(func.count()).where(Commune.department_code == code)) > 0


def test_every_commune_has_a_coordinates_source(ref_session):
    rows = db.session.execute(
        select(Commune.coordinates_source, func.count()).group_by(Commune.coordinates_source)
    ).all()
    by_source = dict(rows)
    assert set(by_source) <= COORDINATE_SOURCES
    assert by_source["geonames"] > 13_000
    assert by_source.get("none", 0) < 10
    # Metropolitan communes all lie in mainland France or Corsica.
    outside = db.session.scalar(
        select(func.count()).where(
            Commune.region_code.not_in(["01", "02", "03", "04", "06"]),
            func.length(Commune.department_code) == 2,
            ~(Commune.latitude.between(41.3, 51.2) & Commune.longitude.between(-5.3, 9.6)),
        )
    )
    assert outside == 0


# --- refreshing with a new file -------------------------------------------------------


def write_file(path, communes, groupings, departments=None):
    """A small referential file of the shipped format."""
    data = {
        "format": 1,
        "sources": {"decoupage-administratif": "test"},
        "regions": [["53", "Bretagne"], ["44", "Grand Est"]],
        "departments": departments or [["29", "Finistère", "53"], ["55", "Meuse", "44"]],
        "grouping_columns": ["siren", "name", "legal_form", "department_code", "members"],
        "groupings": groupings,
        "commune_columns": [
            "insee_code",
            "name",
            "department_code",
            "region_code",
            "population",
            "postcodes",
            "siren",
            "epci_siren",
            "latitude",
            "longitude",
            "coordinates_source",
        ],
        "communes": communes,
    }
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def commune_row(code, name, epci, population=1000, department="29", region="53"):
    siren = f"2{code}000"
    return [
        code,
        name,
        department,
        region,
        population,
        "29300",
        siren,
        epci,
        47.9,
        -3.5,
        "geonames",
    ]


def test_a_new_file_refreshes_without_losing_pvd_or_declared_data(empty_app, tmp_path):
    quimperle = "242900694"
    dissolved = "200000001"
    v1 = write_file(
        tmp_path / "v1.json.gz",
        communes=[
            commune_row("29233", "Quimperlé", quimperle, 12000),
            commune_row("29146", "Mellac", quimperle),
            commune_row("29001", "Vieille-Commune", dissolved),
            commune_row("29002", "Ancienne-Commune", dissolved),
            commune_row("55122", "Commercy", None, 5000, "55", "44"),
        ],
        groupings=[
            ["242900694", "CA Quimperlé Communauté", "CA", "29", ["29146", "29233"]],
            [dissolved, "CC Dissoute", "CC", "29", ["29001", "29002"]],
        ],
    )
    first = load_referential(path=v1)
    assert first["inserted"]["communes"] == 5
    assert first["inserted"]["grouping_members"] == 4

    # What users and ANCT did meanwhile: PVD status, a PETR declared by hand
    # whose members include a commune that the next file no longer has.
    db.session.execute(
        update(Commune)
        .where(Commune.insee_code.in_(["29233", "29002"]))
        .values(is_pvd=True, pvd_convention_signed_on=None)
    )
    db.session.execute(
        insert(Grouping),
        [
            {
                "siren": "200099999",
                "name": "PETR du Pays de Cornouaille",
                "kind": "petr",
                "legal_form": "",
                "department_code": "29",
                "search_name": "petr du pays de cornouaille",
                "declared": True,
            }
        ],
    )
    db.session.execute(
        insert(grouping_member),
        [
            {"grouping_siren": "200099999", "commune_insee_code": "29001"},
            {"grouping_siren": "200099999", "commune_insee_code": "29233"},
        ],
    )
    db.session.commit()

    v2 = write_file(
        tmp_path / "v2.json.gz",
        communes=[
            commune_row("29233", "Quimperlé", quimperle, 12500),  # population changed
            commune_row("29146", "Mellac", quimperle),
            commune_row("29003", "Commune-Nouvelle", quimperle),  # new commune
            commune_row("55122", "Commercy", None, 5000, "55", "44"),
            # 29001 is gone but a PETR lists it; 29002 is gone but is PVD.
        ],
        groupings=[
            ["242900694", "CA Quimperlé Communauté", "CA", "29", ["29003", "29146", "29233"]],
            # The declared PETR's SIREN now in the file: the declared row wins.
            ["200099999", "Autre nom", "CC", "29", []],
        ],
    )
    counts = load_referential(path=v2)
    assert counts["changed"] is True
    assert counts["inserted"]["communes"] == 1
    assert counts["updated"]["communes"] == 1 + 2  # population; two leave their EPCI
    assert counts["deleted"]["communes"] == 0
    assert counts["kept"]["communes"] == 2
    assert counts["deleted"]["groupings"] == 1
    assert counts["declared_conflicts"] == 1

    db.session.expire_all()
    quimperle_row = db.session.get(Commune, "29233")
    assert quimperle_row.population == 12500
    assert quimperle_row.is_pvd is True
    assert db.session.get(Commune, "29002").is_pvd is True
    assert db.session.get(Commune, "29002").epci_siren is None
    assert db.session.get(Commune, "29001") is not None
    assert db.session.get(Grouping, dissolved) is None
    petr = db.session.get(Grouping, "200099999")
    assert (petr.name, petr.kind, petr.declared) == ("PETR du Pays de Cornouaille", "petr", True)
    assert sorted(c.insee_code for c in petr.members) == ["29001", "29233"]
    assert sorted(c.insee_code for c in db.session.get(Grouping, quimperle).members) == [
        "29003",
        "29146",
        "29233",
    ]

    # Once the PETR lets 29001 go and it is no longer PVD... it can be deleted.
    again = load_referential(path=v2)
    assert again["changed"] is False
    assert again["kept"]["communes"] == 2
    db.session.execute(
        grouping_member.delete().where(grouping_member.c.commune_insee_code == "29001")
    )
    db.session.commit()
    last = load_referential(path=v2)
    assert last["deleted"]["communes"] == 1
    assert db.session.get(Commune, "29001") is None
