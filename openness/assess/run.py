"""Assess models against definitions: fingerprint the evidence, run the shapes set-wise on
the models whose evidence changed, grade the results into verdicts."""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox

from openness import __version__
from openness.assess import evidence, setwise
from openness.assess.definitions import Definition, definition, definitions, shapes_digest
from openness.assess.grade import Subject, Verdict, grade
from openness.assess.judge import Judgement, Judging, default_workers, judge, judges
from openness.assess.program import scoped
from openness.ingest.records import Progress, no_progress
from openness.namespaces import Graphs
from openness.store import GraphStore
from openness.store.lines import Lines

ENGINE = "set-wise SPARQL"
# Models judged together: each rule and constraint is one query for the batch, and each
# batch is one write of the sink (one transaction), so a killed run keeps the batches it
# stored. pyoxigraph's cost per quad grows with a transaction's size: at 100 models the
# writes of the bundled graph took 34 CPU s, at 2000 43 s; judging is no slower.
BATCH = 100
# Quads worth copying into memory for each model whose evidence is read: on disk a model's
# evidence took ~31 ms, from a copy ~1.2, and copying cost 10-20 µs a quad (bundled graph).
COPY_WORTH = 1_500
SCOPE_CHUNK = 1_000  # models named in one query (a VALUES block) of a run given models


@dataclass
class Batch:
    """The verdicts on a batch of models judged together, and what their rules derived."""

    models: list[str]
    verdicts: list[Verdict]
    fingerprints: dict[str, str]  # model IRI -> the fingerprint of its evidence
    derived: Lines
    stored: list[str]  # those of the models whose assessments stored before are replaced


@dataclass
class Assessment:
    """What a run judged. ``models`` were judged again; ``kept`` were unchanged. Verdicts,
    fingerprints and derived facts are gathered here only when no sink took the batches."""

    definitions: list[Definition]
    models: list[str] = field(default_factory=list)
    kept: int = 0
    present: set[str] = field(default_factory=set)  # every model in the store (or given)
    given: bool = False  # whether the run was given models (the others were not looked at)
    # Models with stored assessments that are no longer in the store (of those given, when
    # the run was given some: a Hub sync gives those its re-linking rewrote, removed ones too).
    gone: list[str] = field(default_factory=list)
    # Definitions with stored assessments (of the models looked at) that the shapes files
    # read now no longer declare: a store judged once with `--shapes DIR` and later without.
    dropped: list[str] = field(default_factory=list)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (definition, outcome)
    verdicts: list[Verdict] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    derived: Lines = field(default_factory=Lines)
    stored: list[str] = field(default_factory=list)
    seconds: float = 0.0
    engine: str = ENGINE

    def gather(self, batch: Batch) -> None:
        """Keep a batch's verdicts and derived facts in memory (for callers that store
        nothing, or store the run at once)."""
        self.verdicts += batch.verdicts
        self.fingerprints.update(batch.fingerprints)
        self.derived.lines += batch.derived.lines
        self.stored += batch.stored


@contextmanager
def in_background(sink: Callable[[Batch], object]) -> Iterator[Callable[[Batch], None]]:
    """``sink`` run in a thread of its own, one batch behind the caller: pyoxigraph releases
    the GIL while it writes, so on two cores the next batch is judged meanwhile. The batches
    keep their order and at most one waits; an error of the sink is raised in the caller at
    its next batch or at the end, and an error of the caller lets the batch being written
    finish first (each is one transaction either way)."""
    pending: queue.Queue[Batch | None] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def drain() -> None:
        while (batch := pending.get()) is not None:
            if not failed:
                try:
                    sink(batch)
                except BaseException as e:  # noqa: BLE001 - handed over to the caller
                    failed.append(e)

    def put(batch: Batch) -> None:
        if failed:
            raise failed[0]
        pending.put(batch)

    thread = threading.Thread(target=drain, name="assessment-writer", daemon=True)
    thread.start()
    try:
        yield put
    finally:
        pending.put(None)
        thread.join()
    if failed:
        raise failed[0]


def scoped_rows(
    store: GraphStore, query: str, var: str, iris: Sequence[str] | None, **kwargs: object
) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
    """The solutions of a SELECT with ``?var`` bound to ``iris``, SCOPE_CHUNK of them a
    query (the whole store's when None): a run given some models reads what concerns them,
    not what the store holds (on disk at 10 489 models, every model's records took 6.2 CPU s
    to read, every stored fingerprint 1.9-10.7)."""
    if iris is None:
        return store.query(query, **kwargs).rows()  # type: ignore[arg-type]
    rows = []
    for at in range(0, len(iris), SCOPE_CHUNK):
        chunk = iris[at : at + SCOPE_CHUNK]
        rows += store.query(scoped(query, var, chunk), **kwargs).rows()  # type: ignore[arg-type]
    return rows


def subjects(
    store: GraphStore,
    models: Sequence[str] | None = None,
    *,
    source: GraphStore | None = None,
) -> dict[str, Subject]:
    """Every model (or those of ``models`` in the store) with its name and records: the
    records as ``source`` (a reading copy of the store's facts, or the store) holds them,
    each source by its notation in the store's vocabularies."""
    notations = {
        r["s"].value: r["n"].value
        for r in store.query(
            "SELECT ?s ?n WHERE { ?s a og:Source ; skos:notation ?n }",
            default_graphs=setwise.VOCABULARIES,
        ).rows()
    }
    rows = scoped_rows(
        source or store,
        """SELECT ?m ?name ?r ?source ?id WHERE {
             ?m a og:Model ; og:hasRecord ?r .
             OPTIONAL { ?m schema:name ?name FILTER (isLiteral(?name)) }
             ?r og:source ?source ; og:sourceId ?id }""",
        "m",
        models,
        default_graphs=setwise.facts(store),
    )
    names: dict[str, str] = {}
    records: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for r in rows:
        m, known = r["m"].value, notations.get(r["source"].value)
        if known is None:  # a record of no source the vocabularies declare is not judged
            continue
        names[m] = r["name"].value if "name" in r else m.rsplit("/", 1)[-1]
        records[m].append((r["r"].value, known, r["id"].value))
    return {m: Subject(m, names[m], tuple(sorted(set(records[m])))) for m in names}


def stored_fingerprints(
    store: GraphStore, models: Sequence[str] | None = None
) -> dict[str, dict[str, str]]:
    """Model IRI -> definition id -> the fingerprint its stored assessment against that
    definition was computed from (of every model, or of ``models``)."""
    rows = scoped_rows(
        store,
        f"""SELECT ?m ?d ?fp WHERE {{ GRAPH <{Graphs.ASSESSMENTS}> {{
              ?a earl:subject ?m ; og:definitionId ?d ; og:fingerprint ?fp }} }}""",
        "m",
        models,
    )
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for r in rows:
        out[r["m"].value][r["d"].value] = r["fp"].value
    return out


def stale(held: dict[str, str], fingerprint: str, defs: Sequence[Definition]) -> bool:
    """Whether a model's stored assessment against one of ``defs`` is missing or was
    computed from other evidence or shapes (``held``: definition id -> fingerprint)."""
    return any(held.get(d.id) != fingerprint for d in defs)


def assess(
    store: GraphStore,
    ids: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    *,
    force: bool = False,
    progress: Progress = no_progress,
    batch: int = BATCH,
    sink: Callable[[Batch], object] | None = None,
    workers: int | None = 0,
) -> Assessment:
    """Assess the models in the store (all, or the given model IRIs) against the definitions
    (all, or ``ids``). Models whose evidence and shapes are unchanged since their stored
    assessment are kept unless ``force``.

    The models are read ``batch`` at a time: their evidence in one query, fingerprinted, and
    those whose fingerprint changed judged together in a scratch store holding only their
    evidence (every rule one update, every constraint one query for the batch). Each batch
    judged goes to ``sink`` (:class:`openness.assess.store.Writer` stores it), in their
    order, or is gathered into the returned :class:`Assessment` when there is none. The
    batches are judged in this process (``workers`` 0, the default), or in ``workers``
    other processes (None: one a spare core, when there is more than one batch, as
    :func:`openness.assess.service.run_assessment` asks). On two cores one worker took
    10 000 Hub models' first assessment from 52.0-56.0 s wall (90.7-97.7 CPU s) to
    45.4-49.1 (78.1-86.0): judging is ~2/3 of this process's work, the writer thread's
    ~1/3 of it; the bundled graph's is neither slower nor faster (9.3-9.9 s)."""
    clock = time.perf_counter()
    defs = [definition(i) for i in ids] if ids else list(definitions().values())
    facts = setwise.facts(store)
    # A model's own evidence is read from a copy of the facts when that is faster (an
    # on-disk store): for every model, or for as many as make the copy pay.
    limit = len(models) * COPY_WORTH if models else None
    with store.reading(facts, limit) as source:
        scope = sorted(set(models)) if models else None
        everyone = subjects(store, scope, source=source)
        wanted = [m for m in models if m in everyone] if models else sorted(everyone)
        stored = stored_fingerprints(store, scope)
        common = evidence.shared(store, setwise.dataset(store))
        # Not which definitions the run judges: a stored verdict is current while its
        # evidence and the shapes are, whichever run stored it (a run given some, -d, finds
        # those of a full run unchanged, and judges those never stored). What every model's
        # evidence shares is part of each (a licence table re-ingested judges all again).
        salt = evidence.fingerprint(common, f"{shapes_digest()} {__version__}")
        run = Assessment(
            defs,
            present=set(everyone),
            gone=sorted(set(stored) - set(everyone)),
            dropped=sorted({d for held in stored.values() for d in held} - set(definitions())),
            given=bool(models),
        )
        take = sink or run.gather
        if workers is None:
            workers = default_workers() if len(wanted) > batch else 0
        # Batches judged elsewhere and not yet taken, oldest first: at most one more than the
        # workers, so one waits for each while this process reads the next.
        waiting: deque[tuple[list[str], dict[str, str], Judging]] = deque()

        def taken() -> None:
            todo, prints, judging = waiting.popleft()
            found = judging()
            verdicts = graded(defs, found, todo, everyone)
            run.outcomes.update((v.definition, v.outcome) for v in verdicts)
            replaced = [m for m in todo if m in stored]
            take(Batch(todo, verdicts, prints, found.derived, replaced))
            run.models += todo

        chunk: list[str] = []
        with judges(common, defs, workers) as judge_batch:
            for i, m in enumerate(progress(wanted, len(wanted), "models"), 1):
                chunk.append(m)
                if len(chunk) == batch or i == len(wanted):
                    own = evidence.own(source, facts, chunk)
                    prints = {m: evidence.fingerprint(own[m], salt) for m in chunk}
                    todo = [m for m in chunk if force or stale(stored.get(m, {}), prints[m], defs)]
                    if todo:
                        judging = judge_batch(set().union(*(own[m] for m in todo)), todo)
                        waiting.append((todo, {m: prints[m] for m in todo}, judging))
                        if len(waiting) > workers:
                            taken()
                    chunk = []
            while waiting:
                taken()
    run.kept = len(wanted) - len(run.models)
    run.seconds = time.perf_counter() - clock
    return run


def judge_stored(
    store: GraphStore, models: Sequence[str], defs: Sequence[Definition] | None = None
) -> Judgement:
    """Judge some models of the store in one batch, storing nothing (for comparisons)."""
    own = evidence.own(store, setwise.facts(store), models)
    lines = evidence.shared(store, setwise.dataset(store)).union(*own.values())
    return judge(lines, models, defs or list(definitions().values()))


def graded(
    defs: Sequence[Definition],
    found: Judgement,
    models: Sequence[str],
    everyone: dict[str, Subject],
) -> list[Verdict]:
    """The verdicts on ``models`` (of ``everyone``, by IRI) from what the shapes found."""
    return [
        grade(
            d,
            everyone[m],
            found.results.get(m, []),
            in_scope=not d.reads_source or m in found.members[d.reads_source],
            score=found.scores[d.score_query].get(m) if d.score_query else None,
        )
        for m in models
        for d in defs
    ]
