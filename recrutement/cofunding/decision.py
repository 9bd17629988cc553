"""The préfecture's decision PDF (docs/glossary.md: decision_pdf), laid out as a préfecture's
décision attributive de subvention: the State's block (the Marianne, "République
française" and the motto, drawn from the vendored DSFR artwork), the préfecture, the
decision's reference number, the texts it rests on (visas), the articles (object,
amounts per funder and period, payment, obligations, the rights and time limits of
appeal, execution), then the date and the signatory. Set in the DSFR Marianne font;
every number, amount and date through core.french.
"""

from __future__ import annotations

import io
import os
import re
import urllib.parse
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from recrutement.cofunding.models import CofundingRequest, Funder
from recrutement.core import french
from recrutement.core.time import PARIS, paris_today
from recrutement.offers.models import ContractType

if TYPE_CHECKING:
    from recrutement.accounts.models import User
    from recrutement.referential.models import Department

STATIC = Path(__file__).resolve().parents[2] / "static" / "dsfr"
FONTS = STATIC / "fonts"
BLUE = (0, 0, 145)  # DSFR "bleu France" (#000091)
RED = (225, 0, 15)  # DSFR "rouge Marianne" (#e1000f)
GREY = (102, 102, 102)
# The State's block of the DSFR header (.fr-logo) carries its artwork as SVG data URLs:
# the Marianne's white profile (drawn over the blue and red flag) and the motto.
LOGO_RULE = re.compile(
    r'\.fr-logo:(before|after)\{background-image:url\("data:image/svg\+xml;charset=utf8,([^"]+)"'
)
MARGIN = 20  # mm, every side
TEXT_SIZE = 9.5


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


@cache
def state_artwork() -> dict[str, bytes]:
    """The Marianne ("marianne", 44 × 18 units, white) and the motto ("motto", its
    black copy only, 126 × 90 units) as SVG, read from the vendored DSFR stylesheet so
    that a DSFR update brings them along."""
    found = dict(LOGO_RULE.findall((STATIC / "dsfr.min.css").read_text(encoding="utf-8")))
    marianne = urllib.parse.unquote(found["before"])
    # The motto's sheet holds a black copy (top left) and a white one (bottom right,
    # for the dark theme): frame the black one.
    motto = urllib.parse.unquote(found["after"]).replace(
        "viewBox='0 0 252 180'", "viewBox='0 0 126 90'", 1
    )
    return {"marianne": marianne.encode(), "motto": motto.encode()}


def reference(request: CofundingRequest) -> str:
    """The decision's number: PVD-<département>-<year of the decision>-<request number>,
    e.g. PVD-29-2026-17."""
    decided = request.decided_at.astimezone(PARIS).date() if request.decided_at else paris_today()
    return f"PVD-{request.organisation.department_code}-{decided.year}-{request.id}"


def _euros(amount: Decimal | None) -> str:
    return french.euros(amount, cents=True)


def _date(value: date | datetime | None) -> str:
    return french.long_date(value)


class _Decision(FPDF):
    number = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Marianne", "", 7.5)
        self.set_text_color(*GREY)
        self.cell(
            0,
            5,
            f"Décision n° {self.number} — page {self.page_no()}/{{nb}}",
            align="C",
        )
        self.set_text_color(0, 0, 0)


def _state_block(pdf: FPDF, department: Department) -> None:
    """Top left, as on the State's letters: the Marianne on the flag, RÉPUBLIQUE
    FRANÇAISE, the motto; then the préfecture."""
    artwork = state_artwork()
    x, y = MARGIN, 14
    width = 15.0  # mm: the flag is 44 × 16 units, the profile 44 × 18 from one unit above
    unit = width / 44
    pdf.set_fill_color(*BLUE)
    pdf.rect(x, y, width / 2, 16 * unit, style="F")
    pdf.set_fill_color(*RED)
    pdf.rect(x + width / 2, y, width / 2, 16 * unit, style="F")
    pdf.image(io.BytesIO(artwork["marianne"]), x=x, y=y - unit, w=width, h=18 * unit)
    # Text lines start at the flag's left edge: a cell's inner margin taken back.
    pdf.set_xy(x - pdf.c_margin, y + 16 * unit + 1.5)
    pdf.set_font("Marianne", "B", 10.5)
    pdf.multi_cell(45, 4.4, "RÉPUBLIQUE\nFRANÇAISE", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.image(io.BytesIO(artwork["motto"]), x=x, y=pdf.get_y() + 1.2, w=10.5)
    pdf.set_xy(x - pdf.c_margin, pdf.get_y() + 1.2 + 10.5 * 90 / 126 + 3)
    pdf.set_font("Marianne", "B", 9.5)
    pdf.multi_cell(70, 4.5, "PRÉFECTURE", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Marianne", "", 9.5)
    pdf.set_x(x - pdf.c_margin)
    pdf.multi_cell(70, 4.5, department.label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _reference_block(pdf: FPDF, request: CofundingRequest, number: str, agent: User) -> None:
    """Top right: the decision's number, the request it answers, the beneficiary, who
    follows it."""
    top = 22
    left = 118
    rows = [
        ("Décision n°", number),
        ("Demande n°", str(request.id)),
        ("Bénéficiaire", request.organisation.name),
        ("Affaire suivie par", agent.full_name),
    ]
    pdf.set_text_color(0, 0, 0)
    y: float = top
    for label, value in rows:
        pdf.set_xy(left, y)
        pdf.set_font("Marianne", "", 8)
        pdf.set_text_color(*GREY)
        pdf.cell(0, 4, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_xy(left, y + 4)
        pdf.set_font("Marianne", "B", 9)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(210 - MARGIN - left, 4.5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y = pdf.get_y() + 1.5


def _visas(request: CofundingRequest) -> list[str]:
    """The texts and facts the decision rests on, in the order of their rank."""
    rule = request.rule
    organisation = french.of_organisation(request.organisation.name)
    visas = [
        "Vu le code général des collectivités territoriales, notamment ses articles L. 1231-1 "
        "et suivants relatifs à l'Agence nationale de la cohésion des territoires",
    ]
    conventions = [town for town in request.organisation.towns if town.pvd_convention_signed_on]
    for town in conventions:
        visas.append(
            "Vu la convention d'adhésion au programme Petites villes de demain "
            f"{french.of_place(town.name)} signée le {_date(town.pvd_convention_signed_on)}"
        )
    if not conventions:
        visas.append(
            f"Vu la convention d'adhésion au programme Petites villes de demain {organisation}"
        )
    visas.append(
        "Vu les règles de cofinancement des postes de chef de projet du programme Petites "
        f"villes de demain en vigueur depuis le {_date(rule.effective_from)}"
    )
    filed = f" déposée le {_date(request.submitted_at)}" if request.submitted_at is not None else ""
    visas.append(
        f"Vu la demande de cofinancement n° {request.id}{filed} par {french.with_article(request.organisation.name)}"
    )
    opinion = request.anah_opinion
    if opinion is not None:
        verdict = "favorable" if opinion.favourable else "défavorable"
        amount = f", pour un montant de {_euros(opinion.amount)}" if opinion.favourable else ""
        visas.append(
            f"Vu l'avis {verdict} de la délégation de l'Agence nationale de l'habitat (ANAH) "
            f"du {_date(opinion.created_at)}{amount}"
        )
    return [f"{visa} ;" for visa in visas]


def decision_pdf(request: CofundingRequest, agent: User) -> bytes:
    """The decision granting the request, with the amounts per funder and the rules applied."""
    rule = request.rule
    organisation = request.organisation
    department = organisation.department
    number = reference(request)
    decided_on = (
        request.decided_at.astimezone(PARIS).date() if request.decided_at else paris_today()
    )
    days = (request.period_end - request.period_start).days + 1

    pdf = _Decision(format="A4")
    pdf.number = number
    pdf.set_title(f"Décision attributive de subvention n° {number}")
    pdf.set_subject(
        f"Cofinancement du poste de chef de projet Petites villes de demain "
        f"{french.of_organisation(organisation.name)}"
    )
    pdf.set_author(f"Préfecture — {department.label}")
    pdf.set_creator("Recrutement PVD")
    pdf.set_lang("fr-FR")
    pdf.add_font("Marianne", "", _font("Regular"))
    pdf.add_font("Marianne", "B", _font("Bold"))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    def paragraph(
        text: str, size: float = TEXT_SIZE, bold: bool = False, gap: float = 1.8, align: str = "J"
    ) -> None:
        pdf.set_font("Marianne", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.48, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    def article(title: str) -> None:
        # An article's title never ends a page alone.
        if pdf.get_y() > pdf.h - 45:
            pdf.add_page()
        pdf.ln(1.5)
        pdf.set_text_color(*BLUE)
        paragraph(title, 10.5, bold=True, gap=1.2, align="L")
        pdf.set_text_color(0, 0, 0)

    _state_block(pdf, department)
    block_bottom = pdf.get_y()
    _reference_block(pdf, request, number, agent)
    pdf.set_y(max(block_bottom, pdf.get_y()) + 8)

    # Title.
    paragraph(f"Décision n° {number}", 14, bold=True, gap=0.5, align="C")
    paragraph("attributive de subvention", 12, bold=True, gap=1.5, align="C")
    paragraph(
        "Cofinancement du poste de chef de projet Petites villes de demain "
        f"{french.of_organisation(organisation.name)}",
        10,
        gap=7,
        align="C",
    )

    paragraph(
        "Le préfet, délégué territorial de l'Agence nationale de la cohésion des territoires,",
        bold=True,
        gap=3,
    )
    for visa in _visas(request):
        paragraph(visa, gap=1.4)
    pdf.ln(1)
    paragraph(
        f"Considérant que le poste de chef de projet Petites villes de demain "
        f"{french.of_organisation(organisation.name)} est occupé par {request.holder_name} "
        f"depuis le {_date(request.holder_start_date)}, et que la demande respecte les taux "
        "et plafonds de ces règles ;",
        gap=4,
    )
    paragraph("DÉCIDE", 11, bold=True, gap=3, align="C")

    # Article 1: object.
    contract = ContractType(request.contract_type).label.lower()
    if request.contract_end_date:
        contract += f" jusqu'au {_date(request.contract_end_date)}"
    towns = ", ".join(town.name for town in organisation.towns)
    article("Article 1er — Objet")
    object_text = (
        f"Une subvention est attribuée à {french.with_article(organisation.name)}, "
        "ci-après le bénéficiaire, pour le financement du poste « "
        f"{request.post_title} » occupé par {request.holder_name} ({contract})"
    )
    if towns:
        object_text += f", qui couvre {'la commune' if len(organisation.towns) == 1 else 'les communes'} de {towns}"
    object_text += (
        f", pour la période du {_date(request.period_start)} au {_date(request.period_end)} "
        f"({french.plural(days, 'jour')})."
    )
    if request.is_renewal:
        object_text += (
            f" Elle renouvelle le cofinancement de la demande n° {request.renewal_of_id}."
        )
    if request.anah_asked:
        object_text += (
            f" La part de l'ANAH est attribuée au titre de : {request.housing_operation}."
        )
    paragraph(object_text)

    # Article 2: the amounts.
    cap = rule.total_cap_with_anah if request.anah_asked else rule.total_cap
    article("Article 2 — Montant de la subvention")
    paragraph(
        f"Le coût chargé annuel du poste déclaré par le bénéficiaire est de "
        f"{_euros(request.annual_loaded_cost)}. Pour la période, la subvention s'élève à "
        f"{_euros(request.granted_total)}, répartis entre les financeurs comme suit :",
        gap=2.5,
    )
    widths = (70, 50, 50)
    pdf.set_font("Marianne", "B", 9)
    pdf.set_fill_color(236, 236, 254)
    pdf.set_draw_color(160, 160, 160)
    for width, title in zip(
        widths, ("Financeur", "Montant proposé", "Montant accordé"), strict=True
    ):
        pdf.cell(width, 7, title, border=1, fill=True, align="L" if width == 70 else "R")
    pdf.ln()
    pdf.set_font("Marianne", "", 9)
    for funder in Funder:
        part = request.part(funder)
        if part is None:
            continue
        pdf.cell(widths[0], 6.5, funder.label, border=1)
        pdf.cell(widths[1], 6.5, _euros(part.requested_amount), border=1, align="R")
        pdf.cell(widths[2], 6.5, _euros(part.granted_amount), border=1, align="R")
        pdf.ln()
    pdf.set_font("Marianne", "B", 9)
    pdf.cell(widths[0], 7, "Total", border=1)
    pdf.cell(widths[1], 7, _euros(request.requested_total), border=1, align="R")
    pdf.cell(widths[2], 7, _euros(request.granted_total), border=1, align="R")
    pdf.ln(9)
    rules = (
        f"Règles du programme en vigueur depuis le {_date(rule.effective_from)} : total des "
        f"subventions au plus {french.percent(rule.total_rate)} du coût chargé annuel et "
        f"{_euros(cap)} par an ({'ANAH sollicitée' if request.anah_asked else 'sans ANAH'}) ; "
        f"Banque des territoires au plus {french.percent(rule.bdt_rate)} du coût et "
        f"{_euros(rule.bdt_cap)} par an ; ANAH au plus {french.percent(rule.anah_rate)} du coût "
        f"et {_euros(rule.anah_cap)} par an, au titre d'une OPAH-RU ou d'une opération "
        "d'habitat ; ANCT / État : le reste du total. Les montants annuels sont proratisés au "
        "nombre de jours de la période sur le nombre de jours de l'année, chaque part arrondie "
        "au centime inférieur."
    )
    paragraph(rules, 8.5)
    opinion = request.anah_opinion
    if opinion is not None:
        verdict = "favorable" if opinion.favourable else "défavorable"
        paragraph(f"Avis de l'ANAH : {verdict}, {_euros(opinion.amount)}.", 8.5)

    # Article 3: payment.
    article("Article 3 — Versement")
    paragraph(
        "Chaque financeur verse sa part selon ses propres modalités, sur présentation par le "
        "bénéficiaire d'un état des dépenses du poste sur la période, certifié par son "
        "représentant légal. La subvention ne peut excéder la dépense réellement supportée : "
        "un poste vacant une partie de la période réduit chaque part à due proportion."
    )

    # Article 4: obligations.
    article("Article 4 — Obligations du bénéficiaire")
    paragraph(
        "Le bénéficiaire s'engage à affecter le chef de projet à la conduite du projet de "
        "revitalisation des communes couvertes ; à informer sans délai la préfecture de toute "
        "vacance du poste, de tout changement de titulaire ou de contrat ; à mentionner le "
        "soutien des financeurs dans sa communication sur le poste ; à tenir les pièces "
        "justificatives à la disposition des financeurs. Tout manquement peut entraîner le "
        "reversement de tout ou partie des sommes versées."
    )

    # Article 5: rights and time limits of appeal.
    article("Article 5 — Voies et délais de recours")
    paragraph(
        "La présente décision peut faire l'objet, dans un délai de deux mois à compter de sa "
        "notification :",
        gap=1,
    )
    paragraph("• d'un recours gracieux auprès du préfet ;", gap=0.8)
    paragraph(
        "• d'un recours contentieux devant le tribunal administratif territorialement compétent.",
        gap=1.5,
    )
    paragraph(
        "Le recours gracieux interrompt le délai du recours contentieux, qui court à nouveau "
        "à compter de la réponse de l'administration (son silence pendant deux mois vaut "
        "rejet). Le tribunal administratif peut être saisi par l'application Télérecours "
        "citoyens, accessible sur le site www.telerecours.fr."
    )

    # Article 6: execution.
    article("Article 6 — Exécution")
    paragraph(
        "Le secrétaire général de la préfecture est chargé de l'exécution de la présente "
        "décision, qui sera notifiée au bénéficiaire et communiquée à chaque financeur.",
        gap=8,
    )

    # Date and signatory, on the right.
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    signature_x = 115
    for text, bold, gap in (
        (f"Fait le {_date(decided_on)},", False, 1.5),
        ("Pour le préfet et par délégation,", False, 8),
        (agent.full_name, True, 0.5),
        ("Instruction des demandes de cofinancement", False, 0),
    ):
        pdf.set_x(signature_x)
        pdf.set_font("Marianne", "B" if bold else "", TEXT_SIZE)
        pdf.multi_cell(0, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)
    return bytes(pdf.output())
