"""Sessions end on the server (issue 10, finding 1): at logout, after an idle period and
past an absolute lifetime, shorter for staff; a copy of an old cookie opens nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from recrutement.accounts.models import Role, UserSession
from recrutement.accounts.sessions import purge_sessions
from recrutement.extensions import db
from tests import factories
from tests.cofunding.test_instruction_pages import sign_in

HOMES = {Role.CANDIDATE: "/candidat/", Role.PREFECTURE: "/prefecture/", Role.ADMIN: "/pilotage/"}


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def browser_with(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie, domain="localhost")
    return other


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app, client, login_as):
    login_as(Role.CANDIDATE)
    copied = session_cookie(client)
    assert browser_with(app, copied).get("/candidat/").status_code == 200
    client.post("/deconnexion")
    stolen = browser_with(app, copied).get("/candidat/")
    assert stolen.status_code == 302 and stolen.headers["Location"].startswith("/connexion")
    assert db.session.scalar(select(UserSession.ended_at)) is not None


def test_a_new_login_is_a_new_session_row(client, login_as):
    user = login_as(Role.CANDIDATE)
    client.post("/deconnexion")
    client.post("/connexion", data={"email": user.email, "password": factories.PASSWORD})
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 2


def moment(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("role", "idle_minutes", "absolute_hours"),
    [(Role.CANDIDATE, 120, 24), (Role.PREFECTURE, 30, 10), (Role.ADMIN, 30, 10)],
)
def test_idle_and_absolute_lifetimes(client, login_as, role, idle_minutes, absolute_hours):
    home = HOMES[role]
    with time_machine.travel(START, tick=False) as clock:
        login_as(role)
        clock.move_to(moment(idle_minutes - 1))
        assert client.get(home).status_code == 200  # still alive; the request counts
        clock.move_to(moment(2 * idle_minutes - 2))
        assert client.get(home).status_code == 200
        clock.move_to(moment(3 * idle_minutes))  # idle for idle_minutes + 2
        expired = client.get(home, follow_redirects=True)
        assert "Votre session a expiré" in expired.page

    with time_machine.travel(START, tick=False) as clock:
        login_as(role)
        minutes = 0.0
        # Active all along, every half idle period: still ended at the absolute limit.
        while minutes + idle_minutes / 2 < absolute_hours * 60:
            minutes += idle_minutes / 2
            clock.move_to(moment(minutes))
            assert client.get(home).status_code == 200, minutes
        clock.move_to(moment(absolute_hours * 60 + 1))
        assert client.get(home).status_code == 302


def test_staff_sessions_are_shorter_than_candidates(app, referential):
    candidate = factories.UserFactory(role=Role.CANDIDATE)
    agent = factories.UserFactory(role=Role.PREFECTURE)
    agent.departments = [referential["departments"]["29"]]
    db.session.commit()
    with time_machine.travel(START, tick=False) as clock:
        candidate_browser, agent_browser = sign_in(app, candidate), sign_in(app, agent)
        clock.move_to(moment(45))
        assert candidate_browser.get("/candidat/").status_code == 200  # 2 h for candidates
        assert agent_browser.get("/prefecture/").status_code == 302  # 30 min for staff


def test_purge_drops_old_sessions_only(client, login_as):
    with time_machine.travel(START, tick=False) as clock:
        login_as(Role.CANDIDATE)
        client.post("/deconnexion")
        login_as(Role.CANDIDATE)
        clock.move_to(START + timedelta(days=2))
        assert purge_sessions() == 2
    login_as(Role.CANDIDATE)
    assert purge_sessions() == 0
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
