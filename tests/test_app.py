"""Application-wide behaviour: configuration, health check, headers, error pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from recrutement import create_app
from recrutement.config import ConfigurationError, load_config
from recrutement.search.index import INDEX_NAME, index_state
from recrutement.web.public import pages
from tests import factories


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config({"APP_ENV": "production"})
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config({"APP_ENV": "production", "SECRET_KEY": "too-short"})


def test_production_config_secures_cookies_and_trusts_one_proxy():
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 40})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["TRUSTED_PROXIES"] == 1


def test_unknown_app_env_is_refused():
    with pytest.raises(ConfigurationError, match="APP_ENV"):
        load_config({"APP_ENV": "staging"})


def test_database_url_of_a_paas_is_normalised_to_psycopg():
    config = load_config({"DATABASE_URL": "postgres://u:p@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h/db"


def test_healthz_reports_database_and_index(client):
    client.get("/healthz")  # a new test app starts without an index: the first call builds it
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "search_index": "ok"}


def test_healthz_rebuilds_a_missing_index_instead_of_serving_it_broken(app, client, tmp_path):
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "empty-index")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["search_index"] == "reconstruit (était absent)"
    assert client.get("/healthz").json["search_index"] == "ok"


# The longest a corrupt search index may pass for sound on /healthz (pages.py).
INDEX_CHECK_BOUND_SECONDS = 30


class Clock:
    """Stands for time.monotonic in /healthz's index check, so a test can pass its bound."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def healthz_clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(pages, "_clock", clock)
    return clock


@pytest.fixture
def full_index_checks(monkeypatch):
    """The directories /healthz opened and read the index of, in order (the real check runs)."""
    checked = []

    def check_and_count(directory=None):
        checked.append(directory)
        return index_state(directory)

    monkeypatch.setattr(pages, "index_state", check_and_count)
    return checked


def test_healthz_does_not_reopen_a_healthy_index_until_its_check_is_due(
    client, healthz_clock, full_index_checks
):
    client.get("/healthz")  # builds the index
    assert client.get("/healthz").json["search_index"] == "ok"
    checks = len(full_index_checks)
    assert checks == 2  # the one that found no index, the one that found it whole
    for _ in range(5):
        healthz_clock.now += 5
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json == {"status": "ok", "database": "ok", "search_index": "ok"}
    assert len(full_index_checks) == checks  # 25 s later: looked for, never reopened
    healthz_clock.now += INDEX_CHECK_BOUND_SECONDS - 25
    assert client.get("/healthz").json["search_index"] == "ok"
    assert len(full_index_checks) == checks + 1


# Whoosh does not close the files of a segment it fails to read.
@pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)
def test_healthz_finds_a_corrupt_index_within_its_bound(app, client, referential, healthz_clock):
    factories.OfferFactory(organisation__commune=referential["quimperle"])
    assert client.get("/healthz").json["search_index"] == "ok"
    segments = list(Path(app.config["SEARCH_INDEX_DIR"]).glob(f"{INDEX_NAME}_*.*"))
    assert segments
    for segment in segments:
        segment.write_bytes(b"\x00garbage" * 64)
    healthz_clock.now += INDEX_CHECK_BOUND_SECONDS - 1
    # Within the bound the last full check is trusted: the damage is not seen yet.
    assert client.get("/healthz").json["search_index"] == "ok"
    healthz_clock.now += 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["search_index"] == "reconstruit (était corrompu)"
    assert client.get("/healthz").json["search_index"] == "ok"


def test_healthz_finds_a_deleted_index_at_once(app, client, healthz_clock):
    client.get("/healthz")
    assert client.get("/healthz").json["search_index"] == "ok"
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    response = client.get("/healthz")  # at the same instant: well within the bound
    assert response.status_code == 200
    assert response.json["search_index"] == "reconstruit (était absent)"


def test_healthz_answers_503_when_the_database_is_down(tmp_path):
    unreachable = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/nothing",
            "UPLOAD_DIR": str(tmp_path / "u"),
            "SEARCH_INDEX_DIR": str(tmp_path / "i"),
        }
    )
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "erreur"
    assert response.json["status"] == "degraded"


def test_security_headers_on_every_response(client):
    for path in ("/", "/connexion", "/page-inexistante", "/healthz"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        assert re.search(r"script-src 'self' 'nonce-[\w-]{20,}'", csp)
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # only in production


def test_every_script_tag_carries_the_response_nonce(client):
    response = client.get("/")
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.page
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts, "the layout loads the DSFR scripts"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert ' style="' not in page  # the CSP forbids inline styles


def test_nonce_changes_with_each_response(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_hsts_in_production(app_factory, tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    app = app_factory(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": str(tmp_path / "u"),
            "SEARCH_INDEX_DIR": str(tmp_path / "i"),
        }
    )
    response = app.test_client().get("/mentions-legales")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(
    ("path", "code", "title"),
    [
        ("/page-inexistante", 404, "Page non trouvée"),
        ("/candidat/", 302, None),
    ],
)
def test_error_pages_are_french(client, path, code, title):
    response = client.get(path)
    assert response.status_code == code
    if title:
        page = response.page
        assert title in page
        assert '<html lang="fr"' in page


def test_method_not_allowed_is_french(client):
    response = client.get("/deconnexion")
    assert response.status_code == 405
    assert "Méthode non autorisée" in response.page


def test_api_errors_are_json(client):
    response = client.get("/api/v1/inexistant")
    assert response.status_code == 404
    assert response.json["erreur"] == "Page non trouvée"


def test_oversized_request_gets_the_french_413_page(client):
    response = client.post("/connexion", data={"email": "x" * (7 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.page


def test_post_without_csrf_token_is_refused_in_french(client, referential):
    response = client.post("/connexion", data={"email": "a@b.fr", "password": "x"}, csrf=False)
    assert response.status_code == 400
    assert "jeton de sécurité" in response.page


def test_unexpected_error_gets_the_french_500_page_without_details(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    boom.access = "public"
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Erreur inattendue" in response.page
    assert "kaboom" not in response.page


def test_legal_pages_have_real_content(client):
    expectations = {
        "/accessibilite": ["RGAA", "Défenseur des droits", "non conforme", "audit"],
        "/mentions-legales": ["Agence nationale de la cohésion des territoires"],
        "/donnees-personnelles": ["CNIL", "conservation"],
    }
    for path, phrases in expectations.items():
        page = client.get(path).page
        for phrase in phrases:
            assert phrase in page, (path, phrase)


def test_footer_links_to_the_mandatory_pages(client):
    page = client.get("/").page
    for path in ("/accessibilite", "/mentions-legales", "/donnees-personnelles"):
        assert f'href="{path}"' in page


def test_moments_are_shown_in_paris_time():
    from datetime import UTC, datetime

    from recrutement.core.time import paris_datetime

    assert paris_datetime(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == "16/01/2026 à 00:30"
    assert paris_datetime(datetime(2026, 7, 1, 8, 5, tzinfo=UTC)) == "01/07/2026 à 10:05"
    assert paris_datetime(None) == ""


def test_pages_are_never_kept_by_shared_caches(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/connexion").headers["Cache-Control"] == "no-store"
