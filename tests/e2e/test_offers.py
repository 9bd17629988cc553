"""End to end in Chromium: an employer publishes an offer; a visitor finds it with an
unaccented query, opens it; axe-core checks every page on the way."""

from __future__ import annotations

from datetime import timedelta

from recrutement.accounts.models import Role
from recrutement.core.time import paris_today
from tests import factories


def test_employer_publishes_and_a_visitor_finds_it_unaccented(
    browser, live_server, visitor, login_as_in_browser, referential, phone_visitor
):
    login_as_in_browser(visitor, Role.EMPLOYER)
    page = visitor.page
    visitor.goto("/collectivite/offres")
    page.get_by_role("link", name="Créer une offre").first.click()
    page.wait_for_url("**/offres/nouvelle")
    visitor.check()
    page.get_by_label("Autorité qui recrute").fill("Le maire de Quimperlé")
    page.get_by_label("Lieu de travail").select_option("29233")
    page.get_by_label("Type de contrat").select_option("project_contract")
    page.locator("#duration_months").fill("36")
    page.locator("#grades").fill("Attaché territorial")
    page.get_by_label("Télétravail").select_option("regular")
    page.locator("#application_deadline").fill((paris_today() + timedelta(days=45)).isoformat())
    page.locator("#missions").fill(
        "Piloter l'aménagement du centre-bourg et la requalification des friches."
    )
    page.locator("#profile").fill("Urbaniste confirmé, à l'aise avec les élus.")
    page.get_by_label("Expérience souhaitée").select_option("confirmed")
    visitor.submit("Enregistrer")
    assert page.get_by_text("Brouillon enregistré").is_visible()

    page.get_by_role("link", name="Aperçu candidat").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_text("Aperçu : voici l'offre").is_visible()
    page.get_by_role("link", name="Revenir à l'offre").click()
    page.wait_for_load_state()
    visitor.submit("Publier l'offre")
    assert page.get_by_text("L'offre est publiée").is_visible()

    # A visitor on a phone searches without accents and opens the offer.
    phone_visitor.goto("/")
    phone = phone_visitor.page
    phone.get_by_label("Rechercher une offre de chef de projet").fill("amenagement friches")
    phone_visitor.submit("Rechercher")
    assert phone.get_by_role("heading", name="1 offre").is_visible()
    assert phone.locator("mark").first.is_visible()
    phone.get_by_role("link", name="Chef de projet Petites villes de demain").click()
    phone.wait_for_load_state()
    phone_visitor.check()
    assert phone.get_by_role("heading", name="Chef de projet Petites villes de demain").is_visible()
    assert phone.get_by_text("Télétravail régulier").first.is_visible()
    assert phone.locator('script[type="application/ld+json"]').count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scroll on a 360 px screen: {width}px"


def test_search_filters_and_pages_pass_axe(visitor, referential):
    quimperle = factories.OrganisationFactory(commune=referential["quimperle"])
    commercy = factories.OrganisationFactory(commune=referential["commercy"])
    for index, organisation in enumerate((quimperle, commercy, commercy)):
        factories.OfferFactory(
            organisation=organisation,
            missions=f"Mission numéro {index} sur la mobilité et l'habitat.",
        )
    visitor.goto("/offres?q=mobilite")
    visitor.page.get_by_label("Région").select_option("44")
    visitor.submit("Rechercher")
    assert visitor.page.get_by_role("heading", name="2 offres").is_visible(), visitor.page.locator(
        "#results-count"
    ).inner_text()
    visitor.goto("/offres?q=mobilte")  # misspelt: the suggestion is shown
    assert visitor.page.get_by_text("Vouliez-vous dire").is_visible()
    visitor.goto("/offres?commune=29233&rayon=30")
    assert visitor.page.get_by_role(
        "heading", name="1 offre à moins de 30 km de Quimperlé"
    ).is_visible()
    visitor.goto(f"/collectivites/{commercy.id}")
    assert visitor.page.get_by_role("heading", name="Commune de Commercy").is_visible()
