"""Serving stored files: always as attachments, never sniffed, never cached publicly."""

from __future__ import annotations

from flask import Response, send_file

from recrutement.files.models import StoredFile
from recrutement.files.storage import file_path


def send_stored_file(stored: StoredFile, download_name: str | None = None) -> Response:
    response = send_file(
        file_path(stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=download_name or stored.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
