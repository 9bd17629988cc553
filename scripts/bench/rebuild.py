"""The full index rebuild (`flask --app wsgi search rebuild`) in a child process: wall
time and CPU time of that child and the processes it forks (os.wait4 gives their
resource usage), the peak of their resident memory added up (sampled from /proc
every 20 ms: the rebuild forks one process per core), at each size, and how the CPU
time per offer grows with the size."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
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
        peak = _PeakMemory(child.pid)
        peak.start()
        _, status, usage = os.wait4(child.pid, 0)
        peak.stop()
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"search rebuild a échoué ({child.returncode}) : {message}")
    # ru_maxrss (kilobytes on Linux) is the largest single process's: the sampled sum
    # of the tree is the figure, unless sampling missed a process that ran alone.
    peak_mb = max(peak.peak_kb, usage.ru_maxrss) / 1024
    return Rebuild(size, wall, usage.ru_utime + usage.ru_stime, peak_mb)


class _PeakMemory(threading.Thread):
    """The peak of the resident memory of a process and its descendants, added up."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.02):
            self.peak_kb = max(self.peak_kb, sum(map(_rss_kb, _tree(self.pid))))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants still running."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending.extend(int(child) for child in children)
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


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
