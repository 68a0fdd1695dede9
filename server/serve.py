"""Run the application under gunicorn, a production WSGI server, hardened against slow
clients.

gunicorn's threaded worker (``gthread``) waits for a connection's first bytes in its event
loop, but then reads the request in a thread. So that slow clients cannot hold the threads:
each worker has many of them (``threads``), a request must arrive in full within
``read_timeout`` seconds of a thread taking it up (else the connection is closed), and a
worker holds at most ``max_connections`` connections (more wait in the listen backlog).
Query work runs elsewhere (see ``admission`` and ``lanes``), so threads are cheap: most of
them only ever wait on a socket. On an untrusted network, a buffering reverse proxy in
front (nginx) is still the stronger defence.
"""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.gthread import ThreadWorker

from openness.server.context import current_guard, prepare


class _DeadlineSocket(socket.socket):
    """A client connection whose request must arrive within ``read_timeout`` seconds of a
    worker thread taking it up; each write of the answer has the same time."""

    read_timeout = 30.0
    _deadline = 0.0

    def setblocking(self, flag: bool) -> None:
        # gthread makes the socket blocking when a thread takes the connection up.
        if flag:
            self._deadline = time.monotonic() + self.read_timeout
            self.settimeout(self.read_timeout)
        else:
            super().setblocking(False)

    def _read(self, method: Any, *args: Any) -> Any:
        if self.gettimeout() == 0.0:  # non-blocking: the event loop's own reads
            return method(*args)
        remaining = self._deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            self.settimeout(remaining)
            return method(*args)
        except TimeoutError:
            # gunicorn closes the connection quietly on NoMoreData, as for a client gone.
            raise NoMoreData(b"") from None

    def recv(self, *args: Any) -> bytes:
        return self._read(super().recv, *args)

    def recv_into(self, *args: Any) -> int:
        return self._read(super().recv_into, *args)

    def sendall(self, *args: Any) -> None:
        if self.gettimeout() != 0.0:
            self.settimeout(self.read_timeout)
        return super().sendall(*args)


class GuardedThreadWorker(ThreadWorker):
    """gthread whose connections have a read deadline (see ``_DeadlineSocket``)."""

    def enqueue_req(self, conn: Any) -> None:
        if not isinstance(conn.sock, _DeadlineSocket):
            conn.sock = _DeadlineSocket(fileno=conn.sock.detach())
        super().enqueue_req(conn)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _post_worker_init(worker: Any) -> None:
    """Start this worker's query processes before it takes its first request."""
    prepare(worker.wsgi)


def _worker_exit(server: Any, worker: Any) -> None:
    guard = current_guard(worker.wsgi)
    if guard is not None:
        guard.close()


def run_server(
    app: Flask,
    *,
    host: str,
    port: int,
    workers: int,
    timeout: int,
    threads: int = 128,
    max_connections: int = 1000,
    read_timeout: float = 30.0,
) -> None:
    """Serve ``app`` on ``host:port`` with ``workers`` processes until interrupted.

    Each worker starts its query processes before its first request, so no store handle
    crosses a fork and no request waits for a process to start; one line per request is
    logged with its duration. ``timeout`` is gunicorn's: a worker silent that long is
    restarted.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _DeadlineSocket.read_timeout = read_timeout  # inherited by the forked workers
    _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "openness.server.serve.GuardedThreadWorker",
            "threads": threads,
            "worker_connections": max_connections,
            "timeout": timeout,
            "post_worker_init": _post_worker_init,
            "worker_exit": _worker_exit,
            "accesslog": None,  # the app logs each request with its duration
        },
    ).run()
