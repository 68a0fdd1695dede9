"""`openness serve` (gunicorn) with clients that send their requests slowly, and stopped.

A real server process on a loopback port, with few connection threads, so that slow
clients outnumbering them would show. No test asserts how long anything took: the read
timeout is made far longer than the hang guard, so whatever is answered was answered
while the slow connections were still open.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO

import httpx
import pytest
from click.testing import CliRunner
from conftest import free_port
from gunicorn.config import Config
from gunicorn.workers import gthread
from test_guard import until as guard_until

from openness.cli import cli
from openness.server.serve import GuardedThreadWorker
from openness.store import EmbeddedStore
from openness.store.base import WRITE_LOG
from openness.vocabularies import load_vocabularies

HANG_GUARD = 60.0
THREADS = 4
SLOW = 50  # connections, well over THREADS
SLOW_HEAD = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "
QUERY = b"ASK { ?m a og:Model }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SLOW_BODY = (
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Accept: application/sparql-results+json\r\nConnection: close\r\nContent-Length: "
    + str(len(QUERY)).encode()
    + b"\r\n\r\n"
    + QUERY[:3]
)

# The waits' client. httpx.get makes a client a request (an SSL context: ~60 ms CPU), which,
# polled, kept a core busy while a server started; none of its connections is kept alive,
# as none was: an idle one changes how a stopping server ends. Holding no socket, it is
# never closed: closed after a module's tests, it failed those that ran apart from them
# (`--lf`, ids given out of order).
PROBE = httpx.Client(timeout=HANG_GUARD, limits=httpx.Limits(max_keepalive_connections=0))


# Each state waited for here lasts once reached, and a server asked 100 times a second
# spent its start answering.
until = partial(guard_until, every=0.1)


@contextmanager
def serve(
    store: Path,
    read_timeout: float,
    env: dict[str, str] | None = None,
    *,
    workers: int = 1,
    log: IO[bytes] | None = None,
    options: Sequence[str] = (),
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`openness serve` with ``workers`` of ``THREADS`` threads and ``options`` (in ``env``,
    if given; its output to ``log``); yields its port and process once it answers queries."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "openness.cli", "--store", str(store), "serve"]
        + ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        + ["--threads", str(THREADS), "--query-processes", "1"]
        + ["--read-timeout", str(read_timeout), *options],
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120  # a hang guard: the query process opens the store
        while True:
            try:
                if PROBE.get(f"http://127.0.0.1:{port}/health", timeout=1).json()["queries"]:
                    break
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.2)
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(30)


def connect(port: int, first: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
    s.sendall(first)
    return s


def closed_by_server(s: socket.socket) -> bool:
    """Whether the server has closed ``s`` (it never answers an unfinished request)."""
    if not select.select([s], [], [], 0)[0]:
        return False
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


def answer(s: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := s.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module server's home folder, its runtime folder (XDG_RUNTIME_DIR) in it."""
    home = tmp_path_factory.mktemp("home")
    (home / "runtime").mkdir()
    return home


@pytest.fixture(scope="module")
def port(reported: Path, home: Path) -> Iterator[int]:
    """One server for the tests that neither stop it nor need other options (a start is
    ~5 CPU s)."""
    env = {**os.environ, "XDG_RUNTIME_DIR": str(home / "runtime"), "HOME": str(home)}
    # The read timeout is far past the hang guard: slow clients are never closed in time
    # to let the health check through; only not holding a thread while they send can.
    with serve(reported, read_timeout=600, env=env) as (port, _):
        yield port


def test_health_is_answered_while_slow_clients_hold_their_connections(port: int) -> None:
    # Half send headers that never end, half a body that never ends; they connect first,
    # so they are accepted and taken up before the health check.
    slow = [connect(port, SLOW_HEAD if i % 2 else SLOW_BODY) for i in range(SLOW)]
    try:
        # One kept-alive connection: each request after the first is read by the loop too.
        with httpx.Client(timeout=HANG_GUARD) as client:
            for _ in range(3):
                for s in slow[1::2]:
                    s.sendall(b"x")  # one more byte of a header that does not end
                r = client.get(f"http://127.0.0.1:{port}/health")
                assert r.status_code == 200 and r.json()["status"] == "ok"
        assert not any(closed_by_server(s) for s in slow)  # all of them still open
        # Finished at last, their requests are answered as they were sent.
        head, body = slow[1], slow[0]
        head.sendall(b"\r\nConnection: close\r\n\r\n")
        assert answer(head).startswith(b"HTTP/1.1 200")
        body.sendall(QUERY[3:])
        reply = answer(body)
        assert reply.startswith(b"HTTP/1.1 200") and b'"boolean":true' in reply.replace(b" ", b"")
    finally:
        for s in slow:
            s.close()


def test_a_client_too_slow_to_send_its_request_is_disconnected(reported: Path) -> None:
    with serve(reported, read_timeout=1) as (port, _):
        s = connect(port, SLOW_HEAD)
        try:
            deadline = time.monotonic() + HANG_GUARD
            while not closed_by_server(s):  # a byte every 0.2 s never finishes the head
                assert time.monotonic() < deadline, "the slow client was never disconnected"
                try:
                    s.sendall(b"x")
                except OSError:  # closed meanwhile
                    break
                time.sleep(0.2)
        finally:
            s.close()


def test_a_server_leaves_no_control_socket_another_would_take(port: int, home: Path) -> None:
    """gunicorn (25 and later) opens a control socket at one path per user
    ($XDG_RUNTIME_DIR/gunicorn.ctl) unless told not to, so a second server — `make serve`
    beside another — took the first's; openness uses none. (gunicorn starts it as soon as
    its workers are forked, long before a worker answers queries: the module's server,
    serving, has started it if it ever would.)"""
    assert not (home / "runtime" / "gunicorn.ctl").exists()
    assert not (home / ".gunicorn").exists()


@pytest.fixture(scope="module")
def vocabularies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk holding the vocabularies, built once for the module's tests."""
    location = tmp_path_factory.mktemp("vocabularies") / "store"
    store = EmbeddedStore(location)
    load_vocabularies(store)
    store.close()
    return location


@pytest.fixture
def small_store(vocabularies: Path, tmp_path: Path) -> Path:
    """A test's own copy of that store, closed: enough to serve, and its to write. (Built
    once and copied: building it took ~2 s wall a test, copying it a few milliseconds.)"""
    return Path(shutil.copytree(vocabularies, tmp_path / "store"))


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_a_server_stopped_ends_and_lets_a_command_write_the_store(
    small_store: Path, tmp_path: Path, stop: signal.Signals
) -> None:
    """Stopping a server (Ctrl-C, or SIGTERM) logged "Worker (pid:…) was sent SIGSEGV!" each
    time, and now and again took gunicorn's graceful timeout (30 s) to end with SIGKILL, the
    store held meanwhile: a command writing it right after was refused. `openness serve` had
    opened the store before gunicorn forked its workers, and RocksDB's exit handler in each
    worker joined that process's background threads, which a fork does not copy. The
    server's first process (gunicorn's arbiter) runs none of RocksDB's threads now, and its
    workers, stopped, end by themselves (the wait is a guard against a hang, not a time
    the test expects: a stop takes about a second)."""
    writer = ["--store", str(small_store), "init"]
    log = tmp_path / "log"
    with log.open("wb") as output, serve(small_store, 30, workers=2, log=output) as (port, proc):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=HANG_GUARD) as client:
            for path in ("/health", "/", "/definitions", "/sparql?query=ASK%7B%7D") * 3:
                assert client.get(path).status_code == 200, path
        refused = CliRunner().invoke(cli, writer)
        assert refused.exit_code == 1 and "serves the store" in refused.stderr
        tasks = Path(f"/proc/{proc.pid}/task")
        threads = {(t / "comm").read_text().strip() for t in tasks.iterdir()}
        assert not {t for t in threads if t.startswith("rocksdb")}, threads
        proc.send_signal(stop)
        assert proc.wait(timeout=HANG_GUARD) == 0
    said = log.read_text()
    assert "was sent" not in said, said  # SIGSEGV, or SIGKILL at the graceful timeout
    written = CliRunner().invoke(cli, writer)
    assert written.exit_code == 0, written.output


def queries(port: int) -> dict[str, int]:
    return PROBE.get(f"http://127.0.0.1:{port}/health").json()["queries"]


def answers_queries(port: int, proc: subprocess.Popen[str]) -> bool:
    """Whether the server answers queries yet (it has not ended meanwhile)."""
    assert proc.poll() is None, "no server"
    try:
        return bool(queries(port))
    except (httpx.HTTPError, KeyError, ValueError):
        return False


@contextmanager
def reaped(
    log: Path, command: list[str], env: dict[str, str] | None = None
) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """``command`` run under tests/support/reaper.py, its output to ``log``: yields its pid
    (its process group's) and the reaper, whose last line says how each process ended.
    What is still running at the end is killed."""
    reaper = Path(__file__).parent / "support" / "reaper.py"
    reaping = subprocess.Popen(
        [sys.executable, str(reaper), str(log), *command],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert reaping.stdout is not None
    pid = int(reaping.stdout.readline())
    try:
        yield pid, reaping
    finally:
        if reaping.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            reaping.kill()
            reaping.communicate()


def endings(reaping: subprocess.Popen[str]) -> dict[int, str]:
    """How each process the reaper saw ended, once all have."""
    out, _ = reaping.communicate(timeout=HANG_GUARD)
    return {int(p): how for p, how in json.loads(out.splitlines()[-1]).items()}


def forkservers(session: int) -> set[int]:
    """The multiprocessing fork servers among the processes of ``session``: of those
    whose command line is a fork server's, the ones not forked by one (a query process
    is, and keeps its command line)."""
    parents = {}
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            if os.getsid(int(proc.name)) == session:
                if b"multiprocessing.forkserver" in (proc / "cmdline").read_bytes():
                    stat = (proc / "stat").read_text()
                    parents[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return {p for p, parent in parents.items() if parent not in parents}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is Linux's")
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGTERM to the group", "Ctrl-C"])
def test_a_server_stopped_with_queries_under_way_answers_them_and_every_process_ends_cleanly(
    small_store: Path, tmp_path: Path, stop: str
) -> None:
    """Stopped while a runaway query ran and another waited, a server's worker waited for
    them: on SIGTERM gunicorn waits for the requests under way, which waited for their
    queries' deadline, so the worker was killed at gunicorn's graceful timeout (30 s) with
    the store held, their clients' connections reset. On Ctrl-C the worker, told twice to
    quit (SIGINT from the terminal, SIGQUIT from the arbiter), now and again skipped the
    clean-up that stops its queries, and its exit waited for them the same way. Now the
    queries under way are stopped and answered 503 (after a grace, on SIGTERM), and every
    process ends by itself: the server, its worker (whether its arbiter reaped it or not),
    and the processes the worker started — only its query processes are killed, as a
    query is stopped. The reaper sees all of them, and waits until none is left. Sent to
    the whole group (systemd's stop), SIGTERM killed the query processes too, mid-query:
    their clients were answered 500."""
    port, log = free_port(), tmp_path / "log"
    server = [sys.executable, "-m", "openness.cli", "--store", str(small_store), "serve"]
    server += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    # Two query processes: the client may use one at a time (the other is kept for others),
    # so its second query waits while a process is idle.
    server += ["--threads", str(THREADS), "--query-processes", "2", "--query-timeout", "3600"]
    with reaped(log, server) as (pid, reaping):
        until(lambda: answers_queries(port, reaping))
        with ThreadPoolExecutor(2) as pool:
            ask = partial(httpx.get, f"http://127.0.0.1:{port}/sparql", timeout=HANG_GUARD)
            running = pool.submit(ask, params={"query": RUNAWAY})
            until(lambda: queries(port)["running"] == 1)
            waiting = pool.submit(ask, params={"query": RUNAWAY})
            until(lambda: queries(port)["waiting"] == 1)
            forking = forkservers(pid)
            if stop == "SIGTERM":
                os.kill(pid, signal.SIGTERM)
            elif stop == "SIGTERM to the group":  # systemd's KillMode=control-group
                os.killpg(pid, signal.SIGTERM)
            else:  # the terminal signals every process of the server's group
                os.killpg(pid, signal.SIGINT)
            answers = [running.result(HANG_GUARD), waiting.result(HANG_GUARD)]
        ended = endings(reaping)
    said = log.read_text()
    for r in answers:
        assert r.status_code == 503 and "stopping" in r.text, r.text
        assert r.headers["Retry-After"].isdigit(), r.headers
    assert ended.pop(pid) == "exit 0", said
    workers = [int(w) for w in re.findall(r"Booting worker with pid: (\d+)", said)]
    for worker in workers:
        assert ended.pop(worker, "exit 0") == "exit 0", said
        assert f"Worker exiting (pid: {worker})" in said, said
    assert "was sent" not in said and "exited with code" not in said, said
    assert "Traceback" not in said, said  # an idle query process killed by Ctrl-C
    if stop == "SIGTERM to the group":
        # The fork server, which only starts query processes, has nothing under way.
        for forker in forking:
            assert ended.pop(forker, "exit 0") in ("exit 0", "SIGTERM"), (ended, said)
    assert set(ended.values()) <= {"exit 0", "SIGKILL"}, (ended, said)
    written = CliRunner().invoke(cli, ["--store", str(small_store), "init"])
    assert written.exit_code == 0, written.output


@pytest.mark.parametrize(
    ("grace", "timeout", "answered"),
    [
        ("0", "3600", "the server is stopping"),
        # A deadline well past the moment the stop is sent, so that the query is still
        # under way then (the log's order checks it), even on a loaded machine.
        ("3600", "10", "ran longer than the 10 s limit"),
    ],
    ids=["no grace", "a grace past the query's deadline"],
)
def test_a_stopped_server_gives_the_queries_under_way_the_grace_asked(
    small_store: Path, tmp_path: Path, grace: str, timeout: str, answered: str
) -> None:
    """`--stop-grace` is how long a query under way when the server is stopped (SIGTERM)
    may go on (it was 5 s, whatever the deployment): none, and it is stopped at once, the
    client told to ask again (503 with Retry-After), though its own deadline is an hour
    away; one longer than the query's time, and the query runs until it ends by itself
    (here at its deadline: 503 without Retry-After, the same query would be stopped
    again). Either way the server then ends by itself."""
    options = ["--stop-grace", grace, "--query-timeout", timeout]
    with (
        (tmp_path / "log").open("wb") as log,
        serve(small_store, 30, log=log, options=options) as (port, proc),
        ThreadPoolExecutor(1) as pool,
    ):
        ask = partial(httpx.get, f"http://127.0.0.1:{port}/sparql", timeout=HANG_GUARD)
        running = pool.submit(ask, params={"query": RUNAWAY})
        until(lambda: queries(port)["running"] == 1)
        proc.send_signal(signal.SIGTERM)
        r = running.result(HANG_GUARD)
        assert proc.wait(HANG_GUARD) == 0
    assert r.status_code == 503 and answered in r.text, r.text
    assert ("Retry-After" in r.headers) == (grace == "0"), r.headers
    said = (tmp_path / "log").read_text()
    assert "was sent" not in said and "Traceback" not in said, said
    # The stop began while the query ran: its answer was logged after.
    assert said.index("stopping: not ready") < said.index("GET /sparql"), said


# One log line: when, which process, how grave, whose logger, what.
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[\d+\] [A-Z]+ [\w.]+: \S")


def test_the_servers_log_lines_have_one_shape(small_store: Path, tmp_path: Path) -> None:
    """gunicorn's lines (`[date] [pid] [INFO] Booting worker…`) and ours, the request log
    among them (`date,ms openness.server 127.0.0.1 GET …`), interleaved on standard error in
    two formats, the second without the process: a log collector needed two patterns. Now
    every line the server logs, from its start to its stop, has one shape, with the pid."""
    with (
        (tmp_path / "log").open("wb") as log,
        serve(small_store, 30, log=log) as (port, _),
    ):
        httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=HANG_GUARD)
    said = (tmp_path / "log").read_text().splitlines()
    # What the command says before it serves is its own, as every command's.
    served = said[[i for i, line in enumerate(said) if line.startswith("serving on")][0] + 1 :]
    assert any("Booting worker" in line for line in served), said
    # Once: gunicorn's own request log, which a logging config turns on, stays off.
    assert len([line for line in served if "GET /sparql?query=ASK" in line]) == 1, said
    assert any("Shutting down" in line for line in served), said
    assert [line for line in served if not LOG_LINE.match(line)] == [], said


KEPT = httpx.Limits(keepalive_expiry=3600)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is Linux's")
def test_a_stopping_server_says_it_is_not_ready_and_still_lives(
    small_store: Path, tmp_path: Path
) -> None:
    """Told to stop (SIGTERM), a server answered /health/ready 200 "ready" throughout its
    stop grace, so a load balancer polling it went on sending it requests. Now, from the
    moment the stop begins, readiness is 503 with Retry-After, while /health (liveness)
    still answers 200: asked on connections kept alive from before the stop (a stopping
    server accepts no new ones), while a query under way holds the stop."""
    port, log = free_port(), tmp_path / "log"
    server = [sys.executable, "-m", "openness.cli", "--store", str(small_store), "serve"]
    server += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server += ["--threads", str(THREADS), "--query-processes", "2"]
    # The connections asked on after the stop are kept alive from before it, however long
    # a loaded machine takes between the two (gunicorn's default: 2 s; httpx's: 5 s).
    server += ["--stop-grace", "3600", "--query-timeout", "3600", "--keep-alive", "3600"]
    base = f"http://127.0.0.1:{port}"
    with (
        reaped(log, server) as (pid, reaping),
        httpx.Client(base_url=base, timeout=HANG_GUARD, limits=KEPT) as balancer,
        httpx.Client(base_url=base, timeout=HANG_GUARD, limits=KEPT) as monitor,
        ThreadPoolExecutor(1) as pool,
    ):
        until(lambda: answers_queries(port, reaping))
        running = pool.submit(
            httpx.get, f"{base}/sparql", params={"query": RUNAWAY}, timeout=HANG_GUARD
        )
        until(lambda: queries(port)["running"] == 1)
        assert balancer.get("/health/ready").status_code == 200
        assert monitor.get("/health").status_code == 200
        os.kill(pid, signal.SIGTERM)
        until(lambda: "stopping: not ready" in log.read_text())
        # Past gunicorn's own linger for kept-alive connections (2 s from the stop), which
        # closed them, the checks unanswered: they are kept through the grace. (A wait
        # that can only make the old behaviour fail, however loaded the machine.)
        time.sleep(gthread.STOP_KEEPALIVE_LINGER + 2)
        ready, alive = balancer.get("/health/ready"), monitor.get("/health")
        os.killpg(pid, signal.SIGINT)  # the query under way would run for its hour
        running.result(HANG_GUARD)
        endings(reaping)
    assert ready.status_code == 503, ready.text
    assert ready.json()["status"] == "not ready" and "stopping" in ready.json()["reason"]
    assert ready.headers["Retry-After"].isdigit(), ready.headers
    assert alive.status_code == 200 and alive.json()["status"] == "ok", alive.text


def test_a_stopping_server_with_nothing_under_way_ends_beside_an_idle_connection(
    small_store: Path,
    tmp_path: Path,
) -> None:
    """A stopping worker keeps its kept-alive connections through the stop grace, for a
    balancer's check while a query holds the stop; with no request under way it kept them
    all the same, and its exit waited for them: a SIGTERM with a client's idle connection
    open lasted the whole grace (here an hour, the guard failing), where it lasted
    gunicorn's 2 s linger. Now, nothing under way, they are closed as gunicorn closes them."""
    port, log = free_port(), tmp_path / "log"
    server = [sys.executable, "-m", "openness.cli", "--store", str(small_store), "serve"]
    server += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server += ["--stop-grace", "3600", "--keep-alive", "3600"]
    base = f"http://127.0.0.1:{port}"
    with (
        reaped(log, server) as (pid, reaping),
        httpx.Client(base_url=base, timeout=HANG_GUARD, limits=KEPT) as idle,
    ):
        until(lambda: answers_queries(port, reaping))
        assert idle.get("/health").status_code == 200  # its connection kept alive, idle
        os.kill(pid, signal.SIGTERM)
        ended = endings(reaping)  # within the guard, not after the hour's grace
    assert ended[pid] == "exit 0", log.read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is Linux's")
def test_a_draining_server_answers_new_connections_and_says_it_is_not_ready(
    small_store: Path,
    tmp_path: Path,
) -> None:
    """Told to stop, a server stopped accepting at once, while a load balancer, which
    learns of the stop at its next readiness check, still sent it new connections: refused.
    With `--drain`, for that long it answers new connections, each closed after its answer
    (Connection: close: the client's next goes through the balancer), /health/ready says
    503, and the stop has not begun. A reload (SIGHUP) before it retires the old worker with
    SIGTERM too, while a new one takes the requests: that worker does not drain, saying
    "not ready" for a server that is not stopping."""
    port, log = free_port(), tmp_path / "log"
    server = [sys.executable, "-m", "openness.cli", "--store", str(small_store), "serve"]
    server += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server += ["--drain", "3600"]  # never over before the test ends it
    base = f"http://127.0.0.1:{port}"
    with reaped(log, server) as (pid, reaping):
        until(lambda: answers_queries(port, reaping))
        os.kill(pid, signal.SIGHUP)
        until(lambda: log.read_text().count("Booting worker") == 2)
        until(lambda: "Worker exiting" in log.read_text())  # the old one, retired
        reloaded = log.read_text()
        until(lambda: answers_queries(port, reaping))
        after_reload = httpx.get(f"{base}/health/ready", timeout=HANG_GUARD)
        os.kill(pid, signal.SIGTERM)
        until(lambda: "draining: not ready" in log.read_text())
        with httpx.Client(base_url=base, timeout=HANG_GUARD) as late:  # opened after the stop
            asked = late.get("/sparql", params={"query": "ASK {}"})
            ready = late.get("/health/ready")
        os.killpg(pid, signal.SIGINT)  # Ctrl-C ends the drain at once
        ended = endings(reaping)
    said = log.read_text()
    assert "draining" not in reloaded, reloaded
    assert after_reload.status_code == 200, after_reload.text
    assert asked.status_code == 200 and asked.json()["boolean"] is True, asked.text
    assert asked.headers["Connection"] == "close", asked.headers
    assert ready.status_code == 503 and "stopping" in ready.json()["reason"], ready.text
    # the stop proper began for the retired worker only, never for the draining one
    assert said.count("stopping: not ready") == 1, said
    assert "Traceback" not in said and "was sent" not in said, said
    assert ended[pid] == "exit 0", said


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is Linux's")
def test_a_drain_ends_by_itself_and_the_stop_follows(small_store: Path, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "log"
    server = [sys.executable, "-m", "openness.cli", "--store", str(small_store), "serve"]
    server += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--drain", "1"]
    with reaped(log, server) as (pid, reaping):
        until(lambda: answers_queries(port, reaping))
        os.kill(pid, signal.SIGTERM)
        ended = endings(reaping)
    said = log.read_text()
    assert said.index("draining: not ready") < said.index("stopping: not ready"), said
    assert set(ended.values()) == {"exit 0"}, (ended, said)


RUNAWAY_UPDATE = (  # an update's default graph is the store's, which is empty
    "INSERT { GRAPH <urn:x-test:g> { ?a ?b ?c } } "
    "WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } GRAPH ?i { ?j ?k ?l } }"
)


def _interrupt_another_thread(pid: int) -> None:
    """SIGINT to a thread of ``pid`` other than its main one, once the main one sleeps (in
    the exit's wait for the thread writing on): the kernel does so with a signal sent to
    the process when the main thread has one pending, the arbiter's SIGQUIT as Ctrl-C is
    pressed again. A thread that blocks SIGINT (a native one may) is not chosen."""
    tasks = Path(f"/proc/{pid}/task")
    main = tasks / str(pid)

    def on_a_lock() -> bool:
        """Asleep on a lock (a futex), not in a bounded wait that returns to run the
        handler; where the kernel hides where a task sleeps ("0"), asleep."""
        where = (main / "wchan").read_text()
        asleep = (main / "stat").read_text().rsplit(")", 1)[1].split()[0] == "S"
        return "futex" in where or (where == "0" and asleep)

    until(on_a_lock)
    for task in sorted(tasks.iterdir()):
        status = (task / "status").read_text()
        blocked = int(re.search(r"^SigBlk:\s*(\w+)", status, re.M)[1], 16)
        if task.name != str(pid) and not blocked & 1 << (signal.SIGINT - 1):
            # glibc's tgkill: a signal to one thread of another process
            assert ctypes.CDLL(None, use_errno=True).tgkill(pid, int(task.name), signal.SIGINT) == 0
            return
    raise AssertionError(f"no thread of {pid} but its main one takes SIGINT")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is Linux's")
@pytest.mark.parametrize("again", ["pressed again", "taken by another thread"])
def test_a_second_ctrl_c_ends_a_worker_whose_write_runs_on(
    small_store: Path, tmp_path: Path, again: str
) -> None:
    """A write (/update, /store) runs in the request thread, and a worker's exit waits for
    its request threads: after Ctrl-C, one writing on held the worker, Ctrl-C pressed again
    was ignored, and the arbiter killed it at its graceful timeout. Now a second Ctrl-C ends
    the worker at once; the write under way is lost whole, its client unanswered, and the
    store is left whole and free for the next command. So it does when a thread other than
    the main one takes the second SIGINT, whose handler only the main thread runs: it slept
    on in the exit's wait, never woken to run it."""
    port, log, writes = free_port(), tmp_path / "log", tmp_path / "writes"
    server = [sys.executable, "-m", "openness.cli", "--store", str(small_store), "serve"]
    server += ["--host", "127.0.0.1", "--port", str(port), "--threads", str(THREADS)]
    server += ["--open-update"]
    with reaped(log, server, {**os.environ, WRITE_LOG: str(writes)}) as (pid, reaping):
        until(lambda: answers_queries(port, reaping))
        with ThreadPoolExecutor(1) as pool:
            url = f"http://127.0.0.1:{port}/update"
            writing = pool.submit(httpx.post, url, data={"update": RUNAWAY_UPDATE}, timeout=600)
            until(lambda: writes.exists() and "begin" in writes.read_text())
            os.killpg(pid, signal.SIGINT)
            # The first was heeded (two signals sent at once would be delivered as one).
            until(lambda: "Worker exiting" in log.read_text())
            if again == "pressed again":
                os.killpg(pid, signal.SIGINT)
            else:
                _interrupt_another_thread(booted(log.read_text()))
            with pytest.raises(httpx.HTTPError):
                writing.result(HANG_GUARD)
        ended = endings(reaping)
    said = log.read_text()
    assert ended.pop(pid) == "exit 0", said
    worker = booted(said)
    # Reaped by the arbiter or, once it has gone, here.
    assert ended.pop(worker, "exit 1") == "exit 1", (ended, said)
    assert f"Worker (pid:{worker}) exited with code 1" in said, said
    assert "was sent" not in said and "Traceback" not in said, said
    assert "end" not in writes.read_text().split()
    written = CliRunner().invoke(cli, ["--store", str(small_store), "init"])
    assert written.exit_code == 0, written.output


def booted(log: str) -> int:
    """The pid of the one worker the log says was booted."""
    (worker,) = (int(w) for w in re.findall(r"Booting worker with pid: (\d+)", log))
    return worker


def test_a_worker_told_twice_to_quit_heeds_the_first() -> None:
    """Ctrl-C reaches a worker as SIGINT, and again from gunicorn's arbiter as SIGQUIT: the
    second one's SystemExit, raised inside the clean-up the first began, skipped the rest
    of it (stopping the worker's queries), and the worker's exit waited for them."""
    worker = GuardedThreadWorker(0, os.getpid(), [], None, 30, Config(), None)
    worker.tpool = ThreadPoolExecutor(1)
    try:
        with pytest.raises(SystemExit):
            worker.handle_quit(signal.SIGINT, None)
        worker.handle_quit(signal.SIGQUIT, None)
    finally:
        worker.tmp.close()


def test_a_worker_told_to_quit_while_handing_a_request_to_a_thread_quits() -> None:
    """A signal's handler runs between two steps of the worker's event loop, which may be
    handing a request to a thread (``ThreadPoolExecutor.submit``, holding the pool's lock):
    gthread's quit shut that pool down, waiting for the same lock, for ever. The worker hung
    until the arbiter killed it at its graceful timeout, its clients unanswered (seen now and
    again in the Ctrl-C stop test above)."""
    worker = GuardedThreadWorker(0, os.getpid(), [], None, 30, Config(), None)
    worker.tpool = ThreadPoolExecutor(1)
    quit_ = ThreadPoolExecutor(1)  # run aside: a hang would hang no more than that thread
    try:
        with worker.tpool._shutdown_lock:  # as submit holds it
            quitting = quit_.submit(worker.handle_quit, signal.SIGINT, None)
            with pytest.raises(SystemExit):
                quitting.result(HANG_GUARD)
    finally:
        quit_.shutdown(wait=False)
        worker.tmp.close()
