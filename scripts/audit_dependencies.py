"""Dependency audit (part of `make quality`): pip-audit over the project's environment.

Fails when a known vulnerability affects an installed package. pip-audit asks an
advisory service (PyPI's JSON API by default, `PIP_AUDIT_SERVICE=osv` for OSV); where
none answers — a machine that reaches only a package mirror, as in this workplace —
every package comes back "not found", and the audit says so plainly and is skipped
instead of pretending to pass.

    .venv/bin/python scripts/audit_dependencies.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    service = os.environ.get("PIP_AUDIT_SERVICE", "pypi")
    command = [
        str(PIP_AUDIT),
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--skip-editable",
        "--vulnerability-service",
        service,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(completed.stdout or "{}")
    except json.JSONDecodeError:
        print(completed.stdout[-2000:], completed.stderr[-2000:], sep="\n")
        print("Audit des dépendances : pip-audit n'a pas rendu de rapport lisible.")
        return 1
    dependencies = report.get("dependencies", [])
    audited = [item for item in dependencies if "skip_reason" not in item]
    if dependencies and not audited:
        print(
            f"Audit des dépendances IGNORÉ : le service d'avis de sécurité « {service} » "
            f"n'a répondu pour aucun des {len(dependencies)} paquets (machine sans accès à "
            "une base d'avis). Lancez `make quality` sur un poste qui joint PyPI ou OSV "
            "(PIP_AUDIT_SERVICE=osv)."
        )
        return 0
    vulnerable = [item for item in audited if item.get("vulns")]
    for item in vulnerable:
        for vuln in item["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "aucune version corrigée"
            print(f"{item['name']} {item['version']} : {vuln['id']} (corrigé dans : {fixes})")
    skipped = len(dependencies) - len(audited)
    print(
        f"Audit des dépendances : {len(audited)} paquets vérifiés ({service}), "
        f"{skipped} non trouvés, {len(vulnerable)} vulnérable(s)."
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
