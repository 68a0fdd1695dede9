"""The SHACL validation service: anyone's shapes, run safely.

A request's shapes validate either the data posted with them or a stored graph. Everything
— parsing, the check of the shapes, the validation, writing the report — runs as one task
under the server's guard (see ``guarded``): in a query process the guard kills at the
query timeout, bounded in size. Nothing a user posts can make the server send a request:

- SPARQL in the shapes (``sh:select``, ``sh:ask``, ``sh:construct``: SPARQL constraints,
  SPARQL-based constraint components, SHACL-AF targets, rules and functions) is parsed
  first, and ``SERVICE`` or a dataset clause (``FROM``, ``FROM NAMED``, which rdflib
  loads from the web) is refused with 400 naming the shape and the construct, unless
  the server allows SERVICE (``--allow-service``);
- JSON-LD naming a remote context (``"@context": "http://…"``, ``@import``) is refused,
  ``owl:imports`` are not followed;
- and, whatever slips past those, the validation runs with outbound connections and URL
  opens refused for its thread (a Python audit hook), so it fails instead of fetching.

SHACL-AF runs (rules, SPARQL targets, node expressions), but its functions and target
types, which pyshacl registers in rdflib's process-wide tables while it validates, only in
a query process of their own: where validations share a process's threads (a store in
memory, open for writing, or remote) they are refused with 400.

The posted data is validated as rdflib parses it (``"5"^^xsd:int`` stays an ``xsd:int``,
``"1.50"`` stays ``"1.50"``); it never passes through the store, which would canonicalise
its literals. The report is the standard ``sh:ValidationReport``: ``sh:conforms`` is
false whenever there is a result, whatever its severity. A JSON-LD key of the shapes or
the data that no @context term maps, which expansion drops before any triple is made, is
named on the report (``og:readerWarning``), as ``/api/validate`` names it.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib
from pyparsing import ParseException
from pyshacl import validate as shacl_validate
from pyshacl.errors import ReportableRuntimeError, ValidationFailure
from rdflib.plugins.sparql.parser import parseQuery

from openness.assess import jsonld
from openness.assess.definitions import OGNS
from openness.server.execute import Answer, ResultTooLarge
from openness.store import GraphStore

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
# The properties whose values pyshacl runs as SPARQL.
SPARQL_PROPERTIES = (SH.select, SH.ask, SH.construct)
# SHACL-AF declarations pyshacl registers in rdflib's process-wide tables while it runs.
GLOBAL_KINDS = (SH.SPARQLFunction, SH.Function, SH.SPARQLTargetType)
# What the service reads, by media type, as rdflib names the format.
READABLE = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}
# What a file's name says its format is, when its part has no RDF media type.
SUFFIXES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".json": "application/ld+json",
}
# What it writes the report as.
WRITABLE = {
    **READABLE,
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


class ShaclError(ValueError):
    """A request the service cannot run; ``status`` is 400 (bad input) or 413 (too large)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple:  # keep ``status`` when the error crosses processes
        return (ShaclError, (str(self), self.status))


@dataclass(frozen=True)
class Limits:
    max_shapes_triples: int
    max_data_triples: int
    max_bytes: int  # of the report
    allow_service: bool
    # Whether the validation has its process to itself (a query process), or shares it
    # with other requests' threads.
    isolated: bool
    max_memory: int  # bytes a validation may add to its query process


@dataclass(frozen=True)
class Posted:
    """An RDF document in a request: its bytes and media type."""

    data: bytes
    media_type: str


@dataclass(frozen=True)
class Validation:
    shapes: Posted
    data: Posted | None  # None: validate the stored ``graph``
    graph: str | None  # None (the default graph: every named graph) or a graph's IRI
    base: str  # relative IRIs in posted documents resolve against it
    report_type: str  # an RDF media type of WRITABLE


# --- no outbound requests --------------------------------------------------------------

_local = threading.local()
_hook_lock = threading.Lock()
_hooked = False
# Python's audit events for opening a URL with urllib (rdflib's fetches) and for any
# socket connection or name lookup.
_OUTBOUND = {"urllib.Request", "socket.connect", "socket.getaddrinfo"}


class OutboundRefused(RuntimeError):
    """Validation tried to reach the network."""


def _audit(event: str, args: tuple) -> None:
    if event in _OUTBOUND and getattr(_local, "offline", False):
        raise OutboundRefused(f"{event} {args[0]!r}" if args else event)


@contextmanager
def offline() -> Iterator[None]:
    """Refuse every outbound request made in this thread meanwhile."""
    global _hooked
    with _hook_lock:
        if not _hooked:  # audit hooks cannot be removed: one per process, off by default
            sys.addaudithook(_audit)
            _hooked = True
    _local.offline = True
    try:
        yield
    finally:
        _local.offline = False


# --- reading and checking --------------------------------------------------------------


def read(posted: Posted, what: str, base: str, max_triples: int) -> tuple[rdflib.Graph, list[str]]:
    """Parse a posted document with rdflib, literals as written; 400 naming the problem.
    With it, what the document says that is not read: the JSON-LD keys its @context maps
    to nothing, which expansion drops without a word (as `openness validate` names them)."""
    fmt = READABLE.get(posted.media_type)
    if fmt is None:
        raise ShaclError(
            f"the {what} must be Turtle, N-Triples or JSON-LD ({', '.join(READABLE)}), "
            f"not {posted.media_type!r}"
        )
    try:
        text = posted.data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ShaclError(f"the {what} are not UTF-8: {e}") from e
    document = None
    if fmt == "json-ld":
        try:
            document = json.loads(text)
            remote = jsonld.remote_contexts(document)
        except json.JSONDecodeError as e:
            raise ShaclError(f"the {what} do not parse as JSON-LD: {e}") from e
        if remote:
            raise ShaclError(
                f"the {what} name a remote JSON-LD context ({remote[0]}); this server "
                "does not fetch contexts: put the context in the document"
            )
    graph = rdflib.Graph()
    try:
        with offline():
            graph.parse(data=text, format=fmt, publicID=base)
    except OutboundRefused as e:
        raise ShaclError(f"reading the {what} needs a request out ({e}), which is refused") from e
    except MemoryError:  # answered by validate()
        raise
    except Exception as e:  # rdflib's parsers raise many types; all mean bad input here
        raise ShaclError(f"the {what} do not parse as {posted.media_type}: {e}") from e
    if len(graph) > max_triples:
        raise ShaclError(
            f"the {what} have {len(graph)} triples; this service takes at most {max_triples}",
            413,
        )
    return graph, [f"the {what}: {m}" for m in _dropped_keys(document)]


def _dropped_keys(document: Any) -> list[str]:
    """The keys of a JSON-LD ``document`` its contexts map to nothing (none for None).
    They are told by parsing it again with pyoxigraph (openness.assess.jsonld); a document
    rdflib read and pyoxigraph does not is validated as read, its keys not told."""
    if document is None:
        return []
    try:
        return jsonld.dropped(document)
    except (SyntaxError, ValueError):
        return []


def _constructs(node: Any) -> Iterator[str]:
    """The names of the syntax nodes in a parsed SPARQL query."""
    name = getattr(node, "name", None)
    if isinstance(name, str):
        yield name
    if isinstance(node, dict):
        for value in node.values():
            yield from _constructs(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for item in node:
            yield from _constructs(item)


def check_shapes(shapes: rdflib.Graph, *, allow_service: bool, isolated: bool) -> None:
    """Parse every SPARQL query in the shapes; refuse those that would reach elsewhere,
    and SHACL-AF functions and target types where other validations share the process."""
    for subject, prop, query in shapes.triples((None, None, None)):
        if prop not in SPARQL_PROPERTIES:
            continue
        where = f"{subject.n3()} {shapes.namespace_manager.normalizeUri(prop)}"
        try:
            parsed = parseQuery(str(query))
        except ParseException as e:
            raise ShaclError(f"the SPARQL of {where} does not parse: {e}") from e
        names = set(_constructs(parsed))
        if "ServiceGraphPattern" in names and not allow_service:
            raise ShaclError(
                f"the SPARQL of {where} uses SERVICE; calls to other endpoints are "
                "disabled on this server (start it with --allow-service to enable them)"
            )
        if "DatasetClause" in names:
            raise ShaclError(
                f"the SPARQL of {where} has a dataset clause (FROM or FROM NAMED), which "
                "would load graphs from the web; shapes see only the data graph"
            )
    if not isolated:
        for kind in GLOBAL_KINDS:
            for node in shapes.subjects(rdflib.RDF.type, kind):
                raise ShaclError(
                    f"{node.n3()} is a {shapes.namespace_manager.normalizeUri(kind)}: SHACL-AF "
                    "functions and target types are registered process-wide while they run, "
                    "so this server, which validates in shared threads (its store is in "
                    "memory, writable or remote), does not run them"
                )


# --- the task --------------------------------------------------------------------------


def _stored(store: GraphStore, graph: str | None, max_triples: int) -> rdflib.Graph:
    if graph is None:
        where = "?s ?p ?o"
    elif graph in store.graph_sizes():
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    else:
        raise ShaclError(f"no graph <{graph}>; leave graph out (every graph) or name one", 404)
    # DISTINCT before LIMIT: a triple several graphs hold is a solution of the union once
    # per graph, and CONSTRUCT keeps it once, so limit + 1 solutions could be fewer
    # triples than the limit — the data cut short unsaid, and the shapes judging a part.
    query = (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} "
        f"LIMIT {max_triples + 1} }}"
    )
    triples = list(store.query(query))
    if len(triples) > max_triples:
        held = "the graph has" if graph is not None else "the graphs together have"
        raise ShaclError(
            f"{held} more than {max_triples} triples, the most this service "
            "validates; name a smaller graph or post the data",
            413,
        )
    return rdflib.Graph().parse(
        data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )


def validate(store: GraphStore, job: Validation, limits: Limits) -> Answer:
    """Run ``job`` (a guard task: ``store`` is the lane's) and answer its report; in a
    query process of its own, within ``limits.max_memory`` more bytes of memory."""
    try:
        with _memory_bound(limits.max_memory if limits.isolated else None):
            return _validate(store, job, limits)
    except MemoryError as e:
        raise ShaclError(
            f"the validation needed more than the {limits.max_memory // 2**20} MB of memory "
            "this server gives it; validate less data or simpler shapes",
            413,
        ) from e
    except RecursionError as e:  # reading deeply nested JSON-LD or SPARQL, or validating
        raise ShaclError("the shapes or the data nest too deeply to read or validate") from e


@contextmanager
def _memory_bound(extra: int | None) -> Iterator[None]:
    """At most ``extra`` more bytes of address space meanwhile, so that shapes that make
    the data explode (a SHACL-AF rule's cross product) get MemoryError rather than the
    machine's memory; the process's own limit comes back afterwards."""
    if extra is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        used = int(f.read().split()[0]) * resource.getpagesize()
    cap = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _validate(store: GraphStore, job: Validation, limits: Limits) -> Answer:
    shapes, unread = read(job.shapes, "shapes", job.base, limits.max_shapes_triples)
    check_shapes(shapes, allow_service=limits.allow_service, isolated=limits.isolated)
    if job.data is not None:
        data, unread_data = read(job.data, "data", job.base, limits.max_data_triples)
        unread += unread_data
    else:
        data = _stored(store, job.graph, limits.max_data_triples)
    try:
        # With --allow-service, SERVICE in the shapes is the user's to use.
        with nullcontext() if limits.allow_service else offline():
            _, report, _ = shacl_validate(
                data,
                shacl_graph=shapes,
                advanced=True,  # SHACL-AF: its SPARQL was checked above like the rest
                inplace=True,  # the data graph is this task's own
                do_owl_imports=False,
            )
    except OutboundRefused as e:
        raise ShaclError(f"the shapes made a request out ({e}), which is refused") from e
    except ReportableRuntimeError as e:  # pyshacl's name for shapes it cannot load
        raise ShaclError(f"the shapes cannot be used: {e.message}") from e
    except (MemoryError, RecursionError):  # answered by validate()
        raise
    except Exception as e:  # pyshacl meets other malformed shapes with errors of any type
        # (an sh:pattern that is no regular expression, a rule without sh:predicate, ...)
        raise ShaclError(f"the shapes cannot be used: {type(e).__name__}: {e}") from e
    if isinstance(report, ValidationFailure):
        raise ShaclError(f"the shapes cannot be used: {report.message}")
    # Said on the report as /api/validate says it on each assertion (og:readerWarning).
    node = report.value(None, rdflib.RDF.type, SH.ValidationReport)
    report.bind("og", OGNS)
    for message in unread:
        report.add((node, OGNS.readerWarning, rdflib.Literal(message)))
    body = report.serialize(format=WRITABLE[job.report_type], encoding="utf-8")
    if len(body) > limits.max_bytes:
        raise ResultTooLarge(limits.max_bytes)
    return Answer(job.report_type, body)
