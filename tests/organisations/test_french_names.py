"""Organisation names are built the French way (core.french), at sign-up and, for
those already in the database, by the migration that corrects them."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from recrutement import create_app
from recrutement.accounts.models import Role
from recrutement.extensions import db
from recrutement.organisations.models import Organisation
from tests import factories
from tests.organisations.test_employer_signup import account_fields

CORRECTING_REVISION = "7ebb76836822"


def test_a_commune_with_an_article_signs_up_under_its_french_name(client, mailbox, referential):
    haute_loire = factories.DepartmentFactory(code="43", name="Haute-Loire")
    factories.CommuneFactory(
        insee_code="43157",
        name="Le Puy-en-Velay",
        search_name="le puy en velay",
        department=haute_loire,
        postcodes="43000",
        is_pvd=True,
    )
    prefecture = factories.UserFactory(role=Role.PREFECTURE, email="pref43@exemple.fr")
    prefecture.departments = [haute_loire]
    db.session.commit()

    form = client.get("/inscription/collectivite?choix=commune:43157").page
    assert "Commune du Puy-en-Velay" in form and "Commune de Le Puy" not in form
    response = client.post(
        "/inscription/collectivite",
        data={
            "choice": "commune:43157",
            "towns": ["43157"],
            **account_fields("dgs@lepuy.fr"),
        },
    )
    assert response.status_code == 200, response.page
    assert db.session.scalar(select(Organisation.name)) == "Commune du Puy-en-Velay"
    to_prefecture = mailbox.deliver().last_to("pref43@exemple.fr")
    assert to_prefecture.subject == "Nouvelle collectivité à valider : Commune du Puy-en-Velay"
    assert "La commune du Puy-en-Velay (Haute-Loire (43)) vient de s'inscrire" in to_prefecture.text


def test_the_offer_form_names_the_recruiting_authority_in_french(client, login_as, referential):
    avallon = factories.CommuneFactory(insee_code="89025", name="Avallon", is_pvd=True)
    organisation = factories.OrganisationFactory(commune=avallon)
    assert organisation.name == "Commune d'Avallon"
    login_as(Role.EMPLOYER, organisation=organisation)
    page = client.get("/collectivite/offres/nouvelle").page
    assert "value=\"L'exécutif de la commune d'Avallon\"" in page


def test_the_migration_corrects_the_names_built_the_old_way(tmp_path):
    """Names built as "Commune de <name>" take the French form; an edited one stays."""
    url = f"sqlite:///{tmp_path / 'names.db'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp_path / "u"),
            "SEARCH_INDEX_DIR": str(tmp_path / "i"),
        }
    )
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        previous = ScriptDirectory.from_config(config).get_revision(CORRECTING_REVISION)
        upgrade(revision=previous.down_revision)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO region (code, name) VALUES ('28', 'Normandie')"))
            connection.execute(
                text(
                    "INSERT INTO department (code, name, region_code) VALUES ('76', 'Seine-Maritime', '28')"
                )
            )
            for code, name in (
                ("76351", "Le Havre"),
                ("76758", "Yvetot"),
                ("76217", "Dieppe"),
                ("76540", "Rouen"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO commune (insee_code, name, search_name, department_code, "
                        "region_code, postcodes, coordinates_source, is_pvd) "
                        "VALUES (:code, :name, :name, '76', '28', '', '', 0)"
                    ),
                    {"code": code, "name": name},
                )
            for code, name in (
                ("76351", "Commune de Le Havre"),
                ("76758", "Commune de Yvetot"),
                ("76217", "Ville de Dieppe"),
                ("76540", "Commune de Rouen"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO organisation (kind, commune_insee_code, name, "
                        "department_code, status, refusal_reason, created_at) "
                        "VALUES ('commune', :code, :name, '76', 'validated', '', CURRENT_TIMESTAMP)"
                    ),
                    {"code": code, "name": name},
                )
        upgrade(revision=CORRECTING_REVISION)
        with engine.connect() as connection:
            names = dict(
                connection.execute(text("SELECT commune_insee_code, name FROM organisation")).all()
            )
        engine.dispose()
        db.engine.dispose()
    assert names == {
        "76351": "Commune du Havre",
        "76758": "Commune d'Yvetot",
        "76217": "Ville de Dieppe",
        "76540": "Commune de Rouen",
    }
