"""Recrutement PVD: the application factory."""

from __future__ import annotations

from pathlib import Path

from dotenv import load_dotenv
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

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
from recrutement.offers.models import ContractType
from recrutement.offers.presentation import slug as offer_slug
from recrutement.proxies import TrustedProxies
from recrutement.search.sync import init_search
from recrutement.security import init_security
from recrutement.web import (
    api,
    auth,
    candidate,
    candidate_alerts,  # noqa: F401  (saved searches, alerts and favourites)
    candidate_applications,  # noqa: F401  (applying, and the candidate's applications)
    candidate_data,  # noqa: F401  (the candidate's personal data: export, deletion)
    candidate_profile,  # noqa: F401  (the candidate's profile)
    employer,
    employer_applications,  # noqa: F401  (the employer's applications)
    employer_cofunding,  # noqa: F401  (the employer's cofunding requests)
    employer_offers,  # noqa: F401  (adds the offer routes to the employer blueprint)
    pilotage,
    pilotage_admin,  # noqa: F401  (ANCT's administration: accounts and organisations)
    pilotage_dashboard,  # noqa: F401  (ANCT's dashboard)
    pilotage_requests,  # noqa: F401  (every cofunding request, read-only, for ANCT)
    prefecture,
    prefecture_dashboard,  # noqa: F401  (the préfecture's dashboard)
    prefecture_requests,  # noqa: F401  (the instruction of cofunding requests)
    public,
    public_offers,  # noqa: F401  (adds the offer routes to the public blueprint)
    simulator,  # noqa: F401  (the cofunding simulator, page and API)
    statistics,  # noqa: F401  (the public statistics: page, downloads and API)
)
from recrutement.web import (
    search as search_routes,  # noqa: F401  (adds /offres and /api/v1/offres)
)
from recrutement.web.errors import init_errors


def create_app(config: dict | None = None) -> Flask:
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

    for directory in (app.config["UPLOAD_DIR"], app.config["SEARCH_INDEX_DIR"]):
        Path(directory).mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = TrustedProxies(
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
    init_sessions(app)
    init_errors(app)
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
    for blueprint in (
        public.bp,
        auth.bp,
        candidate.bp,
        employer.bp,
        prefecture.bp,
        pilotage.bp,
        api.bp,
    ):
        app.register_blueprint(blueprint)
    register_commands(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Make SQLite behave: foreign keys on, WAL so the worker and server share it."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
