"""The collectivité's space in Chromium (issue 11, points 6 and 7), at 1280 and 360
pixels: the home shows its counts and what to do, with "Créer une offre" in the
first screen; the list of every application filters by state; recording a hire goes
through its confirmation page, with the other candidates informed by default and a
preview of their mail, then offers the post's cofunding. axe-core checks every page;
without JavaScript, axe runs on the page as such a browser renders it (the site's
scripts refused) and the hire is then done in a context where JavaScript is off."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from recrutement.applications.models import ApplicationStatus
from recrutement.core.time import paris_today
from recrutement.extensions import db
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.e2e.test_statistics import open_visitor

EMAIL = "dgs@quimperle.fr"


@pytest.fixture
def quimperle(referential):
    """Two open offers of Quimperlé: the first closes in 3 days with Léa at the
    interview stage and Karim's application unopened; the second has Inès in review."""
    member = factories.MembershipFactory(
        user__email=EMAIL, organisation__commune=referential["quimperle"]
    )
    closing = factories.OfferFactory(
        organisation=member.organisation,
        title="Chef de projet revitalisation",
        application_deadline=paris_today() + timedelta(days=3),
    )
    other = factories.OfferFactory(
        organisation=member.organisation, title="Manager de centre-ville"
    )
    lea = make_application(closing, "lea@exemple.fr", ApplicationStatus.INTERVIEW)
    karim = make_application(closing, "karim@exemple.fr")
    ines = make_application(other, "ines@exemple.fr", ApplicationStatus.IN_REVIEW)
    lea.candidate.first_name, lea.candidate.last_name = "Léa", "Moreau"
    karim.candidate.first_name, karim.candidate.last_name = "Karim", "Benali"
    db.session.commit()
    return {"lea": lea, "karim": karim, "ines": ines}


def log_in(page, base_url: str) -> None:
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def no_sideways_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: horizontal scroll at {width} px: {scroll}px"


@pytest.mark.parametrize("width", [1280, 360])
def test_home_list_and_hire(browser, live_server, quimperle, mailbox, width):
    visitor = open_visitor(browser, live_server, width)
    page = visitor.page
    log_in(page, live_server)
    assert page.url.endswith("/collectivite/")
    visitor.check()
    no_sideways_scroll(page, width)

    # The counts: 3 new applications (first visit: the last 7 days), 3 things to do
    # (one to examine, one interview to schedule, one offer closing), 2 open offers.
    assert page.locator(".app-figure__number").all_inner_texts() == ["3", "3", "2"]
    create = page.get_by_role("link", name="Créer une offre")
    box = create.bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"]
    todo = page.locator("section", has=page.get_by_role("heading", name="À traiter"))
    assert todo.get_by_role("link", name="1 candidature à examiner").is_visible()
    assert todo.get_by_role("link", name="1 entretien à organiser").is_visible()
    assert todo.get_by_role(
        "link", name="« Chef de projet revitalisation » : date limite dans 3 jours"
    ).is_visible()

    # Every application, filtered by state.
    with page.expect_navigation():
        page.get_by_role("link", name="Toutes les candidatures").click()
    visitor.check()
    no_sideways_scroll(page, width)
    assert page.get_by_text("3 candidatures", exact=True).is_visible()
    page.get_by_label("État").select_option("interview")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrer").click()
    visitor.check()
    assert re.search(r"etat=interview", page.url)
    assert page.get_by_role("link", name="Léa Moreau").is_visible()
    assert page.get_by_role("link", name="Karim Benali").count() == 0

    # The hire: confirmation, others informed by default, preview, then cofunding.
    with page.expect_navigation():
        page.get_by_role("link", name="Léa Moreau").click()
    visitor.check()
    with page.expect_navigation():
        page.get_by_role("link", name="Enregistrer le recrutement").click()
    visitor.check()
    no_sideways_scroll(page, width)
    assert page.get_by_role("heading", name="Retenir Léa Moreau ?").is_visible()
    assert page.get_by_label(re.compile("Informer les autres candidats")).is_checked()
    preview = page.locator(".app-mail-preview")
    assert "Bonjour Karim," in preview.inner_text()
    assert "La commune de Quimperlé n'a pas retenu votre candidature" in preview.inner_text()
    visitor.submit("Confirmer le recrutement")
    no_sideways_scroll(page, width)
    assert page.get_by_text(
        "Recrutement enregistré : l'offre est pourvue. 1 autre candidat prévenu."
    ).is_visible()
    cofunding = page.get_by_role("link", name="Demander le cofinancement de ce poste")
    assert cofunding.is_visible()
    assert cofunding.get_attribute("href") == (
        f"/collectivite/cofinancements/nouvelle/recrutement/{quimperle['lea'].id}"
    )
    assert "Le poste a été pourvu." in mailbox.deliver().last_to("karim@exemple.fr").text
    page.context.close()


def test_without_javascript(browser, live_server, quimperle, mailbox):
    # axe on the pages as a browser without JavaScript renders them, on a phone.
    visitor = open_visitor(browser, live_server, 360, javascript=False)
    log_in(visitor.page, live_server)
    for path in (
        "/collectivite/",
        "/collectivite/candidatures",
        f"/collectivite/candidatures/{quimperle['lea'].id}/retenir",
    ):
        visitor.goto(path)
        no_sideways_scroll(visitor.page, 360)
    visitor.page.context.close()

    # The same hire with JavaScript off: the preview follows the typed message.
    context = browser.new_context(
        locale="fr-FR", java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    log_in(page, live_server)
    page.goto(f"{live_server}/collectivite/candidatures/{quimperle['lea'].id}/retenir")
    page.get_by_label(re.compile("Message aux autres candidats")).fill(
        "Nous avons retenu une autre candidature. Merci de votre intérêt."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Mettre à jour l'aperçu").click()
    assert (
        "Nous avons retenu une autre candidature." in page.locator(".app-mail-preview").inner_text()
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le recrutement").click()
    assert page.get_by_role("link", name="Demander le cofinancement de ce poste").is_visible()
    assert "Nous avons retenu une autre candidature." in (
        mailbox.deliver().last_to("karim@exemple.fr").text
    )
    context.close()
