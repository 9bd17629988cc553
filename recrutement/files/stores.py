"""Where the bytes of uploaded files live: one interface, `FileStore`, and the store the
configuration chooses (`FILE_STORE`; `local`, the default, is `LocalDirectoryStore` on
UPLOAD_DIR). The rest of the code names a file by its `StoredFile.stored_name` and
reaches its bytes only through `file_store()`, never through a path, so another store
(object storage, say) needs only these methods (docs/operations.md, "Uploaded files
on several hosts").

Names are relative, `/`-separated, never absolute and never with `.` or `..` parts;
the platform's own are 32 random hex characters.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from flask import current_app

from recrutement.config import FILE_STORES, ConfigurationError

# Where a local write goes until it is complete (beside its final name, so on the same
# file system and the rename is atomic); never listed.
PARTIAL_SUFFIX = ".part"


@dataclass(frozen=True)
class FileInfo:
    """What serving a file needs besides its bytes."""

    size: int
    # Seconds since the epoch, as `os.stat` gives them.
    modified: float
    # Changes whenever the bytes may have changed (an HTTP validator, without quotes).
    etag: str


class FileStore(Protocol):
    """The bytes of uploaded files, by name."""

    def write(self, name: str, content: bytes) -> None:
        """Store `content` under `name`, all or nothing: a failure (disk full, quota)
        raises OSError and leaves neither a partial file nor a changed one."""

    def open(self, name: str) -> BinaryIO:
        """The file opened for reading (the caller closes it); FileNotFoundError if absent."""

    def read(self, name: str) -> bytes:
        """All the bytes; FileNotFoundError if absent."""

    def info(self, name: str) -> FileInfo:
        """Size, modification time and validator; FileNotFoundError if absent."""

    def exists(self, name: str) -> bool: ...

    def delete(self, name: str) -> None:
        """Remove the file; a name that is already gone is not an error."""

    def names(self) -> Iterator[str]:
        """Every stored name, sorted (backups list the store with it)."""


def _is_partial(file_name: str) -> bool:
    return file_name.startswith(".") and file_name.endswith(PARTIAL_SUFFIX)


def checked_name(name: str) -> str:
    """`name`, if it stays inside the store; ValueError otherwise."""
    parts = name.split("/")
    if (
        not name
        or PurePosixPath(name).is_absolute()
        or "\\" in name
        or "\0" in name
        or any(part in ("", ".", "..") for part in parts)
        or _is_partial(parts[-1])
    ):
        raise ValueError(f"not a stored file name: {name!r}")
    return name


class LocalDirectoryStore:
    """Files under one directory of the local file system (or a mount shared by every
    host: NFS, CephFS). A write goes to `.<name>.part` beside the file, then is renamed."""

    def __init__(self, directory: Path | str) -> None:
        # Absolute once and for all: what the process's working directory later is
        # does not matter, and validators stay those Werkzeug gave for a path.
        self.directory = Path(os.path.abspath(directory))

    def path(self, name: str) -> Path:
        """Where `name` lives on disk (for this store and backups only)."""
        return self.directory.joinpath(*checked_name(name).split("/"))

    def write(self, name: str, content: bytes) -> None:
        target = self.path(name)
        partial = target.with_name(f".{target.name}{PARTIAL_SUFFIX}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(content)
            partial.rename(target)
        except OSError:
            partial.unlink(missing_ok=True)
            raise

    def open(self, name: str) -> BinaryIO:
        return self.path(name).open("rb")

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def info(self, name: str) -> FileInfo:
        path = self.path(name)
        stat = path.stat()
        # The ETag Werkzeug's send_file gives a path, so validators that browsers hold
        # from before this store existed still match.
        check = zlib.adler32(str(path).encode()) & 0xFFFFFFFF
        return FileInfo(
            size=stat.st_size,
            modified=stat.st_mtime,
            etag=f"{stat.st_mtime}-{stat.st_size}-{check}",
        )

    def exists(self, name: str) -> bool:
        path = self.path(name)
        return path.is_file() and not path.is_symlink()

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        """Regular files under the directory, at any depth, but not writes in progress
        nor symbolic links."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            if _is_partial(path.name):
                continue
            yield path.relative_to(self.directory).as_posix()


def make_file_store(kind: str, upload_dir: str) -> FileStore:
    """The store `FILE_STORE` names; ConfigurationError for any other value."""
    if kind == "local":
        return LocalDirectoryStore(upload_dir)
    raise ConfigurationError(f"FILE_STORE must be one of {', '.join(FILE_STORES)}, not {kind!r}")


def file_store() -> FileStore:
    """The current application's store, built once per configuration."""
    key = (current_app.config.get("FILE_STORE", "local"), current_app.config["UPLOAD_DIR"])
    cached: tuple[tuple[str, str], FileStore] | None = current_app.extensions.get("file_store")
    if cached is None or cached[0] != key:
        cached = (key, make_file_store(*key))
        current_app.extensions["file_store"] = cached
    return cached[1]
