"""Fingerprinted static URLs in production: `url_for('static', filename='css/app.css')`
gives `/static/css/app.css?v=<first 12 hex digits of the file's SHA-256>`.

The URL changes when the file does, so nginx can let browsers keep static files for a
year (deploy/nginx/recrutement.conf) and a release is still seen at once. Each file is
hashed once per process: files only change with a release, and a release starts new
processes (gunicorn reloads its workers). Development and tests keep plain URLs:
there a file may change while the server runs, and Flask revalidates it anyway.

The layout (templates/base.html) writes `static_url('css/app.css')` and
`page_url('public.home')`: the same URLs as `url_for('static', filename=...)` and
`url_for('public.home')`, built once per process and application root. Building one
costs 30-70 µs (routing, quoting, the query string), and the layout links a dozen
static files and a dozen pages on every page.
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, request, url_for
from werkzeug.security import safe_join

FINGERPRINT_LENGTH = 12


def file_fingerprint(folder: Path, filename: str) -> str | None:
    """The fingerprint of `filename` under `folder`; None if it is not a file there."""
    path = safe_join(str(folder), filename)
    if path is None:
        return None
    try:
        content = Path(path).read_bytes()
    except OSError:
        return None
    return hashlib.sha256(content).hexdigest()[:FINGERPRINT_LENGTH]


def init_static_fingerprints(app: Flask) -> None:
    """Register the `static_url` template global and, in production, add
    `v=<fingerprint>` to every URL built for the static endpoint."""

    # Per application, so a new process (or a test's new app) hashes the files again.
    # In a request, the URL built for a file, or for a page without parameters, depends
    # only on where the application is mounted (SCRIPT_NAME, set by the server): the app
    # has no host or subdomain routes. Files and endpoints come from the templates.
    @lru_cache(maxsize=512)
    def built(script_root: str, endpoint: str, filename: str | None) -> str:
        if filename is None:
            return url_for(endpoint)
        return url_for(endpoint, filename=filename)

    def static_url(filename: str) -> str:
        """`url_for('static', filename=filename)`, remembered (in a request only)."""
        return built(request.script_root, "static", filename)

    def page_url(endpoint: str) -> str:
        """`url_for(endpoint)` for a page without parameters, remembered (in a request
        only). The endpoint is absolute: a relative one depends on the current blueprint."""
        if endpoint.startswith("."):
            raise ValueError(f"page_url needs an absolute endpoint, not {endpoint!r}")
        return built(request.script_root, endpoint, None)

    app.jinja_env.globals.update(static_url=static_url, page_url=page_url)
    if app.config["APP_ENV"] != "production" or app.static_folder is None:
        return
    folder = Path(app.static_folder)
    fingerprint = cache(lambda filename: file_fingerprint(folder, filename))

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = fingerprint(values["filename"])
            if version is not None:
                values["v"] = version
