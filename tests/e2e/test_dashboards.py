"""The dashboards in Chromium: /prefecture/tableau-de-bord, /pilotage/tableau-de-bord
(France, a région, a département) and /pilotage/demandes (and one request), at 1280
and 360 pixels, with and without JavaScript: axe-core finds no serious violation, the
Content-Security-Policy no inline code, and a phone never scrolls sideways.

Without JavaScript: axe-core cannot run in a page whose scripts are disabled (its
checks wait on timers that never fire), so the browser gets every page with its
<script> elements removed and its <noscript> ones opened, which is what a browser
without JavaScript renders; axe then checks that.

Set E2E_SCREENSHOTS to a directory to keep a full-page screenshot of each page.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from recrutement.accounts.models import Role
from recrutement.cofunding import instruction, services
from recrutement.core.time import utcnow
from recrutement.extensions import db
from tests import factories
from tests.cofunding.conftest import content
from tests.e2e.conftest import Visitor

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")


def build_programme(referential) -> dict:
    """Two collectivités (Finistère, Meuse) with requests in several states: one
    granted, one waiting for 40 days and asking ANAH (no ANAH agent in Finistère),
    one in instruction with messages; an open offer in Meuse."""
    quimperle = factories.MembershipFactory(
        organisation__commune=referential["quimperle"], organisation__name="Commune de Quimperlé"
    )
    commercy = factories.MembershipFactory(
        organisation__commune=referential["commercy"], organisation__name="Commune de Commercy"
    )
    prefecture = factories.UserFactory(role=Role.PREFECTURE)
    prefecture.departments = [referential["departments"]["29"]]
    factories.OfferFactory(organisation=commercy.organisation)
    db.session.commit()

    def filed(member, title, days_ago=0, **overrides):
        found = services.create_request(member.user, content(post_title=title, **overrides))
        services.submit(member.user, found)
        found.submitted_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
        return found

    granted = filed(quimperle, "Chef de projet PVD", 60, annual_loaded_cost=D(60000))
    instruction.open_instruction(prefecture, granted)
    instruction.grant(prefecture, granted)
    filed(
        quimperle,
        "Chef de projet habitat",
        40,
        anah_asked=True,
        housing_operation="OPAH-RU du centre ancien",
    )
    opened = filed(commercy, "Chef de projet Commercy", 10)
    prefecture55 = factories.UserFactory(role=Role.PREFECTURE)
    prefecture55.departments = [referential["departments"]["55"]]
    db.session.commit()
    instruction.open_instruction(prefecture55, opened)
    services.post_message(prefecture55, opened, "Pouvez-vous joindre la délibération ?")
    ids = {"granted": granted.id, "opened": opened.id}
    # No transaction left open in the test's thread while the browser works.
    db.session.commit()
    return ids


def without_scripts(route) -> None:
    """Serve a page as a browser without JavaScript renders it."""
    if route.request.resource_type != "document":
        route.continue_()
        return
    response = route.fetch(max_redirects=0)
    body = response.text()
    body = re.sub(r"<script\b[^>]*>.*?</script>", "", body, flags=re.DOTALL)
    body = re.sub(r"</?noscript>", "", body)
    route.fulfill(response=response, body=body)


def open_visitor(browser, live_server, width: int, javascript: bool) -> Visitor:
    options = {"locale": "fr-FR"}
    if width < 500:
        options.update(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    else:
        options.update(viewport={"width": width, "height": 900})
    context = browser.new_context(**options)
    if not javascript:
        context.route("**/*", without_scripts)
    return Visitor(context.new_page(), live_server)


def visit(visitor: Visitor, path: str, width: int, name: str) -> None:
    visitor.goto(path)
    assert visitor.page.locator("h1").count() == 1, path
    scroll = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{path}: horizontal scroll at {width} px: {scroll}px"
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        visitor.page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("width", [1280, 360])
def test_dashboards_pass_axe(
    browser, live_server, referential, programme_rule, login_as_in_browser, width, javascript
):
    made = build_programme(referential)
    suffix = f"{width}-{'js' if javascript else 'nojs'}"

    prefecture = open_visitor(browser, live_server, width, javascript)
    login_as_in_browser(prefecture, Role.PREFECTURE)
    visit(prefecture, "/prefecture/tableau-de-bord", width, f"prefecture-dashboard-{suffix}")
    page = prefecture.page
    assert page.get_by_role("heading", name="Votre instruction").is_visible()
    # An age tile leads to the queue filtered the same way.
    page.get_by_role("link", name="1 demande Déposée il y a plus de 30 jours").click()
    prefecture.check()
    assert "etat=waiting" in page.url and "anciennete=plus-30j" in page.url
    assert page.get_by_role("link", name=f"n° {made['granted'] + 1}", exact=False).count() == 1
    prefecture.page.context.close()

    anct = open_visitor(browser, live_server, width, javascript)
    login_as_in_browser(anct, Role.ADMIN)
    visit(anct, "/pilotage/", width, f"pilotage-home-{suffix}")
    visit(anct, "/pilotage/tableau-de-bord", width, f"pilotage-dashboard-{suffix}")
    page = anct.page
    assert page.get_by_role("heading", name="À traiter").is_visible()
    # Drill down by clicking: France → Bretagne → Finistère → Quimperlé.
    page.get_by_role("link", name="Bretagne", exact=True).click()
    anct.check()
    page.get_by_role("link", name="Finistère (29)", exact=True).first.click()
    anct.check()
    assert page.get_by_role("heading", name="Tableau de bord — Finistère (29)").is_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/pilotage-departement-{suffix}.png", full_page=True)
    # The chooser is a plain GET form.
    page.get_by_label("Département").select_option("55")
    anct.submit("Afficher")
    assert page.get_by_role("heading", name="Tableau de bord — Meuse (55)").is_visible()

    visit(anct, "/pilotage/demandes", width, f"pilotage-requests-{suffix}")
    page.get_by_label("Région").select_option("53")
    anct.submit("Filtrer")
    assert "region=53" in page.url
    assert "Commune de Commercy" not in page.content()
    visit(anct, f"/pilotage/demandes/{made['opened']}", width, f"pilotage-request-{suffix}")
    assert page.get_by_text("Pouvez-vous joindre la délibération ?").is_visible()
    assert anct.checked
    anct.page.context.close()
