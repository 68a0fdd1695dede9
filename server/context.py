"""Per-process access to the store the app serves and to the query runner."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from openness.server.execute import QueryRunner
from openness.store import EmbeddedStore, GraphStore, open_store


def get_store() -> GraphStore:
    """The store of this app, opened on first use in this process (after any fork)."""
    app = current_app
    store = app.config.get("STORE")
    if store is None:
        store = open_store(
            app.config["STORE_LOCATION"],
            endpoint=app.config["ENDPOINT"],
            update_endpoint=app.config["UPDATE_ENDPOINT"],
            store_endpoint=app.config["STORE_ENDPOINT"],
            read_only=not app.config["UPDATE_ENABLED"],
            timeout=app.config["QUERY_TIMEOUT"],
        )
        app.config["STORE"] = store
    return store


def get_runner() -> QueryRunner:
    """The runner that enforces the query time limit (see openness.server.execute)."""
    app = current_app
    runner = app.extensions.get("openness.runner")
    if runner is None:
        store = get_store()
        # Killable query processes need a store on disk that nothing writes meanwhile.
        location = (
            store.path
            if isinstance(store, EmbeddedStore) and store.path and store.read_only
            else None
        )
        runner = QueryRunner(
            store,
            app.config["QUERY_TIMEOUT"],
            location=Path(location) if location else None,
            processes=app.config["QUERY_PROCESSES"],
        )
        app.extensions["openness.runner"] = runner
    return runner
