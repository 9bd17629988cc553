"""The harness: crawl what a role may reach, then post hostile values into each field
of each form it finds (the others keeping what the page holds) and put hostile values
into the query strings of its pages; check every answer.

Checks of every case:
1. never a 5xx, and nothing logged at ERROR;
2. a 4xx changed no table's row count (`rate_limit_counter` aside) and left the objects
   behind the form (those of the address, their child rows, the acting user) as they were;
3. a 400 HTML page shows a French error the user can read (a DSFR error or the error
   page's title);
4. the hostile markup never comes back unescaped in an HTML answer.
After a success (2xx, 3xx) the page it leads to is checked too, and the form is read
again from its page, since what it holds (a version, a state) may have changed.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote_from_bytes, urlencode, urlsplit

from flask import Flask
from sqlalchemy import func, select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import AnyConverter

from recrutement.accounts.permissions import PUBLIC, view_access
from recrutement.extensions import db
from recrutement.web.errors import ERROR_TEXTS
from tests import factories
from tests.fuzz import discovery, hostile
from tests.fuzz.world import ANONYMOUS, World

# /deconnexion is never posted: it would end the session the rest of the run uses
# (its own tests cover it), and it takes no field but the CSRF token.
SKIPPED_ENDPOINTS = {"auth.logout", "static"}
# Parameters every list or search page may take, beside those its forms and links show.
QUERY_NAMES = ("page", "q", "etat", "region", "departement")
IGNORED_TABLES = {"rate_limit_counter"}
# Columns a sign-in (the harness signs in again after a case signed it out) may change.
VOLATILE_COLUMNS = {"last_login_at", "session_token", "last_seen_at"}
FRENCH_ERROR_MARKERS = ("fr-error-text", "fr-message--error", "fr-alert--error")
# A link to an address the role already reached this many times is not followed.
LINKS_PER_ENDPOINT = 2
PAGES_PER_ENDPOINT = 12
CONTROL_IN_NAME = re.compile(r"[\x00-\x1f]")


@dataclass
class Stats:
    """What a run did, per database (printed at the end of the run)."""

    routes: set = field(default_factory=set)
    forms: set = field(default_factory=set)
    fields: int = 0
    posts: int = 0
    gets: int = 0
    examples: int = 0
    seconds: float = 0.0


STATS: dict[str, Stats] = defaultdict(Stats)


class ErrorLog(logging.Handler):
    """Collects what the application logs at ERROR or above."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def take(self) -> list[str]:
        taken = [
            f"{record.name}: {record.getMessage()} {record.exc_info[1]!r}"
            if record.exc_info
            else f"{record.name}: {record.getMessage()}"
            for record in self.records
        ]
        self.records.clear()
        return taken


@dataclass
class FoundForm:
    role: str
    endpoint: str
    form: discovery.Form

    @property
    def key(self) -> tuple:
        return (self.role, self.endpoint, self.form.signature())

    def __repr__(self) -> str:
        return f"<form {self.form.action} ({', '.join(self.form.fields)})>"


class Harness:
    def __init__(self, app: Flask, world: World, role: str):
        self.app = app
        self.world = world
        self.role = role
        self.user = world.users.get(role)
        self.client = self.sign_in()
        self.adapter = app.url_map.bind("localhost")
        self.failures: list[str] = []
        self.visited: dict[str, str] = {}  # url -> endpoint
        self.pages_by_endpoint: dict[str, list[str]] = defaultdict(list)
        self.query_names: dict[str, set[str]] = defaultdict(set)
        self.forms: dict[tuple, FoundForm] = {}
        self.gone: set[int] = set()  # forms a success took off their page
        self.log = ErrorLog()
        self.stats = STATS[db.engine.dialect.name]
        self.tables = [t for t in db.metadata.sorted_tables if t.name not in IGNORED_TABLES]

    # --- the browser -------------------------------------------------------------------

    def sign_in(self):
        client = self.app.test_client()
        if self.user is not None:
            response = client.post(
                "/connexion", data={"email": self.user.email, "password": factories.PASSWORD}
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    @staticmethod
    def end_of_request() -> None:
        """What the end of a request's app context does in production (the tests share
        one context): a transaction a failed request left open is rolled back."""
        db.session.rollback()

    def may_use(self, endpoint: str) -> bool:
        if endpoint in SKIPPED_ENDPOINTS:
            return False
        access = view_access(endpoint)
        if access == PUBLIC:
            return self.role == ANONYMOUS
        return access is not None and self.role in access

    def may_see(self, endpoint: str) -> bool:
        """Pages a role opens: its own and the public ones (forms for it sit there too)."""
        return endpoint not in SKIPPED_ENDPOINTS and (
            self.may_use(endpoint) or view_access(endpoint) == PUBLIC
        )

    def endpoint_of(self, path: str, method: str = "GET") -> tuple[str | None, dict]:
        try:
            return self.adapter.match(urlsplit(path).path, method=method)
        except (NotFound, MethodNotAllowed):
            return None, {}
        except Exception:  # a redirect rule, a converter refusing: not a page of ours
            return None, {}

    # --- crawling -------------------------------------------------------------------------

    def seeds(self) -> list[str]:
        """Every GET route the role may see, its arguments filled from the world."""
        urls = []
        for rule in self.app.url_map.iter_rules():
            if "GET" not in rule.methods or not self.may_see(rule.endpoint):
                continue
            choices = []
            for argument in sorted(rule.arguments):
                converter = rule._converters.get(argument)
                if isinstance(converter, AnyConverter):
                    choices.append([(argument, item) for item in sorted(converter.items)])
                    continue
                values = self.world.values(self.role, argument) or self.world.values(
                    ANONYMOUS, argument
                )
                choices.append([(argument, value) for value in values])
            for pair, values in self.world.pairs.get(self.role, {}).items():
                if set(pair) <= rule.arguments:
                    choices = [c for c in choices if not c or c[0][0] not in pair]
                    choices.append([tuple(zip(pair, value, strict=True)) for value in values])
            if any(not options for options in choices):
                continue  # an argument the world cannot fill: links may reach it
            for combination in itertools.islice(itertools.product(*choices), 20):
                arguments = {}
                for part in combination:
                    if part and isinstance(part[0], tuple):
                        arguments.update(dict(part))
                    else:
                        arguments[part[0]] = part[1]
                with self.app.test_request_context():
                    from flask import url_for

                    urls.append(url_for(rule.endpoint, **arguments))
        return sorted(set(urls))

    def get(self, url: str):
        self.log.take()
        response = self.client.get(url)
        self.end_of_request()
        self.check_answer(f"GET {url[:200]}", response, self.log.take())
        return response

    def visit(self, url: str, queue: list[str]) -> None:
        endpoint, _ = self.endpoint_of(url)
        if endpoint is None or url in self.visited:
            return
        self.visited[url] = endpoint
        self.pages_by_endpoint[endpoint].append(url)
        response = self.get(url)
        self.stats.routes.add(endpoint)
        if response.status_code >= 300 or "text/html" not in response.content_type:
            response.close()
            return
        page = discovery.parse(url, response.get_data(as_text=True))
        response.close()
        for link in page.links:
            path = discovery.local_path(link)
            if path is None:
                continue
            target, _ = self.endpoint_of(path)
            if target is None:
                continue
            if target == endpoint:
                self.query_names[endpoint] |= discovery.query_names(path)
            if (
                self.may_see(target)
                and path not in self.visited
                and len(self.pages_by_endpoint[target]) < LINKS_PER_ENDPOINT
            ):
                queue.append(path)
        for form in page.forms:
            self.found(form, queue)

    def found(self, form: discovery.Form, queue: list[str]) -> None:
        path = discovery.local_path(form.action)
        if path is None:
            return
        if form.method == "get":
            target, _ = self.endpoint_of(path)
            if target is not None:
                self.query_names[target] |= set(form.fields) - {"csrf_token"}
                # Submitting it as it is may lead to pages with forms of their own.
                query = urlencode(form.values(), doseq=True)
                url = urlsplit(path).path + (f"?{query}" if query else "")
                if (
                    self.may_see(target)
                    and len(self.pages_by_endpoint[target]) < PAGES_PER_ENDPOINT
                ):
                    queue.append(url)
            return
        target, arguments = self.endpoint_of(path, "POST")
        if target is None or not self.may_use(target):
            return
        form.action = path
        found = FoundForm(self.role, target, form)
        # One form per route, named arguments (an action word) and field names.
        words = tuple(sorted((k, v) for k, v in arguments.items() if isinstance(v, str)))
        key = (*found.key, words)
        if key not in self.forms:
            self.forms[key] = found

    def crawl(self) -> None:
        queue = self.seeds()
        while queue:
            url = queue.pop(0)
            endpoint, _ = self.endpoint_of(url)
            if endpoint is not None and len(self.pages_by_endpoint[endpoint]) >= PAGES_PER_ENDPOINT:
                continue
            self.visit(url, queue)
        self.borrow_defaults()
        self.stats.forms |= set(self.forms)
        self.stats.fields += sum(len(found.form.fields) for found in self.forms.values())

    def borrow_defaults(self) -> None:
        """A creation form renders empty; an edit form of the same fields, found on
        another page, holds valid values: the creation form starts from those, so a
        hostile value in one field meets otherwise valid input and goes deep."""
        forms = [found.form for found in self.forms.values()]
        for form in forms:
            blanks = form.blanks()
            if not blanks:
                continue
            names = set(form.fields) - {"csrf_token"}
            for other in forms:
                if other is form or not names <= set(other.fields):
                    continue
                if not blanks - other.blanks():
                    continue
                for name in blanks - other.blanks():
                    if form.fields[name].kind == other.fields[name].kind != "password":
                        form.fields[name].defaults = list(other.fields[name].defaults)
                blanks = form.blanks()

    # --- checks ----------------------------------------------------------------------------

    def check_answer(self, case: str, response, logged: list[str]) -> None:
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{self.role}: {case} → {status}")
        if logged:
            self.failures.append(f"{self.role}: {case} → logged {logged[:2]}")
        if "text/html" not in (response.content_type or ""):
            return
        body = response.get_data(as_text=True)
        for markup in hostile.MARKUP:
            if markup in body:
                self.failures.append(f"{self.role}: {case} → unescaped {markup!r}")
        if status == 400 and not self.shows_french_error(body):
            self.failures.append(f"{self.role}: {case} → 400 without a French error message")

    @staticmethod
    def shows_french_error(body: str) -> bool:
        if any(marker in body for marker in FRENCH_ERROR_MARKERS):
            return True
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
        titles = {title for title, _ in ERROR_TEXTS.values()}
        return bool(heading) and heading.group(1).strip() in titles

    def row_counts(self) -> dict[str, int]:
        db.session.rollback()
        counts = select(
            *[
                select(func.count()).select_from(table).scalar_subquery().label(table.name)
                for table in self.tables
            ]
        )
        return dict(db.session.execute(counts).mappings().one())

    def behind(self, path: str) -> list[tuple]:
        """The rows a form at `path` acts on: the objects named by the address (and
        the rows that point at them), and the acting user."""
        _, arguments = self.endpoint_of(path, "POST")
        objects = [(name[: -len("_id")], value) for name, value in arguments.items()]
        objects = [(name, value) for name, value in objects if isinstance(value, int)]
        if self.user is not None:
            objects.append(("user", self.user.id))
        found = []
        for name, value in objects:
            table = self.table_for(name)
            if table is not None:
                found.append((table, value))
        return found

    def table_for(self, name: str):
        names = {table.name: table for table in db.metadata.sorted_tables}
        for candidate in (
            names.get(name),
            *[t for n, t in names.items() if n.endswith(f"_{name}")],
            *[t for n, t in names.items() if n.startswith(f"{name}_")],
        ):
            if candidate is not None and len(candidate.primary_key.columns) == 1:
                return candidate
        return None

    def snapshot(self, objects: list[tuple]) -> dict:
        db.session.rollback()
        rows = {}
        for table, value in objects:
            key = next(iter(table.primary_key.columns))
            rows[(table.name, value)] = self.rows(table, key == value)
            for child in db.metadata.sorted_tables:
                for foreign in child.foreign_keys:
                    if foreign.column is key:
                        rows[(child.name, table.name, value)] = self.rows(
                            child, foreign.parent == value
                        )
        return rows

    @staticmethod
    def rows(table, condition) -> list:
        columns = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
        result = db.session.execute(select(*columns).where(condition)).all()
        return sorted(tuple(str(v) for v in row) for row in result)

    # --- posting -----------------------------------------------------------------------------

    @staticmethod
    def encode(form: discovery.Form, values: dict, files: dict) -> tuple[bytes, str]:
        def raw(text: str) -> bytes:
            return text.encode("utf-8", "surrogatepass")

        if not form.multipart:
            body = "&".join(
                f"{quote_from_bytes(raw(name))}={quote_from_bytes(raw(item))}"
                for name, items in values.items()
                for item in items
            )
            return body.encode(), "application/x-www-form-urlencoded"
        boundary = "----fuzzing-harness-boundary-7d1f"
        parts = []
        for name, items in values.items():
            for item in items:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                    + raw(item)
                    + b"\r\n"
                )
        for name, (filename, content) in files.items():
            safe_name = CONTROL_IN_NAME.sub("", filename).replace('"', "%22")
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="'.encode()
                + raw(safe_name)
                + b'"\r\nContent-Type: application/pdf\r\n\r\n'
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return b"".join(parts), f"multipart/form-data; boundary={boundary}"

    def post_case(self, found: FoundForm, name: str, value, label: str) -> int:
        """Post the form with `value` in field `name`; returns the status."""
        form = found.form
        values = form.values()
        files = {other: ("", b"") for other, item in form.fields.items() if item.kind == "file"}
        if form.fields[name].kind == "file":
            _, filename, content = value
            files[name] = (filename, content)
        else:
            values[name] = value if isinstance(value, list) else [value]
        body, content_type = self.encode(form, values, files)
        before = self.row_counts()
        objects = self.behind(form.action)
        snapshot = self.snapshot(objects)
        self.log.take()
        response = self.client.post(form.action, data=body, content_type=content_type)
        self.end_of_request()
        self.stats.posts += 1
        case = f"POST {form.action} [{name} = {label}]"
        self.check_answer(case, response, self.log.take())
        status = response.status_code
        if 400 <= status < 500:
            after = self.row_counts()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            if changed:
                self.failures.append(f"{self.role}: {case} → {status} but rows changed {changed}")
            if self.snapshot(objects) != snapshot:
                self.failures.append(f"{self.role}: {case} → {status} but objects changed")
        location = response.headers.get("Location", "")
        response.close()
        if 300 <= status < 400 and location:
            path = discovery.local_path(location)
            if path and urlsplit(path).path == "/connexion":
                self.client = self.sign_in()  # the case signed the user out
            elif path:
                followed = self.client.get(path)
                self.end_of_request()
                self.check_answer(f"{case} then GET {path[:120]}", followed, self.log.take())
                followed.close()
        return status

    def refresh(self, found: FoundForm) -> bool:
        """Read the form again from its page (after a success); False if it is gone."""
        response = self.client.get(found.form.page)
        if response.status_code != 200 or "text/html" not in response.content_type:
            response.close()
            return False
        page = discovery.parse(found.form.page, response.get_data(as_text=True))
        response.close()
        for form in page.forms:
            path = discovery.local_path(form.action)
            if path == found.form.action and form.signature() == found.form.signature():
                for name, item in form.fields.items():
                    if any(item.defaults) or not any(found.form.fields[name].defaults):
                        found.form.fields[name] = item
                return True
        return False

    def cases(self, found: FoundForm) -> list[tuple[str, object, str]]:
        chosen = []
        for name, item in found.form.fields.items():
            key = (found.endpoint, found.form.signature().__repr__(), name)
            if item.kind == "file":
                for label, filename, content in hostile.sample(hostile.FILES, *key):
                    chosen.append((name, (label, filename, content), label))
                continue
            for value in hostile.sample(hostile.VALUES, *key):
                chosen.append((name, value.text, value.label))
            if item.multi_valued:
                chosen.append((name, hostile.multi_values(item.options), "500 values"))
        return chosen

    def fuzz_forms(self) -> None:
        for found in sorted(self.forms.values(), key=lambda f: (f.endpoint, f.form.action)):
            for name, value, label in self.cases(found):
                status = self.post_case(found, name, value, label)
                if status < 400 and not self.refresh(found):
                    self.gone.add(id(found))
                    break  # the success changed the object: its form is no longer offered

    # --- query strings -----------------------------------------------------------------------

    def fuzz_queries(self) -> None:
        for endpoint, urls in sorted(self.pages_by_endpoint.items()):
            if not self.may_use(endpoint):
                continue  # public pages are fuzzed by the anonymous visitor
            url = urls[0]
            base = urlsplit(url)
            names = sorted(set(QUERY_NAMES) | self.query_names[endpoint])
            for name in names:
                for value in hostile.sample(hostile.VALUES, "query", endpoint, name, share=2 / 3):
                    query = "&".join(
                        f"{quote_from_bytes(k.encode())}={quote_from_bytes(v.encode())}"
                        for k, v in parse_qsl(base.query, keep_blank_values=True)
                        if k != name
                    )
                    raw = value.text.encode("utf-8", "surrogatepass")
                    query = "&".join(filter(None, [query, f"{name}={quote_from_bytes(raw)}"]))
                    response = self.get(f"{base.path}?{query}")
                    response.close()
                    self.stats.gets += 1
                    if response.status_code in (301, 302, 303):
                        location = discovery.local_path(response.headers.get("Location", ""))
                        if location and urlsplit(location).path == "/connexion":
                            self.client = self.sign_in()

    # --- afterwards ----------------------------------------------------------------------------

    def sweep(self) -> None:
        """Every page visited, again, now that hostile values are stored: still no 5xx,
        still escaped."""
        for url in list(self.visited):
            response = self.get(url)
            response.close()

    def report(self) -> str:
        shown = "\n".join(self.failures[:40])
        more = len(self.failures) - 40
        return shown + (f"\n… and {more} more" if more > 0 else "")


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start
