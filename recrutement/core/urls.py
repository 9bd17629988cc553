"""Absolute links for mails, built with or without a request (CLI, worker)."""

from typing import Any

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values: Any) -> str:
    """BASE_URL followed by the path of `endpoint`."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context("/"):
            path = url_for(endpoint, **values)
    base_url: str = current_app.config["BASE_URL"]
    return base_url + path
