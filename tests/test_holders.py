"""The names of the processes holding a store on disk (openness.store.holders), told to one
refused: every holder's, and only those of holders still running."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import select
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from openness.store import holders

SERVERS = 4  # holding the store together, a round at a time
ROUNDS = 20
HOLDER = Path(__file__).parent / "support" / "holder.py"
HANG_GUARD = 60.0  # seconds: a process told to end that has not ended hangs
Holder = tuple[subprocess.Popen[bytes], list[int]]


def _serve(folder: Path, number: int, start: Barrier, held: Barrier) -> None:
    """Hold the store in ``folder`` shared, as server ``number`` does, once a round: all the
    servers take it at once, and hold it until the test has been refused beside them."""
    for _ in range(ROUNDS):
        start.wait()
        with holders.hold(folder, f"server {number}", writes=False, serves=True):
            held.wait()  # every server holds the store
            held.wait()  # the test has been refused


def test_servers_starting_together_are_all_named(tmp_path: Path) -> None:
    """Servers (and commands that read) hold the store shared and once wrote their names
    into one list, each reading it and writing it back with its own: two starting together
    both read it before either wrote, and the last to write dropped the other's name. A
    command refused beside servers that took the store at once names every one of them."""
    spawn = multiprocessing.get_context("spawn")
    start, held = spawn.Barrier(SERVERS), spawn.Barrier(SERVERS + 1)
    servers = [
        spawn.Process(target=_serve, args=(tmp_path, n, start, held)) for n in range(SERVERS)
    ]
    for server in servers:
        server.start()
    try:
        for _ in range(ROUNDS):
            held.wait()
            with pytest.raises(holders.StoreBusy) as refused:
                holders.hold(tmp_path, "a writer", writes=True, serves=False)
            held.wait()
            named = [f"server {n}" for n in range(SERVERS) if f"server {n} " in str(refused.value)]
            assert len(named) == SERVERS, str(refused.value)
    except BaseException:  # the servers wait no more
        held.abort()
        start.abort()
        raise
    finally:
        for server in servers:
            server.join(60)
            server.kill()
    assert [server.exitcode for server in servers] == [0] * SERVERS
    # Each let the store go and took its name out: a writer holds it, named alone.
    with holders.hold(tmp_path, "a writer", writes=True, serves=False):
        with pytest.raises(holders.StoreBusy, match="^a writer is writing the store at "):
            holders.hold(tmp_path, "a reader", writes=False, serves=False)
    assert list((tmp_path / holders.NAMES).iterdir()) == []


def test_a_process_forked_from_a_holder_leaves_it_named(tmp_path: Path) -> None:
    """A server's workers are forked from the process holding the store, its hold with
    them; a worker that ends (gunicorn replaces one now and again) lets its copy go, and
    the server goes on being named."""
    with holders.hold(tmp_path, "a server", writes=False, serves=True) as held:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # a fork beside threads
            pid = os.fork()
        if pid == 0:  # the worker
            try:
                held.release()
                os._exit(0)
            finally:
                os._exit(1)
        assert os.waitpid(pid, 0)[1] == 0
        with pytest.raises(holders.StoreBusy, match="^a server serves the store at "):
            holders.hold(tmp_path, "a writer", writes=True, serves=False)


def _ended() -> int:
    """The id of a process that has ended (no process has it now, unless given again)."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(ended.stdout)


def test_a_holder_whose_process_has_ended_is_not_named(tmp_path: Path) -> None:
    """A process's id is given to another once it has ended: a name left by a server that
    was killed, its id now another process's, named that process as serving the store.
    A name is judged by its lock, not its id: one whose lock is to be had is passed over,
    whether a process has its id or not, and the next holder takes it out."""
    names = tmp_path / holders.NAMES
    with holders.hold(tmp_path, "a server", writes=False, serves=True):
        (mine,) = names.iterdir()
        said = json.loads(mine.read_text(encoding="utf-8"))
        # Left by killed servers: one whose id no process has now, one whose id is this
        # process's since.
        for pid in (_ended(), os.getpid()):
            left = {**said, "holder": f"a killed server (pid {pid})"}
            (names / f"{pid}.left.json").write_text(json.dumps(left), encoding="utf-8")
        with pytest.raises(holders.StoreBusy) as refused:
            holders.hold(tmp_path, "a writer", writes=True, serves=False)
        told = str(refused.value)
        assert told.startswith(f"a server serves the store at {tmp_path} "), told
        with holders.hold(tmp_path, "a reader", writes=False, serves=False):
            assert not list(names.glob("*.left.json"))


@contextlib.contextmanager
def _holder(folder: Path, holder: str, kind: str, *forks: str) -> Iterator[Holder]:
    """A process holding the store in ``folder`` (tests/support/holder.py): it, and its
    pids (its own, and the forked process's). Killed at the end, if it still runs."""
    command = [sys.executable, str(HOLDER), str(folder), holder, kind, *forks]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as process:
        try:
            assert process.stdout is not None
            pids = [int(pid) for pid in process.stdout.readline().split()]
            assert pids, "the holder did not start"
            yield process, pids
        finally:
            process.kill()


def _name_of(folder: Path, pid: int) -> Path:
    """The name file of process ``pid``'s hold on the store in ``folder``."""
    (name,) = (folder / holders.NAMES).glob(f"{pid}.*.json")
    return name


def _refused_beside_a_server_alone(folder: Path) -> None:
    """A writer is refused beside a server holding the store in ``folder`` as --force
    writes beside it: the server is named alone (no other holder's name refuses it)."""
    with holders.hold(folder, "a server", writes=False, serves=True):
        with pytest.raises(holders.StoreBusy) as refused:
            holders.hold(folder, "a writer", writes=True, serves=False)
    told = str(refused.value)
    assert refused.value.served and told.startswith(f"a server serves the store at {folder} ")


def test_a_holder_killed_leaves_a_name_that_refuses_nothing(tmp_path: Path) -> None:
    """A reader killed (SIGKILL) cannot take its name out: the kernel lets its lock go, so
    the name is passed over — the refusal beside a server names the server alone, and
    --force may write beside it — and the next holder takes it out."""
    with _holder(tmp_path, "`openness stats` (pid 7)", "reads") as (reader, (pid,)):
        name = _name_of(tmp_path, pid)
        reader.kill()
        reader.wait()
    assert name.exists()
    _refused_beside_a_server_alone(tmp_path)
    assert not name.exists()


def test_a_live_holder_is_named_whatever_namespace_its_name_says(tmp_path: Path) -> None:
    """A holder running holds its name's lock: it is named, as in another PID namespace
    where its name says so (a container sharing the store's volume, its pid no process of
    ours), and no holder takes its name out."""
    with _holder(tmp_path, "`openness stats` (pid 7)", "reads") as (reader, (pid,)):
        name = _name_of(tmp_path, pid)
        said = json.loads(name.read_text(encoding="utf-8"))
        assert said["namespace"] == os.readlink("/proc/self/ns/pid")
        with pytest.raises(holders.StoreBusy) as here:
            holders.hold(tmp_path, "a writer", writes=True, serves=False)
        # Written again in place: the file its holder locks, as a container would write it.
        name.write_text(json.dumps({**said, "namespace": "pid:[1]"}), encoding="utf-8")
        with holders.hold(tmp_path, "a server", writes=False, serves=True):
            assert name.exists()
            with pytest.raises(holders.StoreBusy) as there:
                holders.hold(tmp_path, "a writer", writes=True, serves=False)
        assert reader.poll() is None
    assert str(here.value).startswith("`openness stats` (pid 7) is reading the store at ")
    told = str(there.value)
    assert not there.value.served, told
    assert told.startswith("`openness stats` (pid 7) in another PID namespace is reading "), told


def test_a_dead_holders_name_from_another_pid_namespace_refuses_nothing(tmp_path: Path) -> None:
    """A name written in another PID namespace was judged by none of this namespace's
    holders: a reader's left by a container killed kept --force from writing beside a
    server (a command reading ends by itself, so the refusal was not a server's) until a
    command wrote the store with no server running. Its lock is to be had: it is passed
    over, and the next holder takes it out."""
    names = tmp_path / holders.NAMES
    names.mkdir()
    killed = {"holder": "`openness stats` (pid 7)", "writes": False, "serves": False}
    left = names / "7.theirs.json"
    left.write_text(json.dumps({**killed, "namespace": "pid:[1]"}), encoding="utf-8")
    _refused_beside_a_server_alone(tmp_path)
    assert not left.exists()


def test_a_process_forked_from_a_killed_holder_keeps_it_named(tmp_path: Path) -> None:
    """A server's workers are forked from it, its locks with them: killed, the server
    leaves its workers serving the store, which stays held (openness.lock), and named —
    it was said as 'a server that … does not name' once its own process was gone. Once
    the last of them ends, the name is passed over and taken out."""
    server = "`openness serve` (pid 7) on http://127.0.0.1:8000/"
    with _holder(tmp_path, server, "serves", "forks") as (process, (pid, worker)):
        name = _name_of(tmp_path, pid)
        ended = os.pidfd_open(worker)  # not a child of this process: no waitpid for it
        try:
            process.kill()
            process.wait()
            with pytest.raises(holders.StoreBusy) as refused:
                holders.hold(tmp_path, "a writer", writes=True, serves=False)
            told = str(refused.value)
            assert told.startswith(f"{server} serves the store at {tmp_path} "), told
            assert process.stdin is not None
            process.stdin.close()  # the worker ends
            assert select.select([ended], [], [], HANG_GUARD)[0], "the worker did not end"
        finally:
            os.close(ended)
    with holders.hold(tmp_path, "a reader", writes=False, serves=False):
        assert not name.exists()


def test_a_holder_in_another_pid_namespace_is_judged_by_its_lock(tmp_path: Path) -> None:
    """A reader in a PID namespace of its own (as a container is, sharing the store's
    volume): named while it runs, as in another PID namespace; ended without letting the
    store go, its name refuses nothing."""
    unshare = ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc"]
    if shutil.which("unshare") is None or subprocess.run([*unshare, "true"]).returncode:
        pytest.skip("no PID namespace of its own for an unprivileged process here")
    reader = "`openness stats` (pid 1)"
    command = [*unshare, sys.executable, str(HOLDER), str(tmp_path), reader, "reads"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as process:
        try:
            assert process.stdout is not None and process.stdin is not None
            assert process.stdout.readline().split() == [b"1"]
            with pytest.raises(holders.StoreBusy) as live:
                holders.hold(tmp_path, "a writer", writes=True, serves=False)
            process.stdin.close()  # it ends, its name left
            assert process.wait(HANG_GUARD) == 0
        finally:
            process.kill()
    told = str(live.value)
    assert told.startswith(f"{reader} in another PID namespace is reading the store "), told
    name = _name_of(tmp_path, 1)
    _refused_beside_a_server_alone(tmp_path)
    assert not name.exists()


def test_a_writer_takes_out_every_name_left(tmp_path: Path) -> None:
    """A writer holds the store alone: every name it finds is of a holder that has ended,
    and it takes them all out — one written in another PID namespace, and a part file left
    empty (its holder killed before it locked it), whose lock says nothing: the other
    holders leave it, as it may be one a holder has just made."""
    names = tmp_path / holders.NAMES
    names.mkdir()
    killed = {"holder": "a reader (pid 7)", "writes": False, "serves": False}
    left = names / "7.theirs.json"
    left.write_text(json.dumps({**killed, "namespace": "pid:[1]"}), encoding="utf-8")
    empty = names / f"{_ended()}.mine.part"
    empty.touch()
    with holders.hold(tmp_path, "a reader", writes=False, serves=False):
        assert empty.exists() and not left.exists()
    with holders.hold(tmp_path, "a writer", writes=True, serves=False):
        assert not empty.exists()
    _refused_beside_a_server_alone(tmp_path)
