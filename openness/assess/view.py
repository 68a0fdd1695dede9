"""The evidence a model is judged on: one small RDF graph per model, cut from the store.

A model's graph holds the model, every source record linked to it with the record's
components, licence statements and ratings, the facts about every licence they resolve to,
the concepts they use, and the accepted-licence sets of the definitions. It also derives
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


@dataclass
class ModelEvidence:
    """One model's evidence graph (as pyoxigraph triples) and where it came from."""

    model: str
    name: str
    records: dict[str, tuple[str, str]] = field(default_factory=dict)  # iri -> (source, id)
    triples: list[ox.Triple] = field(default_factory=list)


def _triples_by_subject(store: GraphStore, graphs: Iterable[str]) -> dict[str, list[ox.Triple]]:
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                       named_graphs=list(graphs))
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    for solution in rows:
        s = solution["s"]
        by_subject[s.value].append(ox.Triple(s, solution["p"], solution["o"]))
    return by_subject


def load_evidence(store: GraphStore, models: list[str] | None = None) -> list[ModelEvidence]:
    """Evidence graphs of the given models (default: every model in the identity graph)."""
    source_graphs = [g for g in store.graph_sizes() if g.startswith(Graphs.source(""))]
    facts = _triples_by_subject(store, [*source_graphs, Graphs.ONTOLOGY, Graphs.SHAPES])
    rows = store.query(
        """SELECT ?m ?name ?r ?source ?id WHERE {
             ?m a og:Model ; schema:name ?name ; og:hasRecord ?r .
             ?r og:source/skos:notation ?source ; og:sourceId ?id }""",
        default_graphs=[Graphs.IDENTITY, *source_graphs, Graphs.ONTOLOGY],
    ).rows()
    wanted = set(models) if models else None
    evidence: dict[str, ModelEvidence] = {}
    for row in rows:
        m = row["m"].value
        if wanted is not None and m not in wanted:
            continue
        ev = evidence.setdefault(m, ModelEvidence(m, row["name"].value))
        ev.records[row["r"].value] = (row["source"].value, row["id"].value)
    # Subjects minted under a record IRI belong to it: "<record>/component/…", "<record>#…".
    by_prefix: dict[str, list[str]] = defaultdict(list)
    records = {r for ev in evidence.values() for r in ev.records}
    for subject in facts:
        cut = min((i for i in (subject.find("#"), subject.find("/component/"),
                               subject.find("/rating/")) if i > 0), default=-1)
        owner = subject[:cut] if cut > 0 else subject
        if owner in records:
            by_prefix[owner].append(subject)
    shared = _shared(facts)
    content_types = {s: t.object.value for s, ts in facts.items() for t in ts
                     if t.predicate.value == OG + "contentType"}
    for ev in evidence.values():
        _assemble(ev, facts, by_prefix, shared, content_types)
    return sorted(evidence.values(), key=lambda e: e.model)


def _shared(facts: dict[str, list[ox.Triple]]) -> list[ox.Triple]:
    """Triples every evidence graph carries: the notations and labels of our concepts
    (component kinds, index dimensions, sources) and the accepted-licence ids."""
    out = []
    for subject, triples in facts.items():
        concept = subject.startswith(CONCEPT)
        for t in triples:
            p = t.predicate.value
            if p == OG + "acceptedLicenseId" or (concept and p in (SKOS + "notation",
                                                                     RDFS + "label",
                                                                     OG + "score")):
                out.append(t)
    return out


def _assemble(ev: ModelEvidence, facts: dict[str, list[ox.Triple]],
              by_prefix: dict[str, list[str]], shared: list[ox.Triple],
              content_types: dict[str, str]) -> None:
    model = ox.NamedNode(ev.model)
    out = ev.triples
    out.append(ox.Triple(model, ox.NamedNode(RDF + "type"), ox.NamedNode(OG + "Model")))
    linked: set[str] = set()  # licences, producers, datasets the records point to
    for record in ev.records:
        out.append(ox.Triple(model, ox.NamedNode(OG + "hasRecord"), ox.NamedNode(record)))
        for subject in by_prefix.get(record, []):
            for t in facts[subject]:
                out.append(t)
                if t.predicate.value in (OG + "resolvesTo", OG + "producer",
                                         FAIR4ML + "trainedOn"):
                    linked.add(t.object.value)
        out.extend(_applies_license(record, by_prefix, facts, content_types))
    for iri in sorted(linked):
        for t in facts.get(iri, []):
            out.append(t)
            if t.predicate.value in (ODRL + "prohibition", ODRL + "duty",
                                     OG + "licenseStatement"):
                out.extend(facts.get(t.object.value, []))
                for rule in facts.get(t.object.value, []):  # constraints of a rule
                    if rule.predicate.value == ODRL + "constraint":
                        out.extend(facts.get(rule.object.value, []))
    out.extend(shared)


def _applies_license(record: str, by_prefix: dict[str, list[str]],
                     facts: dict[str, list[ox.Triple]],
                     content_types: dict[str, str]) -> list[ox.Triple]:
    """``og:appliesLicense`` for each component of a record."""
    globals_: dict[str, str] = {}
    components: dict[str, dict[str, str]] = defaultdict(dict)
    for subject in by_prefix.get(record, []):
        for t in facts[subject]:
            p = t.predicate.value
            if subject == record and p == OG + "licenseStatement":
                for role_t in facts.get(t.object.value, []):
                    if role_t.predicate.value == OG + "licenseRole":
                        globals_.setdefault(role_t.object.value, t.object.value)
            elif "/component/" in subject and "#" not in subject:
                if p == OG + "componentType":
                    components[subject]["type"] = t.object.value
                elif p == OG + "licenseStatement":
                    components[subject]["own"] = t.object.value
    out = []
    for comp, info in components.items():
        statement = info.get("own")
        if statement is None:
            kind = content_types.get(info.get("type", ""), "data")
            roles = (*FALLBACK[kind], *WHOLE_RELEASE)
            statement = next((globals_[r] for r in roles if r in globals_), None)
        if statement:
            out.append(ox.Triple(ox.NamedNode(comp), ox.NamedNode(OG + "appliesLicense"),
                                 ox.NamedNode(statement)))
    return out

