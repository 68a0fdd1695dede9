"""Stores for the history tests: copies of the session's bundled graph with verdicts of a
few chosen models, built once per module."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from openness.assess.service import resolve_models, run_assessment
from openness.store import EmbeddedStore, GraphStore


def copy_store(store: GraphStore, location: Path | None = None) -> EmbeddedStore:
    """A writable copy of ``store`` (on disk at ``location``, else in memory)."""
    copy = EmbeddedStore(location)
    data = store.export(ox.RdfFormat.N_QUADS)
    copy._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)  # noqa: SLF001 - a test helper
    return copy


def assessed(store: GraphStore, names: Sequence[str]) -> list[str]:
    """Assess the models called ``names`` in ``store``; their IRIs."""
    models = resolve_models(store, list(names))
    run_assessment(store, None, models, echo=lambda _: None)
    return models
