"""How long assessing the bundled graph takes, per definition.

Builds the bundled graph in memory, then assesses every model against each definition
alone (one process) and against all of them at once (one process, then every core).
Prints seconds, models per second, and each time as a ratio to loading the evidence,
measured in the same run.

    .venv/bin/python bench/assess.py
"""

from __future__ import annotations

import os
import time

from openness.assess.definitions import definitions
from openness.assess.run import assess_evidence
from openness.assess.view import load_evidence
from openness.ingest.runner import ingest_all
from openness.store import EmbeddedStore
from openness.vocabularies import load_vocabularies


def main() -> None:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_all(store)
    start = time.perf_counter()
    evidence = load_evidence(store)
    baseline = time.perf_counter() - start
    n = len(evidence)
    print(f"{n} models; loading their evidence: {baseline:.2f}s (the baseline, ratio 1.0)")
    print(f"{'definition':<22}{'seconds':>9}{'models/s':>10}{'ratio':>8}")
    cases = [((d,), 1) for d in definitions()] + [
        (tuple(definitions()), 1),
        (tuple(definitions()), os.cpu_count() or 1),
    ]
    for ids, workers in cases:
        label = ids[0] if len(ids) == 1 else f"all ({workers} proc.)"
        start = time.perf_counter()
        assess_evidence(evidence, ids, workers=workers)
        took = time.perf_counter() - start
        print(f"{label:<22}{took:>9.2f}{n / took:>10.1f}{took / baseline:>8.1f}")


if __name__ == "__main__":
    main()
