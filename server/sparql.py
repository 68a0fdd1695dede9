"""The SPARQL 1.1 Protocol for queries at /sparql and /query, and the service description.
Writing (/update, /store) lives in ``update``; the VoID description, in ``catalog``."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from openness.ingest.runner import PROVENANCE_GRAPH
from openness.namespaces import DCTERMS, PREFIXES, RDF, RDFS, SD, VOID, XSD, Graphs
from openness.server.admission import Limits
from openness.server.context import get_runner, get_store
from openness.server.execute import Job, QueryTimeout
from openness.server.negotiation import (
    GRAPH_TYPES,
    RESOURCE_TYPES,
    RESULT_TYPES,
    accept_header,
    content_type,
    format_parameter,
    negotiate,
    serialize_graph,
    wants_page,
)
from openness.store import summary
from openness.store.errors import Refused, StoreError, Unanswerable
from openness.store.sparql_text import code_only, keyword, refusal

bp = Blueprint("sparql", __name__)
log = logging.getLogger("openness.server")

FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMAT_IRIS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
    "N-Quads",
    "TriG",
]
# Its spelling inside a name too (``ex:a.service``, a name to SPARQL): refused rather than
# trusting every engine to read such a name as one and call no other endpoint.
_SERVICE = keyword("SERVICE").pattern
# What a query's answer comes in, whatever its kind.
QUERY_TYPES = [*RESULT_TYPES, *GRAPH_TYPES]
# The prefixes of the service and VoID descriptions: ours and their vocabularies'.
DESCRIPTION_PREFIXES = {**PREFIXES, "sd": SD, "void": VOID}
_INTEGER = ox.NamedNode(XSD + "integer")
TITLE = ox.Literal("Openness Graph", language="en")  # the dataset's, in VoID and DCAT
RIGHTS = ox.Literal(
    "Each source's graph is under that source's licence (its dcterms:license, a part of "
    "the dataset), and the vocabulary's and the shapes' graphs under the licences their "
    "documents declare; the graphs the tool computes from them (identity, assessments, "
    "derived facts, history, provenance) state no licence of their own.",
    language="en",
)


# What a client is told when the store fails under its request (a remote engine stopped):
# where the store is, and why, go to the log only.
STORE_UNREADABLE = "the store could not answer: the server's log says why"


def text(message: str, status: int) -> Response:
    """A plain-text answer ending in one newline, as every error of ours is."""
    return Response(
        message.rstrip() + "\n", status=status, content_type="text/plain; charset=utf-8"
    )


# The longest wait passed on from an engine's Retry-After: a client is not told to stay
# away for a day because an engine (or a proxy in front of it) said so.
MAX_RETRY_AFTER = 300

# The SPARQL protocol's services: what fails there is said in text, as its clients read it.
PROTOCOL_PATHS = frozenset(("/sparql", "/query", "/update", "/store"))


def store_failed(e: StoreError, *, update: bool = False) -> Response:
    """The store failed under a request (an update's, if ``update``): where the store is,
    and why, go to the log. A remote engine that answered with an error (a query it
    refuses as too costly, say) is 502 with its own words, not its address: asked again,
    it answers the same, so the client is told why. One that could not be reached or read,
    or answered that it cannot answer now (:attr:`Refused.final`), is 503: the store may
    answer later, as Retry-After says (a page of the site saying so, for a browser)."""
    log.warning("%s %s: the store could not answer: %s", request.method, request.path, e)
    if isinstance(e, Refused) and e.final:
        return text(refusal("", e, update=update), 502)
    if wants_page() and request.path not in PROTOCOL_PATHS:
        page = render_template("error.html", status=503, phrase="Service Unavailable")
        response = Response(page, status=503)
    else:
        response = text(STORE_UNREADABLE, 503)
    # An engine restarting answers again shortly: when to ask, as for a server too busy;
    # when a busy engine said when, its word (we said 1 s to an engine's 120), bounded.
    asked = e.retry_after if isinstance(e, Refused) else None
    wait = Limits.retry_after if asked is None else min(MAX_RETRY_AFTER, math.ceil(asked))
    response.headers["Retry-After"] = str(max(Limits.retry_after, wait))
    return response


def request_base() -> str | None:
    """What relative IRIs in a request's query, update or graph resolve against: the
    request's URL (without its query string), as for any document retrieved from it."""
    try:
        return ox.NamedNode(request.base_url).value
    except ValueError:  # a Host header that makes no IRI: relative IRIs stay errors
        return None


def uses_service(query: str) -> bool:
    """Whether a query calls another endpoint (SERVICE), ignoring strings and comments.

    >>> uses_service('SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }')
    True
    >>> uses_service('SELECT * { ?s ?p "SERVICE" } # SERVICE')
    False
    """
    return bool(_SERVICE.search(code_only(query)))


def body_text() -> str:
    """A request's body as UTF-8, which a query or an update must be (else 400, not a
    query with replacement characters in it)."""
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as e:
        abort(text(f"the body is not UTF-8: {e}", 400))


def utf8_parameters() -> None:
    """Refuse (400) a request whose parameters, in its URL or its form, are not UTF-8 once
    percent-decoded: Werkzeug reads them with replacement characters, and a query for
    'caf%E9' (Latin-1) answered nothing, 200, as a direct POST's body that is not UTF-8 is
    refused (:func:`body_text`). The form's bytes are cached: the form is read from them.
    The parameter is named, and the byte counted in its value (in the whole string
    decoded, 'query=' and the parameters before it counted, it was no place one wrote)."""
    given = [(request.query_string, "the URL")]
    if request.mimetype == "application/x-www-form-urlencoded":
        given.append((request.get_data(), "the form"))
    for encoded, where in given:
        for pair in encoded.split(b"&"):
            name, _, value = (unquote_to_bytes(p) for p in pair.replace(b"+", b" ").partition(b"="))
            for part, of in ((name, "name"), (value, "value")):
                try:
                    part.decode("utf-8")
                except UnicodeDecodeError as e:
                    called = name.decode("utf-8", "replace")
                    at = f"0x{part[e.start]:02x}, byte {e.start + 1} of its {of}"
                    said = f"{called!r} in {where} is not UTF-8 once percent-decoded"
                    abort(text(f"{said}: {e.reason} ({at})", 400))


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        abort(text(f"give one {name}, not {len(values)}", 400))
    return values[0] if values else None


def _protocol_request() -> tuple[str | None, list[str], list[str]]:
    """The query and dataset of a protocol request; bad requests are answered with 400."""
    utf8_parameters()
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            abort(text(f"updates must be sent by POST to {url_for('update.update')}", 400))
        params = request.args
        query = _single(params.getlist("query"), "query")
    elif request.mimetype == "application/x-www-form-urlencoded":
        # The protocol puts every parameter in the body; a default-graph-uri left in the
        # URL, as servlet-based endpoints read it, was ignored: another dataset's answer.
        params = request.values
        if "update" in params:
            abort(
                text(
                    "a query request cannot carry an update; send updates to "
                    f"{url_for('update.update')}",
                    400,
                )
            )
        query = _single(params.getlist("query"), "query")
        if query is None:
            abort(text("the form has no 'query' parameter", 400))
    elif request.mimetype == "application/sparql-query":
        params = request.args
        if "query" in params:
            abort(text("a direct POST carries the query in its body, not in 'query='", 400))
        query = body_text()
    else:
        abort(
            text(
                f"POST a query as application/x-www-form-urlencoded or "
                f"application/sparql-query, not {request.mimetype or 'no media type'!r}",
                415,
            )
        )
    graphs = {name: params.getlist(name) for name in ("default-graph-uri", "named-graph-uri")}
    for name, iris in graphs.items():
        for iri in iris:
            try:
                ox.NamedNode(iri)
            except ValueError:
                abort(text(f"{name} {iri!r} is not an IRI", 400))
    return query, graphs["default-graph-uri"], graphs["named-graph-uri"]


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/query", methods=["GET", "POST"], endpoint="query")
def sparql() -> Response:
    """Answer a SPARQL query (or describe the service when there is none)."""
    query, default_graphs, named_graphs = _protocol_request()
    if query is None:
        media = negotiate(RESOURCE_TYPES, "this description is")
        if media == "text/html":
            return redirect(url_for("pages.editor"), 303)  # a browser: the query editor
        return service_description(media)
    if uses_service(query) and not current_app.config["ALLOW_SERVICE"]:
        return text(
            "SERVICE calls to other endpoints are disabled on this server "
            "(start it with --allow-service to enable them)",
            400,
        )
    return run_query(query, default_graphs, named_graphs)


def run_query(
    query: str,
    default_graphs: list[str],
    named_graphs: list[str],
    accept: str | None = None,
    joined: dict[str, str] | None = None,
    also: tuple[str, ...] = (),
) -> Response:
    """Run a query for a request and answer it, mapping failures to protocol statuses;
    ``joined`` is a named query's (see :meth:`QueryResult.sorted_parts`); ``also``, what
    the route answers itself besides the result (see :class:`Job`)."""
    job = Job(
        query,
        tuple(default_graphs),
        tuple(named_graphs),
        accept or accept_header(),
        format_parameter([*QUERY_TYPES, *also]),
        request_base(),
        tuple((joined or {}).items()),
        also,
    )
    try:
        result = get_runner().run(job)
    except (SyntaxError, Unanswerable) as e:
        return text(refusal(query, e), 400)
    except QueryTimeout as e:
        return text(str(e), 503)
    limit = current_app.config["MAX_RESULT_BYTES"]
    if len(result.body) > limit:
        return text(
            f"the result is {len(result.body)} bytes, over this server's limit of "
            f"{limit} bytes; narrow the query or add LIMIT",
            413,
        )
    return Response(result.body, content_type=content_type(result.media_type, result.profile))


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def service_description(media: str) -> Response:
    """An sd:Service: endpoint, languages, result formats, the dataset's graphs. Its
    default dataset is the one the VoID descriptions describe (``…/graph/void#dataset``,
    with a link to ``/.well-known/void``), not a name of this server's: the two
    descriptions merge into one dataset, its licences and sources beside its graphs; in
    the RDF type ``media``."""
    here = request.base_url  # /sparql or /query, whichever was asked
    svc, ds, dg = _iri(here + "#service"), _iri(summary.DATASET), ox.BlankNode()
    t = [
        ox.Triple(svc, _iri(RDF + "type"), _iri(SD + "Service")),
        ox.Triple(svc, _iri(SD + "endpoint"), _iri(here)),
        ox.Triple(svc, _iri(SD + "supportedLanguage"), _iri(SD + "SPARQL11Query")),
        ox.Triple(svc, _iri(SD + "feature"), _iri(SD + "UnionDefaultGraph")),
        ox.Triple(svc, _iri(SD + "defaultDataset"), ds),
        ox.Triple(ds, _iri(RDF + "type"), _iri(SD + "Dataset")),
        ox.Triple(ds, _iri(RDFS + "seeAlso"), _iri(url_for("catalog.void", _external=True))),
        ox.Triple(ds, _iri(SD + "defaultGraph"), dg),
        ox.Triple(dg, _iri(RDF + "type"), _iri(SD + "Graph")),
    ]
    if current_app.config["UPDATE_ENABLED"]:
        t.append(ox.Triple(svc, _iri(SD + "supportedLanguage"), _iri(SD + "SPARQL11Update")))
    t += [ox.Triple(svc, _iri(SD + "resultFormat"), _iri(FORMATS + f)) for f in RESULT_FORMAT_IRIS]
    # As the service description's own example: the size is the sd:graph's, the graph
    # the name names (on the sd:NamedGraph, a reader following sd:graph found none).
    for graph, size in sorted(get_store().graph_sizes().items()):
        named, held = ox.BlankNode(), ox.BlankNode()
        t += [
            ox.Triple(ds, _iri(SD + "namedGraph"), named),
            ox.Triple(named, _iri(RDF + "type"), _iri(SD + "NamedGraph")),
            ox.Triple(named, _iri(SD + "name"), _iri(graph)),
            ox.Triple(named, _iri(SD + "graph"), held),
            ox.Triple(held, _iri(RDF + "type"), _iri(SD + "Graph")),
            ox.Triple(held, _iri(VOID + "triples"), ox.Literal(str(size), datatype=_INTEGER)),
        ]
    body = serialize_graph(t, media, DESCRIPTION_PREFIXES)
    return Response(body, content_type=content_type(media))


def rights_statement(catalogue: str) -> list[ox.Triple]:
    """The dataset's dcterms:rights, a statement of the catalogue (``catalogue``, its IRI)
    saying which licences its parts are under."""
    ds, statement = _iri(summary.DATASET), _iri(catalogue + "#rights")
    return [
        ox.Triple(ds, _iri(DCTERMS + "rights"), statement),
        ox.Triple(statement, _iri(RDF + "type"), _iri(DCTERMS + "RightsStatement")),
        ox.Triple(statement, _iri(RDFS + "label"), RIGHTS),
    ]


def dump_url() -> str:
    """Where this server offers the dump (server.catalog)."""
    return url_for("catalog.download", _external=True)


def whose_graphs(
    graphs: Iterable[str],
) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | None]]:
    """Whose data each of ``graphs`` holds that is a source's graph, or a dated snapshot
    of one, as the provenance graph says (a store ingested before it said so: by the
    graph's name): (the graph, the source's origin or else the graph, the source's licence
    if it states one)."""
    rows = (
        get_store()
        .query(
            f"""SELECT DISTINCT ?g ?license ?source WHERE {{
              {{ ?c a og:Source . GRAPH <{PROVENANCE_GRAPH}> {{ ?g og:source ?c }} }}
              UNION {{ ?c a og:Source ; skos:notation ?notation
                       BIND (IRI(CONCAT("{Graphs.source("")}", ?notation)) AS ?g) }}
              OPTIONAL {{ ?c dcterms:license ?license }} OPTIONAL {{ ?c dcterms:source ?source }}
            }}"""
        )
        .rows()
    )
    wanted = set(graphs)
    return [
        (row["g"], row.get("source") or row["g"], row.get("license"))
        for row in rows
        if row["g"].value in wanted
    ]


def declared_licences(graphs: Iterable[str]) -> list[tuple[ox.NamedNode, ox.Term]]:
    """The licences of those of ``graphs`` that hold the project's own documents (the
    vocabulary's and the shapes' graphs), as the documents there declare them: (the graph,
    an owl:Ontology's dcterms:license or schema:license). The header of each file says
    what it is under; a graph none of whose documents says so states no licence."""
    rows = (
        get_store()
        .query(
            f"""SELECT DISTINCT ?g ?license WHERE {{
              VALUES ?g {{ <{Graphs.ONTOLOGY}> <{Graphs.SHAPES}> }}
              GRAPH ?g {{ ?document a owl:Ontology ; dcterms:license|schema:license ?license }}
            }}"""
        )
        .rows()
    )
    wanted = set(graphs)
    return [(row["g"], row["license"]) for row in rows if row["g"].value in wanted]
