"""pySHACL beside the set-wise engine on every model of the bundled graph.

Builds the bundled graph in memory, runs the shapes set-wise on every model in one batch,
then pySHACL on each model's evidence (`openness evidence`) in worker processes, and prints
how many models gave the same results (focus, shape, severity, message) and the same
verdicts (outcome, level, score, each requirement's outcome and reasons), the ones that did
not, and both engines' times. `make test-equivalence` asserts the same
(tests/test_assessment_engine.py, marker `equivalence`); `make test` checks a sample.

    .venv/bin/python bench/equivalence.py [--workers 2] [--limit N]
"""

from __future__ import annotations

import argparse
import resource
import time

from openness.assess import reference
from openness.assess.definitions import definitions
from openness.assess.run import graded, judge_stored, subjects
from openness.ingest.runner import ingest_all
from openness.store import EmbeddedStore
from openness.vocabularies import load_vocabularies


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="only the first N models")
    args = parser.parse_args()
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_all(store)
    everyone = subjects(store)
    defs = list(definitions().values())
    wall, cpu = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
    found = judge_stored(store, sorted(everyone), defs)
    set_wise = time.perf_counter() - wall, _cpu(resource.RUSAGE_SELF) - cpu
    models = sorted(everyone)[: args.limit or None]
    ours = {m: set(found.results.get(m, [])) for m in models}
    wall, cpu = time.perf_counter(), _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    theirs = reference.judge_each(store, models, workers=args.workers)
    took = (
        time.perf_counter() - wall,
        _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu,
    )
    differ = [m for m in models if ours[m] != theirs[m].results]
    verdicts = {f"{v.model} {v.definition}": v for v in graded(defs, found, models, everyone)}
    other = []
    for m in models:
        for v in theirs[m].verdicts(everyone[m], defs):
            key = f"{m} {v.definition}"
            if reference.agreed(v) != reference.agreed(verdicts[key]):
                other.append(key)
    print(f"{len(models) - len(differ)} of {len(models)} models: the same results")
    for m in differ:
        print(f"  differs: {m}")
    print(f"{len(verdicts) - len(other)} of {len(verdicts)} verdicts (model x definition) agree")
    for key in other:
        print(f"  differs: {key}")
    ours_each, theirs_each = set_wise[1] / len(everyone), took[1] / len(models)
    print(
        f"set-wise, every model in one batch: {set_wise[0]:.1f} s wall, {set_wise[1]:.1f} CPU s "
        f"({ours_each * 1000:.0f} CPU ms a model); pySHACL model by model ({args.workers} "
        f"processes, their start included): {took[0]:.1f} s wall, {took[1]:.1f} CPU s "
        f"({theirs_each:.2f} CPU s a model), {theirs_each / ours_each:.0f}x the CPU a model"
    )


if __name__ == "__main__":
    main()
