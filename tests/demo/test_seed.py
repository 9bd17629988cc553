"""`flask demo seed` on the real referential (seeded once for the session, see conftest):
what it says, the accounts that log in and land on their home, applications and
cofunding requests in every state, and a second run that changes nothing."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.cofunding.models import CofundingRequest, CofundingStatus
from recrutement.extensions import db
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.referential.models import Commune
from tests.demo.conftest import SeededDemo

PASSWORD = "demo-pvd-2026"
HOMES = {
    Role.ADMIN: "/pilotage/",
    Role.PREFECTURE: "/prefecture/",
    Role.ANAH: "/prefecture/",
    Role.EMPLOYER: "/collectivite/",
    Role.CANDIDATE: "/candidat/",
}
ACCOUNTS = {
    "anct": Role.ADMIN,
    "prefecture29": Role.PREFECTURE,
    "prefecture55": Role.PREFECTURE,
    "anah29": Role.ANAH,
    "quimperle": Role.EMPLOYER,
    "commercy": Role.EMPLOYER,
    "landerneau": Role.EMPLOYER,
    "stenay": Role.EMPLOYER,
    "candidat1": Role.CANDIDATE,
    "candidat2": Role.CANDIDATE,
}


def test_the_seed_says_what_it_made(seeded_demo: SeededDemo) -> None:
    output = seeded_demo.output
    assert f"Comptes de démonstration (mot de passe : {PASSWORD})" in output
    for local_part in ACCOUNTS:
        assert f"{local_part}@demo.recrutement-pvd.fr" in output
    assert (
        "Offres : offres des collectivités de démonstration : 2 brouillon(s), 4 publiée(s), "
        "2 pourvue(s), 2 clôturée(s), 2 expirée(s); 300 offres publiées ailleurs en France."
    ) in output
    assert "Candidatures de démonstration ajoutées : 6" in output
    assert "Demandes de cofinancement de démonstration ajoutées : 16" in output
    assert "Index de recherche : 303 offres publiées indexées" in output


def test_every_demo_account_logs_in_and_lands_on_its_home(demo_app: Flask) -> None:
    for local_part, role in ACCOUNTS.items():
        client = demo_app.test_client()
        email = f"{local_part}@demo.recrutement-pvd.fr"
        response = client.post("/connexion", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, (email, response.status_code)
        assert response.headers["Location"] == HOMES[role], email
        assert client.get(HOMES[role]).status_code == 200, email


def test_collectivites_applications_and_requests_in_every_state(demo_app: Flask) -> None:
    assert db.session.scalar(select(func.count(Commune.insee_code))) > 34_000
    statuses = dict(
        db.session.execute(select(Organisation.commune_insee_code, Organisation.status)).all()
    )
    for validated in ("29233", "55122"):  # Quimperlé, Commercy
        assert statuses[validated] == OrganisationStatus.VALIDATED
        assert db.session.get(Commune, validated).is_pvd
    for pending in ("29103", "55502"):  # Landerneau, Stenay
        assert statuses[pending] == OrganisationStatus.PENDING
    assert set(db.session.scalars(select(Application.status))) == set(ApplicationStatus)
    for department in ("29", "55"):
        requests = db.session.scalars(
            select(CofundingRequest.status)
            .join(Organisation, Organisation.id == CofundingRequest.organisation_id)
            .where(Organisation.department_code == department)
        )
        assert set(requests) == set(CofundingStatus), department


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def test_seeding_again_adds_nothing(demo_app: Flask) -> None:
    before = table_counts()
    files = sorted(path.name for path in Path(demo_app.config["UPLOAD_DIR"]).rglob("*"))

    again = demo_app.test_cli_runner().invoke(args=["demo", "seed"])

    assert again.exit_code == 0, again.output
    assert "Offres : rien à ajouter." in again.output
    assert "Candidatures de démonstration ajoutées : 0" in again.output
    assert "Demandes de cofinancement de démonstration ajoutées : 0" in again.output
    db.session.expire_all()
    assert table_counts() == before
    assert sorted(path.name for path in Path(demo_app.config["UPLOAD_DIR"]).rglob("*")) == files
