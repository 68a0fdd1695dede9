"""Synthetic models with the bundled data's distribution, for scale benchmarks.

Each synthetic model is a copy of a bundled model, taken in turn: its records (Model
Openness Tool, Index, Hub, ...) with their components, licence statements and ratings, under
new IRIs, pointing at the same licences, producers and concepts. So N synthetic models carry
the bundled mix of sources, licences, gating and base models, N / 489 times over.

    from bench.synthetic import add_synthetic
    add_synthetic(store, 10_000)
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from openness.ingest.records import Progress, no_progress
from openness.namespaces import Graphs
from openness.store import GraphStore

GRAPH = Graphs.source("synthetic")
# A model, its records, and every node of their parts (not the licences they point to).
OWN = """SELECT ?model ?s ?p ?o WHERE {
  ?model a og:Model .
  { ?model ?p ?o BIND (?model AS ?s) FILTER (?p IN (rdf:type, schema:name, og:hasRecord)) }
  UNION { ?model og:hasRecord ?r . ?r (og:component|og:licenseStatement|og:rating)* ?s . ?s ?p ?o }
}"""


def templates(store: GraphStore) -> dict[str, list[tuple]]:
    """Model IRI -> the triples of the model and its records."""
    out: dict[str, list[tuple]] = defaultdict(list)
    for r in store.query(OWN).rows():
        out[r["model"].value].append((r["s"], r["p"], r["o"]))
    return out


def add_synthetic(
    store: GraphStore, n: int, *, batch: int = 2000, progress: Progress = no_progress
) -> int:
    """Add ``n`` synthetic models to the store (graph/source/synthetic); returns triples."""
    models = templates(store)
    order = sorted(models)
    written = 0
    for start in progress(range(0, n, batch), (n + batch - 1) // batch, "synthetic"):
        out = []
        for i in range(start, min(n, start + batch)):
            model = order[i % len(order)]
            own = {s.value for s, _, _ in models[model] if isinstance(s, ox.NamedNode)}

            def rename(term, i=i, own=own):  # noqa: ANN001, ANN202 - a pyoxigraph term
                if isinstance(term, ox.NamedNode) and term.value in own:
                    return ox.NamedNode(f"{term.value}-syn{i}")
                if isinstance(term, ox.BlankNode):
                    return ox.BlankNode(f"{term.value}s{i}")
                return term

            out += [ox.Triple(rename(s), p, rename(o)) for s, p, o in models[model]]
        written += store.write(add={GRAPH: out})
    return written
