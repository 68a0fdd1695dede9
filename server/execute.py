"""Running queries for the endpoint, so that a query past its time limit is stopped.

pyoxigraph cannot cancel a query, so a store on disk served read-only runs each query in
a worker process of its own (opened read-only on the same store) that is killed when the
limit passes; the server keeps answering meanwhile. Where that is impossible — an
in-memory store, or a store opened for writing (updates enabled) — queries run in a thread
that is abandoned, not stopped, when the limit passes; a remote engine enforces its own.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from openness.server.negotiation import (
    GRAPH_TYPES,
    RESULT_TYPES,
    choose_with_parameter,
    graph_format,
    results_format,
)
from openness.store import EmbeddedStore, GraphStore


class QueryTimeout(RuntimeError):
    """The query ran past the time limit and was stopped."""


class NotAcceptable(ValueError):
    """No offered format fits the client's Accept header."""


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Job:
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    accept: str | None
    format: str | None = None  # a format=/output= request parameter


def answer(store: GraphStore, job: Job) -> Answer:
    """Run a query and serialize its result in the format the client prefers."""
    result = store.query(
        job.query,
        default_graphs=list(job.default_graphs) or None,
        named_graphs=list(job.named_graphs) or None,
    )
    if result.kind == "graph":
        media = choose_with_parameter(job.format, job.accept, GRAPH_TYPES)
        if media is None:
            raise NotAcceptable(f"a graph result is offered as {', '.join(GRAPH_TYPES)}")
        return Answer(media, result.serialize(graph_format(media)))
    media = choose_with_parameter(job.format, job.accept, RESULT_TYPES)
    if media is None:
        raise NotAcceptable(f"query results are offered as {', '.join(RESULT_TYPES)}")
    return Answer(media, result.serialize(results_format(media)))


def _worker(location: str, conn: Connection) -> None:
    """A query process: one read-only store, one job at a time, until told to stop."""
    store = EmbeddedStore(location, read_only=True)
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the server went away
            break
        if job is None:
            break
        try:
            conn.send(("ok", answer(store, job)))
        except SyntaxError as e:
            conn.send(("syntax", str(e)))
        except NotAcceptable as e:
            conn.send(("406", str(e)))
        except Exception as e:  # reported to the request as a server error, with its text
            conn.send(("error", f"{type(e).__name__}: {e}"))


class _Process:
    def __init__(self, location: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(location, child), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryRunner:
    """Runs jobs with a time limit (seconds)."""

    def __init__(
        self, store: GraphStore, timeout: float, *, location: Path | None = None, processes: int = 2
    ) -> None:
        self.store, self.timeout = store, timeout
        self.location = str(location) if location else None
        self._idle: queue.Queue[_Process] = queue.Queue()
        self._started = 0
        self._max = processes
        self._lock = threading.Lock()

    def _acquire(self) -> _Process:
        with self._lock:
            if self._idle.empty() and self._started < self._max:
                self._started += 1
                return _Process(self.location or "")
        return self._idle.get()

    def run(self, job: Job) -> Answer:
        if self.location is None:
            return self._in_thread(job)
        worker = self._acquire()
        worker.conn.send(job)
        if not worker.conn.poll(self.timeout):
            worker.kill()  # the only way to stop a pyoxigraph query
            with self._lock:
                self._started -= 1
            raise QueryTimeout(self._message())
        status, value = worker.conn.recv()
        self._idle.put(worker)
        return _unwrap(status, value)

    def _in_thread(self, job: Job) -> Answer:
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["answer"] = answer(self.store, job)
            except Exception as e:  # handed to the request thread below
                box["error"] = e

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive() or isinstance(box.get("error"), TimeoutError):
            raise QueryTimeout(self._message())
        if "error" in box:
            raise box["error"]
        return box["answer"]

    def _message(self) -> str:
        return (
            f"the query ran longer than the {self.timeout:g} s limit and was stopped; "
            "narrow it (LIMIT, more specific patterns) or ask the operator for a longer "
            "--query-timeout"
        )


def _unwrap(status: str, value: Any) -> Answer:
    if status == "ok":
        return value
    if status == "syntax":
        raise SyntaxError(value)
    if status == "406":
        raise NotAcceptable(value)
    raise RuntimeError(value)
