"""Processes killed while they write to the store leave every named graph as it was, and
the next run completes.

The store layer appends ``begin`` to ``$OPENNESS_WRITE_LOG`` just before each write and
``end`` once it has committed (``openness.store.base.announced_write``); the tests kill the
process (SIGKILL) a random moment after a write began, and check that the write was still
running when it died. The data are large enough that a write takes far longer than that
moment on any machine: a slower machine only makes the write longer.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_ingest_robustness import MOF_FILES, mof_folder

from openness.store import EmbeddedStore
from openness.store.base import WRITE_LOG

HANG_GUARD = 600.0


def openness(store: Path, *args: str, log: Path | None = None) -> subprocess.Popen:
    env = {**os.environ}
    if log is not None:
        env[WRITE_LOG] = str(log)
    return subprocess.Popen(
        [sys.executable, "-m", "openness.cli", "--store", str(store), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        # Only a run that is left to finish is read; a killed one must never block on it.
        stderr=subprocess.DEVNULL if log else subprocess.PIPE,
    )


def completes(store: Path, *args: str) -> None:
    proc = openness(store, *args)
    _, err = proc.communicate(timeout=HANG_GUARD)
    assert proc.returncode == 0, err.decode()


def kill_inside_a_write(store: Path, args: list[str], log: Path, nth: int) -> None:
    """Run ``openness ARGS`` and kill it a random moment after its ``nth`` write began;
    assert it died inside that write."""
    log.write_text("")
    proc = openness(store, *args, log=log)
    deadline = time.monotonic() + HANG_GUARD
    while log.read_text().split().count("begin") < nth:
        assert proc.poll() is None, f"it ended after fewer than {nth} writes"
        assert time.monotonic() < deadline, "no write began"
        time.sleep(0.01)
    time.sleep(random.uniform(0, 0.05))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert log.read_text().split()[-1] == "begin", "the write ended before the kill"


def sizes(store: Path) -> dict[str, int]:
    s = EmbeddedStore(store, read_only=True)
    try:
        return s.graph_sizes()
    finally:
        s.close()


def test_a_killed_ingest_leaves_every_graph_intact(tmp_path: Path) -> None:
    store = tmp_path / "db"
    completes(store, "init")
    completes(store, "ingest", "mof", "--from", str(mof_folder(tmp_path / "a", MOF_FILES[:3])))
    completes(store, "ingest", "curated")
    before = sizes(store)
    # A replacement of the MOF graph a good deal larger than the whole bundled source.
    big = mof_folder(tmp_path / "b", [])
    for i in range(8):
        for f in MOF_FILES:
            shutil.copy(f, big / "models" / f"{i}-{f.name}")
    for _ in range(2):
        kill_inside_a_write(store, ["ingest", "mof", "--from", str(big)], tmp_path / "w", 1)
        assert sizes(store) == before
    completes(store, "ingest", "mof", "--from", str(big))
    mof = next(g for g in before if g.endswith("/mof"))
    assert sizes(store)[mof] > before[mof]


@pytest.mark.timeout(900)  # a hang guard: three assessments of the bundled graph
def test_a_killed_assessment_leaves_the_stored_verdicts_intact(tmp_path: Path) -> None:
    from openness.assess.program import rules
    from openness.assess.setwise import STAGING

    store = tmp_path / "db"
    completes(store, "init")
    completes(store, "ingest")
    completes(store, "assess")
    before = sizes(store)
    # `assess --all` writes: the staging graph dropped, one update per rule, then the
    # verdicts and derived facts in one transaction: kill it inside that last write.
    for _ in range(2):
        kill_inside_a_write(store, ["assess", "--all"], tmp_path / "w", len(rules()) + 2)
        after = sizes(store)
        after.pop(STAGING, None)  # the scratch graph of the killed run, read by nothing
        assert after == before
    completes(store, "assess", "--all")
    assert {g: n for g, n in sizes(store).items() if g != STAGING} == before
