"""The tasks a query lane runs (see ``lanes``), and how their failures are named.

Each task serializes its result inside the lane, stopping as soon as it passes the
server's result limit, so an oversized result never fills the memory of the process that
computes it nor crosses to the one that answers the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from openness.namespaces import PREFIXES
from openness.server.negotiation import (
    COMPACTED,
    GRAPH_TYPES,
    RESULT_TYPES,
    NotAcceptable,
    choose_with_parameter,
    expressible,
    graph_format,
    json_ld_form,
    results_format,
    serialize_graph,
)
from openness.store import GraphStore
from openness.store.results import QueryResult


class QueryTimeout(RuntimeError):
    """The request's time ran out before its query had an answer."""


class ResultTooLarge(RuntimeError):
    """A result is larger than the server's limit; ``held``: a result held whole to be
    compacted (JSON-LD's compacted form), measured as it is held."""

    def __init__(self, limit: int, held: bool = False) -> None:
        super().__init__(
            "the result, held whole to be compacted, passed this server's limit of "
            f"{limit} bytes as N-Triples; ask for Turtle, smaller and measured as sent, "
            "narrow the query or add LIMIT"
            if held
            else f"the result is larger than this server's limit of {limit} bytes; "
            "narrow the query or add LIMIT"
        )
        self.limit, self.held = limit, held

    def __reduce__(self) -> tuple:  # keep its arguments when the error crosses processes
        return (ResultTooLarge, (self.limit, self.held))


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes
    profile: str | None = None  # the JSON-LD form asked for and given


@dataclass(frozen=True)
class Job:
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    accept: str | None
    format: str | None = None  # a format=/output= request parameter
    base_iri: str | None = None  # what relative IRIs in the query resolve against
    # A named query's joined columns and their separators, whose parts are sorted.
    joined: tuple[tuple[str, str], ...] = ()
    # What the route answers itself besides the result (a named query's page): listed
    # with the result's formats where a format is refused.
    also: tuple[str, ...] = ()


class _Capped:
    """A binary sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.parts = limit, 0, []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge(self.limit)
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class _TripleTerm(Exception):
    """A triple term (RDF 1.2) met writing JSON-LD, which cannot express one."""

    def __init__(self, triple: ox.Triple) -> None:
        super().__init__(triple)
        self.triple = triple


def _expressed(triples: QueryResult) -> Iterator[ox.Triple]:
    """``triples`` as JSON-LD writes them, stopped by a triple term (:class:`_TripleTerm`)."""
    for t in triples:
        if isinstance(t.object, ox.Triple):
            raise _TripleTerm(t)
        yield t


def _held(triples: Iterator[ox.Triple], limit: int) -> list[ox.Triple]:
    """``triples`` held in a list, refused (:class:`ResultTooLarge`) once their
    N-Triples pass ``limit``: what is held stays near the size the streamed formats'
    sink stops at. Compacted JSON-LD, with its prefixes, is smaller: measured by its own
    size, a result as large would be held three times the memory (the bundled graph
    whole: ~1 GB a query process against ~0.4, docs/review-s50.md), so its refusal says
    how it was measured and which forms are measured as sent."""
    held, size = [], 0
    for t in triples:
        size += len(str(t).encode()) + 3  # " .\n"
        if size > limit:
            raise ResultTooLarge(limit, held=True)
        held.append(t)
    return held


def answer(store: GraphStore, job: Job, max_bytes: int, said: tuple[ox.Triple, ...] = ()) -> Answer:
    """Run a protocol query and serialize its result in the format the client prefers.
    Its dataset is the client's (SPARQL 1.1 Protocol 2.1.4): the graphs the request lists
    (one list given, the other is empty), else the query's FROM and FROM NAMED, else the
    union of every graph and every named graph. A named query's joined columns come with
    their parts sorted, as everywhere else its answer is shown (NamedQuery.run): a solution
    at a time as the answer is written, so the limit stops that too before the result is
    held whole. A graph holding a triple term, which JSON-LD cannot express, is asked again
    (``said``: one such triple) and written in what the client takes of the other types,
    else refused (406) listing them: where it was a 500 once JSON-LD met it."""
    listed = bool(job.default_graphs or job.named_graphs)
    result = store.query(
        job.query,
        default_graphs=list(job.default_graphs) if listed else None,
        named_graphs=list(job.named_graphs) if listed else None,
        base_iri=job.base_iri,
        as_given=True,
    ).sorted_parts(dict(job.joined))
    graph = result.kind == "graph"
    kind_types = expressible(GRAPH_TYPES, list(said)) if graph else RESULT_TYPES
    offered = [*kind_types, *job.also]
    try:
        media = choose_with_parameter(job.format, job.accept, offered)
        if media not in kind_types:  # none, or one the route answers itself
            subject = "a graph result is" if graph else "query results are"
            raise NotAcceptable(offered, job.format, subject)
    except ValueError:  # that, or UnknownFormat: refused listing what the result offers
        # pyoxigraph's results may only be dropped in the thread that made them: not
        # later, wherever the traceback of this error ends.
        del result
        raise
    fmt = graph_format(media) if graph else results_format(media)
    # JSON-LD is written as the engine writes it, expanded and streamed under the limit,
    # unless the client asks for the compacted form (the profile parameter): then as the
    # resources at /id and the API write it, compacted with our prefixes, which needs
    # every triple held to group them by subject. Those answer compacted without being
    # asked, being documents of ours to read; a query's answer stays the engine's, as
    # the graph store's (/store) is, and a big CONSTRUCT is not held whole for a form the
    # client did not ask for.
    form = json_ld_form(job.accept) if fmt == ox.RdfFormat.JSON_LD else None
    sink = _Capped(max_bytes)
    try:
        if form == COMPACTED:
            sink.write(serialize_graph(_held(_expressed(result), max_bytes), media, PREFIXES))
        elif fmt == ox.RdfFormat.JSON_LD:
            QueryResult(_expressed(result)).serialize(fmt, sink)
        else:
            result.serialize(fmt, sink)
    except _TripleTerm as e:
        said = (e.triple,)
    except ResultTooLarge as e:
        # As above, and the frames under this one (the sink's, the triples' generators)
        # hold the result too: the error leaves without them.
        del result
        raise e.with_traceback(None) from None
    else:
        return Answer(media, sink.getvalue(), form)
    del result  # here, as above: a 406 asked again would carry this frame to another thread
    return answer(store, job, max_bytes, said)


def fetch(
    store: GraphStore,
    query: str,
    default_graphs: tuple[str, ...] | None,
    named_graphs: tuple[str, ...] | None,
    max_bytes: int,
    base_iri: str | None = None,
    as_given: bool = False,
) -> tuple[str, bytes]:
    """Run a query for the server's own pages and API: the result's kind and its bytes
    (solutions as SPARQL TSV, triples as N-Triples: compact, lossless, quick to parse;
    a boolean as SPARQL JSON)."""
    result = store.query(
        query,
        default_graphs=None if default_graphs is None else list(default_graphs),
        named_graphs=None if named_graphs is None else list(named_graphs),
        base_iri=base_iri,
        as_given=as_given,
    )
    sink = _Capped(max_bytes)
    fmt = {
        "graph": ox.RdfFormat.N_TRIPLES,
        "solutions": ox.QueryResultsFormat.TSV,
        "boolean": ox.QueryResultsFormat.JSON,
    }[result.kind]
    result.serialize(fmt, sink)
    return result.kind, sink.getvalue()


def export(store: GraphStore, fmt: ox.RdfFormat, max_bytes: int) -> bytes:
    data = store.export(fmt)
    if len(data) > max_bytes:
        raise ResultTooLarge(max_bytes)
    return data
