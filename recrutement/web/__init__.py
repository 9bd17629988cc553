"""HTTP: one blueprint per audience, each a thin layer over the domain services.

`register(app)` is the one place that attaches the web layer to the application:
the French error pages, then every blueprint.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the error handlers and every blueprint (with all their routes) to `app`."""
    from recrutement.web import (
        api,
        auth,
        candidate,
        employer,
        pilotage,
        pilotage_admin,  # noqa: F401  (ANCT's administration: accounts and organisations)
        pilotage_dashboard,  # noqa: F401  (ANCT's dashboard)
        pilotage_requests,  # noqa: F401  (every cofunding request, read-only, for ANCT)
        prefecture,
        prefecture_dashboard,  # noqa: F401  (the préfecture's dashboard)
        prefecture_requests,  # noqa: F401  (the instruction of cofunding requests)
        public,
    )
    from recrutement.web.data_inventory import personal_data_inventory
    from recrutement.web.errors import init_errors

    init_errors(app)
    app.context_processor(personal_data_inventory)
    for blueprint in (
        public.bp,
        auth.bp,
        candidate.bp,
        employer.bp,
        prefecture.bp,
        pilotage.bp,
        api.bp,
    ):
        app.register_blueprint(blueprint)
