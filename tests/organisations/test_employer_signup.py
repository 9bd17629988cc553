"""An employer signs up for a collectivité, which stays pending until validated."""

from __future__ import annotations

from sqlalchemy import func, select

from recrutement.accounts.models import Role, User
from recrutement.extensions import db
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.referential.models import Grouping
from tests import factories

PASSWORD = "notre commune recrute enfin"


def account_fields(email="dgs@quimperle.fr"):
    return {
        "first_name": "Erwan",
        "last_name": "Tanguy",
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    }


def test_search_finds_communes_and_groupings_by_name_without_accents(client, referential):
    page = client.get("/inscription/collectivite?q=quimperle").page
    assert "Quimperlé" in page
    assert "Quimperlé Communauté" in page
    assert "choix=commune:29233" in page
    assert "choix=grouping:242900645" in page


def test_search_by_postcode(client, referential):
    page = client.get("/inscription/collectivite?q=29300").page
    assert "Quimperlé" in page and "Mellac" in page
    assert "Quimperlé Communauté" in page
    assert "Commercy" not in page


def test_search_answers_as_json_for_the_type_ahead(client, referential):
    response = client.get("/api/v1/collectivites?q=comm")
    names = [result["nom"] for result in response.json["resultats"]]
    assert "Commercy" in names


def test_search_without_result_says_so(client, referential):
    page = client.get("/inscription/collectivite?q=zzzz").page
    assert "Aucune commune ni intercommunalité ne correspond" in page


def test_commune_signs_up_and_is_pending_until_validated(client, mailbox, referential):
    prefecture = factories.UserFactory(role=Role.PREFECTURE, email="pref29@exemple.fr")
    prefecture.departments = [referential["departments"]["29"]]
    db.session.commit()

    form = client.get("/inscription/collectivite?choix=commune:29233")
    assert "Commune de Quimperlé" in form.page
    response = client.post(
        "/inscription/collectivite",
        data={"choice": "commune:29233", "towns": ["29233"], **account_fields()},
    )
    assert response.status_code == 200, response.page
    assert "en attente de validation" in response.page

    organisation = db.session.scalar(select(Organisation))
    assert organisation.status == OrganisationStatus.PENDING
    assert organisation.department_code == "29"
    assert [town.insee_code for town in organisation.towns] == ["29233"]
    user = db.session.scalar(select(User).where(User.email == "dgs@quimperle.fr"))
    assert user.role == Role.EMPLOYER and user.organisation == organisation

    mails = mailbox.deliver()
    assert "Confirmez" in mails.last_to("dgs@quimperle.fr").subject
    to_prefecture = mails.last_to("pref29@exemple.fr")
    assert "Commune de Quimperlé" in to_prefecture.subject
    assert f"/prefecture/collectivites/{organisation.id}" in to_prefecture.text

    # Once confirmed, the employer sees clearly that the organisation is pending.
    user_link = mails.last_to("dgs@quimperle.fr").links()[0]
    client.get(user_link.replace("http://localhost", ""))
    client.post("/connexion", data={"email": "dgs@quimperle.fr", "password": PASSWORD})
    home = client.get("/collectivite/").page
    assert "attend la validation de la préfecture" in home


def test_grouping_signs_up_covering_chosen_member_towns(client, referential):
    form = client.get("/inscription/collectivite?choix=grouping:242900645").page
    assert "Mellac" in form and "Quimperlé" in form
    response = client.post(
        "/inscription/collectivite",
        data={"choice": "grouping:242900645", "towns": ["29233"], **account_fields()},
    )
    assert response.status_code == 200
    organisation = db.session.scalar(select(Organisation))
    assert organisation.name == "Quimperlé Communauté"
    assert organisation.grouping_siren == "242900645"


def test_towns_outside_the_grouping_are_refused(client, referential):
    response = client.post(
        "/inscription/collectivite",
        data={"choice": "grouping:242900645", "towns": ["55122"], **account_fields()},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Organisation.id))) == 0
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_petr_is_declared_with_name_and_siren(client, referential):
    page = client.get("/inscription/collectivite?choix=petr&departement=29").page
    assert "Quimperlé" in page  # the département's PVD towns are offered
    data = {
        "choice": "petr",
        "petr_department": "29",
        "petr_name": "PETR du Pays de Cornouaille",
        "petr_siren": "200 067 197",
        "towns": ["29233", "29103"],
        **account_fields(),
    }
    response = client.post("/inscription/collectivite", data=data)
    assert response.status_code == 200, response.page
    grouping = db.session.get(Grouping, "200067197")
    assert grouping.kind == "petr" and grouping.declared
    organisation = db.session.scalar(select(Organisation))
    assert organisation.status == OrganisationStatus.PENDING
    assert len(organisation.towns) == 2


def test_petr_with_invalid_siren_is_refused_and_nothing_is_lost(client, referential):
    data = {
        "choice": "petr",
        "petr_department": "29",
        "petr_name": "PETR du Pays de Cornouaille",
        "petr_siren": "123456789",
        "towns": ["29233"],
        **account_fields(),
    }
    response = client.post("/inscription/collectivite", data=data)
    page = response.page
    assert response.status_code == 400
    assert "SIREN doit compter 9 chiffres valides" in page
    assert 'value="PETR du Pays de Cornouaille"' in page
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_an_organisation_already_registered_asks_for_an_invitation(client, referential):
    factories.OrganisationFactory(commune=referential["quimperle"])
    search = client.get("/inscription/collectivite?q=quimperle").page
    assert "Déjà inscrite" in search
    response = client.post(
        "/inscription/collectivite",
        data={"choice": "commune:29233", "towns": ["29233"], **account_fields()},
    )
    assert response.status_code == 400
    assert "Demandez à l'un de ses membres de vous inviter" in response.page


def test_unknown_choice_goes_back_to_search(client, referential):
    response = client.get("/inscription/collectivite?choix=commune:99999")
    assert response.headers["Location"] == "/inscription/collectivite"
