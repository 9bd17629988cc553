"""Test helpers: a CSRF-aware client, a real SMTP mailbox, link extraction, and what
keeps the per-test app cheap (compiled templates shared, a fast password hash)."""

from __future__ import annotations

import html
import os
import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from flask import Response
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.test import TestResponse


class PageResponse(TestResponse, Response):
    """A test response with `page`: its HTML as text, entities decoded (as a reader sees it)."""

    @property
    def page(self) -> str:
        return html.unescape(self.get_data(as_text=True))


class CsrfClient(FlaskClient):
    """A test client whose form posts carry a valid CSRF token, as a browser's would.

    Pass `csrf=False` to post without one (to prove the protection works).
    """

    def __init__(self, application, response_wrapper=None, **kwargs):
        super().__init__(application, PageResponse, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if raw is None:
                raw = secrets.token_hex(20)
                session["csrf_token"] = raw
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            kwargs["data"] = {"csrf_token": self.csrf_token(), **(data or {})}
        return super().post(*args, **kwargs)


@dataclass
class ReceivedMail:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""

    def links(self) -> list[str]:
        return re.findall(r"https?://\S+", self.text)


@dataclass
class Mailbox:
    """What the local SMTP server (aiosmtpd) received."""

    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(ReceivedMail(list(envelope.rcpt_tos), message))
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def to(self, email: str) -> list[ReceivedMail]:
        with self.lock:
            return [mail for mail in self.received if email in mail.recipients]

    def last_to(self, email: str) -> ReceivedMail:
        mails = self.to(email)
        assert mails, f"no mail received for {email}; got {[m.recipients for m in self.received]}"
        return mails[-1]


def path_of(url: str) -> str:
    """The path (and query) of an absolute link, to follow it with the test client."""
    return re.sub(r"^https?://[^/]+", "", url)


def later(delta):
    """Move the clock `delta` into the future for the `with` block (time-machine)."""
    from datetime import UTC, datetime

    import time_machine

    return time_machine.travel(datetime.now(UTC) + delta, tick=False)


def one_page_pdf(text: str = "Curriculum vitae") -> bytes:
    """A small real PDF (one page of text), as the upload check requires."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


# A small PDF that the content check accepts.
TINY_PDF = one_page_pdf()


def multipart(fields: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """Encode a multipart body ourselves, so large test uploads need no temporary file
    (Werkzeug's test builder spools big bodies to a file it does not always close)."""
    boundary = "----recrutement-test-boundary"
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode()
            )
    for name, (filename, content) in files.items():
        header = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        parts.append(header.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@contextmanager
def temporary_postgresql_database(server_url: str) -> Iterator[str]:
    """A new empty database on the PostgreSQL server of `server_url`, dropped afterwards.
    Yields its URL. Each test run (or migration test) gets its own, so concurrent runs
    and other branches' leftovers never meet. Its commits do not wait for the disk
    (synchronous_commit off: a crash of the server may lose the last ones, which a
    test database can afford)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"recrutement_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by every app of the run.

    Each test builds its own app, whose Jinja environment would compile again each
    template it renders (a quarter of a page test's time). Jinja keys a compiled
    template by its name and the checksum of its source, so an edited template is
    compiled anew.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self.compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def use_fast_password_hashing() -> None:
    """Hash passwords with argon2id at its lowest cost for the rest of the run.

    Argon2 is slow on purpose (about 0.1 s a hash or a check here) and the tests log
    in hundreds of times: it took 40 % of the accounts tests' time. The code under
    test is the same and so is the format ($argon2id$…); only the cost parameters in
    the hashes differ. Call it before anything hashes (tests.factories hashes the
    shared password on import)."""
    from argon2 import PasswordHasher

    from recrutement.accounts import passwords

    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    for name in ("_hasher", "_DUMMY_HASH"):
        if not hasattr(passwords, name):
            raise RuntimeError(f"recrutement.accounts.passwords.{name} is gone: update {__name__}")
    passwords._hasher = fast  # type: ignore[attr-defined]
    passwords._DUMMY_HASH = fast.hash("a password nobody has, used only for timing")  # type: ignore[attr-defined]
