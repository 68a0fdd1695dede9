"""Dated snapshots of a source, each in its own named graph.

A snapshot is what a source said at a date (a Model Openness Tool commit, an Index
release). It is read by the source's own ingester, then its records get IRIs of their own
(``id/snapshot/mof/2025-06-30/…``) and the type og:SnapshotRecord, so that the current
state (``graph/source/…``, og:SourceRecord) stays what every other part of the product
reads — the default graph is the union of all graphs. Any query can still be run "as of"
a snapshot by naming its graph. The provenance graph dates each snapshot
(``dcterms:issued``, the upstream commit or tag as og:sourceVersion), and the
snapshot-identity graph links each snapshot record to the model entity its source record
belongs to today (``og:snapshotOf``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import yaml

from openness.ingest import mof, osai_index
from openness.ingest.identity import tokens
from openness.ingest.provenance import (
    PROVENANCE_GRAPH,
    activity,
    computed,
    data_path,
    files_read,
    generated,
    run_iri,
    superseded,
)
from openness.ingest.rdf import Triples, literal, renamed, typed
from openness.ingest.records import IngestContext, load_yaml, source_concept, source_version
from openness.ingest.report import Fields, IngestReport, RecordError, kind
from openness.ingest.runner import StrictFailure
from openness.namespaces import BASE, DCTERMS, ID, OG, RDF, VOID, XSD, Graphs
from openness.resources import sources_dir
from openness.store import GraphStore

SNAPSHOT_IDENTITY = BASE + "graph/snapshot-identity"
# The sources that publish a history, and how each reads a folder of its own layout.
HISTORY_SOURCES = ("mof", "osai-index")


@dataclass(frozen=True)
class Snapshot:
    source: str
    date: dt.date
    version: str  # the upstream commit or tag
    folder: Path  # where its files are
    current: bool = False  # the state data/sources/<source> holds

    @property
    def graph(self) -> str:
        """The named graph of the snapshot; the current state's is the source graph."""
        return (
            Graphs.source(self.source) if self.current else snapshot_graph(self.source, self.date)
        )


def snapshot_graph(source: str, date: dt.date) -> str:
    """
    >>> snapshot_graph("mof", dt.date(2025, 6, 30))
    'https://w3id.org/openness-graph/graph/snapshot/mof/2025-06-30'
    """
    return f"{BASE}graph/snapshot/{source}/{date.isoformat()}"


def history_dir() -> Path:
    return sources_dir() / "history"


def manifest(path: Path | None = None) -> list[Snapshot]:
    """The bundled snapshots (``data/sources/history/snapshots.yaml``), oldest first. A
    file that cannot be read, or an entry without what it needs, is a RecordError naming
    the file, the entry and the field: which snapshots there are is read from it whole."""
    path = path or history_dir() / "snapshots.yaml"
    try:
        entries = load_yaml(path.read_text(encoding="utf-8")) or []
    except (OSError, ValueError, yaml.YAMLError) as e:
        raise RecordError(path, f"cannot be read: {e}") from e
    if not isinstance(entries, list):
        raise RecordError(path, f"expected a list of snapshots, got {kind(entries)}")
    out: dict[tuple[str, dt.date], Snapshot] = {}
    for i, entry in enumerate(entries, 1):
        snap = _snapshot(entry, path, f"entry {i}")
        if (snap.source, snap.date) in out:
            raise RecordError(
                path, "a second snapshot of this source and date", record=f"entry {i}"
            )
        out[(snap.source, snap.date)] = snap
    return sorted(out.values(), key=lambda s: (s.date, s.source))


def _snapshot(entry: object, path: Path, where: str) -> Snapshot:
    """The snapshot an entry of the manifest describes."""
    if not isinstance(entry, dict):
        raise RecordError(path, f"expected a mapping, got {kind(entry)}", record=where)
    # Every problem here is an error.
    keys = Fields(IngestReport("snapshots"), path, where).of(entry)
    source = keys.required("source")
    if source not in HISTORY_SOURCES:
        raise RecordError(
            path,
            f"no history for source {source!r} (one of {', '.join(HISTORY_SOURCES)})",
            record=where,
            field="source",
        )
    current = entry.get("current", False)
    if not isinstance(current, bool):
        raise RecordError(
            path, f"expected true or false, got {kind(current)}", record=where, field="current"
        )
    written = keys.required("date")
    try:
        date = dt.date.fromisoformat(written)
    except ValueError as e:
        raise RecordError(path, f"not a date: {e}", record=where, field="date") from e
    folder = sources_dir() / source if current else path.parent / keys.required("folder")
    return Snapshot(source, date, keys.required("version"), folder, current)


# The Model Openness Tool's older file layout (2024) → today's field names.
_MOF_RELEASE_RENAMES = {"github": "repository"}
_MOF_COMPONENT_RENAMES = {"license_name": "license", "location": "component_path"}


def _current_mof_layout(text: str) -> str:
    """A MOF file in today's layout: older files name some fields differently."""
    try:
        doc = load_yaml(text)
    except yaml.YAMLError:
        return text  # the ingester reports it, naming the file
    release = doc.get("release") if isinstance(doc, dict) else None
    if not isinstance(release, dict):
        return text
    renamed = False
    for old, new in _MOF_RELEASE_RENAMES.items():
        if old in release and new not in release:
            release[new] = release.pop(old)
            renamed = True
    for comp in release.get("components") or []:
        if isinstance(comp, dict):
            for old, new in _MOF_COMPONENT_RENAMES.items():
                if old in comp and new not in comp:
                    comp[new] = comp.pop(old)
                    renamed = True
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True) if renamed else text


def read_snapshot(
    source: str, folder: Path, version: str, report: IngestReport, ctx: IngestContext
) -> Triples:
    """What the snapshot in ``folder`` says, as the source's ingester writes it (the
    source graph's IRIs). MOF files of the older layout are read too."""
    out = Triples()
    if not folder.is_dir():
        raise RecordError(folder, "no such folder")
    commit = version if len(version) == 40 else None  # a tag names no file's commit
    if source == "osai-index":
        osai_index.read_files(folder, out, report, ctx, commit)
    else:
        mof.read_files(folder, out, report, ctx, commit, _current_mof_layout)
    return out


def record_prefix(source: str) -> str:
    return ID + f"record/{source}/"


def snapshot_prefix(source: str, date: dt.date) -> str:
    return ID + f"snapshot/{source}/{date.isoformat()}/"


def _current_record(snapshot_record: str) -> str:
    """``source/id`` of the record a snapshot record is a dated copy of (its IRI under
    :func:`record_prefix`, less ``…/id/record/``)."""
    source, _date, rest = snapshot_record.removeprefix(f"{ID}snapshot/").split("/", 2)
    return f"{source}/{rest}"


def as_snapshot(triples: Triples, source: str, date: dt.date) -> list[ox.Triple]:
    """The snapshot's own copy of a source's triples: its records and what hangs off them
    under snapshot IRIs, typed og:SnapshotRecord; entities the records point to
    (organizations, licences) are left to the current graphs."""
    old, new = record_prefix(source), snapshot_prefix(source, date)
    record_type, snapshot_type = (
        ox.NamedNode(OG + "SourceRecord"),
        ox.NamedNode(OG + "SnapshotRecord"),
    )
    out = []
    for t in triples:
        if not (isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(old)):
            continue
        obj = (
            snapshot_type
            if t.predicate.value == RDF + "type" and t.object == record_type
            else renamed(t.object, old, new)
        )
        out.append(ox.Triple(renamed(t.subject, old, new), t.predicate, obj))
    return out


def _provenance(
    snap: Snapshot, started: dt.datetime, report: IngestReport, triples: int
) -> Triples:
    ended = dt.datetime.now(dt.UTC)
    run = run_iri(started, f"{snap.source}-{snap.date.isoformat()}")
    out = Triples()
    files = files_read(out, snap.source, snap.folder, snap.version)
    # Not an og:IngestionRun: those are the runs of the current states.
    activity(out, run, OG + "SnapshotIngestion", started, ended, used=[files])
    out.link(run, OG + "source", source_concept(snap.source))
    out.add(run, OG + "sourceVersion", snap.version)
    out.add(run, OG + "sourceFile", data_path(snap.folder))
    out.add(run, OG + "recordsRead", report.read)
    out.add(run, OG + "recordsIngested", report.ingested)
    for problem in report.problems:
        out.add(run, OG + "skipped", problem)
    _dated(out, snap, run, ended, files, triples)
    return out


def _dated(
    out: Triples, snap: Snapshot, run: str, ended: dt.datetime, read: str, triples: int
) -> None:
    """That the snapshot's graph was made by ``run`` from ``read``, and its date."""
    g = snap.graph
    generated(out, g, run, ended, derived_from=[read])
    out.types(g, OG + "SourceSnapshot")
    out.link(g, OG + "source", source_concept(snap.source))
    out.add(g, DCTERMS + "issued", typed(snap.date.isoformat(), XSD + "date"))
    out.add(g, OG + "sourceVersion", snap.version)
    out.add(g, VOID + "triples", literal(triples))


def date_current(store: GraphStore, snap: Snapshot) -> None:
    """Date the current state of a source (its source graph) in the provenance graph."""
    out = Triples()
    g = snap.graph
    out.types(g, OG + "SourceSnapshot")
    out.link(g, OG + "source", source_concept(snap.source))
    out.add(g, DCTERMS + "issued", typed(snap.date.isoformat(), XSD + "date"))
    out.add(g, OG + "sourceVersion", snap.version)
    for dated_by in (DCTERMS + "issued", OG + "sourceVersion"):
        store.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{g}> <{dated_by}> ?x }} }}")
    store.write(add={PROVENANCE_GRAPH: out})


def _dated_as(source: str, folder: Path | None) -> Snapshot | None:
    """How an ingest of ``source`` from ``folder`` (else the bundled one) dates its current
    state, where the store dates it (it holds its history): the bundled folder as the
    manifest dates it, another (``--from``) as of the day it was read, by the commit its
    SOURCE.md names. Left dated as the bundled folder, a checkout's changes were put at the
    bundled commit's date in the verdict history, before they were made."""
    for snap in manifest():
        if snap.current and snap.source == source:
            # (the bundled folder named by --from is read as without it)
            if folder is not None and folder.resolve() != snap.folder.resolve():
                today = dt.datetime.now(dt.UTC).date()
                return replace(snap, date=today, version=source_version(folder), folder=folder)
            return snap
    return None


def dating(store: GraphStore, sources: Sequence[str], folder: Path | None) -> Callable[[str], None]:
    """What to do as an ingest stores each of ``sources`` (``ingest_all``'s ``stored``):
    date its current state again (:func:`_dated_as`) and, where that date is later than
    the one of the state it replaced, keep that state first as a snapshot of its own date
    (read now, before the ingest replaces it; kept only if the ingest stores the source).
    The verdict history has one date for the current state: two checkouts ingested on two
    days were one state, the first one's changes dated the second day."""
    kept: dict[str, tuple[Snapshot, list[ox.Triple]]] = {}
    dated: dict[str, Snapshot] = {}  # the date each source's state will have, where dated
    held = snapshots_in(store)
    for source in sources:
        now = next((s for s in held if s.current and s.source == source), None)
        then = _dated_as(source, folder) if now else None
        if now is None or then is None:
            continue
        dated[source] = then
        if now.date < then.date and snapshot_graph(source, now.date) not in {s.graph for s in held}:
            triples = list(store.stored_triples(Graphs.source(source)))
            if triples:
                kept[source] = (now, triples)

    def stored(source: str) -> None:
        if source in kept:
            _keep(store, *kept.pop(source))
        if source in dated:
            date_current(store, dated[source])

    return stored


def _keep(store: GraphStore, state: Snapshot, triples: list[ox.Triple]) -> None:
    """Store the current state ``state`` held (``triples``) as a snapshot of its date."""
    started = dt.datetime.now(dt.UTC)
    snap = replace(state, current=False)
    kept = as_snapshot(triples, snap.source, snap.date)
    out = Triples()
    run = run_iri(started, f"{snap.source}-{snap.date.isoformat()}")
    read = Graphs.source(snap.source)
    ended = dt.datetime.now(dt.UTC)
    activity(out, run, OG + "SnapshotIngestion", started, ended, used=[read])
    _dated(out, snap, run, ended, read, len(set(kept)))
    store.write(replace={snap.graph: kept}, add={PROVENANCE_GRAPH: out})


def ingest_snapshot(
    store: GraphStore,
    snap: Snapshot,
    *,
    strict: bool = False,
    ctx: IngestContext | None = None,
) -> IngestReport:
    """Store one dated snapshot in its own graph (replacing it, all or nothing), date it
    in the provenance graph and link its records to today's model entities."""
    if snap.current:
        raise ValueError("the current state is ingested with `openness ingest SOURCE`")
    ctx = (ctx or IngestContext()).holding(store)
    report = IngestReport(f"{snap.source} as of {snap.date.isoformat()}")
    started = dt.datetime.now(dt.UTC)
    triples = as_snapshot(
        read_snapshot(snap.source, snap.folder, snap.version, report, ctx), snap.source, snap.date
    )
    if strict and report.problems:
        raise StrictFailure(report)
    store.write(
        replace={snap.graph: triples},
        add={PROVENANCE_GRAPH: _provenance(snap, started, report, len(set(triples)))},
        before=[superseded(snap.graph, OG + "sourceVersion")],  # --release may name another
    )
    return report


def snapshots_in(store: GraphStore) -> list[Snapshot]:
    """The snapshots the store holds (current states included where dated), oldest first."""
    rows = store.query(
        f"""SELECT ?g ?s ?date ?version WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
              ?g a og:SourceSnapshot ; og:source ?s ; dcterms:issued ?date ;
                 og:sourceVersion ?version }} }}"""
    ).rows()
    out = []
    for r in rows:
        # The source's name from its concept IRI: the store may hold no vocabulary.
        source = r["s"].value.removeprefix(source_concept(""))
        current = r["g"].value == Graphs.source(source)
        date = dt.date.fromisoformat(r["date"].value)
        out.append(Snapshot(source, date, r["version"].value, Path(), current))
    return sorted(out, key=lambda s: (s.date, s.source))


def link_snapshot_records(store: GraphStore) -> IngestReport:
    """Recompute the snapshot-identity graph: each snapshot record is the snapshot of the
    model its source's record of the same id belongs to today; a record the source has
    since dropped or renamed is matched by Hugging Face repository, else by name from the
    same producer (as the identity graph matches records), else, of a model withdrawn since,
    to that model (its dated verdicts outlive it)."""
    started = dt.datetime.now(dt.UTC)
    report = IngestReport("snapshot identity")
    today = [Graphs.IDENTITY, Graphs.ONTOLOGY, *map(Graphs.source, HISTORY_SOURCES)]
    current = store.query(
        """SELECT ?m ?source ?id ?name ?producer ?repo WHERE {
             ?m a og:Model ; og:hasRecord ?r .
             ?r og:source/skos:notation ?source ; og:sourceId ?id .
             OPTIONAL { ?r schema:name ?name } OPTIONAL { ?r og:producer ?producer }
             OPTIONAL { ?m og:huggingFaceRepo ?repo } }""",
        default_graphs=today,
    ).rows()
    by_id: dict[tuple[str, str], str] = {}
    by_repo: dict[str, set[str]] = defaultdict(set)
    by_name: dict[tuple, set[str]] = defaultdict(set)
    for r in current:
        m = r["m"].value
        by_id[(r["source"].value, r["id"].value)] = m
        if "repo" in r:
            by_repo[r["repo"].value.lower()].add(m)
        if "name" in r:
            key = (
                tuple(sorted(tokens(r["name"].value))),
                r["producer"].value if "producer" in r else None,
            )
            by_name[key].add(m)
    snaps = store.query(
        """SELECT ?r ?source ?id ?name ?producer ?repo WHERE {
             ?r a og:SnapshotRecord ; og:source/skos:notation ?source ; og:sourceId ?id .
             OPTIONAL { ?r schema:name ?name } OPTIONAL { ?r og:producer ?producer }
             OPTIONAL { ?r og:huggingFaceRepo ?repo } }"""
    ).rows()
    # A withdrawn model's dated records stay its own: unlinked, the next history dropped
    # its dated verdicts, which its IRI's history and changes answer for after it went.
    former = {
        r["r"].value.removeprefix(f"{ID}record/"): r["m"].value
        for r in store.query(
            f"""SELECT ?m ?r WHERE {{ GRAPH <{Graphs.IDENTITY}> {{
                  ?m a og:WithdrawnModel ; og:formerRecord ?r }} }}"""
        ).rows()
    }
    out = Triples()
    matched: dict[str, tuple[str, str]] = {}
    for r in sorted(snaps, key=lambda r: r["r"].value):
        rec = r["r"].value
        report.read += 1
        key = (
            (
                tuple(sorted(tokens(r["name"].value))),
                r["producer"].value if "producer" in r else None,
            )
            if "name" in r
            else None
        )
        repo = by_repo.get(r["repo"].value.lower(), set()) if "repo" in r else set()
        names = by_name.get(key, set()) if key else set()
        if (r["source"].value, r["id"].value) in by_id:
            match = (by_id[(r["source"].value, r["id"].value)], "source id")
        elif len(repo) == 1:
            match = (next(iter(repo)), "hf-repo")
        elif len(names) == 1:
            match = (next(iter(names)), "name+producer")
        elif gone := former.get(_current_record(rec)):
            match = (gone, "former record")
        else:
            continue
        matched[rec] = match
    for rec, (model, how) in matched.items():
        out.link(rec, OG + "snapshotOf", model)
        out.add(rec, OG + "matchedBy", how)
        report.count(f"matched by {how}")
    report.ingested = len(matched)
    report.count("records of releases no longer described", report.read - len(matched))
    read = [*today, *(s.graph for s in snapshots_in(store) if not s.current)]
    made, before = computed(
        SNAPSHOT_IDENTITY, OG + "IdentityRun", started, read, "snapshot-identity"
    )
    store.write(replace={SNAPSHOT_IDENTITY: out}, add={PROVENANCE_GRAPH: made}, before=before)
    return report


def ingest_history(
    store: GraphStore, snapshots: list[Snapshot] | None = None, ctx: IngestContext | None = None
) -> list[IngestReport]:
    """Store the bundled snapshots (or the given ones), date the current states, and link
    every snapshot record to today's models."""
    reports = []
    for snap in manifest() if snapshots is None else snapshots:
        if snap.current:
            date_current(store, snap)
        else:
            reports.append(ingest_snapshot(store, snap, ctx=ctx))
    reports.append(link_snapshot_records(store))
    return reports
