"""A model's evidence: the triples the shapes judge it on, as shapes/evidence.ttl's
og:EvidenceQuery texts say, read for many models in one query and fingerprinted.

The evidence is what makes the set-wise engine scale: the shapes read nothing else (pySHACL
on one model's evidence finds the stored verdict; the equivalence test holds the engines to
that), so a batch of models is judged in a small in-memory store holding only their
evidence, and a model whose evidence did not change is not judged again."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache

import pyoxigraph as ox
from rdflib.namespace import RDF

from openness.assess.definitions import OGNS, shapes_graph
from openness.assess.program import declared_prefixes, scoped
from openness.store import GraphStore

MODEL_TYPE = (ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OGNS.Model)))


@cache
def _queries() -> dict[str, str]:
    """The og:EvidenceQuery texts of the shapes, by IRI."""
    graph = shapes_graph()
    return {
        str(q): str(graph.value(q, OGNS.query))
        for q in graph.subjects(RDF.type, OGNS.EvidenceQuery)
    }


def _query(name: str) -> str:
    for iri, text in _queries().items():
        if iri.endswith("#" + name):
            return text
    raise LookupError(f"the shapes define no evidence query #{name}")


def model_query() -> str:
    """The SELECT ?model ?s ?p ?o of a model's own evidence (ev:ModelEvidence)."""
    return _query("ModelEvidence")


def models_read(
    store: GraphStore, graphs: Sequence[str], models: Sequence[str]
) -> dict[str, set[str]]:
    """Model IRI -> the other models whose findings its rules read, for each of ``models``
    that has any: what ev:ModelsRead gives for it, what that gives for those, and so on
    (one step per query: Virtuoso refuses a transitive path whose start a VALUES binds)."""
    step: dict[str, set[str]] = {}
    todo = set(models)
    while todo:
        step.update({m: set() for m in todo})
        rows = store.query(
            declared_prefixes() + scoped(_query("ModelsRead"), "this", sorted(todo)),
            default_graphs=graphs,
        ).rows()
        for r in rows:
            step[r["this"].value].add(r["read"].value)
        todo = set().union(*step.values()) - set(step)
    out = {}
    for m in models:
        seen: set[str] = set()
        stack = list(step[m])
        while stack:
            r = stack.pop()
            if r != m and r not in seen:
                seen.add(r)
                stack.extend(step[r])
        if seen:
            out[m] = seen
    return out


def own(store: GraphStore, graphs: Sequence[str], models: Sequence[str]) -> dict[str, set]:
    """Model IRI -> its evidence triples for each of ``models``: its own, and that of the
    models its rules read (judged alongside it), each with its type (the shapes' target)."""
    read = models_read(store, graphs, models)
    others = sorted(set().union(*read.values()) - set(models))
    found = _own(store, graphs, [*models, *others])
    return {m: found[m].union(*(found[r] for r in read.get(m, ()))) for m in models}


def _own(store: GraphStore, graphs: Sequence[str], models: Sequence[str]) -> dict[str, set]:
    result = store.query(
        declared_prefixes() + scoped(model_query(), "model", models), default_graphs=graphs
    )
    out: dict[str, set[ox.Triple]] = defaultdict(set)
    for m in models:
        out[m].add(ox.Triple(ox.NamedNode(m), *MODEL_TYPE))
    # Read by position, not as rows: a dict a solution was a fifth of this (65k solutions
    # for the bundled graph's first assessment).
    model, s, p, o = (result.variables.index(v) for v in ("model", "s", "p", "o"))
    for solution in result:
        terms = tuple(solution)
        out[terms[model].value].add(ox.Triple(terms[s], terms[p], terms[o]))
    return out


def shared(store: GraphStore, graphs: Sequence[str]) -> set[ox.Triple]:
    """What every model's evidence carries (ev:SharedEvidence)."""
    rows = store.query(declared_prefixes() + _query("SharedEvidence"), default_graphs=graphs)
    return {ox.Triple(r["s"], r["p"], r["o"]) for r in rows.rows()}


def _line(t: ox.Triple) -> str:
    """A triple as a line that does not depend on blank node labels."""
    o = t.object
    obj = "_" if isinstance(o, ox.BlankNode) else o.value
    if isinstance(o, ox.Literal):
        obj += f" {o.language or ''} {o.datatype.value}"
    subj = "_" if isinstance(t.subject, ox.BlankNode) else t.subject.value
    return f"{subj} {t.predicate.value} {obj}"


def fingerprint(triples: Iterable[ox.Triple], salt: str) -> str:
    """A digest of a model's evidence and ``salt`` (what else its verdicts depend on)."""
    text = "\n".join(sorted(_line(t) for t in triples))
    return hashlib.sha256(f"{text}\n{salt}".encode()).hexdigest()
