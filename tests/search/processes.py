"""Other processes on the test's database and index, for the tests of what one process
sees of another's writes (test_sync.py, test_cache.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

# A process with the test's configuration; `publish(title)` publishes an offer there.
PROCESS = textwrap.dedent(
    """
    import os
    from datetime import timedelta

    os.environ["APP_ENV"] = "testing"
    from recrutement import create_app
    from recrutement.core.time import paris_today, utcnow
    from recrutement.extensions import db
    from recrutement.offers.models import Offer
    from recrutement.search.sync import init_search

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": os.environ["TEST_DB"],
            "SEARCH_INDEX_DIR": os.environ["TEST_INDEX"],
            "UPLOAD_DIR": os.environ["TEST_UPLOADS"],
        }
    )
    init_search(app)


    def publish(title):
        offer = Offer(
            organisation_id=int(os.environ["TEST_ORGANISATION"]),
            workplace_insee_code="29233",
            contract_type="project_contract",
            application_deadline=paris_today() + timedelta(days=40),
            status="published",
            published_at=utcnow(),
            title=title,
            missions="Revitalisation du centre-bourg.",
        )
        db.session.add(offer)
        db.session.commit()
        return offer


    with app.app_context():
    {body}
    """
)


def run_process(app, organisation, body: str, *, wait: bool = True):
    environment = {
        **os.environ,
        "TEST_DB": app.config["SQLALCHEMY_DATABASE_URI"],
        "TEST_INDEX": app.config["SEARCH_INDEX_DIR"],
        "TEST_UPLOADS": app.config["UPLOAD_DIR"],
        "TEST_ORGANISATION": str(organisation.id),
        "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
    }
    code = PROCESS.replace("{body}", textwrap.indent(textwrap.dedent(body), "    "))
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if wait:
        finish(process)
    return process


def finish(process, expected: int = 0) -> None:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == expected, stderr[-3000:]
