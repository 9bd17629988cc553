"""Recrutement PVD: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from recrutement import models  # noqa: F401  (registers every table)
from recrutement.accounts.permissions import enforce_access
from recrutement.accounts.sessions import init_sessions
from recrutement.applications.models import EVENT_LABELS, STATUS_BADGES
from recrutement.cli import register_commands
from recrutement.cofunding.models import EVENT_LABELS as COFUNDING_EVENT_LABELS
from recrutement.cofunding.models import STATUS_BADGES as COFUNDING_BADGES
from recrutement.config import INSTANCE_DIR, PROJECT_ROOT, load_config
from recrutement.core.french import FILTERS as FRENCH_FILTERS
from recrutement.core.time import paris_datetime
from recrutement.extensions import csrf, db, login_manager, mail, migrate
from recrutement.logging import init_logging
from recrutement.metrics import init_metrics
from recrutement.offers.models import ContractType
from recrutement.offers.presentation import slug as offer_slug
from recrutement.proxies import TrustedProxies
from recrutement.search.sync import init_search
from recrutement.security import init_security
from recrutement.static_files import init_static_fingerprints
from recrutement.web import register as register_web


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides what the environment gives."""
    load_dotenv(PROJECT_ROOT / ".env")
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(load_config())
    if config:
        app.config.update(config)
    init_logging(app)
    init_metrics(app)

    for directory in (app.config["UPLOAD_DIR"], app.config["SEARCH_INDEX_DIR"]):
        Path(directory).mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # Flask's documented way to add a WSGI middleware.
        app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
            app.wsgi_app, app.config["TRUSTED_PROXIES"], app.config["FORWARDED_ALLOW_IPS"]
        )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    # Access is checked before CSRF, so a forbidden POST answers 403, not 400.
    app.before_request(enforce_access)
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)

    init_security(app)
    init_static_fingerprints(app)
    init_sessions(app)
    init_search(app)
    app.jinja_env.globals.update(
        offer_slug=offer_slug,
        application_badges=STATUS_BADGES,
        application_event_labels=EVENT_LABELS,
        cofunding_badges=COFUNDING_BADGES,
        cofunding_event_labels=COFUNDING_EVENT_LABELS,
        contract_labels=ContractType.LABELS,
    )
    app.jinja_env.filters["paris_datetime"] = paris_datetime
    app.jinja_env.filters.update(FRENCH_FILTERS)
    register_web(app)
    register_commands(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(
    dbapi_connection: DBAPIConnection, connection_record: ConnectionPoolEntry
) -> None:
    """Make SQLite behave: foreign keys on, WAL so the worker and server share it."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
