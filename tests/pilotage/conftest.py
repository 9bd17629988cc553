"""The dashboard tests reuse the cofunding tests' people (two collectivités, instructors)."""

from tests.cofunding.conftest import people  # noqa: F401
