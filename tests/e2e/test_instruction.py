"""The instruction pages in Chromium, at 1280 and 360 pixels: the queue opens on what
awaits the préfecture, the decided ones one click away; granting goes through its
confirmation page; the organisation validation takes an explicit choice. On a phone the
key cell of each table — the state and the amount of a request in the queue, the
amounts of a request's funding plan, the state of an application in the employer's and
the candidate's tables — lies inside the viewport, with no sideways scrolling. axe-core
checks every page visited, with the site's scripts and without them (axe cannot run with
JavaScript off: the pages are rendered as a browser without JavaScript would).
"""

# The `people` fixture is imported from the cofunding tests, then asked for by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role
from recrutement.applications import services as applications
from recrutement.cofunding import instruction
from recrutement.cofunding import services as cofunding
from recrutement.extensions import db
from recrutement.organisations.models import OrganisationStatus
from tests import factories
from tests.cofunding.conftest import content, people  # noqa: F401  (fixture)
from tests.e2e.conftest import Visitor
from tests.e2e.test_statistics import refuse_javascript
from tests.support import TINY_PDF

WIDTHS = [1280, 360]
ANAH = {"anah_asked": True, "housing_operation": "OPAH-RU du centre ancien"}


@pytest.fixture
def work(people, referential):  # noqa: F811  (the fixture imported above)
    """In Finistère: a request filed, one in instruction asking ANAH (opinion given), one
    granted; a pending organisation; an offer of Quimperlé with a candidate's application."""
    filed = cofunding.create_request(people.employer, content(post_title="Poste déposé"))
    cofunding.submit(people.employer, filed)
    opened = cofunding.create_request(people.employer, content(post_title="Poste ANAH", **ANAH))
    cofunding.submit(people.employer, opened)
    instruction.open_instruction(people.prefecture, opened)
    instruction.give_anah_opinion(people.anah, opened, True, 20_000)
    granted = cofunding.create_request(
        people.employer,
        content(
            post_title="Poste accordé",
            holder_start_date=content().holder_start_date.replace(year=2025),
            period_start=content().period_start.replace(year=2025),
            period_end=content().period_end.replace(year=2025),
        ),
    )
    cofunding.submit(people.employer, granted)
    instruction.open_instruction(people.prefecture, granted)
    instruction.grant(people.prefecture, granted)
    pending = factories.MembershipFactory(
        organisation__commune=referential["landerneau"],
        organisation__name="Commune de Landerneau",
        organisation__status=OrganisationStatus.PENDING,
    ).organisation
    offer = factories.OfferFactory(organisation=people.quimperle)
    candidate = factories.UserFactory(role=Role.CANDIDATE)
    db.session.commit()
    application = applications.apply(
        candidate,
        offer,
        "Je souhaite mettre mon expérience de l'aménagement au service de Quimperlé. " * 3,
        FileStorage(BytesIO(TINY_PDF), "cv.pdf", content_type="application/pdf"),
    )
    return {
        "filed": filed,
        "opened": opened,
        "granted": granted,
        "pending": pending,
        "offer": offer,
        "candidate": candidate,
        "application": application,
    }


def signed_in(browser, live_server, user, width: int, javascript: bool = True) -> Visitor:
    options = {"locale": "fr-FR"}
    if width < 500:
        options.update(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    else:
        options.update(viewport={"width": width, "height": 900})
    page = browser.new_context(**options).new_page()
    if not javascript:
        refuse_javascript(page)
    visitor = Visitor(page, live_server)
    visitor.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    visitor.submit("Se connecter")
    return visitor


def no_sideways_scroll(visitor: Visitor, width: int) -> None:
    scroll = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{visitor.page.url}: horizontal scroll at {width} px: {scroll}px"


def within_viewport(visitor: Visitor, locator, width: int) -> None:
    """The element is shown and lies inside the viewport's width, no scrolling needed."""
    assert locator.is_visible(), locator
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (locator, box)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_queue_and_a_request_keep_their_key_cells_in_view(
    browser, live_server, people, work, width, javascript
):
    visitor = signed_in(browser, live_server, people.prefecture, width, javascript)
    page = visitor.page
    visitor.goto("/prefecture/demandes")
    # The queue opens on what awaits the préfecture: the filed request and the one in
    # instruction; the granted one is one click away.
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    assert page.get_by_role("link", name=re.compile(r"^À traiter \(2\)")).get_attribute(
        "aria-current"
    )
    for row in range(rows.count()):
        state = rows.nth(row).locator("td").nth(1)
        amount = rows.nth(row).locator("td").nth(2)
        within_viewport(visitor, state.locator(".fr-badge"), width)
        within_viewport(visitor, amount, width)
        assert re.fullmatch(r"[\d\u202f]+,\d\d\s€", amount.inner_text().strip())
    secondary = page.locator("table thead th", has_text="Période")
    assert secondary.is_visible() == (width > 576)
    no_sideways_scroll(visitor, width)

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Décidées \(1\)")).click()
    visitor.check()
    assert page.locator("table tbody tr").count() == 1
    assert page.locator("table tbody tr .fr-badge").text_content() == "Accordée"

    # The request's funding plan: every amount in view.
    visitor.goto(f"/prefecture/demandes/{work['opened'].id}")
    plan = page.get_by_role("table", name="Plan de financement")
    for cell in plan.locator("tbody td").all():
        within_viewport(visitor, cell, width)
    no_sideways_scroll(visitor, width)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_granting_is_confirmed_on_a_page_that_shows_the_amounts(
    browser, live_server, people, work, width
):
    visitor = signed_in(browser, live_server, people.prefecture, width)
    page = visitor.page
    visitor.goto(f"/prefecture/demandes/{work['opened'].id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Accorder…").click()
    visitor.check()
    assert page.get_by_role(
        "heading", name=f"Accorder la demande n° {work['opened'].id} ?"
    ).is_visible()
    table = page.get_by_role("table", name="Montants accordés par financeur")
    total = table.get_by_role("row", name=re.compile("^Total"))
    within_viewport(visitor, total.locator("td").first, width)
    assert re.sub(r"\s", " ", total.locator("td").first.inner_text()) == "32 575,34 €"
    assert page.get_by_text("Favorable, 20 000,00 €", exact=False).is_visible()
    no_sideways_scroll(visitor, width)
    visitor.submit("Accorder 32")
    assert page.get_by_text("Demande accordée :").is_visible()
    assert page.get_by_role("link", name=re.compile("Télécharger la décision")).is_visible()
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_organisation_is_validated_only_by_an_explicit_choice(
    browser, live_server, people, work, width
):
    visitor = signed_in(browser, live_server, people.prefecture, width, javascript=False)
    page = visitor.page
    visitor.goto(f"/prefecture/collectivites/{work['pending'].id}")
    assert not page.get_by_label(re.compile("^Valider")).is_checked()
    assert not page.get_by_label(re.compile("^Refuser")).is_checked()
    visitor.submit("Enregistrer la décision")
    assert page.get_by_text(
        "Choisissez de valider ou de refuser la collectivité."
    ).first.is_visible()
    db.session.refresh(work["pending"])
    assert work["pending"].status == OrganisationStatus.PENDING
    page.locator("label", has_text=re.compile("^Valider")).click()
    visitor.submit("Enregistrer la décision")
    assert page.get_by_text("L'inscription de la commune de Landerneau est validée").is_visible()
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_application_tables_keep_the_state_in_view(browser, live_server, people, work, width):
    employer = signed_in(browser, live_server, people.employer, width)
    employer.goto(f"/collectivite/offres/{work['offer'].id}/candidatures")
    state = employer.page.locator("table tbody tr").first.locator(".fr-badge")
    assert state.text_content() == "Envoyée"
    within_viewport(employer, state, width)
    no_sideways_scroll(employer, width)
    employer.page.context.close()

    candidate = signed_in(browser, live_server, work["candidate"], width)
    candidate.goto("/candidat/candidatures")
    state = candidate.page.locator("table tbody tr").first.locator(".fr-badge")
    assert state.text_content() == "Envoyée"
    within_viewport(candidate, state, width)
    no_sideways_scroll(candidate, width)
    candidate.page.context.close()
