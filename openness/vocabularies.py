"""Load the ontology, its concept schemes and the definitions' shapes into their graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from openness.namespaces import Graphs
from openness.resources import ontology_dir, shapes_dir
from openness.store import GraphStore, summary


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
    none (see openness.store.summary); returns the triples stored."""
    ontology = [t for path in vocabulary_files() for t in parse_turtle(path)]
    shapes = [t for path in sorted(shapes_dir().glob("*.ttl")) for t in parse_turtle(path)]
    # From here on every write keeps the store's vocabulary summary (a store starts here):
    # one that has none gets it in the same write.
    after = [] if store.described() else summary.rebuilt(store.engine_graphs)
    return store.write(replace={Graphs.ONTOLOGY: ontology, Graphs.SHAPES: shapes}, after=after)


def ensure_vocabularies(store: GraphStore) -> int:
    """Load the vocabularies and shapes into a store that lacks them (an ingest into a
    fresh store would otherwise link no record to a model); returns the triples loaded,
    0 when they were there."""
    present = (
        f"ASK {{ GRAPH <{Graphs.ONTOLOGY}> {{ ?s ?p ?o }} GRAPH <{Graphs.SHAPES}> {{ ?t ?q ?v }} }}"
    )
    return 0 if store.query(present) else load_vocabularies(store)
