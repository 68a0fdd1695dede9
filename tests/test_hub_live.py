"""``openness ingest hf --live``: the streaming, resumable, incremental Hub sync, against a
fake Hub that ``huggingface_hub`` talks to over HTTP (no network)."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import copy_of, select
from huggingface_hub.errors import HfHubHTTPError
from support.fake_hub import FakeHub
from support.hub_replay import HubReplay
from test_faults import completes, kill_inside_a_write
from test_ingest_robustness import graph_quads

from openness.assess.report import verdict_rows
from openness.assess.run import Assessment
from openness.assess.service import run_assessment
from openness.cli import cli
from openness.ingest import hf_live
from openness.ingest.batch import YOUNG
from openness.ingest.hf_live import (
    GRAPH,
    STATE_GRAPH,
    HubUnreachable,
    Progress,
    RetryPolicy,
    SyncState,
    record_iri,
    sync_hub,
)
from openness.ingest.identity import rebuild_identity
from openness.ingest.organizations import default_organizations
from openness.ingest.renames import default_renames
from openness.ingest.runner import PROVENANCE_GRAPH, ingest_source
from openness.namespaces import OG, RDF, Graphs, mint
from openness.resources import sources_dir
from openness.store import EmbeddedStore, GraphStore
from openness.vocabularies import load_vocabularies


class Waits(list):
    """Records the waits the sync asks for instead of sleeping."""

    def policy(self, **kwargs: float) -> RetryPolicy:
        return RetryPolicy(sleep=self.append, **kwargs)


def sync(store: GraphStore, hub: FakeHub, waits: Waits | None = None, **kwargs: object):
    kwargs.setdefault("page_size", 25)
    kwargs.setdefault("progress", True)  # on standard error, which pytest captures
    kwargs.setdefault("assess", False)
    retry = (waits if waits is not None else Waits()).policy()
    kwargs.setdefault("endpoint", hub.url)
    return sync_hub(store, retry=retry, echo=lambda m: None, **kwargs)


def repo_ids(store: GraphStore) -> set[str]:
    rows = select(
        store, "SELECT ?id WHERE { ?r a og:SourceRecord ; og:sourceId ?id }", default_graphs=[GRAPH]
    )
    return {r["id"] for r in rows}


def fresh_graph(hub: FakeHub, **kwargs: object) -> set[str]:
    """The Hub graph an uninterrupted first sync of ``hub`` writes."""
    store = EmbeddedStore(None)
    sync(store, hub, **kwargs)
    return graph_quads(store, GRAPH)


def test_pages_of_the_listing_become_records(store: GraphStore) -> None:
    with FakeHub(120) as hub:
        report = sync(store, hub)
        assert report.pages == 5 and hub.pages == 5  # 120 models, 25 a page
        assert report.listed == report.written == 120
        assert repo_ids(store) == {hub.repo_id(i) for i in range(120)}
        state = SyncState.load(store, None)
        assert state.phase is None and state.cursor is None
        assert state.watermark == "2024-01-01T00:01:59+00:00"  # model 119, the newest


def test_authors_and_datasets_link_to_the_known_entities() -> None:
    store = EmbeddedStore(None)
    with FakeHub(40) as hub:
        sync(store, hub)
        allenai = next(i for i in range(40) if hub.repo_id(i).startswith("allenai/"))
        with_data = next(
            i for i in range(40) if (hub.body(i).get("cardData") or {}).get("datasets")
        )
        dataset = hub.body(with_data)["cardData"]["datasets"][0]
    rows = select(
        store,
        "SELECT ?org ?ns WHERE { ?r og:producer ?org . ?org og:hubNamespace ?ns }",
        substitutions={"r": ox.NamedNode(record_iri(hub.repo_id(allenai)))},
    )
    assert rows == [{"org": default_organizations().by_hub("allenai").iri, "ns": "allenai"}]
    rows = select(
        store,
        "SELECT ?repo WHERE { ?r fair4ml:trainedOn ?d . ?d og:huggingFaceRepo ?repo }",
        substitutions={"r": ox.NamedNode(record_iri(hub.repo_id(with_data)))},
    )
    # The dataset entity every source names by this id (its current one when it moved).
    assert {"repo": default_renames().current("dataset", dataset)} in rows


def test_a_later_run_fetches_only_what_changed(store: GraphStore) -> None:
    with FakeHub(200) as hub:
        sync(store, hub)
        hub.change([3, 77, 150])
        added = hub.add(2)
        report = sync(store, hub)
        # Newest first: the five changed models and the watermark's own fill the first page.
        assert hub.pages == 8 + 1 and report.pages == 1
        assert report.written == 5
        assert repo_ids(store) >= {hub.repo_id(i) for i in added}
        assert graph_quads(store, GRAPH) == fresh_graph(hub)


def test_a_later_run_says_how_many_models_changed_not_the_page(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental run lists a page of which only the newest models changed since the
    last: its summary said "25 listed in 1 pages" and its bar 25 for the 3 changed (a
    first page of 500 for 20, in the audit); now the summary counts the changed and the bar
    the models looked at, the page beside."""
    counted: list[int] = []
    real = Progress.update

    def update(self: Progress, n: int, reached: dt.datetime | None = None) -> None:
        counted.append(n)
        real(self, n, reached)

    with FakeHub(200) as hub:
        sync(store, hub)
        hub.change([3, 77, 150])
        monkeypatch.setattr(Progress, "update", update)
        report = sync(store, hub)
    assert (report.changed, report.listed, report.written) == (3, 25, 3)
    assert report.summary().startswith("hf --live: 3 new or modified of 25 listed in 1 pages")
    assert counted == [4]  # the models looked at down to the watermark's, which is unchanged


def test_a_later_run_with_nothing_changed_says_none_changed(store: GraphStore) -> None:
    """The watermark's own model, listed again unchanged, is not counted as modified (a
    run after none changed said "1 new or modified of 25 listed")."""
    with FakeHub(60) as hub:
        sync(store, hub)
        report = sync(store, hub)
    assert (report.changed, report.written, report.unchanged) == (0, 0, 1)
    assert report.summary().startswith("hf --live: 0 new or modified of 25 listed in 1 pages")


def test_a_429_storm_is_waited_out_as_retry_after_asks() -> None:
    store, waits = EmbeddedStore(None), Waits()
    with FakeHub(60) as hub:
        hub.storm(30, retry_after=7)
        report = sync(store, hub, waits)
        assert waits == [7.0] * 30
        assert report.written == 60
        assert graph_quads(store, GRAPH) == fresh_graph(hub)


def test_each_wait_is_said_as_it_begins(capsys: pytest.CaptureFixture[str]) -> None:
    # A storm's waits (Retry-After may ask minutes) left the bar still, saying nothing
    # until the run's end.
    store = EmbeddedStore(None)
    with FakeHub(30) as hub:
        hub.storm(2, retry_after=300)
        hub.fail(1, status=502)
        sync(store, hub)
    said = [line for line in capsys.readouterr().err.splitlines() if "waiting" in line]
    assert said == [
        f"hf --live: the Hub at {hub.url}: rate-limited (HTTP 429, 1 in a row); waiting 300 s",
        f"hf --live: the Hub at {hub.url}: rate-limited (HTTP 429, 2 in a row); waiting 300 s",
        f"hf --live: the Hub at {hub.url}: HTTP 502 (try 1 of 6); waiting 1 s",
    ]


def test_transient_errors_back_off_exponentially_within_bounds() -> None:
    store, waits = EmbeddedStore(None), Waits()
    with FakeHub(60) as hub:
        hub.fail(2, status=503)
        hub.drop(1)
        hub.fail(1, status=502)
        sync(store, hub, waits)
        assert waits == [1.0, 2.0, 4.0, 8.0]
        assert graph_quads(store, GRAPH) == fresh_graph(hub)


def test_a_run_that_gives_up_resumes_from_its_cursor() -> None:
    store, waits = EmbeddedStore(None), Waits()
    with FakeHub(100) as hub:
        sync(store, hub, limit=40)  # two pages, then stop: the cursor is kept
        assert SyncState.load(store, None).cursor is not None
        hub.fail(10)
        with pytest.raises(HfHubHTTPError):
            sync_hub(
                store,
                endpoint=hub.url,
                page_size=25,
                assess=False,
                retry=waits.policy(attempts=3),
                echo=lambda m: None,
            )
        assert waits == [1.0, 2.0]  # three attempts, then the error
        hub.faults.clear()
        pages_before = hub.pages
        report = sync(store, hub)
        assert report.pages == 2 and hub.pages - pages_before == 2  # pages 3 and 4 only
        assert graph_quads(store, GRAPH) == fresh_graph(hub)


@pytest.mark.parametrize(
    "body", [b'{"error": "Internal Error - We are working on it"}', b"<html>Bad gateway</html>"]
)
def test_a_page_that_is_no_listing_stops_the_run_and_loses_no_model(body: bytes) -> None:
    # Read as a last page, an error object ended the first pass at its first page with
    # exit 0, and the watermark hid the older models from every later run.
    store = EmbeddedStore(None)
    with FakeHub(100) as hub:
        sync(store, hub, limit=25)
        cursor = SyncState.load(store, None).cursor
        assert cursor is not None
        hub.answer(1, body)
        # No progress bar, so no oldest-first probe: the body answers the page the cursor is.
        with pytest.raises(hf_live.NotAListing, match="no model listing") as error:
            sync(store, hub, progress=False)
        assert cursor in str(error.value)
        assert SyncState.load(store, None).cursor == cursor
        sync(store, hub)
        assert graph_quads(store, GRAPH) == fresh_graph(hub)


def test_renamed_repositories_move_with_their_former_ids(store: GraphStore) -> None:
    with FakeHub(80) as hub:
        sync(store, hub)
        old = hub.repo_id(11)
        hub.rename(11, "neworg/moved-model")
        # The Hub does not touch lastModified on a move: only the reconcile pass sees it.
        assert sync(store, hub).renamed == 0
        report = sync(store, hub, reconcile=True)
        assert report.renamed == 1 and report.removed == 0
        ids = repo_ids(store)
        assert "neworg/moved-model" in ids and old not in ids
        rows = select(
            store,
            "SELECT ?f WHERE { ?r og:formerHubId ?f }",
            substitutions={"r": ox.NamedNode(record_iri("neworg/moved-model"))},
        )
        assert rows == [{"f": old}]
        # Moved again, and changed: the listing shows it under a third id with its _id.
        hub.rename(11, "thirdorg/moved-again")
        hub.change([11])
        report = sync(store, hub)
        assert report.renamed == 1
        rows = select(
            store,
            "SELECT ?f WHERE { ?r og:formerHubId ?f } ORDER BY ?f",
            substitutions={"r": ox.NamedNode(record_iri("thirdorg/moved-again"))},
        )
        assert rows == [{"f": "neworg/moved-model"}, {"f": old}]
        assert len(repo_ids(store)) == 80


def test_removed_repositories_are_removed(store: GraphStore) -> None:
    with FakeHub(80) as hub:
        sync(store, hub)
        gone = [hub.repo_id(5), hub.repo_id(60)]
        hub.remove(5)
        hub.remove(60)
        report = sync(store, hub, reconcile=True)
        assert report.removed == 2
        assert not set(gone) & repo_ids(store) and len(repo_ids(store)) == 78
        leftovers = select(
            store,
            "SELECT ?s WHERE { ?s ?p ?o FILTER (CONTAINS(STR(?s), ?x) || CONTAINS(STR(?s), ?y)) }",
            default_graphs=[GRAPH],
            substitutions={
                "x": ox.Literal("--" + gone[0].split("/")[1].lower()),
                "y": ox.Literal("--" + gone[1].split("/")[1].lower()),
            },
        )
        assert leftovers == []  # licence statements and components went with the records
        marks = select(store, "SELECT ?r WHERE { ?s og:syncSeen ?r }", default_graphs=[STATE_GRAPH])
        assert marks == []
        assert graph_quads(store, GRAPH) == fresh_graph(hub)


def test_a_moved_datasets_old_iri_is_retired_and_goes_with_the_dataset(store: GraphStore) -> None:
    """Cards naming c4, which the Hub moved to allenai/c4: the sync states c4's IRI
    superseded by the dataset, and removes that with the dataset once no record names it
    (the statement is no link holding the dataset)."""
    old, new = mint("dataset", "c4"), mint("dataset", "allenai/c4")
    retired = f"SELECT ?d WHERE {{ <{old}> og:supersededBy ?d }}"
    with FakeHub(80) as hub:
        sync(store, hub)
        naming = [i for i in range(80) if "dataset:c4" in hub.body(i).get("tags", [])]
        assert naming
        assert select(store, retired, default_graphs=[GRAPH]) == [{"d": new}]
        for i in naming:
            hub.remove(i)
        sync(store, hub, reconcile=True)
        assert select(store, retired, default_graphs=[GRAPH]) == []
        assert graph_quads(store, GRAPH) == fresh_graph(hub)


def test_a_licence_statement_goes_with_the_last_record_stating_it(store: GraphStore) -> None:
    """Records stating a licence alike share its statement: removing records keeps the
    statements others still state and removes those only they stated, in the same write,
    as it does the organizations and datasets no record links to any more."""
    with FakeHub(80) as hub:
        sync(store, hub)
        links = select(
            store, "SELECT ?x ?s WHERE { ?x og:licenseStatement ?s }", default_graphs=[GRAPH]
        )
        holders: dict[str, set[str]] = {}
        for r in links:  # a statement -> the records stating it (or one of their components)
            holders.setdefault(r["s"], set()).add(r["x"].split("/component/")[0])
        rarest = min(holders, key=lambda s: len(holders[s]))
        gone = holders[rarest]
        assert len(gone) < 10  # a few records of the 80
        kept = {s for s, records in holders.items() if records - gone}
        index = {record_iri(hub.repo_id(i)): i for i in range(80)}
        for record in gone:
            hub.remove(index[record])
        sync(store, hub, reconcile=True)
        left = select(store, "SELECT ?s WHERE { ?s ?p ?o }", default_graphs=[GRAPH])
        subjects = {r["s"] for r in left}
        assert rarest not in subjects and not any(s.startswith(rarest + "#") for s in subjects)
        assert kept <= subjects and len(kept) > 1
        # Their organizations went too when none of their models is left.
        assert graph_quads(store, GRAPH) == fresh_graph(hub)


def test_changed_models_and_their_descendants_are_reassessed(monkeypatch) -> None:
    assessed: list[list[str] | None] = []
    monkeypatch.setattr(
        hf_live,
        "run_assessment",
        lambda store, ids, models, echo: assessed.append(models) or Assessment([]),
    )
    store = EmbeddedStore(None)
    load_vocabularies(store)  # the source concepts identities are linked by
    with FakeHub(120) as hub:
        sync(store, hub, assess=True)
        # A first sync rebuilds the identity graph, which may link any model anew: every
        # model is assessed (those whose evidence did not change are kept).
        assert assessed == [None]
        parents = {hub.parent(i): i for i in range(120) if hub.parent(i) is not None}
        parent = next(p for p, c in parents.items() if c in parents)  # with a grandchild
        child, grandchild = parents[parent], parents[parents[parent]]
        hub.change([parent])
        sync(store, hub, assess=True)
    models = {
        r["m"]: r["id"]
        for r in select(store, "SELECT ?m ?id WHERE { ?m og:hasRecord/og:sourceId ?id }")
    }
    redone = {models[m] for m in assessed[1]}
    assert {hub.repo_id(parent), hub.repo_id(child), hub.repo_id(grandchild)} <= redone
    descendants = {hub.repo_id(i) for i in range(120) if _descends(hub, i, parent)}
    assert redone == {hub.repo_id(parent)} | descendants
    assert (
        select(store, "SELECT ?r WHERE { ?s og:syncPending ?r }", default_graphs=[STATE_GRAPH])
        == []
    )


def _stored_verdicts(store: GraphStore) -> dict[tuple[str, str], tuple]:
    """Each stored (model, definition) verdict with what it says and the records it read."""
    read: dict[tuple[str, str], set[str]] = {}
    for r in select(
        store,
        "SELECT ?m ?d ?r WHERE { ?a earl:subject ?m ; og:definitionId ?d ; og:evidence ?r }",
        default_graphs=[Graphs.ASSESSMENTS],
    ):
        read.setdefault((r["m"], r["d"]), set()).add(r["r"])
    return {
        (r["model"], r["definition"]): (
            r["outcome"],
            r["level"],
            r["score"],
            r["inScope"],
            tuple(r["reasons"]),
            frozenset(read.get((r["model"], r["definition"]), ())),
        )
        for r in verdict_rows(store)
    }


def _hub_store(with_mof: bool = False) -> EmbeddedStore:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    if with_mof:  # Hub records then merge with the tool's releases of the same repository
        ingest_source(store, "mof")
        rebuild_identity(store)
    return store


def _base_removed(hub: FakeHub, store: GraphStore) -> None:
    sync(store, hub, assess=True)
    assert hub.parent(4) == 1  # a fine-tune of model 1
    hub.remove(1)
    sync(store, hub, assess=True, reconcile=True)


def _base_name_made_ambiguous(hub: FakeHub, store: EmbeddedStore) -> None:
    # Model 4's card names model 1, which is never listed: its base is found by name.
    name = hub.repo_id(1).split("/", 1)[1]
    hub.remove(1)
    sync(store, hub, assess=True)
    hub.rename(30, f"google/{name}")
    sync(store, hub, assess=True, reconcile=True)
    hub.rename(31, f"allenai/{name}")  # two models of that name: the link goes
    sync(store, hub, assess=True, reconcile=True)


def _twin_renames_a_base(hub: FakeHub, store: EmbeddedStore) -> None:
    sync(store, hub, assess=True)
    # A model of the same name tokens as model 13 (a base, with a grand-fine-tune) arrives:
    # model 13's release is named anew.
    hub.rename(33, hub.repo_id(13).replace("-", "_"))
    sync(store, hub, assess=True, reconcile=True)


def _merged_record_removed_while_not_assessing(hub: FakeHub, store: EmbeddedStore) -> None:
    hub.rename(20, "LLM360/Amber")  # merges with the tool's Amber
    sync(store, hub, assess=True)
    run_assessment(store, None, None, echo=lambda m: None)  # the tool's releases too
    hub.remove(20)
    sync(store, hub, assess=False, reconcile=True)
    hub.change([5])
    sync(store, hub, assess=True)


@pytest.mark.parametrize(
    "steps,size,with_mof",
    [
        (_base_removed, 40, False),
        (_base_name_made_ambiguous, 40, False),
        (_twin_renames_a_base, 60, False),
        (_merged_record_removed_while_not_assessing, 30, True),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_a_resync_leaves_the_verdicts_an_assessment_of_every_model_gives(
    steps, size: int, with_mof: bool
) -> None:
    """A re-sync re-assesses the models whose records or links changed (a base removed, a
    release named anew, a model merged away): what it leaves stored, and only that, is what
    assessing every model again gives."""
    store = _hub_store(with_mof)
    with FakeHub(size) as hub:
        steps(hub, store)
    forced = copy_of(store)
    run_assessment(forced, None, None, echo=lambda m: None, force=True)
    assert _stored_verdicts(store) == _stored_verdicts(forced)


@pytest.mark.parametrize("store", ["remote"], indirect=True)
def test_a_resync_into_a_remote_engine_leaves_what_assessing_every_model_gives(
    store: GraphStore,
) -> None:
    load_vocabularies(store)
    with FakeHub(40) as hub:
        _base_removed(hub, store)
    forced = EmbeddedStore(None)
    forced._store.load(store.export(ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)  # noqa: SLF001
    run_assessment(forced, None, None, echo=lambda m: None, force=True)
    assert _stored_verdicts(store) == _stored_verdicts(forced)


def _descends(hub: FakeHub, i: int, ancestor: int) -> bool:
    p = hub.parent(i)
    return p is not None and (p == ancestor or _descends(hub, p, ancestor))


def test_the_sync_assesses_for_real(built_store: GraphStore) -> None:
    with FakeHub(4) as hub:
        sync(built_store, hub, assess=True)
    rows = {r["model"] for r in _verdicts(built_store)}
    models = {
        r["m"]
        for r in select(
            built_store,
            "SELECT ?m WHERE { ?m og:hasRecord/og:sourceId ?id }",
            substitutions={"id": ox.Literal(hub.repo_id(2))},
        )
    }
    assert models and models <= rows


def _verdicts(store: GraphStore) -> list[dict]:
    return verdict_rows(store)


@pytest.fixture
def built_store() -> GraphStore:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    return store


def test_killed_inside_a_write_resumes_to_the_same_graph(tmp_path: Path) -> None:
    # Three pages of 200: a page's write takes ~1 s on a loaded machine (0.3 s unloaded),
    # far past the 50 ms before the kill; 3000 models cost ~55 CPU s for the same writes.
    with FakeHub(600) as hub:
        args = [
            "ingest",
            "hf",
            "--live",
            "--endpoint",
            hub.url,
            "--page-size",
            "200",
            "--no-assess",
        ]
        # write 1 loads the vocabularies into the fresh store; then come the start of the
        # pass (write 2) and the pages, each one write that only adds (its records and the
        # new state, bulk-loaded): write 4 is the second page's, as the assertions below
        # check.
        kill_inside_a_write(tmp_path / "db", args, tmp_path / "w", 4)
        state = EmbeddedStore(tmp_path / "db", read_only=True)
        try:
            assert len(repo_ids(state)) == 200  # the first page, whole; nothing of the second
            assert SyncState.load(state, None).cursor is not None
        finally:
            state.close()
        completes(tmp_path / "db", *args)
        expected = EmbeddedStore(None)
        load_vocabularies(expected)  # as the command does into a fresh store
        sync(expected, hub, page_size=200)
    resumed = EmbeddedStore(tmp_path / "db", read_only=True)
    try:
        assert graph_quads(resumed, GRAPH) == graph_quads(expected, GRAPH)
        assert graph_quads(resumed, Graphs.IDENTITY) == graph_quads(expected, Graphs.IDENTITY)
    finally:
        resumed.close()


class DiesWritingAPage(EmbeddedStore):
    """A store whose process dies (an exception here) as its ``nth`` write of Hub records
    begins."""

    def __init__(self, nth: int) -> None:
        super().__init__(None)
        self.left = nth

    def write(self, **kwargs: object) -> int:
        if (kwargs.get("add") or {}).get(GRAPH):
            self.left -= 1
            if self.left == 0:
                raise KeyboardInterrupt
        return super().write(**kwargs)


class DiesWritingIdentities(EmbeddedStore):
    """A store whose process dies as its ``nth`` write to the identity graph begins."""

    def __init__(self, nth: int) -> None:
        super().__init__(None)
        self.left = nth

    def write(self, **kwargs: object) -> int:
        if (kwargs.get("add") or {}).get(Graphs.IDENTITY):
            self.left -= 1
            if self.left == 0:
                raise KeyboardInterrupt
        return super().write(**kwargs)


def test_an_identity_graph_written_in_pieces_is_finished_by_the_next_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first sync's identity graph larger than a piece is written in pieces (each all or
    nothing); killed between two, the next run brings it to what an uninterrupted run
    writes."""
    monkeypatch.setattr("openness.store.base.PIECE", 40)
    store = DiesWritingIdentities(3)
    load_vocabularies(store)
    expected = EmbeddedStore(None)
    load_vocabularies(expected)
    with FakeHub(60) as hub:
        with pytest.raises(KeyboardInterrupt):
            sync(store, hub)
        sync(expected, hub)
        partial = graph_quads(store, Graphs.IDENTITY)
        assert partial  # two pieces written, kept
        assert partial != graph_quads(expected, Graphs.IDENTITY)
        sync(store, hub)
    assert graph_quads(store, Graphs.IDENTITY) == graph_quads(expected, Graphs.IDENTITY)


def states(store: GraphStore) -> list[str]:
    rows = select(store, "SELECT ?s WHERE { ?s a og:HubSyncState }", default_graphs=[STATE_GRAPH])
    return [r["s"] for r in rows]


def test_the_states_a_killed_run_left_are_read_and_removed() -> None:
    # Pages that only add leave the states they supersede to the end of the run: killed
    # before the third page, the run left the start's state and the first page's.
    store = DiesWritingAPage(3)
    with FakeHub(100) as hub:
        with pytest.raises(KeyboardInterrupt):
            sync(store, hub)
        assert len(repo_ids(store)) == 50 and len(states(store)) == 3
        state = SyncState.load(store, None)
        assert state.step == 3 and state.cursor is not None
        stale = {t.subject.value for t in state.stale} - {state.iri}
        assert stale == set(states(store)) - {state.node()}
        pages_before = hub.pages
        report = sync(store, hub)
        assert report.pages == 2 and hub.pages - pages_before == 2  # pages 3 and 4 only
        assert report.written == 50 and report.unchanged == 0
        assert graph_quads(store, GRAPH) == fresh_graph(hub)
        assert len(states(store)) == 1
        expected = EmbeddedStore(None)
        sync(expected, hub)  # as many states stored (the start and 4 pages): the same step
        assert graph_quads(store, STATE_GRAPH) == graph_quads(expected, STATE_GRAPH)


def test_a_state_stored_before_states_were_numbered_is_read_and_replaced() -> None:
    store = EmbeddedStore(None)
    with FakeHub(60) as hub:
        sync(store, hub)
        watermark = SyncState.load(store, None).watermark
        # As such a state was: the scope's node holding its properties (the pending marks
        # of the records go too: nothing else left to re-link).
        scope = SyncState(hf_live.state_iri(None))
        node = ox.NamedNode(scope.iri)
        old = [
            ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(OG + "HubSync")),
            ox.Triple(node, ox.NamedNode(OG + "syncWatermark"), ox.Literal(watermark)),
        ]
        store.write(replace={STATE_GRAPH: old})
        assert states(store) == []
        assert SyncState.load(store, None).watermark == watermark
        hub.change([7])
        report = sync(store, hub)
        assert report.written == 1 and report.pages == 1
        assert len(states(store)) == 1
        rows = select(
            store,
            "SELECT ?p WHERE { ?s ?p ?o }",
            default_graphs=[STATE_GRAPH],
            substitutions={"s": ox.NamedNode(scope.iri)},
        )
        # The changed record awaits its assessment (--no-assess), and so does every model:
        # without the vocabularies no record is linked, so the identity graph has no lookup
        # keys and is rebuilt; nothing of the old state.
        assert {r["p"] for r in rows} == {
            RDF + "type",
            OG + "syncState",
            OG + "syncPending",
            OG + "syncReassessAll",
        }


class SeesThreshold(EmbeddedStore):
    """A store noting the garbage collector's young threshold at each write."""

    def __init__(self) -> None:
        super().__init__(None)
        self.thresholds: set[int] = set()

    def write(self, **kwargs: object) -> int:
        self.thresholds.add(gc.get_threshold()[0])
        return super().write(**kwargs)


def test_the_sync_collects_garbage_in_larger_batches_then_as_before() -> None:
    store, before = SeesThreshold(), gc.get_threshold()
    with FakeHub(30) as hub:
        sync(store, hub)
    assert store.thresholds == {YOUNG} and YOUNG > before[0]
    assert gc.get_threshold() == before


def test_recorded_hub_answers_sync_through_the_cli(tmp_path: Path) -> None:
    recorded = sources_dir() / "hf" / "hub_api_recorded"
    with HubReplay(recorded) as hub:
        args = [
            "--store",
            str(tmp_path / "db"),
            "ingest",
            "hf",
            "--live",
            "--author",
            "google",
            "--endpoint",
            hub.url,
            "--no-assess",
        ]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "4 listed in 2 pages, 4 written" in result.stderr
    store = EmbeddedStore(tmp_path / "db")
    rows = select(store, "SELECT ?id ?lic WHERE { ?r og:sourceId ?id ; dcterms:license ?lic }")
    store.close()
    assert {"id": "google/flan-t5-xxl", "lic": "https://spdx.org/licenses/Apache-2.0"} in rows


def test_ingesting_the_bundled_hub_source_starts_the_sync_afresh() -> None:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(30) as hub:
        sync(store, hub)
        ingest_source(store, "hf")  # replaces the Hub graph with the bundled snapshot
        assert SyncState.load(store, None).watermark is None
        assert sync(store, hub).written == 30


def test_a_sync_leaves_no_size_of_the_hub_graph_it_outgrew() -> None:
    """The provenance graph gave the Hub graph the bundled ingest's size; a sync adds to
    the graph, so that size goes (the VoID description counts the graph as it is)."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_source(store, "hf")
    with FakeHub(30) as hub:
        sync(store, hub)
    sizes = select(
        store,
        f"""SELECT ?n WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
              <{GRAPH}> <http://rdfs.org/ns/void#triples> ?n }} }}""",
    )
    assert {int(r["n"]) for r in sizes} <= {store.graph_sizes()[GRAPH]}


def test_the_hub_graph_is_described_as_the_last_sync_made_it() -> None:
    """Each sync replaces what the provenance graph says made the Hub graph, as an ingest
    does for its source graph: after two syncs the graph has one generation, the second
    run's, derived from the listing it read (every sync added another)."""
    store = EmbeddedStore(None)
    with FakeHub(30) as hub:
        sync(store, hub)
        sync(store, hub)
        listing = f"{hub.url}/api/models"
    rows = select(
        store,
        f"""SELECT ?run ?started ?from WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
              <{GRAPH}> prov:wasGeneratedBy ?run ; prov:wasDerivedFrom ?from .
              ?run prov:startedAtTime ?started }} }}""",
    )
    runs = select(
        store,
        f"""SELECT ?started WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
              ?run a og:IngestionRun ; prov:used <{listing}> ; prov:startedAtTime ?started }} }}""",
    )
    assert len(runs) == 2  # the earlier run stays described
    assert [(r["started"], r["from"]) for r in rows] == [(max(r["started"] for r in runs), listing)]


def test_progress_estimates_the_rest_from_how_far_back_the_listing_came() -> None:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with Progress("test", enabled=False, oldest=t0) as bar:
        bar.update(10, t0 + dt.timedelta(seconds=100))  # the first page: no span yet
        assert bar.bar.total is None
        # 10 models in the 20 s since the first page ended; 80 s to go. Counting the first
        # page's in that span too said 100 (a first sync of 3 000 models was 5 000 at 1 000).
        bar.update(10, t0 + dt.timedelta(seconds=80))
        assert bar.bar.total == 20 + 40
        bar.update(10, t0 + dt.timedelta(seconds=60))
        assert bar.bar.total == 30 + 30


def test_an_interrupted_sync_says_it_goes_on_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C said only click's "Aborted!", nothing of what was kept.
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(hf_live, "sync_hub", interrupted)
    result = CliRunner().invoke(cli, ["--store", str(tmp_path), "ingest", "hf", "--live"])
    assert result.exit_code == 130
    assert "interrupted; what was stored is kept, and the next run goes on" in result.output


def test_an_endpoint_with_a_trailing_slash_is_the_hub_and_one_that_is_none_is_said_to_be(
    store: GraphStore,
) -> None:
    """``--endpoint http://host/`` asked ``http://host//api/models`` (a bare 404 where the
    server does not fold the slashes); an endpoint that has no model listing (another
    server, a wrong path) answered "Client error '404 Not Found' for url …", not that it is
    no Hub's API."""
    with FakeHub(30) as hub:
        report = sync(store, hub, endpoint=f"{hub.url}/")
        assert report.written == 30
        assert hub.sent and not [t for t in hub.sent if t.startswith("//")], hub.sent[:3]
        with pytest.raises(HubUnreachable, match=f"{hub.url}/nope has no model listing"):
            sync(EmbeddedStore(None), hub, endpoint=f"{hub.url}/nope")


def test_live_applies_to_the_hub_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(tmp_path), "ingest", "mof", "--live"])
    assert result.exit_code == 2 and "--live applies to the hf source" in result.output


def test_a_listing_of_ids_differing_only_in_case_keeps_one_and_says_so(
    store: GraphStore,
) -> None:
    """Two models of one page whose ids differ only in case were written into one record
    (one IRI), two ids and both bodies' facts on it, without a word: one is kept (as a
    recorded listing keeps one: tests/test_ingest_robustness.py) and the other named."""
    with FakeHub(30) as hub:
        twins = {hub.repo_id(20), hub.repo_id(20).swapcase()}
        hub.renamed[21] = hub.repo_id(20).swapcase()  # listed beside model 20
        report = sync(store, hub)
    ids = repo_ids(store)
    assert len(ids) == 29
    (kept,) = twins & ids
    (skipped,) = twins - {kept}
    assert report.skipped == 1
    assert f"record {skipped!r}: the same Hub repository as {kept} (" in report.problems[0]
    assert report.problems[0].endswith(f"{kept} is kept, this one skipped")
