"""The store's vocabulary summary: which properties and classes its graphs use, kept by
every write in a graph of its own as W3C VoID property and class partitions.

Listing the terms a graph uses means reading every triple (~560 000 in the bundled graph,
~0.4 s CPU, whatever the query's shape); the summary answers the same from a few hundred
triples (queries/vocabulary-in-use.rq reads it). A write adds, in its own transaction, a
partition for each term of the triples it adds that has none yet; an update that may add
triples it does not list (a SPARQL INSERT … WHERE, LOAD, ADD, COPY, MOVE) is followed by
a read of every triple; the triples of an INSERT DATA are read from its text. Writes do
not remove partitions: a partition whose term no triple uses any more is an empty subset
(VoID states no sizes here), which the query skips by one index look-up per partition,
and ``describe`` removes. So the upkeep costs a write in proportion to what it adds:
operations placed after a large write's data in one pyoxigraph update cost in proportion
to that data (~1.3 s each after 40 000 triples), so the upkeep comes first.

Only a store that holds a summary keeps one (a scratch store of the assessment has none
and pays nothing); ``describe`` starts it, as loading the vocabularies does. The summary
describes the other graphs, not itself; triples of the unnamed default graph, which
openness never writes, are not described. Partitions are blank nodes, one per term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from openness.namespaces import BASE, RDF, VOID

# The module, not the name: base imports this module while it is being defined.
from openness.store import base

SUMMARY = BASE + "graph/void"  # the graph holding the summary
DATASET = SUMMARY + "#dataset"  # the dataset it describes (the store's named graphs)
_TYPE = ox.NamedNode(RDF + "type")
_KINDS = (("propertyPartition", "property"), ("classPartition", "class"))
# Operations of a SPARQL update that may add triples it does not list: all but INSERT DATA,
# whose triples are read.
_ADDS_UNLISTED = re.compile(r"\b(?:LOAD|ADD|COPY|MOVE)\b|\bINSERT\b(?!\s+DATA\b)", re.I)
_INSERT_DATA = re.compile(r"\bINSERT\s+DATA\s*\{", re.IGNORECASE)
_PREFIX = re.compile(r"\bPREFIX\s+[^\s:]*:", re.IGNORECASE)
# A SELECT, not an ASK: Virtuoso answers an ASK of a GRAPH pattern with an empty body.
IS_DESCRIBED = f"SELECT ?d WHERE {{ GRAPH <{SUMMARY}> {{ ?d a <{VOID}Dataset> }} }} LIMIT 1"


def terms(triples: Iterable[ox.Triple | ox.Quad]) -> tuple[set[ox.NamedNode], set[ox.NamedNode]]:
    """The properties and the classes (IRI objects of rdf:type) of ``triples``."""
    properties: set[ox.NamedNode] = set()
    classes: set[ox.NamedNode] = set()
    for t in triples:
        properties.add(t.predicate)
        if t.predicate == _TYPE and isinstance(t.object, ox.NamedNode):
            classes.add(t.object)
    return properties, classes


def added(properties: Iterable[ox.NamedNode], classes: Iterable[ox.NamedNode]) -> list[str]:
    """Update operations adding a partition for each term not described yet."""
    ops = []
    for given, (partition, kind) in zip((properties, classes), _KINDS, strict=True):
        values = " ".join(str(t) for t in sorted(given, key=str))
        if values:
            ops.append(
                f"INSERT {{ GRAPH <{SUMMARY}> {{ <{DATASET}> <{VOID}{partition}> "
                f"[ <{VOID}{kind}> ?t ] }} }} WHERE {{ VALUES ?t {{ {values} }} "
                f"FILTER NOT EXISTS {{ GRAPH <{SUMMARY}> {{ ?x <{VOID}{kind}> ?t }} }} }}"
            )
    return ops


def _used(kind: str, engine: Sequence[str]) -> str:
    """A pattern matching when a triple outside the summary uses ``?t`` as a ``kind``; an
    update sees the graphs an engine keeps for itself (those starting with ``engine``),
    which are not described."""
    pattern = "?s ?t ?o" if kind == "property" else f"?s <{RDF}type> ?t"
    own = "".join(f' && !STRSTARTS(STR(?g), "{prefix}")' for prefix in engine)
    return f"GRAPH ?g {{ {pattern} }} FILTER (?g != <{SUMMARY}>{own})"


def pruned(engine: Sequence[str] = ()) -> list[str]:
    """Update operations removing the partitions whose term no triple uses any more."""
    return [
        f"DELETE {{ GRAPH <{SUMMARY}> {{ <{DATASET}> <{VOID}{partition}> ?x . "
        f"?x <{VOID}{kind}> ?t }} }} WHERE {{ GRAPH <{SUMMARY}> {{ <{DATASET}> "
        f"<{VOID}{partition}> ?x . ?x <{VOID}{kind}> ?t }} "
        f"FILTER NOT EXISTS {{ {_used(kind, engine)} }} }}"
        for partition, kind in _KINDS
    ]


def rebuilt(engine: Sequence[str] = ()) -> list[str]:
    """Update operations making the summary describe every graph, read whole (GROUP BY: a
    DISTINCT of the same took pyoxigraph 6.6 s instead of ~1 on the bundled graph)."""
    ops = [f"INSERT DATA {{ GRAPH <{SUMMARY}> {{ <{DATASET}> a <{VOID}Dataset> }} }}"]
    for partition, kind in _KINDS:
        ops.append(
            f"INSERT {{ GRAPH <{SUMMARY}> {{ <{DATASET}> <{VOID}{partition}> "
            f"[ <{VOID}{kind}> ?t ] }} }} WHERE {{ {{ SELECT ?t WHERE {{ {_used(kind, engine)} "
            f"{'FILTER (isIRI(?t))' if kind == 'class' else ''} }} GROUP BY ?t }} "
            f"FILTER NOT EXISTS {{ GRAPH <{SUMMARY}> {{ ?x <{VOID}{kind}> ?t }} }} }}"
        )
    return ops + pruned(engine)


def _listed(sparql: str, code: str) -> list[ox.Quad] | None:
    """The quads of the INSERT DATA operations of ``sparql`` (``code``: its code only), or
    None when they cannot be read (then the summary is read again whole)."""
    prefixes = "".join(
        f"{sparql[m.start() : m.end()]}{sparql[m.end() :].split('>', 1)[0]}>\n"
        for m in _PREFIX.finditer(code)
    )
    quads: list[ox.Quad] = []
    for m in _INSERT_DATA.finditer(code):
        depth, end = 0, len(code)
        for i in range(m.end() - 1, len(code)):
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            if depth == 0:
                end = i
                break
        body = prefixes + sparql[m.end() : end]
        try:  # TriG, whose triples outside a graph need the dot SPARQL lets go
            quads += ox.parse(body, ox.RdfFormat.TRIG)
        except SyntaxError:
            try:
                quads += ox.parse(body + "\n.", ox.RdfFormat.TRIG)
            except SyntaxError:
                return None
    return quads


def for_update(sparql: str, engine: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """The operations keeping the summary true through the update ``sparql``: those to run
    before it and those to run after it, in the same request."""
    code = base.code_only(sparql)
    listed = None if _ADDS_UNLISTED.search(code) else _listed(sparql, code)
    if listed is None:
        return [], rebuilt(engine)
    return added(*terms(listed)), []


def for_write(
    additions: Iterable[Iterable[ox.Triple]], operations: Sequence[str], engine: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """The same for a write adding ``additions`` and running the SPARQL ``operations``."""
    if any(_ADDS_UNLISTED.search(base.code_only(op)) for op in operations):
        return [], rebuilt(engine)
    return added(*terms(t for triples in additions for t in triples)), []


def partitions(
    store: base.GraphStore, properties: set[ox.NamedNode], classes: set[ox.NamedNode]
) -> list[ox.Quad]:
    """The quads adding a partition for each of the terms ``store``'s summary lacks, for a
    write that adds quads rather than running an update."""
    graph, dataset = ox.NamedNode(SUMMARY), ox.NamedNode(DATASET)
    out = []
    for given, (partition, kind) in zip((properties, classes), _KINDS, strict=True):
        if not given:
            continue
        known = {
            row["t"]
            for row in store.query(
                f"SELECT ?t WHERE {{ GRAPH <{SUMMARY}> {{ ?x <{VOID}{kind}> ?t }} }}"
            ).rows()
        }
        for term in sorted(given - known, key=str):
            node = ox.BlankNode()
            out.append(ox.Quad(dataset, ox.NamedNode(VOID + partition), node, graph))
            out.append(ox.Quad(node, ox.NamedNode(VOID + kind), term, graph))
    return out
