"""`make screenshots`: each role's main pages at 1280 and 360 pixels, for review.

Seeds a throw-away demo instance (database, search index and uploads in a temporary
folder), serves it on a free local port, signs in with each demo account in Debian's
Chromium (Playwright) and saves full-page screenshots of each role's home, the search,
an offer, the préfecture's queue and one of its requests, the dashboards, and the
decision PDF (its first page rendered to PNG with pdftoppm, beside the PDF itself) into
instance/screenshots/ (not committed: instance/ is ignored).

    .venv/bin/python scripts/screenshots.py [--out DIR] [--widths 1280 360]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "instance" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
DEMO_DOMAIN = "demo.recrutement-pvd.fr"
WIDTHS = (1280, 360)


@dataclass
class Role:
    """A demo account (None: an anonymous visitor) and the pages to take, by name: a
    path, or a function that finds one from a page already open (the first offer of
    the search, the first request of the queue…)."""

    name: str
    account: str | None
    pages: list[tuple[str, str | Callable]] = field(default_factory=list)


def first_link(listing: str, pattern: str) -> Callable:
    """The first link of `listing` whose address matches `pattern`."""

    def find(page, base_url: str) -> str:
        page.goto(base_url + listing)
        for href in page.locator("main a[href]").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        ):
            if re.fullmatch(pattern, href.split("?")[0]):
                return href
        raise SystemExit(f"Aucun lien {pattern} sur {listing} : la démo a-t-elle changé ?")

    return find


ROLES = [
    Role(
        "public",
        None,
        [
            ("accueil", "/"),
            ("recherche", "/offres"),
            ("offre", first_link("/offres", r"/offres/\d+(-[\w-]+)?")),
            ("statistiques", "/statistiques"),
            ("simulateur", "/simulateur"),
        ],
    ),
    Role(
        "candidat",
        "candidat1",
        [
            ("accueil", "/candidat/"),
            ("recherche", "/offres?q=urbanisme"),
            ("candidatures", "/candidat/candidatures"),
        ],
    ),
    Role(
        "collectivite",
        "quimperle",
        [
            ("accueil", "/collectivite/"),
            ("offres", "/collectivite/offres"),
            ("cofinancements", "/collectivite/cofinancements"),
        ],
    ),
    Role(
        "prefecture",
        "prefecture29",
        [
            ("accueil", "/prefecture/"),
            ("file", "/prefecture/demandes"),
            ("file-decidees", "/prefecture/demandes?etat=decided"),
            ("demande", first_link("/prefecture/demandes", r"/prefecture/demandes/\d+")),
            ("tableau-de-bord", "/prefecture/tableau-de-bord"),
            ("collectivites", "/prefecture/collectivites"),
        ],
    ),
    Role(
        "anah",
        "anah29",
        [
            ("accueil", "/prefecture/"),
            ("file", "/prefecture/demandes"),
            ("demande", first_link("/prefecture/demandes?etat=all", r"/prefecture/demandes/\d+")),
        ],
    ),
    Role(
        "anct",
        "anct",
        [
            ("accueil", "/pilotage/"),
            ("tableau-de-bord", "/pilotage/tableau-de-bord"),
            ("demandes", "/pilotage/demandes"),
        ],
    ),
]


def environment(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.db'}",
        "SEARCH_INDEX_DIR": str(workdir / "index"),
        "UPLOAD_DIR": str(workdir / "uploads"),
        "SECRET_KEY": secrets.token_hex(32),
        # Mails stay in the outbox: no worker runs, nothing is sent.
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "9",
        "PYTHONUNBUFFERED": "1",
    }


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    """The demo served by Flask's server on `port`, once /healthz answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("Le serveur de démonstration s'est arrêté au démarrage.")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("Le serveur de démonstration n'a pas répondu en 60 s.")


def sign_in(page, base_url: str, account: str, password: str) -> None:
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse électronique").fill(f"{account}@{DEMO_DOMAIN}")
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    if "/connexion" in page.url:
        raise SystemExit(f"Connexion refusée pour {account}@{DEMO_DOMAIN}.")


def shoot_pages(browser, base_url: str, out: Path, widths: tuple[int, ...]) -> list[Path]:
    password = os.environ.get("DEMO_PASSWORD", "demo-pvd-2026")
    saved = []
    for role in ROLES:
        found: dict[str, str] = {}  # the pages found at the first width, kept for the next
        for width in widths:
            phone = width < 576
            context = browser.new_context(
                locale="fr-FR",
                viewport={"width": width, "height": 800 if phone else 900},
                is_mobile=phone,
                has_touch=phone,
            )
            page = context.new_page()
            if role.account:
                sign_in(page, base_url, role.account, password)
            for name, where in role.pages:
                if name not in found:
                    found[name] = where if isinstance(where, str) else where(page, base_url)
                response = page.goto(base_url + found[name])
                if response is None or response.status >= 400:
                    status = response.status if response else "aucune réponse"
                    raise SystemExit(f"{role.name} {found[name]} : {status}")
                page.wait_for_load_state("load")
                target = out / f"{role.name}-{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                saved.append(target)
            context.close()
    return saved


def decision(browser, base_url: str, out: Path, widths: tuple[int, ...]) -> list[Path]:
    """A granted request's decision PDF, saved, and its first page rendered as PNG at
    each width (when pdftoppm, from poppler-utils, is installed)."""
    password = os.environ.get("DEMO_PASSWORD", "demo-pvd-2026")
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    sign_in(page, base_url, "prefecture29", password)
    request_path = first_link("/prefecture/demandes?etat=granted", r"/prefecture/demandes/\d+")(
        page, base_url
    )
    response = context.request.get(f"{base_url}{request_path}/decision.pdf")
    if response.status != 200:
        raise SystemExit(f"Décision introuvable pour {request_path} : {response.status}")
    pdf = out / "prefecture-decision.pdf"
    pdf.write_bytes(response.body())
    context.close()
    saved = [pdf]
    if shutil.which("pdftoppm") is None:
        print("pdftoppm absent (apt-get install poppler-utils) : la décision est gardée en PDF.")
        return saved
    for width in widths:
        stem = out / f"prefecture-decision-{width}"
        # The first page, as wide as the screen it stands for.
        subprocess.run(
            ["pdftoppm", "-png", "-f", "1", "-l", "1", "-singlefile"]
            + ["-scale-to-x", str(width), "-scale-to-y", "-1", str(pdf), str(stem)],
            check=True,
        )
        saved.append(stem.with_suffix(".png"))
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS))
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("Chromium absent : apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.png"), *out.glob("*.pdf")]:
        old.unlink()
    widths = tuple(args.widths)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pvd-captures-") as workdir:
        env = environment(Path(workdir))
        print("Instance de démonstration jetable : base, index et démo…", flush=True)
        flask(env, "db", "upgrade")
        flask(env, "demo", "seed")
        port = free_port()
        server = serve(env, port)
        base_url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                try:
                    saved = shoot_pages(browser, base_url, out, widths)
                    saved += decision(browser, base_url, out, widths)
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    print(
        f"{len(saved)} fichiers dans {out} en {time.perf_counter() - started:.0f} s "
        f"({', '.join(f'{width} px' for width in widths)})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
