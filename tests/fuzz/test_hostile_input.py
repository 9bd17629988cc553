"""No input ever answers 500 (issue 10): each role crawls what it may reach, every
form it finds gets hostile values one field at a time, every page hostile query
strings, and Hypothesis draws more unicode text into the text fields. See harness.py
for the checks; `make fuzz` runs every value on every field."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from recrutement.accounts.permissions import PUBLIC, view_access
from tests.fuzz import hostile
from tests.fuzz.harness import SKIPPED_ENDPOINTS, Harness
from tests.fuzz.world import ANONYMOUS, ROLES

TEXT_KINDS = {"text", "email", "search", "tel", "url", "textarea", "hidden", "number", "date"}
# Any character, lone surrogates and controls included, as a hand-made request may send.
UNICODE = st.text(st.characters(exclude_categories=()), min_size=1, max_size=40)


def routes_of(app, role: str) -> set[str]:
    """The endpoints `role` may use, as the routes declare them."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        access = view_access(rule.endpoint)
        if (access == PUBLIC and role == ANONYMOUS) or (access != PUBLIC and role in access):
            found.add(rule.endpoint)
    return found


def explore_with_hypothesis(harness: Harness) -> None:
    """Unicode text drawn by Hypothesis into the text fields of the role's forms;
    derandomized, so a run is repeatable, and shrunk to the smallest failing text."""
    targets = [
        (found, name)
        for found in sorted(harness.forms.values(), key=lambda f: f.form.action)
        for name, item in found.form.fields.items()
        if item.kind in TEXT_KINDS and id(found) not in harness.gone
    ]
    if not targets or hostile.examples() == 0:
        return

    @settings(
        max_examples=hostile.examples(),
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def explore(data):
        found, name = data.draw(st.sampled_from(targets), label="field")
        text = data.draw(UNICODE, label="text")
        if id(found) in harness.gone:
            return  # a success took that form off its page
        before = len(harness.failures)
        status = harness.post_case(found, name, text, f"hypothesis {text!r}")
        harness.stats.examples += 1
        if status < 400 and not harness.refresh(found):
            harness.gone.add(id(found))
        # Only the smallest failing text, once shrunk, is reported (below).
        found_now = harness.failures[before:]
        del harness.failures[before:]
        assert not found_now, found_now

    explore()


@pytest.mark.parametrize("role", ROLES)
def test_hostile_values_never_break_a_form_or_a_page(app, world, role):
    start = time.perf_counter()
    harness = Harness(app, world, role)
    harness.crawl()

    reached = set(harness.pages_by_endpoint) | {found.endpoint for found in harness.forms.values()}
    harness.stats.routes |= reached
    unreached = routes_of(app, role) - reached
    assert not unreached, (
        f"the harness reached no page or form of {sorted(unreached)} as {role}: give the "
        "world (tests/fuzz/world.py) an object that route acts on"
    )

    harness.fuzz_forms()
    harness.fuzz_queries()
    try:
        explore_with_hypothesis(harness)
    except AssertionError as error:  # Hypothesis's smallest failing text, with its notes
        notes = "\n".join(getattr(error, "__notes__", []))
        harness.failures.append(f"{role}: Hypothesis: {error}\n{notes}")
    finally:
        harness.sweep()
        harness.stats.seconds += time.perf_counter() - start
    assert not harness.failures, harness.report()
