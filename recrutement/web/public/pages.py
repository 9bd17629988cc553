"""Public pages: home, legal pages, health check."""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template
from sqlalchemy import text

from recrutement.accounts.permissions import public
from recrutement.extensions import db
from recrutement.search.index import ensure_index, index_state
from recrutement.web.public import bp


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
        f"Sitemap: {current_app.config['BASE_URL']}/sitemap.xml",
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


def _index_state() -> tuple[str, bool]:
    """The search index's state and whether it can serve; a missing or corrupt
    index is rebuilt from the database rather than served broken."""
    state = index_state()
    if state == "ok":
        return state, True
    try:
        ensure_index()
    except Exception as error:  # noqa: BLE001 — report it: the check must answer
        current_app.logger.error("healthz: index rebuild failed", extra={"error": str(error)})
        return state, False
    return f"reconstruit (était {state})", True


@bp.get("/healthz")
@public
def healthz():
    """Machine-readable state for the load balancer and monitoring."""
    index, index_usable = _index_state()
    checks = {"database": _database_state(), "search_index": index}
    healthy = checks["database"] == "ok" and index_usable
    body = {"status": "ok" if healthy else "degraded", **checks}
    return jsonify(body), 200 if healthy else 503
