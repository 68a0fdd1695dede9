"""A Hub re-sync re-links only the records it changed, and the identity graph it leaves is the
one a full rebuild makes (``openness.ingest.identity_update``)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import copy_of, select
from support.fake_hub import FakeHub
from test_hub_live import sync
from test_ingest_robustness import graph_quads

from openness.ingest import identity_update
from openness.ingest.identity import rebuild_identity
from openness.namespaces import Graphs
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


def test_a_resync_relinks_what_changed_as_a_rebuild_would(built, monkeypatch) -> None:
    store = copy_of(built)  # every bundled source, so Hub records meet the others' records
    rebuilds: list[int] = []
    full = identity_update.rebuild_identity
    monkeypatch.setattr(
        identity_update, "rebuild_identity", lambda *a, **k: rebuilds.append(1) or full(*a, **k)
    )
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
