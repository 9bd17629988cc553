"""Compare the models with what the Alembic migrations build (drift check)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade

from recrutement.extensions import db


def migration_drift(app: Flask) -> list[Any]:
    """Upgrade the app's (empty) database to head; return the differences left with the models."""
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences: list[Any] = compare_metadata(context, db.metadata)
            return differences
