"""ANCT administers every account and every organisation (issue 9, administration)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from recrutement.accounts import services as accounts
from recrutement.accounts.models import Role, User
from recrutement.core.models import AuditEvent
from recrutement.extensions import db
from recrutement.organisations.models import OrganisationStatus
from tests import factories
from tests.support import path_of

ACCOUNT_LINK = re.compile(r'<a href="/pilotage/comptes/(\d+)">')
NEW_PASSWORD = "une autre phrase de passe solide"


def login(client, email: str, password: str = factories.PASSWORD):
    return client.post("/connexion", data={"email": email, "password": password})


def events(action: str, obj) -> list[AuditEvent]:
    primary_key = obj.__mapper__.primary_key_from_instance(obj)
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action,
                AuditEvent.object_type == obj.__tablename__,
                AuditEvent.object_id == str(primary_key[0]),
            )
        )
    )


@pytest.fixture
def people(referential):
    """A candidate, an employer of Quimperlé, a préfecture agent of Finistère."""
    candidate = factories.UserFactory(
        email="nolwenn.bihan@exemple.fr", first_name="Nolwenn", last_name="Le Bihan"
    )
    employer = factories.MembershipFactory(
        user__email="dgs@quimperle.bzh",
        user__first_name="Erwan",
        user__last_name="Tanguy",
        organisation__commune=referential["quimperle"],
    ).user
    agent = factories.UserFactory(
        email="agent@finistere.gouv.fr",
        role=Role.PREFECTURE,
        first_name="Yann",
        last_name="Le Gall",
    )
    agent.departments = [referential["departments"]["29"]]
    db.session.commit()
    return {"candidate": candidate, "employer": employer, "agent": agent}


# Every account


def listed_emails(page: str) -> set[str]:
    return {db.session.get(User, int(user_id)).email for user_id in ACCOUNT_LINK.findall(page)}


def test_accounts_list_shows_every_role_and_searches(client, login_as, people):
    admin = login_as(Role.ADMIN, email="direction@anct.gouv.fr")
    everyone = listed_emails(client.get("/pilotage/comptes").page)
    assert everyone == {
        admin.email,
        "nolwenn.bihan@exemple.fr",
        "dgs@quimperle.bzh",
        "agent@finistere.gouv.fr",
    }

    by_name = client.get("/pilotage/comptes", query_string={"q": "nolwenn le bihan"}).page
    assert listed_emails(by_name) == {"nolwenn.bihan@exemple.fr"}
    by_email = client.get("/pilotage/comptes", query_string={"q": "GOUV.FR"}).page
    assert listed_emails(by_email) == {admin.email, "agent@finistere.gouv.fr"}
    by_role = client.get("/pilotage/comptes", query_string={"role": "employer"}).page
    assert listed_emails(by_role) == {"dgs@quimperle.bzh"}
    by_organisation = client.get("/pilotage/comptes", query_string={"organisation": "quimper"})
    assert listed_emails(by_organisation.page) == {"dgs@quimperle.bzh"}
    assert "Commune de Quimperlé" in by_organisation.page

    nothing = client.get("/pilotage/comptes", query_string={"q": "personne-de-ce-nom"})
    assert nothing.status_code == 200
    assert "Aucun compte ne correspond à ces filtres." in nothing.page


def test_accounts_list_is_paginated_and_any_page_number_answers(client, login_as):
    login_as(Role.ADMIN)
    factories.UserFactory.create_batch(60)
    first = client.get("/pilotage/comptes").page
    assert len(ACCOUNT_LINK.findall(first)) == 50
    assert "61 comptes" in first and "page 1 sur 2" in first
    assert 'class="fr-pagination"' in first
    second = client.get("/pilotage/comptes?page=2").page
    assert len(ACCOUNT_LINK.findall(second)) == 11
    assert not set(ACCOUNT_LINK.findall(first)) & set(ACCOUNT_LINK.findall(second))
    for page in ("abc", "-4", "0", "99", "9" * 40):
        response = client.get(f"/pilotage/comptes?page={page}")
        assert response.status_code == 200, page
        assert ACCOUNT_LINK.findall(response.page), page
    beyond = client.get("/pilotage/comptes?page=99").page
    assert ACCOUNT_LINK.findall(beyond) == ACCOUNT_LINK.findall(second)


def test_staff_creation_form_still_works_below_the_list(client, login_as, mailbox):
    login_as(Role.ADMIN)
    response = client.post(
        "/pilotage/comptes",
        data={
            "first_name": "Anne",
            "last_name": "Roux",
            "email": "anne.roux@anah.gouv.fr",
            "role": "anah",
            "departments": ["29"],
        },
    )
    assert response.headers["Location"] == "/pilotage/comptes"
    assert "anne.roux@anah.gouv.fr" in client.get("/pilotage/comptes").page


# One account


def test_account_page_shows_identity_state_and_history(client, login_as, people):
    login_as(Role.ADMIN)
    agent = people["agent"]
    page = client.get(f"/pilotage/comptes/{agent.id}").page
    assert "agent@finistere.gouv.fr" in page
    assert "Préfecture" in page and "Finistère (29)" in page
    assert "Dernière connexion" in page and "Jamais" in page
    assert "Aucun événement enregistré pour ce compte." in page
    employer_page = client.get(f"/pilotage/comptes/{people['employer'].id}").page
    assert "Commune de Quimperlé" in employer_page
    assert client.get("/pilotage/comptes/999999").status_code == 404


def test_deactivation_ends_open_sessions_and_refuses_login(app, client, login_as, people):
    login_as(Role.ADMIN)
    employer = people["employer"]
    their_browser = app.test_client()
    assert login(their_browser, employer.email).status_code == 302
    assert their_browser.get("/collectivite/").status_code == 200

    confirm = client.get(f"/pilotage/comptes/{employer.id}/desactiver")
    assert confirm.status_code == 200
    assert "Désactiver le compte de Erwan Tanguy ?" in confirm.page
    # Without its CSRF token nothing happens.
    refused = client.post(f"/pilotage/comptes/{employer.id}/desactiver", data={}, csrf=False)
    assert refused.status_code == 400
    db.session.refresh(employer)
    assert employer.is_active_account

    response = client.post(
        f"/pilotage/comptes/{employer.id}/desactiver", data={"reason": "A quitté la mairie"}
    )
    assert response.headers["Location"] == f"/pilotage/comptes/{employer.id}"
    db.session.refresh(employer)
    assert not employer.is_active_account

    # The open session ended at once: its next request is sent to the login page.
    ended = their_browser.get("/collectivite/")
    assert ended.status_code == 302
    assert ended.headers["Location"].startswith("/connexion")

    again = login(app.test_client(), employer.email)
    assert again.status_code == 400
    assert "Ce compte a été désactivé" in again.page
    assert "contactez l'ANCT" in again.page
    wrong_password = login(app.test_client(), employer.email, "pas le bon mot de passe")
    assert "Adresse électronique ou mot de passe incorrect." in wrong_password.page
    assert "désactivé" not in wrong_password.page

    page = client.get(f"/pilotage/comptes/{employer.id}").page
    assert "Compte désactivé" in page and "A quitté la mairie" in page
    assert "Réactiver le compte" in page
    [event] = events("account_deactivated", employer)
    assert event.comment == "A quitté la mairie"


def test_reactivation_lets_the_person_log_in_again(app, client, login_as, people):
    admin = login_as(Role.ADMIN)
    candidate = people["candidate"]
    accounts.deactivate_account(admin, candidate)
    assert login(app.test_client(), candidate.email).status_code == 400

    assert "Réactiver le compte" in client.get(f"/pilotage/comptes/{candidate.id}/reactiver").page
    response = client.post(f"/pilotage/comptes/{candidate.id}/reactiver", data={})
    assert response.headers["Location"] == f"/pilotage/comptes/{candidate.id}"
    db.session.refresh(candidate)
    assert candidate.is_active_account
    assert login(app.test_client(), candidate.email).headers["Location"] == "/candidat/"
    assert len(events("account_reactivated", candidate)) == 1
    assert "Compte réactivé" in client.get(f"/pilotage/comptes/{candidate.id}").page


def test_anct_cannot_deactivate_its_own_account(client, login_as):
    admin = login_as(Role.ADMIN)
    page = client.get(f"/pilotage/comptes/{admin.id}").page
    assert "Désactiver le compte" not in page
    response = client.post(f"/pilotage/comptes/{admin.id}/desactiver", data={})
    assert response.status_code == 400
    assert "Vous ne pouvez pas désactiver votre propre compte." in response.page
    db.session.refresh(admin)
    assert admin.is_active_account
    assert client.get("/pilotage/").status_code == 200
    assert events("account_deactivated", admin) == []


def test_resending_a_staff_invitation_mails_a_working_link(app, client, login_as, mailbox):
    admin = login_as(Role.ADMIN)
    agent = accounts.create_staff_account(
        admin, "nouvel.agent@meuse.gouv.fr", Role.PREFECTURE, ["55"], "Paul", "Henry"
    )
    mailbox.deliver()
    mailbox.clear()
    page = client.get(f"/pilotage/comptes/{agent.id}").page
    assert "Renvoyer l'invitation" in page and "Pas encore" in page

    response = client.post(f"/pilotage/comptes/{agent.id}/invitation", data={})
    assert response.headers["Location"] == f"/pilotage/comptes/{agent.id}"
    mail = mailbox.deliver().last_to("nouvel.agent@meuse.gouv.fr")
    assert mail.subject == "Votre compte Recrutement PVD a été créé"
    link = next(link for link in mail.links() if "/mot-de-passe/reinitialiser/" in link)
    browser = app.test_client()
    browser.post(
        path_of(link), data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )
    assert login(browser, agent.email, NEW_PASSWORD).headers["Location"] == "/prefecture/"
    [event] = events("invitation_resent", agent)
    assert event.actor_id == admin.id
    assert "Invitation renvoyée" in client.get(f"/pilotage/comptes/{agent.id}").page


def test_resending_to_an_unconfirmed_account_mails_a_confirmation_link(
    app, client, login_as, mailbox, people
):
    login_as(Role.ADMIN)
    candidate = people["candidate"]
    candidate.email_confirmed_at = None
    db.session.commit()
    client.post(f"/pilotage/comptes/{candidate.id}/invitation", data={})
    mail = mailbox.deliver().last_to(candidate.email)
    link = next(link for link in mail.links() if "/inscription/confirmer/" in link)
    assert app.test_client().get(path_of(link)).status_code == 302
    db.session.refresh(candidate)
    assert candidate.email_confirmed_at is not None


def test_nothing_to_resend_to_a_finished_account(client, login_as, mailbox, people):
    login_as(Role.ADMIN)
    candidate = people["candidate"]
    assert "Renvoyer l'invitation" not in client.get(f"/pilotage/comptes/{candidate.id}").page
    client.post(f"/pilotage/comptes/{candidate.id}/invitation", data={})
    assert (
        "il n'y a pas d'invitation à renvoyer"
        in client.get(f"/pilotage/comptes/{candidate.id}").page
    )
    assert mailbox.deliver().to(candidate.email) == []
    assert events("invitation_resent", candidate) == []


def test_changing_a_staff_accounts_departments_is_logged(client, login_as, people):
    login_as(Role.ADMIN)
    agent = people["agent"]
    form = client.get(f"/pilotage/comptes/{agent.id}/departements").page
    assert 'value="29" checked' in form
    response = client.post(
        f"/pilotage/comptes/{agent.id}/departements", data={"departments": ["55", "56"]}
    )
    assert response.headers["Location"] == f"/pilotage/comptes/{agent.id}"
    db.session.refresh(agent)
    assert agent.department_codes == ["55", "56"]
    [event] = events("staff_departments_changed", agent)
    assert event.comment == "29 → 55 56"
    page = client.get(f"/pilotage/comptes/{agent.id}").page
    assert "Départements modifiés" in page and "29 → 55 56" in page


def test_departments_cannot_be_emptied_nor_given_to_a_non_staff_account(client, login_as, people):
    login_as(Role.ADMIN)
    agent = people["agent"]
    empty = client.post(f"/pilotage/comptes/{agent.id}/departements", data={})
    assert empty.status_code == 400
    assert "Choisissez au moins un département." in empty.page
    db.session.refresh(agent)
    assert agent.department_codes == ["29"]

    candidate = people["candidate"]
    refused = client.post(
        f"/pilotage/comptes/{candidate.id}/departements", data={"departments": ["29"]}
    )
    assert refused.status_code == 400
    assert "Seuls les comptes de préfecture et de l'ANAH" in refused.page
    db.session.refresh(candidate)
    assert candidate.department_codes == []
    assert events("staff_departments_changed", candidate) == []


# Every organisation


@pytest.fixture
def organisations(referential):
    return {
        "quimperle": factories.OrganisationFactory(commune=referential["quimperle"]),
        "landerneau": factories.MembershipFactory(
            user__email="dgs@landerneau.fr",
            organisation__commune=referential["landerneau"],
            organisation__status=OrganisationStatus.PENDING,
        ).organisation,
        "commercy": factories.OrganisationFactory(
            commune=referential["commercy"], status=OrganisationStatus.REFUSED
        ),
        "ploermel": factories.OrganisationFactory(commune=referential["ploermel"]),
    }


def listed_organisations(page: str) -> list[str]:
    return re.findall(r'<a href="/pilotage/collectivites/\d+">([^<]+)</a>', page)


def test_organisations_list_shows_all_pending_first_with_filters(client, login_as, organisations):
    login_as(Role.ADMIN)
    everything = client.get("/pilotage/collectivites").page
    assert listed_organisations(everything) == [
        "Commune de Landerneau",
        "Commune de Commercy",
        "Commune de Ploërmel",
        "Commune de Quimperlé",
    ]
    validated = client.get("/pilotage/collectivites?statut=validated").page
    assert listed_organisations(validated) == ["Commune de Ploërmel", "Commune de Quimperlé"]
    finistere = client.get("/pilotage/collectivites?departement=29").page
    assert listed_organisations(finistere) == ["Commune de Landerneau", "Commune de Quimperlé"]
    # Accents and case do not matter.
    by_name = client.get("/pilotage/collectivites?q=QUIMPERLE").page
    assert listed_organisations(by_name) == ["Commune de Quimperlé"]
    nothing = client.get("/pilotage/collectivites?q=zzz&page=" + "9" * 30)
    assert nothing.status_code == 200
    assert "Aucune collectivité ne correspond à ces filtres." in nothing.page


def test_organisations_list_is_paginated(client, login_as, referential):
    login_as(Role.ADMIN)
    factories.OrganisationFactory.create_batch(52)
    first = client.get("/pilotage/collectivites").page
    assert len(listed_organisations(first)) == 50
    second = client.get("/pilotage/collectivites?page=2").page
    assert len(listed_organisations(second)) == 2


def test_pending_organisation_page_keeps_the_decision(client, login_as, organisations):
    login_as(Role.ADMIN)
    pending = organisations["landerneau"]
    page = client.get(f"/pilotage/collectivites/{pending.id}").page
    assert "Votre décision" in page and "Modifier la collectivité" in page
    assert "Inscription de la collectivité" not in page  # made by a factory: no event
    response = client.post(f"/pilotage/collectivites/{pending.id}", data={"decision": "validate"})
    assert response.headers["Location"] == "/pilotage/collectivites"
    db.session.refresh(pending)
    assert pending.status == OrganisationStatus.VALIDATED
    assert "Collectivité validée" in client.get(f"/pilotage/collectivites/{pending.id}").page


def test_prefecture_organisation_page_is_unchanged(client, login_as, organisations):
    login_as(Role.PREFECTURE, departments=("29",))
    page = client.get(f"/prefecture/collectivites/{organisations['landerneau'].id}").page
    assert "Votre décision" in page and "Retour aux collectivités à valider" in page
    assert "Modifier la collectivité" not in page and "Historique" not in page


def test_anct_edits_an_organisations_name_and_towns(client, login_as, organisations, referential):
    admin = login_as(Role.ADMIN)
    organisation = organisations["quimperle"]
    form = client.get(f"/pilotage/collectivites/{organisation.id}/modifier").page
    assert 'value="Commune de Quimperlé"' in form
    assert 'value="29233" checked' in form
    # Landerneau, a PVD town of Finistère, is offered, unchecked.
    assert 'value="29103"' in form and 'value="29103" checked' not in form
    assert 'value="55122"' not in form  # Commercy, in Meuse, is not

    response = client.post(
        f"/pilotage/collectivites/{organisation.id}/modifier",
        data={"name": "Ville de Quimperlé", "towns": ["29233"], "extra_towns": "29146, 29103"},
    )
    assert response.headers["Location"] == f"/pilotage/collectivites/{organisation.id}"
    db.session.refresh(organisation)
    assert organisation.name == "Ville de Quimperlé"
    assert [town.insee_code for town in organisation.towns] == ["29103", "29146", "29233"]
    [event] = events("organisation_updated", organisation)
    assert event.actor_id == admin.id
    assert "nom : « Commune de Quimperlé » → « Ville de Quimperlé »" in event.comment
    assert "communes ajoutées : Landerneau (29103), Mellac (29146)" in event.comment
    page = client.get(f"/pilotage/collectivites/{organisation.id}").page
    assert "Collectivité modifiée" in page and "Mellac (29146)" in page

    client.post(
        f"/pilotage/collectivites/{organisation.id}/modifier",
        data={"name": "Ville de Quimperlé", "towns": ["29233"]},
    )
    db.session.refresh(organisation)
    assert [town.insee_code for town in organisation.towns] == ["29233"]
    latest = events("organisation_updated", organisation)[-1]
    assert latest.comment == "communes retirées : Landerneau (29103), Mellac (29146)"


def test_organisation_edit_refuses_an_empty_name_or_no_town(client, login_as, organisations):
    login_as(Role.ADMIN)
    organisation = organisations["quimperle"]
    url = f"/pilotage/collectivites/{organisation.id}/modifier"
    empty_name = client.post(url, data={"name": "  ", "towns": ["29233"]})
    assert empty_name.status_code == 400
    assert "Indiquez le nom de la collectivité." in empty_name.page
    no_town = client.post(url, data={"name": "Ville de Quimperlé"})
    assert no_town.status_code == 400
    assert "au moins une commune" in no_town.page
    unknown = client.post(url, data={"name": "Ville de Quimperlé", "extra_towns": "29999"})
    assert unknown.status_code == 400
    assert "Commune inconnue du référentiel : 29999." in unknown.page
    db.session.refresh(organisation)
    assert organisation.name == "Commune de Quimperlé"
    assert [town.insee_code for town in organisation.towns] == ["29233"]
    assert events("organisation_updated", organisation) == []


# Only ANCT


@pytest.mark.parametrize("role", [Role.PREFECTURE, Role.EMPLOYER])
def test_only_anct_reaches_the_administration(client, login_as, people, role):
    agent, organisation = people["agent"], people["employer"].organisation
    login_as(role, organisation=organisation)
    routes = [
        ("GET", "/pilotage/comptes"),
        ("GET", f"/pilotage/comptes/{agent.id}"),
        ("GET", f"/pilotage/comptes/{agent.id}/desactiver"),
        ("POST", f"/pilotage/comptes/{agent.id}/desactiver"),
        ("POST", f"/pilotage/comptes/{agent.id}/reactiver"),
        ("POST", f"/pilotage/comptes/{agent.id}/invitation"),
        ("POST", f"/pilotage/comptes/{agent.id}/departements"),
        ("GET", "/pilotage/collectivites"),
        ("GET", f"/pilotage/collectivites/{organisation.id}"),
        ("POST", f"/pilotage/collectivites/{organisation.id}/modifier"),
    ]
    for method, url in routes:
        assert client.open(url, method=method).status_code == 403, (method, url)
    db.session.refresh(agent)
    assert agent.is_active_account
