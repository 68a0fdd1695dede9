"""The validator behind assessments, behind one small interface so a faster one can follow."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from typing import Protocol

import pyoxigraph as ox
import rdflib
from pyshacl import validate
from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor as RdflibProcessor

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, reduced to what verdicts need."""

    focus: str
    shape: str
    severity: str  # the local name: Violation, Warning or Info
    message: str


class Engine(Protocol):
    """Validates a data graph against the loaded shapes and returns the SHACL report."""

    name: str

    def validate(self, data: rdflib.Graph) -> rdflib.Graph: ...


class PyShaclEngine:
    """pySHACL with SHACL-SPARQL and SHACL-AF rules (``advanced``)."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.shapes = shapes
        self.name = f"pySHACL {version('pyshacl')}"

    def validate(self, data: rdflib.Graph) -> rdflib.Graph:
        with _parsed_queries_cached():
            _, report, _ = validate(
                data, shacl_graph=self.shapes, advanced=True, allow_warnings=True, inference=None
            )
        return report


class CachingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, remembering parsed queries.

    pySHACL hands rdflib the text of every constraint and rule for every validation, and
    rdflib parses it anew each time: parsing was 85% of an assessment. The algebra of a
    query text never changes, so it is parsed once per process.
    """

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


def results(report: rdflib.Graph) -> list[Result]:
    """The results of a report, one per sh:result. Our constraints bind sh:value to the
    sentence stating the finding and its record; that is the message kept (the shape's
    sh:message, the general rule, is in the report too)."""
    out = []
    for node in report.objects(None, SH.result):
        value = report.value(node, SH.value)
        message = (
            value if isinstance(value, rdflib.Literal) else report.value(node, SH.resultMessage)
        )
        out.append(
            Result(
                focus=str(report.value(node, SH.focusNode)),
                shape=str(report.value(node, SH.sourceShape)),
                severity=str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[1],
                message=str(message) if message is not None else "",
            )
        )
    return sorted(out, key=lambda r: (r.focus, r.shape, r.message))


def from_rdflib(graph: rdflib.Graph) -> list[ox.Triple]:
    """pyoxigraph triples of an rdflib graph (to store reports)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]
