"""Run by test_disk_full in its own process: sign in as a candidate, then, with files
limited to `limit` bytes (RLIMIT_FSIZE) as on a full disk, either upload a CV through
the profile form, or (`apply:<offer id>`) apply to an offer with the profile's CV,
which the application copies. Prints the response status and page as JSON.

    python -m tests.drills.full_disk_upload DATABASE_URL UPLOAD_DIR EMAIL PASSWORD PDF LIMIT [apply:ID]
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import sys
from pathlib import Path

os.environ["APP_ENV"] = "testing"

from recrutement import create_app  # noqa: E402
from tests.support import CsrfClient, use_fast_password_hashing  # noqa: E402


def main(
    database_url: str,
    upload_dir: str,
    email: str,
    password: str,
    pdf: str,
    limit: str,
    target: str = "profile",
) -> None:
    use_fast_password_hashing()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": upload_dir,
            "SEARCH_INDEX_DIR": str(Path(upload_dir).parent / "index"),
            "BASE_URL": "http://localhost",
        }
    )
    app.test_client_class = CsrfClient
    content = Path(pdf).read_bytes()
    with app.test_client() as client:
        signed_in = client.post("/connexion", data={"email": email, "password": password})
        assert signed_in.status_code == 302, signed_in.status_code
        # A write past `limit` fails with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        _soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), hard))

        if target.startswith("apply:"):
            response = client.post(
                f"/offres/{int(target.removeprefix('apply:'))}/postuler",
                data={"cover_letter": "Chef de projet depuis six ans, je souhaite " * 3},
            )
            print(
                json.dumps(
                    {"status": response.status_code, "page": response.get_data(as_text=True)}
                )
            )
            return
        response = client.post(
            "/candidat/profil",
            data={
                "first_name": "Camille",
                "last_name": "Le Goff",
                "phone": "",
                "town": "",
                "experience_years": "",
                "diploma": "",
                "field_of_study": "",
                "gender": "",
                "cv": (io.BytesIO(content), "cv-complet.pdf"),
            },
        )
        print(json.dumps({"status": response.status_code, "page": response.get_data(as_text=True)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
