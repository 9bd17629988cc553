"""Index lag and publish latency, with the worker running (`flask --app wsgi worker`), on
a throw-away copy of the 10,000-offer database.

As Quimperlé's demo employer would: signed in through the sign-in form, write a draft
(`create_draft`, with a generated offer's content and a title holding a word found
nowhere else), open its page and press "Publier": the POST to the real route, through
the app's test client in-process, timed until its response is returned (the publish
latency, what the employer waits for). The response is then closed, as the server does
once it has written it, and the word searched with `search_offers` every few
milliseconds until the offer is found: the index lag, from the moment the response was
returned. Twice: without saved searches, then with 1,000 instant saved searches ("chef
de projet") that every new offer matches, whose alerts the worker sends meanwhile.
"""

from __future__ import annotations

import re
import secrets
import string
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from scripts.bench.data import ROOT, create_quiet_app, environment
from scripts.bench.stats import Row, summary

SECTION = "publication et indexation (worker lancé, 10 000 offres)"
SAVED_SEARCHES = 1_000
LAG_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.01
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def unique_word(index: int) -> str:
    """A word of letters only that no generated offer contains (the analyser keeps it)."""
    letters = string.ascii_lowercase
    suffix = ""
    index += 1
    while index:
        index, digit = divmod(index - 1, 26)
        suffix = letters[digit] + suffix
    return f"zorglub{suffix}"


def add_saved_searches(count: int) -> None:
    """`count` instant saved searches of a demo candidate that every offer matches."""
    from sqlalchemy import insert

    from recrutement.accounts.models import User
    from recrutement.alerts.models import SavedSearch
    from recrutement.demo import DOMAIN
    from recrutement.extensions import db

    candidate = db.session.query(User).filter_by(email=f"candidat1@{DOMAIN}").one()
    db.session.execute(
        insert(SavedSearch),
        [
            {
                "user_id": candidate.id,
                "name": f"Alerte {index}",
                "query": {"q": "chef de projet"},
                "frequency": "instant",
                "unsubscribe_token_hash": secrets.token_hex(32),
            }
            for index in range(count)
        ],
    )
    db.session.commit()


def log_in(client: Any, email: str, password: str) -> None:
    """Sign `client` in through the sign-in form, as a browser would."""
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    response = client.post(
        "/connexion", data={"email": email, "password": password, "csrf_token": token}
    )
    response.close()
    if response.status_code != 302:
        raise RuntimeError(f"connexion de {email} refusée ({response.status_code})")


def csrf_token(page: str) -> str:
    found = CSRF_FIELD.search(page)
    if found is None:
        raise RuntimeError("pas de jeton CSRF dans la page")
    return found.group(1)


def publish_and_wait(app: Any, client: Any, employer_email: str, word: str) -> tuple[float, float]:
    """Publish one new offer titled with `word` through the page; (publish ms, lag ms).

    The requests run outside any app context, each in its own, as under a server.
    """
    from recrutement.accounts.models import User
    from recrutement.extensions import db
    from recrutement.offers.models import CONTENT_FIELDS, Offer, OfferStatus
    from recrutement.offers.services import OfferContent, allowed_towns, create_draft
    from recrutement.search.query import SearchParams, search_offers

    with app.app_context():
        employer = db.session.query(User).filter_by(email=employer_email).one()
        if employer.organisation is None:
            raise RuntimeError(f"{employer_email} n'est membre d'aucune collectivité")
        # The content of a generated offer, in the employer's town, as the form would give it.
        template = (
            db.session.query(Offer)
            .filter_by(status=OfferStatus.PUBLISHED)
            .order_by(Offer.id)
            .first()
        )
        if template is None:
            raise RuntimeError("aucune offre publiée dans la base")
        town = allowed_towns(employer.organisation)[0].insee_code
        values = {name: getattr(template, name) for name in CONTENT_FIELDS}
        values.update(
            title=f"Chef de projet Petites villes de demain {word}",
            workplace_insee_code=town,
            application_deadline=date.today() + timedelta(days=60),
        )
        draft_id = create_draft(employer, OfferContent(values, [town])).id

    # The offer's page holds the publish button and its CSRF token.
    page = client.get(f"/collectivite/offres/{draft_id}")
    token = csrf_token(page.get_data(as_text=True))
    page.close()
    started = time.perf_counter()
    response = client.post(f"/collectivite/offres/{draft_id}/publier", data={"csrf_token": token})
    published = time.perf_counter()
    # What the server does once the response is written.
    response.close()
    if response.status_code != 302:
        raise RuntimeError(f"publication refusée ({response.status_code})")

    params = SearchParams.from_args({"q": word})
    with app.app_context():
        while search_offers(params).total == 0:
            if time.perf_counter() - published > LAG_TIMEOUT_SECONDS:
                raise RuntimeError(f"« {word} » introuvable après {LAG_TIMEOUT_SECONDS:.0f} s")
            time.sleep(POLL_SECONDS)
            db.session.remove()
        found = time.perf_counter()
        db.session.remove()
    return (published - started) * 1000, (found - published) * 1000


def measure_lag(directory: Path, publications: int) -> list[Row]:
    """Publish `publications` offers without saved searches, then as many with 1,000."""
    from recrutement.demo import DOMAIN
    from recrutement.extensions import db

    app = create_quiet_app(directory)
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=environment(directory),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows = []
    try:
        time.sleep(3)  # the worker's start: imports, the index check
        if worker.poll() is not None:
            raise RuntimeError("le worker s'est arrêté au démarrage")
        client = app.test_client()
        log_in(client, f"quimperle@{DOMAIN}", app.config["DEMO_PASSWORD"])
        published = 0
        for alerts in (0, SAVED_SEARCHES):
            if alerts:
                with app.app_context():
                    add_saved_searches(alerts)
            publish_ms, lag_ms = [], []
            for _ in range(publications):
                latency, lag = publish_and_wait(
                    app, client, f"quimperle@{DOMAIN}", unique_word(published)
                )
                published += 1
                publish_ms.append(latency)
                lag_ms.append(lag)
            rows += _rows(alerts, publish_ms, lag_ms)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    print("Publication et indexation mesurées.")
    return rows


def _rows(alerts: int, publish_ms: list[float], lag_ms: list[float]) -> list[Row]:
    note: Any = f"{len(publish_ms)} offres"
    return [
        Row(
            SECTION, f"publication ({alerts} alertes instantanées)", summary(publish_ms), note=note
        ),
        Row(
            SECTION,
            f"délai d'indexation ({alerts} alertes instantanées)",
            summary(lag_ms),
            note=note,
        ),
    ]
