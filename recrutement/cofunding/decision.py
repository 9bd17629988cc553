"""The préfecture's decision PDF (GLOSSARY.md: decision_pdf), set in the DSFR Marianne font."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from flask import current_app
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from recrutement.cofunding.models import CofundingRequest, Funder
from recrutement.core.time import paris_today
from recrutement.offers.models import ContractType

FONTS = Path(__file__).resolve().parents[2] / "static" / "dsfr" / "fonts"
BLUE = (0, 0, 145)


def _font(weight: str) -> str:
    """The vendored Marianne .woff2 as a TrueType file, converted once into the instance
    folder: fpdf2 parses a .woff2 ten times slower (1.2 s against 0.12 s a PDF)."""
    target = Path(current_app.instance_path) / "fonts" / f"Marianne-{weight}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(FONTS / f"Marianne-{weight}.woff2")
        font.flavor = None
        partial = target.with_suffix(f".{os.getpid()}.part")  # two processes never share one
        font.save(partial)
        partial.replace(target)
    return str(target)


def _euros(amount: Decimal) -> str:
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} €"


def _percent(rate: Decimal) -> str:
    return f"{rate * 100:.0f} %"


class _Decision(FPDF):
    def footer(self):
        self.set_y(-15)
        self.set_font("Marianne", "", 8)
        self.set_text_color(100, 100, 100)
        self.cell(0, 8, f"Recrutement PVD — page {self.page_no()}/{{nb}}", align="C")


def decision_pdf(request: CofundingRequest, agent) -> bytes:
    """The decision granting the request, with the amounts per funder and the rules applied."""
    rule = request.rule
    department = request.organisation.department
    pdf = _Decision(format="A4")
    pdf.set_title(f"Décision de cofinancement n° {request.id}")
    pdf.set_author(f"Préfecture — {department.label}")
    pdf.set_creator("Recrutement PVD")
    pdf.add_font("Marianne", "", _font("Regular"))
    pdf.add_font("Marianne", "B", _font("Bold"))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    def line(text: str, size: int = 10, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font("Marianne", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    pdf.set_text_color(*BLUE)
    line("RÉPUBLIQUE FRANÇAISE", 12, bold=True, gap=0)
    pdf.set_text_color(0, 0, 0)
    line(f"Préfecture — {department.label}", 10, gap=8)
    line("Décision attributive de subvention", 16, bold=True, gap=1)
    line(
        "Poste de chef de projet Petites villes de demain — demande de cofinancement "
        f"n° {request.id}",
        11,
        gap=6,
    )

    contract = ContractType(request.contract_type).label
    if request.contract_end_date:
        contract += f" jusqu'au {request.contract_end_date:%d/%m/%Y}"
    facts = [
        ("Bénéficiaire", request.organisation.name),
        ("Poste", request.post_title),
        (
            "Chef de projet",
            f"{request.holder_name}, arrivé(e) le {request.holder_start_date:%d/%m/%Y}",
        ),
        ("Contrat", contract),
        (
            "Période financée",
            f"du {request.period_start:%d/%m/%Y} au {request.period_end:%d/%m/%Y} "
            f"({(request.period_end - request.period_start).days + 1} jours)",
        ),
        ("Coût chargé annuel déclaré", _euros(request.annual_loaded_cost)),
    ]
    if request.anah_asked:
        facts.append(("Opération d'habitat", request.housing_operation))
    if request.is_renewal:
        facts.append(("Renouvellement de", f"la demande n° {request.renewal_of_id}"))
    for label, value in facts:
        pdf.set_font("Marianne", "B", 10)
        pdf.cell(55, 6, label)
        pdf.set_font("Marianne", "", 10)
        pdf.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    line("Article 1 — Montants accordés", 12, bold=True)
    widths = (70, 55, 55)
    pdf.set_font("Marianne", "B", 10)
    pdf.set_fill_color(236, 236, 254)
    for width, title in zip(
        widths, ("Financeur", "Montant demandé", "Montant accordé"), strict=True
    ):
        pdf.cell(width, 8, title, border=1, fill=True)
    pdf.ln()
    pdf.set_font("Marianne", "", 10)
    for funder in Funder:
        part = request.part(funder)
        if part is None:
            continue
        pdf.cell(widths[0], 7, funder.label, border=1)
        pdf.cell(widths[1], 7, _euros(part.requested_amount), border=1, align="R")
        pdf.cell(widths[2], 7, _euros(part.granted_amount), border=1, align="R")
        pdf.ln()
    pdf.set_font("Marianne", "B", 10)
    pdf.cell(widths[0], 8, "Total", border=1)
    pdf.cell(widths[1], 8, _euros(request.requested_total), border=1, align="R")
    pdf.cell(widths[2], 8, _euros(request.granted_total), border=1, align="R")
    pdf.ln(12)

    line("Article 2 — Règles appliquées", 12, bold=True)
    cap = rule.total_cap_with_anah if request.anah_asked else rule.total_cap
    rules = [
        f"Règles du programme en vigueur depuis le {rule.effective_from:%d/%m/%Y}.",
        f"Total des subventions : au plus {_percent(rule.total_rate)} du coût chargé annuel et "
        f"{_euros(cap)} par an ({'ANAH sollicitée' if request.anah_asked else 'sans ANAH'}).",
        f"Banque des territoires : au plus {_percent(rule.bdt_rate)} du coût et {_euros(rule.bdt_cap)} par an.",
        f"ANAH : au plus {_percent(rule.anah_rate)} du coût et {_euros(rule.anah_cap)} par an, "
        "au titre d'une OPAH-RU ou d'une opération d'habitat.",
        "ANCT / État : le reste du total.",
        "Montants annuels proratisés au nombre de jours de la période sur le nombre de jours "
        "de l'année, chaque part arrondie au centime inférieur.",
    ]
    for text in rules:
        line(f"• {text}", 10, gap=0.5)
    opinion = request.anah_opinion
    if opinion is not None:
        pdf.ln(2)
        verdict = "favorable" if opinion.favourable else "défavorable"
        line(f"Avis de l'ANAH : {verdict}, {_euros(opinion.amount)}.", 10)
    pdf.ln(4)
    line("Article 3 — Versement", 12, bold=True)
    line(
        "Chaque financeur verse sa part selon ses propres modalités, sur présentation des "
        "justificatifs de la dépense du poste sur la période.",
        10,
        gap=8,
    )
    decided_on = paris_today()
    line(f"Fait le {decided_on:%d/%m/%Y}, pour le préfet et par délégation,", 10, gap=0.5)
    line(agent.full_name, 10, bold=True)
    return bytes(pdf.output())
