"""Compacting an embedded store after a command grew it a lot.

RocksDB compacts in the background as it writes, but a run that writes gigabytes (a first
Hub sync and its assessment) leaves much of what it replaced or deleted on disk, and the
next runs pay for reading around it and compacting it: 100 000 Hub models synced into the
bundled graph and assessed took 9.0 GB as the assessment left it, 7.3 GB once its
background compactions stopped (36 s of a process holding it open, 29 CPU s), 4.7 GB fully
compacted (91 s). A 1% re-sync then took 25.3-25.4 s wall and 33.0-33.8 CPU s on the
compacted store, 32.8-33.3 s and 42.8-43.5 CPU s on the settled one (and 34.8-45.6 s,
63.1-78.8 CPU s on the store as left), copies of one store, two runs each alternating
(2026-12-05). A run that grew the store less is left to the background compactions: at
10 000 models (0.34 -> 1.0 GB) a full compaction took 5.3 s to reclaim 4%, at 50 000
(4.6 GB) 36 s to reclaim 41%."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from openness.store.base import GraphStore

# A run compacts the store when it grew its files by both of these.
GROWN_BYTES = 2 * 2**30
GROWN_RATIO = 1.25


@contextmanager
def compacted_when_grown(store: GraphStore, echo: Callable[[str], None]) -> Iterator[None]:
    """Run the block, then compact the store on disk (:meth:`GraphStore.optimize`) when the
    block grew its files by GROWN_BYTES and by GROWN_RATIO times; ``echo`` says so. Not
    after a block that raised (what it stored stays as it is), nor on a remote engine."""
    before = store.size_on_disk()
    yield
    after = store.size_on_disk()
    if before is None or after is None:
        return
    if after - before < GROWN_BYTES or after < before * GROWN_RATIO:
        return
    echo(
        f"the store grew from {_gb(before)} to {_gb(after)} GB in this run: compacting its "
        "files, which a run this large leaves holding much of what it replaced"
    )
    start = time.monotonic()
    store.optimize()
    echo(f"compacted to {_gb(store.size_on_disk() or 0)} GB in {time.monotonic() - start:.0f} s")


def _gb(size: int) -> str:
    return f"{size / 2**30:.1f}"
