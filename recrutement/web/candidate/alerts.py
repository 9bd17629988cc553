"""Saved searches with email alerts (/candidat/alertes). The unsubscribe link of the
alert mails is web/public/unsubscribe.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice, SelectField, StringField

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.alerts.models import SavedSearch
from recrutement.alerts.saved_searches import (
    FREQUENCIES,
    alert_title,
    delete_saved_search,
    describe,
    get_saved_search_for_user_or_404,
    save_search,
    saved_searches_of,
)
from recrutement.applications.forms import ActionForm
from recrutement.core.forms import Form
from recrutement.extensions import db
from recrutement.web.candidate import bp
from recrutement.web.transaction import act

# The search parameters the search page posts as hidden inputs to save its search.
SEARCH_PARAMETERS = (
    "q",
    "region",
    "departement",
    "contrat",
    "experience",
    "teletravail",
    "commune",
    "rayon",
)


class SaveSearchForm(Form):
    frequency = SelectField(
        "Recevoir les nouvelles offres",
        choices=[SelectChoice(value, label) for value, label in FREQUENCIES.items()],
        default="daily",
        validate_choice=False,  # the service explains a wrong value
    )
    name = StringField("Nom de l'alerte")


# What the search and offer pages need to show the alert form.
# Flask types template globals as functions; a mapping works as well.
bp.add_app_template_global(FREQUENCIES, "alert_frequencies")  # type: ignore[arg-type]
bp.add_app_template_global(alert_title, "alert_title")


def _search_url(args: dict) -> str:
    return url_for("public.search", **{name: value for name, value in args.items() if value})


# --- Saved searches -------------------------------------------------------------------


@bp.get("/alertes")
@roles(Role.CANDIDATE)
def alerts_list():
    return _render_alerts()


def _render_alerts(to_delete=None, form=None):
    saved_searches = db.session.scalars(
        saved_searches_of(current_user).order_by(SavedSearch.created_at.desc())
    ).all()
    rows = [(saved, describe(saved.query), _search_url(saved.query)) for saved in saved_searches]
    return render_template(
        "candidate/alerts.html",
        rows=rows,
        frequencies=FREQUENCIES,
        to_delete=to_delete,
        form=form or ActionForm(),
    )


@bp.post("/alertes")
@roles(Role.CANDIDATE)
def alert_save():
    """Save the search posted by the search page (its parameters as hidden inputs)."""
    args = {name: request.form.get(name, "") for name in SEARCH_PARAMETERS}
    form = SaveSearchForm()
    if not form.validate_on_submit():
        flash(
            "L'alerte n'a pas pu être créée : le formulaire a expiré. Merci de réessayer.", "error"
        )
        return redirect(_search_url(args))
    done = act(lambda: save_search(current_user, args, form.frequency.data, form.name.data))
    if not done:
        return redirect(_search_url(args))
    saved = done.value
    flash(
        f"Votre alerte {alert_title(saved)} est créée : vous recevrez les nouvelles offres "
        f"{_frequency_phrase(saved.frequency)}.",
        "success",
    )
    return redirect(url_for("candidate.alerts_list"))


def _frequency_phrase(frequency: str) -> str:
    return {
        "instant": "dès leur publication",
        "daily": "une fois par jour au plus",
        "weekly": "une fois par semaine au plus",
    }[frequency]


@bp.route("/alertes/<int:saved_search_id>/supprimer", methods=["GET", "POST"])
@roles(Role.CANDIDATE)
def alert_delete(saved_search_id: int):
    """Delete, after a confirmation (works without JavaScript)."""
    saved = get_saved_search_for_user_or_404(current_user, saved_search_id)
    form = ActionForm()
    if form.validate_on_submit():
        title = alert_title(saved)
        delete_saved_search(current_user, saved)
        flash(f"L'alerte {title} est supprimée.", "success")
        return redirect(url_for("candidate.alerts_list"))
    return _render_alerts(to_delete=saved, form=form)
