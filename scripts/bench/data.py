"""The benchmark's databases: published offers at each size, and the national demo for
the dashboard, built once under instance/bench/ and reused while the data generator
(recrutement/demo/, the referential, the migrations) is unchanged; `--fresh` rebuilds.

Each size lives in its own directory (bench.db, index/, uploads/). A larger size starts
from a copy of the smaller one, then `create_demo_offers` adds the missing offers: the
generator is seeded by the count of existing offers, so the data is the same whichever
way a size was reached. The search index is not kept up to date here: the rebuild
measurement (rebuild.py) recreates it on every run, with the code being measured.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "instance" / "bench"
GENERATOR_SEED = 2026
# What the databases are made of: a change here makes them stale.
GENERATOR_SOURCES = ("recrutement/demo", "recrutement/referential", "migrations")
STAMP = "stamp.txt"
# Nobody listens there: the worker's mails fail fast instead of waiting on a server.
CLOSED_MAIL_PORT = "9"
SECRET_KEY = secrets.token_hex(32)


def generator_stamp(seed: int = GENERATOR_SEED) -> str:
    """A hash of every file that shapes the generated data, and the generator's seed."""
    digest = hashlib.sha256(f"seed={seed}\n".encode())
    for source in GENERATOR_SOURCES:
        for path in sorted((ROOT / source).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def size_directory(size: int) -> Path:
    return BENCH_DIR / f"offres-{size}"


def app_config(directory: Path, **extra: Any) -> dict[str, Any]:
    """The configuration of an in-process app on `directory`'s database and index."""
    return {
        "APP_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.db'}",
        "SEARCH_INDEX_DIR": str(directory / "index"),
        "UPLOAD_DIR": str(directory / "uploads"),
        "RATE_LIMITS_ENABLED": False,
        "MAIL_PORT": int(CLOSED_MAIL_PORT),
        **extra,
    }


def create_quiet_app(directory: Path, **extra: Any) -> Any:
    """An in-process app on `directory`, logging warnings only (not every request)."""
    from recrutement import create_app

    app = create_app(app_config(directory, **extra))
    app.logger.setLevel(logging.WARNING)
    return app


def environment(directory: Path, app_env: str = "development", **extra: str) -> dict[str, str]:
    """The environment of a `flask`, gunicorn or worker process on `directory`.

    PYTHONPATH names this checkout first, so a copy of the harness in another worktree
    measures that worktree's code, not the installed one."""
    return {
        **os.environ,
        "APP_ENV": app_env,
        "DATABASE_URL": f"sqlite:///{directory / 'bench.db'}",
        "SEARCH_INDEX_DIR": str(directory / "index"),
        "UPLOAD_DIR": str(directory / "uploads"),
        "SECRET_KEY": SECRET_KEY,
        "MAIL_PORT": CLOSED_MAIL_PORT,
        "RATE_LIMITS_ENABLED": "false",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def flask(directory: Path, *args: str) -> None:
    """Run a `flask --app wsgi` command on `directory`'s database (development)."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=environment(directory),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} a échoué :\n{done.stderr[-3000:]}")


def _is_current(directory: Path, stamp: str) -> bool:
    path = directory / STAMP
    return path.exists() and path.read_text().strip() == stamp


def ensure_offer_databases(sizes: list[int], fresh: bool) -> dict[int, Path]:
    """A database of exactly `size` published offers (plus the demo's other states)
    for each size, built or reused; returns their directories."""
    stamp = generator_stamp()
    directories: dict[int, Path] = {}
    previous: Path | None = None
    for size in sorted(sizes):
        directory = size_directory(size)
        if fresh or not _is_current(directory, stamp):
            started = time.perf_counter()
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            if previous is not None:
                shutil.copy2(previous / "bench.db", directory / "bench.db")
            else:
                flask(directory, "db", "upgrade")
            created = _fill(directory, size)
            (directory / STAMP).write_text(stamp + "\n")
            print(
                f"Base de {size} offres publiées construite ({created} générées) "
                f"en {time.perf_counter() - started:.0f} s : {directory}"
            )
        else:
            print(f"Base de {size} offres publiées réutilisée : {directory}")
        directories[size] = previous = directory
    return directories


def _fill(directory: Path, size: int) -> int:
    """The referential and demo data (idempotent), then published offers up to `size`."""
    from sqlalchemy import func, select

    from recrutement.demo import seed
    from recrutement.demo.offers import create_demo_offers
    from recrutement.extensions import db
    from recrutement.offers.models import Offer, OfferStatus

    app = create_quiet_app(directory)
    with app.app_context():
        seed()
        published = db.session.scalar(
            select(func.count()).select_from(Offer).where(Offer.status == OfferStatus.PUBLISHED)
        )
        created = create_demo_offers(size - (published or 0), seed=GENERATOR_SEED)
        db.session.remove()
        db.engine.dispose()
    return created


def ensure_national_database(fresh: bool) -> Path:
    """The national demo (`demo seed --national`) for the dashboard, built or reused."""
    directory = BENCH_DIR / "national"
    stamp = generator_stamp()
    if not fresh and _is_current(directory, stamp):
        print(f"Base nationale réutilisée : {directory}")
        return directory
    started = time.perf_counter()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    flask(directory, "db", "upgrade")
    flask(directory, "demo", "seed", "--national")
    (directory / STAMP).write_text(stamp + "\n")
    print(f"Base nationale construite en {time.perf_counter() - started:.0f} s : {directory}")
    return directory


def has_index(directory: Path) -> bool:
    """Whether a rebuild has written an index there (the app creates the directory empty)."""
    return any(path.is_file() for path in (directory / "index").rglob("*"))


def scratch_copy(source: Path, name: str) -> Path:
    """A throw-away copy of a size's database and index, for runs that write to it."""
    directory = BENCH_DIR / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    shutil.copy2(source / "bench.db", directory / "bench.db")
    if (source / "index").exists():
        shutil.copytree(source / "index", directory / "index")
    return directory
