"""Fixtures: one database per run (SQLite, or PostgreSQL with TEST_DATABASE_URL) in
which each test is rolled back, a real local SMTP server, a CSRF-aware client, and
`login_as(role)`.

Each test runs inside one transaction, rolled back at its end: the commits of the code
under test become savepoints (tests/transactions.py). A test whose commits must be
real, because another thread, another process or the browser's server reads them, is
marked `real_commits` (the e2e tests are); the tables are emptied after it.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

os.environ["APP_ENV"] = "testing"

import pytest  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from flask import g  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.pool import StaticPool  # noqa: E402

from recrutement import create_app  # noqa: E402
from recrutement.accounts.models import Role  # noqa: E402
from recrutement.emails.outbox import send_due  # noqa: E402
from recrutement.extensions import db  # noqa: E402
from tests.support import (  # noqa: E402
    CsrfClient,
    Mailbox,
    SharedTemplateCache,
    temporary_postgresql_database,
    use_fast_password_hashing,
)
from tests.transactions import OuterTransaction  # noqa: E402

use_fast_password_hashing()

from tests import factories  # noqa: E402

TEMPLATES = SharedTemplateCache()

# Test databases live in memory when the machine has a tmpfs: nothing waits for a disk.
MEMORY_DISK = Path("/dev/shm")


@event.listens_for(Engine, "connect")
def _sqlite_without_waiting_for_the_disk(dbapi_connection, _connection_record):
    """Commits of the tests' SQLite databases are not flushed to disk: a crash of the
    machine may lose a test database, nothing else (production keeps the default)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temporary file (in memory, on /dev/shm, when there is one), or, with
    TEST_DATABASE_URL, a PostgreSQL database created for this run on that server (so
    concurrent runs and leftovers of other branches never meet), dropped at the end.
    Each xdist worker has its own."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        if MEMORY_DISK.is_dir() and os.access(MEMORY_DISK, os.W_OK):
            directory = Path(tempfile.mkdtemp(prefix="recrutement-tests-", dir=MEMORY_DISK))
            yield f"sqlite:///{directory / 'test.db'}"
            shutil.rmtree(directory, ignore_errors=True)
        else:
            yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    with temporary_postgresql_database(server_url) as url:
        yield url


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) for the whole run; tests read what it received."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def test_config(database_url: str, tmp_path, smtp_port: int) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory, smtp_server):
    """Create the schema once per run (per xdist worker); tests leave the tables empty."""
    app = create_app(test_config(database_url, tmp_path_factory.mktemp("schema"), smtp_server.port))
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_schema, database_url, tmp_path, smtp_server, request):
    """The application, in an app context, on an empty database: rolled back at the end
    of the test, or emptied after it when the test is marked `real_commits`."""
    real_commits = request.node.get_closest_marker("real_commits") is not None
    config = test_config(database_url, tmp_path, smtp_server.port)
    if not real_commits:
        # One connection, which every caller shares: the outer transaction's.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": StaticPool}
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATES
    app.test_client_class = CsrfClient

    # The test keeps one app context open, which requests then share; in
    # production each request has its own. Clearing `g` after each request
    # restores that (Flask-Login caches the signed-in user there).
    @app.teardown_request
    def forget_request_globals(_error):
        g.__dict__.clear()

    with app.app_context():
        if real_commits:
            try:
                yield app
            finally:
                db.session.remove()
                empty_tables()
                db.session.remove()
                db.engine.dispose()
        else:
            transaction = OuterTransaction(db.engine)
            try:
                yield app
            finally:
                db.session.remove()
                transaction.end()


@pytest.fixture
def app_factory():
    """`create_app` for a test's own configuration. Each app's pooled connections are
    closed after the test: an engine dropped with PostgreSQL connections open warns when
    the garbage collector reaches it, in whichever later test that happens."""
    made = []

    def make(config: dict):
        made.append(create_app(config))
        return made[-1]

    yield make
    for each in made:
        with each.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    """The SMTP server's mailbox, emptied; `deliver()` runs the outbox and returns it."""
    box: Mailbox = smtp_server.handler
    box.clear()

    def deliver() -> Mailbox:
        report = send_due()
        assert report.failed == 0 and report.given_up == 0, report
        return box

    box.deliver = deliver
    return box


@pytest.fixture
def referential(app):
    """A small real-looking referential: two régions, three départements, a few towns."""
    bretagne = factories.RegionFactory(code="53", name="Bretagne")
    grand_est = factories.RegionFactory(code="44", name="Grand Est")
    finistere = factories.DepartmentFactory(code="29", name="Finistère", region=bretagne)
    morbihan = factories.DepartmentFactory(code="56", name="Morbihan", region=bretagne)
    meuse = factories.DepartmentFactory(code="55", name="Meuse", region=grand_est)
    epci = factories.GroupingFactory(
        siren="242900645",
        name="Quimperlé Communauté",
        search_name="quimperle communaute",
        department_code="29",
    )
    towns = {
        "quimperle": factories.CommuneFactory(
            insee_code="29233",
            name="Quimperlé",
            search_name="quimperle",
            department=finistere,
            postcodes="29300",
            population=12300,
            is_pvd=True,
            epci_siren=epci.siren,
            latitude=47.87,
            longitude=-3.55,
        ),
        "mellac": factories.CommuneFactory(
            insee_code="29146",
            name="Mellac",
            search_name="mellac",
            department=finistere,
            postcodes="29300",
            population=3000,
            epci_siren=epci.siren,
        ),
        "landerneau": factories.CommuneFactory(
            insee_code="29103",
            name="Landerneau",
            search_name="landerneau",
            department=finistere,
            postcodes="29800",
            population=16000,
            is_pvd=True,
        ),
        "commercy": factories.CommuneFactory(
            insee_code="55122",
            name="Commercy",
            search_name="commercy",
            department=meuse,
            postcodes="55200",
            population=5600,
            is_pvd=True,
        ),
        "stenay": factories.CommuneFactory(
            insee_code="55502",
            name="Stenay",
            search_name="stenay",
            department=meuse,
            postcodes="55700",
            population=2700,
            is_pvd=True,
        ),
        "ploermel": factories.CommuneFactory(
            insee_code="56165",
            name="Ploërmel",
            search_name="ploermel",
            department=morbihan,
            postcodes="56800",
            population=9900,
            is_pvd=True,
        ),
    }
    epci.members = [towns["quimperle"], towns["mellac"]]
    db.session.commit()
    return {"departments": {"29": finistere, "55": meuse, "56": morbihan}, "epci": epci, **towns}


@pytest.fixture
def login_as(client, referential):
    """Log the client in, through the real login form, as a new user of `role`.

    Employers get a validated organisation in Finistère (Quimperlé) unless one is
    given; préfecture and ANAH agents get Finistère unless `departments` is given.
    """

    def login(role: Role | str, *, organisation=None, departments=("29",), **fields):
        role = Role(role)
        user = factories.UserFactory(role=role, **fields)
        if role in (Role.PREFECTURE, Role.ANAH):
            user.departments = [referential["departments"][code] for code in departments]
        if role == Role.EMPLOYER:
            organisation = organisation or factories.OrganisationFactory(
                commune=referential["quimperle"]
            )
            factories.MembershipFactory(user=user, organisation=organisation)
        db.session.commit()
        response = client.post(
            "/connexion", data={"email": user.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, response.page[:2000]
        return user

    return login


@pytest.fixture
def programme_rule(app):
    """The cofunding rule the migration inserts (DESIGN.md figures); the tests build
    the schema without migrations, so those that compute a split ask for it."""
    from dataclasses import asdict
    from datetime import date

    from recrutement.cofunding.models import FundingRule
    from tests.cofunding.test_engine import RULE

    rule = FundingRule(effective_from=date(2020, 10, 1), **asdict(RULE))
    db.session.add(rule)
    db.session.commit()
    return rule


# Two collectivités in two départements with their members and instructors: shared by
# the cofunding, dashboard and hardening tests.
from tests.cofunding.conftest import people  # noqa: E402, F401
