"""Dependencies point down: core knows no domain, offers knows neither search nor the
domains built on it, and no domain knows the web layer, the worker or the command line.

Read from the source (every `import` of every module, functions' included), so an
import added anywhere in a package breaks the rule here, not in a reader's head.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "recrutement"
DOMAINS = (
    "accounts",
    "alerts",
    "applications",
    "candidates",
    "cofunding",
    "core",
    "emails",
    "files",
    "offers",
    "organisations",
    "pilotage",
    "referential",
    "search",
)
# What each package must never import (besides the top: web, worker, cli, demo).
FORBIDDEN = {
    "core": set(DOMAINS) - {"core"},
    "offers": {"search", "alerts", "candidates", "applications", "cofunding", "pilotage"},
    "search": {"alerts", "candidates", "applications", "cofunding", "pilotage"},
    "alerts": {"candidates", "applications", "cofunding", "pilotage"},
}
TOP = {"web", "worker", "cli", "demo"}


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """The `recrutement` sub-packages a module imports, with the line of each import."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "recrutement":
                names = [f"recrutement.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "recrutement" and len(parts) > 1:
                package = "demo" if parts[1].startswith("demo") else parts[1]
                found.add((package, node.lineno))
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_imports_nothing_above_it(domain):
    forbidden = FORBIDDEN.get(domain, set()) | TOP
    wrong = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports recrutement.{package}"
        for path in sorted((PACKAGE / domain).rglob("*.py"))
        for package, line in sorted(imported_packages(path))
        if package in forbidden
    ]
    assert wrong == []


def test_the_reader_finds_every_form_of_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "import recrutement.search.index\n"
        "from recrutement import demo_national\n"
        "from . import sibling\n"
        "def view():\n"
        "    from recrutement.web.forms import page_number\n"
    )
    assert imported_packages(module) == {("search", 1), ("demo", 2), ("web", 5)}
