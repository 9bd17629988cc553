"""Copy a stored file: an application keeps its own CV, whatever the profile becomes."""

from __future__ import annotations

from recrutement.files.models import StoredFile
from recrutement.files.storage import read_stored, store_bytes


def copy_stored_file(original: StoredFile, field: str = "file") -> StoredFile:
    """A new StoredFile with the same bytes under a new random name (not committed).

    A write that fails (disk full) is a ServiceError on `field` in French, as for an
    upload, and leaves no file behind.
    """
    return store_bytes(
        read_stored(original), original.original_name, original.content_type, field=field
    )
