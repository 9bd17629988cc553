"""Fail when the models and the migrations disagree (part of `make quality`)."""

from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("APP_ENV", "testing")

from recrutement import create_app  # noqa: E402
from recrutement.schema_check import migration_drift  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/drift.db",
                "UPLOAD_DIR": f"{directory}/uploads",
                "SEARCH_INDEX_DIR": f"{directory}/index",
            }
        )
        differences = migration_drift(app)
    if differences:
        print("The models differ from the migrations; run `make migration m=...`:")
        for difference in differences:
            print(f"  {difference}")
        return 1
    print("Migrations match the models.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
