"""Backups that restore: the database and the uploaded files in one dated archive.

`create_backup` writes `recrutement-backup-YYYYmmdd-HHMMSS.tar.gz` holding

- `database.pgdump` (PostgreSQL: `pg_dump --format=custom`, taken in the snapshot the
  row counts are read in) or `database.sqlite3` (SQLite: the online backup API, never
  a copy of the live file, which could catch a write half done);
- `uploads/…`, every file of the file store (UPLOAD_DIR), read through the store after
  the dump: a file is written before the row that names it commits, so every file the
  dump refers to is there (unless deleted in between);
- `manifest.json`: when, the schema revision (Alembic head of this release), the
  database kind, each table's row count, each file's size and sha256;

and beside it `<archive>.sha256` (the `sha256sum -c` format). The search index is not
saved: it is rebuilt from the database at restore.

`restore_backup` checks before it writes anything: the archive's checksum, every
member's name (nothing absolute, no `..`, only regular files), the manifest, the
schema revision, the database kind, every file's sha256, and that the database is
empty unless forced. Then it replaces the database (one transaction on PostgreSQL,
one backup-API copy on SQLite), makes UPLOAD_DIR hold the backup's files — files
that are not in the backup, or differ, are moved aside into a dated sibling
directory, never deleted — rebuilds the search index and compares the restored
row counts with the manifest.

`prune_backups` applies the retention (`backup create --keep-daily --keep-weekly`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Connection, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, make_url

from recrutement.config import INSTANCE_DIR
from recrutement.core.french import plural
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.files.stores import LocalDirectoryStore, file_store

ARCHIVE_PREFIX = "recrutement-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
ARCHIVE_NAME = re.compile(r"recrutement-backup-(\d{8}-\d{6})\.tar\.gz")
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
FORMAT_VERSION = 1
# pg_restore waits this long at most for a lock (a web process or worker still
# connected), then fails and rolls back instead of hanging.
LOCK_TIMEOUT_MS = 60_000
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Created:
    archive: Path
    checksum: Path
    manifest: dict[str, Any]
    seconds: float


@dataclass(frozen=True)
class Restored:
    row_counts: dict[str, int]
    files: int
    file_bytes: int
    # Where the files of UPLOAD_DIR that the backup did not hold went (None: there were none).
    moved_aside: Path | None
    indexed_offers: int
    # Stored files the restored database names but the backup did not hold.
    missing_files: list[str]
    seconds: float
    # Seconds per phase: vérification, base, fichiers, index.
    phases: dict[str, float]


# --- create ----------------------------------------------------------------------


def create_backup(output_dir: Path) -> Created:
    """Write one dated archive of the database and the uploaded files into output_dir,
    with its manifest inside and its checksum beside it."""
    started = time.perf_counter()
    output_dir.mkdir(parents=True, exist_ok=True)
    created_at = utcnow()
    name = f"{ARCHIVE_PREFIX}{created_at:%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"
    archive = output_dir / name
    if archive.exists():
        raise BackupError(f"{archive} existe déjà : relancez dans une seconde.")
    kind = _database_kind()
    with tempfile.TemporaryDirectory(prefix=".sauvegarde-", dir=output_dir) as staging:
        dump = Path(staging) / DATABASE_MEMBERS[kind]
        database = _dump_postgresql(dump) if kind == "postgresql" else _dump_sqlite(dump)
        database |= {"kind": kind, "member": dump.name, **_digest_of(dump)}
        partial = output_dir / f".{name}.partial"
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                tar.add(dump, arcname=dump.name, recursive=False)
                files = _add_uploads(tar)
                manifest = {
                    "format_version": FORMAT_VERSION,
                    "created_at": created_at.isoformat(),
                    "schema_revision": _schema_head(),
                    "database": database,
                    "files": files,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            _fsync(partial)
            digest = _digest_of(partial)["sha256"]
            os.replace(partial, archive)
        finally:
            partial.unlink(missing_ok=True)
    checksum = archive.with_name(archive.name + ".sha256")
    checksum.write_text(f"{digest}  {archive.name}\n")
    return Created(archive, checksum, manifest, time.perf_counter() - started)


def _add_uploads(tar: tarfile.TarFile) -> list[dict[str, Any]]:
    """Add every file of the file store (files/stores.py: for the local store, every
    regular file under UPLOAD_DIR but writes in progress), read through the store; each
    is read once, so its bytes and its manifest line agree even if it changes meanwhile."""
    store = file_store()
    files: list[dict[str, Any]] = []
    for relative in store.names():
        try:
            content = store.read(relative)
        except FileNotFoundError:  # deleted since the listing: its row went first
            continue
        _add_bytes(tar, f"{UPLOADS}/{relative}", content)
        files.append(
            {
                "path": relative,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    return files


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(time.time())
    info.mode = 0o640
    tar.addfile(info, io.BytesIO(content))


def _dump_sqlite(target: Path) -> dict[str, Any]:
    """Copy the live database with SQLite's online backup API (a consistent snapshot,
    whatever the web and worker processes write meanwhile); count rows in the copy."""
    source = sqlite3.connect(_sqlite_path())
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            counts = _row_counts(connection)
    finally:
        engine.dispose()
    return {"row_counts": counts}


def _dump_postgresql(target: Path) -> dict[str, Any]:
    """pg_dump in the snapshot of a repeatable-read transaction that also counts the
    rows, so the manifest's counts are exactly the dump's."""
    pg_dump = _client_version("pg_dump")
    with db.engine.connect() as connection:
        server = _server_major(connection)
    if pg_dump < server:
        raise BackupError(
            f"pg_dump {pg_dump} ne sait pas sauvegarder un serveur PostgreSQL {server} : "
            f"installez le client PostgreSQL {server} (paquet postgresql-client-{server})."
        )
    snapshot_options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with db.engine.connect().execution_options(**snapshot_options) as connection:
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        counts = _row_counts(connection)
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={_libpq_url()}",
            ],
            "pg_dump",
        )
        connection.rollback()
    return {"row_counts": counts, "server_version": server, "pg_dump_version": pg_dump}


# --- restore ---------------------------------------------------------------------


def restore_backup(archive: Path, *, force: bool = False) -> Restored:
    """Check the archive, then replace the database and the uploaded files with its
    content and rebuild the search index. Refuses a non-empty database unless forced."""
    laps = _Laps()
    _verify_checksum(archive)
    kind = _database_kind()
    upload_dir = _local_upload_dir()
    upload_dir.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            manifest = _read_manifest(tar, members)
            _check_manifest(manifest, kind, members)
            if not force:
                _refuse_if_not_empty()
            staging = Path(tempfile.mkdtemp(prefix=".restauration-", dir=upload_dir.parent))
            try:
                dump = _extract_verified(tar, manifest, staging)
                laps.lap("vérification")
                _restore_database(kind, dump)
                laps.lap("base")
                moved_aside = _replace_uploads(staging / UPLOADS, upload_dir, manifest["files"])
                laps.lap("fichiers")
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(f"Archive illisible ({error}) : elle est refusée.") from error

    from recrutement.files.models import StoredFile
    from recrutement.search.index import rebuild_index

    indexed = rebuild_index()
    laps.lap("index")
    with db.engine.connect() as connection:
        counts = _row_counts(connection)
    expected = manifest["database"]["row_counts"]
    if counts != expected:
        differing = sorted(
            k for k in expected.keys() | counts.keys() if counts.get(k) != expected.get(k)
        )
        raise BackupError(
            "Restauration faite, mais la base ne compte pas les lignes annoncées par le "
            f"manifeste (tables : {', '.join(differing)}) : vérifiez-la avant de rouvrir."
        )
    names = db.session.scalars(select(StoredFile.stored_name)).all()
    db.session.remove()
    store = file_store()
    missing = sorted(name for name in names if not store.exists(name))
    files = manifest["files"]
    return Restored(
        row_counts=counts,
        files=len(files),
        file_bytes=sum(entry["size"] for entry in files),
        moved_aside=moved_aside,
        indexed_offers=indexed,
        missing_files=missing,
        seconds=laps.total(),
        phases=laps.phases,
    )


class _Laps:
    """Seconds spent in each phase of a restore, for its report."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = now - self.last
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started


def _verify_checksum(archive: Path) -> None:
    if not archive.is_file():
        raise BackupError(f"Archive introuvable : {archive}")
    checksum = archive.with_name(archive.name + ".sha256")
    if not checksum.is_file():
        raise BackupError(
            f"Somme de contrôle absente ({checksum.name}) : sans elle, l'archive ne peut "
            "pas être vérifiée et n'est pas restaurée."
        )
    expected = checksum.read_text().split()[:1]
    if expected != [_digest_of(archive)["sha256"]]:
        raise BackupError(
            "Archive refusée : sa somme de contrôle SHA-256 ne correspond pas à "
            f"{checksum.name} (archive abîmée ou modifiée). Rien n'a été modifié."
        )


def _read_manifest(tar: tarfile.TarFile, members: list[tarfile.TarInfo]) -> dict[str, Any]:
    """Check every member's name and kind, then read the manifest."""
    for member in members:
        _check_member(member)
    by_name = {member.name: member for member in members}
    if MANIFEST not in by_name:
        raise BackupError("Archive refusée : elle ne contient pas de manifest.json.")
    extracted = tar.extractfile(by_name[MANIFEST])
    assert extracted is not None  # a regular file, checked above
    try:
        manifest = json.loads(extracted.read())
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except ValueError as error:
        raise BackupError(f"Archive refusée : manifest.json illisible ({error}).") from error
    return manifest


def _check_member(member: tarfile.TarInfo) -> None:
    """Refuse anything that could be written outside the staging directory: absolute
    names, `..`, links, devices, directories (the archive holds only files)."""
    path = PurePosixPath(member.name)
    if (
        not member.name
        or path.is_absolute()
        or "\\" in member.name
        or any(part in ("", ".", "..") for part in member.name.split("/"))
    ):
        raise BackupError(
            f"Archive refusée : le chemin « {member.name} » sort du dossier de restauration."
        )
    if not member.isreg():
        raise BackupError(
            f"Archive refusée : « {member.name} » n'est pas un fichier ordinaire "
            "(lien, dossier ou périphérique)."
        )
    if not (member.name in (MANIFEST, *DATABASE_MEMBERS.values()) or path.parts[0] == UPLOADS):
        raise BackupError(f"Archive refusée : membre inattendu « {member.name} ».")


def _check_manifest(manifest: dict[str, Any], kind: str, members: list[tarfile.TarInfo]) -> None:
    try:
        version = manifest["format_version"]
        revision = manifest["schema_revision"]
        database = manifest["database"]
        files = manifest["files"]
        expected_names = {MANIFEST, database["member"]} | {
            f"{UPLOADS}/{entry['path']}" for entry in files
        }
        if not isinstance(database["sha256"], str) or not isinstance(database["row_counts"], dict):
            raise TypeError("database")
    except (KeyError, TypeError) as error:
        raise BackupError(f"Archive refusée : manifeste incomplet ({error}).") from error
    if version != FORMAT_VERSION:
        raise BackupError(f"Archive refusée : format de sauvegarde {version} inconnu.")
    if database.get("kind") != kind or database["member"] != DATABASE_MEMBERS[kind]:
        raise BackupError(
            f"Archive refusée : c'est une sauvegarde {database.get('kind')}, la base "
            f"configurée est {kind}."
        )
    head = _schema_head()
    if revision != head:
        raise BackupError(
            f"Archive refusée : elle a été faite avec le schéma {revision}, cette version de "
            f"l'application attend {head}. Déployez la version qui correspond à la "
            "sauvegarde, restaurez, puis montez de version (flask db upgrade)."
        )
    names = [member.name for member in members]
    if len(names) != len(set(names)) or set(names) != expected_names:
        raise BackupError(
            "Archive refusée : ses fichiers ne sont pas ceux que liste son manifeste."
        )
    if kind == "postgresql":
        pg_restore = _client_version("pg_restore")
        if pg_restore < int(database.get("pg_dump_version", 0)):
            raise BackupError(
                f"pg_restore {pg_restore} ne sait pas lire une sauvegarde de pg_dump "
                f"{database['pg_dump_version']} : installez le client PostgreSQL "
                f"{database['pg_dump_version']}."
            )


def _refuse_if_not_empty() -> None:
    with db.engine.connect() as connection:
        filled = {name: count for name, count in _row_counts(connection).items() if count}
    if filled:
        tables = ", ".join(f"{name} ({count})" for name, count in sorted(filled.items()))
        raise BackupError(
            "La base configurée n'est pas vide : la restauration l'écraserait. Relancez avec "
            f"--force si c'est voulu. Tables non vides : {tables}. Rien n'a été modifié."
        )


def _extract_verified(tar: tarfile.TarFile, manifest: dict[str, Any], staging: Path) -> Path:
    """Write each member under staging (by our own hand, never tar.extract) and check
    its size and sha256 against the manifest; return the database dump."""
    expected = {
        manifest["database"]["member"]: (None, manifest["database"]["sha256"]),
        **{
            f"{UPLOADS}/{entry['path']}": (entry["size"], entry["sha256"])
            for entry in manifest["files"]
        },
    }
    for member in tar.getmembers():
        if member.name == MANIFEST:
            continue
        size, sha256 = expected[member.name]
        target = staging.joinpath(*member.name.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        assert source is not None  # a regular file, checked before
        digest = hashlib.sha256()
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256 or (size is not None and member.size != size):
            raise BackupError(
                f"Archive refusée : « {member.name} » ne correspond pas à son empreinte "
                "dans le manifeste. Rien n'a été modifié."
            )
    return staging / str(manifest["database"]["member"])


def _restore_database(kind: str, dump: Path) -> None:
    # No connection of this process may hold a lock on what is replaced.
    db.session.remove()
    db.engine.dispose()
    if kind == "postgresql":
        # One transaction: if anything fails, the database is left as it was.
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_libpq_url()}",
                str(dump),
            ],
            "pg_restore",
            extra_env={"PGOPTIONS": f"-c lock_timeout={LOCK_TIMEOUT_MS}"},
        )
    else:
        source = sqlite3.connect(dump)
        try:
            target = sqlite3.connect(_sqlite_path(), timeout=LOCK_TIMEOUT_MS / 1000)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()


def _local_upload_dir() -> Path:
    """The directory of the local file store. A restore puts the files back as a
    directory (moving aside what the backup does not hold, in a sibling directory):
    another kind of store would need its own way."""
    store = file_store()
    if not isinstance(store, LocalDirectoryStore):
        raise BackupError(
            "La restauration des fichiers ne sait écrire que dans un dossier local "
            "(FILE_STORE=local). Rien n'a été modifié."
        )
    return store.directory


def _replace_uploads(staged: Path, upload_dir: Path, files: list[dict[str, Any]]) -> Path | None:
    """Make upload_dir hold exactly the backup's files. A file there that the backup
    does not hold, or holds with other bytes, is moved aside (same relative path) into
    `<UPLOAD_DIR>.avant-restauration-<date>`: nothing is deleted by a mistaken restore."""
    wanted = {entry["path"]: entry["sha256"] for entry in files}
    aside = upload_dir.with_name(f"{upload_dir.name}.avant-restauration-{utcnow():%Y%m%d-%H%M%S}")
    moved = False
    for path in sorted(upload_dir.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            continue
        relative = path.relative_to(upload_dir).as_posix()
        if (
            relative in wanted
            and not path.is_symlink()
            and _digest_of(path)["sha256"] == wanted[relative]
        ):
            continue
        destination = aside / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, destination)
        moved = True
    for relative in wanted:
        source = staged.joinpath(*relative.split("/"))
        target = upload_dir.joinpath(*relative.split("/"))
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    return aside if moved else None


# --- retention -------------------------------------------------------------------


def prune_backups(directory: Path, *, keep_daily: int, keep_weekly: int) -> list[Path]:
    """Delete the archives the retention does not keep, with their .sha256, and return
    them. Kept: the newest archive of each of the last `keep_daily` days that have one,
    and the newest of each of the last `keep_weekly` ISO weeks that have one (the
    rule of borg and restic). Only files named like this module's archives are touched."""
    archives = sorted(
        (
            (datetime.strptime(found[1], "%Y%m%d-%H%M%S"), path)
            for path in directory.iterdir()
            if (found := ARCHIVE_NAME.fullmatch(path.name))
        ),
        reverse=True,
    )
    kept: set[Path] = set()
    periods: list[tuple[Callable[[datetime], object], int]] = [
        (lambda moment: moment.date(), keep_daily),
        (lambda moment: moment.isocalendar()[:2], keep_weekly),
    ]
    for period_of, count in periods:
        seen: set[object] = set()
        for moment, path in archives:
            period = period_of(moment)
            if period in seen:
                continue
            if len(seen) == count:
                break
            seen.add(period)
            kept.add(path)
    deleted = [path for _moment, path in archives if path not in kept]
    for path in deleted:
        path.unlink()
        path.with_name(path.name + ".sha256").unlink(missing_ok=True)
    return deleted


# --- shared ----------------------------------------------------------------------


def _database_kind() -> str:
    kind = db.engine.dialect.name
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"Base {kind} non prise en charge (PostgreSQL ou SQLite).")
    return kind


def _sqlite_path() -> str:
    path = db.engine.url.database
    if not path or path == ":memory:":
        raise BackupError("Une base SQLite en mémoire ne se sauvegarde pas.")
    return path


def _libpq_url() -> str:
    """The configured database as a libpq URL, without its password (given to the
    client through PGPASSWORD, so `ps` never shows it)."""
    url: URL = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], name: str, extra_env: dict[str, str] | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{name} est introuvable : installez le client PostgreSQL.")
    env = {**os.environ, **(extra_env or {})}
    password = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).password
    if password:
        env["PGPASSWORD"] = password
    # The programs are PostgreSQL's own clients, found on PATH; the arguments are ours.
    done = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{name} a échoué ({done.returncode}) : {done.stderr.strip()[-2000:]}")


def _client_version(program: str) -> int:
    if shutil.which(program) is None:
        raise BackupError(f"{program} est introuvable : installez le client PostgreSQL.")
    output = subprocess.run(  # noqa: S603
        [program, "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    if found is None:
        raise BackupError(f"Version de {program} illisible : {output!r}")
    return int(found.group(1))


def _server_major(connection: Connection) -> int:
    return int(connection.scalar(text("SHOW server_version_num")) or 0) // 10000


def _row_counts(connection: Connection) -> dict[str, int]:
    """Rows of every table of the database (not only the models': alembic_version too)."""
    return {
        name: int(connection.scalar(select(func.count()).select_from(table(name))) or 0)
        for name in sorted(inspect(connection).get_table_names())
    }


def _schema_head() -> str:
    """The Alembic head of this release's migrations: the schema its models describe."""
    directory = current_app.extensions["migrate"].directory
    head = ScriptDirectory(directory).get_current_head()
    if head is None:
        raise BackupError("Aucune migration trouvée : révision du schéma inconnue.")
    return head


def _digest_of(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}


def _fsync(path: Path) -> None:
    with path.open("rb") as written:
        os.fsync(written.fileno())


# --- command line (registered in cli.py) ----------------------------------------------

backup_commands = AppGroup("backup", help="Backups of the database and uploaded files.")


@backup_commands.command("create")
@click.option(
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: str(INSTANCE_DIR / "backups"),
    show_default="instance/backups",
    help="Directory the archive and its .sha256 are written to.",
)
@click.option(
    "--keep-daily",
    type=click.IntRange(min=1),
    help="Then delete older archives of the directory, keeping the newest of each of "
    "this many last days (and of --keep-weekly weeks).",
)
@click.option(
    "--keep-weekly",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="With --keep-daily: also keep the newest archive of each of this many last weeks.",
)
def backup_create(output_dir: Path, keep_daily: int | None, keep_weekly: int) -> None:
    """Write a dated archive of the database and the uploaded files, with its checksum."""
    try:
        created = create_backup(output_dir)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    manifest = created.manifest
    rows = sum(manifest["database"]["row_counts"].values())
    size = created.archive.stat().st_size / 1e6
    click.echo(
        f"Sauvegarde créée en {created.seconds:.1f} s : {created.archive} ({size:.1f} Mo, "
        f"{plural(rows, 'ligne')}, {plural(len(manifest['files']), 'fichier')})"
    )
    click.echo(f"Somme de contrôle : {created.checksum}")
    if keep_daily:
        deleted = prune_backups(output_dir, keep_daily=keep_daily, keep_weekly=keep_weekly)
        click.echo(
            f"Rétention ({keep_daily} jours, {keep_weekly} semaines) : "
            f"{plural(len(deleted), 'ancienne archive supprimée', 'anciennes archives supprimées')}."
        )


@backup_commands.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that is not empty.")
def backup_restore(archive: Path, force: bool) -> None:
    """Check an archive, then restore the database and the uploaded files from it and
    rebuild the search index. Stop the web and worker services first."""
    try:
        restored = restore_backup(archive, force=force)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    rows = sum(restored.row_counts.values())
    click.echo(
        f"Sauvegarde restaurée en {restored.seconds:.1f} s : {plural(rows, 'ligne')}, "
        f"{plural(restored.files, 'fichier')} ({restored.file_bytes / 1e6:.1f} Mo), "
        f"index de recherche reconstruit ({plural(restored.indexed_offers, 'offre publiée', 'offres publiées')})."
    )
    click.echo(
        "Dont "
        + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in restored.phases.items())
        + "."
    )
    for name, count in restored.row_counts.items():
        if count:
            click.echo(f"  {name} : {count}")
    if restored.moved_aside:
        click.echo(f"Fichiers absents de la sauvegarde mis de côté dans {restored.moved_aside}")
    if restored.missing_files:
        click.echo(
            f"Attention : {plural(len(restored.missing_files), 'fichier référencé', 'fichiers référencés')} par la base "
            f"absent de la sauvegarde : {', '.join(restored.missing_files[:10])}",
            err=True,
        )
