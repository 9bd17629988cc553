"""The mixed traffic of the soak drill (test_soak.py), as browsers would send it.

Each actor is a thread with its own session (cookies), signed in through /connexion,
reading every form from its page (CSRF token, hidden fields, choices) and posting it
back. Requests go over plain HTTP straight to gunicorn, with what nginx would add in
front of it (X-Forwarded-For: one address per actor, X-Forwarded-Proto: https) and the
browser's Referer: the web processes run with APP_ENV=production, whose cookies are
Secure and whose CSRF check wants a Referer from the site. Each request goes to one of
the web processes at random, as behind a load balancer.

Every response is counted by kind and status; a 5xx is listed with its body, and a
request that got no response at all (connection refused or reset, timeout) too.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from queue import Empty, Queue
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.support import one_page_pdf

SEARCH_WORDS = (
    "urbanisme",
    "mobilites",
    "habitat",
    "commerce",
    "amenagement",
    "revitalisation",
    "patrimoine",
    "transition ecologique",
    "centre-bourg",
    "chef de projet",
    "urbanisem",  # a typo: "did you mean"
    "",
)
COVER_LETTER = (
    "Madame, Monsieur, urbaniste depuis six ans, j'ai conduit la revitalisation d'un "
    "centre-bourg (OPAH-RU, commerces, espaces publics) et souhaite rejoindre votre projet."
)
CV = one_page_pdf("CV de charge continue")
RESULT_LINK = re.compile(r'app-result__title"><a href="/offres/(\d+)')


@dataclass
class Form:
    """A form of a page: what a browser sends when it is submitted unchanged, and the
    choices of its selects, radios and checkboxes."""

    action: str
    method: str
    multipart: bool
    fields: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def data(self, **changes: str | list[str]) -> list[tuple[str, str]]:
        """The fields with `changes` (a list gives several values to one name)."""
        sent = [(name, value) for name, value in self.fields if name not in changes]
        for name, value in changes.items():
            for item in [value] if isinstance(value, str) else value:
                sent.append((name, item))
        return sent


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.option: dict[str, str] | None = None
        self.option_text = ""
        self.textarea: str | None = None
        self.textarea_text = ""

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in attributes}
        if tag == "form":
            self.form = Form(
                attrs.get("action", ""),
                attrs.get("method", "get").lower(),
                "multipart" in attrs.get("enctype", ""),
            )
            self.forms.append(self.form)
            return
        form = self.form
        if form is None or "disabled" in attrs:
            return
        name = attrs.get("name", "")
        kind = attrs.get("type", "text").lower()
        if tag == "input" and name:
            if kind in ("checkbox", "radio"):
                form.choices[name].append(attrs.get("value", "on"))
                if "checked" in attrs:
                    form.fields.append((name, attrs.get("value", "on")))
            elif kind == "submit":
                form.buttons.append((name, attrs.get("value", "")))
            elif kind != "file":
                form.fields.append((name, attrs.get("value", "")))
        elif tag == "button" and name and kind == "submit":
            form.buttons.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
        elif tag == "option" and self.select:
            self.option, self.option_text = attrs, ""
        elif tag == "textarea" and name:
            self.textarea, self.textarea_text = name, ""

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option_text += data
        if self.textarea is not None:
            self.textarea_text += data

    def handle_endtag(self, tag: str) -> None:
        form = self.form
        if tag == "form":
            self.form = None
        elif tag == "option" and self.option is not None and self.select and form:
            value = self.option.get("value")
            value = self.option_text.strip() if value is None else value
            form.choices[self.select].append(value)
            if self.select_first is None:
                self.select_first = value
            if "selected" in self.option and not self.select_chosen:
                form.fields.append((self.select, value))
                self.select_chosen = True
            self.option = None
        elif tag == "select" and self.select and form:
            if not self.select_chosen and self.select_first is not None:
                form.fields.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and form:
            form.fields.append((self.textarea, self.textarea_text.removeprefix("\n")))
            self.textarea = None


def forms_of(page: requests.Response) -> list[Form]:
    """The page's forms; one without an action posts to the page's own address."""
    parser = FormParser()
    parser.feed(page.text)
    for form in parser.forms:
        if not form.action:
            form.action = urlsplit(page.url).path
    return parser.forms


def form_to(page: requests.Response | None, action_ends: str) -> Form | None:
    """The page's form whose action ends with `action_ends` (its path, query ignored)."""
    if page is None:
        return None
    for form in forms_of(page):
        if urlsplit(form.action).path.endswith(action_ends):
            return form
    return None


def page_says(page: str) -> str:
    """The title and the alerts of a page, to explain a refusal in the report."""
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S)
    alerts = re.findall(r"fr-(?:alert|error-text|message--error)[^>]*>(.*?)</", page, flags=re.S)
    said = [title.group(1) if title else "", *alerts[:3]]
    return unescape(" ".join(" ".join(said).split()))[:300]


@dataclass
class Traffic:
    """What every actor did, counted under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[str] = field(default_factory=list)
    no_response: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    lags: list[float] = field(default_factory=list)
    lags_missed: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)

    def record(self, kind: str, what: str, response: requests.Response, seconds: float) -> None:
        with self.lock:
            self.counts[kind] += 1
            self.statuses[kind][response.status_code] += 1
            self.latencies[kind].append(seconds)
            if response.status_code >= 500:
                self.server_errors.append(f"{what} → {response.status_code}: {response.text[:500]}")

    def failed(self, kind: str, what: str, error: Exception) -> None:
        with self.lock:
            self.counts[kind] += 1
            self.no_response.append(f"{what}: {type(error).__name__}: {error}")

    def done(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1

    def refused(self, what: str, page: str) -> None:
        """A form the application refused (a state moved by another actor meanwhile,
        say): expected now and then, counted with what the page said."""
        with self.lock:
            self.refusals[f"{what}: {page_says(page)}"] += 1


class Browser:
    """One person's browser: its cookies, its address, the web processes it reaches."""

    def __init__(self, traffic: Traffic, bases: list[str], address: str, rng: random.Random):
        self.traffic, self.bases, self.address, self.rng = traffic, bases, address, rng
        self.session = requests.Session()
        self.session.trust_env = False

    def call(
        self, kind: str, method: str, path: str, base: str | None = None, **options: Any
    ) -> requests.Response | None:
        base = base or self.rng.choice(self.bases)
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https"}
        if method == "POST":
            headers["Referer"] = f"https://{urlsplit(base).netloc}{path}"
        what = f"{method} {base}{path}"
        started = time.monotonic()
        try:
            response = self.session.request(
                method, base + path, headers=headers, allow_redirects=False, timeout=60, **options
            )
        except requests.RequestException as error:
            self.traffic.failed(kind, what, error)
            return None
        self.traffic.record(kind, what, response, time.monotonic() - started)
        # The cookies are Secure: sent back on this plain HTTP hop all the same, since
        # the browser's side of it is HTTPS (ended by the proxy, as X-Forwarded-Proto says).
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def get(self, kind: str, path: str, base: str | None = None) -> requests.Response | None:
        return self.call(kind, "GET", path, base)

    def submit(
        self,
        kind: str,
        form: Form,
        changes: dict[str, str | list[str]] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        button: tuple[str, str] | None = None,
        base: str | None = None,
    ) -> requests.Response | None:
        data = form.data(**(changes or {}))
        if button:
            data.append(button)
        if form.multipart and not files:
            # A browser sends a multipart form as multipart even with no file chosen.
            files = {"_": ("", b"", "application/octet-stream")}
        return self.call(kind, "POST", form.action, base, data=data, files=files)

    def sign_in(self, email: str, password: str) -> None:
        said = ""
        for _attempt in range(5):
            page = self.get("sign_in", "/connexion")
            form = form_to(page, "/connexion")
            if form is None:
                time.sleep(1)
                continue
            done = self.submit("sign_in", form, {"email": email, "password": password})
            if done is not None and done.status_code == 302:
                return
            if done is not None:
                said = f"{done.status_code} {page_says(done.text)}"
            time.sleep(1)
        raise RuntimeError(f"{email} could not sign in: {said}")

    def think(self, low: float = 0.05, high: float = 0.4) -> None:
        time.sleep(self.rng.uniform(low, high))


def location(response: requests.Response) -> str:
    """A redirect's path and query (the location names the public host)."""
    parts = urlsplit(response.headers.get("Location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links(page: str, prefix: str) -> list[int]:
    """The ids of the page's links `prefix`<id> (in page order, once each)."""
    found = re.findall(rf'href="{re.escape(prefix)}(\d+)"', page)
    return list(dict.fromkeys(int(number) for number in found))


# --- the actors ------------------------------------------------------------------------


@dataclass
class Shared:
    """What actors learn from one another: the offers just published (candidates apply
    to them), and the cofunding requests sent back for changes, by département (the
    collectivité answers them: it was told by mail)."""

    fresh_offers: list[int] = field(default_factory=list)
    changes_asked: dict[str, Queue[int]] = field(
        default_factory=lambda: {"29": Queue(), "55": Queue()}
    )


def candidate(
    browser: Browser, email: str, password: str, shared: Shared, stop: threading.Event
) -> None:
    """Searches (page and API, words, facets, sorts), reads offers, applies with a CV,
    follows their applications."""
    browser.sign_in(email, password)
    rng, traffic = browser.rng, browser.traffic
    seen: list[int] = []  # offers the searches found, newest first
    while not stop.is_set():
        roll = rng.random()
        words = rng.choice(SEARCH_WORDS)
        facets = rng.choice(["", "&departement=29", "&departement=55", "&contrat=project_contract"])
        sort = rng.choice(["", "&tri=date", "&tri=date_limite"])
        if roll < 0.3:
            page = browser.get("search_page", f"/offres?q={words}{facets}{sort}")
            if page is not None and page.status_code == 200:
                seen = [*map(int, RESULT_LINK.findall(page.text)), *seen][:60]
        elif roll < 0.5:
            answer = browser.get("search_api", f"/api/v1/offres?q={words}{facets}{sort}")
            if answer is not None and answer.status_code == 200:
                seen = [hit["id"] for hit in answer.json()["resultats"]] + seen[:40]
        elif roll < 0.62 and seen:
            browser.get("offer_page", f"/offres/{rng.choice(seen)}")
        elif roll < 0.9:
            fresh = shared.fresh_offers[-8:]
            pool = fresh + seen[:20] if fresh and rng.random() < 0.6 else seen[:20]
            if pool:
                apply(browser, rng.choice(pool))
        else:
            browser.get("candidate_pages", rng.choice(["/candidat/candidatures", "/candidat/"]))
        browser.think()
    traffic.done("candidate sessions")


def apply(browser: Browser, offer_id: int) -> None:
    page = browser.get("apply", f"/offres/{offer_id}/postuler")
    if page is None or page.status_code != 200:
        # Already applied (302 to the application), or the offer was filled meanwhile.
        return
    form = form_to(page, f"/offres/{offer_id}/postuler")
    if form is None:
        return
    sent = browser.submit(
        "apply",
        form,
        {"cover_letter": COVER_LETTER},
        files={"cv": ("cv.pdf", CV, "application/pdf")},
    )
    if sent is not None and sent.status_code == 302:
        browser.traffic.done("applications sent")
    elif sent is not None:
        browser.traffic.refused("apply", sent.text)


def employer(
    browser: Browser,
    email: str,
    password: str,
    department: str,
    shared: Shared,
    stop: threading.Event,
) -> None:
    """Moves the applications to the collectivité's offers (review, interview, reject,
    now and then a hire) and answers the préfecture's requests for changes."""
    browser.sign_in(email, password)
    rng = browser.rng
    while not stop.is_set():
        roll = rng.random()
        if roll < 0.65:
            move_application(browser)
        elif roll < 0.8:
            try:
                request_id = shared.changes_asked[department].get_nowait()
            except Empty:
                browser.get("employer_pages", "/collectivite/cofinancements")
            else:
                answer_changes(browser, request_id)
        else:
            browser.get(
                "employer_pages",
                rng.choice(
                    ["/collectivite/", "/collectivite/offres", "/collectivite/candidatures"]
                ),
            )
        browser.think(0.1, 0.5)


def move_application(browser: Browser) -> None:
    rng = browser.rng
    status = rng.choice(["sent", "sent", "in_review", "interview"])
    listing = browser.get("employer_applications", f"/collectivite/candidatures?etat={status}")
    if listing is None or listing.status_code != 200:
        return
    ids = links(listing.text, "/collectivite/candidatures/")
    if not ids:
        return
    application_id = rng.choice(ids[:10])
    page = browser.get("employer_applications", f"/collectivite/candidatures/{application_id}")
    if page is None or page.status_code != 200:
        return
    base = f"/collectivite/candidatures/{application_id}"
    moves = {
        action: form
        for action in ("examiner", "entretien", "refuser")
        if (form := form_to(page, f"{base}/{action}")) is not None
    }
    can_hire = f'href="{base}/retenir"' in page.text
    if can_hire and rng.random() < 0.08:
        hire(browser, base)
        return
    if not moves:
        return
    weights = {"examiner": 6, "entretien": 3, "refuser": 2}
    action = rng.choices(list(moves), [weights[name] for name in moves])[0]
    changes: dict[str, str | list[str]] = {}
    if action == "entretien":
        changes["details"] = "Mardi prochain à 10 h, en mairie (salle du conseil)."
    elif action == "refuser":
        changes = {"reason": "Nous avons retenu un profil plus expérimenté.", "share_reason": "y"}
    done = browser.submit("employer_move", moves[action], changes)
    if done is not None and done.status_code == 302:
        browser.traffic.done(f"applications moved: {action}")


def hire(browser: Browser, base: str) -> None:
    page = browser.get("employer_move", f"{base}/retenir")
    form = form_to(page, f"{base}/retenir")
    if form is None:
        return
    done = browser.submit("employer_move", form, button=("etape", "confirmer"))
    if done is not None and done.status_code == 302:
        browser.traffic.done("applications moved: retenir")
    elif done is not None:
        browser.traffic.refused("hire", done.text)


def answer_changes(browser: Browser, request_id: int) -> None:
    path = f"/collectivite/cofinancements/{request_id}"
    page = browser.get("employer_cofunding", path)
    form = form_to(page, f"{path}/reponse")
    if form is None:
        return
    body_field = next((name for name, _ in form.fields if name.endswith("body")), "body")
    done = browser.submit(
        "employer_cofunding", form, {body_field: "Voici le contrat signé et la délibération."}
    )
    if done is not None and done.status_code == 302:
        browser.traffic.done("cofunding: changes answered")
    elif done is not None:
        browser.traffic.refused("answer changes", done.text)


def instructor(
    browser: Browser,
    email: str,
    password: str,
    department: str,
    shared: Shared,
    stop: threading.Event,
) -> None:
    """Works through the préfecture's queue: opens filed requests, then grants, refuses,
    dismisses or asks for changes."""
    browser.sign_in(email, password)
    rng = browser.rng
    while not stop.is_set():
        queue = browser.get("instructor_queue", "/prefecture/demandes")
        ids = links(queue.text, "/prefecture/demandes/") if queue is not None else []
        if not ids:
            browser.get("instructor_pages", "/prefecture/tableau-de-bord")
            browser.think(0.5, 1.0)
            continue
        request_id = rng.choice(ids[:8])
        path = f"/prefecture/demandes/{request_id}"
        page = browser.get("instructor_request", path)
        if page is None or page.status_code != 200:
            continue
        opening = form_to(page, f"{path}/ouvrir")
        changes = form_to(page, f"{path}/complement")
        if opening is not None:
            decide(browser, "open", opening, {})
        elif changes is not None:
            action = rng.choices(["accorder", "refuser", "classer", "complement"], [4, 2, 1, 3])[0]
            if action == "complement":
                message = "Merci de joindre le contrat signé et la délibération."
                if decide(browser, "changes", changes, {"message": message}):
                    shared.changes_asked[department].put(request_id)
            else:
                confirm = browser.get("instructor_decide", f"{path}/{action}")
                form = form_to(confirm, f"{path}/{action}")
                if form is None and action == "accorder":
                    # Not grantable as it stands (ANAH's opinion awaited): refused instead.
                    confirm = browser.get("instructor_decide", f"{path}/refuser")
                    action = "refuser"
                    form = form_to(confirm, f"{path}/refuser")
                if form is not None:
                    reason: dict[str, str | list[str]] = {}
                    if action != "accorder":
                        reason["reason"] = "Poste hors du périmètre du programme."
                    decide(browser, action, form, reason)
        browser.think(0.1, 0.6)


def decide(browser: Browser, action: str, form: Form, changes: dict[str, str | list[str]]) -> bool:
    done = browser.submit("instructor_decide", form, changes)
    if done is not None and done.status_code == 302:
        browser.traffic.done(f"cofunding: {action}")
        return True
    if done is not None:
        browser.traffic.refused(f"cofunding {action}", done.text)
    return False


def publisher(
    browser: Browser,
    email: str,
    password: str,
    every: float,
    shared: Shared,
    stop: threading.Event,
) -> None:
    """Publishes an offer with a word of its own in the title every `every` seconds, on
    one web process, and measures how long until the API of the other one finds it."""
    browser.sign_in(email, password)
    rng, traffic = browser.rng, browser.traffic
    number = 0
    while not stop.is_set():
        started = time.monotonic()
        number += 1
        on, other = rng.sample(browser.bases, 2)
        word = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
        offer_id, published = publish(browser, f"Chef de projet {word}", on)
        if offer_id is not None and published is not None:
            shared.fresh_offers.append(offer_id)
            traffic.done("offers published")
            lag = index_lag(browser, other, word, offer_id, published)
            if lag is None:
                traffic.lags_missed.append(f"offer {offer_id} ({word}) not found on {other}")
            else:
                with traffic.lock:
                    traffic.lags.append(lag)
        stop.wait(max(0.0, every - (time.monotonic() - started)))


def publish(browser: Browser, title: str, base: str) -> tuple[int | None, float | None]:
    """A new offer drafted and published through the forms: its id and when the
    publication's response arrived."""
    page = browser.get("publish", "/collectivite/offres/nouvelle", base)
    form = form_to(page, "/collectivite/offres/nouvelle")
    if form is None:
        return None, None
    first = {name: next((v for v in values if v), "") for name, values in form.choices.items()}
    deadline = date.today() + timedelta(days=60)
    changes: dict[str, str | list[str]] = {
        "title": title,
        "recruiting_authority": "Le maire",
        "post_is_new": "1",
        "towns": first.get("towns", ""),
        "workplace_insee_code": first.get("workplace_insee_code", ""),
        "contract_type": "permanent",
        "category": "A",
        "grades": "Attaché territorial",
        "working_time_percent": "100",
        "remote_work": "occasional",
        "application_deadline": deadline.isoformat(),
        "missions": "Piloter le projet de revitalisation : habitat, commerce, mobilités.",
        "profile": "Urbaniste ou aménageur, goût du travail avec les élus.",
        "experience": "confirmed",
        "contact_name": "Service des ressources humaines",
        "contact_email": "rh@exemple.fr",
    }
    drafted = browser.submit("publish", form, changes, base=base)
    if drafted is None or drafted.status_code != 302:
        if drafted is not None:
            browser.traffic.refused("draft offer", drafted.text)
        return None, None
    offer_path = location(drafted)
    page = browser.get("publish", offer_path, base)
    form = form_to(page, f"{offer_path}/publier")
    if form is None:
        return None, None
    done = browser.submit("publish", form, base=base)
    published = time.monotonic()
    if done is None or done.status_code != 302:
        if done is not None:
            browser.traffic.refused("publish offer", done.text)
        return None, None
    return int(offer_path.rstrip("/").rsplit("/", 1)[1]), published


def index_lag(
    browser: Browser, base: str, word: str, offer_id: int, published: float, timeout: float = 60
) -> float | None:
    """Seconds from the publication's response until `base`'s API finds the offer by
    its word; None if it does not within `timeout`."""
    while time.monotonic() - published < timeout:
        answer = browser.get("index_lag_poll", f"/api/v1/offres?q={word}", base)
        if answer is not None and answer.status_code == 200:
            found = [hit["id"] for hit in json.loads(answer.text)["resultats"]]
            if offer_id in found:
                return time.monotonic() - published
        time.sleep(0.05)
    return None


def run_actor(traffic: Traffic, name: str, target: Any, *args: Any) -> threading.Thread:
    """Start `target` in a thread; an exception in it is recorded, not lost."""

    def body() -> None:
        try:
            target(*args)
        except Exception as error:  # noqa: BLE001 — reported by the test
            with traffic.lock:
                traffic.crashed.append(f"{name}: {type(error).__name__}: {error}")

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
