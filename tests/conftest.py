"""Fixtures shared by the test suite.

``store`` runs a test once per backend: the embedded pyoxigraph store in memory, and a
real ``oxigraph serve`` process on 127.0.0.1 reached over the SPARQL 1.1 protocols.
"""

# ruff: noqa: E402 -- the environment is mended before openness is imported (below)

from __future__ import annotations

import os

# A researcher's own shapes folder (`openness --shapes`, exported as OPENNESS_SHAPES) would
# change what the suite judges: removed before openness is imported (server/openapi.py
# reads the definitions then), for this process and the subprocesses the tests start. The
# tests of one's own definitions set it themselves.
os.environ.pop("OPENNESS_SHAPES", None)

import datetime as dt
import pickle
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from support.history import copy_store
from support.shared import once_per_run

from openness.assess.run import Assessment, assess
from openness.assess.service import resolve_models
from openness.assess.store import save
from openness.ingest.runner import ingest_all
from openness.server import app as server_app
from openness.store import EmbeddedStore, GraphStore, RemoteStore
from openness.vocabularies import load_vocabularies


def ephemeral_ports() -> range:
    """The ports the kernel gives client sockets (Linux's ip_local_port_range; its
    default where that file is missing)."""
    ranges = Path("/proc/sys/net/ipv4/ip_local_port_range")
    low, high = map(int, ranges.read_text().split()) if ranges.exists() else (32768, 60999)
    return range(low, high + 1)


def free_port() -> int:
    """A loopback port no one listens on, outside the kernel's ephemeral range.

    A port bind(0) gives is ephemeral: a client socket may take it before the server we
    start binds it, or the probe waiting for that server may connect to itself (TCP
    self-connect: the probe's own local port is the one it dials). CI saw both at once: a
    probe's read timed out and Virtuoso "Failed HTTP listen" on its port."""
    ephemeral = ephemeral_ports()
    candidates = [p for p in range(10000, 65536) if p not in ephemeral]
    for port in random.sample(candidates, min(200, len(candidates))):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    # A kernel whose ephemeral range spans every port leaves no choice but its own.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    """The ``oxigraph`` server installed beside this Python (PyPI package ``oxigraph``)."""
    local = Path(sys.executable).parent / "oxigraph"
    found = str(local) if local.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server is missing: pip install oxigraph (make test does)")
    return found


@pytest.fixture(autouse=True, scope="session")
def unhurried_server() -> Iterator[None]:
    """An app a test makes gives its requests minutes, not the served default's 30 s: CI's
    machine is loaded, and a validation's first request (a query process starting, pySHACL
    loading) took over 30 s there. Session-wide, so that it is in place before the apps of
    module-scoped fixtures are made (pytest sets up wider scopes first: a function-scoped
    patch came after them, and their requests kept 30 s). A test of the time limit sets
    QUERY_TIMEOUT itself."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(server_app, "QUERY_TIMEOUT", 600.0)
        yield


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on a free loopback port; yields its base URL.

    Its store is in memory (no ``--location``): on RocksDB every ``DROP ALL`` between tests
    left tombstones that later queries scanned, so once a test had loaded and dropped the
    bundled graph the next remote tests ran 10-20 times slower. The tests that kill an
    engine start their own, on disk."""
    with oxigraph_serving(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@contextmanager
def oxigraph_serving(folder: Path, *options: str) -> Iterator[str]:
    """``oxigraph serve`` in memory with ``options`` on a free loopback port, its log in
    ``folder``; yields its base URL and stops it after."""
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}", *options],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    if not answering(base + "/query", proc, 30):
        proc.kill()
        pytest.fail(f"oxigraph serve did not start: {log.read_text()}")
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def answering(url: str, proc: subprocess.Popen, seconds: float) -> bool:
    """Whether the engine ``proc`` answers an ASK query at ``url`` within ``seconds``
    (False once it has exited). One client asks every 50 ms: ``httpx.get`` makes a client
    each time, ~50 ms CPU (its TLS context), and a Virtuoso start took ~25 tries."""
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=1) as client:
        while True:
            try:
                client.get(url, params={"query": "ASK {}"}).raise_for_status()
                return True
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    return False
                time.sleep(0.05)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
[SPARQL]
ResultSetMaxRows = {max_rows}
"""


@pytest.fixture(scope="session")
def virtuoso_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a new Virtuoso database, its SPARQL endpoint open for updates, made
    once per run: ``virtuoso_process`` starts on a copy. Making one took 3.8 CPU s (14.7 s
    at load 7), a start on a copy 1.5 (~4.5 s), and the suite makes up to eight."""

    def make() -> Path:
        folder = tmp_path_factory.mktemp("virtuoso-database")
        with virtuoso_process(folder):
            virtuoso_sql(folder, "checkpoint;")  # a copy starts with no log to replay
        return folder

    def keep(made: Path, folder: Path) -> None:
        copy_virtuoso_database(made, folder)

    return once_per_run(tmp_path_factory, "virtuoso-database", make, keep, lambda f: f)


def copy_virtuoso_database(source: Path, to: Path) -> None:
    """Copy the database files of the folder ``source`` (as ``virtuoso_process`` names
    them) into the folder ``to``."""
    for name in ("virtuoso.db", "virtuoso.trx"):
        shutil.copyfile(source / name, to / name)


@pytest.fixture(scope="session")
def virtuoso_server(
    tmp_path_factory: pytest.TempPathFactory, virtuoso_database: Path
) -> Iterator[str]:
    """A real Virtuoso (Debian's virtuoso-opensource-7-bin) on free loopback ports, its
    SPARQL endpoint open for updates; yields the endpoint's URL. Skipped where Virtuoso
    is not installed, except in CI (.ci/run installs it)."""
    with virtuoso_process(tmp_path_factory.mktemp("virtuoso"), virtuoso_database) as (url, _):
        yield url


@contextmanager
def virtuoso_process(
    data: Path, database: Path | None = None, *, max_rows: int = 1_000_000
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Virtuoso on the database in the folder ``data`` (where it holds none: a copy of the
    one in the folder ``database``, or else a new one), on free loopback ports, its SPARQL
    endpoint open for updates, answering at most ``max_rows`` rows a query (its
    ResultSetMaxRows); yields the endpoint's URL and the process (which a test may
    kill: started again on the same folder, Virtuoso recovers from its transaction log)."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not (binary and isql):
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is missing: apt-get install virtuoso-opensource-7-bin")
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin)")
    ports = {"isql": free_port(), "http": free_port()}
    while ports["http"] == ports["isql"]:  # two picks at random may meet
        ports["http"] = free_port()
    new = not (data / "virtuoso.db").exists()
    if new and database:
        copy_virtuoso_database(database, data)
        new = False
    ini = data / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=data, max_rows=max_rows, **ports))
    log = data / "server.out"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [binary, "-f", "-c", str(ini)], cwd=data, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{ports['http']}/sparql"
    if not answering(url, proc, 120):
        proc.kill()
        pytest.fail(f"virtuoso did not start: {log.read_text()}")
    if new:  # Anonymous SPARQL may update, as oxigraph serve's /update does (loopback only).
        virtuoso_sql(data, 'grant SPARQL_UPDATE to "SPARQL";')
    try:
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def virtuoso_sql(data: Path, statements: str) -> None:
    """Run SQL ``statements`` as dba on the Virtuoso that ``virtuoso_process`` runs on the
    database in the folder ``data`` (its isql port read from the virtuoso.ini written there)."""
    port = re.search(r"ServerPort = 127\.0\.0\.1:(\d+)", (data / "virtuoso.ini").read_text())
    assert port, "no ServerPort in virtuoso.ini"
    subprocess.run(
        [shutil.which("isql-vt") or "isql-vt", port[1], "dba", "dba", f"exec={statements}"],
        check=True,
        capture_output=True,
        timeout=600,
    )


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """An empty store, once per backend (``remote`` is ``oxigraph serve``)."""
    if request.param == "embedded":
        s: GraphStore = EmbeddedStore(None)
    elif request.param == "remote":
        base = request.getfixturevalue("oxigraph_server")
        s = RemoteStore(base + "/query")
        s.update("DROP ALL")
    else:  # Virtuoso takes updates at its query endpoint; its own graphs stay
        url = request.getfixturevalue("virtuoso_server")
        s = RemoteStore(url, update_url=url)
        for graph in s.graph_sizes():
            s.drop_graph(graph)
    yield s
    s.close()


def _bundled() -> GraphStore:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_all(store)
    return store


def _save_graph(store: GraphStore, folder: Path) -> None:
    (folder / "graph.nq").write_bytes(store.export(ox.RdfFormat.N_QUADS))


def _load_graph(folder: Path) -> GraphStore:
    store = EmbeddedStore(None)
    store._store.load((folder / "graph.nq").read_bytes(), ox.RdfFormat.N_QUADS)  # noqa: SLF001
    return store


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """An in-memory store holding the whole bundled snapshot, ingested once per run (the
    other worker loads it). Tests must not modify it."""
    return once_per_run(tmp_path_factory, "bundled", _bundled, _save_graph, _load_graph)


# `make test` runs the suite in two processes (pytest-xdist, `--dist loadfile`), a test file
# to each in turn, in the order of the collection (`--no-loadscope-reorder`: xdist would
# otherwise hand out the files with most tests first, and the longest, which have few
# tests, ran last while the other process idled: 36 min at load 8, the pySHACL comparison
# alone at the end). The files that take longest (CPU s measured in `make test`, or of the
# file run alone, `-p no:xdist`, less pytest's start and the session fixtures a run builds
# once) are collected first; the rest follow in their order. A file missing here only starts
# later.
# (`--dist loadgroup` cannot share the bundled assessment across files: with pytest 9.2 it
# silently groups nothing, pytest-xdist issue 1386.)
LONGEST_FIRST = [
    "tests/test_assessment_engine.py",  # 280: pySHACL on a sample of models
    "tests/test_faults.py",  # 85: processes killed while they write
    "tests/test_browser.py",  # 75: Chromium
    "tests/test_validate_and_report.py",  # 69
    "tests/test_lineage_data_openwashing.py",  # 60
    "tests/test_store.py",  # Virtuoso started 11 times, killed in 6
    "tests/test_assessment_writer.py",  # 58
    "tests/test_history.py",  # 53: verdicts as of eight dates
    "tests/test_second_shacl_engine.py",  # 45: pySHACL, and TopBraid SHACL in a JVM beside it
    "tests/test_hub_live.py",  # 44
    "tests/test_assessment.py",  # 25
    "tests/test_licence_verdicts.py",  # 24
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    # A stable sort: each file's tests keep their order.
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(scope="session")
def everything(
    built: GraphStore, tmp_path_factory: pytest.TempPathFactory
) -> tuple[GraphStore, Assessment]:
    """A copy of the bundled graph holding the stored verdicts of every model against every
    definition, and the run that computed them: the bundled assessment, run once per
    test run (the other worker loads the store and the pickled run). Tests must not modify
    the store (``copy_of`` it)."""

    def make() -> tuple[GraphStore, Assessment]:
        store = copy_of(built)
        run = assess(store)
        save(store, run, started=dt.datetime.now(dt.UTC))
        return store, run

    def keep(value: tuple[GraphStore, Assessment], folder: Path) -> None:
        _save_graph(value[0], folder)
        (folder / "run.pickle").write_bytes(pickle.dumps(value[1]))

    def load(folder: Path) -> tuple[GraphStore, Assessment]:
        return _load_graph(folder), pickle.loads((folder / "run.pickle").read_bytes())

    return once_per_run(tmp_path_factory, "everything", make, keep, load)


def copy_of(store: EmbeddedStore) -> EmbeddedStore:
    """An in-memory copy of a store, for tests that write (assessing writes derived facts).
    The quads go from store to store: ~0.45 CPU s for the bundled graph, where writing and
    parsing N-Quads took ~0.7, and the suite makes some fifty copies."""
    copy = EmbeddedStore(None)
    copy._store.extend(store._store)  # noqa: SLF001
    return copy


REPORTED_MODELS = [
    "OLMo-7B",
    "Llama-2-7B",
    "CrystalCoder",
    "T5",
    "Meta-Llama-3-70B-Instruct",
    "Falcon-40B",
    "ChatMusician",  # a fine-tune of Llama-2-7B: what it inherits
]


@pytest.fixture(scope="session")
def reported(built: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk with the bundled graph and the verdicts of a few models: assessed
    once per run, a copy of its folder for each worker."""
    location = tmp_path_factory.mktemp("reported") / "store"

    def make() -> Path:
        store = copy_store(built, location)
        models = resolve_models(store, REPORTED_MODELS)
        save(store, assess(store, None, models), started=dt.datetime.now(dt.UTC))
        store.close()
        return location

    def keep(made: Path, folder: Path) -> None:
        shutil.copytree(made, folder / "store")

    def load(folder: Path) -> Path:
        shutil.copytree(folder / "store", location)
        return location

    return once_per_run(tmp_path_factory, "reported", make, keep, load)


def select(store: GraphStore, sparql: str, **kwargs: object) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings, for readable assertions."""
    return [{k: v.value for k, v in row.items()} for row in store.query(sparql, **kwargs).rows()]


def stated(turtle: str) -> list[str]:
    """The subject of each statement of a Turtle document (a line that starts one), in
    order; a blank node written in place (``[``) is none."""
    return [
        line.split(" ", 1)[0]
        for line in turtle.splitlines()
        if line and not line[0].isspace() and not line.startswith(("@prefix", "[", "]"))
    ]
