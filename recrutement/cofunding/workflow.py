"""The cofunding request workflow as data (docs/design.md, Cofunding requests):

draft → submitted → in_instruction ⇄ changes_requested → granted | refused | dismissed

The collectivité may edit its request until the préfecture opens it; opening
locks it. Every move is logged in the audit journal and mailed.
"""

from __future__ import annotations

from recrutement.accounts.models import Role
from recrutement.cofunding.models import CofundingStatus as S
from recrutement.core.workflow import Transition

# The collectivité's members, and the préfecture's agents who instruct (ANAH gives
# an opinion but moves nothing).
EMPLOYER = frozenset({Role.EMPLOYER})
PREFECTURE = frozenset({Role.PREFECTURE})

SUBMIT = Transition("submit", frozenset({S.DRAFT}), S.SUBMITTED, EMPLOYER)
OPEN = Transition("open", frozenset({S.SUBMITTED}), S.IN_INSTRUCTION, PREFECTURE)
REQUEST_CHANGES = Transition(
    "request_changes", frozenset({S.IN_INSTRUCTION}), S.CHANGES_REQUESTED, PREFECTURE
)
ANSWER = Transition("answer", frozenset({S.CHANGES_REQUESTED}), S.IN_INSTRUCTION, EMPLOYER)
GRANT = Transition("grant", frozenset({S.IN_INSTRUCTION}), S.GRANTED, PREFECTURE)
REFUSE = Transition("refuse", frozenset({S.IN_INSTRUCTION}), S.REFUSED, PREFECTURE)
DISMISS = Transition(
    "dismiss",
    frozenset({S.SUBMITTED, S.IN_INSTRUCTION, S.CHANGES_REQUESTED}),
    S.DISMISSED,
    PREFECTURE,
)

TRANSITIONS = {t.name: t for t in (SUBMIT, OPEN, REQUEST_CHANGES, ANSWER, GRANT, REFUSE, DISMISS)}

# The collectivité may change its request's content in these states.
EDITABLE_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED})
DECIDED_STATES = frozenset({S.GRANTED, S.REFUSED, S.DISMISSED})
# Requests the instructors see (a draft is the collectivité's own business).
FILED_STATES = frozenset(S) - {S.DRAFT}
# The same, in the order of the workflow (for queues and counts).
FILED_STATUSES = [status for status in S if status in FILED_STATES]
# A refused or dismissed request does not hold the post's period.
HOLDING_STATES = frozenset(S) - {S.REFUSED, S.DISMISSED}
