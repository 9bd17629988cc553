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
