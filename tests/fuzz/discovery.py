"""What the pages offer: their forms (parsed from the HTML a role receives) and the
addresses they link to. Nothing here knows a route or a field by name: a form added
later is found the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

TEXT_TYPES = {"text", "email", "search", "tel", "url", "number", "date", "password", "month"}
BUTTON_TYPES = {"submit", "image"}


@dataclass
class Field:
    """One name of a form: its kind, what the page would send as it is, its options."""

    name: str
    kind: str  # an input type, "textarea", "select", "checkbox", "radio", "file", "submit"
    defaults: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    multiple: bool = False

    @property
    def multi_valued(self) -> bool:
        return self.multiple or (self.kind == "checkbox" and len(self.options) > 1)


@dataclass
class Form:
    page: str  # where the form was found
    action: str  # path and query the form posts to
    method: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)

    def signature(self) -> tuple:
        return (self.method, tuple(sorted(self.fields)))

    def values(self) -> dict[str, list[str]]:
        """What a browser sends as the page is, with the first named button pressed."""
        sent: dict[str, list[str]] = {}
        button_pressed = False
        for name, item in self.fields.items():
            if item.kind == "submit":
                if not button_pressed and item.defaults:
                    sent[name] = item.defaults[:1]
                    button_pressed = True
                continue
            if item.kind == "file":
                continue
            if item.defaults:
                sent[name] = list(item.defaults)
        return sent

    def blanks(self) -> set[str]:
        return {
            name
            for name, item in self.fields.items()
            if item.kind in TEXT_TYPES | {"textarea"} and not any(item.defaults)
        }


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: Field | None = None
        self._textarea_text = ""

    def _field(self, name: str, kind: str, multiple: bool = False) -> Field:
        assert self._form is not None
        found = self._form.fields.get(name)
        if found is None:
            found = Field(name, kind, multiple=multiple)
            self._form.fields[name] = found
        return found

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(urljoin(self.page, attributes["href"]))
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            action = urljoin(self.page, attributes.get("action") or self.page)
            multipart = (attributes.get("enctype") or "").lower() == "multipart/form-data"
            self._form = Form(self.page, action, method, multipart)
            return
        if self._form is None or "disabled" in attributes:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            value = attributes.get("value")
            if kind in ("checkbox", "radio"):
                item = self._field(name, kind)
                item.options.append(value if value is not None else "on")
                if "checked" in attributes:
                    item.defaults.append(value if value is not None else "on")
            elif kind in BUTTON_TYPES:
                item = self._field(name, "submit")
                item.options.append(value or "")
                item.defaults.append(value or "")
            elif kind in ("button", "reset"):
                return
            elif kind == "file":
                self._field(name, "file", multiple="multiple" in attributes)
            else:
                item = self._field(name, kind)
                item.defaults.append("" if kind == "password" else value or "")
        elif tag == "button" and name:
            if (attributes.get("type") or "submit").lower() == "submit":
                item = self._field(name, "submit")
                item.options.append(attributes.get("value") or "")
                item.defaults.append(attributes.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = self._field(name, "textarea")
            self._textarea_text = ""
        elif tag == "select" and name:
            self._select = self._field(name, "select", multiple="multiple" in attributes)
        elif tag == "option" and self._select is not None:
            self._option = (attributes.get("value"), "selected" in attributes)
            self._option_text = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text += data
        if self._option is not None:
            self._option_text += data

    def _close_option(self):
        if self._option is None or self._select is None:
            return
        value, selected = self._option
        value = self._option_text.strip() if value is None else value
        self._select.options.append(value)
        if selected:
            self._select.defaults.append(value)
        self._option = None

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # The HTML parser drops the newline that follows <textarea>, as browsers do.
            text = (
                self._textarea_text[1:]
                if self._textarea_text.startswith("\n")
                else (self._textarea_text)
            )
            self._textarea.defaults = [text]
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            select = self._select
            if not select.multiple and not any(select.defaults):
                # Nothing chosen: the first non-empty option, as a user would pick.
                select.defaults = [next((o for o in select.options if o), "")]
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


@dataclass
class Page:
    url: str
    forms: list[Form]
    links: list[str]


def parse(url: str, html: str) -> Page:
    parser = _Parser(url)
    parser.feed(html)
    parser.close()
    if parser._form is not None:  # an unclosed form still counts
        parser.forms.append(parser._form)
    return Page(url, parser.forms, parser.links)


def local_path(url: str) -> str | None:
    """The path and query of a link into the platform; None for another site."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def query_names(url: str) -> set[str]:
    return {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
