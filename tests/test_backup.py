"""Backups that restore: the drill (create, wipe, restore, everything back) and the
refusals (a non-empty database without --force, a damaged archive, a member whose path
leaves the upload directory). On SQLite and, with TEST_DATABASE_URL, on PostgreSQL:
pg_dump and pg_restore work on this xdist worker's own database."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from recrutement.backup import (
    MANIFEST,
    BackupError,
    create_backup,
    prune_backups,
    restore_backup,
)
from recrutement.extensions import db
from recrutement.files.storage import store_bytes
from recrutement.search.index import rebuild_index
from recrutement.search.query import SearchParams, search_offers
from tests import factories

pytestmark = pytest.mark.real_commits

PDF = b"%PDF-1.4\n% un CV de test\n" + bytes(range(256)) * 40


def table_contents() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the models, in a stable order."""
    db.session.expire_all()
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }


def upload_contents(app: Flask) -> dict[str, bytes]:
    root = Path(app.config["UPLOAD_DIR"])
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def found(text: str) -> list[int]:
    return sorted(search_offers(SearchParams.from_args({"q": text})).offer_ids)


@pytest.fixture
def seeded(app, referential):
    """Rows in many tables (referential, users, organisations, memberships, offers, a
    stored file) and two files in the upload directory, one in a subfolder."""
    member = factories.MembershipFactory(
        organisation=factories.OrganisationFactory(commune=referential["quimperle"])
    )
    organisation = member.organisation
    offers = [
        factories.OfferFactory(organisation=organisation, title="Chargé de mission friches"),
        factories.OfferFactory(organisation=organisation, title="Manager de commerce"),
    ]
    factories.UserFactory(email="lea@exemple.fr")
    store_bytes(PDF, "cv-léa.pdf")
    db.session.commit()
    nested = Path(app.config["UPLOAD_DIR"]) / "decisions" / "2026"
    nested.mkdir(parents=True)
    (nested / "decision.pdf").write_bytes(PDF[::-1])
    rebuild_index()
    return [offer.id for offer in offers]


def test_the_drill_create_wipe_restore_brings_every_row_and_file_back(
    app, runner, seeded, tmp_path
):
    rows, files = table_contents(), upload_contents(app)
    assert all(
        rows[name] for name in ("offer", "user_account", "membership", "stored_file", "commune")
    )
    assert len(files) == 2
    assert found("friches") == [seeded[0]]

    result = runner.invoke(args=["backup", "create", "--output", str(tmp_path / "sauvegardes")])
    assert result.exit_code == 0, result.output
    [archive] = (tmp_path / "sauvegardes").glob("recrutement-backup-*.tar.gz")
    checksum = archive.with_name(archive.name + ".sha256")
    assert (
        checksum.read_text()
        == f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}\n"
    )
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert manifest["database"]["kind"] == db.engine.dialect.name
    assert manifest["database"]["row_counts"]["offer"] == 2
    assert {entry["path"]: entry["size"] for entry in manifest["files"]} == {
        name: len(content) for name, content in files.items()
    }

    # Wipe: the schema itself, the files and the index.
    db.session.remove()
    db.drop_all()
    shutil.rmtree(app.config["UPLOAD_DIR"])
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])

    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Sauvegarde restaurée" in result.output
    assert "  offer : 2" in result.output
    assert "2 fichiers" in result.output
    assert "2 offres publiées" in result.output

    assert table_contents() == rows
    assert upload_contents(app) == files
    assert found("friches") == [seeded[0]]
    assert found("commerce") == [seeded[1]]


def test_a_non_empty_database_is_refused_without_force_and_nothing_changes(
    app, runner, seeded, tmp_path
):
    archive = create_backup(tmp_path / "sauvegardes").archive
    factories.OfferFactory(
        organisation=factories.OrganisationFactory(), title="Publiée après la sauvegarde"
    )
    (Path(app.config["UPLOAD_DIR"]) / "nouveau.pdf").write_bytes(PDF)
    db.session.commit()
    rows, files = table_contents(), upload_contents(app)

    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 1
    assert "n'est pas vide" in result.output and "--force" in result.output
    assert table_contents() == rows
    assert upload_contents(app) == files

    # With --force the backup wins; the newer file is moved aside, not deleted.
    result = runner.invoke(args=["backup", "restore", str(archive), "--force"])
    assert result.exit_code == 0, result.output
    assert len(table_contents()["offer"]) == 2
    assert "nouveau.pdf" not in upload_contents(app)
    [aside] = Path(app.config["UPLOAD_DIR"]).parent.glob("uploads.avant-restauration-*")
    assert (aside / "nouveau.pdf").read_bytes() == PDF


def test_an_archive_with_one_byte_changed_is_refused(app, seeded, tmp_path):
    archive = create_backup(tmp_path / "sauvegardes").archive
    content = bytearray(archive.read_bytes())
    content[len(content) // 2] ^= 0x01
    archive.write_bytes(bytes(content))
    rows, files = table_contents(), upload_contents(app)

    with pytest.raises(BackupError, match="somme de contrôle SHA-256 ne correspond pas"):
        restore_backup(archive, force=True)
    assert table_contents() == rows
    assert upload_contents(app) == files


def rewrite(archive: Path, change) -> None:
    """Rebuild the archive with `change(name, content, manifest)` applied to its members
    (it returns the members to write), and give it a matching checksum: only the checks
    inside the archive stand between it and the restore."""
    with tarfile.open(archive) as tar:
        members = {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
        }
    manifest = json.loads(members.pop(MANIFEST))
    members = change(members, manifest)
    members[MANIFEST] = json.dumps(manifest).encode()
    with tarfile.open(archive, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    archive.with_name(archive.name + ".sha256").write_text(f"{digest}  {archive.name}\n")


def test_a_file_that_differs_from_its_manifest_entry_is_refused(app, seeded, tmp_path):
    archive = create_backup(tmp_path / "sauvegardes").archive

    def damage(members, manifest):
        name = next(name for name in members if name.startswith("uploads/"))
        members[name] = members[name][:-1] + b"?"
        return members

    rewrite(archive, damage)
    rows, files = table_contents(), upload_contents(app)
    with pytest.raises(BackupError, match="ne correspond pas à son empreinte"):
        restore_backup(archive, force=True)
    assert table_contents() == rows
    assert upload_contents(app) == files


@pytest.mark.parametrize(
    "path", ["../../evasion.pdf", "../evasion.pdf", "/tmp/evasion.pdf", "a/../../../evasion.pdf"]
)
def test_a_member_whose_path_leaves_the_upload_dir_is_refused(app, seeded, tmp_path, path):
    archive = create_backup(tmp_path / "sauvegardes").archive
    member = f"uploads/{path}" if not path.startswith("/") else path

    def smuggle(members, manifest):
        members[member] = PDF
        # Listed in the manifest too: only the path check can refuse it.
        manifest["files"].append(
            {"path": path, "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()}
        )
        return members

    rewrite(archive, smuggle)
    rows = table_contents()
    with pytest.raises(BackupError, match="sort du dossier de restauration"):
        restore_backup(archive, force=True)
    assert table_contents() == rows
    upload_dir = Path(app.config["UPLOAD_DIR"])
    assert not list(tmp_path.rglob("evasion.pdf"))
    assert not list(upload_dir.parent.parent.rglob("evasion.pdf"))


def test_retention_keeps_the_newest_of_each_last_day_and_week(tmp_path):
    # One archive a day at 02:30 from Thursday 1 October to Monday 9 November 2026, a
    # second one on the last day, and files the retention must not touch.
    first = datetime(2026, 10, 1, 2, 30)
    moments = [first + timedelta(days=day) for day in range(40)]
    moments.append(datetime(2026, 11, 9, 10, 0))
    for moment in moments:
        archive = tmp_path / f"recrutement-backup-{moment:%Y%m%d-%H%M%S}.tar.gz"
        archive.write_bytes(b"archive")
        archive.with_name(archive.name + ".sha256").write_text("somme")
    (tmp_path / "notes.txt").write_text("à garder")
    (tmp_path / "recrutement-backup-manuelle.tar.gz").write_bytes(b"autre nom")

    deleted = prune_backups(tmp_path, keep_daily=14, keep_weekly=8)

    kept = sorted(path.name[19:34] for path in tmp_path.glob("recrutement-backup-2*.tar.gz"))
    # The last 14 days (27 October to 9 November, the later archive of the 9th), then
    # the newest of each earlier week: Sundays 25, 18, 11 and 4 October. Weeks 44 to 46
    # count among the 8 weeks, so all four earlier weeks fit.
    daily = [f"202610{day}-023000" for day in range(27, 32)] + [
        f"202611{day:02}-023000" for day in range(1, 9)
    ]
    assert kept == sorted(
        ["20261004-023000", "20261011-023000", "20261018-023000", "20261025-023000"]
        + daily
        + ["20261109-100000"]
    )
    assert len(deleted) == len(moments) - len(kept)
    assert sorted(path.name for path in tmp_path.glob("*.sha256")) == sorted(
        f"recrutement-backup-{name}.tar.gz.sha256" for name in kept
    )
    assert (tmp_path / "notes.txt").exists()
    assert (tmp_path / "recrutement-backup-manuelle.tar.gz").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema_revision": "0123456789ab"}, "schéma 0123456789ab"),
        ({"format_version": 99}, "format de sauvegarde 99 inconnu"),
        ({"database": {"kind": "oracle"}}, "c'est une sauvegarde oracle"),
        ({"files": []}, "ne sont pas ceux que liste son manifeste"),
    ],
)
def test_a_manifest_that_does_not_fit_this_release_or_its_files_is_refused(
    app, seeded, tmp_path, change, message
):
    archive = create_backup(tmp_path / "sauvegardes").archive

    def edit(members, manifest):
        for key, value in change.items():
            if isinstance(value, dict):
                manifest[key].update(value)
            else:
                manifest[key] = value
        return members

    rewrite(archive, edit)
    rows, files = table_contents(), upload_contents(app)
    with pytest.raises(BackupError, match=message):
        restore_backup(archive, force=True)
    assert table_contents() == rows
    assert upload_contents(app) == files
