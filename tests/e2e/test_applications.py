"""End to end in Chromium: a candidate applies with a PDF, the employer moves the
application to interview then hires; the candidate sees each state; the mails arrive."""

from __future__ import annotations

import re

from recrutement.accounts.models import Role
from recrutement.extensions import db
from tests import factories
from tests.e2e.conftest import Visitor
from tests.support import TINY_PDF, path_of

LETTER = (
    "Urbaniste depuis six ans en collectivité, j'ai piloté une OPAH-RU et la "
    "requalification d'un centre-bourg : je souhaite mettre cette expérience au service de Quimperlé."
)


def test_apply_interview_hire(browser, live_server, visitor, mailbox, referential, tmp_path):
    member = factories.MembershipFactory(
        user__email="dgs@quimperle.fr", organisation__commune=referential["quimperle"]
    )
    offer = factories.OfferFactory(organisation=member.organisation)
    candidate = factories.UserFactory(role=Role.CANDIDATE, email="lea@exemple.fr", first_name="Léa")
    db.session.commit()
    cv = tmp_path / "cv-lea.pdf"
    cv.write_bytes(TINY_PDF)

    page = visitor.page
    visitor.goto(f"/offres/{offer.id}")
    page.get_by_role("link", name="Postuler à cette offre").click()
    page.wait_for_url(re.compile(r"/connexion\?next="))
    page.get_by_label("Adresse électronique").fill(candidate.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    visitor.submit("Se connecter")
    assert page.url.endswith(f"/offres/{offer.id}/postuler")
    page.get_by_label("Lettre de motivation").fill(LETTER)
    page.locator("#cv").set_input_files(str(cv))
    visitor.submit("Envoyer ma candidature")
    assert page.get_by_text("Votre candidature est envoyée").is_visible()
    assert page.get_by_text("Envoyée", exact=True).first.is_visible()

    mails = mailbox.deliver()
    assert "bien été envoyée" in mails.last_to("lea@exemple.fr").subject
    employer_link = path_of(mails.last_to("dgs@quimperle.fr").links()[0])

    # The employer, in another browser, follows the mail's link.
    context = browser.new_context(locale="fr-FR")
    employer = Visitor(context.new_page(), live_server)
    employer.goto(employer_link, lands_on="/connexion")
    employer.page.get_by_label("Adresse électronique").fill("dgs@quimperle.fr")
    employer.page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    employer.submit("Se connecter")
    assert employer.page.get_by_role("heading", name=candidate.full_name).is_visible()
    assert employer.page.get_by_text("OPAH-RU").is_visible()
    employer.page.get_by_label("Date, heure et lieu de l'entretien").fill(
        "Mardi 8 décembre à 14 h, mairie de Quimperlé, salle du conseil."
    )
    employer.submit("Inviter à un entretien")
    assert employer.page.get_by_text("L'invitation à l'entretien est envoyée").is_visible()

    visitor.goto(page.url.replace(live_server, ""))
    assert page.get_by_text("Mardi 8 décembre à 14 h").is_visible()

    with employer.page.expect_navigation():
        employer.page.get_by_role("link", name="Enregistrer le recrutement").click()
    employer.check()
    assert employer.page.get_by_role(
        "heading", name=f"Retenir {candidate.full_name} ?"
    ).is_visible()
    employer.submit("Confirmer le recrutement")
    assert employer.page.get_by_text("Recrutement enregistré : l'offre est pourvue.").is_visible()
    assert employer.page.get_by_role(
        "link", name="Demander le cofinancement de ce poste"
    ).is_visible()
    employer.goto(f"/collectivite/offres/{offer.id}/candidatures")
    context.close()

    visitor.goto(page.url.replace(live_server, ""))
    assert page.get_by_text("Retenue", exact=True).first.is_visible()
    visitor.goto("/candidat/candidatures")
    subjects = [mail.subject for mail in mailbox.deliver().to("lea@exemple.fr")]
    assert any("entretien" in subject for subject in subjects)
    assert any("retenue" in subject for subject in subjects)


def test_candidate_pages_pass_axe(visitor, login_as_in_browser, referential):
    login_as_in_browser(visitor, Role.CANDIDATE)
    for path in (
        "/candidat/",
        "/candidat/profil",
        "/candidat/candidatures",
        "/candidat/alertes",
        "/candidat/favoris",
        "/candidat/donnees",
        "/candidat/donnees/supprimer",
    ):
        visitor.goto(path)
