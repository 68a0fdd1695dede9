"""Where a query runs: a pool of pre-started processes, or threads where processes cannot be.

pyoxigraph cannot cancel a query, so a store on disk served read-only runs each query in a
process of its own that holds the store open read-only; a query past its deadline is
stopped by killing its process, and a replacement is started in the background. Queries
are only handed to processes that have finished starting, so start-up never counts
against a query's time. A query process ends as soon as the process it serves has ended,
however that ended (see ``_end_with_owner``).

An in-memory store, a store open for writing (updates enabled) and a remote engine cannot
be shared with other processes: their queries run in threads. A thread past its deadline is
abandoned, not stopped (a remote engine's request ends at its own timeout); its lane stays
taken until the thread ends, so abandoned queries cannot pile up. Closing the lanes (the
server stopping) kills the processes and abandons the threads: their tasks end at once.

A task is a module-level function called as ``function(store, *args)``; what it returns or
raises is handed back to the caller.

Why not pebble: its processes share one task channel, so a worker killed while idle puts
the whole pool in error (pebble#70) and one dying while it holds the channel's lock stalls
it (pebble#163); and it cannot say which workers have finished starting.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from openness.store import EmbeddedStore, GraphStore

log = logging.getLogger("openness.server")
Task = tuple[Callable[..., Any], tuple[Any, ...]]
START_TIMEOUT = 120.0  # seconds a new process may take to open the store
YOUNG = 0.25  # seconds a query runs at normal priority; then BACKGROUND nice more
BACKGROUND = 10


class Stuck(Exception):
    """A task ran past its time and was stopped (process) or abandoned (thread)."""


class LaneDied(Exception):
    """The process running a task ended without answering (killed, crashed, out of memory);
    ``started`` is False when it was gone before it could take the task."""

    def __init__(self, message: str, *, started: bool = True) -> None:
        super().__init__(message)
        self.started = started


class Lane:
    """One place a task can run; the pool hands it out to one task at a time."""

    def run(self, task: Task, timeout: float) -> Any:
        raise NotImplementedError


class Lanes:
    """A fixed number of lanes. ``changed`` is notified whenever one becomes idle."""

    def __init__(self, size: int, changed: threading.Condition) -> None:
        self.size = size
        self.changed = changed
        self.closed = False
        self._idle: list[Lane] = []

    def take(self) -> Lane | None:
        """An idle lane, or None (call with ``changed`` held)."""
        return self._idle.pop() if self._idle else None

    @property
    def idle(self) -> int:
        return len(self._idle)

    def give_back(self, lane: Lane, *, healthy: bool) -> None:
        """Return a lane after its task; an unhealthy one is replaced."""
        raise NotImplementedError

    def wait_ready(self, timeout: float = START_TIMEOUT) -> bool:
        """Wait until every lane is idle (all processes started); False on timeout."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self._idle) >= self.size, timeout)

    def _add_idle(self, lane: Lane) -> None:
        with self.changed:
            self._idle.append(lane)
            self.changed.notify_all()

    def close(self) -> None:
        """Stop whatever the lanes hold; a task running in one ends as ``LaneDied``."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()


# --- processes -------------------------------------------------------------------------


def _end_with_owner() -> None:
    """End this process once the one that started it has ended (SIGKILL, a crash: nothing
    of its own clean-up runs). Only that one stops a query past its time: a runaway query
    ran on with nobody left to stop it, taking a CPU and keeping open the stdout and stderr
    it inherited (a test run, waiting for them to close, hung). The owner's end of the
    parent sentinel closes when it ends; pyoxigraph releases the GIL while it queries, so
    the watching thread runs beside a query."""
    owner = multiprocessing.parent_process()
    assert owner is not None  # always started by a ProcessLanes

    def watch() -> None:
        owner.join()
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="openness-owner-watch").start()


def _serve(location: str, conn: Connection) -> None:
    """A query process: open the store, say so, then run one task at a time."""
    _end_with_owner()
    # Ctrl-C reaches every process of the terminal's group, and a stop by systemd
    # (KillMode=control-group) sends SIGTERM to every process of the service: the server's
    # worker stops its query processes itself as it stops, answering the requests they
    # serve. Killed by either, a query under way ended 500 ("ended without answering"), and
    # an idle one printed a KeyboardInterrupt traceback. Ignored here (as Python's own
    # resource tracker does), a signal to the group stops the server as one to the worker
    # alone does, its grace included. Answering a query process's death as a stop instead
    # would cut every query off at once, and could not tell a stop from a crash when the
    # death is seen before the worker's handler has run. A query process still ends with
    # its owner (_end_with_owner); to end one alone, SIGKILL it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        store = EmbeddedStore(location, read_only=True)
    except Exception as e:  # reported to the pool, which logs it and tries again
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):  # the server went away
            return
        try:
            reply = ("ok", function(store, *args))
        except Exception as e:  # handed to the caller, who raises it
            reply = ("raised", e)
        try:
            conn.send(reply)
        except Exception as e:  # an exception that cannot be pickled: send its text
            conn.send(("raised", RuntimeError(f"{type(reply[1]).__name__}: {e}")))


class QueryProcess(Lane):
    def __init__(self, ctx: Any, location: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve, args=(location, child), daemon=True, name="openness-query"
        )
        self.process.start()
        child.close()
        self.nice = os.getpriority(os.PRIO_PROCESS, 0)  # a child starts with ours
        self.lowered = False

    def restore_priority(self) -> bool:
        """Back to normal priority after a long query; False where that is not allowed
        (raising a priority needs CAP_SYS_NICE): then the process is replaced instead."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, self.nice)
        except OSError:
            return False
        self.lowered = False
        return True

    @property
    def pid(self) -> int:
        return self.process.pid or 0

    def wait_ready(self, timeout: float) -> str | None:
        """None once the process has opened the store, else what went wrong."""
        try:
            if not self.conn.poll(timeout):
                return f"it did not open the store within {timeout:g} s"
            status, value = self.conn.recv()
        except (EOFError, OSError):
            return f"it ended while starting (exit code {self.process.exitcode})"
        return None if status == "ready" else str(value)

    def run(self, task: Task, timeout: float) -> Any:
        start = time.monotonic()
        try:
            self.conn.send(task)
        except OSError as e:
            raise LaneDied("the query process had ended", started=False) from e
        try:
            ready = self.conn.poll(max(min(timeout, YOUNG), 0.0))
            if not ready and timeout > YOUNG:
                # A long query yields the CPU to short ones: runaways cannot starve them.
                os.setpriority(os.PRIO_PROCESS, self.pid, self.nice + BACKGROUND)
                self.lowered = True
                ready = self.conn.poll(max(timeout - (time.monotonic() - start), 0.0))
            if not ready:
                raise Stuck
            status, value = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as e:
            self.process.join(1)
            raise LaneDied(
                f"the query process ended without answering (exit code {self.process.exitcode})"
            ) from e
        if status == "raised":
            raise value
        return value

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class ProcessLanes(Lanes):
    """``size`` query processes on the read-only store at ``location``, started at once."""

    def __init__(self, location: str, size: int, changed: threading.Condition) -> None:
        super().__init__(size, changed)
        self.location = location
        self._ctx = multiprocessing.get_context("forkserver")
        # New processes fork from a server that has already imported the store code (and
        # the SHACL service's), so a replacement is ready in a fraction of a second.
        self._ctx.set_forkserver_preload(["openness.server.execute", "openness.server.shacl"])
        self._all: set[QueryProcess] = set()
        self._lock = threading.Lock()
        # Set once every process is killed (close, exit): one a start under way makes
        # after that is killed too, not left for multiprocessing's exit to wait for.
        self._ended = threading.Event()
        # At exit multiprocessing sends its daemonic children SIGTERM, which these ignore
        # (_serve), and waits for them: a process ending with its lanes open (an app a test
        # made, held to the end by a failing test's traceback) waited for ever. Its
        # finalizers of priority 0 run before that: the processes are killed there, as by
        # close(), or once the lanes are collected.
        self._kill_all = multiprocessing.util.Finalize(
            self, _kill_all, args=(self._all, self._lock, self._ended), exitpriority=0
        )
        for _ in range(size):
            self._start_one()

    def _start_one(self) -> None:
        threading.Thread(target=self._start, daemon=True, name="openness-query-start").start()

    def _start(self) -> None:
        delay = 0.5
        while not self.closed:
            process = QueryProcess(self._ctx, self.location)
            with self._lock:
                ended = self._ended.is_set()
                if not ended:
                    self._all.add(process)
            if ended:
                process.kill()
                return
            problem = process.wait_ready(START_TIMEOUT)
            if problem is None and not self.closed:
                self._add_idle(process)
                return
            self._discard(process)
            if problem:
                log.error("a query process could not start: %s; retrying", problem)
            threading.Event().wait(delay)
            delay = min(delay * 2, 30.0)

    def _discard(self, process: QueryProcess) -> None:
        # Once only: close() and a background replacement may discard the same process.
        with self._lock:
            if process not in self._all:
                return
            self._all.discard(process)
        process.kill()

    def take(self) -> Lane | None:
        # A process killed while idle (by an operator, the OOM killer) is replaced, not used.
        while self._idle:
            process = self._idle.pop()
            assert isinstance(process, QueryProcess)
            if process.process.is_alive():
                return process
            threading.Thread(target=self._replace, args=(process,), daemon=True).start()
        return None

    def give_back(self, lane: Lane, *, healthy: bool) -> None:
        assert isinstance(lane, QueryProcess)
        if lane.lowered and healthy:
            healthy = lane.restore_priority()
        if healthy and not self.closed:
            self._add_idle(lane)
            return
        # Killed and replaced in the background: the request's answer does not wait.
        threading.Thread(target=self._replace, args=(lane,), daemon=True).start()

    def _replace(self, process: QueryProcess) -> None:
        self._discard(process)
        self._start()

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(p.pid for p in self._all)

    def close(self) -> None:
        super().close()
        self._kill_all()


def _kill_all(processes: set[QueryProcess], lock: threading.Lock, ended: threading.Event) -> None:
    with lock:
        ended.set()
        killed = list(processes)
        processes.clear()
    for process in killed:
        process.kill()


# --- threads ---------------------------------------------------------------------------


class _Thread(Lane):
    def __init__(self, lanes: ThreadLanes) -> None:
        self.lanes = lanes

    def run(self, task: Task, timeout: float) -> Any:
        box: dict[str, Any] = {}
        changed = self.lanes.changed

        def target() -> None:
            function, args = task
            try:
                box["value"] = function(self.lanes.store, *args)
            except BaseException as e:  # handed to the waiting request below
                # The locals of its frames let go here: a result of pyoxigraph's among
                # them must be dropped in the thread that made it, not wherever the error
                # is collected ('unsendable, but is being dropped on another thread').
                traceback.clear_frames(e.__traceback__)
                box["error"] = e
            with changed:
                box["finished"] = True
                changed.notify_all()
                if box.get("abandoned"):  # the request has gone: the lane is free only now
                    self.lanes._add_idle(self)

        threading.Thread(target=target, daemon=True, name="openness-query").start()
        # Closing the lanes (the server stopping) ends the wait too: the request is
        # answered, not held until its deadline, while the thread runs on to its end.
        with changed:
            changed.wait_for(lambda: "finished" in box or self.lanes.closed, max(timeout, 0.0))
            if "finished" not in box:
                box["abandoned"] = True
                if self.lanes.closed:
                    raise LaneDied("the server is stopping")
                raise Stuck
        if "error" in box:
            raise box["error"]
        return box["value"]


class ThreadLanes(Lanes):
    """``size`` threads running tasks on ``store`` in this process."""

    def __init__(self, store: GraphStore, size: int, changed: threading.Condition) -> None:
        super().__init__(size, changed)
        self.store = store
        for _ in range(size):
            self._idle.append(_Thread(self))

    def give_back(self, lane: Lane, *, healthy: bool) -> None:
        # An abandoned thread gives its lane back itself when it ends.
        if healthy:
            self._add_idle(lane)
