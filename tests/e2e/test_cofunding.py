"""End to end in Chromium: a collectivité files a cofunding request asking ANAH, the
ANAH delegation gives its opinion, the préfecture asks for a change, the collectivité
answers, the préfecture grants and the collectivité downloads the decision PDF.
axe-core checks every page visited (Visitor)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from recrutement.accounts.models import Role
from recrutement.extensions import db
from tests import factories
from tests.e2e.conftest import Visitor
from tests.support import TINY_PDF


def open_as(browser, live_server, email: str, path: str) -> Visitor:
    """A new browser (its own cookies) that logs in on the way to `path`."""
    visitor = Visitor(browser.new_context(locale="fr-FR").new_page(), live_server)
    visitor.goto(path, lands_on="/connexion")
    visitor.page.get_by_label("Adresse électronique").fill(email)
    visitor.page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    visitor.submit("Se connecter")
    return visitor


def test_request_with_anah_from_filing_to_decision(
    browser,
    live_server,
    referential,
    programme_rule,
    mailbox,
    tmp_path,
):
    member = factories.MembershipFactory(
        user__email="dgs@quimperle.fr",
        organisation__commune=referential["quimperle"],
        organisation__name="Commune de Quimperlé",
    )
    prefecture = factories.UserFactory(role=Role.PREFECTURE, email="instruction@finistere.gouv.fr")
    anah = factories.UserFactory(role=Role.ANAH, email="delegation@anah29.fr")
    prefecture.departments = anah.departments = [referential["departments"]["29"]]
    db.session.commit()
    deliberation = tmp_path / "deliberation.pdf"
    deliberation.write_bytes(TINY_PDF)

    # The collectivité fills the request; the computation follows what it types.
    employer = open_as(browser, live_server, member.user.email, "/collectivite/cofinancements")
    page = employer.page
    page.get_by_role("link", name="Nouvelle demande").first.click()
    employer.check()
    page.get_by_role("link", name="Déclarer un poste pourvu hors de la plateforme").click()
    employer.check()
    page.get_by_label("Intitulé du poste").fill("Chef de projet Petites villes de demain")
    page.get_by_label("Prénom du chef de projet").fill("Camille")
    page.get_by_label("Nom du chef de projet", exact=True).fill("Le Gall")
    page.locator("#holder_start_date").fill("2026-03-01")
    page.get_by_label("Type de contrat").select_option("project_contract")
    page.locator("#contract_end_date").fill("2029-02-28")
    page.locator("#period_start").fill("2026-03-01")
    page.locator("#period_end").fill("2026-12-31")
    page.locator("label[for=anah_asked]").click()  # the DSFR label covers the box
    page.get_by_label("Opération d'habitat qui justifie l'ANAH").fill(
        "OPAH-RU du centre ancien 2024-2029"
    )
    page.get_by_label("Coût chargé annuel du poste (€)").fill("60 000")
    # 60,000 € a year with ANAH over 306 days: ANAH 25,150.68 €, BdT 12,575.34 €.
    panel = page.locator("#calcul-resultat")
    panel.get_by_text(re.compile(r"25\s150,68")).wait_for()
    assert re.search(r"12\s575,34", panel.inner_text())
    employer.check()
    employer.submit("Enregistrer le brouillon")
    request_path = page.url.replace(live_server, "")
    assert re.fullmatch(r"/collectivite/cofinancements/\d+", request_path)
    request_id = int(request_path.rsplit("/", 1)[1])
    page.get_by_label("Type de pièce").select_option("deliberation")
    page.get_by_label("Fichier PDF (5 Mo au maximum)").set_input_files(str(deliberation))
    employer.submit("Ajouter la pièce")
    assert page.get_by_text("deliberation.pdf").first.is_visible()
    employer.submit("Déposer la demande")
    assert page.get_by_text("Déposée", exact=True).first.is_visible()

    # The ANAH delegation follows its mail and gives its opinion.
    mails = mailbox.deliver()
    anah_mail = mails.last_to("delegation@anah29.fr")
    assert "Avis de l'ANAH attendu" in anah_mail.subject
    delegation = open_as(browser, live_server, anah.email, "/prefecture/demandes")
    delegation.page.get_by_role("link", name=re.compile("Commune de Quimperlé")).first.click()
    delegation.check()
    delegation.page.locator("label[for=favourable-0]").click()
    delegation.page.locator("#amount").fill("20 000")
    delegation.page.get_by_label("Commentaire").fill("OPAH-RU engagée, convention signée.")
    delegation.submit("Enregistrer l'avis")
    assert delegation.page.get_by_text(re.compile("favorable", re.I)).first.is_visible()

    # The préfecture opens the instruction and asks for a change.
    instructor = open_as(
        browser, live_server, prefecture.email, f"/prefecture/demandes/{request_id}"
    )
    instructor.submit("Ouvrir l'instruction")
    instructor.page.get_by_label("Ce que la collectivité doit compléter").fill(
        "Joignez le contrat de projet signé."
    )
    instructor.submit("Demander un complément")
    assert instructor.page.get_by_text("Complément demandé", exact=True).first.is_visible()

    # The collectivité reads it and answers.
    employer.goto(request_path)
    assert page.get_by_text("Joignez le contrat de projet signé.").first.is_visible()
    page.get_by_label("Type de pièce").select_option("contract")
    page.get_by_label("Fichier PDF (5 Mo au maximum)").set_input_files(str(deliberation))
    employer.submit("Ajouter la pièce")
    page.get_by_label("Votre réponse à la préfecture").fill("Le contrat signé est joint.")
    employer.submit("Répondre et renvoyer en instruction")
    assert page.get_by_text("En instruction", exact=True).first.is_visible()

    # The préfecture grants.
    instructor.goto(f"/prefecture/demandes/{request_id}")
    assert instructor.page.get_by_text("Le contrat signé est joint.").first.is_visible()
    instructor.page.get_by_role("link", name="Accorder…").click()
    instructor.check()
    assert instructor.page.get_by_role(
        "heading", name=re.compile("Accorder la demande")
    ).is_visible()
    instructor.submit("Accorder 32")
    assert instructor.page.get_by_text("Accordée", exact=True).first.is_visible()

    # The collectivité downloads the decision.
    employer.goto(request_path)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la décision (PDF)").click()
    pdf = download.value.path().read_bytes()
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert "Commune de Quimperlé" in text
    assert "Camille Le Gall" in text
    assert "du 1er mars 2026 au 31 décembre 2026" in text
    assert "ANAH 25 150,68 € 20 000,00 €" in text
    assert "Avis de l'ANAH : favorable, 20 000,00 €" in text

    subjects = [mail.subject for mail in mailbox.deliver().to(member.user.email)]
    for expected in ("Demande déposée", "Instruction commencée", "Complément demandé"):
        assert any(expected in subject for subject in subjects), (expected, subjects)
    assert any("Demande accordée" in subject for subject in subjects)
    for visitor in (employer, delegation, instructor):
        assert visitor.checked  # axe ran on every page each of them saw
        visitor.page.context.close()


def test_cofunding_pages_pass_axe_on_a_phone(
    browser,
    live_server,
    referential,
    programme_rule,
):
    member = factories.MembershipFactory(organisation__commune=referential["quimperle"])
    db.session.commit()
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    phone = Visitor(context.new_page(), live_server)
    phone.goto("/collectivite/cofinancements/nouvelle", lands_on="/connexion")
    phone.page.get_by_label("Adresse électronique").fill(member.user.email)
    phone.page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    phone.submit("Se connecter")
    phone.goto("/collectivite/cofinancements")
    phone.goto("/simulateur?cout=60000&anah=1&debut=2026-03-01&fin=2026-12-31")
    context.close()
