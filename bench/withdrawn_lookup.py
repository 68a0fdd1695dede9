"""What a lookup that finds no model costs as the withdrawn models grow: the model page and
the API's model route asked a name no model has, living or withdrawn, in a store of 200
living models and N tombstones (og:WithdrawnModel with a last name, as a sync's removals
leave them). Prints the median milliseconds of 20 lookups after one (which makes the
indexes a server keeps), for each N.

    nice -n 10 .venv/bin/python bench/withdrawn_lookup.py [N ...]   # default 0 1000 10000
"""

from __future__ import annotations

import statistics
import sys
import time

import pyoxigraph as ox

from openness.namespaces import ID, OG, PROV, RDF, SCHEMA, XSD, Graphs
from openness.server import create_app
from openness.store import EmbeddedStore
from openness.vocabularies import load_vocabularies

SCHEMA_NAME = ox.NamedNode(SCHEMA + "name")
WITHDRAWN_AT = ox.NamedNode(PROV + "invalidatedAtTime")
A = ox.NamedNode(RDF + "type")
DAY = ox.Literal("2026-12-01T00:00:00Z", datatype=ox.NamedNode(XSD + "dateTime"))


def store_with(withdrawn: int) -> EmbeddedStore:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    living = []
    for i in range(200):
        model = ox.NamedNode(f"{ID}model/org{i}--living-{i}")
        living += [
            ox.Triple(model, A, ox.NamedNode(OG + "Model")),
            ox.Triple(model, SCHEMA_NAME, ox.Literal(f"Living-{i}")),
        ]
    gone = []
    for i in range(withdrawn):
        model = ox.NamedNode(f"{ID}model/org{i}--gone-{i}")
        gone += [
            ox.Triple(model, A, ox.NamedNode(OG + "WithdrawnModel")),
            ox.Triple(model, SCHEMA_NAME, ox.Literal(f"org{i}/gone-{i}")),
            ox.Triple(model, WITHDRAWN_AT, DAY),
        ]
    store.write(add={Graphs.source("curated"): living, Graphs.IDENTITY: gone})
    return store


def main() -> None:
    for n in [int(a) for a in sys.argv[1:]] or [0, 1000, 10_000]:
        web = create_app({"STORE": store_with(n), "TESTING": True}).test_client()
        for path in ("/models/nobody-has-this-name", "/api/models/nobody/has-this-name"):
            assert web.get(path).status_code == 404
            times = []
            for _ in range(20):
                start = time.perf_counter()
                web.get(path)
                times.append((time.perf_counter() - start) * 1000)
            print(f"{n:>6} tombstones  {path:<36} {statistics.median(times):8.1f} ms")


if __name__ == "__main__":
    main()
