"""The application workflow as data (DESIGN.md):
sent → in_review → interview → hired | rejected; withdrawn by the candidate before a decision."""

from __future__ import annotations

from dataclasses import dataclass

from recrutement.applications.models import ApplicationStatus as S

OPEN_STATES = frozenset({S.SENT, S.IN_REVIEW, S.INTERVIEW})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[S]
    target: S
    # Who may make the move: "employer" or "candidate".
    actor: str


REVIEW = Transition("review", frozenset({S.SENT}), S.IN_REVIEW, "employer")
INTERVIEW = Transition("interview", frozenset({S.SENT, S.IN_REVIEW}), S.INTERVIEW, "employer")
HIRE = Transition("hire", frozenset({S.IN_REVIEW, S.INTERVIEW}), S.HIRED, "employer")
REJECT = Transition("reject", OPEN_STATES, S.REJECTED, "employer")
WITHDRAW = Transition("withdraw", OPEN_STATES, S.WITHDRAWN, "candidate")

TRANSITIONS = {t.name: t for t in (REVIEW, INTERVIEW, HIRE, REJECT, WITHDRAW)}
EMPLOYER_TRANSITIONS = [t for t in TRANSITIONS.values() if t.actor == "employer"]
DECIDED_STATES = frozenset({S.HIRED, S.REJECTED, S.WITHDRAWN})


def allowed(transition: Transition, status: str) -> bool:
    return S(status) in transition.sources
