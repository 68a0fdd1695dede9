"""The identity graph brought up to date after a few records changed (a Hub re-sync), without
reading every record: only the releases the changed records belong to, or are matched with,
are linked again, and only what differs is written.

Which records a change concerns is found by the lookup keys the identity graph keeps on every
record (``og:identityKey``: its Hub repositories, its name keys, what its base-model names
resolve by, see ``identity.identity_keys``). Starting from the changed records, the scope
grows by the records of the models they belong to and by every record sharing a key with a
record in it (before or after the change), until nothing is added; the models whose base-model
names resolve by its keys join it too (their lineage may change). Then the scope is linked as
a rebuild links everything: every record that could be matched with one of it is in it, so
its releases are the ones a rebuild makes, with the IRIs issued before to the scope's records
(``identity.read_issued``; a retired IRI's records join the scope with it). Where a minted
model IRI is one issued outside the scope, its release joins the scope and it is linked
again (so it keeps its IRI and the new release takes a number); so is an IRI an earlier
release published that the identity graph says nothing of (``identity.Issued.published``). A
change to the families named (no Hub record names one), or such an IRI whose sources the
store holds, falls back to a full rebuild, which retires or withdraws it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import pyoxigraph as ox

from openness.ingest.conflicts import Conflicts, claims_conflicts, weights_link_conflicts
from openness.ingest.identity import (
    Outside,
    Record,
    gone_with,
    identity_keys,
    link,
    linked_by,
    producer_words,
    published_families,
    published_pending,
    read_issued,
    read_records,
    rebuild_identity,
    record_tombstones,
    tombstones,
    verdict_subjects,
)
from openness.ingest.organizations import OrganizationIndex, held_organizations
from openness.ingest.rdf import Triples, iri_values
from openness.ingest.report import IngestReport
from openness.namespaces import EARL, Graphs, mint
from openness.store import GraphStore
from openness.vocabularies import entailment

# Above this many changed records a rebuild reads less than the lookups would (a first sync).
INCREMENTAL_LIMIT = 20_000
# Numbered IRIs looked for beside a minted one (``…-2``, ``…-3``): releases of one name.
NUMBERED = 9
BATCH = 500


def update_identity(
    store: GraphStore,
    changed: Sequence[str],
    orgs: OrganizationIndex | None = None,
    *,
    relinking: Callable[[set[str] | None], object] = lambda models: None,
) -> IngestReport:
    """Bring the identity graph up to date after the records ``changed`` (written, moved or
    removed) changed; a full rebuild when the graph has no lookup keys yet, most of it
    changed or an IRI an earlier release published waits for one
    (``identity.published_pending``). Before writing, ``relinking`` is told the models
    whose links it rewrites: those of the scope before and after (a model removed, renamed
    or merged into another among them), or None for a rebuild, which may rewrite any."""
    started = dt.datetime.now(dt.UTC)
    if not changed:
        return IngestReport("identity")
    orgs = orgs or held_organizations(store)
    if len(changed) > INCREMENTAL_LIMIT or not has_keys(store) or published_pending(store):
        relinking(None)
        return rebuild_identity(store, orgs)
    words = producer_words(orgs)
    scope = Scope(store, words)
    scope.grow(changed)
    if any(scope.records[r].family for r in set(changed) & scope.records.keys()):
        relinking(None)
        return rebuild_identity(store, orgs)
    outside = Outside(families=_record_families(store))
    published = published_families(store)
    while True:
        out, conflicts = Triples(), Conflicts()
        outside.keys = scope.base_targets()
        issued = read_issued(store, sorted(scope.asked), sorted(scope.old_models))
        linked = link(dict(scope.records), orgs, out, published, conflicts, outside, issued=issued)
        taken = scope.taken(linked.minted_from)
        if not taken:
            break
        scope.grow(taken)
    days = tombstones(store, linked.withdrawn, started, out)
    # The scope's records gone, and its former Hub ids' records (a tombstone of one a source
    # retired since goes).
    formers = {mint("record", r.source, f) for r in scope.records.values() for f in r.former}
    gone = (scope.asked | formers) - scope.records.keys()
    went = gone_with(linked.withdrawn, days)
    handled = record_tombstones(store, sorted(gone | went.keys()), started, out, went)
    report = IngestReport("identity")
    report.read = report.ingested = len(scope.records)
    report.counts = linked.counts
    models = sorted(linked.members)
    relinked = scope.old_models | set(models)
    relinking(relinked)
    # The IRIs retired before (their records in the scope) and now.
    mine = relinked | scope.asked | issued.denoted.keys() | issued.aliases.keys()
    mine |= linked.retired.keys() | handled
    new = {t for t in out if t.subject.value in mine}
    old = set(described(store, mine))
    producers = _producers(store, relinked)  # (a model gone leaves one no longer typed)
    store.write(remove={Graphs.IDENTITY: old - new}, add={Graphs.IDENTITY: new - old})
    # Then what reads the links just written: claim conflicts and published verdicts.
    sources = [g for g in store.graph_names() if g.startswith(Graphs.source(""))]
    graphs = [Graphs.IDENTITY, *sources, Graphs.ONTOLOGY]
    for found in (
        claims_conflicts(store, graphs, models),
        weights_link_conflicts(store, graphs, models),
    ):
        conflicts.items += found.items
    extra = Triples()
    verdict_subjects(store, extra, models)
    report.counts["source conflicts"] = conflicts.write(extra)
    new, old = set(extra), set(_about(store, sorted(scope.old_models | set(models))))
    made, before = linked_by(started, graphs[1:])
    # The types the ontology entails, of the models relinked and their producers before
    # and after (a rebuild states them for every node).
    producers |= _producers(store, relinked)
    gone, entailed = entailment(store, sorted(relinked | producers))
    store.write(
        remove={Graphs.IDENTITY: old - new, Graphs.ENTAILED: gone},
        add={Graphs.IDENTITY: new - old, Graphs.PROVENANCE: made, Graphs.ENTAILED: entailed},
        before=before,
    )
    return report


def _producers(store: GraphStore, models: Iterable[str]) -> set[str]:
    rows = store.query(
        f"SELECT DISTINCT ?p WHERE {{ VALUES ?m {{ {iri_values(models)} }} ?m og:producer ?p }}",
        default_graphs=[Graphs.IDENTITY],
    ).rows()
    return {r["p"].value for r in rows}


class Scope:
    """The records an identity update links again, found from the changed ones.

    Records the store holds as no source record (a dated snapshot's: ``beside``, each with
    the model it is of today, if any) join it as stored ones do: found by their keys (worked
    out from them, as the identity graph keeps none for them) and with their model's
    records. Without ``fine_tunes``, the records whose base-model names resolve by the
    scope's keys do not join it: what its models are judged on does not depend on them."""

    def __init__(
        self,
        store: GraphStore,
        words: dict[str, set[str]],
        beside: dict[str, tuple[Record, str | None]] | None = None,
        *,
        fine_tunes: bool = True,
    ) -> None:
        self.store = store
        self.words = words
        self.records: dict[str, Record] = {}  # the scope's records that exist
        self.asked: set[str] = set()  # every record IRI looked at (removed ones too)
        self.old_models: set[str] = set()  # the models the scope's records belonged to
        self.models: dict[str, str] = {}  # each record of the scope -> the model it is of
        self.keys: set[str] = set()  # the scope's lookup keys, before and after
        self.fine_tunes = fine_tunes
        self.beside = beside or {}
        self.beside_keys: dict[str, set[str]] = defaultdict(set)  # key -> records beside
        self.beside_of: dict[str, set[str]] = defaultdict(set)  # model -> its records beside
        for iri, (rec, model) in self.beside.items():
            rec.check_links()
            for key in identity_keys(rec, words):
                self.beside_keys[key].add(iri)
            if model is not None:
                self.beside_of[model].add(iri)

    def grow(self, start: Iterable[str]) -> None:
        """Add ``start`` and every record they concern, until nothing more is added."""
        frontier = set(start) - self.asked
        while frontier:
            batch = sorted(frontier)
            self.asked |= frontier
            stored = [r for r in batch if r not in self.beside]
            found = read_records(self.store, stored)
            for rec in found.values():
                rec.check_links()
            found |= {r: self.beside[r][0] for r in batch if r in self.beside}
            self.records |= found
            keys = {k for rec in found.values() for k in identity_keys(rec, self.words)}
            keys |= {"repo:" + r for rec in found.values() for r in rec.refused}
            models: dict[str, str] = {}
            more: set[str] = set()
            for at in range(0, len(stored), BATCH):
                rows = self.store.query(
                    f"""SELECT ?r ?m ?other ?key WHERE {{
                          VALUES ?r {{ {iri_values(stored[at : at + BATCH])} }}
                          {{ ?r og:recordOf ?m . ?m og:hasRecord ?other }}
                          UNION {{ ?retired og:formerRecord ?r , ?other }}
                          UNION {{ ?r og:identityKey ?key }} }}""",
                    default_graphs=[Graphs.IDENTITY],
                ).rows()
                models |= {r["r"].value: r["m"].value for r in rows if "m" in r}
                more |= {r["other"].value for r in rows if "other" in r}
                keys |= {r["key"].value for r in rows if "key" in r}
            if self.beside:  # the records of their models, stored and beside
                of = {r: m for r in batch if r in self.beside and (m := self.beside[r][1])}
                elsewhere = set(of.values()) - set(models.values())
                more |= {r for _, r in model_records(self.store, elsewhere)}
                models |= of
                more |= {r for m in set(models.values()) for r in self.beside_of.get(m, ())}
            self.models |= models
            self.old_models |= set(models.values())
            # Records matched by a key of the scope, those whose base-model names resolve
            # by one (their lineage may change with it), and those linking a repository of
            # it without following the link (their conflict about it is made again).
            ours = {k for k in keys if k.startswith(("repo:", "name:"))} - self.keys
            self.keys |= keys
            lookups = ours | ({"base-" + k for k in ours} if self.fine_tunes else set())
            lookups |= {"refused-" + k for k in ours if k.startswith("repo:")}
            more |= {r for r, _ in self._by_key(lookups)}
            frontier = more - self.asked

    def _by_key(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        """(record, key) of the records having one of ``keys``: stored, and beside."""
        keys = sorted(keys)
        out = [(r, k) for k in keys for r in sorted(self.beside_keys.get(k, ()))]
        for at in range(0, len(keys), BATCH):
            literals = " ".join(str(ox.Literal(k)) for k in keys[at : at + BATCH])
            rows = self.store.query(
                f"SELECT ?r ?key WHERE {{ VALUES ?key {{ {literals} }} ?r og:identityKey ?key }}",
                default_graphs=[Graphs.IDENTITY],
            ).rows()
            out += [(r["r"].value, r["key"].value) for r in rows]
        return out

    def base_records(self) -> list[tuple[str, str]]:
        """(record, lookup key) of the records outside the scope that the scope's base-model
        names could name, by key (``repo:…`` and ``name:…``)."""
        wanted = set()
        for rec in self.records.values():
            for key in identity_keys(rec, self.words):
                if key.startswith("base-"):
                    wanted.add(key[len("base-") :])
        return [(r, k) for r, k in self._by_key(wanted) if r not in self.asked]

    def base_targets(self) -> dict[str, set[str]]:
        """The models outside the scope that the scope's base-model names could name, by
        lookup key (``repo:…`` and ``name:…``)."""
        pairs = self.base_records()
        models = _models(self.store, sorted({r for r, _ in pairs}))
        out: dict[str, set[str]] = {}
        for record, key in pairs:
            if record in models:
                out.setdefault(key, set()).add(models[record])
        return out

    def taken(self, minted_from: dict[str, str]) -> list[str]:
        """The records of what outside the scope was issued the IRIs the scope's minted IRIs
        (or their numbered forms) are: a release, a retired IRI (the records it denoted) or
        a former Hub id's (its release's)."""
        iris = {iri for base in minted_from.values() for iri in _numbered(base)}
        iris = sorted(iris | set(minted_from))
        found: set[str] = set()
        for at in range(0, len(iris), BATCH):
            rows = self.store.query(
                f"""SELECT ?r WHERE {{ VALUES ?iri {{ {iri_values(iris[at : at + BATCH])} }}
                      {{ ?iri og:hasRecord|og:formerRecord ?r }}
                      UNION {{ ?iri og:supersededBy/(og:hasRecord|og:formerRecord) ?r }} }}""",
                default_graphs=[Graphs.IDENTITY],
            ).rows()
            found |= {row["r"].value for row in rows}
        return sorted(found - self.asked)

    def numbered(self, bases: Iterable[str], free: int) -> list[str]:
        """The records of the stored releases whose IRIs are one of ``bases`` or its numbered
        forms, up to where ``free`` of those forms are no stored release's: the releases a
        release minted from a base can be told from by a number, when fewer than ``free``
        others minted before it took numbers (it takes the first form no other has)."""
        left = dict.fromkeys(bases, free)
        out: set[str] = set()
        start = 1
        while left:
            forms = {b: _numbered(b, start) for b in left}
            pairs = model_records(self.store, {iri for found in forms.values() for iri in found})
            held = {m for m, _ in pairs}
            out |= {r for _, r in pairs}
            left = {b: n - len(set(forms[b]) - held) for b, n in left.items()}
            left = {b: n for b, n in left.items() if n > 0}
            start += NUMBERED + 1
        return sorted(out - self.asked)


def _numbered(base: str, start: int = 1) -> list[str]:
    """``base`` and its numbered forms, NUMBERED + 1 of them from the ``start``-th (the
    first is ``base`` itself, the second ``base-2``)."""
    return [base if n == 1 else f"{base}-{n}" for n in range(start, start + NUMBERED + 1)]


def model_records(store: GraphStore, models: Iterable[str]) -> list[tuple[str, str]]:
    """(model, record) of the stored records of ``models``."""
    return _linked(store, models, "og:hasRecord")


def _linked(store: GraphStore, subjects: Iterable[str], prop: str) -> list[tuple[str, str]]:
    """(subject, object) of the identity graph's ``prop`` links from ``subjects``."""
    subjects = sorted(subjects)
    out: list[tuple[str, str]] = []
    for at in range(0, len(subjects), BATCH):
        rows = store.query(
            f"""SELECT ?s ?o WHERE {{ VALUES ?s {{ {iri_values(subjects[at : at + BATCH])} }}
                  ?s {prop} ?o }}""",
            default_graphs=[Graphs.IDENTITY],
        ).rows()
        out += [(r["s"].value, r["o"].value) for r in rows]
    return out


def has_keys(store: GraphStore) -> bool:
    """Whether the identity graph holds the records' lookup keys (``og:identityKey``): one
    written before them holds none."""
    return bool(store.query("ASK { ?r og:identityKey ?k }", default_graphs=[Graphs.IDENTITY]))


def _models(store: GraphStore, records: Sequence[str]) -> dict[str, str]:
    """record -> the model it belongs to, as stored."""
    return dict(_linked(store, records, "og:recordOf"))


def _record_families(store: GraphStore) -> list[tuple[str, str | None]]:
    """The families source records name, in record IRI order, as a rebuild reads them."""
    # The type asked with EXISTS: as a pattern, Oxigraph started from it (two terms given),
    # every record, where few name a family (2.8 CPU s at 300 000 Hub records, 0.06 now).
    rows = store.query(
        """SELECT ?r ?family ?producer WHERE {
             ?r og:familyName ?family ; og:source/skos:notation ?source ; schema:name ?name .
             FILTER EXISTS { ?r a og:SourceRecord }
             OPTIONAL { ?r og:producer ?producer } }"""
    ).rows()
    last: dict[str, tuple[str, str | None]] = {}
    for row in rows:  # a record's last row, as a rebuild's record keeps its last value
        last[row["r"].value] = (
            row["family"].value,
            row["producer"].value if "producer" in row else None,
        )
    return [last[r] for r in sorted(last)]


def described(
    store: GraphStore, subjects: Iterable[str], graph: str = Graphs.IDENTITY
) -> list[ox.Triple]:
    """The triples of ``graph`` (the identity graph's by default) about ``subjects``."""
    subjects = sorted(subjects)
    out: list[ox.Triple] = []
    for at in range(0, len(subjects), BATCH):
        out += store.query(
            f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
                  VALUES ?s {{ {iri_values(subjects[at : at + BATCH])} }} ?s ?p ?o }}""",
            default_graphs=[graph],
        )
    return out


def _about(store: GraphStore, models: Sequence[str]) -> list[ox.Triple]:
    """The conflicts about ``models`` (with their claims) and the published verdicts
    pointed at them, as the identity graph holds them."""
    out: list[ox.Triple] = []
    for at in range(0, len(models), BATCH):
        chosen = f"VALUES ?m {{ {iri_values(models[at : at + BATCH])} }}"
        out += store.query(
            f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {chosen}
                  {{ ?s og:conflictAbout ?m . ?s ?p ?o }}
                  UNION {{ ?c og:conflictAbout ?m ; og:claim ?s . ?s ?p ?o }}
                  UNION {{ ?s <{EARL}subject> ?m . BIND (<{EARL}subject> AS ?p)
                           BIND (?m AS ?o) }} }}""",
            default_graphs=[Graphs.IDENTITY],
        )
    return out
