"""Run ingesters: each source replaces its own named graph in one transaction, and every
run is recorded as a prov:Activity in the provenance graph."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from tqdm import tqdm

from openness.ingest import croissant, curated, fmti, hf, mof, osai_index, spdx
from openness.ingest.identity import identity_behind, rebuild_identity
from openness.ingest.organizations import FOLDER as ORGANIZATIONS_FOLDER
from openness.ingest.provenance import (
    PROVENANCE_GRAPH,
    activity,
    data_path,
    files_read,
    generated,
    run_iri,
    superseded,
)
from openness.ingest.rdf import Triples, literal
from openness.ingest.records import IngestContext, held_copies, source_concept, source_version
from openness.ingest.report import IngestReport, RecordError
from openness.namespaces import CONCEPT, OG, VOID, Graphs
from openness.resources import sources_dir
from openness.store import GraphStore

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    name: str
    folder: str  # default folder under data/sources
    ingest: Callable[[Path, Triples, IngestReport, IngestContext], None]


# In dependency order: licences first, so everything else can refer to them.
SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("spdx", "spdx", spdx.ingest),
        Source("mof", "mof", mof.ingest),
        Source("osai-index", "osai-index", osai_index.ingest),
        Source("hf", "hf", hf.ingest),
        Source("croissant", "croissant", croissant.ingest),
        Source("curated", "curated", curated.ingest),
        Source("fmti", "fmti", fmti.ingest),
    )
}


class StrictFailure(RuntimeError):
    """--strict was given and a source had problems; nothing of it was stored."""

    def __init__(self, report: IngestReport) -> None:
        self.report = report
        super().__init__(f"{report.source}: {len(report.problems)} problem(s) under --strict")


def tqdm_progress(items: Iterable[T], total: int | None = None, desc: str = "") -> Iterator[T]:
    """A progress bar on standard error (hidden when it is not a terminal)."""
    return iter(tqdm(items, total=total, desc=desc, unit="rec", leave=False, disable=None))


def _activity(
    name: str, folder: Path, started: dt.datetime, report: IngestReport, triples: int
) -> Triples:
    ended = dt.datetime.now(dt.UTC)
    run = run_iri(started, name)
    out = Triples()
    version = source_version(folder)
    files = files_read(out, name, folder, version)
    activity(out, run, OG + "IngestionRun", started, ended, used=[files])
    out.link(run, OG + "source", source_concept(name))
    out.add(run, OG + "sourceVersion", version)
    out.add(run, OG + "sourceFile", data_path(folder))
    out.add(run, OG + "recordsRead", report.read)
    out.add(run, OG + "recordsIngested", report.ingested)
    for problem in report.problems:
        out.add(run, OG + "skipped", problem)
    graph = Graphs.source(name)
    generated(out, graph, run, ended, derived_from=[files])
    out.link(graph, OG + "source", source_concept(name))  # whose data: its licence, origin
    out.add(graph, VOID + "triples", literal(triples))
    return out


UNRESOLVED = ox.NamedNode(f"{CONCEPT}license-resolution/unresolved")


def _count_unresolved(out: Triples, report: IngestReport) -> None:
    """Count, in the summary, the licence strings no known licence resolves (a misspelt
    or new id): stored verbatim, their models' licences cannot be told, and a refresh
    bringing one said nothing. Counted, not warned: the bundled data has some (the Tool's,
    the Index's), which --strict would then refuse; the named query lists them."""
    resolution = ox.NamedNode(OG + "resolution")
    n = sum(1 for t in out if t.predicate == resolution and t.object == UNRESOLVED)
    if n:
        report.count("licence strings no licence resolves (query unresolved-licences)", n)


def keep_stored(store: GraphStore, name: str, out: Triples, report: IngestReport) -> None:
    """Keep, in ``out``, the stored copy of each record whose file the run skipped whole
    (``report.unreadable``: not UTF-8, malformed, no record in it…), with the shared nodes
    it points at (``records.held_copies``): dropped, one bad byte withdrew the model whose
    only record it was (a tombstone, 410), where README says nothing stored is lost. Said
    in the summary and counted as a problem (--strict refuses the source); a file never
    stored stays skipped."""
    if not report.unreadable:
        return
    for record, triples in held_copies(
        store, list(report.unreadable), Graphs.source(name), out
    ).items():
        out.extend(triples)
        report.keep(record)


def ingest_source(
    store: GraphStore,
    name: str,
    *,
    folder: Path | None = None,
    strict: bool = False,
    ctx: IngestContext | None = None,
) -> IngestReport:
    """Read one source and replace its named graph with what it says, all or nothing.

    The source graph itself holds only what the source says, so ingesting the same data
    twice gives the same graph; run metadata goes to the provenance graph.
    """
    source = SOURCES[name]
    ctx = ctx or IngestContext()
    if source.folder != ORGANIZATIONS_FOLDER:  # that source's run reads its folder's, as stored
        ctx = ctx.holding(store)
    report = IngestReport(name)
    given = folder is not None  # --from: the context reads the files it holds
    folder = folder or sources_dir() / source.folder
    out = Triples()
    started = dt.datetime.now(dt.UTC)
    if not folder.is_dir():
        raise RecordError(folder, "no such folder")
    found = IngestReport(name)  # what is wrong in the files the context was read from
    try:
        if given:
            ctx = ctx.reading(source.folder, folder, found)
        source.ingest(folder, out, report, ctx)
        keep_stored(store, name, out, report)
        report.absorb(found)
        _count_unresolved(out, report)
    except (RecordError, StrictFailure):
        raise
    except Exception as e:  # noqa: BLE001 - a value of a kind the reader did not expect
        raise RecordError(
            folder, f"cannot be read as the {name} source ({type(e).__name__}: {e}); nothing stored"
        ) from e
    if not report.ingested:  # a wrong or empty folder would empty the stored graph
        # Why, as the summary the error stands for would have said (a malformed editions.yaml).
        why = "".join(f"; {s}" for s in report.skipped[:3])
        raise RecordError(
            folder, f"no {name} record in it ({report.read} read{why}); the stored graph is kept"
        )
    if strict and report.problems:
        raise StrictFailure(report)
    # The size the graph will have: a triple the readers add twice (a shared node) is one.
    provenance = _activity(name, folder, started, report, len(set(out)))
    # Cleared by the identity's last write: a run killed before it leaves the mark, and
    # the next command that reads the identity graph computes it again (identity_current).
    provenance.extend(identity_behind(Graphs.source(name)))
    replace = {Graphs.source(name): out}
    if name == hf.NAME:  # the live sync's records are replaced too: it starts afresh
        replace[Graphs.HUB_SYNC] = Triples()
    store.write(
        replace=replace,
        add={PROVENANCE_GRAPH: provenance},
        before=[superseded(Graphs.source(name))],
    )
    return report


def ingest_all(
    store: GraphStore,
    names: list[str] | None = None,
    *,
    folder: Path | None = None,
    strict: bool = False,
    ctx: IngestContext | None = None,
    stored: Callable[[str], None] | None = None,
) -> list[IngestReport]:
    """Ingest the named sources (all of them by default, the curated one first), then
    re-link records to models — also when a source stops the run (--strict, an unreadable
    folder): the sources stored before it are linked, not left beside an identity graph
    naming records they dropped. ``stored(name)`` is called as each source is stored, so
    what follows a store (dating a current state) is done for them too."""
    reports: list[IngestReport] = []
    # The curated run first: every other source names the organizations it stores
    # (IngestContext.holding), not those of a folder it replaces later in the run.
    ordered = sorted(names or SOURCES, key=lambda n: SOURCES[n].folder != ORGANIZATIONS_FOLDER)
    try:
        for name in ordered:
            reports.append(ingest_source(store, name, folder=folder, strict=strict, ctx=ctx))
            if stored is not None:
                stored(name)
    except BaseException:
        if reports:
            rebuild_identity(store)
        raise
    reports.append(rebuild_identity(store))
    return reports
