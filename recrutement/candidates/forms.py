"""The candidate's profile form (docs/design.md, Applications)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TelField

from recrutement.accounts.forms import PersonFields
from recrutement.candidates.models import DIPLOMAS, FIELDS_OF_STUDY, GENDERS
from recrutement.candidates.profile import MAX_EXPERIENCE_YEARS
from recrutement.core.validators import MultipleCheckboxField, bounded, strip

if TYPE_CHECKING:
    from recrutement.referential.models import Department, Region

NO_ANSWER = SelectChoice("", "Je préfère ne pas répondre")


def _statistics_choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [NO_ANSWER] + [SelectChoice(value, label) for value, label in labels.items()]


def _experience_choices() -> list[SelectChoice]:
    years = [SelectChoice("0", "Moins d'un an"), SelectChoice("1", "1 an")]
    years += [SelectChoice(str(n), f"{n} ans") for n in range(2, MAX_EXPERIENCE_YEARS + 1)]
    return [NO_ANSWER, *years]


class ProfileForm(PersonFields):
    """Choices are checked by the service (French messages), not by WTForms."""

    phone = TelField(
        "Téléphone",
        description="Par exemple : 06 12 34 56 78.",
        validators=[bounded(30)],
        filters=[strip],
        render_kw={"autocomplete": "tel"},
    )
    town = StringField(
        "Commune de résidence",
        description="Son nom, son code postal ou son code INSEE, par exemple : Quimperlé (29300).",
        validators=[bounded(200)],
        filters=[strip],
    )
    mobility_regions = MultipleCheckboxField(
        "Régions où vous êtes prêt ou prête à travailler", validate_choice=False
    )
    mobility_departments = MultipleCheckboxField(
        "Départements où vous êtes prêt ou prête à travailler", validate_choice=False
    )
    cv = FileField(
        "CV par défaut",
        description="Format PDF, 5 Mo au maximum. Il est proposé quand vous postulez ; un nouveau fichier remplace l'actuel.",
    )
    remove_cv = BooleanField("Retirer mon CV")
    experience_years = SelectField(
        "Années d'expérience professionnelle", choices=_experience_choices(), validate_choice=False
    )
    diploma = SelectField(
        "Diplôme le plus élevé", choices=_statistics_choices(DIPLOMAS), validate_choice=False
    )
    field_of_study = SelectField(
        "Domaine principal d'études",
        choices=_statistics_choices(FIELDS_OF_STUDY),
        validate_choice=False,
    )
    gender = SelectField("Genre", choices=_statistics_choices(GENDERS), validate_choice=False)

    def set_places(self, regions: Iterable[Region], departments: Iterable[Department]) -> None:
        """The régions and départements to choose from, as checkboxes."""
        self.mobility_regions.choices = [SelectChoice(r.code, r.name) for r in regions]
        self.mobility_departments.choices = [SelectChoice(d.code, d.label) for d in departments]
