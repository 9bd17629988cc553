"""Guessing passwords cannot lock the owner out (issue 10, finding 4): failures count per
account only for browsers that never signed in to it (device cookies), and successful
logins never count against an address."""

from __future__ import annotations

from recrutement.accounts.devices import DEVICE_COOKIE
from tests import factories


def post_login(client, email, password, address="192.0.2.10"):
    return client.post(
        "/connexion",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_owner_gets_in_from_a_known_browser_after_a_guessing_attack(app, referential):
    owner = factories.UserFactory(email="cible@exemple.fr")
    own_browser = app.test_client()
    assert post_login(own_browser, owner.email, factories.PASSWORD).status_code == 302
    assert own_browser.get_cookie(DEVICE_COOKIE) is not None
    own_browser.post("/deconnexion")

    # Ten wrong passwords from ten addresses: unknown browsers are now refused...
    for attempt in range(10):
        assert (
            post_login(app.test_client(), owner.email, "mauvais", f"10.9.0.{attempt}").status_code
            == 400
        )
    assert (
        post_login(app.test_client(), owner.email, factories.PASSWORD, "10.9.1.1").status_code
        == 429
    )
    # ... but the owner's browser, which signed in before, still opens the account.
    assert post_login(own_browser, owner.email, factories.PASSWORD).status_code == 302


def test_a_device_cookie_of_another_account_is_no_pass(app, referential):
    other = factories.UserFactory(email="autre@exemple.fr")
    target = factories.UserFactory(email="cible@exemple.fr")
    browser = app.test_client()
    assert post_login(browser, other.email, factories.PASSWORD).status_code == 302
    browser.post("/deconnexion")
    for attempt in range(10):
        post_login(app.test_client(), target.email, "mauvais", f"10.8.0.{attempt}")
    assert post_login(browser, target.email, factories.PASSWORD).status_code == 429


def test_a_forged_device_cookie_is_ignored(app, referential):
    target = factories.UserFactory(email="cible@exemple.fr")
    for attempt in range(10):
        post_login(app.test_client(), target.email, "mauvais", f"10.7.0.{attempt}")
    forged = app.test_client()
    forged.set_cookie(DEVICE_COOKIE, "eyJ1IjoxLCJkIjoieCJ9.faux.faux", domain="localhost")
    assert post_login(forged, target.email, factories.PASSWORD).status_code == 429


def test_successful_logins_do_not_use_up_an_address(app, referential):
    """A préfecture's agents behind one outgoing address all sign in, 30 times over."""
    agents = [factories.UserFactory(email=f"agent{number}@exemple.fr") for number in range(6)]
    statuses = []
    for _ in range(5):
        for agent in agents:
            browser = app.test_client()
            statuses.append(post_login(browser, agent.email, factories.PASSWORD).status_code)
    assert statuses == [302] * 30
