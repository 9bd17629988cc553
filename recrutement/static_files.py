"""Fingerprinted static URLs in production: `url_for('static', filename='css/app.css')`
gives `/static/css/app.css?v=<first 12 hex digits of the file's SHA-256>`.

The URL changes when the file does, so nginx can let browsers keep static files for a
year (deploy/nginx/recrutement.conf) and a release is still seen at once. Each file is
hashed once per process: files only change with a release, and a release starts new
processes (gunicorn reloads its workers). Development and tests keep plain URLs:
there a file may change while the server runs, and Flask revalidates it anyway.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask
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
    """In production, add `v=<fingerprint>` to every URL built for the static endpoint."""
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
