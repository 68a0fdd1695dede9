"""How fast the set-wise engine assesses, and how much memory it takes, as the graph grows.

For the bundled graph and for the bundled graph plus N synthetic models (bench/synthetic.py:
copies of the bundled models' records, so the same mix of sources and licences), on an
on-disk embedded store, prints: models, seconds for a full run (every model against every
definition, stored), models per second, the time of a second run with nothing changed, and
the assessing process's peak RSS. The store is built (ingest, synthetic models) in one
process and assessed in a fresh one, so that peak is the assessment's own, as `openness
assess` on a built store would reach it; the building process's peak is printed beside it.
The CPU seconds of the full run (this process's and its judging workers') are printed
beside its wall-clock seconds: on a shared machine they are the steadier figure; of them,
those of RocksDB's own threads, which compact what the run wrote (a quarter of the CPU of
10 000 Hub models' assessment); the largest worker's peak RSS beside the process's own. Then
pySHACL, the reference engine, on a sample of models: its seconds per model, and the ratio
of its time for all the bundled models to the set-wise engine's, measured in the same run.

    .venv/bin/python bench/assess.py                 # bundled, 10k
    .venv/bin/python bench/assess.py --sizes 0 10000 100000 --reference 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import add_synthetic  # noqa: E402
from openness.assess import reference  # noqa: E402
from openness.assess.run import assess, in_background, subjects  # noqa: E402
from openness.assess.store import Writer  # noqa: E402
from openness.ingest.runner import ingest_all  # noqa: E402
from openness.store import EmbeddedStore  # noqa: E402
from openness.vocabularies import load_vocabularies  # noqa: E402


def peak_rss(who: int = resource.RUSAGE_SELF) -> float:
    """This process's peak RSS in MB (or its largest child's, the judging workers')."""
    return resource.getrusage(who).ru_maxrss / 1024


def cpu() -> float:
    """CPU seconds of this process and of its children that ended (the judging workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def store_threads_cpu() -> float:
    """CPU seconds of this process's RocksDB threads (their names start "rocksdb"), which
    compact in the background what the writes of the run put on disk: threads py-spy does
    not see and that run on after a write returns (0.0 where /proc is not there)."""
    used = 0.0
    for task in Path("/proc/self/task").glob("*"):
        try:
            if not (task / "comm").read_text().startswith("rocksdb"):
                continue
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return used


def build(path: Path, extra: int, queue: multiprocessing.Queue) -> None:
    store = EmbeddedStore(path)
    load_vocabularies(store)
    ingest_all(store)
    if extra:
        add_synthetic(store, extra)
    store.close()
    queue.put(peak_rss())


def one_size(path: Path, workers: int | None, queue: multiprocessing.Queue) -> None:
    store = EmbeddedStore(path)
    start, used, compacting = time.perf_counter(), cpu(), store_threads_cpu()
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    with in_background(writer) as sink:  # as `openness assess` runs it
        run = assess(store, sink=sink, workers=workers)
    writer.finish(run)
    full, used = time.perf_counter() - start, cpu() - used
    compacting = store_threads_cpu() - compacting
    start = time.perf_counter()
    again = assess(store, workers=workers)
    second = time.perf_counter() - start
    store.close()
    workers_peak = peak_rss(resource.RUSAGE_CHILDREN)  # the largest judging worker
    queue.put(
        (
            len(run.models),
            full,
            used,
            compacting,
            second,
            len(again.models),
            peak_rss(),
            workers_peak,
        )
    )


def reference_sample(k: int) -> tuple[int, float]:
    """pySHACL's seconds per model on k models of the bundled graph."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_all(store)
    models = sorted(subjects(store))
    sample = models[:: max(1, len(models) // k)][:k]
    start = time.perf_counter()
    for m in sample:
        reference.report(reference.to_rdflib(reference.evidence(store, m)))
    return len(models), (time.perf_counter() - start) / len(sample)


def in_process(ctx: multiprocessing.context.BaseContext, target, *args):  # noqa: ANN001, ANN201
    """What ``target(*args, queue)`` puts in its queue, run in a fresh process."""
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[0, 10_000],
        help="synthetic models added to the bundled graph, one run each",
    )
    parser.add_argument("--reference", type=int, default=10, help="pySHACL sample size (0: skip)")
    parser.add_argument(
        "--workers",
        type=int,
        default=-1,
        help="processes judging batches (default -1: one a spare core, as openness assess "
        "does; 0: the assessing one)",
    )
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    print(
        f"{'models':>8}{'full s':>9}{'cpu s':>8}{'rocksdb':>9}{'models/s':>10}{'again s':>9}"
        f"{'redone':>8}"
        f"{'peak RSS MB':>13}{'worker RSS MB':>15}{'build RSS MB':>14}"
    )
    bundled = None
    for extra in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            built = in_process(ctx, build, Path(tmp) / "store", extra)
            n, full, used, compacting, second, redone, rss, wrss = in_process(
                ctx, one_size, Path(tmp) / "store", None if args.workers < 0 else args.workers
            )
        bundled = bundled or (n, full)
        print(
            f"{n:>8}{full:>9.1f}{used:>8.1f}{compacting:>9.1f}{n / full:>10.1f}{second:>9.1f}"
            f"{redone:>8}{rss:>13.0f}{wrss:>15.0f}{built:>14.0f}",
            flush=True,
        )
    if args.reference and bundled:
        total, per_model = reference_sample(args.reference)
        print(
            f"pySHACL per model (sample of {args.reference}): {per_model:.2f}s; all {total} "
            f"bundled models would take {per_model * total:.0f}s, "
            f"{per_model * total / bundled[1]:.0f}x the set-wise run above"
        )


if __name__ == "__main__":
    main()
