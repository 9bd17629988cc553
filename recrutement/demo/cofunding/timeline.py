"""Moves the timestamps a demo cofunding request's steps wrote back to the days they
are planned on, so that the préfecture's queue shows requests of every age."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from recrutement.cofunding.models import (
    AnahOpinion,
    Attachment,
    CofundingMessage,
    CofundingRequest,
    InstructionNote,
)
from recrutement.core.models import AuditEvent
from recrutement.core.time import PARIS, utcnow
from recrutement.extensions import db
from recrutement.files.models import StoredFile


class Timeline:
    """Moves the timestamps written by a request's steps back to the days they are
    planned on: each step's writes keep their order and their seconds apart, shifted to
    a working hour of that day; steps planned today are not moved."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.walls: list[datetime] = []
        self.targets: list[datetime | None] = []

    def mark(self, days_ago: int) -> None:
        """Call before each step."""
        target = None
        if days_ago > 0:
            day = self.today - timedelta(days=days_ago)
            same_day = sum(
                1 for t in self.targets if t is not None and t.astimezone(PARIS).date() == day
            )
            opening = datetime.combine(day, time(9, 12), PARIS)
            target = (opening + timedelta(minutes=47 * same_day)).astimezone(UTC)
            earlier = [t for t in self.targets if t is not None]
            if (earlier and target <= earlier[-1]) or len(earlier) < len(self.targets):
                raise ValueError("demo steps must go forward in time")
        self.walls.append(utcnow())
        self.targets.append(target)

    def shift(self, value: datetime | None) -> datetime | None:
        if value is None or not self.walls:
            return value
        index = max(bisect_right(self.walls, value) - 1, 0)
        target = self.targets[index]
        return value if target is None else target + (value - self.walls[index])

    def apply(self, request_ids: list[int]) -> None:
        if all(target is None for target in self.targets):
            return
        keys = [str(request_id) for request_id in request_ids]
        # (objects, the names of their timestamps)
        rows: list[tuple[Iterable[Any], tuple[str, ...]]] = [
            (
                db.session.scalars(
                    select(CofundingRequest).where(CofundingRequest.id.in_(request_ids))
                ),
                (
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "instruction_started_at",
                    "decided_at",
                ),
            ),
            (
                db.session.scalars(
                    select(AuditEvent).where(
                        AuditEvent.object_type == CofundingRequest.__tablename__,
                        AuditEvent.object_id.in_(keys),
                    )
                ),
                ("created_at",),
            ),
        ]
        for model in (CofundingMessage, InstructionNote, AnahOpinion, Attachment):
            found = db.session.scalars(select(model).where(model.request_id.in_(request_ids)))
            rows.append((found, ("created_at",)))
        files = select(Attachment.file_id).where(Attachment.request_id.in_(request_ids))
        rows.append(
            (
                db.session.scalars(select(StoredFile).where(StoredFile.id.in_(files))),
                ("created_at",),
            )
        )
        for objects, names in rows:
            for obj in list(objects):
                for name in names:
                    setattr(obj, name, self.shift(getattr(obj, name)))
        db.session.commit()
