"""Judging a batch of models: the shapes run on the batch's evidence in a scratch in-memory
store, in this process or in worker processes, a batch each.

A batch's judging reads nothing but its evidence (what every model's evidence carries and
the batch's own), so batches are judged independently: with a core to spare, in a second
process while this one reads the next batch's evidence and stores the last. Threads would
not do: most of a judging is Python (or holds the GIL while pyoxigraph hands back
solutions); a thread judging beside a busy one took 2.5x as long (measured on the bundled
graph). The evidence goes to a worker as N-Triples, which keep blank node labels, and the
derived facts come back the same way: pickled, pyoxigraph's terms took 15x as long."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox

from openness.assess import evidence, setwise
from openness.assess.definitions import Definition, definition
from openness.namespaces import BASE
from openness.store import EmbeddedStore, GraphStore
from openness.store.lines import Lines

EVIDENCE = BASE + "graph/evidence"
NT = ox.RdfFormat.N_TRIPLES
# Worker processes at most: beside this process, which reads the evidence, and the thread
# storing the batches, the engine's own work is one judging at a time on two cores.
MAX_WORKERS = 4


@dataclass
class Judgement:
    """What the shapes found for a batch of models, before grading."""

    results: dict[str, list[setwise.Result]]  # model IRI -> its validation results
    members: dict[str, set[str]]  # source concept IRI -> the batch's models it has records of
    scores: dict[str, dict[str, float]]  # score query -> model IRI -> score
    derived: Lines  # the facts the rules derived


def judge(lines: set[str], models: Sequence[str], defs: Sequence[Definition]) -> Judgement:
    """Run the shapes on ``models`` in a scratch store holding ``lines``, their evidence
    (N-Triples lines, see :mod:`openness.assess.evidence`)."""
    return _with_derived(*_judged(evidence.text(lines), evidence.blank_labels(lines), models, defs))


def _with_derived(found: Judgement, derived: bytes) -> Judgement:
    """``found`` with the facts the rules derived (N-Triples, as :func:`_judged` gives)."""
    found.derived = Lines(derived.splitlines(True))
    return found


def _judged(
    data: bytes, blanks: set[str], models: Sequence[str], defs: Sequence[Definition]
) -> tuple[Judgement, bytes]:
    """What :func:`judge` finds on the evidence ``data`` (N-Triples; ``blanks``: the labels
    of its blank nodes), its derived facts as N-Triples (not yet in the judgement)."""
    # The derived facts are named once the scratch store is gone: held beside the naming,
    # it was ~1/5 of a large description's peak (docs/measurements.md).
    found, derived = _found(data, models, defs)
    return found, setwise.skolemized(derived, blanks)


def _found(
    data: bytes, models: Sequence[str], defs: Sequence[Definition]
) -> tuple[Judgement, bytes]:
    """What the shapes find on the evidence ``data``, and the facts the rules derived as
    N-Triples (their blank nodes as the scratch store labelled them)."""
    scratch = EmbeddedStore(None)
    scratch.load(EVIDENCE, data)
    graphs = [EVIDENCE]
    # The models whose findings the rules of ``models`` read (a fine-tune's base models)
    # that are not judged here: their rules run first, and what they derive is not kept.
    read = evidence.models_read(scratch, graphs, models)
    others = sorted(set().union(*read.values()) - set(models))
    context: set[bytes] = set()
    if others:
        setwise.derive(scratch, graphs, others)
        context = set(_staged(scratch))
    setwise.derive(scratch, graphs, models, fresh=not others)
    found: dict[str, list[setwise.Result]] = defaultdict(list)
    for r in setwise.validate(scratch, graphs, models):
        found[r.focus].append(r)
    sources = [d.reads_source for d in defs if d.reads_source]
    queries = {d.score_query for d in defs if d.score_query}
    derived = b"".join(line + b"\n" for line in _staged(scratch) if line not in context)
    return Judgement(
        dict(found),
        setwise.members(scratch, sources, graphs),
        {q: setwise.scores(scratch, q, graphs, models) for q in queries},
        Lines(),
    ), derived


def _staged(scratch: GraphStore) -> list[bytes]:
    """The facts the rules derived in a scratch store, as N-Triples lines (a blank node is
    written with its label, the same in every query of the store)."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{setwise.STAGING}> {{ ?s ?p ?o }} }}"
    return (scratch.query(query).serialize(NT) or b"").splitlines()


def default_workers() -> int:
    """Worker processes for a run: one a core this process may use, but one (this
    process's own), at most MAX_WORKERS; none on one core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(0, min(MAX_WORKERS, cores - 1))


Judging = Callable[[], Judgement]  # a batch given to judge: called, gives its judgement
Judge = Callable[[set[str], Sequence[str]], Judging]


@contextmanager
def judges(common: set[str], defs: Sequence[Definition], workers: int) -> Iterator[Judge]:
    """A function that takes a batch to judge (its models' own evidence, and the models) and
    returns what gives its judgement, whose evidence is also ``common``: judged at once
    when ``workers`` is 0, else in one of ``workers`` processes, started at the first batch
    (a run that judges nothing starts none). A judging's error is raised when its judgement
    is asked for. On leaving, the batches not yet begun are dropped and those being judged
    finish first.

    Not judged here when the workers are busy: this process reads the evidence and its
    writer thread stores the verdicts, which took more CPU than the judging (bundled graph:
    main thread ~6.5 s, writer ~3.7 s and RocksDB's threads ~6 s against ~8.5 s in the
    worker), and a judging here beside the writer only slowed both (the GIL)."""

    def here(own: set[str], models: Sequence[str]) -> Judging:
        found = judge(common.union(own), models, defs)
        return lambda: found

    if workers < 1:
        yield here
        return
    pool: ProcessPoolExecutor | None = None
    shared = evidence.text(common)

    def submit(own: set[str], models: Sequence[str]) -> Judging:
        nonlocal pool
        if pool is None:
            # Spawned, not forked: the store's threads (RocksDB's, the writer) hold locks a
            # fork would copy locked.
            pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=([d.id for d in defs],),
            )
        # The shared evidence goes with every batch (~100 KB, parsed in ~5 ms), not once
        # to each worker: a process's arguments larger than a pipe's buffer hang its start
        # when it fails before reading them.
        future = pool.submit(_judge, shared, evidence.text(own), list(models))

        return lambda: _with_derived(*future.result())

    try:
        yield submit
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_defs: list[Definition] = []  # in a worker process: the definitions judged


def _start(ids: list[str]) -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()
    _defs[:] = [definition(i) for i in ids]
    # The shapes, read while the first batch's evidence is on its way.
    setwise.rules()
    setwise.constraints()


def _end_with(parent: int) -> None:
    """End this worker when the process it judges for ends: one killed leaves its pool's
    workers waiting for batches that never come (a spawned worker holds both ends of the
    pool's queues, so it never reads their end)."""
    multiprocessing.connection.wait([parent])
    os._exit(1)


def _judge(common: bytes, own: bytes, models: list[str]) -> tuple[Judgement, bytes]:
    """A batch judged in a worker; its derived facts as N-Triples."""
    data = common + own
    return _judged(data, evidence.blank_labels(data.decode().split("\n")), models, _defs)
