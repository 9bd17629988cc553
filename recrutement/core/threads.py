"""A message thread between the sides of one object: the candidate and the employer
about an application, the collectivité and the instructors about a cofunding request.

A domain declares its message model with the `ThreadMessage` mixin (the columns every
thread has: author, side, body, time) plus the foreign key to the thread's owner, which
it names in `owner_key`. The functions below read and write any such thread, given the
model and the owner's id. Who may write, what is mailed and when the transaction
commits stay in the domain (applications.messages, cofunding.services).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.orm.attributes import InstrumentedAttribute

from recrutement.core.errors import ServiceError
from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import db

MAX_MESSAGE_LENGTH = 5000


class ThreadMessage:
    """The columns of one message of a thread (a mixin of a model).

    A model sets `owner_key` (the name of its column pointing to the thread's owner),
    `side_length` (the width of `author_side`) and whether `created_at` is indexed: the
    tables were created apart, and keep their exact columns.
    """

    owner_key: ClassVar[str]
    side_length: ClassVar[int]
    created_at_indexed: ClassVar[bool] = False

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)

    @declared_attr
    def author_side(cls) -> Mapped[str]:
        """Which side wrote it ("candidate", "employer", "prefecture", "anah"), even
        once the author's account is gone."""
        return mapped_column(String(cls.side_length))

    @declared_attr
    def created_at(cls) -> Mapped[datetime]:
        return mapped_column(UTCDateTime, default=utcnow, index=cls.created_at_indexed)

    @declared_attr
    def author(cls) -> Mapped[Any]:
        return relationship("User")

    @classmethod
    def owner_column(cls) -> InstrumentedAttribute[int]:
        """The model's column that names the thread's owner (application_id, request_id)."""
        column: InstrumentedAttribute[int] = getattr(cls, cls.owner_key)
        return column


M = TypeVar("M", bound=ThreadMessage)


class Author(Protocol):
    """Whoever writes: a user (only the id is kept on the message)."""

    @property
    def id(self) -> int: ...


def clean_body(body: str | None, empty_message: str = "Écrivez votre message.") -> str:
    """The text of a message, trimmed; refused (on the form's `body` field) when empty
    or longer than MAX_MESSAGE_LENGTH."""
    body = (body or "").strip()
    if not body:
        raise ServiceError(empty_message, field="body")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ServiceError(f"{MAX_MESSAGE_LENGTH} caractères au maximum.", field="body")
    return body


def thread_of(model: type[M], owner_id: int) -> list[M]:
    """The thread's messages, oldest first (same instant: in the order written)."""
    return list(
        db.session.scalars(
            select(model)
            .where(model.owner_column() == owner_id)
            .order_by(model.created_at, model.id)
        )
    )


def add_message(model: type[M], owner_id: int, author: Author, side: str, body: str) -> M:
    """Add a message, whose body went through `clean_body`, to the session (the caller
    flushes, mails and commits)."""
    message = model()
    setattr(message, model.owner_key, owner_id)
    message.author_id = author.id
    message.author_side = side
    message.body = body
    db.session.add(message)
    return message


def newest_message_id(model: type[M], owner_id: int) -> int | None:
    """The id of the thread's newest message (ids grow with each message), None when
    the thread is empty: what a reader has seen is recorded as this id."""
    newest: int | None = db.session.scalar(
        select(func.max(model.id)).where(model.owner_column() == owner_id)
    )
    return newest
