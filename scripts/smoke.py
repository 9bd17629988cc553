"""Smoke test of a production deployment on this machine (`make smoke`).

Starts the platform the way production runs it, with the files of deploy/:
APP_ENV=production, a PostgreSQL database of its own (created for the run, dropped at
the end), the migrations, an ANCT account made with `users create-admin`, gunicorn
with deploy/gunicorn.conf.py, the worker (`flask worker`), a real SMTP server
(aiosmtpd) and nginx with deploy/nginx/recrutement.conf in front, on a self-signed
certificate made for the run. Then checks it end to end over HTTPS, as a browser
would: health, redirects, security headers, static files and their cache, sign-in
and its cookies, a sign-up whose confirmation mail goes through the outbox, a CV
uploaded and served back, the upload limit, the JSON access log, and a reload of
gunicorn (as a release does) with no request lost.

Each check prints ✓ or ✗ and its time; the exit status is 1 if any failed. Every
process is stopped and the database dropped, whatever happens.

    python scripts/smoke.py [--server-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The server URL may also come from SMOKE_DATABASE_SERVER; the run creates its database
`recrutement_smoke_<pid>` there and drops it at the end.

Needs nginx and openssl (`apt-get install nginx openssl`) and a PostgreSQL server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import IO, Any

import requests
from aiosmtpd.controller import Controller
from fpdf import FPDF
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "recrutement.conf"
ADMIN_EMAIL = "anct@smoke.recrutement-pvd.fr"
CANDIDATE_EMAIL = "candidat@smoke.recrutement-pvd.fr"
# nginx answers only its server_name (the address alone is refused), so the run uses a
# name: its certificate is made for it.
HOST = "localhost"
STARTUP_SECONDS = 40
MAIL_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Inbox:
    """The SMTP server's received mails, waited for by recipient."""

    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 — aiosmtpd's hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, recipient: str, timeout: float) -> EmailMessage:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for message in self.messages:
                    if recipient in str(message["To"]):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"aucun courriel pour {recipient} en {timeout:.0f} s")
                self.arrived.wait(remaining)


class Checks:
    """Runs named checks, prints ✓/✗ with the time each took, remembers failures."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.count = 0

    def run(self, name: str, check: Callable[[], str | None]) -> None:
        self.count += 1
        started = time.perf_counter()
        try:
            detail = check()
        except Exception as error:  # noqa: BLE001 — any failure is reported, the run goes on
            elapsed = (time.perf_counter() - started) * 1000
            print(f"✗ {name} ({elapsed:.0f} ms): {type(error).__name__}: {error}", flush=True)
            self.failed.append(name)
            return
        elapsed = (time.perf_counter() - started) * 1000
        print(f"✓ {name} ({elapsed:.0f} ms){f' — {detail}' if detail else ''}", flush=True)


@contextmanager
def step(name: str) -> Iterator[None]:
    """A setup step: printed with its time; its failure stops the run."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        print(f"✗ {name} ({time.perf_counter() - started:.1f} s)", flush=True)
        raise
    print(f"· {name} ({time.perf_counter() - started:.1f} s)", flush=True)


@contextmanager
def own_database(server_url: str) -> Iterator[str]:
    """A new database named after this process, dropped at the end; yields its URL."""
    name = f"recrutement_smoke_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Processes:
    """The processes the run started, each logging to a file; all stopped at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: list[IO[bytes]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.directory / f"{name}.log").open("wb")
        self.logs.append(log)
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.directory / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} s'est arrêté (code {process.returncode}) :\n{self.log(name)[-3000:]}"
                )

    def stop_all(self) -> None:
        """SIGTERM to each (gunicorn and the worker finish what they do), then SIGKILL
        to whatever still runs after 15 s."""
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, process in self.running.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"! {name} ne s'arrête pas : SIGKILL", flush=True)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self.logs:
            log.close()


def site_for_this_run(
    site: str,
    http_port: int,
    https_port: int,
    gunicorn: str,
    certificate: Path,
    key: Path,
    log: Path,
) -> str:
    """The shipped nginx site with the installation's values replaced by this run's.
    Each value must appear exactly as many times as expected: if the site changes shape,
    the smoke test says so rather than test something else."""
    replacements = [
        ("    listen [::]:80 default_server;\n", "", 1),
        ("    listen [::]:443 ssl default_server;\n", "", 1),
        ("    listen [::]:80;\n", "", 1),
        ("    listen [::]:443 ssl http2;\n", "", 1),
        ("listen 80", f"listen 127.0.0.1:{http_port}", 2),
        ("listen 443", f"listen 127.0.0.1:{https_port}", 2),
        ("server_name recrutement-pvd.fr;", f"server_name {HOST};", 2),
        ("server 127.0.0.1:8000;", f"server {gunicorn};", 1),
        ("/etc/ssl/recrutement/fullchain.pem", str(certificate), 1),
        ("/etc/ssl/recrutement/privkey.pem", str(key), 1),
        ("/srv/recrutement/current/static/", f"{ROOT / 'static'}/", 1),
        ("/var/log/nginx/recrutement.access.log", str(log), 1),
    ]
    for old, new, count in replacements:
        found = site.count(old)
        if found != count:
            raise RuntimeError(
                f"{SITE.name}: « {old.strip()} » trouvé {found} fois, {count} attendu"
            )
        site = site.replace(old, new)
    return site


def nginx_main_config(directory: Path, site: Path) -> str:
    """A minimal nginx.conf around the site: everything nginx writes goes to `directory`."""
    temp = directory / "nginx-temp"
    temp.mkdir()
    temp.chmod(0o777)  # nginx's workers may run as another user than its master
    return f"""
worker_processes 1;
daemon off;
pid {directory / "nginx.pid"};
error_log {directory / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "certificate.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def one_page_pdf() -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=f"CV de test {secrets.token_hex(4)}")
    return bytes(document.output())


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise AssertionError("pas de jeton CSRF dans le formulaire")
    return match.group(1)


def page_says(response: requests.Response) -> str:
    """The title and error summary of a page, to explain an unexpected answer."""
    title = re.search(r"<title>(.*?)</title>", response.text, flags=re.S)
    errors = re.search(r'id="erreurs-formulaire".*?</div>', response.text, flags=re.S)
    said = [title.group(1) if title else ""]
    if errors:
        said.append(re.sub(r"<[^>]+>", " ", errors.group(0).split(">", 1)[1]))
    return " ".join(" ".join(said).split())


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


class Smoke:
    """The end-to-end checks, against nginx on `base` (HTTPS) and `plain` (HTTP)."""

    def __init__(
        self, base: str, plain: str, certificate: Path, inbox: Inbox, processes: Processes
    ):
        self.base, self.plain, self.inbox, self.processes = base, plain, inbox, processes
        self.certificate = str(certificate)
        self.admin_password = secrets.token_urlsafe(18)
        self.candidate_password = secrets.token_urlsafe(18)
        self.request_ids: list[str] = []
        self.nginx_log = processes.directory / "nginx-access.log"

    def session(self) -> requests.Session:
        browser = requests.Session()
        # Only this run's certificate, and no proxy or CA bundle from the environment
        # (REQUESTS_CA_BUNDLE would otherwise replace it).
        browser.trust_env = False
        browser.verify = self.certificate
        return browser

    def get(self, browser: requests.Session, path: str, **options: Any) -> requests.Response:
        options.setdefault("timeout", 10)
        response = browser.get(self.base + path, **options)
        if "X-Request-Id" in response.headers:
            self.request_ids.append(response.headers["X-Request-Id"])
        return response

    def healthz(self) -> str:
        response = self.get(self.session(), "/healthz")
        expect(response.status_code == 200, f"statut {response.status_code}")
        body = response.json()
        expected = {"status": "ok", "database": "ok", "search_index": "ok"}
        expect(body == expected, f"réponse {body}, attendu {expected}")
        return json.dumps(body)

    def redirect_to_https(self) -> str:
        response = requests.get(
            self.plain + "/offres?q=urbanisme", allow_redirects=False, timeout=10
        )
        location = response.headers.get("Location", "")
        expect(response.status_code == 301, f"statut {response.status_code}")
        expect(
            location.startswith("https://") and location.endswith("/offres?q=urbanisme"), location
        )
        expect("Set-Cookie" not in response.headers, "un cookie envoyé en clair")
        return location

    def unknown_host_refused(self) -> str:
        """The bare address or a forged Host reach nothing (nginx's default server)."""
        by_address = self.base.replace(HOST, "127.0.0.1")
        try:
            requests.get(by_address + "/healthz", verify=False, timeout=5)  # noqa: S501
        except requests.exceptions.SSLError:
            pass
        else:
            raise AssertionError(f"{by_address} a répondu")
        try:
            requests.get(self.plain + "/", headers={"Host": "pirate.example"}, timeout=5)
        except requests.exceptions.ConnectionError:
            pass
        else:
            raise AssertionError("un Host inconnu a eu une réponse")
        return "poignée TLS refusée sans le nom, connexion fermée pour un Host inconnu"

    def security_headers(self) -> str:
        response = self.get(self.session(), "/offres")
        expect(response.status_code == 200, f"statut {response.status_code}")
        headers = response.headers
        policy_text = headers.get("Content-Security-Policy", "")
        expect("default-src 'self'" in policy_text, f"CSP : {policy_text!r}")
        expect("unsafe-inline" not in policy_text, "CSP avec unsafe-inline")
        expect("frame-ancestors 'none'" in policy_text, "CSP sans frame-ancestors 'none'")
        expect(headers.get("X-Frame-Options") == "DENY", "X-Frame-Options")
        expect(headers.get("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options")
        expect(
            headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", "Referrer-Policy"
        )
        hsts = headers.get("Strict-Transport-Security", "")
        expect(hsts == "max-age=63072000; includeSubDomains", f"HSTS (une seule fois) : {hsts!r}")
        expect(headers.get("Cache-Control") == "no-store", "pages en cache")
        expect("Server" not in headers or "/" not in headers["Server"], "version de nginx")
        return "CSP sans unsafe-inline, HSTS, nosniff, DENY, Referrer-Policy"

    def static_files(self) -> str:
        page = self.get(self.session(), "/").text
        match = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', page)
        expect(match is not None, "pas de lien empreinté vers /static/css/app.css?v=…")
        assert match is not None
        response = self.get(self.session(), match.group(1))
        expect(response.status_code == 200, f"statut {response.status_code}")
        expect(response.content == (ROOT / "static/css/app.css").read_bytes(), "contenu différent")
        cache = response.headers.get("Cache-Control", "")
        expect(cache == "public, max-age=31536000, immutable", f"Cache-Control {cache!r}")
        expect("X-Request-Id" not in response.headers, "servi par l'application, pas par nginx")
        expect("Strict-Transport-Security" in response.headers, "pas de HSTS")
        expect(response.headers.get("X-Content-Type-Options") == "nosniff", "pas de nosniff")
        expect("text/css" in response.headers.get("Content-Type", ""), "Content-Type")
        font = self.get(self.session(), "/static/dsfr/dsfr.min.css")
        expect(font.headers.get("Cache-Control") == "public, max-age=86400", "sans empreinte")
        return f"{match.group(1)} : {cache}"

    def post(self, browser: requests.Session, path: str, **options: Any) -> requests.Response:
        """A form's POST as a browser sends it: over HTTPS, Flask-WTF also wants a Referer
        from this site."""
        return browser.post(
            self.base + path,
            headers={"Referer": self.base + path},
            allow_redirects=False,
            timeout=10,
            **options,
        )

    def sign_in(self, browser: requests.Session, email: str, password: str) -> requests.Response:
        form = self.get(browser, "/connexion")
        expect(form.status_code == 200, f"formulaire : statut {form.status_code}")
        return self.post(
            browser,
            "/connexion",
            data={"csrf_token": csrf_token(form.text), "email": email, "password": password},
        )

    def admin_login(self) -> str:
        browser = self.session()
        response = self.sign_in(browser, ADMIN_EMAIL, self.admin_password)
        expect(
            response.status_code == 302, f"statut {response.status_code} : {page_says(response)}"
        )
        expect(response.headers["Location"].endswith("/pilotage/"), response.headers["Location"])
        cookies = response.raw.headers.getlist("Set-Cookie")
        expect(any(cookie.startswith("session=") for cookie in cookies), "pas de cookie de session")
        for cookie in cookies:
            flags = {part.strip().lower() for part in cookie.split(";")[1:]}
            name = cookie.split("=", 1)[0]
            expect("secure" in flags, f"{name} sans Secure")
            expect("httponly" in flags, f"{name} sans HttpOnly")
            expect("samesite=lax" in flags, f"{name} sans SameSite=Lax")
        home = self.get(browser, "/pilotage/")
        expect(home.status_code == 200, f"/pilotage/ : statut {home.status_code}")
        names = ", ".join(cookie.split("=", 1)[0] for cookie in cookies)
        return f"cookies {names} : Secure, HttpOnly, SameSite=Lax"

    def signup_mail(self) -> str:
        browser = self.session()
        form = self.get(browser, "/inscription/candidat")
        started = time.perf_counter()
        response = self.post(
            browser,
            "/inscription/candidat",
            data={
                "csrf_token": csrf_token(form.text),
                "first_name": "Camille",
                "last_name": "Essai",
                "email": CANDIDATE_EMAIL,
                "password": self.candidate_password,
                "password_confirmation": self.candidate_password,
            },
        )
        expect(
            response.status_code == 200,
            f"inscription : statut {response.status_code} : {page_says(response)}",
        )
        mail = self.inbox.wait_for(CANDIDATE_EMAIL, MAIL_SECONDS)
        waited = time.perf_counter() - started
        body = mail.get_body(preferencelist=("plain",))
        expect(body is not None, "pas de texte brut")
        assert body is not None
        link = re.search(r"https://\S+", body.get_content())
        expect(
            link is not None and link.group(0).startswith(self.base), "pas de lien vers BASE_URL"
        )
        assert link is not None
        confirmed = browser.get(link.group(0), timeout=10)
        expect(
            confirmed.status_code == 200, f"lien de confirmation : statut {confirmed.status_code}"
        )
        return f"« {mail['Subject']} » reçu {waited:.1f} s après l'inscription, lien suivi"

    def cv_round_trip(self) -> str:
        browser = self.session()
        response = self.sign_in(browser, CANDIDATE_EMAIL, self.candidate_password)
        expect(
            response.status_code == 302, f"connexion du candidat : statut {response.status_code}"
        )
        form = self.get(browser, "/candidat/profil")
        pdf = one_page_pdf()
        saved = self.post(
            browser,
            "/candidat/profil",
            data={
                "csrf_token": csrf_token(form.text),
                "first_name": "Camille",
                "last_name": "Essai",
            },
            files={"cv": ("cv-camille.pdf", pdf, "application/pdf")},
        )
        expect(
            saved.status_code == 302, f"profil : statut {saved.status_code} : {page_says(saved)}"
        )
        served = self.get(browser, "/candidat/profil/cv")
        expect(served.status_code == 200, f"CV : statut {served.status_code}")
        expect(served.content == pdf, "octets différents")
        expect(served.headers.get("Content-Type") == "application/pdf", "Content-Type")
        disposition = served.headers.get("Content-Disposition", "")
        expect(
            disposition.startswith("attachment") and "cv-camille.pdf" in disposition, disposition
        )
        expect(served.headers.get("Cache-Control") == "private, no-store", "cache du CV")
        return f"{len(pdf)} octets identiques, {disposition}"

    def upload_limit(self) -> str:
        response = requests.post(
            self.base + "/inscription/candidat",
            data=b"x" * (6 * 1024 * 1024),
            headers={"Content-Type": "application/octet-stream"},
            verify=self.certificate,
            timeout=10,
        )
        expect(response.status_code == 413, f"statut {response.status_code}")
        return "6 Mo refusés par nginx (413)"

    def access_log(self) -> str:
        lines = [line for line in self.processes.log("gunicorn").splitlines() if line.strip()]
        entries = [json.loads(line) for line in lines]  # every line must be JSON
        access = [entry for entry in entries if entry.get("logger") == "gunicorn.access"]
        expect(bool(access), "aucune ligne d'accès")
        for entry in access:
            missing = {"time", "method", "path", "status", "duration_ms", "request_id"} - set(entry)
            expect(not missing, f"champs manquants {missing} : {entry}")
        logged = {entry["request_id"] for entry in access}
        expect(set(self.request_ids) <= logged, "des requêtes manquent au journal")
        # nginx's JSON log carries the same ids: one request followed end to end.
        proxied = [json.loads(line) for line in self.nginx_log.read_text().splitlines()]
        expect(set(self.request_ids) <= {entry["request_id"] for entry in proxied}, "nginx")
        return (
            f"{len(lines)} lignes JSON, {len(access)} d'accès ; "
            f"{len(proxied)} lignes nginx avec les mêmes request_id"
        )

    def reload_without_loss(self, gunicorn: subprocess.Popen[bytes], workers: int) -> str:
        """SIGHUP, as `systemctl reload` sends: gunicorn starts new workers on the code on
        disk and stops the old ones. Requests sent meanwhile must all be answered; those
        that arrive before a new worker has loaded the application wait for it (the
        longest wait is reported)."""
        browser = self.session()
        expect(self.get(browser, "/healthz").status_code == 200, "avant")
        os.kill(gunicorn.pid, signal.SIGHUP)
        latencies: list[float] = []
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = self.get(browser, "/healthz", timeout=60)
            latencies.append(time.perf_counter() - started)
            expect(response.status_code == 200, f"statut {response.status_code} au rechargement")
        after = self.processes.log("gunicorn").split("Handling signal: hup")[-1]
        booted = after.count("Booting worker")
        expect(booted >= workers, f"{booted} worker(s) démarré(s) après SIGHUP, {workers} attendus")
        return (
            f"{booted} nouveaux workers, {len(latencies)} requêtes, toutes 200 ; "
            f"attente la plus longue {max(latencies):.1f} s"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server-url",
        default=os.environ.get(
            "SMOKE_DATABASE_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server where the run may create and drop its database",
    )
    arguments = parser.parse_args()
    for program in ("nginx", "openssl"):
        if shutil.which(program) is None:
            print(f"✗ {program} introuvable : apt-get install {program}", file=sys.stderr)
            return 1
    # SIGTERM (a CI timeout) unwinds like Ctrl-C, so everything is stopped and dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.perf_counter()
    directory = Path(tempfile.mkdtemp(prefix="recrutement-smoke-"))
    directory.chmod(0o755)
    processes = Processes(directory)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp_started = False
    checks = Checks()
    try:
        with own_database(arguments.server_url) as database_url:
            ports = {name: free_port() for name in ("gunicorn", "http", "https")}
            base = f"https://{HOST}:{ports['https']}"
            env = {
                **os.environ,
                "APP_ENV": "production",
                "SECRET_KEY": secrets.token_hex(32),
                "DATABASE_URL": database_url,
                "SEARCH_INDEX_DIR": str(directory / "search-index"),
                "UPLOAD_DIR": str(directory / "uploads"),
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(smtp.port),
                "BASE_URL": base,
                "TRUSTED_PROXIES": "1",
                "FORWARDED_ALLOW_IPS": "127.0.0.1",
                "GUNICORN_BIND": f"127.0.0.1:{ports['gunicorn']}",
                # Two processes: the machine running the smoke test is often shared.
                "WEB_CONCURRENCY": "2",
            }
            flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
            with step("migrations (flask db upgrade)"):
                subprocess.run(
                    [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
                )
            smoke = Smoke(
                base,
                f"http://{HOST}:{ports['http']}",
                directory / "certificate.pem",
                inbox,
                processes,
            )
            with step("compte ANCT (flask users create-admin)"):
                subprocess.run(
                    [*flask, "users", "create-admin", ADMIN_EMAIL, "--password", smoke.admin_password],
                    cwd=ROOT, env=env, check=True, capture_output=True,
                )  # fmt: skip
            with step("serveur SMTP, certificat, nginx -t"):
                smtp.start()
                smtp_started = True
                certificate, key = self_signed_certificate(directory)
                site = directory / "recrutement.conf"
                site.write_text(
                    site_for_this_run(
                        SITE.read_text(), ports["http"], ports["https"], env["GUNICORN_BIND"],
                        certificate, key, directory / "nginx-access.log",
                    )
                )  # fmt: skip
                nginx_conf = directory / "nginx.conf"
                nginx_conf.write_text(nginx_main_config(directory, site))
                subprocess.run(["nginx", "-t", "-q", "-c", str(nginx_conf)], check=True)
            with step("démarrage : gunicorn, worker, nginx"):
                gunicorn = processes.start(
                    "gunicorn",
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "--chdir",
                        str(ROOT),
                        "-c",
                        str(DEPLOY / "gunicorn.conf.py"),
                        "wsgi:app",
                    ],
                    env,
                )
                processes.start("worker", [*flask, "worker"], env)
                processes.start("nginx", ["nginx", "-c", str(nginx_conf)], env)
                wait_until_up(base, smoke.certificate, processes)
            checks.run("GET /healthz : 200 et le JSON du contrat", smoke.healthz)
            checks.run("HTTP redirigé vers HTTPS (301)", smoke.redirect_to_https)
            checks.run("adresse nue et Host inconnu refusés", smoke.unknown_host_refused)
            checks.run("en-têtes de sécurité", smoke.security_headers)
            checks.run("fichier statique servi par nginx, cache long", smoke.static_files)
            checks.run("connexion ANCT : formulaire, CSRF, cookies", smoke.admin_login)
            checks.run("courriel de confirmation reçu par SMTP via l'outbox", smoke.signup_mail)
            checks.run("CV déposé puis servi à l'identique", smoke.cv_round_trip)
            checks.run("limite d'envoi (5 Mo) appliquée par nginx", smoke.upload_limit)
            checks.run("journal d'accès gunicorn en JSON", smoke.access_log)
            checks.run(
                "rechargement de gunicorn (SIGHUP) sans perte",
                lambda: smoke.reload_without_loss(gunicorn, int(env["WEB_CONCURRENCY"])),
            )
            checks.run("processus toujours en vie", lambda: processes.check_alive() or None)
    except Exception as error:  # noqa: BLE001 — a setup failure is reported like a check
        print(f"✗ la plate-forme n'a pas pu être démarrée : {error}", flush=True)
        if isinstance(error, subprocess.CalledProcessError):
            print((error.stderr or b"").decode(errors="replace")[-3000:], flush=True)
        for name in processes.running:
            print(f"--- {name}.log (fin)\n{processes.log(name)[-2000:]}", flush=True)
        checks.failed.append("démarrage")
    finally:
        processes.stop_all()
        if smtp_started:
            smtp.stop()
        shutil.rmtree(directory, ignore_errors=True)
    elapsed = time.perf_counter() - started
    if checks.failed:
        print(
            f"\n✗ {len(checks.failed)} échec(s) sur {checks.count} vérifications, {elapsed:.1f} s"
        )
        return 1
    print(
        f"\n✓ {checks.count} vérifications réussies en {elapsed:.1f} s (base supprimée, processus arrêtés)"
    )
    return 0


def wait_until_up(base: str, certificate: str, processes: Processes) -> None:
    """Until /healthz answers through nginx, or a process dies, or time runs out."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        processes.check_alive()
        try:
            if requests.get(base + "/healthz", verify=certificate, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"/healthz ne répond pas 200 après {STARTUP_SECONDS} s")


if __name__ == "__main__":
    sys.exit(main())
