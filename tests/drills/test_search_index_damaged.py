"""The Whoosh index damaged while the platform serves: its directory deleted, every
segment file overwritten with garbage, or its table of contents truncated.

The platform runs as in production: gunicorn with deploy/gunicorn.conf.py (two sync
workers, each with its searcher open on the index) on the test database, then the
worker process. With offers published and the searches answered once, the index is
damaged; the same searches must keep answering 200 with the same offers (no 500, no
worker killed: a segment truncated under a memory map is a SIGBUS). Then the real
worker runs its rounds: the index is rebuilt (by the worker, or already by the web
request that could not answer from what it had open), the searches give the same
offer ids, and an offer published afterwards is found, so every web process reads
the rebuilt index and not a version it kept open.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from filelock import FileLock
from sqlalchemy import func, select
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from recrutement.extensions import db
from recrutement.offers.models import IndexTask, Offer, OfferStatus
from recrutement.search.index import INDEX_NAME, LOCK_FILE_NAME, index_state, rebuild_index
from recrutement.search.reader import close_searcher
from tests import factories
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
WEB_PROCESSES = 2
# Enough rounds of the searches for each gunicorn worker to answer some, so that each
# has its searcher open when the index is damaged.
WARM_UP_ROUNDS = 16
CLIENTS = 4
SEARCHES = {
    "page": "/offres",
    "page_words": "/offres?q=mobilites",
    "api_words": "/api/v1/offres?q=mobilites",
    "api_all": "/api/v1/offres?par_page=50",
}
# Asked for the first time once the index is damaged, so that no process has them in
# its caches: they read the index itself (its terms and postings). Every offer's
# profile has both words.
FIRST_ASKED = {
    "api_first_asked": "/api/v1/offres?q=urbanisme&par_page=50",
    "page_first_asked": "/offres?q=territorial",
}
DAMAGES = ("directory_deleted", "segments_garbled", "toc_truncated")


def get(base_url: str, path: str) -> tuple[int, str]:
    """The status and body of GET `path`; a connection the server dropped is a failure."""
    try:
        with urlopen(base_url + path, timeout=120) as response:  # noqa: S310 — local server
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


def offer_ids(path: str, body: str) -> list[int]:
    """The offers a search answered, in its order: the API's `resultats`, or the result
    titles' links of the page."""
    if path.startswith("/api/"):
        return [result["id"] for result in json.loads(body)["resultats"]]
    return [
        int(number) for number in re.findall(r'app-result__title"><a href="/offres/(\d+)', body)
    ]


def search_all(base_url: str, searches: dict[str, str] = SEARCHES) -> dict[str, list[int]]:
    """Each search's offer ids; every one must answer 200."""
    found = {}
    for name, path in searches.items():
        status, body = get(base_url, path)
        assert status == 200, f"{path} answered {status}: {body[:500]}"
        found[name] = offer_ids(path, body)
    return found


def search_rounds(base_url: str, searches: dict[str, str] = SEARCHES) -> list[dict[str, list[int]]]:
    """WARM_UP_ROUNDS rounds of the searches from CLIENTS threads at once: more clients
    than web processes, so that every process answers some."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(lambda _: search_all(base_url, searches), range(WARM_UP_ROUNDS)))


def wait_for(condition, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"{what}: not after {timeout} s"
        time.sleep(0.05)
    return time.monotonic() - start


def index_files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.iterdir() if path.name.startswith(f"{INDEX_NAME}_"))


def generation(directory: Path) -> int:
    names = os.listdir(directory) if directory.is_dir() else []
    found = [int(m.group(1)) for n in names if (m := re.match(rf"_{INDEX_NAME}_(\d+)\.toc$", n))]
    return max(found, default=-1)


def damage(directory: Path, how: str) -> None:
    if how == "directory_deleted":
        shutil.rmtree(directory)
    elif how == "segments_garbled":
        # Shorter than they were: a reader that had them memory-mapped would get SIGBUS.
        segments = [path for path in index_files(directory) if not path.name.endswith("LOCK")]
        assert segments, "no segment file to damage"
        for segment in segments:
            segment.write_bytes(b"\x00garbage" * 64)
    else:
        (toc,) = directory.glob(f"_{INDEX_NAME}_*.toc")
        size = toc.stat().st_size
        with open(toc, "r+b") as file:
            file.truncate(size // 2)
        with pytest.raises(Exception):  # noqa: B017, PT011 — whatever Whoosh raises
            TOC.read(FileStorage(str(directory)), INDEX_NAME)


def five_xx(metrics: str) -> float:
    """How many 5xx responses the web processes counted (recrutement/metrics.py)."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("recrutement_http_requests_total{") and 'status="5xx"' in line
    )


@pytest.fixture
def served(app, database_url, tmp_path):
    """gunicorn serving the test database and index, and the worker; yields the URL, the
    worker process and the two log files. Both are stopped at the end."""
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(WEB_PROCESSES),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "MAIL_PORT": "9",
        "PYTHONUNBUFFERED": "1",
    }
    (tmp_path / "metrics").mkdir()
    logs = {"web": tmp_path / "web.log", "worker": tmp_path / "worker.log"}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    commands = {
        "web": [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        "worker": [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--interval", "0.2"],
    }
    base_url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return get(base_url, "/robots.txt")[0] == 200
        except OSError:
            return False

    try:
        for name, command in commands.items():
            with open(logs[name], "wb") as log:
                processes[name] = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                )
        wait_for(answers, 60, "gunicorn answering")
        yield base_url, processes["worker"], logs
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGCONT)
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=40)


def log_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            lines.append({"level": "RAW", "message": line})
    return lines


def pending_tasks() -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(IndexTask).where(IndexTask.done_at.is_(None))
    return db.session.scalar(query) or 0


# Whoosh does not close the files of a segment it fails to read (the test process
# checks the damaged index too).
@pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.slow
@pytest.mark.real_commits
@pytest.mark.parametrize("how", DAMAGES)
def test_searches_answer_while_the_index_is_damaged_and_it_is_rebuilt(
    app, referential, served, how
):
    base_url, worker, logs = served
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    plain = factories.OfferFactory.create_batch(12, organisation=organisation)
    factories.OfferFactory(organisation=organisation, status=OfferStatus.CLOSED)
    db.session.commit()
    rebuild_index()
    close_searcher()
    # Published while the test holds the index lock, so that the worker indexes them:
    # once they are, the worker is past its start and running its rounds.
    with FileLock(str(index_dir / LOCK_FILE_NAME)):
        mobility = factories.OfferFactory.create_batch(
            5, organisation=organisation, missions="Développer les mobilités douces du bourg."
        )
        db.session.commit()
    assert pending_tasks() == 5
    wait_for(lambda: pending_tasks() == 0, 60, "the worker indexing the new offers")

    before = search_all(base_url)
    assert all(found == before for found in search_rounds(base_url))
    assert sorted(before["api_words"]) == sorted(before["page_words"])
    assert sorted(before["api_words"]) == sorted(offer.id for offer in mobility)
    assert sorted(before["api_all"]) == sorted(offer.id for offer in [*plain, *mobility])
    assert sorted(before["page"]) == sorted(before["api_all"])
    old_generation = generation(index_dir)

    # The worker paused (as when it is stopped or busy): the web processes are alone.
    worker.send_signal(signal.SIGSTOP)
    damage(index_dir, how)
    assert index_state(index_dir) != "ok"
    during = time.monotonic()
    assert all(found == before for found in search_rounds(base_url))
    every_offer = sorted(before["api_all"])
    for found in search_rounds(base_url, FIRST_ASKED):
        assert {name: sorted(ids) for name, ids in found.items()} == dict.fromkeys(
            FIRST_ASKED, every_offer
        )
    during = time.monotonic() - during
    web_rebuilt = any(
        "rebuilding it from the database" in line["message"] for line in log_lines(logs["web"])
    )
    if how == "segments_garbled":
        # No process can read its version any more: the first search of each repairs
        # the index (or waits for the repair another one is doing).
        assert web_rebuilt
        assert index_state(index_dir) == "ok"
    else:
        # Each process answered from the version it has open: nothing rebuilt it yet.
        assert not web_rebuilt
        assert index_state(index_dir) != "ok"

    worker.send_signal(signal.SIGCONT)
    repair = wait_for(
        lambda: index_state(index_dir) == "ok" and generation(index_dir) != old_generation,
        60,
        "index rebuilt",
    )
    worker_rebuilt = lambda: any(  # noqa: E731
        line["message"] == "search index rebuilt by the worker"
        for line in log_lines(logs["worker"])
    )
    if how != "segments_garbled":
        wait_for(worker_rebuilt, 10, "the worker's log line")
    assert search_all(base_url) == before

    # Published after the repair: found by every process, which therefore reads the
    # rebuilt index (a process still on the version it kept open would miss it).
    late = factories.OfferFactory(
        organisation=organisation, missions="Piloter les mobilités et le stationnement."
    )
    db.session.commit()
    wait_for(lambda: pending_tasks() == 0, 60, "the late offer indexed")
    assert all(late.id in found["api_words"] for found in search_rounds(base_url))
    published = set(
        db.session.scalars(select(Offer.id).where(Offer.status == OfferStatus.PUBLISHED))
    )
    assert set(search_all(base_url)["api_all"]) == published

    status, metrics = get(base_url, "/metrics")
    assert status == 200
    assert "recrutement_http_requests_total{" in metrics
    assert five_xx(metrics) == 0

    web = log_lines(logs["web"])
    messages = [line["message"] for line in web]
    # No web process died (SIGBUS, timeout): the two booted at the start are the only ones.
    assert sum("Booting worker" in message for message in messages) == WEB_PROCESSES, messages
    assert not any("was sent" in message or "TIMEOUT" in message for message in messages)
    assert not [line for line in web if line["level"] in ("ERROR", "CRITICAL", "RAW")]
    searches = WARM_UP_ROUNDS * (len(SEARCHES) + len(FIRST_ASKED))
    print(
        f"\n{how}: {searches} searches answered 200 with the same offers while damaged "
        f"({during:.2f} s); rebuilt by {'a web request' if web_rebuilt else 'the worker'}; "
        f"index sound {repair:.2f} s after the worker resumed; 0 responses 5xx"
    )
