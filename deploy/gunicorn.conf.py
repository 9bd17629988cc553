"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment file (/etc/recrutement/env) without
editing this file:

- `GUNICORN_BIND` (default `127.0.0.1:8000`): where nginx reaches gunicorn; never a
  public address, the proxy is the only way in.
- `WEB_CONCURRENCY` (default 2 × CPUs + 1): sync worker processes. Each handles one
  request at a time; pages are short and the database does the waiting, so the usual
  2n + 1 keeps the CPUs busy while some processes wait on PostgreSQL.
- `GUNICORN_TIMEOUT` (default 30 s): a worker silent for longer is killed and replaced
  (a stuck request must not hold a process forever); `GUNICORN_GRACEFUL_TIMEOUT`
  (default 30 s): on stop or reload, the time given to requests in flight.
- `FORWARDED_ALLOW_IPS` (default `127.0.0.1,::1`, the same variable and default as the
  application's, see recrutement/proxies.py): the addresses of the reverse proxy.
  gunicorn believes `X-Forwarded-Proto` only from them.
- `GUNICORN_LOG_LEVEL` (default `info`).

Logs go to stdout (access) and stderr (errors), one JSON object per line in the
application's format (recrutement/logging.py: `time`, `level`, `logger`, `message`, then
the fields), so journald and a log shipper read one format. This file imports nothing
from the `recrutement` package on purpose: it runs in gunicorn's master process, and
a module the master imported would be inherited by every worker forked after a reload
(`systemctl reload`, SIGHUP), which would then serve the previous release's code.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from typing import Any

from gunicorn import glogging

# The application's timestamp format (recrutement/logging.py).
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def default_workers() -> int:
    """2 × the CPUs this process may run on, plus one."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return 2 * cpus + 1


class JsonLineFormatter(logging.Formatter):
    """A record and its `extra` fields as one JSON line, as the application writes them."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, TIME_FORMAT),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def access_fields(
    method: str, path: str, status: int | str, duration_seconds: float, response_headers: Any
) -> dict[str, object]:
    """The fields of one access line. The request id is the one the application chose
    and returned in `X-Request-Id` (recrutement/logging.py), so this line and the
    application's own lines about the request share it; None when the application did
    not answer (a request refused by gunicorn itself)."""
    request_id = None
    for name, value in response_headers:
        if name.lower() == "x-request-id":
            request_id = value
    return {
        "method": method,
        "path": path,
        "status": int(str(status).split(None, 1)[0]),
        "duration_ms": round(duration_seconds * 1000, 1),
        "request_id": request_id,
    }


class JsonLogger(glogging.Logger):
    """gunicorn's logger with JSON lines for both its error and access logs."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonLineFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        fields = access_fields(
            environ.get("REQUEST_METHOD", "-"),
            environ.get("PATH_INFO", "-"),
            resp.status,
            request_time.total_seconds(),
            resp.headers,
        )
        self.access_log.info("access", extra=fields)


bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Between nginx and gunicorn on the same host: a short keep-alive is enough.
keepalive = 5
# Each worker is replaced after about a thousand requests (the jitter keeps them from
# restarting together), so a slow leak never grows into an outage.
max_requests = 1000
max_requests_jitter = 100
# The app is imported by each worker, not by the master: a reload (SIGHUP) then starts
# workers on the code on disk, which is how a release is rolled out without downtime.
preload_app = False
# Worker heartbeats on a memory file system: a slow disk must not get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# nginx says the original scheme in X-Forwarded-Proto and in nothing else.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# gunicorn's defaults, written down because recrutement/security.py relies on them.
limit_request_line = 4094
limit_request_fields = 100

proc_name = "recrutement-web"
logger_class = JsonLogger
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# /metrics adds up the request counts of every worker (recrutement/metrics.py): each
# worker writes them in files of this directory, which must start empty. systemd gives
# a fresh one at each start (RuntimeDirectory= in recrutement-web.service); elsewhere a
# new temporary directory. Set here, in the master, before any worker imports
# prometheus-client, which reads the variable at import; a reload (HUP) keeps it.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="recrutement-metrics-")
