"""End to end in Chromium: sign-up, confirmation by mail, login, organisation validation."""

from __future__ import annotations

import pytest

from recrutement.accounts.models import Role
from recrutement.extensions import db
from tests import factories
from tests.support import path_of

PASSWORD = "une phrase de passe assez longue"


def test_candidate_signs_up_confirms_from_the_mail_and_logs_in(visitor, mailbox, referential):
    page = visitor.page
    visitor.goto("/")
    page.get_by_role("link", name="Espace candidat").first.click()
    page.wait_for_url("**/inscription/candidat")
    visitor.check()
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label("Nom", exact=True).fill("Moreau")
    page.get_by_label("Adresse électronique").fill("lea.moreau@exemple.fr")
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    visitor.submit("Créer mon compte")
    assert page.get_by_role("heading", name="Consultez votre messagerie").is_visible()

    link = mailbox.deliver().last_to("lea.moreau@exemple.fr").links()[0]
    visitor.goto(path_of(link), lands_on="/connexion")
    assert "/connexion" in page.url
    assert page.get_by_text("Votre adresse électronique est confirmée").is_visible()

    page.get_by_label("Adresse électronique").fill("lea.moreau@exemple.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    visitor.submit("Se connecter")
    assert page.url.endswith("/candidat/")
    assert page.get_by_role("heading", name="Bonjour Léa").is_visible()

    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_url("**/")
    assert page.get_by_text("Vous êtes déconnecté").is_visible()


def test_wrong_password_shows_a_french_error(visitor, referential):
    factories.UserFactory(email="agent@exemple.fr")
    page = visitor.page
    visitor.goto("/connexion")
    page.get_by_label("Adresse électronique").fill("agent@exemple.fr")
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    visitor.submit("Se connecter")
    assert page.get_by_text("Adresse électronique ou mot de passe incorrect.").first.is_visible()


def test_employer_signs_up_and_the_prefecture_validates(
    browser, live_server, visitor, mailbox, referential
):
    prefecture = factories.UserFactory(role=Role.PREFECTURE, email="pref29@exemple.fr")
    prefecture.departments = [referential["departments"]["29"]]
    db.session.commit()

    page = visitor.page
    visitor.goto("/inscription/collectivite")
    page.get_by_label("Nom ou code postal de la collectivité").fill("landerneau")
    visitor.submit("Rechercher")
    page.get_by_role("link", name="Landerneau").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_label("Landerneau (29800)", exact=False).is_checked()
    page.get_by_label("Prénom").fill("Gwenaëlle")
    page.get_by_label("Nom", exact=True).fill("Abiven")
    page.get_by_label("Adresse électronique").fill("dgs@landerneau.fr")
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    visitor.submit("Inscrire ma collectivité")
    assert page.get_by_text("en attente de validation").first.is_visible()

    mails = mailbox.deliver()
    visitor.goto(path_of(mails.last_to("dgs@landerneau.fr").links()[0]), lands_on="/connexion")
    page.get_by_label("Adresse électronique").fill("dgs@landerneau.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    visitor.submit("Se connecter")
    assert page.get_by_text("attend la validation de la préfecture").is_visible()

    # The préfecture, in its own browser, opens the link of its mail and validates.
    context = browser.new_context(locale="fr-FR")
    from tests.e2e.conftest import Visitor

    agent = Visitor(context.new_page(), live_server)
    agent.goto(path_of(mails.last_to("pref29@exemple.fr").links()[0]), lands_on="/connexion")
    agent.page.get_by_label("Adresse électronique").fill("pref29@exemple.fr")
    agent.page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    agent.submit("Se connecter")
    assert agent.page.get_by_role("heading", name="Commune de Landerneau").is_visible()
    agent.page.get_by_text("Valider : la collectivité pourra publier ses offres").click()
    agent.submit("Enregistrer la décision")
    assert agent.page.get_by_text("Commune de Landerneau est validée").is_visible()
    context.close()

    visitor.goto("/collectivite/")
    assert page.get_by_text("Collectivité validée").is_visible()
    assert "Inscription validée" in mailbox.deliver().last_to("dgs@landerneau.fr").subject


def test_public_pages_pass_axe_on_a_phone(phone_visitor, referential, programme_rule):
    for path in (
        "/",
        "/connexion",
        "/inscription/candidat",
        "/inscription/collectivite?q=quimp",
        "/mot-de-passe/oublie",
        "/accessibilite",
        "/mentions-legales",
        "/donnees-personnelles",
        "/simulateur?cout=60000&anah=1",
    ):
        phone_visitor.goto(path)
    phone_visitor.goto("/page-inexistante", status=404)
    width = phone_visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scroll on a 360 px screen: {width}px"


def test_navigation_works_without_javascript(browser, live_server, referential):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("link", name="Se connecter").first.click()
    page.wait_for_url("**/connexion")
    page.get_by_role("link", name="Mot de passe oublié").click()
    page.wait_for_url("**/mot-de-passe/oublie")
    page.get_by_label("Adresse électronique").fill("personne@exemple.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_url("**/connexion")
    assert page.get_by_text("Si un compte existe pour cette adresse").is_visible()
    context.close()


def test_staff_pages_pass_axe(visitor, referential, login_as_in_browser):
    login_as_in_browser(visitor, Role.ADMIN)
    for path in (
        "/pilotage/",
        "/pilotage/collectivites",
        "/pilotage/comptes",
        "/pilotage/referentiel",
    ):
        visitor.goto(path)
    login_as_in_browser(visitor, Role.EMPLOYER)
    for path in ("/collectivite/", "/collectivite/membres"):
        visitor.goto(path)
    login_as_in_browser(visitor, Role.PREFECTURE)
    for path in ("/prefecture/", "/prefecture/collectivites"):
        visitor.goto(path)


def test_the_accessibility_check_catches_a_broken_page(app, visitor):
    """The axe-core check is real: a page with unlabelled controls fails it."""

    @app.get("/casse")
    def broken_page():
        return (
            "<!doctype html><html><head><title>x</title></head><body>"
            '<input type="text"><button></button></body></html>'
        )

    broken_page.access = "public"
    with pytest.raises(AssertionError, match="button-name|label"):
        visitor.goto("/casse")
