"""What every demo builder shares: the demo mail domain, the refusal in production, the
data files of `recrutement/demo/data/` and the demo users."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from flask import current_app
from sqlalchemy import select

from recrutement.accounts.models import User
from recrutement.extensions import db

# Every demo account's mail domain (the national demo's accounts use a subdomain).
DOMAIN = "demo.recrutement-pvd.fr"


class DemoRefused(Exception):
    """The demo data cannot be written here: production, or what it builds on is missing."""


def refuse_in_production() -> None:
    """Raise DemoRefused in production, where demo accounts would have a known password."""
    if current_app.config["APP_ENV"] == "production":
        raise DemoRefused("Les données de démonstration sont refusées en production.")


def read_data(name: str) -> dict[str, Any]:
    """The TOML file `name` of recrutement/demo/data/, parsed."""
    text = resources.files("recrutement.demo").joinpath("data", name).read_text("utf-8")
    return tomllib.loads(text)


def demo_user(local_part: str | None) -> User | None:
    """The demo account <local_part>@DOMAIN, if it exists (None for no local part)."""
    if local_part is None:
        return None
    return db.session.scalar(select(User).where(User.email == f"{local_part}@{DOMAIN}"))
