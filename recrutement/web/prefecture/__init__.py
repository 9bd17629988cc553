"""The space of préfectures and ANAH delegations (/prefecture/...): home, the
collectivités to validate, the dashboard, the instruction of cofunding requests.

The blueprint is made first; its view modules, imported at the bottom, add their
routes to it (the one place where that pattern is used: each audience's package).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("prefecture", __name__, url_prefix="/prefecture")

from recrutement.web.prefecture import dashboard, home, request_queue, requests  # noqa: E402, F401, I001
