"""Flask-Login wiring: load users from the session, refuse stale sessions."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for

from recrutement.accounts.models import User
from recrutement.extensions import db, login_manager


def init_sessions(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        # A rotated token (password changed, account disabled) ends old sessions.
        if user is None or user.session_token != token or not user.is_active:
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
