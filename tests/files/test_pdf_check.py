"""Uploads are accepted only if a PDF parser opens them with at least one page and no
active content (issue 10, finding 8): markers alone no longer pass."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from recrutement.accounts.models import Role
from recrutement.core.errors import ServiceError
from recrutement.files.storage import check_pdf
from tests.candidates.test_profile import URL, pdf, profile_form
from tests.support import TINY_PDF, one_page_pdf


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_page_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def with_javascript() -> bytes:
    writer = blank_page_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('pirate');"),
        }
    )
    return written(writer)


def with_launch_action() -> bytes:
    writer = blank_page_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    return written(writer)


def with_embedded_file() -> bytes:
    writer = blank_page_writer()
    writer.add_attachment("note.txt", b"contenu")
    return written(writer)


HTML_DISGUISED = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
SVG_DISGUISED = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><!-- %PDF-1.4 --><script>alert(1)</script>'
    b"<!-- %%EOF --></svg>"
)
NO_PAGE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_real_pdfs_are_accepted():
    check_pdf(TINY_PDF)
    check_pdf(one_page_pdf("Délibération du conseil municipal"))
    check_pdf(written(blank_page_writer()))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HTML_DISGUISED, "n'est pas un PDF valide"),
        (b"%PDF-1.4" + SVG_DISGUISED, "n'est pas un PDF valide"),
        (SVG_DISGUISED, "n'est pas un PDF valide"),
        (NO_PAGE, "n'est pas un PDF valide"),
        (b"%PDF-1.7\n" + b"\x00" * 4000 + b"%%EOF", "n'est pas un PDF valide"),
        (with_javascript(), "contenu actif (un script)"),
        (with_launch_action(), "contenu actif (une action qui lance un programme)"),
        (with_embedded_file(), "contenu actif (un fichier joint)"),
    ],
)
def test_disguised_or_active_files_are_refused_with_a_french_reason(content, message):
    with pytest.raises(ServiceError) as refused:
        check_pdf(content, field="cv")
    assert message in refused.value.message
    assert refused.value.field == "cv"


def test_a_disguised_cv_is_refused_on_the_profile_page(client, login_as):
    login_as(Role.CANDIDATE)
    response = client.post(URL, data=profile_form(cv=pdf(HTML_DISGUISED, "cv.pdf")))
    assert response.status_code == 400
    assert "n'est pas un PDF valide" in response.page
