"""Named queries: the catalogue of queries/ at /queries, each runnable at /queries/<name>."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)

from openness.named_queries import NamedQuery, Parameter, QueryFileError, catalogue, first_column
from openness.namespaces import short
from openness.server.context import get_store
from openness.server.execute import QueryTimeout
from openness.server.linked_data import page_links, said
from openness.server.negotiation import (
    FORMAT_PARAMETERS,
    PAGE_TYPES,
    RESULT_TYPES,
    accept_header,
    choose,
    format_parameter,
    named_format,
    negotiate,
)
from openness.server.openapi_site import FORMAT, NOT_OFFERED, RESULTS, or_no_format, param
from openness.server.sparql import QUERY_TYPES, run_query, text, utf8_parameters
from openness.store import StoreError
from openness.store import dump as dumps

bp = Blueprint("queries", __name__)

# A browser names text/html; a client that accepts anything (*/*) keeps getting SPARQL
# results, as before the page existed (our order breaks ties, and text/html comes last).
PAGE = "text/html"
OFFERED = [*RESULT_TYPES, PAGE]
# Rows the page shows; the CSV and JSON links give them all.
PAGE_ROWS = 1000


def _catalogue() -> dict[str, NamedQuery]:
    try:
        return catalogue()
    except QueryFileError as e:  # a broken file is the operator's to fix: say which
        abort(text(str(e), 500))


def enumerations(query: NamedQuery) -> dict[str, list[str]]:
    """The values of each enumerated parameter of ``query`` (see
    :meth:`NamedQuery.enumerations`)."""
    return query.enumerations(_kept_values)


def values_if_readable(
    described: str,
) -> tuple[Callable[[NamedQuery], list[str]], list[Exception]]:
    """What the named queries' catalogue reads the values of enumerated parameters with,
    and the store's error once met. What describes the queries (``described``: the
    catalogue, /openapi.json) is of their files, not the data's: a store that cannot be
    read (not built, unreadable, a remote engine down or past the time limit) leaves out
    the values it gives rather than the whole answer failing; it is asked once a request,
    not once an enumerated parameter, and its error said in the log alone."""
    unreadable: list[Exception] = []

    def values_of(source: NamedQuery) -> list[str]:
        if unreadable:
            return []
        try:
            return _kept_values(source)
        except (StoreError, TimeoutError, QueryTimeout) as e:
            current_app.logger.warning("%s without the store's values: %s", described, e)
            unreadable.append(e)
            return []

    return values_of, unreadable


def _kept_values(source: NamedQuery) -> list[str]:
    """The values the named query ``source`` gives, kept by this app until the store's
    latest run (``prov:endedAtTime``) or the file changes: that marker is read once a
    request (0.25 ms through the query processes), and the values query runs again only
    after a build, an ingest or an assessment. A write that is no run (a SPARQL update) is
    seen after the next run. A store served read-only from disk is not written while it
    is served (:attr:`EmbeddedStore.unchanging`): its marker is not read at all."""
    store = get_store()
    if "store_state" not in g:
        g.store_state = None if store.unchanging else dumps.latest_run(store)
    kept = current_app.extensions.setdefault("openness.enumerations", {})
    state = (g.store_state, source.text)
    hit = kept.get(source.path)
    if hit is None or hit[0] != state:
        kept[source.path] = hit = (state, first_column(store, source))
    return hit[1]


def _describe(q: NamedQuery, values_of: Callable[[NamedQuery], list[str]]) -> dict:
    values = q.enumerations(values_of)
    return {
        "name": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": q.tags,
        "url": url_for("queries.run", name=q.name, _external=True),
        "parameters": [
            {
                "name": p.name,
                "required": p.required,
                "type": p.type or "literal",
                "default": p.default,
                "enum": values.get(p.name),
            }
            for p in q.parameters
        ],
        "query": q.text,
    }


@bp.get("/queries")
def index() -> Response:
    """The catalogue, as HTML for browsers and JSON for programs: its entries are files,
    listed also when the store cannot give an enumerated parameter's values (left out)."""
    queries = _catalogue()
    best = negotiate(PAGE_TYPES, "the catalogue is")
    values_of, unreadable = values_if_readable(request.path)
    if best == "application/json":
        response = jsonify([_describe(q, values_of) for q in queries.values()])
        return uncached_unless(not unreadable, response)
    values = {q.name: q.enumerations(values_of) for q in queries.values()}
    # A table of contents by the tags of their headers (a query under each of its tags), for
    # a reader looking for a question rather than a query's name.
    by_tag: dict[str, list[NamedQuery]] = defaultdict(list)
    for q in queries.values():
        for tag in q.tags:
            by_tag[tag].append(q)
    page = render_template(
        "queries.html",
        queries=queries.values(),
        values=values,
        unreadable=bool(unreadable),
        by_tag=sorted(by_tag.items()),
    )
    return uncached_unless(not unreadable, Response(page))


def uncached_unless(listed: bool, response: Response) -> Response:
    """``response``, kept by no cache unless the store's values are ``listed`` in it: a 200
    without Cache-Control may be kept on a cache's own heuristic (RFC 9111 §4.2.2), and a
    client (Swagger UI, a browser, a proxy) should ask again and get them once the store
    is read."""
    if not listed:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/queries/<name>", methods=["GET", "POST"])
def run(name: str) -> Response:
    """Run a named query, its parameters bound from the URL (or form): a page with its
    results for a browser, SPARQL results in the format asked for otherwise."""
    query = _catalogue().get(name)
    if query is None:
        return text(f"no query named {name!r}; see {url_for('queries.index')}", 404)
    # (name=Caf%E9, Latin-1, ran for 'Caf\ufffd' and answered no row)
    utf8_parameters()
    # A form is URL-encoded (as the API describes it): a multipart one's values are read
    # with replacement characters, which no check sees (name=OLMo-7\xe9 ran, no row, 200).
    form = "application/x-www-form-urlencoded"
    if request.method == "POST" and request.mimetype not in ("", form):
        return text(f"POST the parameters as {form} (or in the URL), not {request.mimetype}", 415)
    given = request.values.to_dict()
    # format=html asks for the page as a browser's Accept does; another format, or a name
    # of none, the results (refused by their kind's formats and the page's: run_query).
    asked = format_parameter([*QUERY_TYPES, PAGE])
    html = (named_format(asked, [PAGE]) if asked else choose(accept_header(), OFFERED)) == PAGE
    known = [p.name for p in query.parameters]
    # A name the query has no parameter of (a typo: defn=) ran it with the defaults, a
    # 200 answering another question; `openness query` refuses it alike.
    unknown = sorted(set(given) - set(known) - set(FORMAT_PARAMETERS))
    notice = ""
    if unknown and html:
        # A page's link may carry parameters a site appended (fbclid=, utm_source=): it is
        # shown with them left out, said above its results, where a program is refused.
        notice = (
            f"Left out: {', '.join(unknown)} — not a parameter of {name} "
            f"(its parameters: {', '.join(known) or 'none'})."
        )
        given = {k: v for k, v in given.items() if k not in unknown}
        unknown = []
    # A value outside an enumerated parameter's (definition=nope) answered 200 with no
    # rows: refused naming them, as `openness query` refuses it.
    allowed = enumerations(query)
    # A parameter given twice ran with its first value, where `openness query` took its
    # last: one request, two answers. Refused, as /sparql refuses two queries.
    repeated = [p for p in known if len(request.values.getlist(p)) > 1]
    try:
        if repeated:
            raise KeyError(f"{name} takes one value of {', '.join(repeated)}, not several")
        if unknown:
            raise KeyError(
                f"{name} has no parameter {', '.join(unknown)}; its parameters: "
                f"{', '.join(known) or 'none'}"
            )
        sparql = query.sparql(given, allowed)
    except KeyError as e:
        error = str(e.args[0])
    except ValueError as e:
        error = f"bad parameter value: {e}"
    else:
        if html:
            return _page(query, given, allowed, sparql, notice=notice)
        return run_query(sparql, [], [], joined=query.joined, also=(PAGE,))
    return _page(query, given, allowed, None, error) if html else text(error, 400)


Term = ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple | None


def _cell(term: Term, links: dict[str, str]) -> tuple[str, str | None]:
    """A result term as the page shows it: text, and a link for an IRI (``links``: where
    pages link each, :func:`page_links`). Any column may hold a triple term (RDF 1.2), a
    name's too: it reads ``<<( s p o )>>`` as on a resource's page."""
    if term is None:
        return "", None
    if isinstance(term, ox.NamedNode):
        return short(term.value), links[term.value]
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}", None
    return said(term), None


def _page(
    query: NamedQuery,
    given: dict[str, str],
    allowed: dict[str, list[str]],
    sparql: str | None,
    error: str = "",
    notice: str = "",
) -> Response:
    """The query's page: what it asks, a form for its parameters (a choice among an
    enumerated one's values), its results as a table, and links to the same results as
    CSV and JSON and to the query in the editor."""
    # A field left blank shows the default it was run with.
    values = {p.name: given.get(p.name) or p.default or "" for p in query.parameters}
    bound = {k: v for k, v in values.items() if v}
    here = url_for("queries.run", name=query.name)
    variables: list[str] = []
    terms: list[list[Term]] = []
    total = 0
    if sparql is not None:
        result = query.run(get_store(), given)
        variables = result.variables
        for total, solution in enumerate(result, 1):
            if total <= PAGE_ROWS:
                terms.append([solution[v] for v in variables])
    links = page_links(t.value for row in terms for t in row if isinstance(t, ox.NamedNode))
    rows = [[_cell(t, links) for t in row] for row in terms]
    return Response(
        render_template(
            "query.html",
            query=query,
            values=values,
            allowed=allowed,
            error=error,
            notice=notice,
            variables=variables,
            rows=rows,
            total=total,
            # Built by hand: a parameter may be called "name", as url_for's argument is.
            csv_url=f"{here}?{urlencode({**bound, 'format': 'csv'})}",
            json_url=f"{here}?{urlencode({**bound, 'format': 'json'})}",
            editor_url=url_for("pages.editor", query=sparql or query.text),
        ),
        status=400 if error else 200,
    )


# A parameter's type as JSON Schema gives it, and how its values are written in JSON.
SCHEMAS: dict[str | None, dict[str, str]] = {
    None: {"type": "string"},
    "iri": {"type": "string", "format": "uri"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}
_JSON_VALUES = {"integer": int, "number": float, "boolean": lambda v: v in ("true", "1")}


def _schema(p: Parameter, values: list[str] | None) -> dict[str, Any]:
    as_json = _JSON_VALUES.get(p.type or "", str)
    schema: dict[str, Any] = dict(SCHEMAS[p.type])
    if values is not None:
        schema["enum"] = [as_json(v) for v in values]
    if p.default is not None:
        schema["default"] = as_json(p.default)
    return schema


def _described(p: Parameter, listed: bool, unreadable: bool) -> str:
    """A parameter's description in OpenAPI: its variable, and where its values come from
    (why they are not listed, when the store could not be read)."""
    out = f"?{p.variable} in the query"
    if p.values_from:
        out += f"; its values are those the {p.values_from} query gives"
        if unreadable and not listed:
            out += " (not listed here: the store could not give them; the server's log says why)"
    return out


def openapi_paths() -> tuple[dict[str, Any], bool]:
    """Each named query as an operation of its own, as grlc describes a query folder: its
    parameters typed, an enumerated one's values as its ``enum``; and whether every such
    value was listed: a store that cannot be read leaves out the values it gives (see
    :func:`values_if_readable`), each such parameter saying why."""
    values_of, unreadable = values_if_readable("/openapi.json")
    paths = {}
    for q in _catalogue().values():
        values = q.enumerations(values_of)
        parameters = [
            param(
                p.name,
                "query",
                _described(p, p.name in values, bool(unreadable)),
                p.required and p.default is None,
                _schema(p, values.get(p.name)),
            )
            for p in q.parameters
        ]
        paths[f"/queries/{q.name}"] = {
            "get": {
                "summary": q.summary,
                "description": q.description,
                "parameters": [*parameters, FORMAT],
                "responses": {
                    "200": {"description": "Results (a page for a browser)", "content": RESULTS},
                    "400": or_no_format(
                        "A parameter is unknown or missing, or a value malformed or not one "
                        "of its parameter's values"
                    ),
                    "406": NOT_OFFERED,
                },
            }
        }
    return paths, not unreadable
