"""The harness's world, and its counts printed at the end of the run."""

from __future__ import annotations

import pytest

from tests.fuzz import harness, hostile
from tests.fuzz import world as fuzz_world


@pytest.fixture
def world(app, people, referential):
    return fuzz_world.build(app, people, referential)


def pytest_terminal_summary(terminalreporter):
    if not harness.STATS:
        return
    terminalreporter.section("fuzzing harness")
    terminalreporter.write_line(
        f"FUZZ_CASES={hostile.mode()} FUZZ_SEED={hostile.seed()} FUZZ_EXAMPLES={hostile.examples()}"
    )
    for dialect, stats in sorted(harness.STATS.items()):
        terminalreporter.write_line(
            f"{dialect}: {len(stats.routes)} routes visited, {len(stats.forms)} forms found "
            f"({stats.fields} fields), {stats.posts} cases posted, {stats.gets} query strings, "
            f"{stats.examples} Hypothesis examples, {stats.seconds:.1f} s"
        )
