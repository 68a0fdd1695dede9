"""The reference path: one model's evidence graph, validated by pySHACL with the shapes
standing alone (SHACL-SPARQL constraints and SHACL-AF rules). `openness evidence` prints the
data graph; `openness explain` and the API's report run pySHACL on it; the equivalence test
holds the set-wise engine to the same results."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from pyshacl import validate
from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor as RdflibProcessor

from openness.assess.definitions import SH, Definition, definitions, shapes_graph_for
from openness.assess.evidence import own, shared, triples
from openness.assess.grade import Subject, Verdict, grade
from openness.assess.program import scoped
from openness.assess.setwise import Result, dataset, facts
from openness.ingest.records import Progress, no_progress
from openness.namespaces import PREFIX_LINE
from openness.store import GraphStore


def evidence(store: GraphStore, model: str, common: set[str] | None = None) -> list[ox.Triple]:
    """The data graph a SHACL engine needs to judge ``model``: its evidence (with its type,
    the shapes' target; with that of the models it was fine-tuned from, which the engine
    judges alongside it) and what every model's evidence shares (``common``, when the
    caller read it once for many models)."""
    if common is None:
        common = shared(store, dataset(store))
    return sorted(triples(own(store, facts(store), [model])[model] | common), key=str)


def to_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    """``triples`` as an rdflib graph (pySHACL's), but those holding a triple term: rdflib
    reads no RDF 1.2 (an upload's name given as one made a model's report a 500), and no
    shape reads one."""
    said = [t for t in triples if not isinstance(t.object, ox.Triple)]
    data = ox.serialize(said, format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def report(data: rdflib.Graph, ids: Collection[str] | None = None) -> rdflib.Graph:
    """pySHACL's sh:ValidationReport for a data graph, with the shapes the definitions
    ``ids`` need (default: every shapes file): one definition's report runs its own shapes
    and the rules, not every other definition's (~0.3 CPU s instead of ~1.6)."""
    shapes = shapes_graph_for(frozenset(definitions() if ids is None else ids))
    with parsed_queries_cached():
        _, graph, _ = validate(
            data, shacl_graph=shapes, advanced=True, allow_warnings=True, inference=None
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


@dataclass(frozen=True)
class Reference:
    """What the reference engine finds for one model on its evidence alone: pySHACL's
    results on it, the definitions' score queries and the sources of its records, both run
    by rdflib on that graph."""

    model: str
    results: frozenset[Result]  # the model's own: its evidence judges its base models too
    scores: dict[str, float]  # og:scoreQuery text -> the model's score
    sources: frozenset[str]  # the source concepts of its records

    def verdicts(self, subject: Subject, defs: Sequence[Definition]) -> list[Verdict]:
        """The model's verdicts graded from these findings (``subject`` is the model)."""
        return [
            grade(
                d,
                subject,
                self.results,
                in_scope=not d.reads_source or d.reads_source in self.sources,
                score=self.scores.get(d.score_query) if d.score_query else None,
            )
            for d in defs
        ]


def agreed(v: Verdict) -> tuple:
    """What two engines must agree on in a verdict: its outcome, level, score, progress and
    levels' outcomes, and each requirement's outcome with its reasons (the failed and the
    cannot-tell requirements, and why)."""
    requirements = tuple((r.id, r.outcome, tuple(r.reasons)) for r in v.requirements)
    return (v.model, v.definition, v.outcome, v.level, v.score, v.in_scope) + (
        sorted((v.progress or {}).items()),
        sorted((v.level_outcomes or {}).items()),
        requirements,
    )


def judge(model: str, data: rdflib.Graph) -> Reference:
    """The reference engine on ``model``'s evidence graph ``data``."""
    found = frozenset(r for r in results(report(data)) if r.focus == model)
    scores = {}
    for query in {d.score_query for d in definitions().values() if d.score_query}:
        for row in data.query(PREFIX_LINE + scoped(query, "this", [model])):
            if row.score is not None:  # type: ignore[union-attr]  # a SELECT's row
                scores[query] = float(row.score)  # type: ignore[union-attr]
    sources = data.query(
        PREFIX_LINE + f"SELECT DISTINCT ?s WHERE {{ <{model}> og:hasRecord/og:source ?s }}"
    )
    return Reference(model, found, scores, frozenset(str(r.s) for r in sources))  # type: ignore[union-attr]


def _judge_text(job: tuple[str, str]) -> Reference:
    model, ntriples = job
    return judge(model, rdflib.Graph().parse(data=ntriples, format="nt"))


def judge_each(
    store: GraphStore,
    models: Sequence[str],
    *,
    workers: int = 2,
    progress: Progress = no_progress,
) -> dict[str, Reference]:
    """The reference engine on each of ``models``, one evidence graph at a time, in
    ``workers`` processes (pySHACL takes seconds a model; 0 or 1: in this one). The evidence
    is read here, so the workers need no store."""
    common = shared(store, dataset(store))
    jobs = (
        (m, ox.serialize(evidence(store, m, common), format=ox.RdfFormat.N_TRIPLES).decode())
        for m in models
    )
    if workers <= 1:
        return {r.model: r for r in progress(map(_judge_text, jobs), len(models), "pySHACL")}
    # spawn: the store's threads are not forked into the workers
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        done = pool.imap_unordered(_judge_text, jobs, chunksize=2)
        return {r.model: r for r in progress(done, len(models), "pySHACL")}


# Parsed queries, keyed by their text, base and prefixes: a set is lent to one thread at a
# time (see CachingSPARQLProcessor) and returned to the pool when its run ends, so there are
# as many sets as runs were ever at once, not one for each thread a server's pool keeps.
Parsed = dict[tuple[str, str | None, tuple], Query]
_pool: list[Parsed] = []
_pool_lock = threading.Lock()
_lent = threading.local()


class CachingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, remembering parsed queries: pySHACL hands rdflib the text
    of every constraint and rule for every validation, and parsing was most of its time.
    Only in a thread inside :func:`parsed_queries_cached`, whose set of parsed queries no
    other thread uses meanwhile: rdflib evaluates a parsed query's expressions with the
    evaluation's bindings set on them (``Expr.ctx``), so two threads running one parsed
    query see each other's (in threads, pySHACL's reports took a focus node for a result's
    message). Elsewhere it parses each query as rdflib's does."""

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # type: ignore[no-untyped-def]  # noqa: N803 - rdflib's signature
        parsed: Parsed | None = getattr(_lent, "parsed", None)
        if parsed is not None and isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in parsed:
                parsed[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = parsed[key]
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


@contextmanager
def parsed_queries_cached() -> Iterator[None]:
    """A pySHACL run inside parses each query of the shapes once for all the runs that use
    the set of parsed queries this thread is lent (the tests that run pySHACL themselves use
    it too: ~20 CPU s a validation without it, ~1.3 with it). The caching processor stays
    rdflib's "sparql" processor once registered: rdflib's table is the process's, and
    putting rdflib's back as a run ended took the cache from another thread's run under
    way (and gave it to other threads' runs)."""
    if getattr(_lent, "parsed", None) is not None:  # a run inside a run: its set already
        yield
        return
    plugin.register("sparql", RdflibProcessor, __name__, "CachingSPARQLProcessor")
    with _pool_lock:
        parsed = _pool.pop() if _pool else {}
    _lent.parsed = parsed
    try:
        yield  # (a run's results are read whole before it ends: pySHACL's report is made)
    finally:
        _lent.parsed = None
        with _pool_lock:
            _pool.append(parsed)
