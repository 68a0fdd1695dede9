"""Graph stores: embedded pyoxigraph (the default) or a remote SPARQL 1.1 engine."""

from __future__ import annotations

import os
from pathlib import Path

from openness.resources import ProjectNotFound, installed, project_root, user_data_dir
from openness.store.base import GraphStore
from openness.store.embedded import EmbeddedStore
from openness.store.errors import StoreError, Unanswerable
from openness.store.remote import UPDATE_TIMEOUT, RemoteStore
from openness.store.results import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    QueryResult,
    row_values,
    term_value,
)


def default_location() -> Path:
    """``var/store`` in the project's folder (the checkout, or ``$OPENNESS_HOME``), where
    ``make build`` puts it, whatever the working directory: run elsewhere, a path relative
    to it would open (and create) an empty store. Installed from a wheel, whose folder is no
    place for it (site-packages), ``store`` in ``$XDG_DATA_HOME/openness-graph``: as fixed."""
    try:
        if installed():
            return user_data_dir() / "store"
        return project_root() / "var" / "store"
    except ProjectNotFound as e:
        raise StoreError(f"{e}; or name a store with --store DIR or OPENNESS_STORE") from e


__all__ = [
    "GRAPH_FORMATS",
    "IN_MEMORY",
    "RESULT_FORMATS",
    "EmbeddedStore",
    "GraphStore",
    "QueryResult",
    "RemoteStore",
    "StoreError",
    "Unanswerable",
    "UPDATE_TIMEOUT",
    "default_location",
    "open_store",
    "row_values",
    "term_value",
]


IN_MEMORY = ":memory:"  # the location of an empty in-memory store


def open_store(
    location: str | Path | None = None,
    *,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    read_only: bool = False,
    holder: str | None = None,
    serves: bool = False,
    timeout: float = 60.0,
    update_timeout: float = UPDATE_TIMEOUT,
) -> GraphStore:
    """Open the store the user asked for.

    A remote ``endpoint`` wins; otherwise the embedded store in ``location``, else in
    ``$OPENNESS_STORE``, else in :func:`default_location`. ``location=IN_MEMORY``
    (``":memory:"``) gives an empty in-memory store; ``holder`` holds the store on disk
    while it is open (see :class:`EmbeddedStore`, for ``serves`` too). ``timeout``
    (seconds) bounds each query to a remote engine, ``update_timeout`` each update.
    """
    if endpoint:
        return RemoteStore(
            endpoint,
            update_url=update_endpoint,
            store_url=store_endpoint,
            timeout=timeout,
            update_timeout=update_timeout,
        )
    location = location or os.environ.get("OPENNESS_STORE") or default_location()
    if str(location) == IN_MEMORY:
        return EmbeddedStore(None)
    return EmbeddedStore(location, read_only=read_only, holder=holder, serves=serves)
