"""The store's vocabulary summary: which properties and classes its graphs use, kept by
every write in a graph of its own as W3C VoID property and class partitions.

Listing the terms a graph uses means reading every triple (~560 000 in the bundled graph,
~0.4 s CPU, whatever the query's shape); the summary answers the same from a few hundred
triples (queries/vocabulary-in-use.rq reads it). Before a write, the partitions of the
terms of the triples it adds that have none yet are added, in an update of their own; an
update that may add triples it does not list (a SPARQL INSERT … WHERE, LOAD, ADD, COPY,
MOVE) is followed, in the same request, by a read of every triple; the triples of an
INSERT DATA are read from its text. Writes do not remove partitions: a partition whose
term no triple uses (any more, or yet: a write killed after its summary's update) is an
empty subset (VoID states no sizes here), which the query skips by one index look-up per
partition, and ``describe`` removes. So every term used has a partition, and the upkeep
costs a write in proportion to what it adds: operations in the same pyoxigraph update as
a large write cost in proportion to its data (a 10 000-model Hub sync took 22-44 % more
CPU that way).

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
from openness.store.lines import Lines

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
    given = triples if isinstance(triples, list) else list(triples)
    # Comprehensions, and the classes only looked for when rdf:type is used: this runs on
    # every triple a write adds (each attribute of a pyoxigraph term is a new object).
    properties = {t.predicate for t in given}
    if _TYPE not in properties:
        return properties, set()
    classes = {t.object for t in given if t.predicate == _TYPE}
    return properties, {c for c in classes if isinstance(c, ox.NamedNode)}


def terms_of(
    groups: Iterable[Iterable[ox.Triple]],
) -> tuple[set[ox.NamedNode], set[ox.NamedNode]]:
    """The properties and the classes of several groups of triples (lines read as text)."""
    properties: set[ox.NamedNode] = set()
    classes: set[ox.NamedNode] = set()
    for group in groups:
        found = group.terms() if isinstance(group, Lines) else terms(group)
        properties |= found[0]
        classes |= found[1]
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


def adds_unlisted(operations: Sequence[str]) -> bool:
    """Whether SPARQL update ``operations`` may add triples they do not list."""
    return any(_ADDS_UNLISTED.search(base.code_only(op)) for op in operations)


def listed(sparql: str) -> list[ox.Quad] | None:
    """The triples the update ``sparql`` adds, when it lists them all (INSERT DATA)."""
    code = base.code_only(sparql)
    return None if _ADDS_UNLISTED.search(code) else _listed(sparql, code)


def known(store: base.GraphStore) -> tuple[set[ox.NamedNode], set[ox.NamedNode]]:
    """The properties and the classes ``store``'s summary has partitions for."""
    found: tuple[set[ox.NamedNode], set[ox.NamedNode]] = (set(), set())
    for given, (_, kind) in zip(found, _KINDS, strict=True):
        rows = store.query(f"SELECT ?t WHERE {{ GRAPH <{SUMMARY}> {{ ?x <{VOID}{kind}> ?t }} }}")
        given.update(row["t"] for row in rows.rows())
    return found


def vocabularies(store: base.GraphStore) -> list[str]:
    """The namespaces of the properties and classes ``store``'s summary lists, sorted (a
    term's IRI up to its last ``#``, else its last ``/``): what VoID calls the dataset's
    vocabularies, read from a few hundred triples rather than the data."""
    names = {str(t.value) for found in known(store) for t in found}
    return sorted({n[: n.rfind("#") + 1] if "#" in n else n[: n.rfind("/") + 1] for n in names})


def missing(
    store: base.GraphStore, properties: set[ox.NamedNode], classes: set[ox.NamedNode]
) -> tuple[set[ox.NamedNode], set[ox.NamedNode]]:
    """The properties and the classes given that ``store``'s summary has no partition for."""
    if not properties and not classes:
        return set(), set()
    have_properties, have_classes = known(store)
    return properties - have_properties, classes - have_classes


def partitions(
    store: base.GraphStore, properties: set[ox.NamedNode], classes: set[ox.NamedNode]
) -> list[ox.Quad]:
    """The quads adding a partition for each of the terms ``store``'s summary lacks, for a
    write that adds quads rather than running an update."""
    graph, dataset = ox.NamedNode(SUMMARY), ox.NamedNode(DATASET)
    out = []
    lacking = missing(store, properties, classes)
    for terms_, (partition, kind) in zip(lacking, _KINDS, strict=True):
        for term in sorted(terms_, key=str):
            node = ox.BlankNode()
            out.append(ox.Quad(dataset, ox.NamedNode(VOID + partition), node, graph))
            out.append(ox.Quad(node, ox.NamedNode(VOID + kind), term, graph))
    return out
