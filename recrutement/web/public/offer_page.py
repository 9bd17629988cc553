"""The public offer page's parts that depend only on the offer, rendered once and kept.

Most of `/offres/<id>` is the same for every visitor until the offer changes: its
title, texts, towns, organisation, PDF link, JSON-LD. Those parts are rendered from
public/_offer_parts.html without Flask's context processors (so nothing of the
visitor can be used there) and kept per process, least recently used out, under what
they are rendered from: every column of every row the page shows
(offers.queries.open_offer_page_rows, two statements per request that build no
object), with the Paris date. The key is the data itself, so any change of it, by any
process and whichever column it touches, is shown at once, and nothing has to
remember to invalidate anything; and the parts are rendered from those very values
(`OfferPageRows.offer`), never from a second read that could be newer.

The visitor's parts (the apply button or their application, the favourites form and
its CSRF token, flashes, the account menu, the nonce) stay in public/offer.html,
rendered per request. OFFER_PAGE_CACHE_SIZE entries (0 turns the cache off).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from markupsafe import Markup

from recrutement.offers.models import Offer
from recrutement.offers.presentation import job_posting
from recrutement.offers.queries import OfferPageRows

# An entry weighs about twice the offer's texts (the HTML and the JSON-LD), plus its
# key: 10-20 KB, so about 10 MB per process.
DEFAULT_SIZE = 512

_BLOCKS = ("title", "description", "canonical", "jsonld", "deadline", "top", "texts", "aside")


@dataclass(frozen=True)
class OfferPage:
    """The rendered parts of one offer's page (HTML, safe to insert as they are)."""

    offer_id: int
    title: Markup
    description: Markup
    canonical: Markup
    jsonld: Markup
    deadline: Markup
    top: Markup
    texts: Markup
    aside: Markup


def render_offer_page(offer: Offer, preview: bool = False) -> OfferPage:
    """The parts of `offer`'s page; in the employer's preview, without the JSON-LD and
    with the PDF link of the employer's space."""
    template = current_app.jinja_env.get_template("public/_offer_parts.html")
    context = template.new_context(
        {
            "offer": offer,
            "preview": preview,
            "jsonld": None if preview else job_posting(offer),
            "config": current_app.config,
        }
    )
    # The environment escapes .html templates: their output is safe HTML.
    parts = {
        name: Markup("".join(template.blocks[name](context)))  # noqa: S704
        for name in _BLOCKS
    }
    return OfferPage(offer_id=offer.id, **parts)


class OfferPageCache:
    """Rendered offer pages by fingerprint, the least recently used out first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, OfferPage] = OrderedDict()
        # A forked child (a gunicorn worker) starts empty, with a lock of its own: the
        # parent's may have been held when it forked.
        os.register_at_fork(after_in_child=self.clear)

    def get(self, key: Hashable) -> OfferPage | None:
        with self._lock:
            page = self._entries.get(key)
            if page is not None:
                self._entries.move_to_end(key)
            return page

    def put(self, key: Hashable, page: OfferPage, size: int) -> None:
        with self._lock:
            self._entries[key] = page
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every page (with a new lock: also what a forked child starts from)."""
        self._lock = threading.Lock()
        self._entries = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)


cache = OfferPageCache()


def cache_size() -> int:
    """How many offer pages this process keeps (OFFER_PAGE_CACHE_SIZE; 0: none)."""
    return int(current_app.config.get("OFFER_PAGE_CACHE_SIZE", DEFAULT_SIZE))


def cached_offer_page(rows: OfferPageRows, today: date) -> OfferPage:
    """The page parts of the offer these rows describe, kept from before or rendered."""
    size = cache_size()
    if size <= 0:
        return render_offer_page(rows.offer())
    key = (rows, today)
    if (page := cache.get(key)) is None:
        page = render_offer_page(rows.offer())
        cache.put(key, page, size)
    return page
