"""The layout's remembered URLs (`static_url`, `page_url`, recrutement/static_files.py)
and the security headers built from precomputed parts (recrutement/security.py) give
exactly what they replace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string, url_for

from recrutement import create_app
from recrutement.security import content_security_policy
from recrutement.static_files import init_static_fingerprints

LAYOUT_FILES = (
    "dsfr/dsfr.min.css",
    "css/app.css",
    "dsfr/favicon/manifest.webmanifest",
    "dsfr/dsfr.module.min.js",
    "css/offers.css",
    "css/missing.css",
)
LAYOUT_PAGES = ("public.home", "auth.login", "auth.logout", "public.statistics")


def production_app(tmp_path: Path) -> Flask:
    return create_app(
        {
            "APP_ENV": "production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        }
    )


def remembered(app: Flask, call: str, base_url: str = "http://localhost/") -> str:
    with app.test_request_context(base_url=base_url):
        return render_template_string("{{ " + call + " }}")


@pytest.mark.parametrize("filename", LAYOUT_FILES)
def test_static_url_is_url_for_static_in_production_and_tests(app, tmp_path, filename):
    for each in (production_app(tmp_path), app):
        with each.test_request_context():
            expected = url_for("static", filename=filename)
        # Twice: built, then remembered.
        assert remembered(each, f"static_url({filename!r})") == expected
        assert remembered(each, f"static_url({filename!r})") == expected


@pytest.mark.parametrize("endpoint", LAYOUT_PAGES)
def test_page_url_is_url_for(app, endpoint):
    with app.test_request_context():
        expected = url_for(endpoint)
    assert remembered(app, f"page_url({endpoint!r})") == expected
    assert remembered(app, f"page_url({endpoint!r})") == expected


def test_page_url_refuses_a_relative_endpoint(app):
    with pytest.raises(ValueError, match="absolute endpoint"):
        remembered(app, "page_url('.home')")


def test_remembered_urls_follow_where_the_application_is_mounted(app, tmp_path):
    production = production_app(tmp_path)
    plain = remembered(production, "static_url('css/app.css')")
    assert plain.startswith("/static/css/app.css?v=")
    mounted = remembered(production, "static_url('css/app.css')", "http://localhost/pvd/")
    assert mounted == "/pvd" + plain
    assert remembered(production, "static_url('css/app.css')") == plain
    assert remembered(app, "page_url('public.legal_notice')", "http://localhost/pvd/") == (
        "/pvd" + remembered(app, "page_url('public.legal_notice')")
    )


def test_a_new_process_sees_a_changed_file(tmp_path):
    """A release changes the files and starts new processes: each application hashes
    the files anew, so the URL changes and browsers fetch the new file."""
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "a.css").write_text("a { color: red }")

    def new_app() -> Flask:
        app = Flask(__name__, static_folder=str(folder))
        app.config["APP_ENV"] = "production"
        init_static_fingerprints(app)
        return app

    before = new_app()
    first = remembered(before, "static_url('a.css')")
    (folder / "a.css").write_text("a { color: blue }")
    second = remembered(new_app(), "static_url('a.css')")
    assert re.fullmatch(r"/static/a\.css\?v=[0-9a-f]{12}", first)
    assert re.fullmatch(r"/static/a\.css\?v=[0-9a-f]{12}", second)
    assert first != second


def test_the_policy_is_the_whole_directive_list_around_the_nonce():
    assert content_security_policy("abc-123") == (
        "default-src 'self'; script-src 'self' 'nonce-abc-123'; style-src 'self'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


def test_each_response_carries_its_own_nonce_in_header_and_scripts(client):
    nonces = []
    for _ in range(3):
        response = client.get("/")
        csp = response.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([\w-]{20,})'", csp).group(1)
        scripts = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
        assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
        nonces.append(nonce)
    assert len(set(nonces)) == 3
