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
its releases are the ones a rebuild makes. Where a minted model IRI is one a release outside
the scope has, that release joins the scope and it is linked again (which release gets the
plain IRI and which a number depends on all of them). A change to the families named (no Hub
record names one) falls back to a full rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pyoxigraph as ox

from openness.ingest.conflicts import Conflicts, claims_conflicts, weights_link_conflicts
from openness.ingest.identity import (
    Outside,
    Record,
    identity_keys,
    link,
    producer_words,
    published_families,
    read_records,
    rebuild_identity,
    verdict_subjects,
)
from openness.ingest.organizations import OrganizationIndex, default_organizations
from openness.ingest.rdf import Triples, iri_values
from openness.ingest.report import IngestReport
from openness.namespaces import EARL, Graphs
from openness.store import GraphStore

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
    removed) changed; a full rebuild when the graph has no lookup keys yet or most of it
    changed. Before writing, ``relinking`` is told the models whose links it rewrites: those
    of the scope before and after (a model removed, renamed or merged into another among
    them), or None for a rebuild, which may rewrite any."""
    orgs = orgs or default_organizations()
    if not changed:
        return IngestReport("identity")
    if len(changed) > INCREMENTAL_LIMIT or not _has_keys(store):
        relinking(None)
        return rebuild_identity(store, orgs)
    words = producer_words(orgs)
    scope = _Scope(store, words)
    scope.grow(changed)
    if any(scope.records[r].family for r in set(changed) & scope.records.keys()):
        relinking(None)
        return rebuild_identity(store, orgs)
    outside = Outside(families=_record_families(store))
    published = published_families(store)
    while True:
        out, conflicts = Triples(), Conflicts()
        outside.keys = scope.base_targets()
        linked = link(dict(scope.records), orgs, out, published, conflicts, outside)
        taken = scope.taken(linked.minted_from)
        if not taken:
            break
        scope.grow(taken)
    report = IngestReport("identity")
    report.read = report.ingested = len(scope.records)
    report.counts = linked.counts
    models = sorted(linked.members)
    relinked = scope.old_models | set(models)
    relinking(relinked)
    mine = relinked | scope.asked
    new = {t for t in out if t.subject.value in mine}
    old = set(_described(store, mine))
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
    store.write(remove={Graphs.IDENTITY: old - new}, add={Graphs.IDENTITY: new - old})
    return report


class _Scope:
    """The records an identity update links again, found from the changed ones."""

    def __init__(self, store: GraphStore, words: dict[str, set[str]]) -> None:
        self.store = store
        self.words = words
        self.records: dict[str, Record] = {}  # the scope's records that exist
        self.asked: set[str] = set()  # every record IRI looked at (removed ones too)
        self.old_models: set[str] = set()  # the models the scope's records belonged to
        self.keys: set[str] = set()  # the scope's lookup keys, before and after

    def grow(self, start: Iterable[str]) -> None:
        """Add ``start`` and every record they concern, until nothing more is added."""
        frontier = set(start) - self.asked
        while frontier:
            batch = sorted(frontier)
            self.asked |= frontier
            found = read_records(self.store, batch)
            for rec in found.values():
                rec.check_links()
            self.records |= found
            keys = {k for rec in found.values() for k in identity_keys(rec, self.words)}
            keys |= {"repo:" + r for rec in found.values() for r in rec.refused}
            more: set[str] = set()
            for at in range(0, len(batch), BATCH):
                rows = self.store.query(
                    f"""SELECT ?m ?other ?key WHERE {{
                          VALUES ?r {{ {iri_values(batch[at : at + BATCH])} }}
                          {{ ?r og:recordOf ?m . ?m og:hasRecord ?other }}
                          UNION {{ ?r og:identityKey ?key }} }}""",
                    default_graphs=[Graphs.IDENTITY],
                ).rows()
                self.old_models |= {r["m"].value for r in rows if "m" in r}
                more |= {r["other"].value for r in rows if "other" in r}
                keys |= {r["key"].value for r in rows if "key" in r}
            # Records matched by a key of the scope, those whose base-model names resolve
            # by one (their lineage may change with it), and those linking a repository of
            # it without following the link (their conflict about it is made again).
            ours = {k for k in keys if k.startswith(("repo:", "name:"))} - self.keys
            self.keys |= keys
            lookups = ours | {"base-" + k for k in ours}
            lookups |= {"refused-" + k for k in ours if k.startswith("repo:")}
            more |= {r for r, _ in self._by_key(lookups)}
            frontier = more - self.asked

    def _by_key(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        """(record, key) of the stored records having one of ``keys``."""
        keys = sorted(keys)
        out: list[tuple[str, str]] = []
        for at in range(0, len(keys), BATCH):
            literals = " ".join(str(ox.Literal(k)) for k in keys[at : at + BATCH])
            rows = self.store.query(
                f"SELECT ?r ?key WHERE {{ VALUES ?key {{ {literals} }} ?r og:identityKey ?key }}",
                default_graphs=[Graphs.IDENTITY],
            ).rows()
            out += [(r["r"].value, r["key"].value) for r in rows]
        return out

    def base_targets(self) -> dict[str, set[str]]:
        """The models outside the scope that the scope's base-model names could name, by
        lookup key (``repo:…`` and ``name:…``)."""
        wanted = set()
        for rec in self.records.values():
            for key in identity_keys(rec, self.words):
                if key.startswith("base-"):
                    wanted.add(key[len("base-") :])
        pairs = [(r, k) for r, k in self._by_key(wanted) if r not in self.asked]
        models = _models(self.store, sorted({r for r, _ in pairs}))
        out: dict[str, set[str]] = {}
        for record, key in pairs:
            if record in models:
                out.setdefault(key, set()).add(models[record])
        return out

    def taken(self, minted_from: dict[str, str]) -> list[str]:
        """The records of stored releases outside the scope whose IRIs the scope's minted
        IRIs (or their numbered forms) are."""
        iris = sorted(
            {iri for base in minted_from.values() for iri in _numbered(base)} | set(minted_from)
        )
        rows = []
        for at in range(0, len(iris), BATCH):
            rows += self.store.query(
                f"""SELECT ?r WHERE {{ VALUES ?m {{ {iri_values(iris[at : at + BATCH])} }}
                      ?m og:hasRecord ?r }}""",
                default_graphs=[Graphs.IDENTITY],
            ).rows()
        return sorted({r["r"].value for r in rows} - self.asked)


def _numbered(base: str) -> list[str]:
    return [base] + [f"{base}-{n}" for n in range(2, NUMBERED + 2)]


def _has_keys(store: GraphStore) -> bool:
    return bool(store.query("ASK { ?r og:identityKey ?k }", default_graphs=[Graphs.IDENTITY]))


def _models(store: GraphStore, records: Sequence[str]) -> dict[str, str]:
    """record -> the model it belongs to, as stored."""
    out: dict[str, str] = {}
    for at in range(0, len(records), BATCH):
        rows = store.query(
            f"""SELECT ?r ?m WHERE {{ VALUES ?r {{ {iri_values(records[at : at + BATCH])} }}
                  ?r og:recordOf ?m }}""",
            default_graphs=[Graphs.IDENTITY],
        ).rows()
        out |= {r["r"].value: r["m"].value for r in rows}
    return out


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


def _described(store: GraphStore, subjects: Iterable[str]) -> list[ox.Triple]:
    """The identity graph's triples about ``subjects``."""
    subjects = sorted(subjects)
    out: list[ox.Triple] = []
    for at in range(0, len(subjects), BATCH):
        out += store.query(
            f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
                  VALUES ?s {{ {iri_values(subjects[at : at + BATCH])} }} ?s ?p ?o }}""",
            default_graphs=[Graphs.IDENTITY],
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
