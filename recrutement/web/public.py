"""Public pages: home, legal pages, health check."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template
from sqlalchemy import text

from recrutement.accounts.permissions import public
from recrutement.extensions import db

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def home():
    return render_template("public/home.html")


@bp.get("/accessibilite")
@public
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/mentions-legales")
@public
def legal_notice():
    return render_template("public/legal_notice.html")


@bp.get("/donnees-personnelles")
@public
def personal_data():
    return render_template("public/personal_data.html")


@bp.get("/robots.txt")
@public
def robots():
    lines = [
        "User-agent: *",
        "Disallow: /candidat/",
        "Disallow: /collectivite/",
        "Disallow: /prefecture/",
        "Disallow: /pilotage/",
        "Disallow: /connexion",
        "Disallow: /inscription/",
        "Disallow: /mot-de-passe/",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


def _database_state() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:  # noqa: BLE001 — any failure means "down"
        current_app.logger.error("healthz: database unreachable", extra={"error": str(error)})
        db.session.rollback()
        return "erreur"


def _index_directory_state() -> str:
    directory = Path(current_app.config["SEARCH_INDEX_DIR"])
    if not directory.is_dir():
        return "absent"
    if not os.access(directory, os.W_OK):
        return "non inscriptible"
    return "ok"


@bp.get("/healthz")
@public
def healthz():
    """Machine-readable state for the load balancer and monitoring."""
    checks = {"database": _database_state(), "search_index": _index_directory_state()}
    healthy = all(state == "ok" for state in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    return jsonify(body), 200 if healthy else 503
