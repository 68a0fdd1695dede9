"""Benchmark the live Hub sync end to end, without the network: prints numbers, asserts none.

For each engine (the embedded store, and ``oxigraph serve`` reached over HTTP) it runs the
real command line against a fake Hub (``tests/support/fake_hub.py``) serving ``--size``
synthetic models:

1. ``openness ingest hf --live --no-assess``: the first sync, listing page by page, then
   the identity graph rebuilt — records per second and the peak RSS of the process;
2. ``openness ingest hf --live``: the assessment of every synced model (skipped with
   ``--no-assess``; the assessment engine, not the sync, sets its pace);
3. after ``--change`` (1%) of the models got new commits, ``openness ingest hf --live``
   again: the incremental re-sync, identities and re-assessment of what changed;
4. ``openness serve`` and a lookup of a few synced models at ``/api/models/<id>``;
5. with ``--remove``, twice: that share of the models deleted from the Hub, then
   ``openness ingest hf --live --reconcile --no-assess`` (only a reconcile finds deletions):
   the re-sync and identities with the removed records' and models' tombstones, how many
   tombstones the identity graph holds, and the answers (410) to a few removed records' IRIs.

After each of the first three steps the store is left idle until the engine's background
compactions of what the step wrote stop: their CPU is printed with the step, not counted in
the next one (see ``settle``).

    nice -n 10 .venv/bin/python bench/hub_sync.py                  # 1000 models, both engines
    nice -n 10 .venv/bin/python bench/hub_sync.py --size 100000 --no-assess
    nice -n 10 .venv/bin/python bench/hub_sync.py --size 1000000 --no-assess --engine embedded
    nice -n 10 .venv/bin/python bench/hub_sync.py --size 10000 --on-bundled   # as after make serve
    nice -n 10 .venv/bin/python bench/hub_sync.py --size 10000 --no-assess --remove 0.01

The store starts with the vocabularies and shapes alone (``openness init``), or with the
bundled graph built (``--on-bundled``, as ``make serve`` leaves it): then the Hub models'
licences resolve to the SPDX list's descriptions, which become part of their evidence, and
fine-tunes of bundled models inherit their findings, as in a real deployment.

Every command runs under ``nice -n 10``; stores live in a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.fake_hub import FakeHub  # noqa: E402 - the tests' fake Hub, beside this folder

from openness.namespaces import Graphs, mint  # noqa: E402

OPENNESS = ["nice", "-n", "10", sys.executable, "-m", "openness.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PeakRss:
    """The peak resident memory of a process and its children, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.peak = 0
        self._proc = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                return
            self._stop.wait(0.2)

    def cpu(self) -> float:
        """CPU seconds the process has used so far."""
        times = self._proc.cpu_times()
        return times.user + times.system

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(store_args: list[str], *args: str) -> tuple[float, int, str]:
    """Run ``openness ARGS``: seconds, peak RSS (bytes, with its worker processes) and the
    last line it printed, with the CPU seconds it used (the steadier figure on a shared
    machine)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*OPENNESS, *store_args, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    rss = PeakRss(proc.pid)
    _, err = proc.communicate()
    peak = rss.stop()
    seconds = time.perf_counter() - started
    lines = [line for line in err.decode().splitlines() if line.strip()]
    if proc.returncode != 0:
        raise SystemExit(f"openness {' '.join(args)} failed:\n" + "\n".join(lines[-20:]))
    summary = next((line for line in reversed(lines) if line.startswith("hf --live:")), "")
    # A step that grew the store a lot ends by compacting it (openness.store.compaction).
    compacted = "".join(f"\n    {line}" for line in lines if line.startswith("compacted to"))
    return seconds, peak, f"{summary}{compacted}\n    CPU {_children_cpu() - cpu:.1f} s".lstrip()


# RocksDB compacts what a step wrote in the background, partly after the step has ended:
# whoever opens the store next pays the rest (100 000 Hub models: ~31 CPU s after their
# assessment, which the re-sync that followed paid as its own). After each step the store
# is opened and left idle until its compactions stop, and what they cost is printed with
# the step.
SETTLE = """
import resource, sys, time, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
def cpu():
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime
last = -1.0
while cpu() - last >= float(sys.argv[2]):
    last = cpu()
    time.sleep(2)
print(cpu())
"""
QUIET = 0.05  # CPU seconds in 2 s under which the engine is taken to be idle


def settle(store_args: list[str], server: _Cpu) -> str:
    """Wait until the store's compactions stop (in a process that opens the embedded
    store, or in ``oxigraph serve``); the CPU seconds they took and how long."""
    started = time.perf_counter()
    if server.server is None:
        done = subprocess.run(
            [sys.executable, "-c", SETTLE, store_args[1], str(QUIET)],
            capture_output=True,
            check=True,
        )
        used = float(done.stdout)
    else:
        used, step = 0.0, QUIET
        while step >= QUIET:
            time.sleep(2)
            step = server.used()
            used += step
    return f"    compactions after it: {used:.1f} CPU s over {time.perf_counter() - started:.0f} s"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def oxigraph(folder: Path) -> Iterator[tuple[list[str], PeakRss]]:
    """An ``oxigraph serve`` on a free port, with its memory watched."""
    binary = Path(sys.executable).parent / "oxigraph"
    port = free_port()
    proc = subprocess.Popen(
        [
            "nice",
            "-n",
            "10",
            str(binary),
            "serve",
            "--location",
            str(folder),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    wait_for(lambda: httpx.get(url, params={"query": "ASK {}"}, timeout=1))
    rss = PeakRss(proc.pid)
    try:
        yield ["--endpoint", url], rss
    finally:
        rss.stop()
        proc.terminate()
        proc.wait(30)


def wait_for(probe: object, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            probe()  # type: ignore[operator]
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def lookups(store_args: list[str], repos: list[str], path: str = "/api/models/") -> list[float]:
    """Serve the store and look each model up at /api/models/<id> (or the path given, its
    record at /id/record/hf/<id>, which answers 410 once removed); seconds per answer."""
    port = free_port()
    proc = subprocess.Popen(
        [*OPENNESS, *store_args, "serve", "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    times = []
    try:
        wait_for(lambda: httpx.get(base + "/health", timeout=1).raise_for_status())
        with httpx.Client(timeout=300) as http:
            for repo in repos:
                model_id = mint("model", repo).rsplit("/", 1)[1]
                started = time.perf_counter()
                response = http.get(f"{base}{path}{model_id}")
                times.append(time.perf_counter() - started)
                if response.status_code != (200 if path == "/api/models/" else 410):
                    print(f"    lookup of {repo}: HTTP {response.status_code}")
    finally:
        proc.terminate()
        proc.wait(30)
    return times


def bench(
    engine: str,
    size: int,
    change: float,
    assess: bool,
    page_size: int,
    on_bundled: bool,
    remove: float = 0.0,
) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"hub-bench-{engine}-"))
    base = "the bundled graph" if on_bundled else "the vocabularies alone"
    print(f"\n== {engine}: {size} models, pages of {page_size}, on {base}")
    try:
        with FakeHub(size) as hub, _engine(engine, folder) as (store_args, server_rss):
            sync = ["ingest", "hf", "--live", "--endpoint", hub.url, "--page-size", str(page_size)]
            seconds, _, _ = run(store_args, "build" if on_bundled else "init")
            print(f"  {base}: {seconds:.1f} s")
            server = _Cpu(server_rss)
            if on_bundled:
                print(settle(store_args, server))
            seconds, peak, summary = run(store_args, *sync, "--no-assess")
            print(
                f"  first sync + identities: {seconds:8.1f} s  {size / seconds:8.0f} records/s"
                f"  peak RSS {peak / 2**20:7.0f} MB"
            )
            print(f"    {summary}{server.since()}")
            print(settle(store_args, server))
            if assess:
                seconds, peak, summary = run(store_args, *sync)
                print(
                    f"  assessment of all:       {seconds:8.1f} s  {size / seconds:8.1f} models/s"
                    f"  peak RSS {peak / 2**20:7.0f} MB"
                )
                print(f"    {summary}{server.since()}")
                print(settle(store_args, server))
            changed = random.Random(0).sample(range(size), max(1, round(size * change)))
            hub.change(changed)
            seconds, peak, summary = run(store_args, *sync, *([] if assess else ["--no-assess"]))
            what = "re-sync + re-assessment" if assess else "re-sync + identities"
            print(
                f"  {change:.0%} changed, {what}: {seconds:8.1f} s  peak RSS {peak / 2**20:7.0f} MB"
            )
            print(f"    {summary}{server.since()}")
            print(settle(store_args, server))
            if server_rss is not None:
                print(f"  oxigraph serve peak RSS: {server_rss.peak / 2**20:7.0f} MB")
            repos = [hub.repo_id(i) for i in random.Random(1).sample(range(size), min(10, size))]
            times = lookups(store_args, repos)
            print(
                f"  served lookup /api/models/<id>: median {statistics.median(times) * 1000:.0f}"
                f" ms, max {max(times) * 1000:.0f} ms ({len(times)} models)"
            )
            for _ in range(2 if remove else 0):
                removals(hub, store_args, server, folder, remove, page_size)
        print(f"  store on disk: {_size(folder) / 2**20:.0f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


TOMBSTONES = """SELECT ?kind (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?t a ?kind } }
GROUP BY ?kind ORDER BY ?kind"""


def removals(
    hub: FakeHub, store_args: list[str], server: _Cpu, folder: Path, share: float, page_size: int
) -> None:
    """``share`` of the Hub's models deleted, then a reconcile re-sync: its time, the
    tombstones the identity graph holds after it, and the answers to removed records."""
    listed = sorted(set(range(hub.size)) - hub.removed)
    gone = random.Random(len(hub.removed)).sample(listed, max(1, round(len(listed) * share)))
    for i in gone:
        hub.remove(i)
    sync = ["ingest", "hf", "--live", "--endpoint", hub.url, "--page-size", str(page_size)]
    seconds, peak, summary = run(store_args, *sync, "--reconcile", "--no-assess")
    print(
        f"  {len(gone)} removed, re-sync --reconcile + identities: {seconds:8.1f} s"
        f"  peak RSS {peak / 2**20:7.0f} MB"
    )
    print(f"    {summary}{server.since()}")
    query = folder / "tombstones.rq"
    query.write_text(TOMBSTONES % Graphs.IDENTITY, encoding="utf-8")
    counted = subprocess.run(
        [*OPENNESS, *store_args, "query", str(query), "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
    )
    kinds = [line.split(",") for line in counted.stdout.splitlines()[1:] if line.strip()]
    print(
        "    types in the identity graph: "
        + ", ".join(f"{k.rsplit('#')[-1]} {n}" for k, n in kinds)
    )
    print(settle(store_args, server))
    times = lookups(store_args, [hub.repo_id(i) for i in gone[:10]], "/id/record/hf/")
    print(
        f"  served 410 /id/record/hf/<removed id>: median {statistics.median(times) * 1000:.0f}"
        f" ms, max {max(times) * 1000:.0f} ms ({len(times)} records)"
    )


class _Cpu:
    """The CPU seconds a server used since the last time asked (nothing without one)."""

    def __init__(self, server: PeakRss | None) -> None:
        self.server = server
        self.last = server.cpu() if server else 0.0

    def used(self) -> float:
        """CPU seconds used since the last time asked."""
        now = self.server.cpu() if self.server else 0.0
        used, self.last = now - self.last, now
        return used

    def since(self) -> str:
        if self.server is None:
            return ""
        return f", oxigraph serve CPU {self.used():.1f} s"


@contextmanager
def _engine(engine: str, folder: Path) -> Iterator[tuple[list[str], PeakRss | None]]:
    if engine == "embedded":
        yield ["--store", str(folder / "store")], None
    else:
        with oxigraph(folder / "oxigraph") as (args, rss):
            yield args, rss


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="synthetic Hub models")
    parser.add_argument("--engine", choices=["embedded", "oxigraph", "both"], default="both")
    parser.add_argument("--change", type=float, default=0.01, help="share changed, then re-synced")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument(
        "--no-assess", action="store_true", help="leave the assessments out (large sizes)"
    )
    parser.add_argument(
        "--remove",
        type=float,
        default=0.0,
        help="after the lookups, twice: this share of the models deleted, then a reconcile",
    )
    parser.add_argument(
        "--on-bundled",
        action="store_true",
        help="sync into the bundled graph (openness build), not the vocabularies alone",
    )
    args = parser.parse_args()
    print(f"fake Hub: {args.size} models; cores: {os.cpu_count()}")
    for engine in ["embedded", "oxigraph"] if args.engine == "both" else [args.engine]:
        bench(
            engine,
            args.size,
            args.change,
            not args.no_assess,
            args.page_size,
            args.on_bundled,
            args.remove,
        )


if __name__ == "__main__":
    main()
