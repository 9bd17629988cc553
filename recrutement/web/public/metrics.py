"""/metrics: the platform's figures for Prometheus, for the configured addresses only.

Anyone else gets the same 404 as an unknown address, so nobody learns it exists. The
route is `@public` in the permissions' sense (no sign-in: a scraper has no session)
and GET only, so CSRF never applies; the address check is the whole of its access.
"""

from __future__ import annotations

from flask import Response, abort, request

from recrutement.accounts.permissions import public
from recrutement.metrics import exposition, may_read_metrics
from recrutement.web.public import bp


@bp.get("/metrics")
@public
def metrics():
    # request.remote_addr is the client's address as recrutement/proxies.py decided
    # it: X-Forwarded-For counts only when it came through a trusted proxy.
    if not may_read_metrics(request.remote_addr):
        abort(404)
    body, content_type = exposition()
    response = Response(body, content_type=content_type)
    # Figures of a moment: no cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response
