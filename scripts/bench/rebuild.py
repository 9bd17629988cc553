"""The full index rebuild (`flask --app wsgi search rebuild`) in a child process: wall
time, CPU time and peak resident memory of that child alone (os.wait4 gives its own
resource usage), at each size, and how the CPU time per offer grows with the size."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.bench.data import ROOT, environment
from scripts.bench.stats import Row, ratio

SECTION = "reconstruction de l'index"


@dataclass(frozen=True)
class Rebuild:
    size: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float


def rebuild(directory: Path, size: int, command: tuple[str, ...] = ("rebuild",)) -> Rebuild:
    """Run `flask search <command>` on `directory` and measure the child; raise on
    failure."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "search", *command],
            cwd=ROOT,
            env=environment(directory),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"search rebuild a échoué ({child.returncode}) : {message}")
    # ru_maxrss is in kilobytes on Linux.
    return Rebuild(size, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def measure_rebuilds(directories: dict[int, Path]) -> list[Row]:
    """One row per size, smallest first, then the growth: the CPU time per offer at each
    size over that of the smallest, once the process's start (Python, the app's imports:
    `flask search --help`, which loads the app) is taken off; 1.0 is linear."""
    start = rebuild(min(directories.values()), 0, ("--help",))
    results = []
    for size, directory in sorted(directories.items()):
        result = rebuild(directory, size)
        print(
            f"Reconstruction de l'index, {size} offres : {result.wall_s:.1f} s, "
            f"CPU {result.cpu_s:.1f} s, {result.peak_rss_mb:.0f} Mo"
        )
        results.append(result)

    def per_offer(result: Rebuild) -> float:
        return max(result.cpu_s - start.cpu_s, 0.0) / result.size

    smallest = results[0] if results else None
    return [
        Row(
            SECTION,
            "flask search rebuild",
            {
                "durée s": result.wall_s,
                "CPU s": result.cpu_s,
                "mémoire max Mo": result.peak_rss_mb,
                "CPU ms / offre": per_offer(result) * 1000,
                "croissance CPU/offre": ratio(per_offer(result), per_offer(smallest))
                if smallest
                else None,
            },
            size=result.size,
            note=f"démarrage du processus déduit : CPU {start.cpu_s:.1f} s",
        )
        for result in results
    ]
