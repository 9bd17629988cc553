"""Static URLs carry the file's fingerprint in production (recrutement/static_files.py),
which lets nginx have them cached for a year."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import url_for

from recrutement import create_app
from recrutement.static_files import file_fingerprint

ROOT = Path(__file__).resolve().parents[2]


def production_app(tmp_path):
    return create_app(
        {
            "APP_ENV": "production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        }
    )


def test_production_static_urls_carry_the_file_hash(tmp_path):
    expected = hashlib.sha256((ROOT / "static/css/app.css").read_bytes()).hexdigest()[:12]
    with production_app(tmp_path).test_request_context():
        assert url_for("static", filename="css/app.css") == f"/static/css/app.css?v={expected}"
        # A missing file gets a plain URL (and its 404), not an error while rendering.
        assert url_for("static", filename="css/missing.css") == "/static/css/missing.css"


def test_production_serves_the_fingerprinted_url(tmp_path):
    app = production_app(tmp_path)
    with app.test_request_context():
        url = url_for("static", filename="js/mobility.js")
    response = app.test_client().get(url, base_url="https://localhost")
    assert response.status_code == 200
    assert response.data == (ROOT / "static/js/mobility.js").read_bytes()
    response.close()


def test_other_environments_keep_plain_urls(app):
    with app.test_request_context():
        assert url_for("static", filename="css/app.css") == "/static/css/app.css"


def test_fingerprint_follows_the_content_and_stays_in_the_folder(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "a.css").write_text("a { color: red }")
    (tmp_path / "secret.txt").write_text("outside")
    first = file_fingerprint(folder, "a.css")
    (folder / "a.css").write_text("a { color: blue }")
    assert file_fingerprint(folder, "a.css") != first
    assert len(first or "") == 12
    assert file_fingerprint(folder, "../secret.txt") is None
    assert file_fingerprint(folder, "nothing.css") is None
