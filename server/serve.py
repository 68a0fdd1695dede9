"""Run the application under gunicorn, a production WSGI server, hardened against slow
clients.

gunicorn's threaded worker (``gthread``) hands each connection to a thread, which then
reads the request: a client sending slowly would hold a thread as long as it likes, and a
few more slow clients than threads would stall the server. Here the worker's event loop
reads each request first, without a thread, and hands it over only once its head and
body have arrived (a body up to ``LOOP_BYTES``; a chunked body, or one whose client waits
for ``100 Continue``, is read on by the thread). A request must arrive in full within
``read_timeout`` seconds of its first byte being awaited, else the connection is closed;
a worker holds at most ``max_connections`` connections, slow or not (more wait in the
listen backlog). Query work runs elsewhere (see ``admission`` and ``lanes``). On an
untrusted network, a buffering reverse proxy in front (nginx) is still the stronger
defence: it can also limit connections per client.
"""

from __future__ import annotations

import errno
import logging
import math
import multiprocessing
import os
import re
import selectors
import signal
import socket
import sys
import threading
import time
from functools import partial
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker

from openness.server.context import current_guard, prepare, stop_begun

# Bytes of one request the event loop reads before a thread takes over the rest.
LOOP_BYTES = 1024 * 1024
_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d+)", re.IGNORECASE)
# A chunked body's end, or a body sent only after "100 Continue", is for the thread.
_THREAD_READS_BODY = re.compile(rb"\r\n(?:transfer-encoding|expect)[ \t]*:", re.IGNORECASE)
log = logging.getLogger("openness.server")

# The logging of a server, set up once by gunicorn (its logconfig_dict, merged over its
# defaults): its own lines and ours, the request log among them, in one format on standard
# error, the pid telling which process (the arbiter, a worker) said each.
LOGGING: dict[str, Any] = {
    "formatters": {
        "server": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        # gunicorn's own lines go to the root's handler, without one of their own.
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        # The app logs each request (with its duration); gunicorn's request log, which a
        # logging config turns on, would say each twice.
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}


def request_arrived(data: bytes | bytearray) -> bool:
    """Whether a thread can take a request over from the event loop: its head and body
    have arrived, or the rest is for the thread to read (see above)."""
    if len(data) >= LOOP_BYTES:
        return True
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = data[: end + 2]
    if _THREAD_READS_BODY.search(head):
        return True
    length = _LENGTH.search(head)
    return len(data) >= end + 4 + (int(length.group(1)) if length else 0)


class _RequestSocket(socket.socket):
    """A client connection whose request the event loop reads ahead (``read_ahead``) and
    the request parser then reads from here; the whole request must arrive within
    ``read_timeout`` seconds, and each write of the answer has the same time."""

    read_timeout = 30.0
    _deadline = 0.0
    _early = b""  # read by the event loop, not yet by the parser
    _begun = False  # the event loop began reading the current request

    def begin(self) -> None:
        """The event loop starts waiting for a request: its time starts now."""
        self._deadline = time.monotonic() + self.read_timeout
        self._begun = True

    def read_ahead(self) -> bool | None:
        """Read what has arrived, without blocking: True once the request has (a thread
        takes over), None when the client closed or failed before it did, else False."""
        try:
            chunk = super().recv(65536)
        except BlockingIOError:
            return False
        except OSError:
            return None
        if not chunk:
            return None
        self._early += chunk
        return request_arrived(self._early)

    def expired(self, now: float) -> bool:
        return self._deadline <= now

    def setblocking(self, flag: bool) -> None:
        # gthread makes the socket blocking when a thread takes the connection up. A
        # request the loop did not begin (read ahead of the one before) starts its time here.
        if flag:
            if not self._begun:
                self._deadline = time.monotonic() + self.read_timeout
            self._begun = False
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

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        if self._early:
            data, self._early = self._early[:bufsize], self._early[bufsize:]
            return data
        return self._read(super().recv, bufsize, flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        if self._early:
            data = self.recv(nbytes or len(buffer))
            buffer[: len(data)] = data
            return len(data)
        return self._read(super().recv_into, buffer, nbytes, flags)

    def sendall(self, *args: Any) -> None:
        if self.gettimeout() != 0.0:
            self.settimeout(self.read_timeout)
        return super().sendall(*args)


class _Conn(TConn):
    def close(self, graceful: bool = False) -> None:
        """Close the connection; ``graceful`` (after a last answer) sends FIN first and
        drains what the client has already sent, so the kernel does not reset the
        connection under the answer. gunicorn's own graceful close waits up to 2 s for
        the client to close, in the event loop: a client that never does would stall
        every other connection meanwhile."""
        if graceful:
            try:
                self.sock.shutdown(socket.SHUT_WR)
                self.sock.setblocking(False)
                drained = 0
                while drained < LOOP_BYTES and (data := self.sock.recv(65536)):
                    drained += len(data)
            except OSError:  # nothing more to read now, or the client has gone
                pass
        super().close()


class GuardedThreadWorker(ThreadWorker):
    """gthread whose event loop reads each request before a thread takes it (see
    ``_RequestSocket``); requests not in by their deadline are dropped there."""

    _quitting = False  # told to quit (see handle_quit)
    _grace_ends = 0.0  # when the stop grace ends, on the monotonic clock (see handle_exit)
    _interrupted = False  # told to quit by SIGINT (Ctrl-C)
    # Seconds the queries under way when the worker is told to stop (SIGTERM) may go on
    # before they are stopped and answered 503 (``openness serve --stop-grace``): by
    # default enough for a page's; without it, a runaway query held the stop until its own
    # deadline (30 s by default) or gunicorn's graceful timeout.
    stop_grace = 5.0
    # Seconds a worker told to stop goes on accepting before its stop begins (``openness
    # serve --drain``): a load balancer learns of the stop at its next readiness check, and
    # until then still sends new connections, which a worker that stopped accepting at
    # once left refused.
    drain = 0.0
    _draining = False
    # Set by the arbiter as the server stops (``_Arbiter``), before it tells its workers:
    # a reload (SIGHUP) or fewer workers (SIGTTOU) retire workers with SIGTERM too, while
    # new ones take the requests, and a worker draining then said "not ready" for nothing.
    server_stopping: Any = None

    def init_process(self) -> None:
        # Connections whose request the loop is reading, oldest deadline first (dicts keep
        # insertion order, and every request has the same time).
        self._reading: dict[TConn, None] = {}
        super().init_process()

    def handle_exit(self, sig: int, frame: Any) -> None:
        """SIGTERM: after the drain, if any, gunicorn stops accepting and waits for the
        requests under way (up to its graceful timeout); their queries are stopped
        ``stop_grace`` seconds from then.
        A request waiting for a runaway query held the worker until the query's deadline,
        or until gunicorn killed it, the store held meanwhile."""
        # A second SIGTERM changes nothing: under systemd (KillMode=control-group) the
        # worker gets the group's and then the arbiter's.
        if not self.alive or self._draining:
            return
        stop_begun(self.wsgi)  # /health/ready answers 503 from now on
        if self.drain and self.server_stopping is not None and self.server_stopping.value:
            self._draining = True
            # Started by the event loop: a thread started here could wait forever for a
            # lock the interrupted thread holds (the event loop starts the pool's threads).
            self.method_queue.defer(self._drain_then_stop)
        else:
            self._stop()

    def _stop(self) -> None:
        self._grace_ends = time.monotonic() + self.stop_grace
        self.method_queue.defer(self._stop_queries)
        super().handle_exit(signal.SIGTERM, None)

    def _drain_then_stop(self) -> None:
        log.info(
            "draining: not ready (/health/ready answers 503); new requests taken for %g s, "
            "each answered with Connection: close",
            self.drain,
        )
        # The stop itself runs on the event loop, as it does when signalled.
        timer = threading.Timer(self.drain, self.method_queue.defer, (self._stop,))
        timer.daemon = True
        timer.start()

    def _cap_keepalive(self, deadline: float) -> None:
        """A stopping worker keeps its kept-alive connections (at most their keep-alive
        time) through the stop grace, not gunicorn's 2 s (its STOP_KEEPALIVE_LINGER): a
        load balancer's readiness check on one hears 'not ready' while queries under way
        hold the stop, where after 2 s it found the connection closed and no new one
        accepted. With nothing under way, the 2 s (murder_keepalived)."""
        super()._cap_keepalive(max(deadline, self._grace_ends))

    def finish_request(self, conn: TConn, fs: Any) -> None:
        super().finish_request(conn, fs)
        # An answer sent before the stop and finished after it: gunicorn kept its connection
        # for its linger alone (inline, not through _cap_keepalive), so whether a balancer's
        # check just answered was heard again depended on which the event loop saw first.
        if not self.alive and self.keepalived_conns and self.keepalived_conns[-1] is conn:
            conn.set_timeout()
            self._cap_keepalive(time.monotonic())

    def murder_keepalived(self, force: bool = False) -> None:
        # Stopping with nothing under way (every connection left is idle): nothing holds
        # the stop, and its exit, which waits for the kept connections, need not wait for
        # the grace's end — gunicorn's linger, from now.
        if not self.alive and self.nr_conns == len(self.keepalived_conns):
            ThreadWorker._cap_keepalive(self, time.monotonic() + STOP_KEEPALIVE_LINGER)
        super().murder_keepalived(force)

    def _stop_queries(self) -> None:
        log.info(
            "stopping: not ready (/health/ready answers 503); queries under way stopped in %g s",
            self.stop_grace,
        )
        guard = current_guard(self.wsgi)
        if guard is not None:
            timer = threading.Timer(self.stop_grace, guard.close)
            timer.daemon = True  # a worker done sooner does not wait for it to exit
            timer.start()

    def handle_quit(self, sig: int, frame: Any) -> None:
        """SIGQUIT or SIGINT: gunicorn exits at once, the queries under way stopped as the
        worker exits (``_worker_exit``). Only the first is heeded: Ctrl-C reaches the worker
        as SIGINT and again from the arbiter as SIGQUIT, and a second one raised
        SystemExit inside the first one's clean-up, skipping the rest of it; the queries
        then ran on, and the exit, which waits for the threads answering them, with them.

        A second SIGINT (Ctrl-C pressed again) ends the worker there and then: the exit
        waits for its request threads, and one writing the store (``/update``, ``/store``)
        held it until the write ended, or until the arbiter killed the worker at its
        graceful timeout, each further Ctrl-C ignored. The write under way is lost whole
        (every write to the store is atomic, and the ones done are in RocksDB's log) and
        its client gets no answer, as on that kill."""
        if self._quitting:
            if sig == signal.SIGINT and self._interrupted:
                os._exit(1)
            return
        self._quitting = True
        self._interrupted = sig == signal.SIGINT
        # Not gthread's own quit, which shuts the request threads' pool down first: the
        # handler runs between two steps of the event loop, which may be inside the pool's
        # submit, holding the lock that shutdown waits for; the worker hung until the
        # arbiter killed it. Nothing is lost: the pool's threads end with the worker (as
        # they did, shutdown(wait=False) waited for none of them).
        Worker.handle_quit(self, sig, frame)

    def accept(self, listener: socket.socket) -> None:
        if self.cfg.is_ssl:  # TLS is read by the thread; nothing here reads ahead of it
            return super().accept(listener)
        try:
            client, address = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        sock = _RequestSocket(fileno=client.detach())
        self._read_request(_Conn(self.cfg, sock, address, listener.getsockname()))

    def on_client_socket_readable(self, conn: TConn, client: socket.socket) -> None:
        """A kept-alive connection's next request begins."""
        if not isinstance(conn.sock, _RequestSocket):
            return super().on_client_socket_readable(conn, client)
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._read_request(conn)
        # Read what is here now: a stopping worker closes the connections whose request
        # has not arrived (murder_pending) before the poller would say this one's has, and
        # a request on a kept-alive connection is answered through the stop (gunicorn's
        # STOP_KEEPALIVE_LINGER) — a load balancer's readiness check among them.
        self._readable(conn, client)

    def _read_request(self, conn: TConn) -> None:
        conn.sock.begin()
        self._reading[conn] = None
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))

    def _readable(self, conn: TConn, client: socket.socket) -> None:
        arrived = conn.sock.read_ahead()
        if arrived is False:
            return
        self.poller.unregister(client)
        del self._reading[conn]
        if arrived is None:  # nothing to answer, nobody to answer it to
            self.nr_conns -= 1
            conn.close()
            return
        conn.data_ready = True  # no thread waits for the first bytes: they are here
        self.enqueue_req(conn)

    def murder_pending(self) -> None:
        """Also close the connections whose request did not arrive in time (all of them
        once the worker stops)."""
        super().murder_pending()
        now = time.monotonic()
        while self._reading:
            conn = next(iter(self._reading))
            if self.alive and not conn.sock.expired(now):
                break
            del self._reading[conn]
            self.poller.unregister(conn.sock)
            self.nr_conns -= 1
            conn.close()


class _Arbiter(Arbiter):  # type: ignore[misc]
    def stop(self, graceful: bool = True) -> None:
        GuardedThreadWorker.server_stopping.value = 1  # shared with the forked workers
        super().stop(graceful)


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

    def run(self) -> None:
        try:
            _Arbiter(self).run()
        except RuntimeError as e:  # as gunicorn's own run says it
            sys.exit(f"\nError: {e}\n")


def _post_worker_init(worker: Any) -> None:
    """Start this worker's query processes before it takes its first request."""
    prepare(worker.wsgi)


def _pre_request(worker: Any, req: Any) -> None:
    """A draining worker closes each connection after its answer, so that a client keeping
    its connection opens the next one through the balancer, to a server not stopping."""
    if worker._draining:  # noqa: SLF001
        req.force_close()


def _worker_exit(server: Any, worker: Any) -> None:
    if worker._interrupted:  # noqa: SLF001
        _exit_on_another_interrupt()
    guard = current_guard(worker.wsgi)
    if guard is not None:
        guard.close()


def _exit_on_another_interrupt() -> None:
    """End the worker at once on the next SIGINT, whichever thread takes it.

    Python runs a signal's handler in the main thread only, and the kernel gives a signal
    sent to the process to another thread when the main one has one pending (the
    arbiter's SIGQUIT, arriving as Ctrl-C is pressed again): the main thread, waiting in
    the exit for a thread that writes on, was never woken to run the handler, and the
    worker ran on until the arbiter killed it at its graceful timeout. Every thread that
    takes a signal writes its number to the wakeup file, which a thread of ours reads."""
    read, write = os.pipe()
    os.set_blocking(write, False)
    signal.set_wakeup_fd(write)  # gunicorn's wakes an event loop that has ended

    def watch() -> None:
        while signal.SIGINT not in os.read(read, 64):
            pass
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="openness-interrupt-watch").start()


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
    stop_grace: float = 5.0,
    drain: float = 0.0,
    keep_alive: int = 2,
) -> None:
    """Serve ``app`` on ``host:port`` with ``workers`` processes until interrupted.

    Each worker starts its query processes before its first request, so no store handle
    crosses a fork and no request waits for a process to start; one line per request is
    logged with its duration. ``timeout`` is gunicorn's: a worker silent that long is
    restarted; an idle connection is kept open ``keep_alive`` seconds for its next
    request. Stopped (SIGTERM), a worker says it is not ready and goes on taking new
    requests for ``drain`` seconds, then answers the requests under way, their queries
    stopped ``stop_grace`` seconds later (503); on Ctrl-C, at once. The calling process
    forks the workers, so it must not have opened a store on disk: RocksDB's background
    threads do not cross the fork, and RocksDB's exit handler in a worker joins them
    (``openness serve`` asks the store in a child process).
    """
    # Inherited by the forked workers.
    _RequestSocket.read_timeout = read_timeout
    GuardedThreadWorker.stop_grace = stop_grace
    GuardedThreadWorker.drain = drain
    GuardedThreadWorker.server_stopping = multiprocessing.RawValue("b", 0)
    _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "openness.server.serve.GuardedThreadWorker",
            "threads": threads,
            "worker_connections": max_connections,
            "timeout": timeout,
            "keepalive": keep_alive,
            # The drain, then the requests under way get their grace, then gunicorn's
            # default 30 s to be answered, before the arbiter kills the worker: a longer
            # drain or grace is honoured.
            "graceful_timeout": math.ceil(drain + stop_grace) + 30,
            "post_worker_init": _post_worker_init,
            "pre_request": _pre_request,
            "worker_exit": _worker_exit,
            "accesslog": None,  # the app logs each request with its duration
            "logconfig_dict": LOGGING,
            # gunicorn's control socket (gunicornc) is one per user by default, so a second
            # server (`make serve` twice, on two stores) took the first's; nothing here uses it.
            "control_socket_disable": True,
        },
    ).run()
