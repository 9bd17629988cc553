"""Configuration read from environment variables (docs/design.md, Public contract).

Every setting has a development default that keeps state under `instance/`;
production refuses to start without a real `SECRET_KEY`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

ENVIRONMENTS = ("development", "testing", "production")
# Where uploaded files are kept (recrutement/files/stores.py): `local`, a directory.
FILE_STORES = ("local",)


class ConfigurationError(RuntimeError):
    """Raised when the environment cannot run the application safely."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask configuration mapping from the environment."""
    env = dict(os.environ if environ is None else environ)
    app_env = env.get("APP_ENV", "development")
    if app_env not in ENVIRONMENTS:
        raise ConfigurationError(
            f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {app_env!r}"
        )
    production = app_env == "production"
    file_store = env.get("FILE_STORE") or "local"
    if file_store not in FILE_STORES:
        raise ConfigurationError(
            f"FILE_STORE must be one of {', '.join(FILE_STORES)}, not {file_store!r}"
        )

    secret_key = env.get("SECRET_KEY", "")
    if production and len(secret_key) < 32:
        raise ConfigurationError(
            "SECRET_KEY is required in production (at least 32 random characters)."
        )
    if not secret_key:
        # A fixed development key would let anyone forge sessions on a forgotten
        # test instance; a per-start random one only logs developers out.
        secret_key = os.urandom(32).hex() if app_env == "testing" else _dev_secret_key()

    database_url = env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'recrutement.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]

    search_backend = (env.get("SEARCH_BACKEND") or "whoosh").strip().lower()
    if search_backend not in ("whoosh", "postgresql"):
        raise ConfigurationError("SEARCH_BACKEND must be 'whoosh' or 'postgresql'.")

    return {
        "APP_ENV": app_env,
        "TESTING": app_env == "testing",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_INDEX_DIR": env.get("SEARCH_INDEX_DIR") or str(INSTANCE_DIR / "search-index"),
        # "whoosh" (an index on local disk, one host) or "postgresql" (search tables in
        # the database, for several hosts): see search/backend.py.
        "SEARCH_BACKEND": search_backend,
        # Search results each process keeps for the index version it reads (0: none);
        # see search/cache.py.
        "SEARCH_CACHE_SIZE": int(env.get("SEARCH_CACHE_SIZE", "512")),
        # Rendered search pages and API bodies each process keeps, the same way (0: none).
        "SEARCH_PAGE_CACHE_SIZE": int(env.get("SEARCH_PAGE_CACHE_SIZE", "256")),
        # Rendered offer pages each process keeps, by the offer's data (0: none).
        "OFFER_PAGE_CACHE_SIZE": int(env.get("OFFER_PAGE_CACHE_SIZE", "512")),
        "FILE_STORE": file_store,
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "1025")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get(
            "MAIL_DEFAULT_SENDER", "Recrutement PVD <ne-pas-repondre@recrutement-pvd.fr>"
        ),
        "MAIL_TIMEOUT": 10,
        # Flask-Mail skips delivery when TESTING is on; tests use a real SMTP server instead.
        "MAIL_SUPPRESS_SEND": False,
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "DEMO_PASSWORD": env.get("DEMO_PASSWORD", "demo-pvd-2026"),
        # Number of reverse proxies in front of the app whose X-Forwarded-For we trust,
        # and the addresses they connect from (anyone else's forwarded headers are dropped).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "1" if production else "0")),
        "FORWARDED_ALLOW_IPS": env.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        # Who may read /metrics (addresses or networks), judged on the client address
        # above: everyone else gets a 404 there.
        "METRICS_ALLOWED_IPS": env.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1"),
        # Sessions end on the server after this long without a request (idle) or this
        # long after sign-in (absolute); staff (préfecture, ANAH, ANCT) sooner.
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "120")),
        "SESSION_ABSOLUTE_HOURS": int(env.get("SESSION_ABSOLUTE_HOURS", "24")),
        "STAFF_SESSION_IDLE_MINUTES": int(env.get("STAFF_SESSION_IDLE_MINUTES", "30")),
        "STAFF_SESSION_ABSOLUTE_HOURS": int(env.get("STAFF_SESSION_ABSOLUTE_HOURS", "10")),
        # The signed cookie itself never outlives the longest session.
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=max(
                int(env.get("SESSION_ABSOLUTE_HOURS", "24")),
                int(env.get("STAFF_SESSION_ABSOLUTE_HOURS", "10")),
            )
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Uploads are 5 MB at most; the margin leaves room for the form fields around the file.
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024 + 256 * 1024,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "TOKEN_MAX_AGE_SECONDS": 3600,
        "INVITATION_MAX_AGE_DAYS": 14,
        # Password reset and confirmation requests answer after at least this long,
        # whether or not the email has an account (timings reveal nothing).
        "MAIL_REQUEST_SECONDS": float(env.get("MAIL_REQUEST_SECONDS", "0.25")),
        # The dashboard reuses its figures this long at most (0: always computed anew,
        # the default in tests); see pilotage/cache.py.
        "DASHBOARD_CACHE_SECONDS": int(
            env.get("DASHBOARD_CACHE_SECONDS", "0" if app_env == "testing" else "60")
        ),
        "RATE_LIMITS_ENABLED": _bool(env.get("RATE_LIMITS_ENABLED"), default=True),
        "RETENTION_DAYS": int(env.get("RETENTION_DAYS", str(2 * 365))),
        # The host named in the legal notice (mentions légales), set at deployment.
        "HOSTING_NAME": env.get("HOSTING_NAME", ""),
        "HOSTING_ADDRESS": env.get("HOSTING_ADDRESS", ""),
        "HOSTING_CONTACT": env.get("HOSTING_CONTACT", ""),
    }


def _dev_secret_key() -> str:
    """A development key kept in instance/ so sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(os.urandom(32).hex())
        key_file.chmod(0o600)
    return key_file.read_text().strip()
