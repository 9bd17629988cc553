"""Préfectures (their départements only) and ANCT validate or refuse organisations."""

from __future__ import annotations

import re

import pytest

from recrutement.accounts.models import Role
from recrutement.core.errors import ServiceError
from recrutement.extensions import db
from recrutement.organisations.models import OrganisationStatus
from recrutement.organisations.services import decide_organisation
from tests import factories


@pytest.fixture
def pending(referential):
    """A pending organisation in Finistère and one in Meuse, each with a member."""
    finistere = factories.MembershipFactory(
        user__email="dgs@landerneau.fr",
        organisation__commune=referential["landerneau"],
        organisation__status=OrganisationStatus.PENDING,
    ).organisation
    meuse = factories.MembershipFactory(
        user__email="dgs@stenay.fr",
        organisation__commune=referential["stenay"],
        organisation__status=OrganisationStatus.PENDING,
    ).organisation
    return {"29": finistere, "55": meuse}


def test_prefecture_lists_only_its_departments_pending_organisations(client, login_as, pending):
    login_as(Role.PREFECTURE, departments=("29",))
    page = client.get("/prefecture/collectivites").page
    assert "Commune de Landerneau" in page
    assert "Commune de Stenay" not in page


def test_prefecture_cannot_open_another_departments_organisation(client, login_as, pending):
    login_as(Role.PREFECTURE, departments=("29",))
    assert client.get(f"/prefecture/collectivites/{pending['55'].id}").status_code == 404
    response = client.post(
        f"/prefecture/collectivites/{pending['55'].id}", data={"decision": "validate"}
    )
    assert response.status_code == 404
    db.session.refresh(pending["55"])
    assert pending["55"].status == OrganisationStatus.PENDING


def test_prefecture_validates_and_members_are_told(client, login_as, pending, mailbox):
    login_as(Role.PREFECTURE, departments=("29",))
    organisation = pending["29"]
    page = client.get(f"/prefecture/collectivites/{organisation.id}").page
    assert "dgs@landerneau.fr" in page
    response = client.post(
        f"/prefecture/collectivites/{organisation.id}", data={"decision": "validate"}
    )
    assert response.headers["Location"] == "/prefecture/collectivites"
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.VALIDATED
    mail = mailbox.deliver().last_to("dgs@landerneau.fr")
    assert mail.subject == "Inscription validée sur Recrutement PVD : Commune de Landerneau"
    assert "l'inscription de la commune de Landerneau est validée" in mail.text


def test_refusal_needs_a_reason_which_the_members_receive(client, login_as, pending, mailbox):
    login_as(Role.PREFECTURE, departments=("29",))
    organisation = pending["29"]
    url = f"/prefecture/collectivites/{organisation.id}"
    no_reason = client.post(url, data={"decision": "refuse", "reason": ""})
    assert no_reason.status_code == 400
    assert "Indiquez le motif du refus" in no_reason.page
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.PENDING

    reason = "La commune n'est pas lauréate du programme dans ce département."
    client.post(url, data={"decision": "refuse", "reason": reason})
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.REFUSED
    assert reason in mailbox.deliver().last_to("dgs@landerneau.fr").text


def test_anct_validates_anywhere(client, login_as, pending):
    login_as(Role.ADMIN)
    page = client.get("/pilotage/collectivites").page
    assert "Commune de Landerneau" in page and "Commune de Stenay" in page
    client.post(f"/pilotage/collectivites/{pending['55'].id}", data={"decision": "validate"})
    db.session.refresh(pending["55"])
    assert pending["55"].status == OrganisationStatus.VALIDATED


def test_a_decision_is_taken_once(app, pending, referential):
    first = factories.UserFactory(role=Role.ADMIN)
    second = factories.UserFactory(role=Role.PREFECTURE)
    second.departments = [referential["departments"]["29"]]
    db.session.commit()
    decide_organisation(first, pending["29"], validate=True)
    with pytest.raises(ServiceError, match="déjà été traitée"):
        decide_organisation(second, pending["29"], validate=False, reason="Trop tard pour refuser.")
    db.session.refresh(pending["29"])
    assert pending["29"].status == OrganisationStatus.VALIDATED


def test_anah_agent_cannot_validate(app, pending):
    anah = factories.UserFactory(role=Role.ANAH)
    with pytest.raises(ServiceError):
        decide_organisation(anah, pending["29"], validate=True)


@pytest.mark.parametrize("area", ["prefecture", "pilotage"])
def test_the_decision_is_an_explicit_choice(client, login_as, pending, mailbox, area):
    """No choice is preset: saving without one decides nothing and says so; the refusal
    reason is marked required for a refusal, never "(facultatif)"."""
    if area == "prefecture":
        login_as(Role.PREFECTURE, departments=("29",))
    else:
        login_as(Role.ADMIN)
    organisation = pending["29"]
    url = f"/{area}/collectivites/{organisation.id}"
    page = client.get(url).page
    radios = re.findall(r'<input type="radio"[^>]*name="decision"[^>]*>', page)
    assert [re.search(r'value="(\w+)"', radio).group(1) for radio in radios] == [
        "validate",
        "refuse",
    ]
    assert not any("checked" in radio for radio in radios)
    assert "Valider : la collectivité pourra publier ses offres" in page
    assert "Refuser : ses membres reçoivent le motif par courriel" in page
    assert "Motif du refus" in page and "Obligatoire en cas de refus" in page
    assert "(facultatif)" not in page

    for data in ({}, {"reason": "Pas lauréate."}, {"decision": "peut-etre"}):
        response = client.post(url, data=data)
        assert response.status_code == 400, data
        assert "Choisissez de valider ou de refuser la collectivité." in response.page
        assert "Not a valid choice" not in response.page
        db.session.refresh(organisation)
        assert organisation.status == OrganisationStatus.PENDING
    # A refusal without its reason is refused on the reason's field.
    response = client.post(url, data={"decision": "refuse", "reason": "  "})
    assert response.status_code == 400
    assert 'id="reason-error-1">Indiquez le motif du refus' in response.page
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.PENDING
    assert mailbox.deliver().to("dgs@landerneau.fr") == []
