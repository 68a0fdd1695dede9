"""The reference path: one model's evidence graph, validated by pySHACL with the shapes
standing alone (SHACL-SPARQL constraints and SHACL-AF rules). `openness evidence` prints the
data graph; `openness explain` and the API's report run pySHACL on it; the equivalence test
holds the set-wise engine to the same results."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import rdflib
from pyshacl import validate
from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor as RdflibProcessor

from openness.assess.definitions import SH, shapes_graph
from openness.assess.evidence import own, shared
from openness.assess.setwise import Result, dataset
from openness.store import GraphStore


def evidence(store: GraphStore, model: str) -> list[ox.Triple]:
    """The data graph a SHACL engine needs to judge ``model``: its evidence (with its type,
    the shapes' target; with that of the models it was fine-tuned from, which the engine
    judges alongside it) and what every model's evidence shares."""
    graphs = dataset(store)
    return sorted(own(store, graphs, [model])[model] | shared(store, graphs), key=str)


def to_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def report(data: rdflib.Graph) -> rdflib.Graph:
    """pySHACL's sh:ValidationReport for a data graph, with every shapes file."""
    with _parsed_queries_cached():
        _, graph, _ = validate(
            data, shacl_graph=shapes_graph(), advanced=True, allow_warnings=True, inference=None
        )
    return graph


def results(graph: rdflib.Graph) -> list[Result]:
    """The results of a report. Our constraints bind sh:value to the sentence stating the
    finding and its record: that is the message kept."""
    out = []
    for node in graph.objects(None, SH.result):
        value = graph.value(node, SH.value)
        message = (
            value if isinstance(value, rdflib.Literal) else graph.value(node, SH.resultMessage)
        )
        out.append(
            Result(
                focus=str(graph.value(node, SH.focusNode)),
                shape=str(graph.value(node, SH.sourceShape)),
                severity=str(graph.value(node, SH.resultSeverity)).rsplit("#", 1)[1],
                message=str(message) if message is not None else "",
            )
        )
    return sorted(out, key=lambda r: (r.focus, r.shape, r.message))


class CachingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, remembering parsed queries: pySHACL hands rdflib the text
    of every constraint and rule for every validation, and parsing was most of its time."""

    _parsed: dict[tuple[str, str | None, tuple], Query] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # type: ignore[no-untyped-def]  # noqa: N803 - rdflib's signature
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in self._parsed:
                self._parsed[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = self._parsed[key]
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


@contextmanager
def _parsed_queries_cached() -> Iterator[None]:
    """Use the caching processor for rdflib's default "sparql" processor, then restore it."""
    plugin.register("sparql", RdflibProcessor, __name__, "CachingSPARQLProcessor")
    try:
        yield
    finally:
        plugin.register(
            "sparql", RdflibProcessor, "rdflib.plugins.sparql.processor", "SPARQLProcessor"
        )
