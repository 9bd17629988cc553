"""Copy a stored file: an application keeps its own CV, whatever the profile becomes."""

from __future__ import annotations

import secrets
import shutil

from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.storage import file_path


def copy_stored_file(original: StoredFile) -> StoredFile:
    """A new StoredFile with the same bytes under a new random name (not committed)."""
    copy = StoredFile(
        stored_name=secrets.token_hex(16),
        original_name=original.original_name,
        content_type=original.content_type,
        size=original.size,
        sha256=original.sha256,
    )
    shutil.copyfile(file_path(original), file_path(copy))
    db.session.add(copy)
    return copy
