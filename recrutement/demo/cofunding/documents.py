"""The supporting documents of the demo cofunding requests: one-page PDFs marked as demo
examples, written from data/documents.toml."""

from __future__ import annotations

import io
from decimal import Decimal

from fpdf import FPDF
from werkzeug.datastructures import FileStorage

from recrutement.cofunding.models import AttachmentKind, CofundingRequest, Funder
from recrutement.demo.common import read_data

_DATA = read_data("documents.toml")


def upload(request: CofundingRequest, kind: AttachmentKind) -> FileStorage:
    """The demo document of `kind` for `request`, as an uploaded file."""
    return FileStorage(io.BytesIO(demo_pdf(request, kind)), filename=_DATA[kind]["file_name"])


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") + " €"


def paragraphs(request: CofundingRequest, kind: AttachmentKind) -> list[str]:
    """The paragraphs of the demo document of `kind`, filled in for `request`."""
    text = _DATA[kind]
    end = request.contract_end_date
    fields = {
        "organisation": request.organisation.name,
        "post_title": request.post_title,
        "holder_name": request.holder_name,
        "holder_start": f"{request.holder_start_date:%d/%m/%Y}",
        "contract_end": f"{end:%d/%m/%Y}" if end else "",
        "period_start": f"{request.period_start:%d/%m/%Y}",
        "period_end": f"{request.period_end:%d/%m/%Y}",
        "annual_loaded_cost": _amount(request.annual_loaded_cost),
    }
    fields["and_anah"] = text.get("and_anah", "") if request.anah_asked else ""
    fields["until"] = text.get("until", "").format(**fields) if end else ""
    written: list[str] = []
    for paragraph in text["paragraphs"]:
        if paragraph == "{funders}":
            written += [
                text["funder"].format(
                    funder=Funder(line.funder).label, amount=_amount(line.requested_amount)
                )
                for line in request.plan
            ]
        else:
            written.append(paragraph.format(**fields))
    return written


def demo_pdf(request: CofundingRequest, kind: AttachmentKind) -> bytes:
    """A one-page PDF standing for a supporting document, marked as a demo example."""
    organisation = request.organisation.name
    title = _DATA[kind]["title"] + _DATA["title_suffix"]
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"  # French accents, « », — and € in Helvetica
    pdf.set_title(title)
    pdf.set_creator(_DATA["creator"])
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, organisation.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in paragraphs(request, kind):
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(10)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(0, 5, _DATA["notice"], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
