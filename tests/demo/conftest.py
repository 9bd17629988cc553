"""One seeded demo for the demo tests: `flask demo seed` runs once per test session into a
template database (SQLite file, or a PostgreSQL database with TEST_DATABASE_URL), and
each test that asks for `demo_app` gets its own copy (database, uploaded files, search
index), so it may change it freely. Seeding takes about 15 seconds; a copy, a fraction
of a second."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask, g
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from recrutement import create_app
from recrutement.cofunding.models import FundingRule
from recrutement.extensions import db
from tests.cofunding.test_engine import RULE
from tests.support import CsrfClient


@dataclass(frozen=True)
class SeededDemo:
    """The template: its database, the directory holding its uploads/ and index/, and
    what `flask demo seed` printed."""

    database_url: str
    directory: Path
    output: str


def demo_config(database_url: str, directory: Path, smtp_port: int) -> dict[str, object]:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(directory / "uploads"),
        "SEARCH_INDEX_DIR": str(directory / "index"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }


def make_demo_app(database_url: str, directory: Path, smtp_port: int) -> Flask:
    app = create_app(demo_config(database_url, directory, smtp_port))
    app.test_client_class = CsrfClient

    # Requests share the test's app context: forget `g` after each (Flask-Login caches
    # the signed-in user there), as each request of production has its own.
    @app.teardown_request
    def forget_request_globals(_error: BaseException | None) -> None:
        g.__dict__.clear()

    return app


@contextmanager
def postgresql_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template` when given), dropped afterwards."""
    name = f"recrutement_demo_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database_copy(template: str, directory: Path) -> Iterator[str]:
    """A copy of the template database, for one test."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        with postgresql_database(server_url, template) as url:
            yield url
        return
    path = directory / "demo.db"
    source = sqlite3.connect(make_url(template).database or "")
    target = sqlite3.connect(path)
    with target:
        source.backup(target)  # consistent even in WAL mode
    source.close()
    target.close()
    yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def seeded_demo(tmp_path_factory: pytest.TempPathFactory, smtp_server) -> Iterator[SeededDemo]:
    """`flask demo seed` once, on the real referential, with the funding rule the
    migrations insert (the tests build the schema without them)."""
    directory = tmp_path_factory.mktemp("demo-template")
    server_url = os.environ.get("TEST_DATABASE_URL")
    database: AbstractContextManager[str] = (
        postgresql_database(server_url)
        if server_url
        else nullcontext(f"sqlite:///{directory / 'demo.db'}")
    )
    with database as url:
        app = make_demo_app(url, directory, smtp_server.port)
        with app.app_context():
            db.create_all()
            db.session.add(FundingRule(effective_from=date(2020, 10, 1), **asdict(RULE)))
            db.session.commit()
            result = app.test_cli_runner().invoke(args=["demo", "seed"])
            assert result.exit_code == 0, result.output
            db.session.remove()
            db.engine.dispose()  # a PostgreSQL template must have no connection
        yield SeededDemo(url, directory, result.output)


@pytest.fixture
def demo_app(seeded_demo: SeededDemo, tmp_path: Path, smtp_server) -> Iterator[Flask]:
    """A copy of the seeded demo for this test, in an app context."""
    for name in ("uploads", "index"):
        if (seeded_demo.directory / name).exists():
            shutil.copytree(seeded_demo.directory / name, tmp_path / name)
    with database_copy(seeded_demo.database_url, tmp_path) as url:
        app = make_demo_app(url, tmp_path, smtp_server.port)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
