"""The deployment files of deploy/: gunicorn's settings as gunicorn reads them, its JSON
log lines, and the directives the systemd units and the nginx site must keep.
scripts/smoke.py runs them all for real (`make smoke`)."""

from __future__ import annotations

import json
import logging
import os
import re
import runpy
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUNICORN_SETTINGS = DEPLOY / "gunicorn.conf.py"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
SITE = (DEPLOY / "nginx" / "recrutement.conf").read_text()


@pytest.fixture(autouse=True)
def _gunicorn_loggers_restored():
    """gunicorn's logger adds handlers to the process-wide gunicorn.* loggers, bound to
    the captured streams of the test: removed after it."""
    yield
    for name in ("gunicorn.error", "gunicorn.access"):
        logging.getLogger(name).handlers.clear()


def gunicorn_config(monkeypatch, **environ: str) -> tuple[Config, dict]:
    """The settings file run under `environ`, its values set on a gunicorn Config (which
    validates each, as `gunicorn -c` does)."""
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "FORWARDED_ALLOW_IPS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(GUNICORN_SETTINGS))
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return config, namespace


def test_gunicorn_settings_from_the_environment(monkeypatch):
    config, _ = gunicorn_config(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_BIND="127.0.0.1:8123",
        FORWARDED_ALLOW_IPS="10.0.0.5",
        GUNICORN_TIMEOUT="20",
    )
    assert config.workers == 3
    assert config.bind == ["127.0.0.1:8123"]
    assert config.forwarded_allow_ips == ["10.0.0.5"]
    assert config.timeout == 20
    assert config.worker_class_str == "sync"
    assert config.graceful_timeout == 30
    assert config.preload_app is False
    assert config.secure_scheme_headers == {"X-FORWARDED-PROTO": "https"}
    assert config.accesslog == "-"
    assert config.logger_class.__name__ == "JsonLogger"


def test_gunicorn_defaults(monkeypatch):
    config, namespace = gunicorn_config(monkeypatch)
    assert config.workers == 2 * len(os.sched_getaffinity(0)) + 1
    assert namespace["default_workers"]() == config.workers
    assert config.bind == ["127.0.0.1:8000"]
    # Only the proxy on this host, as the application's own default.
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]


class FakeResponse:
    """What gunicorn hands its logger: a status line and the headers sent."""

    def __init__(self, status: str, headers: list[tuple[str, str]]) -> None:
        self.status, self.headers, self.sent = status, headers, 1234


def test_access_log_line_is_json_with_the_fields(monkeypatch, capsys):
    config, namespace = gunicorn_config(monkeypatch)
    logger = namespace["JsonLogger"](config)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/connexion", "RAW_URI": "/connexion"}
    response = FakeResponse("302 FOUND", [("Location", "/"), ("X-Request-Id", "abc123")])
    logger.access(response, None, environ, timedelta(milliseconds=12, microseconds=340))
    logger.access(FakeResponse("400 BAD REQUEST", []), None, environ, timedelta(seconds=1))

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO"
    assert first["logger"] == "gunicorn.access"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", first["time"])
    assert {key: first[key] for key in ("method", "path", "status", "request_id")} == {
        "method": "POST",
        "path": "/connexion",
        "status": 302,
        "request_id": "abc123",
    }
    assert first["duration_ms"] == 12.3
    # gunicorn's own refusals carry no request id: null, not a missing key.
    assert second["request_id"] is None
    assert second["status"] == 400
    assert second["duration_ms"] == 1000.0


def test_error_log_lines_are_json(monkeypatch, capsys):
    config, namespace = gunicorn_config(monkeypatch)
    logger = namespace["JsonLogger"](config)
    logger.error("Worker timeout (pid:%s)", 42)
    entry = json.loads(capsys.readouterr().err.strip())
    assert entry["message"] == "Worker timeout (pid:42)"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "gunicorn.error"


def directives(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_units_run_confined_as_their_own_user(unit):
    found = directives(unit.read_text())
    assert found["User"] == ["recrutement"]
    assert found["EnvironmentFile"] == ["/etc/recrutement/env"]
    if found.get("Type") == ["oneshot"]:
        # Started by its timer: a failure shows in `systemctl list-timers` and the
        # journal, and the next run comes at the next tick; no restart loop.
        assert "Restart" not in found
    else:
        assert found["Restart"][0] in {"always", "on-failure"}
    for setting, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert found[setting] == [value], setting
    assert found["ReadWritePaths"] == [WRITABLE[unit.name]]


# What each unit may write: the index, uploads and instance for the services; only the
# archives' directory for the backup, which reads the database and the uploads.
WRITABLE = {
    "recrutement-web.service": "/var/lib/recrutement /srv/recrutement/current/instance",
    "recrutement-worker.service": "/var/lib/recrutement /srv/recrutement/current/instance",
    "recrutement-backup.service": "/var/backups/recrutement",
}


def test_units_start_the_web_server_and_the_worker():
    web = directives((DEPLOY / "systemd" / "recrutement-web.service").read_text())
    worker = directives((DEPLOY / "systemd" / "recrutement-worker.service").read_text())
    assert web["ExecStart"] == [
        "/srv/recrutement/current/.venv/bin/gunicorn --chdir /srv/recrutement/current"
        " -c deploy/gunicorn.conf.py wsgi:app"
    ]
    assert web["ExecReload"] == ["/bin/kill -s HUP $MAINPID"]
    assert worker["ExecStart"] == ["/srv/recrutement/current/.venv/bin/flask --app wsgi worker"]
    assert worker["Restart"] == ["always"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_units_pass_systemd_analyze_verify(tmp_path):
    """The units as systemd reads them, the release path pointed at this checkout (verify
    wants the programs to exist)."""
    for unit in UNITS:
        text = unit.read_text().replace("/srv/recrutement/current", str(ROOT))
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit.name) for unit in UNITS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_nginx_site_has_tls_hsts_limits_and_forwarded_headers():
    assert "return 301 https://$host$request_uri;" in SITE
    assert "listen 443 ssl http2;" in SITE
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in SITE
    assert (
        SITE.count(
            'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;'
        )
        == 2
    )
    # The application's limit (recrutement/config.py): 5 MB plus 256 KB of form.
    assert "client_max_body_size 5376k;" in SITE
    for header in (
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-Host $http_host;",
    ):
        assert header in SITE
    assert "proxy_pass http://recrutement_web;" in SITE
    assert re.search(r"location /static/ \{\s+alias /srv/recrutement/current/static/;", SITE)
    assert 'default "public, max-age=31536000, immutable";' in SITE


def test_nginx_body_limit_matches_the_application():
    from recrutement.config import load_config

    limit = load_config({"APP_ENV": "testing"})["MAX_CONTENT_LENGTH"]
    assert f"client_max_body_size {limit // 1024}k;" in SITE


@pytest.mark.skipif(shutil.which("nginx") is None, reason="no nginx")
def test_nginx_accepts_the_site(tmp_path):
    """`nginx -t` on the site inside a minimal main configuration, certificate paths
    pointed at a throw-away self-signed pair."""
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (
        SITE.replace("/etc/ssl/recrutement/fullchain.pem", str(certificate))
        .replace("/etc/ssl/recrutement/privkey.pem", str(key))
        .replace("/var/log/nginx/recrutement.access.log", str(tmp_path / "access.log"))
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
