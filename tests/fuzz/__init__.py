"""The fuzzing harness (issue 10): every form and query string of the platform, found
from the pages themselves, receives hostile values one field at a time."""
