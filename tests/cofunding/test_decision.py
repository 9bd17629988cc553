"""The decision PDF read back with pypdf: each part of a préfecture's décision
attributive de subvention is there — the State's block with the Marianne, the
préfecture, the reference number, the visas, the articles with the amounts per funder
and the period, the rights and time limits of appeal, the date and the signatory — and
it is stored at grant and served as the decision of the request.

Set DECISION_PDF_DIR to a directory to keep the PDFs made here (to look at them).
"""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
import time_machine
from pypdf import PdfReader

from recrutement.cofunding import instruction, services
from recrutement.cofunding.decision import reference, state_artwork
from recrutement.extensions import db
from recrutement.files.storage import read_stored
from tests.cofunding.conftest import content

ANAH = {"anah_asked": True, "housing_operation": "OPAH-RU du centre ancien de Quimperlé"}
# A day of the decision, in Paris (the PDF is dated and numbered after it).
DECIDED = "2026-04-15 10:00:00+02:00"


def granted(people, **overrides):
    """A request filed on 2 April 2026 and granted on 15 April 2026."""
    with time_machine.travel("2026-04-02 09:30:00+02:00", tick=False):
        request = services.create_request(people.employer, content(**overrides))
        services.submit(people.employer, request)
    with time_machine.travel("2026-04-08 11:00:00+02:00", tick=False):
        instruction.open_instruction(people.prefecture, request)
        if request.anah_asked:
            instruction.give_anah_opinion(
                people.anah, request, True, D("20000"), "Opération engagée."
            )
        instruction.adjust_parts(people.prefecture, request, {"bdt": D("5000")})
    with time_machine.travel(DECIDED, tick=False):
        instruction.grant(people.prefecture, request)
    return request


def read(request, name: str) -> tuple[str, PdfReader]:
    """The decision's text on one line (whitespace, narrow no-break spaces included,
    made single spaces) and the reader."""
    pdf = read_stored(request.decision_pdf)
    assert pdf.startswith(b"%PDF-")
    if os.environ.get("DECISION_PDF_DIR"):
        folder = Path(os.environ["DECISION_PDF_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), reader


@pytest.fixture
def with_convention(people, referential):
    """Quimperlé covers its own town, whose PVD convention was signed on 15 March 2021."""
    town = referential["quimperle"]
    town.is_pvd = True
    town.pvd_convention_signed_on = date(2021, 3, 15)
    people.quimperle.towns = [town]
    db.session.commit()
    return town


def test_the_reference_number_names_the_department_the_year_and_the_request(people):
    request = granted(people)
    assert reference(request) == f"PVD-29-2026-{request.id}"


def test_the_decision_has_the_layout_of_a_prefecture_decision(people, with_convention):
    request = granted(people, **ANAH)
    number = f"PVD-29-2026-{request.id}"
    text, reader = read(request, "decision-anah")

    # The State's block and the préfecture, then the reference number.
    for expected in (
        "RÉPUBLIQUE FRANÇAISE",
        "PRÉFECTURE Finistère (29)",
        f"Décision n° {number}",
        f"Demande n° {request.id} Bénéficiaire Quimperlé",
        "attributive de subvention",
    ):
        assert expected in text, expected
    assert reader.metadata.title == f"Décision attributive de subvention n° {number}"
    # The Marianne is drawn first: the flag's blue and red halves, then the white
    # profile over them (vector paths from the DSFR's SVG).
    drawing = reader.pages[0].get_contents().get_data().decode("latin-1")
    blue = drawing.index("0 0 0.5686 rg")  # bleu France (0, 0, 145)
    red = drawing.index("0.8824 0 0.0588 rg")  # rouge Marianne (225, 0, 15)
    white = drawing.index(" 1 g ")
    assert blue < red < white < drawing.index("BT")  # before any text

    # The visas: the code, the programme's convention, its rules with their date, the
    # request's filing, the ANAH opinion.
    visas = [
        "Vu le code général des collectivités territoriales",
        "Vu la convention d'adhésion au programme Petites villes de demain de Quimperlé "
        "signée le 15 mars 2021 ;",
        "Vu les règles de cofinancement des postes de chef de projet du programme Petites "
        "villes de demain en vigueur depuis le 1er octobre 2020 ;",
        f"Vu la demande de cofinancement n° {request.id} déposée le 2 avril 2026 par Quimperlé ;",
        "Vu l'avis favorable de la délégation de l'Agence nationale de l'habitat (ANAH) du "
        "8 avril 2026, pour un montant de 20 000,00 € ;",
    ]
    positions = [text.index(visa) for visa in visas]
    assert positions == sorted(positions)
    assert text.index("DÉCIDE") > positions[-1]

    # The articles: object with the period, amounts per funder, payment, obligations.
    articles = [
        "Article 1er — Objet",
        "Article 2 — Montant de la subvention",
        "Article 3 — Versement",
        "Article 4 — Obligations du bénéficiaire",
        "Article 5 — Voies et délais de recours",
        "Article 6 — Exécution",
    ]
    positions = [text.index(title) for title in articles]
    assert positions == sorted(positions)
    for expected in (
        "Une subvention est attribuée à Quimperlé, ci-après le bénéficiaire",
        "occupé par Camille Le Gall (contrat de projet jusqu'au 28 février 2029)",
        "pour la période du 1er mars 2026 au 31 décembre 2026 (306 jours)",
        "OPAH-RU du centre ancien de Quimperlé",
        "Le coût chargé annuel du poste déclaré par le bénéficiaire est de 60 000,00 €",
        "la subvention s'élève à 25 000,00 €",
        "Financeur Montant proposé Montant accordé",
        "ANCT / État 0,00 € 0,00 €",
        "Banque des territoires 12 575,34 € 5 000,00 €",
        "ANAH 25 150,68 € 20 000,00 €",
        "Total 37 726,02 € 25 000,00 €",
        "Règles du programme en vigueur depuis le 1er octobre 2020",
        "75 %",
        "55 000,00 €",
        "Avis de l'ANAH : favorable, 20 000,00 €",
    ):
        assert expected in text, expected

    # The rights and time limits of appeal.
    appeal = text[text.index("Article 5") : text.index("Article 6")]
    for expected in (
        "dans un délai de deux mois à compter de sa notification",
        "recours gracieux auprès du préfet",
        "recours contentieux devant le tribunal administratif",
        "Télérecours citoyens",
        "www.telerecours.fr",
    ):
        assert expected in appeal, expected

    # Date and signatory, after the articles.
    signature = text[text.index("Article 6") :]
    assert "Fait le 15 avril 2026," in signature
    assert "Pour le préfet et par délégation," in signature
    assert people.prefecture.full_name in signature
    # Every page says which decision it belongs to.
    for number_of_page, page in enumerate(reader.pages, start=1):
        assert f"Décision n° {number} — page {number_of_page}/{len(reader.pages)}" in (
            " ".join(page.extract_text().split())
        )


def test_without_anah_nor_convention_date_the_visas_say_what_there_is(people):
    request = granted(people)
    text, _ = read(request, "decision-sans-anah")
    assert "Vu l'avis" not in text and "Avis de l'ANAH" not in text
    assert "ANAH" not in text.split("Article 2")[1].split("Règles du programme")[0]
    assert (
        "Vu la convention d'adhésion au programme Petites villes de demain de Quimperlé ;" in text
    )
    assert "55 000,00 €" not in text and "45 000,00 €" in text and "sans ANAH" in text
    assert "Banque des territoires 12 575,34 € 5 000,00 €" in text


def test_a_renewal_says_which_request_it_renews(people):
    first = granted(people)
    renewal = services.renew(people.employer, first)
    with time_machine.travel("2027-01-05 10:00:00+01:00", tick=False):
        services.submit(people.employer, renewal)
        instruction.open_instruction(people.prefecture, renewal)
        instruction.grant(people.prefecture, renewal)
    text, _ = read(renewal, "decision-renouvellement")
    assert f"Elle renouvelle le cofinancement de la demande n° {first.id}." in text
    assert f"PVD-29-2027-{renewal.id}" in text
    assert "pour la période du 1er janvier 2027 au 31 décembre 2027 (365 jours)" in text


def test_the_state_artwork_comes_from_the_vendored_dsfr():
    artwork = state_artwork()
    assert artwork["marianne"].startswith(b"<svg") and b"viewBox='0 0 44 18'" in artwork["marianne"]
    # The motto framed on its black copy.
    assert b"viewBox='0 0 126 90'" in artwork["motto"]


def test_the_decision_is_dated_and_numbered_on_the_day_in_paris(people):
    """Granted at 00:30 in Paris on 1 January 2027, still 2026 in UTC."""
    request = services.create_request(people.employer, content())
    services.submit(people.employer, request)
    instruction.open_instruction(people.prefecture, request)
    with time_machine.travel("2026-12-31 23:30:00+00:00", tick=False):
        instruction.grant(people.prefecture, request)
    text, _ = read(request, "decision-nouvel-an")
    assert reference(request) == f"PVD-29-2027-{request.id}"
    assert f"Décision n° PVD-29-2027-{request.id}" in text
    assert "Fait le 1er janvier 2027," in text
