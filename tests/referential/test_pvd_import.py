"""The PVD towns list import: every problem reported, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from recrutement.extensions import db
from recrutement.referential.models import Commune
from recrutement.referential.pvd_import import (
    PvdImportError,
    PvdImportReport,
    PvdRow,
    apply_pvd_import,
    import_pvd_file,
    parse_pvd_csv,
    preview_pvd_import,
)

TODAY = date(2026, 1, 15)


def pvd_state() -> dict[str, date | None]:
    rows = db.session.execute(
        select(Commune.insee_code, Commune.pvd_convention_signed_on).where(Commune.is_pvd)
    )
    return dict(rows.all())


def parse(text: str, encoding: str = "utf-8") -> PvdImportReport:
    return parse_pvd_csv(text.encode(encoding), today=TODAY)


def test_a_good_file_is_applied(ref_session):
    raw = (
        "\ufeffcode_insee;date_signature\r\n"
        "29233;26/03/2021\r\n"
        "55122;2021-05-04\r\n"
        "1053;\r\n"  # Bourg-en-Bresse, its leading zero lost by a spreadsheet
        '"2A004";"01/02/2022"\r\n'
        "\r\n"
    ).encode()
    report = parse_pvd_csv(raw, today=TODAY)
    assert report.errors == []
    assert [(row.line, row.insee_code, row.signed_on) for row in report.rows] == [
        (2, "29233", date(2021, 3, 26)),
        (3, "55122", date(2021, 5, 4)),
        (4, "01053", None),
        (5, "2A004", date(2022, 2, 1)),
    ]
    result = apply_pvd_import(report, actor=None)
    assert (result.added, result.updated, result.removed, result.unchanged) == (4, 0, 0, 0)
    assert result.applied
    assert pvd_state() == {
        "29233": date(2021, 3, 26),
        "55122": date(2021, 5, 4),
        "01053": None,
        "2A004": date(2022, 2, 1),
    }
    assert "4 ajoutées" in str(result)


def test_the_file_is_the_whole_list(ref_session):
    apply_pvd_import(parse("29233;26/03/2021\n55122;\n01053;2021-01-01\n"))
    # Next year's file: Commercy's convention signed, Bourg-en-Bresse left, Stenay joined.
    report = parse("code_insee,date_signature\n29233,26/03/2021\n55122,04/05/2021\n55502,\n")
    assert report.errors == []
    preview_pvd_import(report)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert pvd_state()["01053"] == date(2021, 1, 1)  # a preview writes nothing
    apply_pvd_import(report, actor=None)
    assert pvd_state() == {
        "29233": date(2021, 3, 26),
        "55122": date(2021, 5, 4),
        "55502": None,
    }
    bourg = db.session.get(Commune, "01053")
    assert (bourg.is_pvd, bourg.pvd_convention_signed_on) == (False, None)


def test_latin1_and_commas(ref_session):
    report = parse("Code commune,Date de signature (année)\n29233,26/03/2021\n", "latin-1")
    assert report.errors == []
    assert report.rows == [PvdRow(line=2, insee_code="29233", signed_on=date(2021, 3, 26))]


def test_every_error_is_reported_with_its_line(ref_session):
    report = parse(
        "code_insee;date_signature\n"  # 1
        "29233;26/03/2021\n"  # 2
        "55122;\n"  # 3
        "2A99;01/01/2022\n"  # 4
        "29233;12/12/2021;commentaire\n"  # 5
        "\n"  # 6
        "55122;2021-05-04\n"  # 7
        ";01/01/2022\n"  # 8
        "56165;31/02/2023\n"  # 9
        "29103;2023-13-01\n"  # 10
        "29146;hier\n"  # 11
        "55502;01/01/2099\n"  # 12
        "99999;2022-02-30\n"  # 13
        "29233,2021-01-01\n"  # 14
    )
    assert report.errors == [
        "Ligne 4 : code INSEE « 2A99 » inconnu du référentiel.",
        "Ligne 5 : 3 colonnes au lieu de 2 (code INSEE et date de signature, séparés par « ; »).",
        "Ligne 7 : la commune 55122 figure déjà à la ligne 3.",
        "Ligne 8 : code INSEE manquant.",
        "Ligne 9 : date « 31/02/2023 » invalide (attendu JJ/MM/AAAA).",
        "Ligne 10 : date « 2023-13-01 » invalide (attendu AAAA-MM-JJ).",
        "Ligne 11 : date « hier » invalide (attendu JJ/MM/AAAA ou AAAA-MM-JJ).",
        "Ligne 12 : date « 01/01/2099 » dans le futur (nous sommes le 15/01/2026).",
        "Ligne 13 : code INSEE « 99999 » inconnu du référentiel.",
        "Ligne 13 : date « 2022-02-30 » invalide (attendu AAAA-MM-JJ).",
        "Ligne 14 : 1 colonne au lieu de 2 (code INSEE et date de signature, séparés par « ; »).",
    ]
    assert not report.ok
    assert "11 erreurs" in str(report)


def test_a_stray_quote_does_not_hide_the_next_lines(ref_session):
    report = parse('code commune 2024;date\n"29233;26/03/2021\n55122;\n')
    assert report.errors == [
        "Ligne 2 : 1 colonne au lieu de 2 (code INSEE et date de signature, séparés par « ; »)."
    ]
    assert [row.insee_code for row in report.rows] == ["55122"]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", "Le fichier est vide."),
        (b"\xef\xbb\xbf\r\n  \r\n", "Le fichier est vide."),
        (b"code_insee;date_signature\n", "Le fichier ne contient aucune commune."),
    ],
)
def test_empty_files(ref_session, raw, error):
    assert parse_pvd_csv(raw, today=TODAY).errors == [error]


def test_a_bad_file_changes_nothing(ref_session):
    apply_pvd_import(parse("29233;26/03/2021\n55122;\n"))
    before = pvd_state()
    report = import_pvd_file(b"29233;26/03/2021\n29103;\n56165;32/01/2021\n", today=TODAY)
    assert report.errors == ["Ligne 3 : date « 32/01/2021 » invalide (attendu JJ/MM/AAAA)."]
    assert not report.applied
    with pytest.raises(PvdImportError):
        apply_pvd_import(report, actor=None)
    assert pvd_state() == before


def test_a_failure_while_applying_rolls_everything_back(ref_session):
    apply_pvd_import(parse("29233;26/03/2021\n55122;\n"))
    before = pvd_state()
    # A report whose second commune vanished from the referential since it was checked.
    report = PvdImportReport(
        rows=[
            PvdRow(line=1, insee_code="29103", signed_on=None),
            PvdRow(line=2, insee_code="00000", signed_on=None),
        ]
    )
    with pytest.raises(PvdImportError):
        apply_pvd_import(report, actor=None)
    assert pvd_state() == before


def test_import_pvd_file_from_a_path(ref_session, tmp_path):
    path = tmp_path / "pvd.csv"
    path.write_bytes("code_insee;date_signature\n29233;2021-03-26\n".encode("cp1252"))
    dry = import_pvd_file(path, dry_run=True, today=TODAY)
    assert (dry.added, dry.applied) == (1, False)
    assert pvd_state() == {}
    done = import_pvd_file(path, today=TODAY)
    assert done.applied
    assert pvd_state() == {"29233": date(2021, 3, 26)}
    assert db.session.scalar(select(func.count()).where(Commune.is_pvd)) == 1
