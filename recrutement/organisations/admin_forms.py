"""Forms of ANCT's organisation administration (/pilotage/collectivites)."""

from __future__ import annotations

from wtforms import SearchField, SelectChoice, SelectField, StringField

from recrutement.core.forms import Form
from recrutement.core.validators import MultipleCheckboxField, bounded, required, strip
from recrutement.organisations.models import OrganisationStatus


class OrganisationFilterForm(Form):
    """The list's filters, read from the query string (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField("Nom de la collectivité", validators=[bounded(200)], filters=[strip])
    statut = SelectField(
        "État",
        choices=[SelectChoice("", "Tous les états")]
        + [SelectChoice(status.value, status.label) for status in OrganisationStatus],
        validate_choice=False,
    )
    departement = SelectField("Département", validate_choice=False)


class OrganisationEditForm(Form):
    name = StringField(
        "Nom de la collectivité",
        description="Tel qu'il s'affiche sur les offres et la page publique.",
        validators=[required("Indiquez le nom de la collectivité."), bounded(200)],
        filters=[strip],
    )
    towns = MultipleCheckboxField(
        "Communes couvertes par le chef de projet",
        description=(
            "Celles qu'elle couvre sont cochées ; les autres communes Petites villes de demain "
            "de son département sont proposées. Décochez une commune pour la retirer."
        ),
    )
    extra_towns = StringField(
        "Ajouter des communes",
        description="Codes INSEE séparés par des espaces ou des virgules, par exemple 29233 29146.",
        validators=[bounded(500)],
        filters=[strip],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
