"""The disk full while a candidate's CV is being stored.

The upload runs through the real profile form, in a process whose files may not grow
past a limit (RLIMIT_FSIZE), as on a full disk: the candidate reads a French message
on the form, keeps the CV they had, and every file of UPLOAD_DIR has its row and every
row its file.
"""

from __future__ import annotations

import html
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fpdf import FPDF
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.applications.models import Application
from recrutement.candidates.profile import existing_profile
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.storage import NOT_STORED
from tests import factories
from tests.support import TINY_PDF

ROOT = Path(__file__).resolve().parents[2]
# Below 500 KB the upload stays in memory (Werkzeug spools larger bodies to a file,
# which the limit would stop first); above the limit, so its write fails.
LIMIT = 64 * 1024


def big_pdf() -> bytes:
    """A real PDF of some 300 KB (uncompressed pages of text)."""
    document = FPDF()
    document.set_compression(False)
    document.set_font("helvetica", size=8)
    for page in range(40):
        document.add_page()
        document.multi_cell(w=0, text=f"Page {page} " + "expérience chef de projet " * 300)
    content = bytes(document.output())
    assert LIMIT < len(content) < 480 * 1024, len(content)
    return content


def database_and_disk_agree(upload_dir: Path) -> tuple[set[str], set[str]]:
    db.session.expire_all()
    rows = set(db.session.scalars(select(StoredFile.stored_name)))
    files = {path.name for path in upload_dir.iterdir()} if upload_dir.exists() else set()
    return rows, files


def on_a_full_disk(
    database_url: str, upload_dir: Path, email: str, pdf: Path, target: str = "profile"
) -> dict:
    """Run tests/drills/full_disk_upload.py; its answer (status, page)."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.drills.full_disk_upload",
            database_url,
            str(upload_dir),
            email,
            factories.PASSWORD,
            str(pdf),
            str(LIMIT),
            target,
        ],
        cwd=ROOT,
        env={**os.environ, "APP_ENV": "testing"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.real_commits
def test_a_cv_upload_on_a_full_disk_is_refused_in_french(app, client, database_url, tmp_path):
    upload_dir = Path(app.config["UPLOAD_DIR"])
    candidate = factories.UserFactory(role=Role.CANDIDATE)
    db.session.commit()
    signed_in = client.post(
        "/connexion", data={"email": candidate.email, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 302
    first = client.post(
        "/candidat/profil",
        data={
            "first_name": "Camille",
            "last_name": "Le Goff",
            "cv": (io.BytesIO(TINY_PDF), "cv.pdf"),
        },
    )
    assert first.status_code == 302, first.page[:2000]
    kept = existing_profile(candidate).default_cv
    assert kept is not None
    kept_name = kept.stored_name

    pdf = tmp_path / "big.pdf"
    pdf.write_bytes(big_pdf())
    answer = on_a_full_disk(database_url, upload_dir, candidate.email, pdf)
    # The form again, with the reason in French: not an error page.
    assert answer["status"] == 400, answer["page"][:2000]
    assert NOT_STORED in html.unescape(answer["page"])

    rows, files = database_and_disk_agree(upload_dir)
    assert rows == files == {kept_name}, (rows, files)
    profile = existing_profile(candidate)
    db.session.refresh(profile)
    assert profile.default_cv is not None and profile.default_cv.stored_name == kept_name
    with client.get("/candidat/profil/cv") as served:
        assert served.status_code == 200
        assert served.get_data() == TINY_PDF


@pytest.mark.slow
@pytest.mark.real_commits
def test_applying_with_the_profile_cv_on_a_full_disk_is_refused_in_french(
    app, client, database_url, tmp_path, referential
):
    # The application keeps its own copy of the profile's CV: on a full disk that copy
    # fails, and the candidate reads why on the form, with nothing half-sent.
    upload_dir = Path(app.config["UPLOAD_DIR"])
    candidate = factories.UserFactory(role=Role.CANDIDATE)
    offer = factories.OfferFactory(
        organisation=factories.OrganisationFactory(commune=referential["quimperle"])
    )
    db.session.commit()
    signed_in = client.post(
        "/connexion", data={"email": candidate.email, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 302
    pdf = tmp_path / "big.pdf"
    pdf.write_bytes(big_pdf())
    saved = client.post(
        "/candidat/profil",
        data={
            "first_name": "Camille",
            "last_name": "Le Goff",
            "cv": (io.BytesIO(pdf.read_bytes()), "cv-complet.pdf"),
        },
    )
    assert saved.status_code == 302, saved.page[:2000]
    profile_cv = existing_profile(candidate).default_cv.stored_name

    answer = on_a_full_disk(database_url, upload_dir, candidate.email, pdf, f"apply:{offer.id}")
    assert answer["status"] == 400, answer["page"][:2000]
    assert NOT_STORED in html.unescape(answer["page"])
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0
    rows, files = database_and_disk_agree(upload_dir)
    assert rows == files == {profile_cv}, (rows, files)
