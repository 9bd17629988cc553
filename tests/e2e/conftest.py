"""Browser fixtures: the app served on a local port, Debian's Chromium driven by
Playwright, and an axe-core check of every page a test visits."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
# Flags that keep Chromium quiet on a machine with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = {"serious", "critical"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # The live server answers from its own threads: they must see what the
            # test wrote, so its commits are real.
            item.add_marker(pytest.mark.real_commits)
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_E2E"):
        raise pytest.UsageError("REQUIRE_E2E is set but /usr/bin/chromium is missing")
    skip = pytest.mark.skip(reason="Chromium missing: apt-get install chromium")
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(skip)


class ClosedBeforeSending:
    """The app's responses read to the end and closed before the server sends them.

    Werkzeug's development server does not close a response when the browser drops the
    connection first (its read of leftover request data raises before the close),
    which Chromium often does after a redirect. What a response defers to its close
    then never runs: the search index write after a publication (search/sync.py) was
    left to a worker these tests do not run, and the offer was never found. Gunicorn,
    which production runs, always closes a response (tests/drills cover it). Here the
    close comes before the browser sees the answer.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        iterable = self.app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free local port, in a thread."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app.config["BASE_URL"] = base_url
    server = make_server("127.0.0.1", port, ClosedBeforeSending(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """One browser tab that checks every page it lands on with axe-core,
    and fails on any Content-Security-Policy violation in the console."""

    def __init__(self, page, base_url: str):
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        page.set_default_timeout(10_000)
        self.base_url = base_url
        self.axe = Axe()
        self.checked: list[str] = []
        self.console_errors: list[str] = []
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def goto(self, path: str, status: int = 200, lands_on: str | None = None) -> None:
        """Open `path` and check the page. It must answer `status` from `path` itself, or
        from `lands_on` when a redirect is expected: a 403 page, or a redirect to the
        login page, is not the page the test meant to check."""
        response = self.page.goto(self.base_url + path)
        assert response is not None, path
        landed = urlsplit(response.url).path
        assert landed == (lands_on or urlsplit(path).path), f"{path} led to {response.url}"
        assert response.status == status, f"{path} answered {response.status}, not {status}"
        self.check()

    def check(self) -> None:
        """Run axe-core on the current page; no serious or critical violation allowed."""
        self.page.wait_for_load_state("load")
        results = self.axe.run(self.page)
        violations = [
            f"{violation['id']} ({violation['impact']}): "
            + "; ".join(node["target"][0] for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation["impact"] in SERIOUS
        ]
        assert violations == [], f"{self.page.url}: {violations}"
        csp = [error for error in self.console_errors if "Content Security Policy" in error]
        assert csp == [], csp
        self.checked.append(self.page.url)

    def submit(self, button_name: str) -> None:
        """Click a submit button by its accessible name, then check the new page."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button_name).click()
        self.check()


@pytest.fixture
def visitor(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield Visitor(page, live_server)
    context.close()


@pytest.fixture
def phone_visitor(browser, live_server):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield Visitor(page, live_server)
    context.close()


@pytest.fixture
def login_as_in_browser(referential):
    """Log a Visitor in through the login page as a new user of `role`."""
    from recrutement.accounts.models import Role
    from recrutement.extensions import db
    from tests import factories

    def login(visitor: Visitor, role: Role) -> None:
        user = factories.UserFactory(role=role)
        if role in (Role.PREFECTURE, Role.ANAH):
            user.departments = [referential["departments"]["29"]]
        if role == Role.EMPLOYER:
            organisation = factories.OrganisationFactory(commune=referential["quimperle"])
            factories.MembershipFactory(user=user, organisation=organisation)
        db.session.commit()
        visitor.page.context.clear_cookies()
        visitor.goto("/connexion")
        visitor.page.get_by_label("Adresse électronique").fill(user.email)
        visitor.page.get_by_label("Mot de passe").fill(factories.PASSWORD)
        visitor.submit("Se connecter")

    return login
