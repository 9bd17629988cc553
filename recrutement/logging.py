"""Structured logging: one JSON object per line, with the request's context."""

from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, Response, has_request_context, request
from flask_login import current_user

STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record and its `extra` fields as a JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = request.environ.get("recrutement.request_id")
            entry["path"] = request.path
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def init_logging(app: Flask) -> None:
    """Send the app's logs as JSON to stderr and log one line per request."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.propagate = False
    app.logger.setLevel(logging.WARNING if app.config["TESTING"] else logging.INFO)

    @app.before_request
    def start_timer() -> None:
        request.environ["recrutement.request_id"] = request.headers.get(
            "X-Request-Id", uuid.uuid4().hex[:16]
        )
        request.environ["recrutement.started"] = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        if request.endpoint == "static":
            return response
        user_id = current_user.get_id().split(":")[0] if current_user.is_authenticated else None
        app.logger.info(
            "request",
            extra={
                "method": request.method,
                "status": response.status_code,
                "duration_ms": round(
                    (time.perf_counter() - request.environ["recrutement.started"]) * 1000, 1
                ),
                "user_id": user_id,
            },
        )
        response.headers["X-Request-Id"] = request.environ["recrutement.request_id"]
        return response
