"""Load the ontology, its concept schemes and the definitions' shapes into their graphs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from openness.assess.definitions import definitions, shapes_digest
from openness.ingest.provenance import computed
from openness.ingest.rdf import iri_values
from openness.namespaces import OG, ONTOLOGY, PREFIX_LINE, RDF, Graphs
from openness.resources import ontology_dir, shape_files
from openness.store import GraphStore, summary

# The types RDFS entails that a consumer without a reasoner misses: the instances of each
# class the vocabulary marks og:instancesTypedWithSuperclasses, typed with every class of
# another vocabulary it is a subclass of (through ours too). Which classes, and their
# superclasses, the ontology graph says. (Each class's superclasses are asked with the
# class written in, and filtered outside the subquery following the path: Virtuoso refuses
# a path of `+` whose start is a variable, or whose end is filtered, "transitive start not
# given".)
_MARKED = f"""SELECT ?class WHERE {{ GRAPH <{Graphs.ONTOLOGY}> {{
  ?class og:instancesTypedWithSuperclasses true }} }} ORDER BY ?class"""
_SUPERCLASSES = f"""SELECT ?super WHERE {{
  {{ SELECT DISTINCT ?super WHERE {{
       GRAPH <{Graphs.ONTOLOGY}> {{ %s rdfs:subClassOf+ ?super }} }} }}
  FILTER (isIRI(?super))
  FILTER NOT EXISTS {{ GRAPH <{Graphs.ONTOLOGY}> {{ ?super rdfs:isDefinedBy <{ONTOLOGY}> }} }} }}"""
# The instances typed so (?x bound by the caller's VALUES, or not at all), and as stated.
_ENTAILED = f"""SELECT DISTINCT ?x ?super WHERE {{ VALUES (?class ?super) {{ %s }} %s
  GRAPH ?g {{ ?x a ?class }} FILTER (?g != <{Graphs.ENTAILED}>) }}"""
_STATED = f"SELECT ?x ?super WHERE {{ %s GRAPH <{Graphs.ENTAILED}> {{ ?x a ?super }} }}"


# Which shapes files the shapes graph was loaded from: their digest, in the provenance graph.
FINGERPRINT = ox.NamedNode(OG + "fingerprint")
_FORGET_SHAPES_LOADED = f"""DELETE WHERE {{ GRAPH <{Graphs.PROVENANCE}> {{
  <{Graphs.SHAPES}> <{FINGERPRINT.value}> ?digest }} }}"""


def parse_turtle(path: Path) -> list[ox.Triple]:
    """Triples of a Turtle file; a syntax error names the file, line and column."""
    try:
        with path.open("rb") as f:
            return [q.triple for q in ox.parse(f, ox.RdfFormat.TURTLE, base_iri=path.as_uri())]
    except SyntaxError as e:
        raise SyntaxError(f"{path}: {e}") from e


def vocabulary_files() -> list[Path]:
    """The ontology's Turtle files (examples are documentation, not vocabulary)."""
    return sorted(ontology_dir().glob("*.ttl"))


def load_vocabularies(store: GraphStore) -> int:
    """Replace the ontology graph with the ontology files and the shapes graph with the
    shapes files, in one transaction, and start the store's vocabulary summary if it has
    none (see openness.store.summary); returns the triples the two graphs hold (not what
    the load writes beside them: the summary, entailed types, provenance). When the types the
    ontology entails changed, the load rewrites the entailed graph and is said to have made
    it (an og:VocabularyRun), no longer the identity run before it."""
    started = dt.datetime.now(dt.UTC)
    definitions()  # a definition declared wrongly is refused before the store holds it
    ontology = [t for path in vocabulary_files() for t in parse_turtle(path)]
    shapes = [t for path in shape_files() for t in parse_turtle(path)]
    # From here on every write keeps the store's vocabulary summary (a store starts here):
    # one that has none gets it in the same write.
    after = [] if store.described() else summary.rebuilt(store.engine_graphs)
    loaded = ox.Triple(ox.NamedNode(Graphs.SHAPES), FINGERPRINT, ox.Literal(shapes_digest()))
    store.write(
        replace={Graphs.ONTOLOGY: ontology, Graphs.SHAPES: shapes},
        add={Graphs.PROVENANCE: [loaded]},
        before=[_FORGET_SHAPES_LOADED],
        after=after,
    )
    gone, entailed = entailment(store)  # the classes' superclasses may have changed
    if gone or entailed:
        # Derived, as the identity run says it, from the graphs whose instances it types.
        typed = [g for g in store.graph_names() if g.startswith(Graphs.source(""))]
        read = [Graphs.ONTOLOGY, Graphs.IDENTITY, *typed]
        run = OG + "VocabularyRun"
        made, before = computed(Graphs.ENTAILED, run, started, read, "vocabularies")
        store.write(
            remove={Graphs.ENTAILED: gone},
            add={Graphs.ENTAILED: entailed, Graphs.PROVENANCE: made},
            before=before,
        )
    return len(set(ontology)) + len(set(shapes))


def entailment(
    store: GraphStore, nodes: Iterable[str] | None = None
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """What the entailed graph is to lose and to gain so that it types ``nodes`` (None:
    every node) as the ontology's marked classes entail (``_ENTAILED``), no more: the
    types of a node no longer of such a class, or of a superclass no longer stated, go."""
    chosen = "" if nodes is None else f"VALUES ?x {{ {iri_values(nodes)} }}"
    pairs = [
        f"({row['class']} {above['super']})"
        for row in store.query(PREFIX_LINE + _MARKED).rows()
        for above in store.query(PREFIX_LINE + _SUPERCLASSES % row["class"]).rows()
    ]
    rdf_type = ox.NamedNode(RDF + "type")

    def typed(query: str) -> set[ox.Triple]:
        rows = store.query(PREFIX_LINE + query).rows()
        return {ox.Triple(r["x"], rdf_type, r["super"]) for r in rows}

    held = typed(_ENTAILED % (" ".join(pairs), chosen)) if pairs else set()
    stated = typed(_STATED % chosen)
    return sorted(stated - held, key=str), sorted(held - stated, key=str)


def ensure_vocabularies(store: GraphStore) -> int:
    """Load the vocabularies and shapes into a store that lacks them (an ingest into a
    fresh store would otherwise link no record to a model); returns the triples loaded,
    0 when they were there."""
    present = (
        f"ASK {{ GRAPH <{Graphs.ONTOLOGY}> {{ ?s ?p ?o }} GRAPH <{Graphs.SHAPES}> {{ ?t ?q ?v }} }}"
    )
    return 0 if store.query(present) else load_vocabularies(store)


SHAPES_CHANGED = "the shapes files changed since the store loaded them"
SHAPES_UNRECORDED = "the store kept no record of the shapes files it loaded"


def shapes_behind(store: GraphStore) -> str | None:
    """Why the store's shapes graph is not the one the shapes files read now give (a
    definition added, changed or removed, or another --shapes folder), or None when it is:
    `assess` judges with the files, and the named queries, pages and evidence read the
    graph. Asked read only (`openness serve` asks it of a store it does not write)."""
    held = store.query(
        f"SELECT ?digest {{ GRAPH <{Graphs.PROVENANCE}> {{ <{Graphs.SHAPES}> "
        f"<{FINGERPRINT.value}> ?digest }} }}"
    )
    digests = {row["digest"].value for row in held.rows()}
    if not digests:  # a store loaded before the digest was kept, or by other tools
        return SHAPES_UNRECORDED
    if shapes_digest() not in digests:
        return SHAPES_CHANGED
    return None


def shapes_current(store: GraphStore) -> str | None:
    """Load the vocabularies and shapes again when the shapes graph is behind the shapes
    files (:func:`shapes_behind`); returns what was done, to be said, or None when it was
    current."""
    why = shapes_behind(store)
    if why is None:
        return None
    return f"{why}: loading them ({load_vocabularies(store)} triples)"
