"""Verdicts over time: every model assessed as of each snapshot date, stored compactly.

For each date a snapshot (or a source's current state) is dated, the sources with a history
are taken as they stood then — the latest snapshot of each on or before the date — and the
sources without one (SPDX, the Hub records, Croissant, the curated set) as they are today.
A scratch store holding that state is assessed by the assessment service, and its verdicts
are copied into the verdict-history graph under today's model entities (the snapshot
records are linked to them by ``openness.ingest.snapshots``).

Each date's records are linked as today's models group them, so that each of today's models
has one verdict a date, made from its own records then. Compactly: a model whose records of
the dated sources (and its base models') did not change since the previous date is not
re-assessed, and a verdict is stored only on the dates it changed (or first
appeared) — a og:DatedVerdict with its date, outcome, level and score, the previous
verdict it replaces, the reasons gained and lost, and the snapshot records that changed.
The verdict at any date is the latest stored on or before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from openness.assess.evidence import models_read
from openness.assess.grade import UNTESTED
from openness.assess.report import verdict_rows
from openness.assess.service import run_assessment
from openness.assess.setwise import dataset
from openness.ingest.identity import producer_words, read_records, rebuild_identity
from openness.ingest.identity_update import Scope, described, has_keys, model_records
from openness.ingest.organizations import OrganizationIndex, held_organizations
from openness.ingest.provenance import computed, run_iri
from openness.ingest.rdf import Triples, renamed, typed
from openness.ingest.records import owned_triples
from openness.ingest.snapshots import (
    HISTORY_SOURCES,
    SNAPSHOT_IDENTITY,
    Snapshot,
    record_prefix,
    snapshot_prefix,
    snapshots_in,
)
from openness.namespaces import BASE, DCTERMS, EARL, OG, PROV, RDF, XSD, Graphs, mint
from openness.store import EmbeddedStore, GraphStore

VERDICT_HISTORY = BASE + "graph/verdict-history"
# The reason of a dated verdict where the model has no record of a source with a history.
NO_RECORD = "not judged: no record of it in a source with a history as of this date"
# Verdict fields whose change makes a new dated verdict.
STATE = ("outcome", "level", "score")


@dataclass
class State:
    """The sources with a history as they stood at one date."""

    date: dt.date
    snapshots: dict[str, Snapshot]  # source -> the snapshot in force

    @property
    def current(self) -> bool:
        return all(s.current for s in self.snapshots.values()) and set(self.snapshots) == set(
            HISTORY_SOURCES
        )


@dataclass
class Dated:
    """One model × definition verdict at one date, and what it rested on."""

    outcome: str
    level: str | None
    score: float | None
    reasons: list[str]
    records: list[str] = field(default_factory=list)  # snapshot (or current) record IRIs
    changed: list[str] = field(default_factory=list)  # those whose content changed since

    def key(self) -> tuple:
        return (self.outcome, self.level, None if self.score is None else round(self.score, 6))


def states(snapshots: Sequence[Snapshot]) -> list[State]:
    """Each date any source changed, with every source's snapshot in force then."""
    # Oldest first, a current state after a snapshot of its own date, so that it is the
    # one in force then: an ingest that went back to the bundled folder's date keeps the
    # snapshot it made of that state when a checkout replaced it (ingest.snapshots.dating).
    ordered = sorted(snapshots, key=lambda s: (s.date, s.current))
    return [
        State(date, {s.source: s for s in ordered if s.date <= date})
        for date in sorted({s.date for s in snapshots})
    ]


def _graph(store: GraphStore, graph: str) -> list[ox.Triple]:
    return list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))


def _record_of(iri: str, prefix: str) -> str | None:
    """The record a subject belongs to (its components hang off its IRI). The source's
    licence statements, which its records share, come out as one more "record" (``~license``,
    see :func:`openness.ingest.records.statement_iri`) that no model has: a record's own
    triples link to them by a digest of what they say, so its fingerprint still changes with
    its licences."""
    if not iri.startswith(prefix):
        return None
    rest = iri[len(prefix) :]
    return prefix + rest.split("/", 1)[0].split("#", 1)[0]


def _as_source(triples: list[ox.Triple], snap: Snapshot) -> list[ox.Triple]:
    """A snapshot graph's triples under the source's own IRIs, as its ingester wrote them."""
    old, new = snapshot_prefix(snap.source, snap.date), record_prefix(snap.source)
    snapshot_type, record_type = (
        ox.NamedNode(OG + "SnapshotRecord"),
        ox.NamedNode(OG + "SourceRecord"),
    )
    return [
        ox.Triple(
            renamed(t.subject, old, new),
            t.predicate,
            record_type if t.object == snapshot_type else renamed(t.object, old, new),
        )
        for t in triples
    ]


class _Scratch:
    """One scratch store holding what has no history as it is today; each state replaces
    the graphs of the sources that have one (only those whose snapshot changed).

    Of the records of the sources without a history, it holds only those what a dated
    model (or one of ``models``) is judged on can depend on (:func:`_scope`); of those with
    one, every record, or only those when ``models`` are given; what the sources say beside
    their records (organisations, datasets, licences) whole."""

    def __init__(self, store: GraphStore, models: Sequence[str] | None = None) -> None:
        self.store = store
        history = {Graphs.source(s) for s in HISTORY_SOURCES}
        sources = [
            g for g in store.graph_names() if g.startswith(Graphs.source("")) and g not in history
        ]
        # Snapshot and current record IRIs -> today's model.
        self.main = _main_models(store)
        self.orgs = held_organizations(store)  # as today's identity step knows them
        scope = _scope(store, self.main, models, self.orgs)
        self.main |= scope.models
        # Of the sources with a history too, for some models: linking and assessing all
        # their records (~300 a source) at each date was most of a `history -m` run.
        self.in_scope = None if models is None else set(scope.records)
        held: dict[str, list[str]] = defaultdict(list)  # source graph -> its records held
        for iri, rec in scope.records.items():
            if iri not in scope.beside:
                held[Graphs.source(rec.source)].append(iri)
        self.scratch = EmbeddedStore(None)
        self.scratch.write(
            replace={g: _graph(store, g) for g in [Graphs.ONTOLOGY, Graphs.SHAPES]}
            | {
                g: _beside_records(store, g) + owned_triples(store, sorted(held[g]), graph=g)
                for g in sources
            }
        )
        self.current: dict[str, list[ox.Triple]] = {}  # held once: each snapshot reads them
        for s in HISTORY_SOURCES:
            self.current[s] = self.held(Graphs.source(s), record_prefix(s))
        # A snapshot is in force at several dates: each is read, renamed and split by
        # record once (reading them again for every date was a third of the history's time).
        self.read: dict[str, tuple[list[ox.Triple], dict[str, list[ox.Triple]]]] = {}
        self.loaded: dict[str, str | None] = {}  # source -> the snapshot graph in scratch

    def source_triples(self, snap: Snapshot) -> list[ox.Triple]:
        prefix = record_prefix(snap.source)
        current = self.current[snap.source]
        if snap.current:
            return current
        # What the source says beside its records (the tool's licence table) is today's.
        beside = [t for t in current if not t.subject.value.startswith(prefix)]
        dated = self.held(snap.graph, snapshot_prefix(snap.source, snap.date))
        return beside + _as_source(dated, snap)

    def held(self, graph: str, prefix: str) -> list[ox.Triple]:
        """The triples of ``graph`` the scratch holds (see :meth:`holds`). Told apart by
        their subjects, each read once, and only theirs read: a filter on every triple of
        the graph read whole (a snapshot of ~30 000 triples for ~1 100 held, ``-m OLMo-7B``)
        was most of the time spent on the snapshots."""
        if self.in_scope is None:
            return _graph(self.store, graph)
        named, blank = _subjects(self.store, graph)
        out = described(self.store, [s for s in named if self.holds(s, prefix)], graph)
        return _with_blank_nodes(self.store, graph, out) if blank else out

    def holds(self, iri: str, prefix: str) -> bool:
        """Whether the scratch holds the triples of ``iri``, in a graph whose records' IRIs
        start with ``prefix``: unless it is of a record outside the scope (a source's licence
        statements, ``~…``, are its records' to share)."""
        if self.in_scope is None:
            return True
        rec = _record_of(iri, prefix)
        return rec is None or rec in self.in_scope or rec.startswith(prefix + "~")

    def snapshot(self, snap: Snapshot) -> tuple[list[ox.Triple], dict[str, list[ox.Triple]]]:
        """A snapshot's triples as the source's, and those of each of its records."""
        if snap.graph not in self.read:
            triples = self.source_triples(snap)
            prefix = record_prefix(snap.source)
            by_record: dict[str, list[ox.Triple]] = defaultdict(list)
            for t in triples:
                rec = _record_of(t.subject.value, prefix)
                if rec:
                    by_record[rec].append(t)
            self.read[snap.graph] = (triples, by_record)
        return self.read[snap.graph]

    def load(self, state: State) -> dict[str, list[ox.Triple]]:
        """Put ``state`` in the scratch store, relink its models; each record's triples."""
        graphs: dict[str, list[ox.Triple]] = {}
        by_record: dict[str, list[ox.Triple]] = {}
        for source in HISTORY_SOURCES:
            snap = state.snapshots.get(source)
            triples, records = self.snapshot(snap) if snap else ([], {})
            by_record.update(records)
            key = snap.graph if snap else None
            if source not in self.loaded or self.loaded[source] != key:
                graphs[Graphs.source(source)] = triples
                self.loaded[source] = key
        if graphs:
            self.scratch.write(replace=graphs)
        self.scratch.drop_graph(Graphs.ASSESSMENTS)
        # Linked as today's models group them (each record to the model its snapshot is of),
        # not as that date's records would match: a date whose sources grouped them
        # otherwise gave two verdicts for one of today's models, or one for two.
        rebuild_identity(
            self.scratch, self.orgs, releases=lambda rec: self.main.get(_record_iri(rec, state))
        )
        return by_record


def _main_models(store: GraphStore) -> dict[str, str]:
    """Snapshot records and the current records of the sources with a history → today's
    model."""
    history = " ".join(f"<{Graphs.source(s)}>" for s in HISTORY_SOURCES)
    rows = store.query(
        f"""SELECT ?r ?m WHERE {{
              {{ GRAPH <{SNAPSHOT_IDENTITY}> {{ ?r og:snapshotOf ?m }} }}
              UNION {{ VALUES ?g {{ {history} }} GRAPH ?g {{ ?r a og:SourceRecord }}
                       GRAPH <{Graphs.IDENTITY}> {{ ?r og:recordOf ?m }} }} }}"""
    ).rows()
    return {r["r"].value: r["m"].value for r in rows}


def _scope(
    store: GraphStore,
    main: dict[str, str],
    models: Sequence[str] | None,
    orgs: OrganizationIndex,
) -> Scope:
    """The records what the dated models' verdicts (only ``models``' when given) can depend
    on, of every source: theirs, those they could be matched with or told from (sharing a
    lookup key, ``identity.identity_keys``, as of any date: a snapshot record's are worked
    out from it), those their base-model names could name and theirs (a fine-tune is judged
    on its base models' findings), and the releases a dated record no model of today's has
    could be minted beside (its IRI takes the first number none of them has). ``main``: the
    dated records' models (:func:`_main_models`); ``orgs``: the organizations the store holds."""
    dated = read_records(store, kind=OG + "SnapshotRecord")
    of = {r: m for r, m in main.items() if r in dated}
    scope = Scope(
        store,
        producer_words(orgs),
        {r: (rec, of.get(r)) for r, rec in dated.items()},
        fine_tunes=False,
    )
    if not has_keys(store):  # an identity graph written before its lookup keys: every record
        scope.grow(read_records(store))
        return scope
    lost = [r for r in dated if r not in of]  # of releases no longer described
    if models is None:
        scope.grow([*dated, *main])
    else:
        wanted = set(models)
        mine = [r for r, m in of.items() if m in wanted]
        scope.grow([*mine, *lost, *(r for _, r in model_records(store, wanted))])
    bases = {mint("model", scope.records[r].name) for r in lost}
    bases |= {mint("model", repo) for r in lost for repo in scope.records[r].current_repos}
    scope.grow(scope.numbered(bases, len(lost)))
    while targets := scope.base_records():
        scope.grow(r for r, _ in targets)
    return scope


def _beside_records(store: GraphStore, graph: str) -> list[ox.Triple]:
    """What a source's graph says beside its records: the triples about no record or node
    minted under one (a licence statement records share is none: ``~`` starts its name,
    see ``records.statement_iri``). Told apart by their subjects, each read once: a filter
    on every triple read each one's subject (10 000 Hub models: 2.1 CPU s, now 0.6). Each
    subject's triples looked up, not followed link by link as a record's are
    (``records.owned_triples``): the nodes minted under a subject beside the records are
    beside them too, and subjects of their own (bundled graph: 1.3–1.6 → 0.7–0.9 CPU s)."""
    prefix = record_prefix(graph.removeprefix(Graphs.source("")))
    named, blank = _subjects(store, graph)
    out = described(
        store, [s for s in named if not s.startswith(prefix) or s.startswith(prefix + "~")], graph
    )
    return _with_blank_nodes(store, graph, out) if blank else out


def _subjects(store: GraphStore, graph: str) -> tuple[list[str], bool]:
    """The IRIs of the subjects of ``graph``, and whether any subject is a blank node."""
    named, blank = [], False
    for (s,) in store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
        if isinstance(s, ox.BlankNode):
            blank = True
        else:
            named.append(s.value)
    return named, blank


def _with_blank_nodes(store: GraphStore, graph: str, out: list[ox.Triple]) -> list[ox.Triple]:
    """``out``, triples of ``graph`` looked up by their (named) subjects, with the triples
    of the graph's blank nodes: those of every blank subject, and those that point at one
    from a subject of ``out``."""
    # A blank node cannot be named in a query: looked for among all triples. Its label
    # names it within one answer only (Jena writes b0, b1, … in each), so the triples
    # that point at one come in the same answer as its own triples, not from the
    # lookups (on Fuseki a licence lost its restrictions that way).
    subjects = {t.subject for t in out}
    return [t for t in out if not isinstance(t.object, ox.BlankNode)] + [
        t
        for t in store.query(
            f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }}
                  FILTER (isBLANK(?s) || isBLANK(?o)) }}"""
        )
        if isinstance(t.subject, ox.BlankNode) or t.subject in subjects
    ]


def _record_iri(rec: str, state: State) -> str:
    """The IRI a scratch record has in the main store: the snapshot's, or today's."""
    for source, snap in state.snapshots.items():
        prefix = record_prefix(source)
        if rec.startswith(prefix) and not snap.current:
            return snapshot_prefix(source, snap.date) + rec[len(prefix) :]
    return rec


def _fingerprint(triples: list[ox.Triple]) -> str:
    """What a record says, not where it was read: the link to the file at the snapshot's
    commit differs between snapshots of an unchanged record."""
    lines = sorted(str(t) for t in triples if t.predicate.value != PROV + "wasDerivedFrom")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def compute_history(
    store: GraphStore,
    models: Sequence[str] | None = None,
    *,
    echo: Callable[[str], None] = lambda _: None,
) -> dict[tuple[str, str], dict[dt.date, Dated]]:
    """Each (model, definition)'s verdict at each date where the model has records of a
    source with a history, and 'untested' at the first date after those where it has none
    (until its records come back); only the given models (IRIs) when given."""
    wanted = None if models is None else set(models)
    if wanted == set():  # no model: every state would be loaded to compute none (~12 CPU s)
        return {}
    builder = _Scratch(store, models)
    main = builder.main
    scratch = builder.scratch
    history: dict[tuple[str, str], dict[dt.date, Dated]] = defaultdict(dict)
    previous: dict[str, dict[str, str]] = {}  # model -> its dated records' fingerprints
    last: dict[str, dict[str, Dated]] = {}  # model -> definition -> its last verdict
    for state in states(snapshots_in(store)):
        by_record = builder.load(state)
        rows = scratch.query(
            """SELECT ?m ?r WHERE { ?m a og:Model ; og:hasRecord ?r }""",
            default_graphs=[Graphs.IDENTITY],
        ).rows()
        members: dict[str, list[str]] = defaultdict(list)  # scratch model -> its records
        for r in rows:
            if r["r"].value in by_record:
                members[r["m"].value].append(r["r"].value)
        to_assess: dict[str, str] = {}  # scratch model -> main model
        dated_records: dict[str, list[str]] = {}
        changed: dict[str, list[str]] = {}
        # The models whose findings each one's rules read (a fine-tune's base models, as
        # ev:ModelsRead says): their records are part of what it is judged on.
        reads = models_read(scratch, [Graphs.IDENTITY], sorted(members))
        for sm, recs in members.items():
            read = sorted({*recs, *(x for b in reads.get(sm, ()) for x in members.get(b, ()))})
            iris = {x: _record_iri(x, state) for x in read}
            model = next((main[iris[x]] for x in sorted(recs) if iris[x] in main), None)
            if model is None or (wanted is not None and model not in wanted):
                continue
            prints = {x: _fingerprint(by_record[x]) for x in read}
            dated_records[model] = [iris[x] for x in sorted(recs)]
            before = previous.get(model, {})
            if before != prints:
                previous[model] = prints
                to_assess[sm] = model
                changed[model] = [iris[x] for x in read if before.get(x) != prints[x]]
        echo(
            f"as of {state.date}: {len(dated_records)} model{'s' * (len(dated_records) != 1)} "
            "with dated records, "
            f"{len(to_assess)} changed"
        )
        if to_assess:
            if state.current:  # today's verdicts are those the assessments graph holds
                # Each model's, looked up: all of them read took 17 CPU s at 10 000 models.
                found = [
                    r for m in sorted(set(to_assess.values())) for r in verdict_rows(store, model=m)
                ]
                rename = {m: m for m in to_assess.values()}
            else:
                run_assessment(scratch, None, sorted(to_assess), echo=lambda _: None)
                found = [r for r in verdict_rows(scratch) if r["model"] in to_assess]
                rename = to_assess
            for r in found:
                model = rename[r["model"]]
                last.setdefault(model, {})[r["definition"]] = Dated(
                    r["outcome"],
                    r["level"],
                    r["score"],
                    list(r["reasons"]),
                    dated_records[model],
                    changed[model],
                )
        for model in dated_records:
            for definition, verdict in last.get(model, {}).items():
                history[(model, definition)][state.date] = verdict
        # A model dated before with no record of a source with a history at this date (a
        # source dropped it, as a withdrawn model's): its last verdict is no longer in
        # force — counted as passing at every later date, it was. Its records coming back
        # are judged again.
        for model in sorted(set(previous) - set(dated_records)):
            del previous[model]
            for definition in last.pop(model, {}):
                history[(model, definition)][state.date] = Dated(UNTESTED, None, None, [NO_RECORD])
    scratch.close()
    return history


def _levels(store: GraphStore) -> dict[str, str]:
    rows = store.query(
        "SELECT ?lv ?label WHERE { ?lv a og:Level ; rdfs:label ?label FILTER (isLiteral(?label)) }"
    ).rows()
    return {r["label"].value: r["lv"].value for r in rows}


def history_triples(
    history: dict[tuple[str, str], dict[dt.date, Dated]], levels: dict[str, str]
) -> Triples:
    """The dated verdicts, one per change: the first, and each that differs from the one
    before (outcome, level or score), with the reasons gained and lost and the records
    that changed."""
    out = Triples()
    for (model, definition), by_date in sorted(history.items()):
        before: tuple[str, Dated] | None = None
        for date in sorted(by_date):
            v = by_date[date]
            if before is not None and before[1].key() == v.key():
                continue
            iri = mint("verdict", model.rsplit("/", 1)[1], definition, date.isoformat())
            out.types(iri, OG + "DatedVerdict")
            out.link(iri, EARL + "subject", model)
            out.add(iri, OG + "definitionId", definition)
            out.add(iri, DCTERMS + "date", typed(date.isoformat(), XSD + "date"))
            out.link(iri, EARL + "outcome", EARL + v.outcome)
            out.link(iri, OG + "level", levels.get(v.level or ""))
            out.add(iri, OG + "score", v.score)
            for reason in v.reasons:
                out.add(iri, EARL + "info", reason)
            for record in v.records:
                out.link(iri, OG + "evidence", record)
            if before is not None:
                out.link(iri, OG + "previousVerdict", before[0])
                old = set(before[1].reasons)
                for reason in sorted(set(v.reasons) - old):
                    out.add(iri, OG + "reasonGained", reason)
                for reason in sorted(old - set(v.reasons)):
                    out.add(iri, OG + "reasonLost", reason)
                for record in v.changed:
                    out.link(iri, OG + "changedRecord", record)
            before = (iri, v)
    return out


def dated_anew(store: GraphStore) -> bool:
    """Whether a dated source (a snapshot, or a source's dated current state) was written
    after some model's timeline was last computed: its date may be new (``ingest --from``
    dates the current state the day it was read), which only a run over every model dates
    every timeline by. A run over some models (``history -m``: og:computedFor them) dates
    theirs only, and leaves the others' on the old date."""
    # The runs ended since the last dated source was written, and the models each computed.
    since: dict[str, set[str]] = defaultdict(set)
    for row in store.query(
        f"""SELECT ?run ?model WHERE {{ GRAPH <{Graphs.PROVENANCE}> {{
              {{ SELECT (MAX(?written) AS ?latest) WHERE {{
                   ?g a og:SourceSnapshot ; prov:generatedAtTime ?written }} }}
              ?run a og:HistoryRun ; prov:endedAtTime ?ended .
              FILTER (?ended >= ?latest)
              OPTIONAL {{ ?run og:computedFor ?model }} }} }}"""
    ).rows():
        since[row["run"].value].update([row["model"].value] if "model" in row else [])
    if any(not models for models in since.values()):
        return False  # a whole run since
    computed = ", ".join(f"<{m}>" for m in sorted(set().union(*since.values())))
    return bool(
        store.query(
            f"""ASK {{ {{ SELECT ?g WHERE {{
                  GRAPH <{Graphs.PROVENANCE}> {{ ?g a og:SourceSnapshot }} }} LIMIT 1 }}
              GRAPH <{VERDICT_HISTORY}> {{ ?v earl:subject ?m }}
              {f"FILTER (?m NOT IN ({computed}))" if computed else ""} }}"""
        )
    )


def build_verdict_history(
    store: GraphStore,
    models: Sequence[str] | None = None,
    *,
    echo: Callable[[str], None] = lambda _: None,
) -> int:
    """Compute the verdict history and replace its graph, or only the given models' dated
    verdicts in it (IRIs), in one write; the number of dated verdicts computed."""
    started = dt.datetime.now(dt.UTC)
    history = compute_history(store, models, echo=echo)
    triples = history_triples(history, _levels(store))
    # Read: the dated snapshots and their links to today's models, the sources as they are
    # today and their identities, today's verdicts (the last date's), shapes and vocabulary.
    read = [
        *dataset(store),
        Graphs.ASSESSMENTS,
        SNAPSHOT_IDENTITY,
        *(s.graph for s in snapshots_in(store) if not s.current),
    ]
    made, before = computed(VERDICT_HISTORY, OG + "HistoryRun", started, read, "history")
    for model in models or ():  # a run over some models names them (see dated_anew)
        made.link(run_iri(started, "history"), OG + "computedFor", model)
    if models is None:
        store.write(
            replace={VERDICT_HISTORY: triples}, add={Graphs.PROVENANCE: made}, before=before
        )
    elif models:  # (none given: nothing computed, nothing to write)
        values = " ".join(f"<{m}>" for m in models)
        stored = store.query(
            f"""CONSTRUCT {{ ?v ?p ?o }} WHERE {{ GRAPH <{VERDICT_HISTORY}> {{
                  VALUES ?m {{ {values} }} ?v earl:subject ?m ; ?p ?o }} }}"""
        )
        store.write(
            remove={VERDICT_HISTORY: list(stored)},
            add={VERDICT_HISTORY: triples, Graphs.PROVENANCE: made},
            before=before,
        )
    n = sum(1 for t in triples if t.predicate.value == RDF + "type")
    models = len({m for m, _ in history})
    echo(
        f"verdict history: {n} dated verdict{'s' * (n != 1)} of {models} model{'s' * (models != 1)}"
    )
    return n
