"""Forms of ANCT's account administration (/pilotage/comptes)."""

from __future__ import annotations

from wtforms import SearchField, SelectChoice, SelectField, StringField, TextAreaField

from recrutement.accounts.models import Role
from recrutement.core.forms import Form
from recrutement.core.validators import MultipleCheckboxField, bounded, required, strip


class AccountFilterForm(Form):
    """The list's filters, read from the query string (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    # Ids of their own: the page also holds the account creation form.
    q = SearchField(
        "Nom ou adresse électronique", validators=[bounded(254)], filters=[strip], id="filtre-q"
    )
    role = SelectField(
        "Rôle",
        choices=[SelectChoice("", "Tous les rôles")] + Role.choices(),
        validate_choice=False,
        id="filtre-role",
    )
    organisation = StringField(
        "Collectivité",
        description="Tout ou partie du nom de la collectivité.",
        validators=[bounded(200)],
        filters=[strip],
        id="filtre-organisation",
    )


class AccountStatusForm(Form):
    """Deactivate or reactivate an account, from its confirmation page."""

    reason = TextAreaField(
        "Motif",
        description="Il est conservé dans l'historique du compte ; la personne ne le reçoit pas.",
        validators=[bounded(500)],
        filters=[strip],
    )


class ResendInvitationForm(Form):
    """An empty form: only its CSRF token matters."""


class StaffDepartmentsForm(Form):
    departments = MultipleCheckboxField(
        "Départements",
        description="Le compte ne verra que les collectivités et demandes de ces départements.",
        validators=[required("Choisissez au moins un département.")],
    )
