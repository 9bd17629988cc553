"""Serving stored files: always as attachments, never sniffed, never cached publicly."""

from __future__ import annotations

from flask import Response, request, send_file

from recrutement.files.models import StoredFile
from recrutement.files.stores import file_store


def send_stored_file(stored: StoredFile, download_name: str | None = None) -> Response:
    store = file_store()
    info = store.info(stored.stored_name)
    file = store.open(stored.stored_name)
    try:
        # Given a file object rather than a path, send_file knows neither its size nor
        # its validators: they come from the store, and the conditional and range
        # handling it would have done is done here, in the same order.
        response = send_file(
            file,
            mimetype=stored.content_type,
            as_attachment=True,
            download_name=download_name or stored.original_name,
            max_age=0,
            conditional=False,
            etag=info.etag,
            last_modified=info.modified,
        )
        response.content_length = info.size
        response.make_conditional(request.environ, accept_ranges=True, complete_length=info.size)
    except BaseException:  # a range it cannot satisfy, or anything else: no open file left
        file.close()
        raise
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
