"""Writing: SPARQL 1.1 Update at /update and the Graph Store Protocol at /store.

Off unless the server was started with an update token (or --open-update); writes need
``Authorization: Bearer <token>``. GSP reads (GET, HEAD) need no token.
"""

from __future__ import annotations

import hmac
import re

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request, url_for

from openness.server.context import get_store, served_dump
from openness.server.execute import ResultTooLarge
from openness.server.lookup import is_iri
from openness.server.negotiation import (
    GRAPH_TYPES,
    content_type,
    expressible,
    negotiate,
    serialize_graph,
)
from openness.server.sparql import (
    _SERVICE,
    body_text,
    dump_url,
    request_base,
    store_failed,
    text,
    utf8_parameters,
)
from openness.store.dump import NoDump
from openness.store.errors import StoreError, Unanswerable
from openness.store.sparql_text import code_only, keyword, refusal

bp = Blueprint("update", __name__)


@bp.errorhandler(StoreError)
def _store_failed(e: StoreError) -> Response:
    """A graph's write (/store) the store failed under is said as an update's: the app's
    handler, for reads, said a write the engine refused was a query."""
    return store_failed(e, update=request.method not in ("GET", "HEAD"))


_LOAD = keyword("LOAD").pattern  # in a name too, as _SERVICE
_DATASET_CLAUSE = keyword("(?:USING|WITH)")
_KEYWORDS = keyword("(?:WHERE|DELETE|INSERT|DATA|WITH|USING|NAMED)").pattern
_TOKENS = re.compile(rf"[{{}}]|{_KEYWORDS.pattern}", re.IGNORECASE)


def _authorize() -> None:
    config = current_app.config
    if not config["UPDATE_ENABLED"]:
        abort(
            text(
                "updates are disabled on this server (start it with --update-token, or "
                "OPENNESS_UPDATE_TOKEN set)",
                403,
            )
        )
    if config["UPDATE_TOKEN"] is None:  # --open-update
        return
    # The scheme is case-insensitive (RFC 9110 §11.1); the token is compared in constant time.
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), config["UPDATE_TOKEN"].encode()
    ):
        refused = text("updates need 'Authorization: Bearer <token>'", 401)
        refused.headers["WWW-Authenticate"] = 'Bearer realm="openness"'
        abort(refused)


@bp.post("/update")
def update() -> Response:
    """Run a SPARQL update sent as a form (update=) or directly, with the protocol's
    ``using-graph-uri`` / ``using-named-graph-uri`` and the request URL as base IRI."""
    _authorize()
    utf8_parameters()  # (else 'caf%E9', Latin-1, was stored as 'caf\ufffd')
    if request.mimetype == "application/x-www-form-urlencoded":
        # The URL's parameters are read beside the body's, as /sparql reads them: a
        # using-graph-uri left in the URL (as servlet endpoints read it) was ignored, the
        # update reading the store's own default graph; an update= there beside the body's
        # was dropped unsaid, and a query= there let through.
        params = request.values
        if "query" in params:
            return text("an update request cannot carry a query", 400)
        values = params.getlist("update")
        if len(values) != 1:
            return text("give exactly one 'update' parameter", 400)
        sparql = values[0]
    elif request.mimetype == "application/sparql-update":
        params = request.args
        # (else dropped unsaid, the body's update run, where a form refuses both)
        if "update" in params or "query" in params:
            return text("a direct POST carries the update in its body, not in the URL", 400)
        sparql = body_text()
    else:
        return text(
            "POST an update as application/x-www-form-urlencoded or application/sparql-update", 415
        )
    code = code_only(sparql)
    if not current_app.config["ALLOW_SERVICE"]:
        reaching = _SERVICE.search(code) or _LOAD.search(code)
        if reaching:
            return text(
                f"{reaching.group().upper()} reaches other servers, which is disabled on "
                "this server (start it with --allow-service to enable it)",
                400,
            )
    using, named = params.getlist("using-graph-uri"), params.getlist("using-named-graph-uri")
    if using or named:
        clause = _DATASET_CLAUSE.search(code)
        if clause:
            return text(
                f"the update has {clause.group().upper()} and the request "
                "using-graph-uri / using-named-graph-uri: give the dataset one way "
                "(SPARQL 1.1 Protocol, 2.2.3)",
                400,
            )
        bad = [g for g in using + named if not is_iri(g)]
        if bad:
            return text(f"the graph name {bad[0]!r} is not an IRI", 400)
        sparql = with_dataset(sparql, using, named)
    try:
        get_store().update(sparql, base_iri=request_base())
    except (SyntaxError, Unanswerable) as e:  # positions are in the text as sent
        return text(refusal(sparql, e, update=True), 400)
    except StoreError as e:  # a remote engine that cannot be reached or refused
        return store_failed(e, update=True)
    except RuntimeError as e:  # Oxigraph's: an operation that cannot be done, nothing written
        return text(f"the update failed, nothing was changed: {e}", 400)
    return Response(status=204)


def with_dataset(sparql: str, using: list[str], named: list[str]) -> str:
    """``sparql`` with ``USING`` / ``USING NAMED`` clauses for the given graphs in each
    operation that has a WHERE pattern, as the protocol's using-graph-uri and
    using-named-graph-uri ask (a ``DELETE WHERE`` is written out as the DELETE … WHERE it
    stands for, since its short form takes no USING).

    >>> with_dataset("DELETE WHERE { ?s ?p 1 }", ["urn:g"], [])
    'DELETE { ?s ?p 1 } USING <urn:g> WHERE { ?s ?p 1 }'
    >>> with_dataset("DELETE { ?s ?p 1 } INSERT { ?s ?p 2 } WHERE { ?s ?p 1 }", [], ["urn:n"])
    'DELETE { ?s ?p 1 } INSERT { ?s ?p 2 } USING NAMED <urn:n> WHERE { ?s ?p 1 }'
    """
    clause = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in named)
    code = code_only(sparql)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in order
    depth, previous = 0, ""  # previous: the last token outside any group
    for token in _TOKENS.finditer(code):
        word = token.group().upper()
        if word == "}":
            depth -= 1
            continue
        if depth == 0 and word == "WHERE":
            if previous == "DELETE":  # DELETE WHERE { pattern }
                end = _group_end(code, token.end())
                pattern = sparql[code.index("{", token.end()) : end]
                edits.append((token.start(), token.end(), f"{pattern} {clause}WHERE"))
            else:
                edits.append((token.start(), token.start(), clause))
        if depth == 0:
            previous = word
        if word == "{":
            depth += 1
    for start, end, replacement in reversed(edits):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


def _group_end(code: str, after: int) -> int:
    """Where the group opening after position ``after`` closes (past its brace)."""
    depth = 0
    for i in range(code.index("{", after), len(code)):
        depth += {"{": 1, "}": -1}.get(code[i], 0)
        if depth == 0:
            return i + 1
    return len(code)


def _target() -> str:
    graphs = request.args.getlist("graph")
    if "default" in request.args or len(graphs) != 1:
        abort(
            text(
                f"name one graph: {url_for('update.read_graph')}?graph=<IRI> (the default "
                "graph is the union of the named graphs and cannot be written)",
                400,
            )
        )
    if not is_iri(graphs[0]):
        abort(text(f"the graph name {graphs[0]!r} is not an IRI", 400))
    return graphs[0]


@bp.route("/store", methods=["GET", "HEAD"])
def read_graph() -> Response:
    """A named graph, or the default graph (the union) with ?default."""
    media = negotiate(GRAPH_TYPES, "graphs are")
    store = get_store()
    graph = None if "default" in request.args else _target()
    try:
        if graph is None:
            result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        else:
            if graph not in store.graph_sizes():
                return text(f"no graph <{graph}> here", 404)
            result = store.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            )
    except ResultTooLarge as e:
        return _too_large(graph, e.limit)
    triples = list(result)
    # chosen again where JSON-LD was and the graph holds a triple term, which it cannot express
    media = negotiate(expressible(GRAPH_TYPES, triples), "graphs are")
    return Response(serialize_graph(triples, media), content_type=content_type(media))


def _too_large(graph: str | None, limit: int) -> Response:
    """413 for a graph (None: the default graph) over the result limit, saying where its
    triples are to be had: the dump of the whole dataset (when it holds what the store
    holds; also a ``Link``), the named graphs one at a time (the catalogue lists them; also
    a ``Link``), a query in pages."""
    catalogue = url_for("catalog.catalog", _external=True)
    links = [f'<{catalogue}>; rel="describedby"']
    try:
        served_dump()
    except NoDump as e:
        whole = f"no current dump of the whole dataset ({e})"
    else:
        whole = f"the whole dataset is at {dump_url()} (gzipped N-Quads, graph names kept)"
        links.insert(0, f'<{dump_url()}>; rel="alternate"; type="application/gzip"')
    if graph is None:
        what = "the default graph (the union of the named graphs)"
        parts = (
            f"each named graph at {url_for('update.read_graph')}?graph=IRI (the catalogue, "
            f"{catalogue}, lists them)"
        )
    else:
        what = f"the graph <{graph}>"
        parts = f"its triples a page at a time at {url_for('sparql.sparql')} (LIMIT and OFFSET)"
    answer = text(
        f"{what} is larger than this server's limit of {limit} bytes; {whole}; {parts}", 413
    )
    answer.headers["Link"] = ", ".join(links)
    return answer


def _body_triples() -> list[ox.Triple]:
    fmt = ox.RdfFormat.from_media_type(request.mimetype or "")
    if fmt is None:
        abort(text(f"send RDF ({', '.join(GRAPH_TYPES)}), not {request.mimetype!r}", 415))
    try:
        return [q.triple for q in ox.parse(request.get_data(), fmt, base_iri=request_base())]
    except SyntaxError as e:
        abort(text(f"the body does not parse: {e}", 400))


@bp.route("/store", methods=["PUT", "POST", "DELETE"])
def write_graph() -> Response:
    """Replace (PUT), add to (POST) or drop (DELETE) a named graph."""
    _authorize()
    graph = _target()
    store = get_store()
    existed = graph in store.graph_sizes()
    if request.method == "DELETE":
        if not existed:
            return text(f"no graph <{graph}> here", 404)
        store.drop_graph(graph)
        return Response(status=204)
    triples = _body_triples()
    if request.method == "PUT":
        store.replace_graph(graph, triples)
    else:
        store.write(add={graph: triples})
    return Response(status=204 if existed else 201)
