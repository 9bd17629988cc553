"""The public search page (/offres); its JSON twin is web/api/offers.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app, render_template, request, url_for
from jinja2 import StrictUndefined
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from recrutement.accounts.permissions import public
from recrutement.core.time import paris_today
from recrutement.search.cache import ResultCache, cached_on_current_view
from recrutement.search.query import (
    MAX_PAGE,
    SORT_DISTANCE,
    InvalidSearch,
    SearchParams,
    SearchResults,
    search_offers,
)
from recrutement.search.results import (
    ReferentialState,
    facet_labels,
    referential_state,
    result_rows,
)
from recrutement.web.forms import page_number
from recrutement.web.public import bp

# The "Trier par" choices. The first (no `tri`) lets the search choose: by relevance
# with keywords, nearest first near a town, newest first otherwise; so that a visitor
# who types a town and nothing else gets the nearest offers first.
SORTS = {
    "": "Pertinence",
    "date": "Les plus récentes",
    "date_limite": "Date limite la plus proche",
    "distance": "Les plus proches",
}
# What the results' heading says of their order (SearchResults.sort).
ORDERS = {
    "pertinence": "Les plus pertinentes d'abord.",
    "date": "Les plus récentes d'abord.",
    "date_limite": "Les dates limites les plus proches d'abord.",
    "distance": "Les plus proches d'abord.",
}


def sort_choices(params: SearchParams | None, asked: str) -> tuple[dict[str, str], str]:
    """The "Trier par" options and the one selected: nearest first only near a town."""
    near_a_town = params is not None and params.place is not None
    choices = {value: label for value, label in SORTS.items() if value != SORT_DISTANCE}
    if near_a_town:
        choices[SORT_DISTANCE] = SORTS[SORT_DISTANCE]
    selected = params.sort if params is not None else asked
    if selected not in choices:
        selected = ""
    return choices, selected or ""


def facet_choices(
    labels: Mapping[str, Mapping[str, str]], results: SearchResults | None, args: Mapping[str, str]
) -> dict[str, list[tuple[str, str, int]]]:
    """Each filter's options as (value, label, count): the values some offer of the
    search has, and the one selected even without offers. Built here rather than in
    the template, where each test and count is a slower template call."""
    choices = {}
    for name, values in labels.items():
        counts = results.facets.get(name, {}) if results else {}
        selected = args.get(name, "")
        choices[name] = [
            (value, label, counts.get(value, 0))
            for value, label in values.items()
            if counts.get(value) or value == selected
        ]
    return choices


def search_url(params: SearchParams | None, **changes) -> str:
    """This search's address with `changes`; an empty value removes a parameter.
    Changing anything but the page starts again at page 1."""
    args = params.to_args() if params else {}
    return _url(args, changes)


def _url(args: Mapping[str, Any], changes: dict[str, Any]) -> str:
    args = dict(args)
    if "page" not in changes:
        args.pop("page", None)
    for name, value in changes.items():
        if value in (None, ""):
            args.pop(name, None)
        else:
            args[name] = str(value)
    return url_for("public.search", **args)


# The page's parts that are the same for every visitor, rendered, by index view
# (search/cache.py): the form with its facet counts, the results and the pagination.
_fragments: ResultCache[tuple[Markup, Markup]] = ResultCache()


@bp.get("/offres")
@public
def search():
    # Like every list, a page number out of range is brought back in range rather than
    # refused; a page past the last one says so (see the template).
    args = MultiDict(request.args)
    if "page" in args:
        args["page"] = str(min(page_number(request.args), MAX_PAGE))
    try:
        params = SearchParams.from_args(args)
    except InvalidSearch as error:
        typed = {name: value for name, value in args.items() if value}
        labels = facet_labels()
        head, tail = _render_fragments(
            params=None,
            results=None,
            rows=[],
            labels=labels,
            facet_choices=facet_choices(labels, None, args),
            error=error,
            args=args,
            sorts=sort_choices(None, args.get("tri", "")),
            url=lambda **changes: _url(typed, changes),
        )
        # A town that matches no commune is a question ("which one?"), not a broken
        # request: the page answers it with the closest communes.
        misspelt_town = error.parameter == "commune"
        return (
            render_template("public/search.html", params=None, error=error, head=head, tail=tail),
            200 if misspelt_town else 400,
        )
    # The fragments depend on the raw arguments too (the form shows what was typed),
    # and on the labels of régions and départements.
    today = paris_today()
    state = referential_state()
    key = (params, today, state, tuple(args.items(multi=True)))
    head, tail = cached_on_current_view(
        _fragments, key, lambda: _search_fragments(params, args, today, state)
    )
    return render_template("public/search.html", params=params, error=None, head=head, tail=tail)


def _search_fragments(
    params: SearchParams, args: MultiDict[str, str], today: date, state: ReferentialState
) -> tuple[Markup, Markup]:
    results = search_offers(params, today)
    labels = facet_labels(state)
    return _render_fragments(
        params=params,
        results=results,
        rows=result_rows(results, today),
        labels=labels,
        facet_choices=facet_choices(labels, results, args),
        error=None,
        args=args,
        sorts=sort_choices(params, ""),
        order=ORDERS[results.sort],
        url=lambda **changes: search_url(params, **changes),
        without_place=search_url(
            params,
            commune="",
            rayon="",
            tri="" if params.sort == SORT_DISTANCE else params.sort,
        ),
    )


# What belongs to the visitor and that any template could still reach through the
# Jinja globals of Flask and its extensions: hidden from the kept fragments, where
# using one raises an error instead of keeping one visitor's data for the others.
_PER_VISITOR = (
    "current_user",
    "request",
    "session",
    "g",
    "get_flashed_messages",
    "csrf_token",
    "csrf_meta_tag",
    "csp_nonce",
    "is_favourite",
)


def _render_fragments(**context: Any) -> tuple[Markup, Markup]:
    """The page's form (with the head of the results) and its results list.

    Rendered without Flask's context processors, and with every per-visitor global
    hidden (_PER_VISITOR), so what they render can be kept and served to anyone.
    """
    context.update({name: StrictUndefined(name=name) for name in _PER_VISITOR})
    environment = current_app.jinja_env
    # The environment escapes .html templates: their output is safe HTML.
    return (
        Markup(environment.get_template("public/_search_head.html").render(context)),  # noqa: S704
        Markup(environment.get_template("public/_search_tail.html").render(context)),  # noqa: S704
    )
