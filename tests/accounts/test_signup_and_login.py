"""Candidate sign-up with email confirmation, login, logout, sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from recrutement.accounts.models import Role, User
from recrutement.extensions import db
from tests import factories
from tests.support import later, path_of

GOOD_PASSWORD = "trois mots solides ensemble"


def sign_up(client, email="lea.moreau@exemple.fr", password=GOOD_PASSWORD, **overrides):
    data = {
        "first_name": "Léa",
        "last_name": "Moreau",
        "email": email,
        "password": password,
        "password_confirmation": password,
        **overrides,
    }
    return client.post("/inscription/candidat", data=data)


def login(client, email, password=GOOD_PASSWORD, next_url=None):
    url = "/connexion" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_candidate_signs_up_confirms_by_mail_and_logs_in(client, mailbox):
    response = sign_up(client)
    assert response.status_code == 200
    assert "Consultez votre messagerie" in response.page

    # Before confirmation, login is refused with a way to get a new link.
    refused = login(client, "lea.moreau@exemple.fr")
    assert refused.status_code == 400
    assert "pas encore confirmée" in refused.page

    mail = mailbox.deliver().last_to("lea.moreau@exemple.fr")
    assert "Confirmez votre adresse" in mail.subject
    assert "valable une heure" in mail.text
    confirm_link = next(link for link in mail.links() if "/inscription/confirmer/" in link)
    assert mail.html and confirm_link in mail.html

    confirmed = client.get(path_of(confirm_link))
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/connexion"

    logged_in = login(client, "LEA.Moreau@exemple.fr ")
    assert logged_in.status_code == 302
    assert logged_in.headers["Location"] == "/candidat/"
    assert "Bonjour Léa" in client.get("/candidat/").page


def test_confirmation_link_works_only_once(client, mailbox):
    sign_up(client)
    link = mailbox.deliver().last_to("lea.moreau@exemple.fr").links()[0]
    assert client.get(path_of(link)).status_code == 302
    again = client.get(path_of(link), follow_redirects=True)
    assert "déjà été utilisé" in again.page


def test_confirmation_link_expires_after_one_hour(client, mailbox):
    sign_up(client)
    link = mailbox.deliver().last_to("lea.moreau@exemple.fr").links()[0]
    with later(timedelta(hours=1, minutes=1)):
        expired = client.get(path_of(link), follow_redirects=True)
    assert "a expiré" in expired.page
    user = db.session.scalar(select(User).where(User.email == "lea.moreau@exemple.fr"))
    assert user.email_confirmed_at is None


def test_tampered_token_is_refused(client):
    response = client.get("/inscription/confirmer/abc.def.ghi", follow_redirects=True)
    assert "n'est pas valide" in response.page


def test_resend_confirmation_sends_a_new_link(client, mailbox):
    sign_up(client)
    mailbox.deliver()
    mailbox.clear()
    client.post("/inscription/renvoyer-confirmation", data={"email": "lea.moreau@exemple.fr"})
    assert mailbox.deliver().last_to("lea.moreau@exemple.fr").links()


def test_signup_keeps_what_was_typed_when_refused(client):
    response = sign_up(client, password="court")
    page = response.page
    assert response.status_code == 400
    assert "au moins 12 caractères" in page
    assert 'value="lea.moreau@exemple.fr"' in page
    assert 'value="Léa"' in page
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_password_rules(client):
    assert "trop courant" in sign_up(client, password="azertyuiop123").page
    assert "trop courant" in sign_up(client, password="aaaaaaaaaaaaaaaa").page
    contains_email = sign_up(client, email="jean.dupont@exemple.fr", password="jean.dupont-2026!")
    assert "ne doit pas contenir votre adresse" in contains_email.page
    too_long = sign_up(client, password="x1" * 70)
    assert "au plus 128" in too_long.page
    mismatch = sign_up(client, password_confirmation="autre chose tout à fait")
    assert "pas identiques" in mismatch.page
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_email_already_taken_is_refused(client):
    factories.UserFactory(email="lea.moreau@exemple.fr")
    response = sign_up(client, email="Lea.Moreau@exemple.fr")
    assert response.status_code == 400
    assert "Un compte existe déjà" in response.page


def test_passwords_are_stored_as_argon2id_hashes(client):
    sign_up(client)
    user = db.session.scalar(select(User))
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in user.password_hash


def test_wrong_password_and_unknown_email_get_the_same_message(client, referential):
    factories.UserFactory(email="connu@exemple.fr")
    wrong_password = login(client, "connu@exemple.fr", "mauvais mot de passe")
    unknown = login(client, "inconnu@exemple.fr", "mauvais mot de passe")
    for response in (wrong_password, unknown):
        assert response.status_code == 400
        assert "Adresse électronique ou mot de passe incorrect." in response.page


def test_login_starts_a_new_session(client, referential):
    user = factories.UserFactory()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user.email, factories.PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")


def test_logout_needs_a_post_with_csrf(client, login_as):
    login_as(Role.CANDIDATE)
    assert client.get("/deconnexion").status_code == 405
    assert client.post("/deconnexion", csrf=False).status_code == 400
    assert client.get("/candidat/").status_code == 200
    response = client.post("/deconnexion")
    assert response.headers["Location"] == "/"
    assert client.get("/candidat/").status_code == 302


def test_login_follows_a_local_next_but_never_an_external_one(client, referential):
    user = factories.UserFactory()
    response = login(client, user.email, factories.PASSWORD, next_url="/candidat/")
    assert response.headers["Location"] == "/candidat/"
    for evil in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        client.post("/deconnexion")
        response = login(client, user.email, factories.PASSWORD, next_url=evil)
        assert response.headers["Location"] == "/candidat/", evil


def test_anonymous_visitor_is_sent_to_login_then_back(client, referential):
    response = client.get("/candidat/")
    assert response.headers["Location"] == "/connexion?next=/candidat/"


def test_disabled_account_cannot_log_in(client, referential):
    user = factories.UserFactory(is_active_account=False)
    assert login(client, user.email, factories.PASSWORD).status_code == 400


def test_session_cookie_is_httponly_and_lax(client, referential):
    user = factories.UserFactory()
    response = login(client, user.email, factories.PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
