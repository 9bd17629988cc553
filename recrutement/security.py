"""Security headers on every response, with a per-request CSP nonce."""

from __future__ import annotations

import secrets

from flask import Flask, Response, abort, request
from werkzeug.datastructures import ImmutableMultiDict

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


NONCE_KEY = "recrutement.csp_nonce"


def csp_nonce() -> str:
    """The nonce that this response's script tags must carry (one per request)."""
    # Kept in the WSGI environ, which lives exactly as long as the request
    # (`g` belongs to the app context, which may outlive one request).
    if NONCE_KEY not in request.environ:
        request.environ[NONCE_KEY] = secrets.token_urlsafe(18)
    nonce: str = request.environ[NONCE_KEY]
    return nonce


# The policy around the nonce, joined once.
_CSP_BEFORE_NONCE, _CSP_AFTER_NONCE = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'nonce-\0'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
).split("\0")


def content_security_policy(nonce: str) -> str:
    return _CSP_BEFORE_NONCE + nonce + _CSP_AFTER_NONCE


# gunicorn's default limit_request_line.
MAX_QUERY_STRING = 4094


def init_security(app: Flask) -> None:
    """Register the headers hook and the `csp_nonce` template global."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    production = app.config["APP_ENV"] == "production"

    @app.before_request
    def bound_query_string() -> None:
        """Gunicorn refuses a request line over 4,094 bytes before the app sees it; the
        app keeps the same bound itself (development server, tests, another server), so
        no query string is long enough to trouble a search: SQLite refuses a LIKE
        pattern over 50,000 bytes with an error, PostgreSQL would scan with it."""
        if len(request.query_string) > MAX_QUERY_STRING:
            abort(414)

    @app.before_request
    def drop_nul_bytes() -> None:
        """No NUL byte reaches a view, in a query string or a form: PostgreSQL refuses
        them in text, SQLite would store them. (Forms also refuse other control
        characters in single-line fields: core.forms.)"""
        for name in ("args", "form"):
            values = getattr(request, name)
            if any("\x00" in value for value in values.values()):
                cleaned = ImmutableMultiDict(
                    [(key, value.replace("\x00", "")) for key, value in values.items(multi=True)]
                )
                # Werkzeug caches both in the request's __dict__ (cached_property).
                request.__dict__[name] = cleaned

    # The same on every response, in the order they are set.
    fixed_headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if production:
        fixed_headers.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        for name, value in fixed_headers:
            headers[name] = value
        if response.mimetype == "text/html":
            # Pages may hold personal data: never cache them in shared caches.
            headers.setdefault("Cache-Control", "no-store")
        return response
