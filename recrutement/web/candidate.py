"""The candidate's space (/candidat/...)."""

from __future__ import annotations

from flask import Blueprint, render_template

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles

bp = Blueprint("candidate", __name__, url_prefix="/candidat")


@bp.get("/")
@roles(Role.CANDIDATE)
def home():
    return render_template("candidate/home.html")
