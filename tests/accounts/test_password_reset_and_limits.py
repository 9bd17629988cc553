"""Password reset by mail, and the rate limits on login and reset."""

from __future__ import annotations

import time
from datetime import timedelta

from recrutement.accounts.passwords import verify_password
from recrutement.extensions import db
from tests import factories
from tests.support import later, path_of

NEW_PASSWORD = "un tout nouveau mot de passe"


def ask_reset(client, email):
    return client.post("/mot-de-passe/oublie", data={"email": email})


def test_reset_password_by_mail_ends_other_sessions(app, client, mailbox, referential):
    user = factories.UserFactory(email="agent@exemple.fr")
    other_browser = app.test_client()
    other_browser.post("/connexion", data={"email": user.email, "password": factories.PASSWORD})
    assert other_browser.get("/candidat/").status_code == 200

    response = ask_reset(client, "Agent@exemple.fr")
    assert response.headers["Location"] == "/connexion"
    mail = mailbox.deliver().last_to("agent@exemple.fr")
    link = next(link for link in mail.links() if "/mot-de-passe/reinitialiser/" in link)

    form = client.get(path_of(link))
    assert "agent@exemple.fr" in form.page
    done = client.post(
        path_of(link), data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )
    assert done.headers["Location"] == "/connexion"
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)

    # The old session elsewhere is over, and the owner is told by mail.
    assert other_browser.get("/candidat/").status_code == 302
    assert "a été modifié" in mailbox.deliver().last_to("agent@exemple.fr").subject

    # The link worked once.
    reused = client.get(path_of(link), follow_redirects=True)
    assert "déjà été utilisé" in reused.page


def test_reset_for_unknown_email_answers_the_same_and_sends_nothing(client, mailbox):
    response = ask_reset(client, "personne@exemple.fr")
    assert response.headers["Location"] == "/connexion"
    follow = client.get("/connexion").page
    assert "Si un compte existe pour cette adresse" in follow
    assert mailbox.deliver().received == []


def test_reset_link_expires_after_one_hour(client, mailbox, referential):
    factories.UserFactory(email="agent@exemple.fr")
    ask_reset(client, "agent@exemple.fr")
    link = mailbox.deliver().last_to("agent@exemple.fr").links()[0]
    with later(timedelta(minutes=61)):
        response = client.get(path_of(link), follow_redirects=True)
    assert "a expiré" in response.page


def test_reset_refuses_a_weak_password_and_keeps_the_old_one(client, mailbox, referential):
    user = factories.UserFactory(email="agent@exemple.fr")
    ask_reset(client, "agent@exemple.fr")
    link = mailbox.deliver().last_to("agent@exemple.fr").links()[0]
    response = client.post(
        path_of(link), data={"password": "court", "password_confirmation": "court"}
    )
    assert response.status_code == 400
    db.session.refresh(user)
    assert verify_password(user.password_hash, factories.PASSWORD)


def test_most_of_100_rapid_wrong_logins_from_one_address_are_refused(client, referential):
    factories.UserFactory(email="cible@exemple.fr")
    statuses = [
        client.post(
            "/connexion", data={"email": f"essai{attempt % 7}@exemple.fr", "password": "mauvais"}
        ).status_code
        for attempt in range(100)
    ]
    refused = statuses.count(429)
    assert refused >= 75, statuses
    assert set(statuses) <= {400, 429}


def test_login_attempts_on_one_account_are_limited_across_addresses(app, referential):
    factories.UserFactory(email="cible@exemple.fr")
    statuses = []
    for attempt in range(15):
        client = app.test_client()
        response = client.post(
            "/connexion",
            data={"email": "cible@exemple.fr", "password": "mauvais"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"},
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429] * 5


def test_429_page_is_french_and_says_when_to_retry(client, referential):
    for _ in range(25):
        response = client.post("/connexion", data={"email": "x@exemple.fr", "password": "mauvais"})
    assert response.status_code == 429
    page = response.page
    assert "Trop de tentatives" in page
    assert "minute" in page
    assert int(response.headers["Retry-After"]) > 0


def test_limits_lift_when_the_window_is_over(client, referential):
    user = factories.UserFactory()
    for _ in range(25):
        client.post("/connexion", data={"email": "x@exemple.fr", "password": "mauvais"})
    with later(timedelta(minutes=16)):
        response = client.post(
            "/connexion", data={"email": user.email, "password": factories.PASSWORD}
        )
    assert response.status_code == 302


def test_password_reset_answers_the_same_whatever_the_email(client, mailbox, referential):
    """Finding 6: an existing email answered 302, 302, 302, 429, an unknown one 302 four
    times, and faster. Now both answer 302 every time, after the same minimum time; the
    account still gets at most three mails an hour."""
    factories.UserFactory(email="agent@exemple.fr")
    for email in ("agent@exemple.fr", "personne@exemple.fr"):
        timings, statuses = [], []
        for _ in range(5):
            started = time.monotonic()
            statuses.append(ask_reset(client, email).status_code)
            timings.append(time.monotonic() - started)
        assert statuses == [302] * 5, email
        assert min(timings) >= 0.25, (email, timings)
    assert len(mailbox.deliver().to("agent@exemple.fr")) == 3
    assert mailbox.to("personne@exemple.fr") == []
