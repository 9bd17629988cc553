"""The candidate's space in Chromium (issue 11, points 4 and 5): the home with its
counts, the inbox and the unread badge of the navigation, the progress stepper, the
profile's mobility choice, and the personal data page; at 1280 and 360 pixels, with
and without JavaScript. axe-core finds no serious violation (on the no-script
rendering too, see test_statistics.refuse_javascript), no page scrolls sideways, and
the mobility choice works with JavaScript off.

Set E2E_SCREENSHOTS to a directory to keep a full-page screenshot of each page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from recrutement.accounts.models import Role
from recrutement.alerts.saved_searches import save_search
from recrutement.applications import messages
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.candidates.models import CandidateProfile
from recrutement.core.models import record_event
from recrutement.extensions import db
from tests import factories
from tests.e2e.conftest import Visitor
from tests.e2e.test_statistics import refuse_javascript

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")
EMAIL = "lea@exemple.fr"


@pytest.fixture
def lea(referential):
    """Léa: an interview with its details, a rejection, a withdrawal after review, two
    unread messages from Quimperlé, and a saved search that finds a new offer."""
    member = factories.MembershipFactory(
        user__email="dgs@quimperle.fr", organisation__commune=referential["quimperle"]
    )
    organisation = member.organisation
    candidate = factories.UserFactory(
        role=Role.CANDIDATE, email=EMAIL, first_name="Léa", last_name="Moreau"
    )

    def application(status, title, **fields):
        offer = factories.OfferFactory(organisation=organisation, title=title)
        found = Application(
            offer=offer,
            candidate=candidate,
            cover_letter="Urbaniste depuis six ans, j'ai piloté une OPAH-RU en centre-bourg.",
            status=status,
            **fields,
        )
        db.session.add(found)
        db.session.commit()
        return found

    interview = application(
        ApplicationStatus.INTERVIEW,
        "Cheffe de projet revitalisation du centre-bourg",
        interview_details="Jeudi 10 décembre à 10 h, mairie de Quimperlé, salle du conseil.",
    )
    application(ApplicationStatus.REJECTED, "Chef de projet habitat")
    withdrawn = application(ApplicationStatus.WITHDRAWN, "Chef de projet mobilités")
    record_event(member.user, "application.review", withdrawn)
    db.session.commit()
    messages.post_message(member.user, interview, "Merci d'apporter vos références de projets.")
    messages.post_message(member.user, interview, "Le parking de la mairie est rue Savary.")
    factories.OfferFactory(
        organisation=organisation,
        title="Chargée de mission patrimoine",
        missions="Valoriser le patrimoine bâti du centre ancien.",
    )
    save_search(candidate, {"q": "patrimoine"}, "daily", "Patrimoine")
    return {"candidate": candidate, "interview": interview, "withdrawn": withdrawn}


def open_visitor(browser, live_server, width: int, javascript: bool = True) -> Visitor:
    options = {"locale": "fr-FR"}
    if width < 500:
        options.update(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    else:
        options.update(viewport={"width": width, "height": 900})
    page = browser.new_context(**options).new_page()
    if not javascript:
        refuse_javascript(page)
    return Visitor(page, live_server)


def log_in(visitor: Visitor) -> None:
    visitor.goto("/connexion")
    visitor.page.get_by_label("Adresse électronique").fill(EMAIL)
    visitor.page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    visitor.submit("Se connecter")
    # (Without scripts the redirect is followed inside the route: the URL stays.)
    assert visitor.page.get_by_role("heading", name="Bonjour Léa", level=1).is_visible()


def look(visitor: Visitor, name: str, width: int, suffix: str) -> None:
    page = visitor.page
    assert page.locator("h1").count() == 1
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: horizontal scroll at {width} px: {scroll}px"
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/candidat-{name}-{suffix}.png", full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("width", [1280, 360])
def test_the_candidates_pages_pass_axe_and_show_what_matters(
    browser, live_server, lea, width, javascript
):
    visitor = open_visitor(browser, live_server, width, javascript)
    suffix = f"{width}-{'js' if javascript else 'nojs'}"
    page = visitor.page
    log_in(visitor)
    look(visitor, "accueil", width, suffix)
    assert page.get_by_role("link", name="1 candidature au stade de l'entretien").is_visible()
    assert page.get_by_role("link", name="1 candidature non retenue").is_visible()
    assert page.get_by_text("Jeudi 10 décembre à 10 h, mairie de Quimperlé").is_visible()
    assert page.get_by_text("Vous avez 2 messages non lus.").is_visible()
    assert page.get_by_role("link", name="Chargée de mission patrimoine").is_visible()
    # The navigation's badge: "2" on screen, "2 messages non lus" for a screen reader.
    if javascript and width < 1024:
        page.get_by_role("button", name="Menu").click()  # the navigation sits in the menu
    badge_link = page.get_by_role("link", name=re.compile(r"^Messages\s*2 messages non lus$"))
    assert badge_link.is_visible()
    assert badge_link.locator(".fr-badge [aria-hidden=true]").inner_text() == "2"
    if javascript and width < 1024:
        page.get_by_role("button", name="Fermer").click()

    page.get_by_role("link", name="1 candidature au stade de l'entretien").click()
    visitor.check()
    assert "etat=interview" in page.url
    look(visitor, "candidatures", width, suffix)
    # The state stays in view on a phone.
    state = page.get_by_role("cell", name="Entretien")
    box = state.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width

    visitor.goto("/candidat/messages")
    look(visitor, "messages", width, suffix)
    assert page.get_by_text("2 messages non lus ; 1 conversation.").is_visible()
    page.get_by_role("link", name="Cheffe de projet revitalisation du centre-bourg").click()
    visitor.check()
    look(visitor, "candidature", width, suffix)
    stepper = page.locator(".fr-stepper")
    assert stepper.get_by_text("Étape 3 sur 4").is_visible()
    assert stepper.get_by_text("Étape suivante : Décision").is_visible()
    if width >= 1024:
        # The stepper is in the first screen.
        assert stepper.bounding_box()["y"] + stepper.bounding_box()["height"] <= 900
    assert page.get_by_text("Le parking de la mairie est rue Savary.").is_visible()
    # Read: the badge is gone.
    assert page.get_by_role("link", name=re.compile("messages? non lus?")).count() == 0

    visitor.goto(f"/candidat/candidatures/{lea['withdrawn'].id}")
    assert page.get_by_text("Retirée à l'étape 2 sur 4 : En cours d'examen").is_visible()

    visitor.goto("/candidat/profil")
    look(visitor, "profil", width, suffix)
    visitor.goto("/candidat/donnees")
    look(visitor, "donnees", width, suffix)
    assert page.get_by_role("heading", name="Messages des candidatures").is_visible()
    visitor.goto("/donnees-personnelles")
    look(visitor, "donnees-personnelles", width, suffix)
    page.context.close()


def tick(page, label: str) -> None:
    """Tick a DSFR checkbox as a person does: on its label (the box is drawn by it)."""
    page.locator("label", has_text=label).click()


def saved_mobility(candidate) -> tuple[list, list]:
    db.session.expire_all()
    profile = db.session.scalar(
        db.select(CandidateProfile).where(CandidateProfile.user_id == candidate.id)
    )
    return profile.mobility_regions, profile.mobility_departments


@pytest.mark.parametrize("width", [1280, 360])
def test_mobility_is_chosen_by_region_then_department_and_summarised(
    browser, live_server, lea, width
):
    visitor = open_visitor(browser, live_server, width)
    page = visitor.page
    log_in(visitor)
    visitor.goto("/candidat/profil")
    summary = page.locator("#mobilite-choix")
    assert summary.inner_text() == "Aucun territoire choisi."
    finistere = page.get_by_label("Finistère (29)")
    assert not finistere.is_visible()  # inside the closed Bretagne
    page.locator("summary", has_text="Bretagne").click()
    tick(page, "Finistère (29)")
    assert finistere.is_checked()
    assert summary.inner_text() == "Vos choix : Finistère (29)."
    bretagne = page.locator("summary", has_text="Bretagne")
    assert bretagne.get_by_text("1 département choisi").is_visible()
    page.locator("summary", has_text="Grand Est").click()
    tick(page, "Toute la région Grand Est")
    assert summary.inner_text() == "Vos choix : Finistère (29), Grand Est (toute la région)."
    # Each checkbox is a comfortable target on a phone.
    box = page.locator("label[for='mobility_departments-0']").bounding_box()
    assert box["height"] >= 24 and box["x"] + box["width"] <= width
    visitor.submit("Enregistrer mon profil")
    assert page.get_by_text("Votre profil est enregistré.").is_visible()
    assert saved_mobility(lea["candidate"]) == (["44"], ["29"])
    assert summary.inner_text() == "Vos choix : Finistère (29), Grand Est (toute la région)."
    page.context.close()


def test_mobility_works_without_javascript(browser, live_server, lea):
    context = browser.new_context(
        locale="fr-FR", java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto(live_server + "/connexion")
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.goto(live_server + "/candidat/profil")
    page.locator("summary", has_text="Bretagne").click()  # <details> needs no script
    tick(page, "Morbihan (56)")
    tick(page, "Toute la région Bretagne")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer mon profil").click()
    assert page.get_by_text("Votre profil est enregistré.").is_visible()
    assert saved_mobility(lea["candidate"]) == (["53"], ["56"])
    assert (
        page.locator("#mobilite-choix").inner_text()
        == "Vos choix : Bretagne (toute la région), Morbihan (56)."
    )
    # The saved région is open on the next visit.
    assert page.get_by_label("Morbihan (56)").is_visible()
    context.close()
