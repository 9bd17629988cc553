"""Control characters and NUL bytes (issue 10, findings 9 and 10): single-line fields
refuse them with a French message, multi-line fields and query strings drop them, on
SQLite and PostgreSQL alike; every form of the platform gets this from core.forms."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from flask_wtf import FlaskForm
from sqlalchemy import func, select

import recrutement
from recrutement.applications.models import ApplicationMessage
from recrutement.core.forms import Form
from recrutement.extensions import db
from recrutement.organisations.models import Organisation
from tests.applications.test_messages import client_for, setting  # noqa: F401  (fixture)
from tests.organisations.test_employer_signup import account_fields


def test_a_line_break_in_a_petr_name_is_refused_and_nothing_is_lost(client, referential):
    data = {
        "choice": "petr",
        "petr_department": "29",
        "petr_name": "PETR du Pays\r\nBcc: pirate@exemple.fr",
        "petr_siren": "200 067 197",
        "towns": ["29233"],
        **account_fields(),
    }
    response = client.post("/inscription/collectivite", data=data)
    assert response.status_code == 400
    assert "Ce champ tient sur une ligne" in response.page
    assert db.session.scalar(select(func.count(Organisation.id))) == 0
    assert "PETR du Pays" in response.page  # what was typed is shown again


def test_nul_bytes_never_reach_the_database(app, setting):  # noqa: F811
    application = setting["application"]
    employer = client_for(app, "dgs@quimperle.fr")
    response = employer.post(
        f"/collectivite/candidatures/{application.id}/messages",
        data={"body": "Bonjour\x00, venez\x07 le 12\nà 10 h"},
    )
    assert response.status_code == 302
    stored = db.session.scalars(select(ApplicationMessage.body)).one()
    assert stored == "Bonjour, venez le 12\nà 10 h"


def test_nul_bytes_in_query_strings_are_dropped(client, referential):
    assert client.get("/offres?q=urba%00nisme").status_code == 200
    assert client.get("/api/v1/offres?q=chef%00").status_code == 200


def all_form_classes() -> list[type]:
    for module in pkgutil.walk_packages(recrutement.__path__, "recrutement."):
        importlib.import_module(module.name)
    found, pending = set(), [FlaskForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass.__module__.startswith("recrutement.") and subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def test_every_form_of_the_platform_cleans_its_text(app):
    forms = all_form_classes()
    assert len(forms) >= 30
    outside = [f"{cls.__module__}.{cls.__name__}" for cls in forms if not issubclass(cls, Form)]
    assert outside == [], "these forms must derive from recrutement.core.forms.Form"
    assert inspect.getmodule(Form).__name__ == "recrutement.core.forms"
