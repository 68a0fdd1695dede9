"""A Hub re-sync re-links only the records it changed, and the identity graph it leaves is the
one a full rebuild makes (``openness.ingest.identity_update``)."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest
from conftest import copy_of, select
from support.fake_hub import FakeHub
from test_hub_live import sync
from test_ingest_robustness import graph_quads

from openness.ingest import identity_update
from openness.ingest.identity import rebuild_identity
from openness.namespaces import ID, OG, RDF, SCHEMA, SKOS, Graphs, mint
from openness.store import EmbeddedStore, GraphStore

MOF_REPO = "google/gemma-2b"  # a MOF record's Hub repository the bundled Hub records lack


def rebuilt(store: GraphStore, graph: str = Graphs.IDENTITY) -> set[str]:
    """The identity graph (or ``graph``) a full rebuild of ``store``'s records makes."""
    copy = copy_of(store)
    rebuild_identity(copy)
    return graph_quads(copy, graph)


class Writes:
    """The subjects of the identity-graph triples every write removes or adds."""

    def __init__(self, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.subjects: set[str] = set()
        self.triples = 0
        write = store.write

        def spy(**kwargs: dict) -> int:
            for graphs in (kwargs.get(k) for k in ("replace", "add", "remove")):
                if graphs and Graphs.IDENTITY in graphs:
                    graphs[Graphs.IDENTITY] = list(graphs[Graphs.IDENTITY])
                    self.triples += len(graphs[Graphs.IDENTITY])
                    self.subjects |= {t.subject.value for t in graphs[Graphs.IDENTITY]}
            return write(**kwargs)

        monkeypatch.setattr(store, "write", spy)


def has_base(hub: FakeHub, i: int, version: int) -> bool:
    """Whether model ``i``'s card names a base model at its ``version``."""
    card = hub.templates[hub._pick(i, version)].get("cardData") or {}  # noqa: SLF001
    return i > 0 and bool(card.get("base_model"))


def models_of(store: GraphStore, repos: list[str]) -> set[str]:
    found = set()
    for repo in repos:
        found |= {
            r["m"]
            for r in select(
                store,
                "SELECT ?m WHERE { ?m og:hasRecord/og:sourceId ?id }",
                substitutions={"id": ox.Literal(repo)},
            )
        }
    return found


def counted_rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list an identity update appends to each time it falls back to a full rebuild."""
    rebuilds: list[int] = []
    full = identity_update.rebuild_identity
    monkeypatch.setattr(
        identity_update, "rebuild_identity", lambda *a, **k: rebuilds.append(1) or full(*a, **k)
    )
    return rebuilds


def test_a_resync_relinks_what_changed_as_a_rebuild_would(built, monkeypatch) -> None:
    store = copy_of(built)  # every bundled source, so Hub records meet the others' records
    rebuilds = counted_rebuilds(monkeypatch)
    with FakeHub(150) as hub:
        sync(store, hub)
        assert rebuilds == []  # 150 new records beside the bundled graph: re-linked alone
        assert graph_quads(store, Graphs.IDENTITY) == rebuilt(store)
        parent = next(i for i in range(150) if hub.parent(i) is not None)
        children = [i for i in range(150) if hub.parent(i) == parent]
        hub.change([parent, 3, 40, 41])
        hub.rename(120, MOF_REPO)  # now the Hub record of a MOF model: one model of both
        # The repository CodeT5+-220M's MOF record links without following (its name says
        # 16B): the tool's records' conflicts about it stay, now naming the Hub record too.
        hub.rename(130, "Salesforce/codet5p-16b")
        hub.rename(parent, "neworg/renamed-parent")  # its fine-tunes name its old id
        hub.remove(children[-1] if children else 99)
        hub.add(3)
        before = graph_quads(store, Graphs.IDENTITY)
        sync(store, hub, reconcile=True)
    assert rebuilds == []
    after = graph_quads(store, Graphs.IDENTITY)
    assert after != before and after == rebuilt(store)
    # The types the ontology entails, of the models relinked, merged or gone and of their
    # producers, are as a rebuild states them.
    entailed = graph_quads(store, Graphs.ENTAILED)
    assert len(entailed) > len(graph_quads(built, Graphs.ENTAILED))
    assert entailed == rebuilt(store, Graphs.ENTAILED)
    # The MOF record and the renamed Hub record are one model now.
    merged = models_of(store, [MOF_REPO])
    assert len(merged) == 1
    rows = select(
        store,
        "SELECT ?src WHERE { ?m og:hasRecord/og:source/skos:notation ?src }",
        substitutions={"m": ox.NamedNode(next(iter(merged)))},
    )
    assert {"mof", "hf"} <= {r["src"] for r in rows}


def test_unchanged_models_are_not_rewritten(monkeypatch) -> None:
    from openness.vocabularies import load_vocabularies

    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(200) as hub:
        sync(store, hub)
        # Two models whose new commit adds or drops the base model on their card.
        changed = [i for i in range(1, 200) if has_base(hub, i, 0) != has_base(hub, i, 1)][:2]
        touched_models = models_of(store, [hub.repo_id(i) for i in changed])
        writes = Writes(store, monkeypatch)
        linked: list[int] = []
        real = identity_update.link
        monkeypatch.setattr(
            identity_update,
            "link",
            lambda records, *a, **k: linked.append(len(records)) or real(records, *a, **k),
        )
        hub.change(changed)
        sync(store, hub)
        relinked = models_of(store, [hub.repo_id(i) for i in changed]) | touched_models
        # Their lineage: the models they were derived from and those derived from them.
        near = {hub.repo_id(i) for i in range(200) if hub.parent(i) in changed}
        near |= {hub.repo_id(p) for p in (hub.parent(i) for i in changed) if p is not None}
        relinked |= models_of(store, sorted(near))
    identity = graph_quads(store, Graphs.IDENTITY)
    models = {s.split()[0][1:-1] for s in identity if "#Model>" in s}
    assert writes.subjects  # the changed records were re-linked (their cards changed) ...
    # ... and no triple of another model was removed or written again.
    assert writes.subjects & models <= relinked
    assert writes.triples < len(identity) / 10
    # Only the records concerned were linked again: the changed ones and their lineage's.
    assert linked and max(linked) <= 2 * len(relinked) < 20


def mof_records(store: GraphStore, records: dict[str, tuple[str, str]]) -> None:
    """Make ``records`` (file -> (name, producer)) the MOF graph's source records: written
    as the ingester writes what identity reads of them, with no identity computed."""
    source = ox.NamedNode(mint("source", "mof"))
    out = [ox.Triple(source, ox.NamedNode(SKOS + "notation"), ox.Literal("mof"))]
    for file, (name, producer) in records.items():
        r = ox.NamedNode(mint("record", "mof", file))
        out += [
            ox.Triple(r, ox.NamedNode(RDF + "type"), ox.NamedNode(OG + "SourceRecord")),
            ox.Triple(r, ox.NamedNode(OG + "source"), source),
            ox.Triple(r, ox.NamedNode(SCHEMA + "name"), ox.Literal(name)),
            ox.Triple(r, ox.NamedNode(OG + "producer"), ox.NamedNode(mint("org", producer))),
        ]
    store.write(replace={Graphs.source("mof"): out})


def holders(store: GraphStore) -> dict[str, set[str]]:
    """Each model of the identity graph (its IRI's last segment) -> its MOF records' files."""
    rows = select(store, "SELECT ?m ?r WHERE { ?m a og:Model ; og:hasRecord ?r }")
    out: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        out[row["m"].rsplit("/", 1)[1]].add(row["r"].removeprefix(ID + "record/mof/"))
    return dict(out)


def test_a_numbered_iri_outside_the_scope_is_neither_given_again_nor_lost(monkeypatch) -> None:
    """Three models minted from one base (``to5``) whose names share no lookup key (the
    accents a slug drops split their tokens), so each is its own scope: a record of the
    third (``to5-3``) renamed is re-linked beside neither ``to5`` nor ``to5-2``, which its
    number is walked through. It keeps ``to5-3`` (a number issued outside the scope is not
    the end of the walk), and a new model of the first one's name skips ``to5-2`` and
    ``to5-3`` though neither is in its scope — as a rebuild links them."""
    from openness.vocabularies import load_vocabularies

    store = EmbeddedStore(None)
    load_vocabularies(store)
    first = {"a": ("To5", "p1"), "b": ("Tö5", "p2"), "d": ("To\u03085", "p3")}
    mof_records(store, first)
    rebuild_identity(store)
    assert holders(store) == {"to5": {"a"}, "to5-2": {"b"}, "to5-3": {"d"}}
    rebuilds = counted_rebuilds(monkeypatch)
    scopes: list[set[str]] = []
    real = identity_update.link
    monkeypatch.setattr(
        identity_update,
        "link",
        lambda records, *a, **k: scopes.append(set(records)) or real(records, *a, **k),
    )
    renamed = {"a": first["a"], "b": first["b"], "d2": first["d"]}
    mof_records(store, renamed)
    identity_update.update_identity(store, [mint("record", "mof", f) for f in ("d", "d2")])
    assert holders(store) == {"to5": {"a"}, "to5-2": {"b"}, "to5-3": {"d2"}}
    assert graph_quads(store, Graphs.IDENTITY) == rebuilt(store)
    assert scopes[0] == {mint("record", "mof", "d2")}  # to5 and to5-2 outside it at first
    added = {**renamed, "e": ("TO5", "p4")}
    mof_records(store, added)
    identity_update.update_identity(store, [mint("record", "mof", "e")])
    assert holders(store) == {"to5": {"a"}, "to5-2": {"b"}, "to5-3": {"d2"}, "to5-4": {"e"}}
    assert graph_quads(store, Graphs.IDENTITY) == rebuilt(store)
    assert rebuilds == []


def test_a_number_past_those_looked_for_beside_a_base_is_kept_too(monkeypatch) -> None:
    """Thirteen models minted from one base, their names sharing no lookup key (an ``ß``
    a slug drops splits their tokens at another place each): the thirteenth's record
    renamed, it keeps ``-13``, past the NUMBERED forms an update looks for beside a base —
    each IRI it is minted to on the way (``-11``, ``-12``) brings that model into the scope
    — as a rebuild links them."""
    from openness.vocabularies import load_vocabularies

    store = EmbeddedStore(None)
    load_vocabularies(store)
    word = "abcdefghijklm"
    names = [word] + [word[:at] + "ß" + word[at:] for at in range(1, len(word))]
    records = {f"r{i:02}": (name, f"p{i}") for i, name in enumerate(names)}
    mof_records(store, records)
    rebuild_identity(store)
    assert holders(store)[f"{word}-13"] == {"r12"}
    records["r12-renamed"] = records.pop("r12")
    mof_records(store, records)
    rebuilds = counted_rebuilds(monkeypatch)
    identity_update.update_identity(
        store, [mint("record", "mof", r) for r in ("r12", "r12-renamed")]
    )
    assert rebuilds == []
    assert holders(store)[f"{word}-13"] == {"r12-renamed"}
    assert len(holders(store)) == len(names)
    assert graph_quads(store, Graphs.IDENTITY) == rebuilt(store)
