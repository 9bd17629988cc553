"""Store uploaded PDFs outside static/, under random names, after checking their content."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from recrutement.core.errors import ServiceError
from recrutement.extensions import db
from recrutement.files.models import StoredFile

MAX_PDF_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def _directory() -> Path:
    directory = Path(current_app.config["UPLOAD_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def check_pdf(content: bytes, field: str = "file") -> None:
    """Refuse anything that is not a PDF by its bytes (not its name or declared type)."""
    if not content:
        raise ServiceError("Le fichier est vide.", field=field)
    if len(content) > MAX_PDF_BYTES:
        raise ServiceError("Le fichier dépasse 5 Mo : réduisez sa taille.", field=field)
    # A PDF starts with its header (within the first KB) and ends with %%EOF.
    if PDF_MAGIC not in content[:1024] or b"%%EOF" not in content[-2048:]:
        raise ServiceError(
            "Ce fichier n'est pas un PDF valide. Enregistrez votre document au format PDF.",
            field=field,
        )


def store_pdf(upload: FileStorage, field: str = "file") -> StoredFile:
    """Check and write an uploaded PDF; the StoredFile is added to the session (not committed)."""
    content = upload.read(MAX_PDF_BYTES + 1)
    check_pdf(content, field)
    original = Path(upload.filename or "document.pdf").name[:200] or "document.pdf"
    return store_bytes(content, original)


def store_bytes(content: bytes, original_name: str, content_type: str = "application/pdf"):
    """Write bytes the platform made or checked; the StoredFile is added, not committed."""
    stored_name = secrets.token_hex(16)
    (_directory() / stored_name).write_bytes(content)
    stored = StoredFile(
        stored_name=stored_name,
        original_name=original_name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    db.session.add(stored)
    return stored


def file_path(stored: StoredFile) -> Path:
    return _directory() / stored.stored_name


def delete_file(stored: StoredFile) -> None:
    """Remove the bytes and the record (the caller commits)."""
    file_path(stored).unlink(missing_ok=True)
    db.session.delete(stored)
