"""The candidate's search and the offer page in Chromium, at 1280 and 360 pixels.

- The offer page: the "Postuler à cette offre" button is inside the first screen on a
  1280×800 desktop and within the first two screens of a phone (it is in the first),
  and neither the "Candidater" box nor "En bref" overlaps the footer or each other,
  checked with element geometry on a long offer.
- The search: compact rows (at most 110 px each at 1280, with and without words
  searched for), no sideways scroll on a phone; searching near a town with JavaScript
  (the commune type-ahead, by keyboard) and without it (typed name, then a misspelt
  one answered with close communes).
- axe-core on each page at both widths, with JavaScript and as a browser without
  JavaScript renders it (axe needs JavaScript to run, so the site's scripts are
  refused rather than JavaScript turned off, as in test_statistics.py).

Set E2E_SCREENSHOTS to a directory to keep a screenshot of each page.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from recrutement.core.time import paris_today
from recrutement.extensions import db
from tests import factories
from tests.e2e.conftest import Visitor

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
MAX_ROW_HEIGHT = 110
LONG_MISSIONS = "\n".join(
    f"- Mission {number} : piloter l'aménagement du centre-bourg, la reconquête de l'habitat "
    "ancien, les mobilités douces et la revitalisation commerciale avec les partenaires."
    for number in range(1, 31)
)


@pytest.fixture
def catalogue(referential):
    """22 open offers in Quimperlé, Landerneau (83 km away) and Commercy; the first, in
    Quimperlé, long enough to make its page several screens tall."""
    referential["landerneau"].latitude, referential["landerneau"].longitude = 48.451, -4.252
    db.session.commit()
    organisations = {
        name: factories.OrganisationFactory(commune=referential[name])
        for name in ("quimperle", "landerneau", "commercy")
    }
    long_offer = factories.OfferFactory(
        organisation=organisations["quimperle"],
        title="Chef de projet Petites villes de demain",
        missions=LONG_MISSIONS,
        salary_min=34000,
        salary_max=42000,
        remote_work="regular",
    )
    others = [
        factories.OfferFactory(
            organisation=organisations[("landerneau", "commercy", "quimperle")[number % 3]],
            title=f"Chargé de mission revitalisation {number}",
            missions="Animer le projet de territoire : habitat, commerce et mobilités.",
            salary_min=30000 + 500 * number if number % 2 else None,
            salary_max=38000 + 500 * number if number % 2 else None,
            application_deadline=paris_today() + timedelta(days=5 + 3 * number),
        )
        for number in range(21)
    ]
    return {"long": long_offer, "others": others}


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


def open_visitor(browser, live_server, viewport: dict, javascript: bool = True) -> Visitor:
    options: dict = {"locale": "fr-FR", "viewport": viewport}
    if viewport["width"] < 500:
        options.update(is_mobile=True, has_touch=True)
    page = browser.new_context(**options).new_page()
    if not javascript:
        refuse_javascript(page)
    return Visitor(page, live_server)


def box(page, selector: str) -> dict:
    """An element's box in page coordinates (scroll-independent), in CSS pixels."""
    found = page.evaluate(
        """selector => {
            const element = document.querySelector(selector);
            if (!element) return null;
            const r = element.getBoundingClientRect();
            return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};
        }""",
        selector,
    )
    assert found is not None, selector
    return found


def overlap(first: dict, second: dict) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


def no_sideways_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: horizontal scroll at {width} px: {scroll}px"


def keep(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


# --- The offer page ---------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_desktop_apply_button_in_the_first_screen_clear_of_the_footer(
    browser, live_server, catalogue, javascript
):
    visitor = open_visitor(browser, live_server, DESKTOP, javascript)
    page = visitor.page
    offer = catalogue["long"]
    visitor.goto(f"/offres/{offer.id}")
    keep(page, f"offre-1280-{'js' if javascript else 'nojs'}")
    button = page.locator("#postuler")
    assert button.is_visible() and button.inner_text() == "Postuler à cette offre"
    # Inside the first screen, without scrolling.
    first_screen = page.evaluate("({x: 0, y: 0, width: innerWidth, height: innerHeight})")
    assert page.evaluate("scrollY") == 0
    button_box = box(page, "#postuler")
    assert button_box["y"] >= 0
    assert button_box["y"] + button_box["height"] <= first_screen["height"], button_box
    assert overlap(button_box, first_screen)
    # The page is several screens tall: the offer is long, and nothing leaks over the footer.
    footer = box(page, "#pied-de-page")
    assert footer["y"] > 2 * DESKTOP["height"]
    apply_box, facts = box(page, "#candidater"), box(page, ".app-offer-aside .fr-card")
    for name, element in (("Postuler", button_box), ("Candidater", apply_box), ("En bref", facts)):
        assert not overlap(element, footer), f"{name} overlaps the footer"
    assert not overlap(apply_box, facts)
    assert apply_box["y"] + apply_box["height"] <= facts["y"]
    # The fact sheet is as tall as its content, not as the offer.
    assert facts["height"] < footer["y"] - facts["y"] - 200
    # At the end of the offer, the way to apply is there again.
    page.locator("#postuler-bas").scroll_into_view_if_needed()
    assert page.get_by_role("link", name="Postuler maintenant").is_visible()
    assert not page.locator("#postuler-haut").is_visible()
    link = page.get_by_role("link", name="Postuler à cette offre")
    assert link.get_attribute("href") == f"/offres/{offer.id}/postuler"
    if javascript:
        link.click()
        page.wait_for_url(re.compile(r"/connexion\?next=.*postuler"))
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_phone_apply_button_at_once_clear_of_the_footer(
    browser, live_server, catalogue, javascript
):
    visitor = open_visitor(browser, live_server, PHONE, javascript)
    page = visitor.page
    offer = catalogue["long"]
    visitor.goto(f"/offres/{offer.id}")
    keep(page, f"offre-360-{'js' if javascript else 'nojs'}")
    no_sideways_scroll(page, PHONE["width"])
    top = page.locator("#postuler-haut")
    assert top.is_visible() and top.inner_text() == "Postuler à cette offre"
    top_box = box(page, "#postuler-haut")
    # Within the first two screens, long before the offer's end; in the first one when
    # the DSFR's script folds the menu (without it, the menu lies open above the page).
    assert top_box["y"] + top_box["height"] <= 2 * PHONE["height"], top_box
    if javascript:
        assert top_box["y"] + top_box["height"] <= PHONE["height"], top_box
    footer = box(page, "#pied-de-page")
    apply_box, facts = box(page, "#candidater"), box(page, ".app-offer-aside .fr-card")
    for name, element in (
        ("Postuler (haut)", top_box),
        ("Candidater", apply_box),
        ("En bref", facts),
        ("Postuler", box(page, "#postuler")),
    ):
        assert not overlap(element, footer), f"{name} overlaps the footer"
    assert not overlap(apply_box, facts)
    assert not page.locator("#postuler-bas").is_visible()
    assert top.get_attribute("href") == f"/offres/{offer.id}/postuler"
    if javascript:
        top.click()
        page.wait_for_url(re.compile(r"/connexion\?next=.*postuler"))
    page.context.close()


# --- The search -------------------------------------------------------------------

SEARCHES = {
    "toutes": "/offres",
    "mots": "/offres?q=mobilites+habitat",
    "pres-de": "/offres?commune=29233&rayon=100",
    "commune-mal-ecrite": "/offres?commune=Kimperle",
    "page-vide": "/offres?page=9",
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_search_pages_pass_axe_and_rows_stay_compact(
    browser, live_server, catalogue, viewport, javascript
):
    visitor = open_visitor(browser, live_server, viewport, javascript)
    page = visitor.page
    width = viewport["width"]
    for name, path in SEARCHES.items():
        visitor.goto(path)
        keep(page, f"recherche-{name}-{width}-{'js' if javascript else 'nojs'}")
        assert page.locator("h1").count() == 1
        no_sideways_scroll(page, width)
        heights = page.locator(".app-result").evaluate_all(
            "rows => rows.map(row => row.getBoundingClientRect().height)"
        )
        if name in ("toutes", "mots", "pres-de"):
            assert heights, name
        if width == 1280:
            assert max(heights, default=0) <= MAX_ROW_HEIGHT, (name, heights)
    assert page.get_by_role("heading", name="Page 9 : aucune offre").is_visible()
    assert page.get_by_role("link", name="Aller à la dernière page (page 2)").is_visible()
    page.context.close()


def test_search_near_a_town_with_the_type_ahead(browser, live_server, catalogue):
    visitor = open_visitor(browser, live_server, DESKTOP)
    page = visitor.page
    visitor.goto("/offres")
    field = page.get_by_role("combobox", name="Près de")
    field.fill("quimp")
    listbox = page.get_by_role("listbox", name="Communes proposées")
    listbox.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    option = listbox.get_by_role("option").first
    assert option.inner_text().startswith("Quimperlé")
    visitor.check()  # axe with the list open
    field.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    field.press("Enter")  # chooses; does not submit yet
    assert field.input_value() == "Quimperlé (29)"
    assert not listbox.is_visible() and field.get_attribute("aria-expanded") == "false"
    page.get_by_label("Rayon").select_option("100")
    visitor.submit("Rechercher")
    # The long offer and 7 others in Quimperlé, 7 in Landerneau; none in Commercy.
    assert page.get_by_role("heading", name="15 offres à moins de 100 km de Quimperlé").is_visible()
    # "Pertinence" lets the search choose: near a town without keywords, nearest first.
    assert page.get_by_label("Trier par").input_value() == ""
    assert page.get_by_text("Les plus proches d'abord.").is_visible()
    first, last = page.locator(".app-result").first, page.locator(".app-result").last
    assert "à moins de 1\u202fkm" in first.inner_text()
    assert "à 83\u202fkm" in last.inner_text()
    assert field.input_value() == "Quimperlé (29)"
    # A click chooses too.
    field.fill("29800")
    listbox.get_by_role("option", name=re.compile("^Landerneau")).click()
    assert field.input_value() == "Landerneau (29)"
    assert visitor.console_errors == []
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_search_near_a_town_without_javascript(browser, live_server, catalogue, viewport):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    page.goto(live_server + "/offres")
    field = page.get_by_label("Près de")
    assert field.get_attribute("role") is None  # a plain text field
    field.fill("quimperle")
    page.get_by_label("Rayon").select_option("30")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    heading = page.get_by_role("heading", name=re.compile(r"offres? à moins de 30 km de Quimperlé"))
    assert heading.is_visible()
    rows = page.locator(".app-result")
    assert rows.count() >= 1
    assert all("à moins de 1\u202fkm" in text for text in rows.all_inner_texts())
    # A misspelt town: close communes are proposed, one click searches there.
    field.fill("Kimperlé")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    assert page.get_by_role("heading", name="Quelle commune cherchez-vous ?").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Quimperlé (29)").click()
    assert heading.is_visible()
    no_sideways_scroll(page, viewport["width"])
    context.close()
