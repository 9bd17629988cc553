"""ANCT creates préfecture and ANAH accounts and imports the PVD towns list."""

from __future__ import annotations

import io

from sqlalchemy import select

from recrutement.accounts.models import Role, User
from recrutement.extensions import db
from recrutement.referential.models import Commune
from tests.support import path_of

STAFF_PASSWORD = "agent de prefecture du finistere"


def test_anct_creates_a_prefecture_account_that_sets_its_password(client, login_as, mailbox, app):
    login_as(Role.ADMIN)
    response = client.post(
        "/pilotage/comptes",
        data={
            "first_name": "Yann",
            "last_name": "Le Gall",
            "email": "yann.legall@finistere.gouv.fr",
            "role": "prefecture",
            "departments": ["29", "56"],
        },
    )
    assert response.headers["Location"] == "/pilotage/comptes"
    agent = db.session.scalar(select(User).where(User.email == "yann.legall@finistere.gouv.fr"))
    assert agent.role == Role.PREFECTURE
    assert agent.department_codes == ["29", "56"]

    mail = mailbox.deliver().last_to("yann.legall@finistere.gouv.fr")
    assert "Finistère (29)" in mail.text
    link = next(link for link in mail.links() if "/mot-de-passe/reinitialiser/" in link)
    browser = app.test_client()
    browser.post(
        path_of(link),
        data={"password": STAFF_PASSWORD, "password_confirmation": STAFF_PASSWORD},
    )
    login = browser.post(
        "/connexion", data={"email": "yann.legall@finistere.gouv.fr", "password": STAFF_PASSWORD}
    )
    assert login.headers["Location"] == "/prefecture/"


def test_staff_account_needs_a_department(client, login_as):
    login_as(Role.ADMIN)
    response = client.post(
        "/pilotage/comptes",
        data={"first_name": "A", "last_name": "B", "email": "a@b.fr", "role": "anah"},
    )
    assert response.status_code == 400
    assert "au moins un département" in response.page
    assert db.session.scalar(select(User).where(User.email == "a@b.fr")) is None


def test_admin_role_cannot_be_given_from_the_form(client, login_as):
    login_as(Role.ADMIN)
    response = client.post(
        "/pilotage/comptes",
        data={
            "first_name": "A",
            "last_name": "B",
            "email": "a@b.fr",
            "role": "admin",
            "departments": ["29"],
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "a@b.fr")) is None


def upload(client, content: bytes, name="pvd.csv"):
    return client.post(
        "/pilotage/referentiel",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_pvd_import_from_the_page(client, login_as, referential):
    login_as(Role.ADMIN)
    response = upload(client, b"code_insee;date_signature\n29146;15/06/2021\n55122;\n")
    assert response.headers["Location"] == "/pilotage/referentiel"
    assert db.session.get(Commune, "29146").is_pvd
    assert db.session.get(Commune, "55122").is_pvd
    assert not db.session.get(Commune, "29233").is_pvd  # the file is the whole list
    flashed = client.get("/pilotage/referentiel").page
    assert "importée" in flashed


def test_bad_pvd_file_is_refused_whole_with_a_line_by_line_report(client, login_as, referential):
    login_as(Role.ADMIN)
    content = "29146;15/06/2021\n99999;01/01/2021\n29146;01/01/2021\n55122;31/02/2021\n"
    response = upload(client, content.encode())
    page = response.page
    assert response.status_code == 400
    assert "Ligne 2" in page and "99999" in page
    assert "Ligne 3" in page
    assert "Ligne 4" in page
    assert "rien n&#39;a été importé" in page or "rien n'a été importé" in page
    assert not db.session.get(Commune, "29146").is_pvd
    assert db.session.get(Commune, "29233").is_pvd


def test_pvd_import_only_for_anct(client, login_as, referential):
    login_as(Role.PREFECTURE)
    assert upload(client, b"29146;\n").status_code == 403
    assert not db.session.get(Commune, "29146").is_pvd
