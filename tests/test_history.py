"""Dated snapshots of the sources, verdicts as of each snapshot date, the questions they
answer (named queries, API, pages) and the Atom feeds of changes — on real snapshots."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import feedparser
import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import copy_of, select
from flask.testing import FlaskClient
from rdflib.namespace import DCTERMS
from support.clients import BROWSER
from support.credits import catalogued_licences, cited, credited, data_catalogue
from support.history import assessed, copy_store
from support.live import serving
from support.provenance import made

import openness.history as history_module
from openness.assess.definitions import definitions
from openness.assess.report import verdict_rows
from openness.cli import cli as openness_cli
from openness.history import (
    VERDICT_HISTORY,
    Dated,
    _beside_records,
    _main_models,
    _record_iri,
    _Scratch,
    build_verdict_history,
    compute_history,
    states,
)
from openness.ingest.identity import rebuild_identity
from openness.ingest.records import owned_triples
from openness.ingest.report import RecordError
from openness.ingest.runner import PROVENANCE_GRAPH, SOURCES, ingest_all
from openness.ingest.snapshots import (
    HISTORY_SOURCES,
    SNAPSHOT_IDENTITY,
    Snapshot,
    date_current,
    dating,
    history_dir,
    ingest_history,
    ingest_snapshot,
    link_snapshot_records,
    manifest,
    record_prefix,
    snapshot_graph,
    snapshot_prefix,
    snapshots_in,
)
from openness.named_queries import catalogue
from openness.namespaces import ID, ODRL, OG, SCHEMA, Graphs
from openness.resources import sources_dir
from openness.server import create_app
from openness.server import history as server_history
from openness.server.history import OPENAPI_PATHS
from openness.store import EmbeddedStore, GraphStore, RemoteStore
from openness.store import remote as remote_module

MODEL = "https://w3id.org/openness-graph/id/model/"
OLMO, PYTHIA = MODEL + "allenai--olmo-7b", MODEL + "eleutherai--pythia-6.9b"
HYENA = MODEL + "togethercomputer--stripedhyena-nous-7b"
# Real changes in the snapshots: the Model Openness Tool's OLMo-7B record gained its
# licences in 2025 (MOF Class I by 2025-06-30), Pythia-6.9B's by 2025-12-31; the Index
# rated StripedHyena's paper open in v1.0.2 (2025-09-06), its licences open in 2026.
MODELS = ["OLMo-7B", "Pythia-6.9B", "StripedHyena-Nous-7B"]
# The module's store assesses these models as of eight dates; the limit only guards
# against a hang (on a loaded 2-core machine the setup takes a few minutes).
pytestmark = pytest.mark.timeout(1800)
PROGRESS: list[str] = []  # what build_verdict_history said, date by date


@pytest.fixture(scope="module")
def store(built: GraphStore) -> Iterator[EmbeddedStore]:
    """The bundled graph with the snapshots and the three models' verdict history, in
    memory: read from disk (RocksDB), a history's scratch took twice the CPU (OLMo-7B's:
    8.5 → 4.1 s) and a copy 2.1 s (0.6). Tests must not modify it (``copy_of`` it)."""
    s = copy_of(built)
    ingest_history(s)
    models = assessed(s, MODELS)
    build_verdict_history(s, models, echo=PROGRESS.append)
    # Writable in memory, so guarded after: a test that wrote into it would change what
    # the later ones read (opened read-only from disk, it failed the write itself).
    quads = len(s._store)  # noqa: SLF001
    yield s
    assert len(s._store) == quads, "a test wrote into the module's store: copy_of it"  # noqa: SLF001
    s.close()


@pytest.fixture(scope="module")
def history(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same store on disk, for the command and the web app, which open a folder."""
    location = tmp_path_factory.mktemp("history") / "store"
    copy_store(store, location).close()
    return location


def run(store: GraphStore, name: str, **params: str) -> list[dict[str, str]]:
    return select(store, catalogue()[name].sparql(params))  # as the CLI and server bind them


def openness(location: Path, *args: str) -> Result:
    """`openness --store LOCATION ARGS`, in this process: a `python -m openness.cli`
    subprocess took ~1.5 CPU s to start and parsed the shapes again each time, and what
    these tests ask of the command (its exit code, what it says, what it stores) is the
    same (test_cli_ingests_a_snapshot_as_of_a_date runs the installed command)."""
    return CliRunner().invoke(openness_cli, ["--store", str(location), *args])


# --- snapshots -------------------------------------------------------------------------


def test_each_snapshot_is_its_own_dated_graph(store: GraphStore) -> None:
    sizes = store.graph_sizes()
    for snap in manifest():
        assert snap.graph in sizes
    dated = {(s.source, s.date.isoformat(), s.version, s.current) for s in snapshots_in(store)}
    assert ("mof", "2024-12-31", "d7f3f97025b5dcf35edf32d42930f8738c1ed239", False) in dated
    assert ("osai-index", "2025-09-06", "v1.0.2", False) in dated
    assert ("mof", "2026-05-11", "8b5d30e90a7c62d7d6ece48b91e69ff495920a4d", True) in dated
    graph = snapshot_graph("osai-index", dt.date(2025, 4, 9))
    rows = select(
        store,
        f"""SELECT ?issued ?version ?generated ?records WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
              <{graph}> dcterms:issued ?issued ; og:sourceVersion ?version ;
                 prov:generatedAtTime ?generated ;
                 prov:wasGeneratedBy/og:recordsIngested ?records }} }}""",
    )
    assert [(r["issued"], r["version"], r["records"]) for r in rows] == [
        ("2025-04-09", "v1.0.0", "137")
    ]


def test_a_snapshot_ingested_again_is_described_as_that_run_made_it(built: GraphStore) -> None:
    """A snapshot graph is said to be made by the run that last replaced it, with the size
    it holds (a triple two records add is one) and the release it was read from."""
    store = copy_of(built)
    (snap,) = [s for s in manifest() if s.source == "osai-index" and s.version == "v1.0.1"]
    ingest_snapshot(store, snap)
    ingest_snapshot(store, replace(snap, version="v1.0.1-again"))
    rows = select(
        store,
        f"""SELECT ?run ?size ?version WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
              <{snap.graph}> prov:wasGeneratedBy ?run ; og:sourceVersion ?version ;
                <http://rdfs.org/ns/void#triples> ?size }} }}""",
    )
    assert len(rows) == 1, rows
    assert rows[0]["size"] == str(store.graph_sizes()[snap.graph])
    assert rows[0]["version"] == "v1.0.1-again"


def test_the_history_graphs_are_described_as_the_runs_that_computed_them_made_them(
    store: GraphStore,
) -> None:
    """The verdict history and the snapshot records' links to today's models, which no
    source says, are each said to be made by the run that computed them, associated with
    this software at its version, from the graphs it read: the dated snapshots among them.
    A snapshot's run used the files of its folder, named by their path under data/sources/."""
    snapshots = {s.graph for s in manifest() if not s.current}
    for graph, kind in ((VERDICT_HISTORY, "HistoryRun"), (SNAPSHOT_IDENTITY, "IdentityRun")):
        (run,) = made(store, graph)
        assert run.kind == OG + kind
        assert snapshots | {Graphs.IDENTITY} <= run.derived_from == run.used
    (history_run,) = made(store, VERDICT_HISTORY)
    assert {Graphs.ASSESSMENTS, SNAPSHOT_IDENTITY} <= history_run.used
    snap = next(s for s in manifest() if s.source == "mof")  # (the oldest: a dated one)
    (run,) = made(store, snap.graph)
    rows = select(store, f"SELECT ?file WHERE {{ <{run.run}> og:sourceFile ?file }}")
    assert rows == [{"file": f"history/mof/{snap.date.isoformat()}"}]


def test_the_void_description_gives_each_snapshot_its_sources_licence(history: Path) -> None:
    client = create_app({"STORE_LOCATION": str(history), "TESTING": True}).test_client()
    answer = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    licences = {
        (t.subject.value, t.object.value)
        for t in ox.parse(answer.data, ox.RdfFormat.N_TRIPLES)
        if t.predicate.value == "http://purl.org/dc/terms/license"
    }
    mit, cc_by = "https://spdx.org/licenses/MIT", "https://spdx.org/licenses/CC-BY-4.0"
    for snap in manifest():
        expected = mit if snap.source == "mof" else cc_by
        assert (snap.graph, expected) in licences, snap.graph


def test_snapshot_records_leave_the_current_state_alone(
    built: GraphStore, store: GraphStore
) -> None:
    count = "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a og:SourceRecord }"
    assert store.count(count) == built.count(count)
    assert store.count("SELECT (COUNT(?m) AS ?n) WHERE { ?m a og:Model }") == built.count(
        "SELECT (COUNT(?m) AS ?n) WHERE { ?m a og:Model }"
    )
    graph = snapshot_graph("mof", dt.date(2025, 6, 30))
    n = store.count(
        f"SELECT (COUNT(?r) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?r a og:SnapshotRecord }} }}"
    )
    assert n == 248


def test_the_older_mof_layout_is_read(store: GraphStore) -> None:
    # 2024 files write a component's licence as `license_name` and the repository as `github`.
    graph = snapshot_graph("mof", dt.date(2024, 12, 31))
    rows = select(
        store,
        f"""SELECT ?repo ?licence WHERE {{ GRAPH <{graph}> {{
              ?r og:sourceId "Amber" ; schema:codeRepository ?repo ; og:component ?c .
              ?c og:componentType ogc:model-architecture ;
                 og:licenseStatement/og:licenseString ?licence }} }}""",
    )
    assert rows == [{"repo": "https://github.com/LLM360/amber-train", "licence": "Apache-2.0"}]


def test_snapshot_records_link_to_todays_models(store: GraphStore) -> None:
    rows = select(
        store,
        f"""SELECT ?r WHERE {{ GRAPH <{SNAPSHOT_IDENTITY}> {{ ?r og:snapshotOf <{OLMO}> }} }}""",
    )
    assert {r["r"].rsplit("/", 2)[1] for r in rows} == {"2024-12-31", "2025-06-30", "2025-12-31"}
    # A system the Index renamed in between is still linked by its file.
    hyena = select(store, f"SELECT ?r WHERE {{ ?r og:snapshotOf <{HYENA}> ; og:source ?s }}")
    assert len(hyena) == 3


def test_states_take_the_latest_snapshot_of_each_source() -> None:
    by_date = {s.date.isoformat(): s for s in states(manifest())}
    assert set(by_date["2024-12-31"].snapshots) == {"mof"}
    july = by_date["2025-07-08"].snapshots
    assert july["mof"].date.isoformat() == "2025-06-30" and july["osai-index"].version == "v1.0.1"
    assert by_date["2026-06-12"].current and not by_date["2026-05-11"].current


def test_a_current_state_is_in_force_at_the_date_of_a_snapshot_it_shares() -> None:
    """A checkout ingested with --from keeps the bundled state it replaces as a snapshot
    of the bundled date; an ingest of the bundled folder then dates the current state that
    day again. Whichever the store listed first was in force: the snapshot, so the last
    state was not the current one and today's verdicts were not the timeline's end."""
    day = dt.date(2026, 5, 11)
    current = [Snapshot(source, day, "c", Path(), current=True) for source in HISTORY_SOURCES]
    kept = Snapshot(HISTORY_SOURCES[0], day, "k", Path())
    for held in ([kept, *current], [*current, kept]):
        (state,) = states(held)
        assert state.current, state


def test_cli_ingests_a_snapshot_as_of_a_date(tmp_path: Path) -> None:
    location = tmp_path / "store"
    folder = tmp_path / "mof-2025"
    shutil.copytree(history_dir() / "mof" / "2025-06-30", folder)
    (folder / "models" / "broken.yml").write_text("release: [unclosed\n", encoding="utf-8")
    cli = [sys.executable, "-m", "openness.cli", "--store", str(location)]
    done = subprocess.run(
        [
            *cli,
            "ingest",
            "mof",
            "--from",
            str(folder),
            "--as-of",
            "2025-06-30",
            "--release",
            "da95cc6",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "broken.yml" in done.stderr and "248 ingested, 1 skipped" in done.stderr
    wrong = openness(location, "ingest", "hf", "--from", str(folder), "--as-of", "2025-06-30")
    assert wrong.exit_code == 2 and "--as-of" in wrong.stderr
    store = EmbeddedStore(location, read_only=True)
    try:
        snaps = snapshots_in(store)
        assert [(s.source, s.date.isoformat(), s.version) for s in snaps] == [
            ("mof", "2025-06-30", "da95cc6")
        ]
        assert Graphs.source("mof") not in store.graph_sizes()  # the current state untouched
    finally:
        store.close()


def test_a_current_state_read_from_another_folder_is_dated_when_it_was_read(
    tmp_path: Path,
) -> None:
    """`openness ingest mof --from CHECKOUT` replaced the current state but left it dated
    as the bundled one (snapshots.yaml: its date and commit), so the verdict history put
    every change the checkout brought at the bundled commit's date, months before it was
    made. It is dated as of the ingest, with the commit the folder's SOURCE.md names; the
    bundled folder ingested again is dated as the manifest dates it."""
    location = tmp_path / "store"
    bundled = next(s for s in manifest() if s.current and s.source == "mof")
    store = EmbeddedStore(location)
    try:
        date_current(store, bundled)  # as `openness build` dates it
    finally:
        store.close()
    folder = tmp_path / "mof"
    shutil.copytree(sources_dir() / "mof", folder)
    newer = "0123456789abcdef0123456789abcdef01234567"
    note = folder / "SOURCE.md"
    note.write_text(note.read_text(encoding="utf-8").replace(bundled.version, newer))

    def current() -> tuple[dt.date, str]:
        store = EmbeddedStore(location, read_only=True)
        try:
            (snap,) = [s for s in snapshots_in(store) if s.current]
            return snap.date, snap.version
        finally:
            store.close()

    before = dt.datetime.now(dt.UTC).date()
    done = openness(location, "ingest", "mof", "--from", str(folder))
    assert done.exit_code == 0, (done.stderr, done.exception)
    date, version = current()
    assert before <= date <= dt.datetime.now(dt.UTC).date() and version == newer
    done = openness(location, "ingest", "mof")
    assert done.exit_code == 0, (done.stderr, done.exception)
    assert current() == (bundled.date, bundled.version)


def test_a_state_replaced_by_a_later_checkout_is_kept_as_a_snapshot_of_its_date(
    tmp_path: Path,
) -> None:
    """The verdict history has one date for the current state: a checkout ingested with
    --from one day and another on a later day were one state, the first one's changes
    dated the second day. The state a later-dated ingest replaces is kept as a snapshot of
    its own date; one replaced the same day, or by an ingest that fails, is not."""
    location = tmp_path / "store"
    bundled = next(s for s in manifest() if s.current and s.source == "mof")
    done = openness(location, "ingest", "mof")
    assert done.exit_code == 0, (done.stderr, done.exception)
    store = EmbeddedStore(location)
    try:  # as a first checkout, read some days ago, dated it
        date_current(store, replace(bundled, date=dt.date(2026, 1, 2), version="1" * 40))
    finally:
        store.close()
    folder = tmp_path / "mof"
    shutil.copytree(sources_dir() / "mof", folder)
    record = folder / "models" / "OLMo-7B.yml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["release"]["components"] = []  # the second checkout's OLMo-7B lists none
    record.write_text(yaml.safe_dump(data), encoding="utf-8")
    components = """SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?r og:sourceId "OLMo-7B" ;
                       og:component ?c } }"""

    def held() -> tuple[list[tuple[str, dt.date, str]], dict[str, int]]:
        store = EmbeddedStore(location, read_only=True)
        try:
            snaps = [(s.graph, s.date, s.version) for s in snapshots_in(store)]
            counts = {
                g: int(store.query(components.replace("?g", f"<{g}>")).rows()[0]["n"].value)
                for g, *_ in snaps
            }
            return snaps, counts
        finally:
            store.close()

    (before,), first = held()
    assert before[1] == dt.date(2026, 1, 2) and first[before[0]] > 0
    broken = tmp_path / "broken"
    broken.mkdir()
    done = openness(location, "ingest", "mof", "--from", str(broken))
    assert done.exit_code != 0 and held()[0] == [before]  # nothing stored, nothing kept
    started = dt.datetime.now(dt.UTC).date()
    done = openness(location, "ingest", "mof", "--from", str(folder))
    assert done.exit_code == 0, (done.stderr, done.exception)
    snaps, counts = held()
    kept = snapshot_graph("mof", dt.date(2026, 1, 2))
    day = snaps[-1][1]  # the day the ingest read it (UTC midnight may fall in between)
    assert started <= day <= dt.datetime.now(dt.UTC).date()
    assert [(g, d) for g, d, _ in snaps] == [(kept, before[1]), (Graphs.source("mof"), day)]
    assert snaps[0][2] == "1" * 40  # the kept state's commit
    assert counts == {kept: first[before[0]], Graphs.source("mof"): 0}
    # Again: a state replaced the day it was read is replaced in place (one read the day
    # before, if midnight fell in between, kept, and the current state dated the new day).
    done = openness(location, "ingest", "mof", "--from", str(folder))
    assert done.exit_code == 0, (done.stderr, done.exception)
    again = [(g, d) for g, d, _ in held()[0]]
    if again[-1][1] == day:
        assert again == [(kept, before[1]), (Graphs.source("mof"), day)]
    else:
        new_day = again[-1][1]
        assert day < new_day <= dt.datetime.now(dt.UTC).date()
        assert again == [
            (kept, before[1]),
            (snapshot_graph("mof", day), day),
            (Graphs.source("mof"), new_day),
        ]


def test_the_bundled_folder_named_by_from_keeps_the_manifests_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`openness ingest mof --from data/sources/mof` reads the bundled folder, as without
    --from: it was dated as of the day it was read, as a checkout is, and the verdict
    history put the bundled state's changes months after they were made."""
    bundled = next(s for s in manifest() if s.current and s.source == "mof")
    store = EmbeddedStore(tmp_path / "store")
    try:
        date_current(store, bundled)
        monkeypatch.chdir(sources_dir())
        dating(store, ["mof"], Path("mof"))("mof")  # (written as the user wrote it)
        (snap,) = [s for s in snapshots_in(store) if s.current]
        assert (snap.date, snap.version) == (bundled.date, bundled.version)
    finally:
        store.close()


def test_an_ingest_stopped_by_a_later_source_dates_the_sources_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`openness ingest` (every source, or --strict) stopped by a source after mof (one
    that cannot be read, a problem under --strict) had stored the bundled mof but never
    dated it: a current state dated by an earlier `ingest mof --from CHECKOUT` kept the
    checkout's date and commit over the bundled records, and the verdict history dated
    them so. Each source is dated as it is stored."""
    bundled = next(s for s in manifest() if s.current and s.source == "mof")
    location = tmp_path / "store"
    store = EmbeddedStore(location)
    try:  # as `ingest mof --from CHECKOUT` dated it
        date_current(store, replace(bundled, date=dt.date(2026, 1, 2), version="0" * 40))
    finally:
        store.close()

    def unreadable(folder: Path, *_: object) -> None:
        raise RecordError(folder, "cannot be read")

    monkeypatch.setitem(SOURCES, "croissant", replace(SOURCES["croissant"], ingest=unreadable))
    args = ["--store", str(location), "ingest", "mof", "croissant"]
    result = CliRunner().invoke(openness_cli, args, catch_exceptions=False)
    assert result.exit_code == 1 and "cannot be read" in result.output, result.output
    store = EmbeddedStore(location, read_only=True)
    try:
        (snap,) = [s for s in snapshots_in(store) if s.current]
        assert (snap.date, snap.version) == (bundled.date, bundled.version)
    finally:
        store.close()


def test_the_history_catches_up_with_a_later_assessment(history: Path, tmp_path: Path) -> None:
    """Today's records change after the history was computed: `assess` says the history
    is behind (queries/history-behind.rq), `history -m` computes that model's dated
    verdicts again, and the other models' stay as they were."""
    location = tmp_path / "store"
    shutil.copytree(history, location)
    store = EmbeddedStore(location)
    before = run(store, "model-timeline", model=PYTHIA)
    # The tool's current record of OLMo-7B lists no component any more.
    store.update(
        f"""DELETE WHERE {{ GRAPH <{Graphs.source("mof")}> {{
              <https://w3id.org/openness-graph/id/record/mof/olmo-7b>
                <https://w3id.org/openness-graph/ns#component> ?c }} }}"""
    )
    store.close()
    done = openness(location, "assess", "-m", "OLMo-7B")
    assert done.exit_code == 0, (done.stderr, done.exception)
    assert "the verdict history is behind today's verdicts of 1 model " in done.stderr
    # One model's timeline is named to compute again, not the whole history's.
    assert "`openness history -m OLMo-7B` computes theirs again" in done.stderr
    store = EmbeddedStore(location, read_only=True)
    try:
        behind = run(store, "history-behind")
        assert {r["model"] for r in behind} == {OLMO}
        assert "mof-1.0" in {r["definition"] for r in behind}
    finally:
        store.close()
    done = openness(location, "history", "-m", "OLMo-7B")
    assert done.exit_code == 0, (done.stderr, done.exception)
    # One model is counted as one ("1 models with dated records" before)
    assert ": 1 model with dated records, " in done.stderr, done.stderr
    assert re.search(r"verdict history: \d+ dated verdicts of 1 model\n", done.stderr)
    store = EmbeddedStore(location, read_only=True)
    try:
        assert run(store, "history-behind") == []
        (today,) = verdict_rows(store, "mof-1.0", model=OLMO)
        timeline = [
            r for r in run(store, "model-timeline", model=OLMO) if r["definition"] == "mof-1.0"
        ]
        assert timeline[-1]["outcome"] == today["outcome"] != "passed"
        assert timeline[-2]["outcome"] == "passed"  # Class I by 2025-06-30, as before
        assert run(store, "model-timeline", model=PYTHIA) == before
    finally:
        store.close()


def test_a_state_dated_anew_asks_for_the_whole_history_again(history: Path, tmp_path: Path) -> None:
    """After `ingest mof --from CHECKOUT` the current state is dated the day it was read:
    computing only the changed model's timeline would leave every other model's on the old
    date, so the hint names the whole `openness history`, not `-m` — and still does after
    a `history -m` run, which dated only its models' timelines anew (it cleared it)."""
    location = tmp_path / "store"
    shutil.copytree(history, location)
    folder = tmp_path / "mof"
    shutil.copytree(sources_dir() / "mof", folder)
    record = folder / "models" / "OLMo-7B.yml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["release"]["components"] = []  # the checkout's OLMo-7B lists no component
    record.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = openness(location, "ingest", "mof", "--from", str(folder))
    assert done.exit_code == 0, (done.stderr, done.exception)

    def hint() -> str:
        done = openness(location, "assess", "-m", "OLMo-7B")
        assert done.exit_code == 0, (done.stderr, done.exception)
        assert "the verdict history is behind today's verdicts of 1 model " in done.stderr
        return done.stderr

    assert "`openness history` computes it again" in hint()
    done = openness(location, "history", "-m", "Pythia-6.9B")
    assert done.exit_code == 0, (done.stderr, done.exception)
    store = EmbeddedStore(location, read_only=True)
    try:  # the run is said to be over Pythia's timeline only
        (run,) = made(store, VERDICT_HISTORY)
        rows = select(store, f"SELECT ?m WHERE {{ <{run.run}> og:computedFor ?m }}")
        assert rows == [{"m": PYTHIA}]
    finally:
        store.close()
    assert "`openness history` computes it again" in hint()


def test_a_model_a_refreshed_source_dropped_keeps_its_dated_verdicts(
    store: GraphStore, tmp_path: Path
) -> None:
    """A MOF checkout without AraGPT2, its only source: the model is withdrawn, and its
    dated verdicts, which its history and changes answer for after it went, are computed
    again from its dated records: its snapshot records were linked to no model, so the
    next history dropped them all (9 dated verdicts, then none)."""
    s = copy_of(store)
    (aragpt2,) = assessed(s, ["AraGPT2"])
    build_verdict_history(s, [aragpt2])
    before = run(s, "model-timeline", model=aragpt2)
    assert len({r["date"] for r in before}) > 1
    folder = tmp_path / "mof"
    shutil.copytree(sources_dir() / "mof", folder)
    (folder / "models" / "AraGPT2.yml").unlink()
    ingest_all(s, ["mof"], folder=folder)
    link_snapshot_records(s)  # as `openness ingest` does after the sources
    assert select(s, f"SELECT ?t WHERE {{ <{aragpt2}> a ?t }}") == [{"t": OG + "WithdrawnModel"}]
    build_verdict_history(s, [aragpt2])
    after = run(s, "model-timeline", model=aragpt2)
    gone = max(r["date"] for r in after)
    assert [r for r in after if r["date"] < gone] == before
    # From the date the refreshed checkout is dated, no verdict of it is in force: its last
    # one, passed on g7-openness-2026, counted it as passing at every later date.
    assert {r["outcome"] for r in after if r["date"] == gone} == {"untested"}
    passed = run(s, "first-passed", model=aragpt2)
    assert passed and {r["passedNow"] for r in passed} == {"false"}


def test_no_model_given_leaves_the_history_as_it_was(history: Path, tmp_path: Path) -> None:
    """An empty list of models is no models, not every model on top of what is stored."""
    location = tmp_path / "store"
    shutil.copytree(history, location)
    store = EmbeddedStore(location)
    try:
        before = set(store.stored_triples(VERDICT_HISTORY))
        assert before and build_verdict_history(store, []) == 0
        assert set(store.stored_triples(VERDICT_HISTORY)) == before
    finally:
        store.close()


# --- verdicts over time ----------------------------------------------------------------


def test_olmo_first_passed_mof_when_its_record_gained_licences(store: GraphStore) -> None:
    rows = run(store, "first-passed", model=OLMO, definition="mof-1.0")
    assert [(r["firstPassed"], r["passedNow"]) for r in rows] == [("2025-06-30", "true")]
    pythia = run(store, "first-passed", model=PYTHIA, definition="mof-1.0")
    assert [r["firstPassed"] for r in pythia] == ["2025-12-31"]


def test_changes_name_the_requirement_and_the_record(store: GraphStore) -> None:
    rows = run(store, "verdict-changes", model=OLMO, definition="mof-1.0")
    change = next(r for r in rows if r["date"] == "2025-06-30")
    assert (change["before"], change["after"], change["afterLevel"]) == (
        "failed",
        "passed",
        "Class I",
    )
    assert change["reasonsLost"]  # the requirements it failed before
    assert change["changedRecords"].endswith("/snapshot/mof/2025-06-30/olmo-7b")
    # Only changes inside the window are listed.
    assert run(store, "verdict-changes", model=OLMO, **{"from": "2025-06-30"}) == [
        r for r in run(store, "verdict-changes", model=OLMO) if r["date"] > "2025-06-30"
    ]
    # With nothing bound (the defaults), the same rows for the model, named.
    olmo = run(store, "verdict-changes", model=OLMO)
    assert [r for r in run(store, "verdict-changes") if r["model"] == OLMO] == olmo
    assert {r["name"] for r in olmo} == {"OLMo-7B"}


def test_each_change_lists_its_verdicts_reasons_and_records_once(store: GraphStore) -> None:
    # The lists are grouped per verdict apart from one another (not multiplied into one
    # row per combination): each holds exactly the verdict's own stored values, each once,
    # and is left out where the verdict has none.
    stored: dict[tuple[str, str, str], dict[str, set[str]]] = {}
    for r in select(
        store,
        f"""SELECT ?model ?def ?date ?kind ?value WHERE {{ GRAPH <{VERDICT_HISTORY}> {{
              ?v og:previousVerdict ?p ; earl:subject ?model ; og:definitionId ?def ;
                 dcterms:date ?date ; ?kind ?value .
              VALUES ?kind {{ og:reasonGained og:reasonLost og:changedRecord }} }} }}""",
    ):
        lists = stored.setdefault((r["model"], r["def"], r["date"]), {})
        lists.setdefault(r["kind"].rpartition("#")[2], set()).add(r["value"])
    rows = run(store, "verdict-changes")
    assert len(rows) == len({(r["model"], r["definition"], r["date"]) for r in rows})
    columns = {
        "reasonGained": ("reasonsGained", " | "),
        "reasonLost": ("reasonsLost", " | "),
        "changedRecord": ("changedRecords", " "),
    }
    for r in rows:
        lists = stored.get((r["model"], r["definition"], r["date"]), {})
        for kind, (column, separator) in columns.items():
            given = r[column].split(separator) if column in r else []
            assert len(given) == len(set(given)), (column, r)
            assert set(given) == lists.get(kind, set()), (column, r)
    # A change with both kinds of reason: the case the grouping must not multiply.
    assert any("reasonsGained" in r and "reasonsLost" in r for r in rows)


def test_index_scores_rise_with_the_ratings(store: GraphStore) -> None:
    timeline = [
        r for r in run(store, "model-timeline", model=HYENA) if r["definition"] == "eu-osai-index"
    ]
    scores = {r["date"]: float(r["score"]) for r in timeline}
    assert "2025-09-06" in scores and "2026-06-12" in scores
    before = max(d for d in scores if d < "2025-09-06")
    assert scores[before] < scores["2025-09-06"] < scores["2026-06-12"]


@pytest.fixture(scope="module")
def whole(store: GraphStore) -> Iterator[_Scratch]:
    """The scratch of every dated model's history, made once (~3.5 CPU s): a test that
    loads states into it replaces only the graphs of the sources with a history and the
    identities, and the others read only the graphs of the sources without one."""
    scratch = _Scratch(store)
    yield scratch
    scratch.scratch.close()


def test_each_date_groups_its_records_as_todays_models_do(
    store: GraphStore, whole: _Scratch
) -> None:
    # At some dates the bundled sources would match otherwise: Llama-2-Chat-70B's Index
    # record alone in a model of its own beside its MOF record (2025-04-09), the Index's
    # Llama-3.1 record with Meta-Llama-3-70B-Instruct's (2025-06-30). Each date's verdict of
    # one of today's models is made from its records then, in one model, that model.
    main = _main_models(store)
    split = 0
    for state in states(snapshots_in(store)):
        dated = whole.load(state)
        for row in select(
            whole.scratch,
            "SELECT ?m ?r WHERE { ?m a og:Model ; og:hasRecord ?r }",
            default_graphs=[Graphs.IDENTITY],
        ):
            today = main.get(_record_iri(row["r"], state))
            if row["r"] in dated and today is not None:
                split += row["m"] != today
    assert split == 0


CHAT = MODEL + "togethercomputer--pythia-chat-base-7b"
WHISPER_TURBO = MODEL + "openai--whisper-large-v3-turbo"


@pytest.fixture(scope="module")
def fine_tunes(store: GraphStore) -> dict[tuple[str, str], dict[dt.date, Dated]]:
    """The dated verdicts of two fine-tunes, computed in one run: each run loads every
    snapshot state whatever it computes (~12 CPU s), and a model's history is the one its
    closure gives, whichever models are computed beside it."""
    return compute_history(store, [CHAT, WHISPER_TURBO])


def test_a_fine_tune_is_judged_again_when_its_base_models_records_changed(
    fine_tunes: dict[tuple[str, str], dict[dt.date, Dated]],
) -> None:
    # Pythia-Chat-Base-7B's lineage rules read Pythia-6.9B's findings; Pythia-6.9B's MOF
    # record gained its licences by 2025-12-31, the fine-tune's own records did not change.
    dated = fine_tunes[(CHAT, "mof-1.0")]
    at = dated[dt.date(2025, 12, 31)]
    assert any("pythia-6.9b" in r.lower() for r in at.changed), at.changed
    assert at.changed != dated[dt.date(2025, 9, 6)].changed


HUB = "https://w3id.org/openness-graph/id/record/hf/"
NEXUSRAVEN = MODEL + "nexusflow--nexusraven-v2-13b"


def _hub_records(scratch: _Scratch) -> set[str]:
    rows = select(
        scratch.scratch,
        f"SELECT ?r WHERE {{ GRAPH <{Graphs.source('hf')}> {{ ?r a og:SourceRecord }} }}",
    )
    return {r["r"] for r in rows}


def _held(store: GraphStore, models: list[str]) -> set[str]:
    """The Hub records a scratch made for ``models``' history holds."""
    scratch = _Scratch(store, models)
    try:
        return _hub_records(scratch)
    finally:
        scratch.scratch.close()


def test_the_scratch_holds_only_the_hub_records_a_dated_model_can_depend_on(
    store: GraphStore, whole: _Scratch
) -> None:
    """The records of the sources without a history are copied only where what a dated
    model is judged on can depend on them (at a million Hub models, copying them all took
    ~170 GB): not a Hub model no dated record is related to; the base model of a dated
    fine-tune that only the Hub describes (the Index's Whisper, fine-tuned from
    openai/whisper-large-v3), and what the Hub graph says beside its records, whole."""
    held = _hub_records(whole)
    datasets = "SELECT (COUNT(*) AS ?n) WHERE { ?d a dcat:Dataset ; ?p ?o }"
    assert whole.scratch.count(datasets, default_graphs=[Graphs.source("hf")]) == store.count(
        datasets, default_graphs=[Graphs.source("hf")]
    )
    assert HUB + "openai--whisper-large-v3" in held
    assert HUB + "sentence-transformers--all-minilm-l6-v2" not in held


def test_some_models_scratch_reads_of_the_dated_sources_only_the_triples_it_holds(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For some models' history, the sources with a history and their snapshots are read by
    the subjects the scratch holds, not each read whole and filtered triple by triple
    (OLMo-7B: ~1 100 of a snapshot's ~30 000 triples); what is held is what the filter held."""
    whole_reads: list[str] = []
    read = history_module._graph
    monkeypatch.setattr(history_module, "_graph", lambda s, g: whole_reads.append(g) or read(s, g))
    scratch = _Scratch(store, [OLMO])
    try:
        dated = [s for s in snapshots_in(store) if not s.current]
        for snap in dated:
            scratch.snapshot(snap)
        assert sorted(whole_reads) == sorted([Graphs.ONTOLOGY, Graphs.SHAPES])
        graphs = [(Graphs.source(s), record_prefix(s)) for s in HISTORY_SOURCES]
        graphs += [(s.graph, snapshot_prefix(s.source, s.date)) for s in dated]
        for graph, prefix in graphs:
            every = read(store, graph)
            held = scratch.held(graph, prefix)
            assert 0 < len(held) < len(every) / 5
            assert set(held) == {t for t in every if scratch.holds(t.subject.value, prefix)}
    finally:
        scratch.scratch.close()


def test_without_lookup_keys_the_scratch_holds_every_record(store: GraphStore) -> None:
    """An identity graph written before the records' lookup keys (og:identityKey) gives the
    scope nothing to follow: the scratch holds every record, as before the scope, rather
    than a history judged without the records the keys would have found."""
    keyless = copy_of(store)
    keyless.update(f"DELETE WHERE {{ GRAPH <{Graphs.IDENTITY}> {{ ?r <{OG}identityKey> ?k }} }}")
    assert HUB + "sentence-transformers--all-minilm-l6-v2" in _held(keyless, [WHISPER_TURBO])


def jena_labels(results: bytes) -> bytes:
    """SPARQL JSON results with their blank nodes labelled as Jena (Fuseki) labels them:
    b0, b1, … afresh in each answer, so the same label names other nodes in another."""
    data = json.loads(results)
    labels: dict[str, str] = {}
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term["type"] == "bnode":
                term["value"] = labels.setdefault(term["value"], f"b{len(labels)}")
    return json.dumps(data).encode()


def test_what_a_source_says_beside_its_records_keeps_its_blank_nodes_on_any_engine(
    oxigraph_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A licence's restriction is a blank node, which an engine may name within one answer
    only (Jena does, in SPARQL JSON): the scratch store the verdicts as of a date are
    computed in still reads the licence's restriction (on Jena ARQ 4.5 behind the SPARQL
    protocol, Llama 3.1's licence lost its restrictions there, and Tulu 3 405B's dated
    verdicts said its licence restricted no field of use)."""
    graph, licence, node = Graphs.source("spdx"), ox.NamedNode(ID + "license/x"), ox.BlankNode()
    said = [
        ox.Triple(licence, ox.NamedNode(ODRL + "prohibition"), node),
        ox.Triple(node, ox.NamedNode(ODRL + "action"), ox.NamedNode(ODRL + "commercialize")),
        ox.Triple(licence, ox.NamedNode(SCHEMA + "name"), ox.Literal("X")),
    ]
    store = RemoteStore(oxigraph_server + "/query")
    store.update("DROP ALL")
    store.write(replace={graph: said})
    monkeypatch.setattr(
        remote_module,
        "_json_terms",
        lambda r, terms=remote_module._json_terms: jena_labels(terms(r)),
    )
    scratch = EmbeddedStore(None)
    scratch.write(replace={graph: _beside_records(store, graph)})
    store.close()
    rows = scratch.query(
        f"SELECT ?a WHERE {{ <{licence.value}> odrl:prohibition/odrl:action ?a }}"
    ).rows()
    assert [r["a"].value for r in rows] == [ODRL + "commercialize"]
    assert len(scratch.graph_sizes()) == 1 and scratch.graph_sizes()[graph] == len(said)


def test_a_dated_fine_tune_inherits_the_findings_of_a_base_only_the_hub_describes(
    store: GraphStore, fine_tunes: dict[tuple[str, str], dict[dt.date, Dated]]
) -> None:
    """Asked for one model (``history -m``), the scratch holds that model's closure only,
    its base model's Hub record in it: the fine-tune is judged on its base's findings, as
    of each date as today."""
    held = _held(store, [WHISPER_TURBO])
    assert HUB + "openai--whisper-large-v3" in held
    assert HUB + "meta-llama--llama-3.3-70b-instruct" not in held
    dated = fine_tunes[(WHISPER_TURBO, "owd-0.3")]
    at = dated[dt.date(2025, 7, 8)]  # the Index's first record of it, before today's
    assert any("of the base model 'openai/whisper-large-v3'" in r for r in at.reasons)


def _hub_release(store: GraphStore, name: str, like: str) -> None:
    """Add a Hub record of the repository ``name``, saying what the record of ``like``
    says, and link the records again."""
    old, new = HUB + like.replace("/", "--").lower(), HUB + name.replace("/", "--").lower()
    renamed = {OG + p: ox.Literal(name) for p in ("huggingFaceRepo", "sourceId")} | {
        SCHEMA + "name": ox.Literal(name)
    }
    added = []
    for t in owned_triples(store, [old], Graphs.source("hf")):
        o = t.object
        if isinstance(o, ox.NamedNode) and o.value.startswith(old):
            o = ox.NamedNode(new + o.value[len(old) :])
        elif t.subject.value == old and t.predicate.value in renamed:
            o = renamed[t.predicate.value]
        added.append(ox.Triple(ox.NamedNode(new + t.subject.value[len(old) :]), t.predicate, o))
    store.write(add={Graphs.source("hf"): added})
    rebuild_identity(store)


def test_a_models_history_from_its_closure_is_the_one_from_every_record(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scratch's records are enough: one model's history is the same from a scratch
    holding every record. Google's 'Llama-2-13B' on the Hub beside Meta's (the tool's) makes
    NexusRaven's base-model name name two releases, which the closure must hold to say so."""
    copy = copy_of(store)
    try:
        _hub_release(copy, "google/Llama-2-13B", like="google-t5/t5-small")
        models = [NEXUSRAVEN]
        closure = compute_history(copy, models)
        scope = history_module._scope

        def every_record(*args: object) -> object:
            found = scope(*args)
            found.grow(r["r"] for r in select(copy, "SELECT ?r WHERE { ?r a og:SourceRecord }"))
            return found

        monkeypatch.setattr(history_module, "_scope", every_record)
        assert compute_history(copy, models) == closure
    finally:
        copy.close()
    at = closure[(NEXUSRAVEN, "owd-0.3")][dt.date(2025, 4, 9)]
    assert any("'Llama-2-13B' (osai-index record), which names no model" in r for r in at.reasons)


def test_unchanged_records_are_not_reassessed(store: GraphStore) -> None:
    # The tool's current OLMo-7B and Pythia-6.9B files are those of 2025-12-31, byte for
    # byte, and the Index did not change between v1.0.2 and 2026-05-11; only the link to
    # the file at each commit differs.
    assert "as of 2026-05-11: 3 models with dated records, 0 changed" in PROGRESS
    assert "as of 2025-06-30: 3 models with dated records, 2 changed" in PROGRESS


def test_verdicts_are_stored_only_when_they_change(store: GraphStore) -> None:
    dates = select(
        store,
        f"""SELECT ?def (COUNT(?v) AS ?n) WHERE {{ GRAPH <{VERDICT_HISTORY}> {{
              ?v earl:subject <{OLMO}> ; og:definitionId ?def }} }} GROUP BY ?def""",
    )
    # mof-1.0 changed once (failed, then Class I); the snapshot dates are eight.
    assert {r["def"]: int(r["n"]) for r in dates}["mof-1.0"] == 2
    latest = select(
        store,
        f"""SELECT ?o WHERE {{ GRAPH <{VERDICT_HISTORY}> {{ ?v earl:subject <{OLMO}> ;
              og:definitionId "mof-1.0" ; dcterms:date ?d ; earl:outcome ?o }} }}
            ORDER BY DESC(?d) LIMIT 1""",
    )
    assert latest == [{"o": "http://www.w3.org/ns/earl#passed"}]


def test_passing_counts_and_producers_over_time(store: GraphStore) -> None:
    counts = {
        (r["definition"], r["date"]): int(r["passing"])
        for r in run(store, "passing-over-time", definition="mof-1.0")
    }
    # Of the three models followed: none passed MOF 1.0 at the end of 2024, OLMo by mid
    # 2025, Pythia too by the end of 2025.
    assert counts[("mof-1.0", "2024-12-31")] == 0
    assert counts[("mof-1.0", "2025-06-30")] == 1
    assert counts[("mof-1.0", "2025-12-31")] == 2
    trend = run(store, "producers-openness-trend", definition="mof-1.0", to="2025-06-30")
    assert [(r["producerName"], r["passingBefore"], r["passingAfter"]) for r in trend] == [
        ("Allen Institute for AI", "0", "1")
    ]


# --- web ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(history: Path) -> FlaskClient:
    return create_app({"STORE_LOCATION": str(history), "TESTING": True}).test_client()


def test_model_page_shows_the_timeline(client: FlaskClient) -> None:
    page = client.get("/models/allenai--olmo-7b")
    assert page.status_code == 200
    assert "Verdicts over time" in page.text and '<time datetime="2025-06-30">' in page.text
    assert "/models/allenai--olmo-7b/changes" in page.text
    api = client.get("/api/models/allenai--olmo-7b/history").json
    assert {"date": "2025-06-30", "definition": "mof-1.0", "outcome": "passed"}.items() <= next(
        r for r in api if r["definition"] == "mof-1.0" and r["date"] == "2025-06-30"
    ).items()


def test_the_timeline_words_verdicts_and_reasons_for_people(client: FlaskClient) -> None:
    """Definition labels, outcomes in words ('rated' for the Index) and requirement labels
    in the reasons, not their ids."""
    ids = [r.id for d in definitions().values() for r in d.requirements.values()]
    olmo = client.get("/models/allenai--olmo-7b").text
    timeline = olmo[olmo.index("Verdicts over time") :]
    assert "no longer: " in timeline
    assert not [i for i in ids if f"now: {i}:" in timeline or f"no longer: {i}:" in timeline]
    rated = [d for d in definitions().values() if not d.passes_models]
    hyena = client.get("/models/togethercomputer--stripedhyena-nous-7b").text
    timeline = hyena[hyena.index("Verdicts over time") :]
    assert '<td class="inapplicable">rated' in timeline
    assert ">inapplicable" not in timeline
    assert all(f">{d.label}</a>" in timeline for d in rated)


def test_home_and_definition_pages_chart_passing_over_time(client: FlaskClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and 'class="line-chart"' in home.text
    assert 'data-definition="mof-1.0"' in home.text and 'data-definition="owd-0.3"' in home.text
    page = client.get("/definitions/mof-1.0")
    assert 'class="line-chart"' in page.text
    assert 'data-definition="mof-1.0"' in page.text and 'data-definition="owd-0.3"' not in page.text
    assert client.get("/api/history/passing?definition=mof-1.0").json
    # People read the definitions' labels in the key and the points' tips, not their ids;
    # no two date labels of the axis overlap.
    mof = definitions()["mof-1.0"].label
    assert f'<a href="/definitions/mof-1.0">{mof}</a>' in home.text
    assert "<title>mof-1.0," not in home.text and f"<title>{mof}, " in home.text
    xs = [
        float(x)
        for x, label in re.findall(
            r'translate\(([\d.]+), [\d.]+\) rotate\(30\)" font-size="10">([^<]+)<', home.text
        )
    ]
    assert xs and all(b - a >= 40 for a, b in zip(xs, xs[1:], strict=False))


def test_the_chart_over_time_credits_the_sources_it_counts(
    client: FlaskClient, store: GraphStore
) -> None:
    """The chart over time counts the models of the sources with dated snapshots: under it,
    on the home page and a definition's, a line names those sources and their licences as
    the catalogue states them (a chart reused in a report owes them attribution)."""
    dated = {
        r["n"]
        for r in select(
            store,
            f"""SELECT DISTINCT ?n WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
                  ?g a og:SourceSnapshot ; og:source ?s }} ?s skos:notation ?n }}""",
        )
    }
    assert {"mof", "osai-index"} <= dated
    stated = catalogued_licences(client)
    expected = {source: stated[source] for source in dated}
    for path in ("/", "/definitions/mof-1.0"):
        chart = client.get(path).text.split('class="history-chart"', 1)[1]
        assert credited(chart) == expected, path


def test_the_chart_over_time_says_how_to_cite_it(client: FlaskClient) -> None:
    """Under the chart over time, on the home page and a definition's, a reader citing it
    gets what the model page gives (the same template piece): the address of what it
    charts, the named query's page with the chart's definition, and the data's version as
    the catalogue gives it (dcterms:modified), with a link to the home page's How to cite."""
    modified = {o.toPython() for o in data_catalogue(client).objects(None, DCTERMS.modified)}
    assert len(modified) == 1
    for path, address in (
        ("/", "/queries/passing-over-time"),
        ("/definitions/mof-1.0", "/queries/passing-over-time?definition=mof-1.0"),
    ):
        chart = client.get(path).text.split('class="history-chart"', 1)[1].split("</section>")[0]
        said, times = cited(chart)
        assert said == "http://localhost" + address, path
        assert {dt.datetime.fromisoformat(t) for t in times} == modified, path
        assert 'href="/#cite"' in chart, path


def test_the_chart_labels_its_last_date_and_its_key_dates_its_counts(
    client: FlaskClient,
) -> None:
    """The key gives each line's last count: it says of which date (beside today's totals
    in the bar chart above, a bare '106' read as contradicting '130/489'), and the axis
    labels that date whatever the dates before it crowd out (the first date was labelled
    and the last one, the latest snapshot, lost its label where two were close)."""
    rows = client.get("/api/history/passing").json
    last = max(r["date"] for r in rows)
    home = client.get("/").text
    for d in definitions().values():
        if d.passes_models:
            n = next(r["passing"] for r in rows if r["definition"] == d.id and r["date"] == last)
            assert f"{d.label}</a>: {n} on {last}</li>" in home, d.id
    with client.application.test_request_context("/"):
        narrow = server_history.passing_chart(width=160)
    labelled = [t["label"] for t in narrow["ticks"] if t["label"]]
    assert len(labelled) < len(narrow["ticks"]) and labelled[-1] == last
    # The count axis is labelled by round numbers (it was 0, half the highest count and
    # the highest: 0, 57, 115), through one at or above every count drawn.
    values = [t["label"] for t in narrow["yticks"]]
    step = values[1]
    assert values == list(range(0, len(values) * step, step)), values
    assert step / 10 ** (len(str(step)) - 1) in (1, 2, 5), values
    assert values[-1] >= max(int(r["passing"]) for r in rows) > values[-2], values
    highest = min(p["y"] for line in narrow["lines"] for p in line["points"])
    assert highest >= narrow["top"] == narrow["yticks"][-1]["y"], (highest, narrow["yticks"])


def test_a_definition_that_passes_no_model_is_not_charted_as_a_flat_zero(
    client: FlaskClient,
) -> None:
    """The Index rates and ranks: a line of models passing it would sit at 0 for ever."""
    rated = [d.id for d in definitions().values() if not d.passes_models]
    assert rated  # the bundled shapes have one (eu-osai-index)
    assert any(r["definition"] in rated for r in client.get("/api/history/passing").json)
    home = client.get("/").text
    assert 'class="line-chart"' in home
    for d in rated:
        assert f'data-definition="{d}"' not in home
        page = client.get(f"/definitions/{d}").text
        assert 'class="line-chart"' not in page
        assert "passes or fails no model" in page


def test_history_api(client: FlaskClient) -> None:
    changes = client.get(
        "/api/history/changes?definition=mof-1.0&from=2025-01-01&to=2025-06-30"
    ).json
    assert {r["name"] for r in changes} == {"OLMo-7B"}
    assert client.get("/api/history/changes?from=yesterday").status_code == 400
    first = client.get("/api/history/first-passed?definition=mof-1.0").json
    assert {r["name"]: r["firstPassed"] for r in first} == {
        "OLMo-7B": "2025-06-30",
        "Pythia-6.9B": "2025-12-31",
    }
    producers = client.get("/api/history/producers?definition=mof-1.0").json
    assert {r["producerName"] for r in producers} >= {"Allen Institute for AI"}
    # A definition no one defined is an error, as /api/conformance answers it, not [].
    for route in ("changes", "passing", "producers", "first-passed"):
        wrong = client.get(f"/api/history/{route}?definition=mof-9")
        assert wrong.status_code == 400 and "'mof-9'" in wrong.text, route


def test_atom_feeds_of_changes(client: FlaskClient) -> None:
    r = client.get("/changes")
    assert r.status_code == 200 and r.content_type.startswith("application/atom+xml")
    feed = feedparser.parse(r.data)
    assert not feed.bozo and feed.entries
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    model = feedparser.parse(client.get("/models/allenai--olmo-7b/changes").data)
    olmo = next(e for e in model.entries if "mof-1.0" in e.title)
    assert olmo.title == "OLMo-7B: mof-1.0 failed → passed (Class I)"
    assert olmo.updated.startswith("2025-06-30") and "No longer:" in olmo.summary
    definition = feedparser.parse(client.get("/definitions/mof-1.0/changes").data)
    assert {e.tags[0].term for e in definition.entries} == {"mof-1.0"}
    assert client.get("/definitions/nope/changes").status_code == 404
    assert client.get("/models/nope/changes").status_code == 404


FEED_READER = "application/atom+xml,application/rss+xml;q=0.9,*/*;q=0.8"


def test_a_browser_following_a_feed_gets_the_changes_page(client: FlaskClient) -> None:
    """The over-time chart's "what changed" link is a feed, which a browser showed as its
    XML: a client preferring HTML is sent to the named query's page of the same changes
    (one question, one answer), a feed reader still gets Atom."""
    olmo = "https://w3id.org/openness-graph/id/model/allenai--olmo-7b"
    for path, given in (
        ("/changes", {}),
        ("/models/allenai--olmo-7b/changes", {"model": olmo}),
        ("/definitions/mof-1.0/changes", {"definition": "mof-1.0"}),
    ):
        sent = client.get(path, headers={"Accept": BROWSER})
        assert sent.status_code == 303 and "Accept" in sent.vary, (path, sent.status_code)
        where = urlsplit(sent.location)
        assert where.path == "/queries/verdict-changes", sent.location
        assert dict(parse_qsl(where.query)) == given, sent.location
        page = client.get(sent.location, headers={"Accept": BROWSER})
        assert page.status_code == 200 and "OLMo-7B" in page.text, path
        for accept in (FEED_READER, "*/*"):
            feed = client.get(path, headers={"Accept": accept})
            assert feed.status_code == 200, (path, accept)
            assert feed.content_type.startswith("application/atom+xml"), (path, accept)
    assert client.get("/models/nope/changes", headers={"Accept": BROWSER}).status_code == 404


def test_a_feeds_alternate_is_the_page_of_its_changes(client: FlaskClient) -> None:
    """A feed's alternate (RFC 4287: the same content in another form) is the page a
    browser is sent to, the named query's table of the same changes; it was the home page."""
    for path in ("/changes", "/models/allenai--olmo-7b/changes", "/definitions/mof-1.0/changes"):
        page = client.get(path, headers={"Accept": BROWSER}).location
        feed = feedparser.parse(client.get(path, headers={"Accept": FEED_READER}).data).feed
        (alternate,) = [link.href for link in feed.links if link.rel == "alternate"]
        assert alternate == "http://localhost" + page, (path, alternate)


@pytest.mark.parametrize(
    "accept", ["application/xml", "text/xml", "application/rss+xml, application/xml;q=0.9"]
)
def test_a_feed_reader_asking_for_xml_gets_the_atom_feed(client: FlaskClient, accept: str) -> None:
    """Atom is XML (RFC 4287, RFC 7303 § 8): a reader naming only application/xml or
    text/xml (or RSS, then XML) got the feed before the feeds negotiated; it got 406."""
    for path in ("/changes", "/models/allenai--olmo-7b/changes", "/definitions/mof-1.0/changes"):
        feed = client.get(path, headers={"Accept": accept})
        assert feed.status_code == 200, (path, feed.status_code, feed.text[:200])
        assert feed.content_type.startswith("application/atom+xml"), (path, feed.content_type)
        assert feedparser.parse(feed.data).entries, path
    named = client.get("/changes?format=xml")  # as format= names RDF/XML on a graph
    assert named.status_code == 200 and named.content_type.startswith("application/atom+xml")
    # …and a 406 lists them among the names the feed is offered by.
    refused = client.get("/changes", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "application/xml" in refused.text and "text/xml" in refused.text, refused.text


def test_the_charts_render_in_chromium(history: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    app = create_app({"STORE_LOCATION": str(history)})
    with serving(app) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            passing = [d for d in definitions().values() if d.passes_models]
            for path, lines in (("", len(passing)), ("definitions/mof-1.0", 1)):
                page.goto(url + path)
                chart = page.locator("svg.line-chart")
                assert chart.locator("g.series").count() == lines
                box = chart.locator('g.series[data-definition="mof-1.0"] path').bounding_box()
                # The line rises (SVG y grows downwards), so it spans some height.
                assert box is not None and box["width"] > 100 and box["height"] > 10
        finally:
            browser.close()


def test_openapi_describes_the_history_routes(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json["paths"]
    rules = {
        re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", r.rule)
        for r in client.application.url_map.iter_rules()
    }
    assert set(OPENAPI_PATHS) <= rules
    assert set(OPENAPI_PATHS) <= set(spec)
