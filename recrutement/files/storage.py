"""Store uploaded PDFs outside static/, under random names, after checking their content.

The bytes go to the configured file store (files/stores.py), by `stored_name`.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import IndirectObject
from werkzeug.datastructures import FileStorage

from recrutement.core.errors import ServiceError
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.stores import file_store

MAX_PDF_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


NOT_A_PDF = "Ce fichier n'est pas un PDF valide. Enregistrez votre document au format PDF."
ACTIVE_CONTENT = (
    "Ce PDF contient du contenu actif ({what}), refusé par sécurité. Enregistrez-le de "
    "nouveau avec « Imprimer en PDF » ou « Exporter en PDF », puis déposez ce nouveau fichier."
)
# What a viewer would run or open: scripts, launch actions, embedded files, rich media.
ACTIVE_KEYS = {
    "/JS": "un script",
    "/JavaScript": "un script",
    "/Launch": "une action qui lance un programme",
    "/EmbeddedFile": "un fichier joint",
    "/EmbeddedFiles": "un fichier joint",
    "/RichMedia": "un contenu multimédia actif",
    "/XFA": "un formulaire dynamique",
}
# A PDF whose object graph is deeper or larger than this is not a document we expect.
MAX_PDF_OBJECTS = 50_000


def check_pdf(content: bytes, field: str = "file") -> None:
    """Accept a file only if a PDF parser opens it with at least one page and finds no
    active content; by its bytes, never its name or declared type."""
    if not content:
        raise ServiceError("Le fichier est vide.", field=field)
    if len(content) > MAX_PDF_BYTES:
        raise ServiceError("Le fichier dépasse 5 Mo : réduisez sa taille.", field=field)
    if PDF_MAGIC not in content[:1024]:
        raise ServiceError(NOT_A_PDF, field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise ServiceError(
                    "Ce PDF est protégé par un mot de passe : déposez une version sans protection.",
                    field=field,
                )
            if len(reader.pages) < 1:
                raise ServiceError(NOT_A_PDF, field=field)
            active = _active_content(reader.trailer)
    except ServiceError:
        raise
    except Exception as error:  # noqa: BLE001 — any parser failure means "not a PDF"
        raise ServiceError(NOT_A_PDF, field=field) from error
    if active:
        raise ServiceError(ACTIVE_CONTENT.format(what=active), field=field)


def _active_content(root: object) -> str | None:
    """The first active element reachable from the trailer, described in French."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ACTIVE_KEYS:
                    return ACTIVE_KEYS[key]
                if key == "/S" and value in ("/JavaScript", "/Launch"):
                    return ACTIVE_KEYS[value]
                if key == "/Type" and value in ("/EmbeddedFile", "/RichMedia"):
                    return ACTIVE_KEYS[value]
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return None


def store_pdf(upload: FileStorage, field: str = "file") -> StoredFile:
    """Check and write an uploaded PDF; the StoredFile is added to the session (not committed)."""
    content = upload.read(MAX_PDF_BYTES + 1)
    check_pdf(content, field)
    original = Path(upload.filename or "document.pdf").name[:200] or "document.pdf"
    return store_bytes(content, original, field=field)


NOT_STORED = (
    "Le fichier n'a pas pu être enregistré, faute de place sur nos serveurs. "
    "Réessayez plus tard ; si le problème persiste, écrivez-nous."
)


def store_bytes(
    content: bytes,
    original_name: str,
    content_type: str = "application/pdf",
    field: str = "file",
) -> StoredFile:
    """Write bytes the platform made or checked; the StoredFile is added, not committed.

    The store writes all or nothing: a write that fails (disk full, quota) leaves no
    file behind, and the user is told in French rather than shown an error page.
    """
    stored_name = secrets.token_hex(16)
    try:
        file_store().write(stored_name, content)
    except OSError as error:
        raise ServiceError(NOT_STORED, field=field) from error
    stored = StoredFile(
        stored_name=stored_name,
        original_name=original_name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    db.session.add(stored)
    return stored


def read_stored(stored: StoredFile) -> bytes:
    """The bytes of a stored file; FileNotFoundError if the store lost them."""
    return file_store().read(stored.stored_name)


def delete_file(stored: StoredFile) -> None:
    """Remove the bytes and the record (the caller commits)."""
    file_store().delete(stored.stored_name)
    db.session.delete(stored)
