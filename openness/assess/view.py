"""The evidence a model is judged on: one small RDF graph per model, cut from the store.

A model's graph holds the model, every source record linked to it with the record's
components, licence statements and ratings, the facts about every licence, producer and
dataset they point to, and the labels and notations of our concepts. It also derives
``og:appliesLicense``: which licence statement governs each component (the Model Openness
Tool's fallback from a component to its source's global licence for that kind of content,
then to the distribution licence).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from openness.namespaces import CONCEPT, FAIR4ML, ODRL, OG, RDF, RDFS, SKOS, Graphs
from openness.store import GraphStore

# Global licence roles a component of each content type falls back to, in order.
FALLBACK = {
    "code": ("code", "distribution"),
    "data": ("data", "distribution"),
    "document": ("document", "distribution"),
}
# Record-level licences of sources without per-content-type licences (Hub card, Index,
# curated): they govern the release as a whole.
WHOLE_RELEASE = ("card", "end model", "tag")
# Links from a record to the nodes that describe its parts.
PARTS = {OG + "component", OG + "licenseStatement", OG + "rating"}
# Links from a record's parts to things described elsewhere (licences, producers, data).
LINKED = {OG + "resolvesTo", OG + "producer", FAIR4ML + "trainedOn"}
# Nodes of a licence's ODRL rules.
RULES = {
    ODRL + "prohibition",
    ODRL + "duty",
    ODRL + "permission",
    ODRL + "constraint",
    OG + "licenseStatement",
}

Facts = dict[str, list[ox.Triple]]


@dataclass
class ModelEvidence:
    """One model's evidence graph (as pyoxigraph triples) and where it came from."""

    model: str
    name: str
    records: dict[str, tuple[str, str]] = field(default_factory=dict)  # iri -> (source, id)
    triples: list[ox.Triple] = field(default_factory=list)


def _facts(store: GraphStore, graphs: Iterable[str]) -> Facts:
    """Every triple of the given graphs, by subject."""
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=list(graphs))
    facts: Facts = defaultdict(list)
    for solution in rows:
        s = solution["s"]
        facts[s.value].append(ox.Triple(s, solution["p"], solution["o"]))
    return facts


def load_evidence(store: GraphStore, models: list[str] | None = None) -> list[ModelEvidence]:
    """Evidence graphs of the given models (default: every model in the identity graph)."""
    sources = [g for g in store.graph_sizes() if g.startswith(Graphs.source(""))]
    facts = _facts(store, [*sources, Graphs.ONTOLOGY])
    rows = store.query(
        """SELECT ?m ?name ?r ?source ?id WHERE {
             ?m a og:Model ; schema:name ?name ; og:hasRecord ?r .
             ?r og:source/skos:notation ?source ; og:sourceId ?id }""",
        default_graphs=[Graphs.IDENTITY, *sources, Graphs.ONTOLOGY],
    ).rows()
    wanted = set(models) if models else None
    evidence: dict[str, ModelEvidence] = {}
    for row in rows:
        m = row["m"].value
        if wanted is None or m in wanted:
            ev = evidence.setdefault(m, ModelEvidence(m, row["name"].value))
            ev.records[row["r"].value] = (row["source"].value, row["id"].value)
    shared = _shared(facts)
    content_types = {
        s: t.object.value
        for s, ts in facts.items()
        for t in ts
        if t.predicate.value == OG + "contentType"
    }
    for ev in evidence.values():
        _assemble(ev, facts, shared, content_types)
    return sorted(evidence.values(), key=lambda e: e.model)


def _shared(facts: Facts) -> list[ox.Triple]:
    """Triples every evidence graph carries: the notations, labels and scores of our
    concepts (component kinds, index dimensions, ratings, sources) and accepted ids."""
    out = []
    for subject, triples in facts.items():
        concept = subject.startswith(CONCEPT)
        for t in triples:
            p = t.predicate.value
            if p == OG + "acceptedLicenseId" or (
                concept and p in (SKOS + "notation", RDFS + "label", OG + "score")
            ):
                out.append(t)
    return out


def _reachable(start: str, facts: Facts, links: set[str]) -> list[str]:
    """``start`` and the nodes reached from it through ``links``."""
    seen, todo = [start], [start]
    while todo:
        for t in facts.get(todo.pop(), []):
            if t.predicate.value in links and t.object.value not in seen:
                seen.append(t.object.value)
                todo.append(t.object.value)
    return seen


def _assemble(
    ev: ModelEvidence, facts: Facts, shared: list[ox.Triple], content_types: dict[str, str]
) -> None:
    model = ox.NamedNode(ev.model)
    out = ev.triples
    out.append(ox.Triple(model, ox.NamedNode(RDF + "type"), ox.NamedNode(OG + "Model")))
    linked: set[str] = set()
    for record in ev.records:
        out.append(ox.Triple(model, ox.NamedNode(OG + "hasRecord"), ox.NamedNode(record)))
        parts = _reachable(record, facts, PARTS)
        for subject in parts:
            for t in facts.get(subject, []):
                out.append(t)
                if t.predicate.value in LINKED:
                    linked.add(t.object.value)
        out.extend(_applies_license(record, parts, facts, content_types))
    for iri in sorted(linked):
        for subject in _reachable(iri, facts, RULES):
            out.extend(facts.get(subject, []))
    out.extend(shared)


def _applies_license(
    record: str, parts: list[str], facts: Facts, content_types: dict[str, str]
) -> list[ox.Triple]:
    """``og:appliesLicense`` for each component of a record."""
    globals_: dict[str, str] = {}
    for t in facts.get(record, []):
        if t.predicate.value == OG + "licenseStatement":
            for role in facts.get(t.object.value, []):
                if role.predicate.value == OG + "licenseRole":
                    globals_.setdefault(role.object.value, t.object.value)
    components = {
        t.object.value for t in facts.get(record, []) if t.predicate.value == OG + "component"
    }
    out = []
    for comp in sorted(components & set(parts)):
        own = [
            t.object.value
            for t in facts.get(comp, [])
            if t.predicate.value == OG + "licenseStatement"
        ]
        kinds = [
            t.object.value for t in facts.get(comp, []) if t.predicate.value == OG + "componentType"
        ]
        statements = own or []
        if not statements:
            kind = content_types.get(kinds[0] if kinds else "", "data")
            roles = (*FALLBACK[kind], *WHOLE_RELEASE)
            statements = [next((globals_[r] for r in roles if r in globals_), None)]
        for statement in filter(None, statements):
            out.append(
                ox.Triple(
                    ox.NamedNode(comp), ox.NamedNode(OG + "appliesLicense"), ox.NamedNode(statement)
                )
            )
    return out
