"""Where an application stands, as the candidate's progress stepper says it:
Envoyée → En cours d'examen → Entretien → Décision (DSFR `fr-stepper`).

A decision (retenue, non retenue) is the fourth step. A withdrawn application
stays at the step it had reached, and the page says plainly that it was withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from recrutement.applications.models import ApplicationStatus as S

STEPS = ("Envoyée", "En cours d'examen", "Entretien", "Décision")
_STEP_OF = {S.SENT: 1, S.IN_REVIEW: 2, S.INTERVIEW: 3, S.HIRED: 4, S.REJECTED: 4}
# Journal actions that mean a step was reached (applications.services).
_STEP_OF_ACTION = {"application.review": 2, "application.interview": 3}


@dataclass(frozen=True)
class Progress:
    step: int
    title: str
    # "Étape 2 sur 4", or where a withdrawn application stopped.
    state: str
    next_step: str | None
    # One plain sentence: what this means for the candidate.
    explanation: str
    # "hired", "rejected", "withdrawn" or None while the application is open.
    outcome: str | None = None

    @property
    def total(self) -> int:
        return len(STEPS)


def progress_of(status: str, actions: Iterable[str] = ()) -> Progress:
    """The progress of an application in `status`; `actions` are its journal's actions
    (only needed to tell how far a withdrawn application had gone)."""
    status = S(status)
    total = len(STEPS)
    if status == S.WITHDRAWN:
        step = max([1, *(_STEP_OF_ACTION.get(action, 1) for action in actions)])
        return Progress(
            step=step,
            title="Candidature retirée",
            state=f"Retirée à l'étape {step} sur {total} : {STEPS[step - 1]}",
            next_step=None,
            explanation=(
                "Vous avez retiré cette candidature : la collectivité ne l'examine plus "
                "et ne vous demandera rien à son sujet."
            ),
            outcome="withdrawn",
        )
    step = _STEP_OF[status]
    state = f"Étape {step} sur {total}"
    if status == S.HIRED:
        return Progress(
            step,
            "Décision : candidature retenue",
            state,
            None,
            "La collectivité a retenu votre candidature. Elle vous contacte pour la suite "
            "de votre recrutement.",
            "hired",
        )
    if status == S.REJECTED:
        return Progress(
            step,
            "Décision : candidature non retenue",
            state,
            None,
            "La collectivité n'a pas retenu votre candidature. Cette offre est close pour "
            "vous ; vos autres candidatures ne changent pas.",
            "rejected",
        )
    explanations = {
        S.SENT: "La collectivité a reçu votre candidature ; elle ne l'a pas encore examinée.",
        S.IN_REVIEW: (
            "La collectivité examine votre candidature. Si elle souhaite vous rencontrer, "
            "elle vous invitera à un entretien."
        ),
        S.INTERVIEW: (
            "La collectivité vous invite à un entretien. Elle vous fera connaître sa décision "
            "ensuite."
        ),
    }
    return Progress(step, STEPS[step - 1], state, STEPS[step], explanations[status])
