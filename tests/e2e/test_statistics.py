"""The public statistics in Chromium: /statistiques for France, a région, a département
and an unknown code, at 1280 and 360 pixels, with and without JavaScript: axe-core
finds no serious violation, the Content-Security-Policy no inline code, a phone never
scrolls sideways; a visitor chooses a territory with the form, drills down from the
map and the table, and downloads a table.

axe-core needs JavaScript to run (its checks wait on timers), so "without JavaScript"
is checked twice: axe on the page as a browser without JavaScript renders it (the
site's scripts refused, the <noscript> stylesheet applied), and the visit itself in a
context where JavaScript is off.

Set E2E_SCREENSHOTS to a directory to keep a full-page screenshot of each page.
"""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from recrutement.cofunding import instruction
from recrutement.cofunding import services as cofunding
from recrutement.extensions import db
from recrutement.pilotage.models import Recruit
from tests import factories
from tests.cofunding.conftest import content, people  # noqa: F401  (fixture)
from tests.e2e.conftest import Visitor

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")
PATHS = {
    "france": "/statistiques",
    "region": "/statistiques?region=53",
    "departement": "/statistiques?departement=29",
    "inconnu": "/statistiques?region=99",
}


@pytest.fixture
def programme(people):  # noqa: F811  (the fixture imported above)
    """Seven posts in Quimperlé (29): five women, two men (hidden: "< 5"); offers open
    in Quimperlé and Commercy (55); a post in Commercy cofunded with ANAH."""
    for number in range(7):
        db.session.add(
            Recruit(
                organisation_id=people.quimperle.id,
                department_code="29",
                post_key=f"title:poste {number}",
                source="declared",
                started_on=date(2021 + number % 3, 3 + number, 1),
                employer_kind="epci" if number % 2 else "commune",
                gender="femme" if number < 5 else "homme",
                diploma="bac+4/5",
            )
        )
    db.session.commit()
    factories.OfferFactory(organisation=people.quimperle)
    factories.OfferFactory(organisation=people.commercy)
    request = cofunding.create_request(
        people.other_employer, content(anah_asked=True, housing_operation="OPAH-RU")
    )
    cofunding.submit(people.other_employer, request)
    instruction.open_instruction(people.prefecture55, request)
    instruction.give_anah_opinion(people.anah55, request, True, D("20000"))
    instruction.grant(people.prefecture55, request)


def refuse_javascript(page) -> None:
    """Render pages as a browser without JavaScript does, while letting axe run: the
    site's scripts are refused and each page's <noscript> content is used."""

    def handle(route):
        kind = route.request.resource_type
        if kind == "script":
            route.abort()
        elif kind == "document":
            response = route.fetch()
            body = re.sub(r"</?noscript>", "", response.text())
            route.fulfill(response=response, body=body)
        else:
            route.continue_()

    page.route("**/*", handle)


def open_visitor(browser, live_server, width: int, javascript: bool = True) -> Visitor:
    options = {"locale": "fr-FR", "accept_downloads": True}
    if width < 500:
        options.update(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    else:
        options.update(viewport={"width": width, "height": 900})
    page = browser.new_context(**options).new_page()
    if not javascript:
        refuse_javascript(page)
    return Visitor(page, live_server)


def visit(visitor: Visitor, name: str, width: int, suffix: str) -> None:
    # An unknown région is a bad request, answered with its own explanation.
    visitor.goto(PATHS[name], status=400 if name == "inconnu" else 200)
    page = visitor.page
    assert page.locator("h1").count() == 1
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: horizontal scroll at {width} px: {scroll}px"
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/statistiques-{name}-{suffix}.png", full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("width", [1280, 360])
def test_statistics_pass_axe(browser, live_server, programme, width, javascript):
    visitor = open_visitor(browser, live_server, width, javascript)
    suffix = f"{width}-{'js' if javascript else 'nojs'}"
    for name in PATHS:
        visit(visitor, name, width, suffix)
    page = visitor.page
    assert page.get_by_text("Région inconnue : « 99 ».").is_visible()
    visitor.goto(PATHS["departement"])
    # The suppressed count reads "< 5" in the table, with the secret explained.
    row = page.get_by_role("row", name=re.compile(r"^Homme"))
    assert row.get_by_role("cell").inner_text() == "< 5"
    assert page.get_by_role("heading", name="Secret statistique").is_visible()
    page.context.close()


def choose_and_drill_down(visitor: Visitor) -> None:
    """France → Bretagne (form) → Finistère (table) → Morbihan (map) → Bretagne (crumb)."""
    page = visitor.page
    page.goto(visitor.base_url + PATHS["france"])
    assert page.get_by_role("heading", name="Statistiques : France", level=1).is_visible()
    page.get_by_label("Région", exact=True).select_option("53")
    with page.expect_navigation():
        page.get_by_role("button", name="Voir la région").click()
    assert page.url.endswith("/statistiques?region=53")
    assert page.get_by_role("heading", name="Statistiques : Bretagne", level=1).is_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Finistère (29)", exact=True).click()
    assert page.url.endswith("/statistiques?departement=29")
    assert page.get_by_role("heading", name="Statistiques : Finistère (29)").is_visible()
    assert page.get_by_role("link", name="Bretagne", exact=True).is_visible()

    # The map's départements are links too (named "Morbihan (56) : value").
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Morbihan \(56\) :")).first.click()
    assert page.url.endswith("/statistiques?departement=56")
    assert page.get_by_text("Aucune prise de poste n'est encore enregistrée").is_visible()
    page.get_by_label("Département", exact=True).select_option("29")
    with page.expect_navigation():
        page.get_by_role("button", name="Voir le département").click()
    assert page.url.endswith("/statistiques?departement=29")


def test_choose_drill_down_and_download_with_javascript(browser, live_server, programme):
    visitor = open_visitor(browser, live_server, 1280)
    choose_and_drill_down(visitor)
    page = visitor.page
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX : prises de poste par semestre").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"statistiques-pvd-departement-29-prises-de-poste-[\d-]{10}\.xlsx", name)
    assert visitor.console_errors == []
    page.context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_choose_drill_down_and_download_without_javascript(browser, live_server, programme, width):
    context = browser.new_context(
        locale="fr-FR",
        java_script_enabled=False,
        accept_downloads=True,
        viewport={"width": width, "height": 740 if width < 500 else 900},
    )
    visitor = Visitor(context.new_page(), live_server)
    choose_and_drill_down(visitor)
    page = visitor.page
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"horizontal scroll at {width} px: {scroll}px"
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV : profil des recrutés : genre").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Homme;< 5" in text and "Femme;5" in text
    # The départements table of France folds in a <details>, opened without script.
    page.goto(live_server + PATHS["france"])
    table = page.get_by_role("table", name="Par département")
    assert not table.is_visible()
    page.get_by_text("Tableau des départements").click()
    assert table.is_visible()
    context.close()
