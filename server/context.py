"""Per-process access to the store the app serves."""

from __future__ import annotations

from flask import current_app

from openness.store import GraphStore, open_store


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
            read_only=app.config["READ_ONLY"],
        )
        app.config["STORE"] = store
    return store
