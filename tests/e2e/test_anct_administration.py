"""ANCT's administration pages in Chromium: axe on a phone, no horizontal scroll at
360 px, and a deactivation done by clicking, without JavaScript."""

from __future__ import annotations

from recrutement.accounts.models import Role
from recrutement.extensions import db
from tests import factories


def admin_pages(referential) -> list[str]:
    agent = factories.UserFactory(email="agent@finistere.gouv.fr", role=Role.PREFECTURE)
    agent.departments = [referential["departments"]["29"]]
    organisation = factories.OrganisationFactory(commune=referential["landerneau"])
    db.session.commit()
    return [
        "/pilotage/comptes",
        "/pilotage/comptes?q=zzz",
        f"/pilotage/comptes/{agent.id}",
        f"/pilotage/comptes/{agent.id}/desactiver",
        f"/pilotage/comptes/{agent.id}/departements",
        "/pilotage/collectivites",
        f"/pilotage/collectivites/{organisation.id}",
        f"/pilotage/collectivites/{organisation.id}/modifier",
    ]


def test_administration_pages_pass_axe_on_a_phone(phone_visitor, referential, login_as_in_browser):
    login_as_in_browser(phone_visitor, Role.ADMIN)
    for path in admin_pages(referential):
        phone_visitor.goto(path)
        width = phone_visitor.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path}: horizontal scroll on a 360 px screen: {width}px"


def test_deactivating_an_account_without_javascript(browser, live_server, referential):
    pages = admin_pages(referential)
    admin = factories.UserFactory(role=Role.ADMIN)
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server + "/connexion")
    page.get_by_label("Adresse électronique").fill(admin.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/pilotage/")
    page.goto(live_server + pages[2])
    page.get_by_role("link", name="Désactiver le compte").click()
    page.wait_for_url("**/desactiver")
    page.get_by_label("Motif").fill("Agent muté")
    page.get_by_role("button", name="Désactiver le compte").click()
    page.wait_for_url(f"**{pages[2]}")
    assert page.get_by_text("est désactivé ; ses sessions sont fermées").is_visible()
    assert page.get_by_role("cell", name="Agent muté").is_visible()
    context.close()
