"""pySHACL beside the set-wise engine on every model of the bundled graph.

Builds the bundled graph in memory, runs the shapes set-wise, then pySHACL on each model's
evidence (`openness evidence`) in worker processes, and prints how many models gave the same
results (focus, shape, severity, message), the ones that did not, and both engines' times.
tests/test_assessment_engine.py checks a sample of models with every outcome; this checks
them all (about 2 s a model for pySHACL here, so minutes).

    .venv/bin/python bench/equivalence.py [--workers 2] [--limit N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import time

from openness.assess import reference, setwise
from openness.assess.run import judge_stored, subjects
from openness.ingest.runner import ingest_all
from openness.store import EmbeddedStore, GraphStore
from openness.vocabularies import load_vocabularies

_store: GraphStore | None = None


def _bundled() -> GraphStore:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_all(store)
    return store


def _pyshacl(model: str) -> tuple[str, set[setwise.Result]]:
    global _store
    if _store is None:
        _store = _bundled()
    data = reference.to_rdflib(reference.evidence(_store, model))
    # The evidence holds the base models a fine-tune's rules read, so pySHACL reports on
    # them too: only the model's own results are its verdict's (as the test compares).
    return model, {r for r in reference.results(reference.report(data)) if r.focus == model}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="only the first N models")
    args = parser.parse_args()
    store = _bundled()
    everyone = sorted(subjects(store, setwise.dataset(store)))
    start = time.perf_counter()
    ours = {m: set(rs) for m, rs in judge_stored(store, everyone).results.items()}
    set_wise = time.perf_counter() - start
    models = everyone[: args.limit or None]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        theirs = dict(pool.imap_unordered(_pyshacl, models, chunksize=4))
    took = time.perf_counter() - start
    differ = [m for m in models if ours.get(m, set()) != theirs[m]]
    print(f"{len(models) - len(differ)} of {len(models)} models: the same results")
    for m in differ:
        print(f"  differs: {m}")
    print(
        f"set-wise, every model: {set_wise:.1f}s; pySHACL ({args.workers} processes): "
        f"{took:.1f}s, {took / set_wise:.0f}x"
    )


if __name__ == "__main__":
    main()
