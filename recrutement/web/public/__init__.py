"""What anyone may read, signed in or not: the home and legal pages, the offers, the
search, the statistics, the cofunding simulator, and two pages reached from a mail or
an offer (an alert's unsubscribe link, applying, which asks a candidate's session).

The blueprint is made first; its view modules, imported at the bottom, add their
routes to it (the one place where that pattern is used: each audience's package).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)

from recrutement.web.public import (  # noqa: E402, F401, I001
    apply,
    metrics,
    offers,
    pages,
    search,
    simulator,
    statistics,
    unsubscribe,
)
