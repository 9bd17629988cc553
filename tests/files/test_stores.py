"""The file store (recrutement/files/stores.py): the local directory store writes all or
nothing, reads back what it wrote, forgets a name twice without complaint, keeps names
inside its directory; an unknown FILE_STORE stops the start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask, send_file

from recrutement.config import ConfigurationError, load_config
from recrutement.files.stores import LocalDirectoryStore, file_store, make_file_store

ROOT = Path(__file__).resolve().parents[2]


def files_under(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file()
    }


def test_what_is_written_is_read_back_opened_described_and_listed(tmp_path):
    store = LocalDirectoryStore(tmp_path / "uploads")
    store.write("b" * 32, b"%PDF-1.4 second")
    store.write("a" * 32, b"%PDF-1.4 first")
    store.write("decisions/2026/decision.pdf", b"%PDF-1.4 nested")

    assert store.read("a" * 32) == b"%PDF-1.4 first"
    with store.open("b" * 32) as opened:
        assert opened.read() == b"%PDF-1.4 second"
    assert store.exists("a" * 32) and not store.exists("c" * 32)
    info = store.info("a" * 32)
    assert info.size == len(b"%PDF-1.4 first")
    assert info.modified == (tmp_path / "uploads" / ("a" * 32)).stat().st_mtime
    assert list(store.names()) == ["a" * 32, "b" * 32, "decisions/2026/decision.pdf"]
    # Nothing else was left in the directory (no temporary file).
    assert set(files_under(tmp_path / "uploads")) == set(store.names())

    store.write("a" * 32, b"%PDF-1.4 replaced")
    assert store.read("a" * 32) == b"%PDF-1.4 replaced"
    with pytest.raises(FileNotFoundError):
        store.read("c" * 32)
    with pytest.raises(FileNotFoundError):
        store.info("c" * 32)


def test_the_etag_is_the_one_werkzeug_gives_the_same_path(tmp_path):
    """So validators browsers held before the store existed still answer 304."""
    store = LocalDirectoryStore(tmp_path / "uploads")
    store.write("a" * 32, b"%PDF-1.4 content")
    app = Flask(__name__)
    with app.test_request_context():
        by_path = send_file(tmp_path / "uploads" / ("a" * 32), mimetype="application/pdf")
        by_path.close()
    assert by_path.headers["ETag"] == f'"{store.info("a" * 32).etag}"'


FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    from recrutement.files.stores import LocalDirectoryStore

    store = LocalDirectoryStore(sys.argv[1])
    store.write("kept", b"%PDF-1.4 before")
    # Files may not grow past 1,000 bytes from here, as on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    for name in ("new", "kept"):
        try:
            store.write(name, b"x" * 5000)
        except OSError as error:
            print(name, type(error).__name__)
        else:
            print(name, "written")
    """
)


def test_a_write_that_fails_midway_leaves_no_partial_file_and_the_old_bytes(tmp_path):
    directory = tmp_path / "uploads"
    run = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(directory)],
        cwd=ROOT,
        env={**os.environ, "APP_ENV": "testing"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    # EFBIG: the write failed after some bytes had gone to the temporary file.
    assert run.stdout.split("\n")[:2] == ["new OSError", "kept OSError"], run.stdout
    assert files_under(directory) == {"kept": b"%PDF-1.4 before"}


def test_a_write_whose_rename_fails_leaves_no_partial_file(tmp_path):
    store = LocalDirectoryStore(tmp_path / "uploads")
    # A directory where the file should go: the bytes are written, the rename refused.
    (tmp_path / "uploads" / "taken").mkdir(parents=True)
    with pytest.raises(OSError):  # noqa: PT011 — IsADirectoryError on Linux
        store.write("taken", b"%PDF-1.4 content")
    assert files_under(tmp_path / "uploads") == {}
    assert list(store.names()) == []


def test_deleting_a_missing_name_is_not_an_error(tmp_path):
    store = LocalDirectoryStore(tmp_path / "uploads")
    store.delete("a" * 32)
    store.write("a" * 32, b"%PDF-1.4 content")
    store.delete("a" * 32)
    store.delete("a" * 32)
    assert not store.exists("a" * 32)
    assert files_under(tmp_path / "uploads") == {}


def test_writes_in_progress_and_links_are_not_listed(tmp_path):
    directory = tmp_path / "uploads"
    store = LocalDirectoryStore(directory)
    store.write("a" * 32, b"%PDF-1.4 content")
    (directory / f".{'b' * 32}.part").write_bytes(b"%PDF-1.4 half")
    (tmp_path / "outside.pdf").write_bytes(b"secret")
    (directory / "link").symlink_to(tmp_path / "outside.pdf")
    assert list(store.names()) == ["a" * 32]
    assert not store.exists("link")


@pytest.mark.parametrize(
    "name",
    ["", "../evasion.pdf", "/etc/passwd", "a//b", "a/./b", "a/../../b", "a\\b", ".x.part", "a\0"],
)
def test_a_name_that_leaves_the_store_is_refused(tmp_path, name):
    store = LocalDirectoryStore(tmp_path / "uploads" / "inner")
    for attempt in (
        lambda: store.write(name, b"x"),
        lambda: store.read(name),
        lambda: store.delete(name),
    ):
        with pytest.raises(ValueError, match="not a stored file name"):
            attempt()
    assert files_under(tmp_path) == {}


def test_the_local_store_is_the_default_and_an_unknown_one_is_refused(tmp_path):
    assert load_config({"APP_ENV": "testing"})["FILE_STORE"] == "local"
    assert load_config({"APP_ENV": "testing", "FILE_STORE": "local"})["FILE_STORE"] == "local"
    with pytest.raises(ConfigurationError, match="FILE_STORE must be one of local, not 's3'"):
        load_config({"APP_ENV": "testing", "FILE_STORE": "s3"})
    with pytest.raises(ConfigurationError, match="not 'nfs'"):
        make_file_store("nfs", str(tmp_path))


def test_the_application_uses_the_configured_store(app, tmp_path):
    store = file_store()
    assert isinstance(store, LocalDirectoryStore)
    assert store.directory == Path(app.config["UPLOAD_DIR"]).absolute()
    assert file_store() is store

    app.config["FILE_STORE"] = "s3"
    try:
        with pytest.raises(ConfigurationError, match="not 's3'"):
            file_store()
    finally:
        app.config["FILE_STORE"] = "local"
