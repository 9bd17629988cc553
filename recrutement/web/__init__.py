"""HTTP: one blueprint per audience, each a thin layer over the domain services.

Each audience is a package (public, auth, candidate, employer, prefecture, pilotage,
api) whose `__init__` makes its blueprint and imports its view modules, which add
their routes to it. Helpers used by several audiences are the modules at this level.
`register(app)` is the one place that attaches the web layer to the application.
"""

from __future__ import annotations

from flask import Flask

from recrutement.web import api, auth, candidate, employer, pilotage, prefecture, public
from recrutement.web.data_inventory import personal_data_inventory
from recrutement.web.errors import init_errors

BLUEPRINTS = (
    public.bp,
    auth.bp,
    candidate.bp,
    employer.bp,
    prefecture.bp,
    pilotage.bp,
    api.bp,
)


def register(app: Flask) -> None:
    """Attach the French error pages, what several audiences' templates read, and every
    blueprint (with all its routes) to `app`."""
    init_errors(app)
    app.context_processor(personal_data_inventory)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
