"""How long the history takes: storing the bundled snapshots, and dating the verdicts.

Works on a built store (``openness build``, or ``make build``): copies it to a scratch
folder, stores every bundled snapshot and links its records, then computes the verdicts
as of each snapshot date. Prints seconds per step and per date, how many models each date
re-assessed, and the dated verdicts stored.

    nice -n 10 .venv/bin/python bench/history.py [STORE]   # default var/store
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from openness.history import build_verdict_history
from openness.ingest.snapshots import ingest_history
from openness.store import EmbeddedStore


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "var/store")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(source, copy)
        store = EmbeddedStore(copy)
        try:
            start = time.perf_counter()
            for report in ingest_history(store):
                print(report.summary().splitlines()[0])
            print(f"snapshots stored and linked: {time.perf_counter() - start:.1f}s")
            start = time.perf_counter()
            n = build_verdict_history(
                store, echo=lambda m: print(f"{time.perf_counter() - start:7.1f}s  {m}", flush=True)
            )
            print(f"verdict history: {n} dated verdicts in {time.perf_counter() - start:.1f}s")
        finally:
            store.close()


if __name__ == "__main__":
    main()
