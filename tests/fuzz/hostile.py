"""The hostile values, and which of them a run posts.

By default a run posts a seeded sample (`FUZZ_CASES`, 3 per field, 2 per query
parameter) so the suite stays fast; `FUZZ_CASES=all` (what `make fuzz` sets) posts every value on every field. The
sample depends only on `FUZZ_SEED` and the field's own name and address, so adding a
form does not reshuffle the others and a failure is replayed by running again.
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass

MEGABYTE = 1024 * 1024
SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
# What must never appear raw in an HTML answer.
MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>")


@dataclass(frozen=True)
class Hostile:
    """One hostile value: `text` may hold lone surrogates, sent as the raw bytes a
    hand-made request carries (a browser would have replaced them)."""

    label: str
    text: str


VALUES: tuple[Hostile, ...] = (
    # numbers
    Hostile("minus one", "-1"),
    Hostile("huge integer", "99999999999999999999999"),
    Hostile("exponent", "1e30"),
    Hostile("NaN", "NaN"),
    Hostile("Infinity", "Infinity"),
    Hostile("negative huge", "-99999999999999999999999"),
    # digits str.isdigit() accepts and int() refuses (or reads)
    Hostile("unicode digits", "²³"),
    Hostile("arabic-indic digits", "١٢٣"),
    # dates
    Hostile("date zero", "0000-00-00"),
    Hostile("date far", "9999-12-31"),
    Hostile("31 February", "31/02/2026"),
    Hostile("month 13", "2026-13-45"),
    # size
    Hostile("1 MB", "x" * MEGABYTE),
    # control characters
    Hostile("NUL", "avant\x00après"),
    Hostile("controls", "\x01\x07\x1b[31m\x7f\x08"),
    Hostile("CR LF", "ligne\r\nBcc: pirate@exemple.fr"),
    # unicode edge cases
    Hostile("RTL override", "fichier\u202egnp.exe"),
    Hostile("zero-width joiner", "a\u200db\u200b\ufeffc"),
    Hostile("lone surrogates", "\ud800x\udfff"),
    Hostile("emoji", "👩🏽\u200d💻 🇫🇷 💶"),
    Hostile("combining marks", "e\u0301\u0301\u0301\u0327\u0338Z\u0334\u0321\u0362"),
    # payloads
    Hostile("formula", '=HYPERLINK("x")'),
    Hostile("at formula", "@SUM(1)"),
    Hostile("script", SCRIPT),
    Hostile("attribute break", IMAGE),
    Hostile("SQL", "' OR 1=1 --"),
    Hostile("path", "../../etc/passwd"),
    Hostile("empty", ""),
)

# Files for file inputs: (label, filename, content).
FILES: tuple[tuple[str, str, bytes], ...] = (
    ("empty file", "vide.pdf", b""),
    ("not a PDF", "cv.pdf", b"<html><script>alert(1)</script></html>"),
    ("fake PDF", "cv.pdf", b"%PDF-1.4\n<svg onload=alert(1)>\n%%EOF"),
    ("path name", "../../etc/passwd", b"%PDF-1.4\n%%EOF"),
    ("hostile name", "cv\u202efdp.exe\x00<script>.pdf", b"%PDF-1.4\n%%EOF"),
)

MULTI_COUNT = 500


def mode() -> str:
    return os.environ.get("FUZZ_CASES", "3").strip().lower() or "3"


def seed() -> int:
    return int(os.environ.get("FUZZ_SEED", "20260610"))


def _rng(*key: str) -> random.Random:
    digest = hashlib.sha256("|".join((str(seed()), *key)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def sample(items: tuple | list, *key: str, share: float = 1.0) -> list:
    """Every item with FUZZ_CASES=all, else FUZZ_CASES of them (times `share`, at least
    one) drawn for `key`."""
    if mode() == "all":
        return list(items)
    count = max(1, round(int(mode()) * share))
    if count >= len(items):
        return list(items)
    return _rng(*key).sample(list(items), count)


def multi_values(options: list[str]) -> list[str]:
    """500 values for a multi-valued field: its own options over and over, then numbers
    that match none."""
    own = [option for option in options if option] or ["1"]
    half = MULTI_COUNT // 2
    return [own[index % len(own)] for index in range(half)] + [
        str(index) for index in range(MULTI_COUNT - half)
    ]


def examples() -> int:
    """How many unicode texts Hypothesis draws per role (FUZZ_EXAMPLES)."""
    default = "200" if mode() == "all" else "15"
    return int(os.environ.get("FUZZ_EXAMPLES", default))
