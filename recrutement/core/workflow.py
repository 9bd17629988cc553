"""A workflow as data: named moves from some states to one, and who may make them.

Each domain lists its transitions in its own `workflow.py` (offers, applications,
cofunding) with its states (a StrEnum) and the roles (`accounts.models.Role`) that
may act; its services check a move with `allows` and `check_actor` before making it.
Core stays below the domains: it knows roles only as StrEnum members.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from recrutement.core.errors import ServiceError

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Transition(Generic[S]):
    """One move: its name (the audit action's suffix), the states it leaves, the state
    it reaches, and the roles allowed to make it (none: only the platform itself)."""

    name: str
    sources: frozenset[S]
    target: S
    actors: frozenset[StrEnum]
    # Past participle for messages ("L'offre est publiée."), where the domain needs one.
    done: str = ""

    def allows(self, status: str) -> bool:
        """Whether the move may start from `status` (a member or its value)."""
        return status in self.sources

    def permits(self, role: str | None) -> bool:
        """Whether someone with `role` may make the move (None: the platform itself,
        for moves no one is listed for, such as an offer's expiry)."""
        if role is None:
            return not self.actors
        return role in self.actors

    def check_actor(self, role: str | None) -> None:
        """Refuse (ServiceError) the move to someone whose role may not make it."""
        if not self.permits(role):
            raise ServiceError("Votre rôle ne vous permet pas cette action.")
