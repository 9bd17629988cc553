"""Copy a stored file: an application keeps its own CV, whatever the profile becomes."""

from __future__ import annotations

import secrets

from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.stores import file_store


def copy_stored_file(original: StoredFile) -> StoredFile:
    """A new StoredFile with the same bytes under a new random name (not committed)."""
    copy = StoredFile(
        stored_name=secrets.token_hex(16),
        original_name=original.original_name,
        content_type=original.content_type,
        size=original.size,
        sha256=original.sha256,
    )
    store = file_store()
    store.write(copy.stored_name, store.read(original.stored_name))
    db.session.add(copy)
    return copy
