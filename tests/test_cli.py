"""The command line of the public contract: demo seed, users, referential, outbox, worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recrutement.accounts.models import Role, User
from recrutement.emails.models import EmailStatus, OutgoingEmail
from recrutement.extensions import db
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.referential.models import Commune
from tests.support import path_of

ROOT = Path(__file__).resolve().parents[1]
DEMO_EMAILS = {
    "anct": Role.ADMIN,
    "prefecture29": Role.PREFECTURE,
    "prefecture55": Role.PREFECTURE,
    "anah29": Role.ANAH,
    "quimperle": Role.EMPLOYER,
    "commercy": Role.EMPLOYER,
    "candidat1": Role.CANDIDATE,
    "candidat2": Role.CANDIDATE,
}
HOMES = {
    Role.ADMIN: "/pilotage/",
    Role.PREFECTURE: "/prefecture/",
    Role.ANAH: "/prefecture/",
    Role.EMPLOYER: "/collectivite/",
    Role.CANDIDATE: "/candidat/",
}


@pytest.mark.slow
def test_demo_seed_is_idempotent_and_every_demo_account_logs_in(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "demo-pvd-2026" in first.output
    counts = (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Organisation.id))),
    )
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    assert counts == (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Organisation.id))),
    )
    assert db.session.scalar(select(func.count(Commune.insee_code))) > 34_000

    quimperle = db.session.scalar(
        select(Organisation).where(Organisation.commune_insee_code == "29233")
    )
    assert quimperle.status == OrganisationStatus.VALIDATED
    assert quimperle.department_code == "29" and quimperle.commune.is_pvd
    commercy = db.session.scalar(
        select(Organisation).where(Organisation.commune_insee_code == "55122")
    )
    assert commercy.status == OrganisationStatus.VALIDATED and commercy.commune.is_pvd

    for local_part, role in DEMO_EMAILS.items():
        client = app.test_client()
        email = f"{local_part}@demo.recrutement-pvd.fr"
        assert email in first.output
        response = client.post("/connexion", data={"email": email, "password": "demo-pvd-2026"})
        assert response.status_code == 302, (email, response.status_code)
        assert response.headers["Location"] == HOMES[role], email
        assert client.get(HOMES[role]).status_code == 200


def test_demo_seed_is_refused_in_production(app, runner):
    app.config["APP_ENV"] = "production"
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code != 0
    assert "refusées en production" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_admin(app, runner, client, referential):
    result = runner.invoke(
        args=["users", "create-admin", "direction@anct.gouv.fr"],
        input="programme petites villes 2026\nprogramme petites villes 2026\n",
    )
    assert result.exit_code == 0, result.output
    response = client.post(
        "/connexion",
        data={"email": "direction@anct.gouv.fr", "password": "programme petites villes 2026"},
    )
    assert response.headers["Location"] == "/pilotage/"


def test_create_admin_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["users", "create-admin", "a@b.fr", "--password", "court"])
    assert result.exit_code != 0
    assert "12 caractères" in result.output


def test_import_pvd_command(app, runner, referential, tmp_path):
    good = tmp_path / "pvd.csv"
    good.write_text("code_insee;date_signature\n29146;15/06/2021\n")
    result = runner.invoke(args=["referential", "import-pvd", str(good)])
    assert result.exit_code == 0, result.output
    assert db.session.get(Commune, "29146").is_pvd

    bad = tmp_path / "bad.csv"
    bad.write_text("29233;15/06/2021\n00000;15/06/2021\n")
    result = runner.invoke(args=["referential", "import-pvd", str(bad)])
    assert result.exit_code != 0
    assert "Ligne 2" in result.output
    assert not db.session.get(Commune, "29233").is_pvd  # unchanged by the refused file


def test_outbox_send_command(app, runner, client, mailbox):
    client.post(
        "/inscription/candidat",
        data={
            "first_name": "Léa",
            "last_name": "Moreau",
            "email": "lea@exemple.fr",
            "password": "trois mots solides ensemble",
            "password_confirmation": "trois mots solides ensemble",
        },
    )
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "1 envoyé" in result.output
    assert path_of(mailbox.last_to("lea@exemple.fr").links()[0]).startswith("/inscription/")


@pytest.mark.slow
@pytest.mark.real_commits
def test_worker_sends_mails_until_stopped(app, database_url, smtp_server, mailbox):
    from recrutement.emails.outbox import queue_email

    queue_email(
        "worker@exemple.fr",
        "password_changed",
        "Par le worker",
        user=type("U", (), {"first_name": "W"})(),
        forgotten_link="http://localhost/",
    )
    db.session.commit()
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "MAIL_PORT": str(smtp_server.port),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not mailbox.to("worker@exemple.fr") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mailbox.to("worker@exemple.fr")
        assert worker.poll() is None, "the worker keeps running"
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0
    db.session.expire_all()
    assert db.session.scalar(select(OutgoingEmail)).status == EmailStatus.SENT


@pytest.mark.slow
def test_demo_holds_applications_in_every_state(app, runner):
    from recrutement.applications.models import Application, ApplicationStatus

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    states = set(db.session.scalars(select(Application.status)))
    assert states == set(ApplicationStatus)
    count = db.session.scalar(select(func.count(Application.id)))
    again = runner.invoke(args=["demo", "seed"])
    assert "Candidatures de démonstration ajoutées : 0" in again.output
    assert db.session.scalar(select(func.count(Application.id))) == count


def test_personal_data_purge_command(app, runner):
    result = runner.invoke(args=["personal-data", "purge"])
    assert result.exit_code == 0, result.output
    assert "0 compte supprimé" in result.output
    assert "0 courriel envoyé il y a plus de 90 jours effacé" in result.output


def test_alerts_send_command(app, runner):
    result = runner.invoke(args=["alerts", "send", "--frequency", "weekly"])
    assert result.exit_code == 0, result.output
    assert "0 alerte mise en file d'envoi" in result.output
    refused = runner.invoke(args=["alerts", "send", "--frequency", "hourly"])
    assert refused.exit_code != 0
