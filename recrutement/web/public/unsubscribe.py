"""The unsubscribe link of the alert mails (/alertes/desinscription/<token>): no login,
the signed token is the authority."""

from __future__ import annotations

from flask import render_template, request

from recrutement.accounts.permissions import public as public_access
from recrutement.alerts.saved_searches import alert_title
from recrutement.alerts.unsubscribe import saved_search_for_token, unsubscribe
from recrutement.applications.forms import ActionForm
from recrutement.core.errors import ServiceError
from recrutement.extensions import csrf
from recrutement.web.public import bp
from recrutement.web.transaction import attempt


@bp.route("/alertes/desinscription/<token>", methods=["GET", "POST"])
@public_access
@csrf.exempt
def alert_unsubscribe(token: str):
    """The unsubscribe link of the alert mails. GET only asks for confirmation: mail
    clients and antivirus scanners open links by themselves. A mail client's
    one-click POST (RFC 8058, no CSRF token: the signed token in the URL is the
    authority) unsubscribes at once; the page's own form still checks its CSRF token."""
    if request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click":
        return ("", 204) if attempt(lambda: unsubscribe(token)) else ("", 404)
    form = ActionForm()
    try:
        saved = saved_search_for_token(token)
    except ServiceError as error:
        return render_template("public/unsubscribed.html", error=error.message), 404
    if saved is None:
        return render_template("public/unsubscribed.html", state="already")
    if form.validate_on_submit():
        title = alert_title(saved)
        unsubscribe(token)
        return render_template("public/unsubscribed.html", state="done", title=title)
    return render_template("public/unsubscribed.html", state="confirm", saved=saved, form=form)
