"""Forwarded headers are believed only from the configured proxies (issue 10, finding 5):
gunicorn reached directly cannot be told another client address."""

from __future__ import annotations

import pytest

from recrutement.accounts.permissions import public
from recrutement.proxies import parse_networks
from tests.conftest import test_config as base_config


@pytest.fixture
def proxied_app(app_factory, database_url, tmp_path, smtp_server, _schema):
    app = app_factory(
        {
            **base_config(database_url, tmp_path, smtp_server.port),
            "TRUSTED_PROXIES": 1,
            "FORWARDED_ALLOW_IPS": "127.0.0.1, 10.1.0.0/16",
        }
    )

    @app.get("/_peer")
    @public
    def peer():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    return app


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize("proxy", ["127.0.0.1", "10.1.4.2"])
def test_a_configured_proxy_is_believed(proxied_app, proxy):
    client = proxied_app.test_client()
    answer = client.get("/_peer", headers=FORWARDED, environ_base={"REMOTE_ADDR": proxy})
    assert answer.get_data(as_text=True) == "203.0.113.9 https"


@pytest.mark.parametrize("caller", ["198.51.100.7", "10.2.0.1", "::1", "not-an-address"])
def test_anyone_else_keeps_its_own_address(proxied_app, caller):
    client = proxied_app.test_client()
    answer = client.get("/_peer", headers=FORWARDED, environ_base={"REMOTE_ADDR": caller})
    assert answer.get_data(as_text=True) == f"{caller} http"


def test_bad_proxy_lists_are_refused():
    assert [str(network) for network in parse_networks("127.0.0.1, ::1")] == [
        "127.0.0.1/32",
        "::1/128",
    ]
    with pytest.raises(ValueError):
        parse_networks("127.0.0.1, proxy.example")
