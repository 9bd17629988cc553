"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import os

import pytest

from recrutement import create_app
from recrutement.schema_check import migration_drift
from tests.support import temporary_postgresql_database


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database on the backend under test."""
    test_url = os.environ.get("TEST_DATABASE_URL")
    if not test_url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    with temporary_postgresql_database(test_url) as url:
        yield url


def test_migrations_match_the_models(empty_database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "UPLOAD_DIR": str(tmp_path / "u"),
            "SEARCH_INDEX_DIR": str(tmp_path / "i"),
        }
    )
    assert migration_drift(app) == []
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
