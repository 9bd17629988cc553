"""Pages' throughput under gunicorn started the production way (APP_ENV=production, 2
sync workers, SQLite), as ratios to a static endpoint (`/robots.txt`) of the same round.

The load comes from `wrk` when it is on PATH (2 connections, a Lua `done()` prints the
request count, the 50th and 95th latency percentiles), otherwise from two threads of
sequential keep-alive requests. Endpoints are interleaved over several rounds so that
the machine's noise falls on all of them alike; a row gives the median over rounds of
each figure and of the ratio to `/robots.txt` in the same round.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.bench.data import ROOT, environment
from scripts.bench.stats import Row, percentile, ratio

BASELINE = "/robots.txt"
SECTION = "pages (gunicorn, 10 000 offres)"
DASHBOARD_SECTION = "tableau de bord (gunicorn, données nationales)"
DASHBOARD_ENDPOINTS = [
    "/api/v1/statistiques",
    "/api/v1/statistiques?region=53",
    "/api/v1/statistiques?departement=29",
    "/statistiques",
    "/statistiques?region=53",
    "/statistiques?departement=29",
]
CONNECTIONS = 2
LUA = """
local paths = {%(paths)s}
local next_path = 0
request = function()
  next_path = next_path %% #paths + 1
  return wrk.format("GET", paths[next_path])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    """One endpoint in one round: requests per second, p50 and p95 in ms, errors."""

    per_second: float
    p50_ms: float
    p95_ms: float
    errors: int


def generator() -> str:
    return "wrk" if shutil.which("wrk") else "client Python (2 fils, keep-alive)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(directory: Path, **extra_env: str) -> Iterator[int]:
    """gunicorn on `directory`'s database, the production way; yields its port."""
    port = free_port()
    # Its request log (one line per request) goes to a file, not into the table.
    log = (directory.parent / "gunicorn.log").open("a")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=environment(directory, "production", **extra_env),
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, BASELINE)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"gunicorn n'a pas démarré (voir {log.name})") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def get(port: int, path: str) -> tuple[int, str]:
    """One GET: the status and the Location header, if any."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def check(port: int, paths: list[str]) -> None:
    """Every path answers 200: a benchmark of error pages would measure nothing."""
    for path in paths:
        status, _ = get(port, path)
        if status != 200:
            raise RuntimeError(f"{path} a répondu {status}")


def run_wrk(port: int, paths: list[str], seconds: float) -> Load:
    quoted = ", ".join(f'"{path}"' for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(LUA % {"paths": quoted})
        script.flush()
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{CONNECTIONS}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    requests, duration_us, p50_us, p95_us, errors = (int(value) for value in line.split()[1:])
    return Load(requests / (duration_us / 1e6), p50_us / 1000, p95_us / 1000, errors)


def run_threads(port: int, paths: list[str], seconds: float) -> Load:
    """The fallback generator: CONNECTIONS threads of sequential keep-alive GETs."""
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        index = offset
        while time.perf_counter() < deadline:
            path = paths[index % len(paths)]
            index += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                failed = response.status >= 400
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                failed = True
            with lock:
                timings.append((time.perf_counter() - started) * 1000)
                errors += failed
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Load(len(timings) / elapsed, percentile(timings, 0.5), percentile(timings, 0.95), errors)


def load(port: int, paths: list[str], seconds: float) -> Load:
    if shutil.which("wrk"):
        return run_wrk(port, paths, seconds)
    return run_threads(port, paths, seconds)


def rounds_of(
    port: int, endpoints: dict[str, list[str]], rounds: int, seconds: float
) -> dict[str, list[Load]]:
    """Every endpoint once per round, in the same order; the baseline first."""
    every_path = [path for paths in endpoints.values() for path in paths]
    check(port, every_path)
    for path in every_path:  # warm-up: a few requests reach each worker's imports and caches
        for _ in range(4):
            get(port, path)
    results: dict[str, list[Load]] = {name: [] for name in endpoints}
    for _ in range(rounds):
        for name, paths in endpoints.items():
            results[name].append(load(port, paths, seconds))
    return results


def rows_of(section: str, results: dict[str, list[Load]], note: str = "") -> list[Row]:
    baseline = results[BASELINE]
    rows = []
    for name, loads in results.items():
        ratios = [
            ratio(load.per_second, base.per_second)
            for load, base in zip(loads, baseline, strict=True)
        ]
        errors = sum(load.errors for load in loads)
        rows.append(
            Row(
                section,
                name,
                {
                    "req/s": statistics.median(load.per_second for load in loads),
                    "ratio /robots.txt": statistics.median(r for r in ratios if r is not None),
                    "p50 ms": statistics.median(load.p50_ms for load in loads),
                    "p95 ms": statistics.median(load.p95_ms for load in loads),
                },
                note=(f"{errors} erreurs ! " if errors else "") + note,
            )
        )
    return rows


def offer_paths(directory: Path, port: int, count: int = 3) -> list[str]:
    """A few published offers' pages, at the address their links give (with the slug)."""
    with sqlite3.connect(directory / "bench.db") as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM offer WHERE status = 'published' ORDER BY id LIMIT ?", (count,)
            )
        ]
    paths = []
    for offer_id in ids:
        status, location = get(port, f"/offres/{offer_id}")
        paths.append(
            location.removeprefix(f"http://127.0.0.1:{port}")
            if status in (301, 302, 308)
            else f"/offres/{offer_id}"
        )
    return paths


def measure_pages(directory: Path, rounds: int, seconds: float) -> list[Row]:
    """The public pages on the 10,000-offer database, results cache at its default."""
    with gunicorn(directory) as port:
        endpoints = {
            BASELINE: [BASELINE],
            "/": ["/"],
            "/offres/<id>": offer_paths(directory, port),
            "/offres": ["/offres"],
            "/offres?q=chef+de+projet": ["/offres?q=chef+de+projet"],
            "/api/v1/offres?q=urbanisme": ["/api/v1/offres?q=urbanisme"],
            "/healthz": ["/healthz"],
        }
        results = rounds_of(port, endpoints, rounds, seconds)
    rows = rows_of(SECTION, results)
    rows[2].note += f"{len(endpoints['/offres/<id>'])} offres tour à tour"
    print("Pages mesurées.")
    return rows


def measure_dashboard(
    directory: Path, rounds: int, seconds: float, uncached: bool = True
) -> list[Row]:
    """The dashboard on the national demo, with its one-minute cache, then without it
    (`uncached`: its figures take about a second each, too long for --quick)."""
    rows = []
    endpoints = {BASELINE: [BASELINE], **{path: [path] for path in DASHBOARD_ENDPOINTS}}
    caches = (("60", "cache 60 s"), ("0", "sans cache"))
    for cache_seconds, note in caches if uncached else caches[:1]:
        with gunicorn(directory, DASHBOARD_CACHE_SECONDS=cache_seconds) as port:
            results = rounds_of(port, endpoints, rounds, seconds)
        rows += rows_of(f"{DASHBOARD_SECTION}, {note}", results)
    print("Tableau de bord mesuré.")
    return rows
