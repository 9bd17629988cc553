"""Every route declares who may reach it; everything else is refused.

These tests walk the whole URL map, so a route added later is covered without
anyone writing a test for it.
"""

from __future__ import annotations

import pytest

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import PUBLIC, view_access

# The routes anyone may reach. Adding one here is a decision: review it.
DECLARED_PUBLIC = {
    "static",
    "public.home",
    "public.accessibility",
    "public.legal_notice",
    "public.personal_data",
    "public.robots",
    "public.healthz",
    "public.metrics",
    "auth.login",
    "auth.signup_candidate",
    "auth.signup_employer",
    "auth.confirm_email",
    "auth.resend_confirmation",
    "auth.password_forgotten",
    "auth.reset_password",
    "auth.accept_invitation",
    "api.collectivities",
    "public.offer",
    "public.offer_attachment",
    "public.organisation",
    "public.feed",
    "public.sitemap",
    "public.search",
    "public.alert_unsubscribe",
    "public.simulator",
    "api.api_simulator",
    "api.api_search",
    "api.api_offer",
    "public.statistics",
    "public.statistics_csv",
    "public.statistics_xlsx",
    "api.api_statistics",
}

# Which role each private area serves.
AREA_ROLES = {
    "/candidat/": {Role.CANDIDATE},
    "/collectivite/": {Role.EMPLOYER},
    "/prefecture/": {Role.PREFECTURE, Role.ANAH},
    "/pilotage/": {Role.ADMIN},
}


def sample_url(app, rule) -> str:
    """A concrete URL for a rule, with a plausible value for each argument."""
    values = {}
    for argument in rule.arguments:
        converter = rule._converters[argument]
        kind = type(converter).__name__
        if kind == "IntegerConverter":
            values[argument] = 1
        elif kind == "AnyConverter":
            values[argument] = sorted(converter.items)[0]
        else:
            values[argument] = "x"
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def private_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in DECLARED_PUBLIC]


def test_every_route_declares_its_audience(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules() if view_access(rule.endpoint) is None
    ]
    assert undeclared == []


def test_public_routes_are_exactly_the_declared_ones(app):
    public = {
        rule.endpoint for rule in app.url_map.iter_rules() if view_access(rule.endpoint) == PUBLIC
    }
    assert public == DECLARED_PUBLIC


def test_every_private_route_lies_in_an_area_that_matches_its_roles(app):
    for rule in private_rules(app):
        if rule.endpoint in ("auth.logout", "public.apply"):
            continue  # logout serves every role; applying lives at the offer's address
        area = next((prefix for prefix in AREA_ROLES if rule.rule.startswith(prefix)), None)
        assert area is not None, f"{rule.rule} is outside the role areas"
        assert view_access(rule.endpoint) <= AREA_ROLES[area], rule.endpoint


def test_anonymous_visitor_is_refused_every_private_route(app, client):
    checked = 0
    for rule in private_rules(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(sample_url(app, rule), method=method)
            assert response.status_code in (302, 401), (rule.rule, method, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/connexion?next="), rule.rule
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_the_other_roles_areas(app, client, login_as, role):
    login_as(role)
    checked = 0
    for rule in private_rules(app):
        access = view_access(rule.endpoint)
        if role in access:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(sample_url(app, rule), method=method)
            assert response.status_code == 403, (role, rule.rule, method, response.status_code)
            assert "Accès refusé" in response.page
            checked += 1
    assert checked >= 5


def test_signed_in_users_land_on_their_role_home(app, client, login_as):
    homes = {
        Role.CANDIDATE: "/candidat/",
        Role.EMPLOYER: "/collectivite/",
        Role.PREFECTURE: "/prefecture/",
        Role.ANAH: "/prefecture/",
        Role.ADMIN: "/pilotage/",
    }
    for role, home in homes.items():
        client.post("/deconnexion")
        login_as(role)
        response = client.get("/connexion")
        assert response.headers["Location"] == home
        assert client.get(home).status_code == 200
