"""A member invites a colleague, who joins the organisation through the mailed link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from recrutement.accounts.models import Role, User
from recrutement.extensions import db
from recrutement.organisations.models import Invitation
from tests import factories
from tests.support import later, path_of

PASSWORD = "rejoindre la collectivite"


def test_member_invites_a_colleague_who_joins(client, login_as, mailbox, app):
    inviter = login_as(Role.EMPLOYER)
    response = client.post("/collectivite/membres", data={"email": "Collegue@Quimperle.fr"})
    assert response.headers["Location"] == "/collectivite/membres"
    page = client.get("/collectivite/membres").page
    assert "collegue@quimperle.fr" in page

    mail = mailbox.deliver().last_to("collegue@quimperle.fr")
    assert "Invitation à rejoindre la commune de Quimperlé" in mail.subject
    assert "l'espace de la commune de Quimperlé" in mail.text
    link = next(link for link in mail.links() if "/invitation/" in link)

    colleague = app.test_client()
    form = colleague.get(path_of(link)).page
    assert "collegue@quimperle.fr" in form
    joined = colleague.post(
        path_of(link),
        data={
            "first_name": "Anne",
            "last_name": "Le Bihan",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
        },
    )
    assert joined.headers["Location"] == "/collectivite/"
    user = db.session.scalar(select(User).where(User.email == "collegue@quimperle.fr"))
    assert user.role == Role.EMPLOYER
    assert user.organisation.id == inviter.organisation.id
    assert "Anne Le Bihan" in client.get("/collectivite/membres").page

    # The link served once.
    again = app.test_client().get(path_of(link), follow_redirects=True)
    assert "déjà été utilisée" in again.page


def test_invitation_expires(client, login_as, mailbox, app):
    login_as(Role.EMPLOYER)
    client.post("/collectivite/membres", data={"email": "collegue@quimperle.fr"})
    link = mailbox.deliver().last_to("collegue@quimperle.fr").links()[0]
    with later(timedelta(days=15)):
        response = app.test_client().get(path_of(link), follow_redirects=True)
    assert "a expiré" in response.page


def test_revoked_invitation_no_longer_works(client, login_as, mailbox, app):
    login_as(Role.EMPLOYER)
    client.post("/collectivite/membres", data={"email": "collegue@quimperle.fr"})
    link = mailbox.deliver().last_to("collegue@quimperle.fr").links()[0]
    invitation = db.session.scalar(select(Invitation))
    client.post(f"/collectivite/membres/invitations/{invitation.id}/annuler")
    response = app.test_client().get(path_of(link), follow_redirects=True)
    assert "annulée" in response.page


def test_cannot_revoke_another_organisations_invitation(client, login_as, referential):
    other = factories.MembershipFactory(organisation__commune=referential["commercy"])
    invitation = Invitation(
        organisation=other.organisation,
        email="x@commercy.fr",
        token_hash="0" * 64,
        invited_by_id=other.user.id,
        expires_at=factories.utcnow() + timedelta(days=3),
    )
    db.session.add(invitation)
    db.session.commit()
    login_as(Role.EMPLOYER)
    response = client.post(f"/collectivite/membres/invitations/{invitation.id}/annuler")
    assert response.status_code == 404
    db.session.refresh(invitation)
    assert invitation.revoked_at is None


def test_an_existing_account_cannot_be_invited(client, login_as):
    factories.UserFactory(email="deja@exemple.fr")
    login_as(Role.EMPLOYER)
    response = client.post("/collectivite/membres", data={"email": "deja@exemple.fr"})
    assert response.status_code == 400
    assert "a déjà un compte" in response.page
