"""Enumerations with French labels, and the column type that stores them.

A model declares an enumerated column as
`status: Mapped[OfferStatus] = mapped_column(EnumString(OfferStatus, 12), ...)`:
the database holds the member's value in a VARCHAR (the same type as a plain
`String(12)`, so no migration), the model always holds the member, and pages
read `offer.status.label`. StrEnum members are strings: comparisons with
strings, JSON, CSV and SQL filters see the value.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import String, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator
from wtforms import SelectChoice

E = TypeVar("E", bound=StrEnum)


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a French label, given in LABELS (value → label)
    right after the class."""

    LABELS: ClassVar[dict[str, str]]

    @property
    def label(self) -> str:
        return type(self).LABELS[self]

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as WTForms choices, in declaration order."""
        return [SelectChoice(member.value, member.label) for member in cls]


class EnumString(TypeDecorator[E], Generic[E]):
    """A StrEnum stored as its value in a VARCHAR(length), loaded back as the member.

    Binding is lenient so that filters keep their meaning: a member or a valid value
    is stored as the value; any other string goes to the database as given (a filter
    on an unknown state finds nothing, as before). Assigning an unknown value to a
    model's attribute is refused (see `_coerce_on_set`).
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        self.length = length

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, self.enum):
            return value.value
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self.enum(value)

    @property
    def python_type(self) -> type[E]:
        return self.enum


def _coercer(enum: type[StrEnum]) -> Any:
    def coerce(target: object, value: Any, oldvalue: Any, initiator: object) -> Any:
        return value if value is None else enum(value)

    return coerce


@event.listens_for(Mapper, "mapper_configured")
def _coerce_on_set(mapper: Mapper[Any], class_: type) -> None:
    """Turn a value assigned to an enumerated attribute into its member at once
    (`offer.status = "draft"` holds OfferStatus.DRAFT), and refuse an unknown one."""
    for attribute in mapper.column_attrs:
        if attribute.parent is not mapper:
            continue
        column_type = attribute.columns[0].type
        if isinstance(column_type, EnumString):
            event.listen(
                getattr(class_, attribute.key),
                "set",
                _coercer(column_type.enum),
                retval=True,
                propagate=True,
            )
