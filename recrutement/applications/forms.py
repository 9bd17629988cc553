"""Forms for applying and for the employer's moves."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, TextAreaField

from recrutement.applications.services import OTHERS_MESSAGE
from recrutement.core.forms import Form
from recrutement.core.validators import bounded, required


class ApplyForm(Form):
    cover_letter = TextAreaField(
        "Lettre de motivation",
        description="Au moins 50 caractères. Présentez votre parcours et ce qui vous attire dans ce projet.",
        validators=[required(), bounded(10000)],
        render_kw={"rows": 12},
    )
    cv = FileField(
        "CV (PDF, 5 Mo au maximum)",
        description="Facultatif si votre profil contient déjà un CV : il sera alors joint.",
    )


class InterviewForm(Form):
    details = TextAreaField(
        "Date, heure et lieu de l'entretien",
        description="Ce message est envoyé au candidat par courriel.",
        validators=[required(), bounded(2000)],
    )


class RejectForm(Form):
    reason = TextAreaField("Motif", validators=[bounded(2000)])
    share_reason = BooleanField("Communiquer ce motif au candidat")


class HireForm(Form):
    """The hire's confirmation page: informing the others is the default (issue 11)."""

    notify_others = BooleanField(
        "Informer les autres candidats que le poste est pourvu",
        description="Leurs candidatures en cours sont closes et chacun reçoit le message ci-dessous.",
        default=True,
    )
    message = TextAreaField(
        "Message aux autres candidats",
        description="Modifiez-le si vous le souhaitez, puis mettez l'aperçu à jour.",
        default=OTHERS_MESSAGE,
        validators=[bounded(2000)],
        render_kw={"rows": 4},
    )


class ActionForm(Form):
    """An empty form for one-click moves: only its CSRF token matters."""


class MessageForm(Form):
    body = TextAreaField(
        "Votre message", validators=[required(), bounded(5000)], render_kw={"rows": 5}
    )
