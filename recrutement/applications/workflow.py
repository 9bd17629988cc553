"""The application workflow as data (docs/design.md):
sent → in_review → interview → hired | rejected; withdrawn by the candidate before a decision."""

from __future__ import annotations

from recrutement.accounts.models import Role
from recrutement.applications.models import ApplicationStatus as S
from recrutement.core.workflow import Transition

OPEN_STATES = frozenset({S.SENT, S.IN_REVIEW, S.INTERVIEW})
# The employing collectivité's members, and the candidate who applied.
EMPLOYER = frozenset({Role.EMPLOYER})
CANDIDATE = frozenset({Role.CANDIDATE})

REVIEW = Transition("review", frozenset({S.SENT}), S.IN_REVIEW, EMPLOYER)
INTERVIEW = Transition("interview", frozenset({S.SENT, S.IN_REVIEW}), S.INTERVIEW, EMPLOYER)
HIRE = Transition("hire", frozenset({S.IN_REVIEW, S.INTERVIEW}), S.HIRED, EMPLOYER)
REJECT = Transition("reject", OPEN_STATES, S.REJECTED, EMPLOYER)
WITHDRAW = Transition("withdraw", OPEN_STATES, S.WITHDRAWN, CANDIDATE)

TRANSITIONS = {t.name: t for t in (REVIEW, INTERVIEW, HIRE, REJECT, WITHDRAW)}
EMPLOYER_TRANSITIONS = [t for t in TRANSITIONS.values() if t.permits(Role.EMPLOYER)]
DECIDED_STATES = frozenset({S.HIRED, S.REJECTED, S.WITHDRAWN})
