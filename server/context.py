"""Per-process access to the store the app serves, always through the guard.

The guard and its query processes belong to the process that serves requests: they are
made on first use, or by :func:`prepare` before a server process takes its first request
(``openness serve`` does so), and made anew in a process forked after that.
"""

from __future__ import annotations

import os
import threading
import time
from functools import partial

import pyoxigraph as ox
from flask import Flask, current_app, g, has_request_context, request

from openness.namespaces import BASE
from openness.server.admission import Guard, Limits
from openness.server.guarded import GuardedStore
from openness.server.lanes import ProcessLanes, ThreadLanes
from openness.store import EmbeddedStore, GraphStore, open_store
from openness.store import dump as dumps

_KEY = "openness.guarded"
_STOPPING = "openness.stopping"
_lock = threading.Lock()


def _open(app: Flask) -> GraphStore:
    store = app.config.get("STORE")
    if store is None:
        # A store on disk is held while it is served (see openness.store.holders): by
        # `openness serve` for the workers it forks (STORE_HELD), else by this process.
        held = app.config["STORE_HELD"]
        store = open_store(
            app.config["STORE_LOCATION"],
            endpoint=app.config["ENDPOINT"],
            update_endpoint=app.config["UPDATE_ENDPOINT"],
            store_endpoint=app.config["STORE_ENDPOINT"],
            read_only=not app.config["UPDATE_ENABLED"],
            holder=None if held else f"a server (pid {os.getpid()})",
            serves=True,
            timeout=app.config["QUERY_TIMEOUT"],
        )
        app.config["STORE"] = store
    return store


def prepare(app: Flask) -> GuardedStore:
    """The guarded store of ``app`` in this process, its query processes started and
    ready (so that no request waits for one to start)."""
    guarded = app.extensions.get(_KEY)
    if guarded is not None and guarded.pid == os.getpid():
        return guarded
    with _lock:
        guarded = app.extensions.get(_KEY)
        if guarded is None or guarded.pid != os.getpid():
            guarded = app.extensions[_KEY] = _guard(app)
        return guarded


def _guard(app: Flask) -> GuardedStore:
    config = app.config
    store = _open(app)
    size = config["QUERY_PROCESSES"]
    if isinstance(store, EmbeddedStore) and store.unchanging:
        # Killable query processes need a store on disk that nothing writes meanwhile.
        lanes = partial(ProcessLanes, str(store.path), size)
    else:
        lanes = partial(ThreadLanes, store, size)
    limits = Limits(
        timeout=config["QUERY_TIMEOUT"],
        queue_size=config["QUERY_QUEUE"],
        client_limit=config["CLIENT_LIMIT"],
    )
    guard = Guard(lanes, limits)
    guard.lanes.wait_ready()
    return GuardedStore(
        guard, store, max_bytes=config["MAX_RESULT_BYTES"], budget=_budget(limits.timeout)
    )


def _budget(timeout: float):  # noqa: ANN202
    def budget() -> tuple[str, float]:
        """The client and deadline of the current request. A request that arrived while
        this process was still starting its query processes is timed from when they were
        ready."""
        now = time.monotonic()
        if not has_request_context():
            return "-", now + timeout
        ready_at = current_app.extensions[_KEY].ready_at
        return request.remote_addr or "-", max(g.get("arrival", now), ready_at) + timeout

    return budget


class NotABaseIri(ValueError):
    """A ``--base-iri`` under which the IRIs could not be answered at their paths."""


def base_iri(value: str) -> str:
    """``value``, if it is an absolute IRI ending in "/": the IRIs minted under it are it
    followed by the path they are answered at here (id/model/…), so one without gave
    https://example.org/ogid/model/…, and every IRI of the data 404."""
    try:
        ox.NamedNode(value)
    except ValueError:
        raise NotABaseIri(f"{value!r} is not an absolute IRI") from None
    if not value.endswith("/"):
        raise NotABaseIri(
            f"{value!r} does not end in '/', as {BASE} does: the IRIs minted under it "
            "are it followed by their path here (id/model/…)"
        )
    return value


def minted_base() -> str:
    """The prefix of the IRIs the data mints, as this deployment answers them (``--base-iri``)."""
    return current_app.config.get("BASE_IRI") or BASE


def get_store() -> GuardedStore:
    """The store of this app, every query guarded (see openness.server.guarded)."""
    return prepare(current_app)


def get_runner() -> GuardedStore:
    """What runs the protocol's queries: ``get_runner().run(job)`` gives the ``Answer``."""
    return get_store()


def current_guard(app: Flask) -> Guard | None:
    """The guard of ``app`` in this process, if it has one yet."""
    guarded = app.extensions.get(_KEY)
    return guarded.guard if guarded is not None and guarded.pid == os.getpid() else None


def stop_begun(app: Flask) -> None:
    """This process has been told to stop (SIGTERM): from now on it says it is not ready."""
    app.extensions[_STOPPING] = True


def stopping() -> bool:
    """Whether this process has been told to stop (see :func:`stop_begun`)."""
    return bool(current_app.extensions.get(_STOPPING))


def served_dump() -> dumps.Dump:
    """The dump of the store this app serves when it holds what the store holds (else
    NoDump, saying why): kept beside a store on disk (openness.store.dump)."""
    store = get_store()
    path = getattr(store.store, "path", None)
    if path is None:
        raise dumps.NoDump(
            "this server's store is a remote engine or in memory, beside which no dump is kept"
        )
    return dumps.current(store, dumps.folder(path))
