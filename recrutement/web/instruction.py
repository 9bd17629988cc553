"""Views shared by the préfecture and ANCT areas: deciding on an organisation."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from recrutement.core.errors import ServiceError
from recrutement.organisations import services as organisations
from recrutement.organisations.forms import VALIDATE, DecisionForm
from recrutement.organisations.models import Organisation
from recrutement.web.forms import add_service_error


def organisation_decision_page(
    organisation: Organisation,
    list_endpoint: str,
    template: str = "instruction/organisation.html",
    **context,
):
    """Show an organisation to an instructor and take their decision.

    ANCT's page passes its own template (which extends this one) and what it adds."""
    form = DecisionForm()
    if form.validate_on_submit():
        validate = form.decision.data == VALIDATE
        try:
            organisations.decide_organisation(
                current_user, organisation, validate, form.reason.data or ""
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            verdict = "validée" if validate else "refusée"
            flash(
                f"{organisation.name} est {verdict}. Ses membres en sont informés par courriel.",
                "success",
            )
            return redirect(url_for(list_endpoint))
    status = 400 if form.errors or form.form_errors else 200
    return (
        render_template(
            template,
            organisation=organisation,
            members=organisations.members_of(organisation),
            form=form,
            list_endpoint=list_endpoint,
            **context,
        ),
        status,
    )
