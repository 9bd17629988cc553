"""Rebuild recrutement/accounts/data/common-passwords.txt.

Source: the list of 20,000 common passwords that Django ships (BSD licence),
itself derived from Royce Williams' compilation of leaked passwords. We keep
the entries a user could still pick under our rules (12 characters or more),
lowercased, plus a few French ones, and ship that small derived file.

Usage: python scripts/build_common_passwords.py   (needs pip and network to PyPI)
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DJANGO_VERSION = "5.2.8"
MINIMUM_LENGTH = 12
OUTPUT = Path(__file__).resolve().parent.parent / "recrutement/accounts/data/common-passwords.txt"
# Common French choices that leaked lists under-represent.
FRENCH_ADDITIONS = [
    "motdepasse123",
    "motdepasse1234",
    "motdepassemotdepasse",
    "azertyuiop123",
    "azertyuiopqsdf",
    "azertyazertyazerty",
    "jetaime123456",
    "bonjour123456",
    "soleil123456",
    "marseille1234",
    "doudou123456",
    "chouchou1234",
    "petitesvillesdedemain",
    "recrutementpvd",
    "recrutement-pvd",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                directory,
                f"django=={DJANGO_VERSION}",
            ],
            check=True,
        )
        wheel = next(Path(directory).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            raw = archive.read("django/contrib/auth/common-passwords.txt.gz")
    passwords = {line.strip().lower() for line in gzip.decompress(raw).decode().splitlines()}
    passwords.update(FRENCH_ADDITIONS)
    kept = sorted(p for p in passwords if len(p) >= MINIMUM_LENGTH)
    header = (
        f"# Common passwords of {MINIMUM_LENGTH}+ characters, lowercased.\n"
        f"# Built by scripts/build_common_passwords.py from Django {DJANGO_VERSION}'s list "
        "(BSD licence; compiled by Royce Williams) plus French additions.\n"
    )
    OUTPUT.write_text(header + "\n".join(kept) + "\n")
    print(f"{len(kept)} passwords written to {OUTPUT}")


if __name__ == "__main__":
    main()
