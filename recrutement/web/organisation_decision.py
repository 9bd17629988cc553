"""What the préfecture's and ANCT's pages of an organisation share: showing it to an
instructor and taking their decision (validate or refuse its sign-up)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from recrutement.core.french import of_organisation
from recrutement.organisations import services as organisations
from recrutement.organisations.forms import VALIDATE, DecisionForm
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.web.transaction import form_status, submit

ALREADY_DECIDED = (
    "Cette collectivité a déjà été traitée entre-temps : la page montre la décision "
    "enregistrée, votre envoi n'a rien changé."
)


def organisation_decision_page(
    organisation: Organisation,
    list_endpoint: str,
    template: str = "shared/organisation_decision.html",
    **context,
):
    """Show an organisation to an instructor and take their decision.

    ANCT's page passes its own template (which extends this one) and what it adds."""
    form = DecisionForm()
    validate = form.decision.data == VALIDATE
    if submit(
        form,
        lambda: organisations.decide_organisation(
            current_user, organisation, validate, form.reason.data or ""
        ),
    ):
        verdict = "validée" if validate else "refusée"
        flash(
            f"L'inscription {of_organisation(organisation.name)} est {verdict}. "
            "Ses membres en sont informés par courriel.",
            "success",
        )
        return redirect(url_for(list_endpoint))
    status = form_status(form)
    if status == 400 and organisation.status != OrganisationStatus.PENDING:
        # Decided meanwhile (another agent, another tab): the page no longer shows the
        # form, nor would it show its errors, so the reason is said above the page.
        flash(ALREADY_DECIDED, "error")
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
