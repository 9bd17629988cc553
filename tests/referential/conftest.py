"""Fixtures of the referential tests: their own Flask app and database.

They do not rely on the application factory: a plain Flask app bound to the
shared `db` extension, on a temporary SQLite file, or on a temporary PostgreSQL
database created next to `TEST_DATABASE_URL` when that variable is set (and
dropped afterwards), so these tests never touch another suite's tables.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest
from flask import Flask
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from recrutement.extensions import db

try:
    import recrutement.models  # noqa: F401  (every table, so that foreign keys exist)
except ImportError:  # the rest of the application is being written
    import recrutement.referential.models  # noqa: F401

from recrutement.referential.loader import load_referential
from recrutement.referential.models import Commune


@contextlib.contextmanager
def _database_url(tmp_path):
    """A database URL for one test app, and its clean-up."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'referential.db'}"
        return
    url = make_url(base)
    name = f"referential_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def _app(tmp_path):
    with _database_url(tmp_path) as url:
        app = Flask(__name__)
        app.config.update(TESTING=True, SQLALCHEMY_DATABASE_URI=url)
        db.init_app(app)
        with app.app_context():
            db.create_all()
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.drop_all()
                for engine in db.engines.values():
                    engine.dispose()


@pytest.fixture(scope="session")
def referential_app(tmp_path_factory):
    """An app whose database holds the whole shipped referential (loaded once)."""
    with _app(tmp_path_factory.mktemp("referential")) as app:
        yield app


@pytest.fixture(scope="session")
def first_load(referential_app):
    """The counts and duration of the first load_referential() into an empty database."""
    import time

    with referential_app.app_context():
        started = time.perf_counter()
        counts = load_referential()
        elapsed = time.perf_counter() - started
    return counts, elapsed


@pytest.fixture
def ref_session(referential_app, first_load):
    """db.session of the loaded referential, inside this app's context.

    The PVD columns are reset after each test, so tests stay independent.
    """
    with referential_app.app_context():
        yield db.session
        db.session.rollback()
        db.session.execute(
            update(Commune)
            .where(Commune.is_pvd.is_(True) | Commune.pvd_convention_signed_on.is_not(None))
            .values(is_pvd=False, pvd_convention_signed_on=None)
        )
        db.session.commit()
        db.session.remove()


@pytest.fixture
def empty_app(tmp_path):
    """An app on a fresh empty database, for one test."""
    with _app(tmp_path) as app, app.app_context():
        yield app
