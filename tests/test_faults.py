"""Processes killed while they write to the store leave every named graph as it was, and
the next run completes.

The store layer appends ``begin`` to ``$OPENNESS_WRITE_LOG`` just before each write and
``end`` once it has committed (``openness.store.base.announced_write``); the tests kill the
process (SIGKILL) a random moment after a write began (for `build`, in a random one of its
writes), and check that the write was still running when it died. For ingest and assess
the data are large enough that a write takes far longer than that moment on any machine:
a slower machine only makes the write longer. A build's short writes may end first: that
test tries again.

Builds and assessments run on a small copy of the bundled data (``small_home``: every
source, a few records of the large ones), so the whole suite stays within its time: the
writes are the same ones, fewer records go through them.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_ingest_robustness import MOF_FILES, mof_folder

from openness.cli import cli
from openness.named_queries import named
from openness.namespaces import PROV, Graphs
from openness.resources import project_root
from openness.store import EmbeddedStore
from openness.store.base import WRITE_LOG
from openness.store.summary import SUMMARY

HANG_GUARD = 1800.0  # a whole build on a loaded machine


KEEP = 10  # records of each source folder of models, and of the Hub's dataset cards x 5


@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An $OPENNESS_HOME whose bundled data are every source with only the first KEEP
    model records of each folder of them (current and dated) and a few Hub dataset
    cards: a build there makes every write a build of the bundled data makes, in a tenth
    of the time. The ontology, shapes and queries are the project's own."""
    root, home = project_root(), tmp_path_factory.mktemp("home")
    for name in ("ontology", "shapes", "queries"):
        (home / name).symlink_to(root / name)
    sources = home / "data" / "sources"
    shutil.copytree(root / "data" / "sources", sources)
    for folder in sources.glob("**/models"):
        for f in sorted(folder.iterdir())[KEEP:]:
            f.unlink()
    cards = sources / "hf" / "dataset_cards_2022" / "dataset_card_front_matter.jsonl"
    cards.write_text("".join(cards.read_text().splitlines(keepends=True)[: 5 * KEEP]))
    return home


def openness(store: Path, *args: str, log: Path) -> subprocess.Popen:
    """``openness ARGS`` in a process of its own, to be killed: it announces its writes in
    ``log``, and nothing reads its output (a killed process must never block on it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "openness.cli", "--store", str(store), *args],
        env={**os.environ, WRITE_LOG: str(log)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def completes(store: Path, *args: str) -> None:
    """Run ``openness ARGS`` to its end in this process: only the runs that are killed need
    a process of their own, and each started process costs ~1 CPU s of imports."""
    result = CliRunner().invoke(cli, ["--store", str(store), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def kill_inside_a_write(
    store: Path, args: list[str], log: Path, nth: int, pause: float = 0.05
) -> bool:
    """Run ``openness ARGS``; once a write is seen running, from its ``nth`` write on,
    SIGKILL it up to ``pause`` seconds later. Whether it died inside that write (a short
    one may end before the signal lands; False too when it ended without being seen in a
    write)."""
    log.write_text("")
    proc = openness(store, *args, log=log)
    deadline = time.monotonic() + HANG_GUARD
    while True:
        writes = log.read_text().split()
        if writes.count("begin") >= nth and writes[-1] == "begin":
            break
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "no write began"
        time.sleep(0.002)
    time.sleep(random.uniform(0, pause))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return log.read_text().split()[-1] == "begin"


@contextmanager
def reading(store: Path) -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(store, read_only=True)
    try:
        yield s
    finally:
        s.close()


def sizes(store: Path) -> dict[str, int]:
    with reading(store) as s:
        return s.graph_sizes()


def models(store: Path) -> int:
    with reading(store) as s:
        return s.count("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a og:Model }")


def test_a_killed_ingest_leaves_every_graph_intact(tmp_path: Path) -> None:
    store = tmp_path / "db"
    completes(store, "init")
    completes(store, "ingest", "mof", "--from", str(mof_folder(tmp_path / "a", MOF_FILES[:3])))
    completes(store, "ingest", "curated")
    before = sizes(store)
    # A replacement of the MOF graph twice the whole bundled source: its write takes seconds
    # (1.5 CPU s for the bundled source alone), far past the 50 ms before the kill.
    big = mof_folder(tmp_path / "b", [])
    for i in range(2):
        for f in MOF_FILES:
            shutil.copy(f, big / "models" / f"{i}-{f.name}")
    # Until two kills land inside the write: the write takes seconds, but a test process
    # starved that long on a loaded machine sees it only after its end (the store then
    # holds the new graph, and is put back as it was for the next try).
    kept, inside = tmp_path / "kept", 0
    shutil.copytree(store, kept)
    for _ in range(5):
        if kill_inside_a_write(store, ["ingest", "mof", "--from", str(big)], tmp_path / "w", 1):
            assert sizes(store) == before
            inside += 1
            if inside == 2:
                break
        else:
            shutil.rmtree(store)
            shutil.copytree(kept, store)
    assert inside == 2, "five ingests of which fewer than two were killed inside the write"
    completes(store, "ingest", "mof", "--from", str(big))
    mof = next(g for g in before if g.endswith("/mof"))
    assert sizes(store)[mof] > before[mof]


@pytest.mark.timeout(1200)  # a hang guard: up to fifteen assessments of the small home's graph
def test_a_killed_assessment_leaves_the_stored_verdicts_intact(
    tmp_path: Path, small_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`assess --all` writes each batch of models' verdicts and derived facts in one
    transaction, replacing theirs: killed inside its first, the store holds what it held
    before, or (killed between that write's commit and its announcement: the writer thread
    may wait for the GIL the judging thread holds) what that write made; never a part of
    it. The next `assess --all` completes it."""
    monkeypatch.setenv("OPENNESS_HOME", str(small_home))
    store, kept, log = tmp_path / "db", tmp_path / "kept", tmp_path / "w"
    completes(store, "init")
    completes(store, "ingest")
    completes(store, "assess")
    shutil.copytree(store, kept)
    # The graph sizes after each write of `assess --all` on that store, in this process.
    states = [sizes(store)]
    with recording_writes(states):
        completes(store, "assess", "--all")
    assert len(states) > 2 and states[-1] == states[0]
    inside = 0
    # Until two kills land inside a write: its writes are short (a few ms each on a quiet
    # machine), so the kill follows the write's start closely and the tries are many
    # (five tries with a kill up to 50 ms late missed on a loaded CI machine).
    for _ in range(12):
        shutil.rmtree(store)
        shutil.copytree(kept, store)
        inside += killed_as_after_a_write(store, ["assess", "--all"], log, 1, states, 0.005)
        if inside == 2:
            break
    assert inside == 2, "twelve assessments of which fewer than two were killed inside a write"
    completes(store, "assess", "--all")
    # A killed run that stored verdicts is named by the run completing it (its own triples
    # are left out), with prov:wasInformedBy: a term the vocabulary summary then counts.
    assert without(verdicts_only(store), SUMMARY) == without(verdicts_only(kept), SUMMARY)


@contextmanager
def recording_writes(states: list[dict[str, int]]) -> Iterator[None]:
    """Append to ``states`` the graph sizes of the store on disk after each of its writes
    made in this process inside the block (every write is an update or an atomic add)."""
    # Every update goes through _update (update() adds the summary's upkeep to it).
    write, add = EmbeddedStore._update, EmbeddedStore.add_atomically  # noqa: SLF001

    def recorded(self: EmbeddedStore, sparql: str, **kwargs: object) -> None:
        write(self, sparql, **kwargs)
        # Scratch stores (in memory: the assessment's, the history's) announce no writes.
        if self.path is not None:
            states.append(self.graph_sizes())

    def added(self: EmbeddedStore, *args: object) -> None:
        add(self, *args)
        if self.path is not None:
            states.append(self.graph_sizes())

    with pytest.MonkeyPatch.context() as m:
        m.setattr(EmbeddedStore, "_update", recorded)
        m.setattr(EmbeddedStore, "add_atomically", added)
        yield


def killed_as_after_a_write(
    store: Path,
    args: list[str],
    log: Path,
    nth: int,
    states: list[dict[str, int]],
    pause: float = 0.05,
) -> bool:
    """Kill ``openness ARGS`` as :func:`kill_inside_a_write` does and check that the store
    holds what ``states`` (the graph sizes after each of its writes, as a run to its end
    made them) says it held after the writes that announced their end, or, killed inside a
    write (its end not announced), after that write too: never a part of one. Whether it
    was killed inside a write."""
    inside = kill_inside_a_write(store, args, log, nth, pause)
    done = log.read_text().split().count("end")
    expected = [states[done], *([states[done + 1]] if inside else [])]
    assert sizes(store) in expected
    return inside


def without(graphs: dict[str, int], *names: str) -> dict[str, int]:
    return {g: n for g, n in graphs.items() if g not in names}


@pytest.mark.timeout(900)  # a hang guard: up to seven builds of the small home's graph
def test_a_killed_build_leaves_the_store_as_after_its_last_write(
    tmp_path: Path, small_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build is many writes (vocabularies, each source, each rule, the verdicts, the
    history); killed inside one, the store holds exactly what the writes before it made
    (or, killed between its commit and its announcement, what that one made too), and the
    next `build --if-missing` completes it."""
    from openness.ingest.runner import PROVENANCE_GRAPH

    # Every build below, this process's and the others', reads the small home's data.
    monkeypatch.setenv("OPENNESS_HOME", str(small_home))
    # The graph sizes after each write of a build on an empty store, in this process.
    states: list[dict[str, int]] = [{}]
    with recording_writes(states):
        built = CliRunner().invoke(cli, ["--store", str(tmp_path / "reference"), "build"])
    assert built.exit_code == 0, built.output

    store, log = tmp_path / "db", tmp_path / "w"
    for _ in range(5):  # until a kill lands inside a write (a short one may end first)
        shutil.rmtree(store, ignore_errors=True)
        nth = random.randint(1, len(states) - 1)
        inside = killed_as_after_a_write(store, ["build"], log, nth, states, pause=0)
        if inside:
            break
    assert inside, "five builds in a row were not killed inside a write"
    completes(store, "build", "--if-missing")
    # Every ingest run is recorded in the provenance graph, the killed build's too, and so
    # is an assessment run killed after storing verdicts (the run completing it names it).
    # The vocabulary summary may keep partitions of terms the killed build's last write
    # was to add (empty ones, which its readers skip): its answer is compared, not its size.
    assert without(verdicts_only(store), PROVENANCE_GRAPH, SUMMARY) == without(
        verdicts_only(tmp_path / "reference"), PROVENANCE_GRAPH, SUMMARY
    )
    used, reference = set(vocabulary(store)), set(vocabulary(tmp_path / "reference"))
    assert reference <= used
    # Killed after storing verdicts, the assessment is named by the run completing it with
    # prov:wasInformedBy, a term a build from empty never uses (the CI caught it in use).
    assert used - reference <= {(PROV + "wasInformedBy", "property")}


def vocabulary(store: Path) -> list[tuple[str, str]]:
    with reading(store) as s:
        rows = s.query(named("vocabulary-in-use").sparql({})).rows()
    return [(r["term"].value, r["kind"].value) for r in rows]


def verdicts_only(store: Path) -> dict[str, int]:
    """The graph sizes, the assessment runs' own triples left out of the assessments graph."""
    out = sizes(store)
    with reading(store) as s:
        runs = s.count(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?run a og:AssessmentRun ; ?p ?o } }"
        )
    (graph,) = [g for g in out if g.endswith("/assessments")]
    out[graph] -= runs
    return out


WORKER = """
import multiprocessing, time
from openness.assess.definitions import definitions
from openness.assess.judge import judges
with judges(set(), list(definitions().values()), 1) as judge:
    judging = judge(set(), [])
    (worker,) = multiprocessing.active_children()
    judging()  # the worker has started and judged a batch
    print(worker.pid, flush=True)
    time.sleep(600)
"""


def _running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended but not reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_run_leaves_no_judging_worker_behind() -> None:
    """A run killed while a worker process judges its batches ends that worker too: it
    would otherwise wait for batches for ever."""
    with subprocess.Popen([sys.executable, "-c", WORKER], stdout=subprocess.PIPE, text=True) as run:
        try:
            worker = int(run.stdout.readline())
            assert _running(worker)
        finally:
            run.kill()
    deadline = time.monotonic() + 120  # a bound for a loaded machine, not a measure
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(worker)


# A multi-source ingest killed at a chosen point: between a source's write and the
# identity's (while the next source is read), or between the identity's two writes.
KILLED_INGEST = """
import os, signal, sys
from pathlib import Path
from openness.ingest import identity, runner
from openness.store import EmbeddedStore

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

location, point = sys.argv[1:]
if point == "after a source":
    source = runner.SOURCES["osai-index"]
    runner.SOURCES["osai-index"] = runner.Source(source.name, source.folder, die)
else:
    identity.verdict_subjects = die
runner.ingest_all(EmbeddedStore(Path(location)), ["mof", "osai-index"])
"""
LINKED = (
    "ASK { GRAPH <%s> { ?m og:hasRecord <https://w3id.org/openness-graph/id/record/mof/amber> } }"
)
ABOUT = "ASK { GRAPH <%s> { ?v earl:subject ?m } }"


@pytest.mark.parametrize(
    ("point", "command"),
    [
        ("after a source", ["assess", "-m", "Aquila-7B"]),
        ("between the identity's writes", ["assess", "-m", "Aquila-7B"]),
        ("after a source", ["serve"]),
    ],
)
def test_an_ingest_killed_before_the_identity_is_written_is_caught_up(
    small_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    point: str,
    command: list[str],
) -> None:
    """An ingest of several sources killed after it stored one (the MOF records without
    Amber) and before the identity graph was computed again left the identity naming
    Amber's record (or, killed between the identity's two writes, without the published
    verdicts' models) until the next ingest: assess and serve judged and served that. The
    mark written with the source makes the next assessment compute the identity first;
    serve, which writes nothing (an ingest in progress holds the store), says so."""
    home, location = tmp_path / "home", tmp_path / "db"
    shutil.copytree(small_home, home, symlinks=True)
    monkeypatch.setenv("OPENNESS_HOME", str(home))
    completes(location, "init")
    completes(location, "ingest")
    (home / "data" / "sources" / "mof" / "models" / "Amber.yml").unlink()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_INGEST, str(location), point], check=False
    )
    assert killed.returncode == -signal.SIGKILL
    with reading(location) as store:
        stale = LINKED if point == "after a source" else ABOUT
        assert bool(store.query(stale % Graphs.IDENTITY)) == (point == "after a source")
    monkeypatch.setattr("openness.server.serve.run_server", lambda app, **kw: None)
    result = CliRunner().invoke(cli, ["--store", str(location), *command])
    if command == ["serve"]:  # it says so and writes nothing: an ingest may hold the store
        assert result.exit_code == 0, result.output
        assert "a source was stored after the records were last linked" in result.output
        with reading(location) as store:
            assert store.query(LINKED % Graphs.IDENTITY)
        return
    with reading(location) as store:
        assert not store.query(LINKED % Graphs.IDENTITY)
        assert store.query(ABOUT % Graphs.IDENTITY)
        assert not store.query(
            f"ASK {{ GRAPH <{Graphs.PROVENANCE}> {{ ?g og:identityBehind ?s }} }}"
        )
    assert result.exit_code == 0, result.output
    assert "an ingest stopped before linking the records it stored" in result.output
