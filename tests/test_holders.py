"""The names of the processes holding a store on disk (openness.store.holders), told to one
refused: every holder's, and only those of holders still running."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import warnings
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from openness.store import holders

SERVERS = 4  # holding the store together, a round at a time
ROUNDS = 20


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
    That name is passed over, as is one whose process no longer runs, and the next holder
    takes both out; a server running is named."""
    names = tmp_path / holders.NAMES
    with holders.hold(tmp_path, "a server", writes=False, serves=True):
        (mine,) = names.iterdir()
        said = json.loads(mine.read_text(encoding="utf-8"))
        assert isinstance(said["started"], int)
        # Left by killed servers: one whose id no process has now, and one whose id is
        # this process's since (started later than it).
        for pid, started in (
            (_ended(), said["started"]),
            (os.getpid(), said["started"] - 1),
        ):
            left = {**said, "holder": f"a killed server (pid {pid})", "started": started}
            (names / f"{pid}.left.json").write_text(json.dumps(left), encoding="utf-8")
        with pytest.raises(holders.StoreBusy) as refused:
            holders.hold(tmp_path, "a writer", writes=True, serves=False)
        told = str(refused.value)
        assert told.startswith(f"a server serves the store at {tmp_path} "), told
        with holders.hold(tmp_path, "a reader", writes=False, serves=False):
            assert not list(names.glob("*.left.json"))


def test_a_holder_in_another_pid_namespace_is_named_and_kept(tmp_path: Path) -> None:
    """Containers sharing a store's volume see each other's holders under ids of no
    process here (or of another one): a server's name written in another PID namespace was
    judged ended, taken out by the next holder and left out of the refusal. A name records
    its namespace; one from another is kept and named as such."""
    names = tmp_path / holders.NAMES
    pid = _ended()  # no process has it here
    with holders.hold(tmp_path, "a server", writes=False, serves=True):
        (mine,) = names.iterdir()
        said = json.loads(mine.read_text(encoding="utf-8"))
        assert said["namespace"] == os.readlink("/proc/self/ns/pid")
        theirs = {**said, "holder": f"a server (pid {pid})", "namespace": "pid:[1]"}
        foreign = names / f"{pid}.theirs.json"
        foreign.write_text(json.dumps(theirs), encoding="utf-8")
        with holders.hold(tmp_path, "a reader", writes=False, serves=False):
            assert foreign.exists()  # not taken out by the reader's hold
        with pytest.raises(holders.StoreBusy) as refused:
            holders.hold(tmp_path, "a writer", writes=True, serves=False)
    told = str(refused.value)
    assert f"a server (pid {pid}) in another PID namespace" in told, told
    assert told.count("a server") == 2 and " serve the store at " in told, told


def test_a_writer_takes_out_the_names_left_in_another_pid_namespace(tmp_path: Path) -> None:
    """A name written in another PID namespace (a container sharing the store's volume) is
    judged by none of this one's holders: left by a container that was killed, it was named
    by every refusal after, for ever — a reader's kept --force from writing beside a server
    (a command reading ends by itself). A writer holds the store alone: every name it finds
    is of a holder that has ended, and it takes them out."""
    names = tmp_path / holders.NAMES
    names.mkdir()
    killed = {"writes": False, "serves": False, "started": 1, "namespace": "pid:[1]"}
    left = names / f"{_ended()}.theirs.json"
    left.write_text(json.dumps({**killed, "holder": "a reader (pid 7)"}), encoding="utf-8")
    with holders.hold(tmp_path, "a writer", writes=True, serves=False):
        assert not left.exists()
    with (
        holders.hold(tmp_path, "a server", writes=False, serves=True),
        pytest.raises(holders.StoreBusy) as refused,
    ):
        holders.hold(tmp_path, "a writer", writes=True, serves=False)
    told = str(refused.value)
    assert refused.value.served and told.startswith(f"a server serves the store at {tmp_path} ")
