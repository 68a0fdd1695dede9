"""Running allocation-heavy batch work with fewer garbage collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations (of objects the collector tracks) between two young collections, where
# Python's default is 700; the older generations follow as by default.
YOUNG = 100_000


@contextmanager
def fewer_collections(young: int = YOUNG) -> Iterator[None]:
    """Collect garbage cycles less often inside the block. Every pyoxigraph term, triple and
    quad is an object the collector tracks, and a Hub sync page makes some hundred thousand:
    at the default threshold the collector ran every 700 of them and, every few pages,
    walked every object alive (a 10 000-model first sync: 2.6 CPU s collecting, 0.6 with
    this). Cycles are still collected, only in larger batches."""
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
