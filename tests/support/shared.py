"""Session fixtures built once for the whole test run, not once per pytest-xdist worker.

`make test` runs two workers, and each used to build the bundled graph and its assessment
for itself (~20 CPU s each time). The first worker to ask builds the value and saves it in
a folder under the run's temporary root, which every worker shares; the others wait on a
file lock and load what it saved. Each worker holds its own copy of what it loaded, so a
test in one worker cannot change what the other's tests see.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

T = TypeVar("T")


def run_root(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this run that every worker shares: a worker's own basetemp
    is a subfolder of it (``popen-gw0``); without xdist it is the basetemp itself."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_run(
    factory: pytest.TempPathFactory,
    name: str,
    make: Callable[[], T],
    save: Callable[[T, Path], None],
    load: Callable[[Path], T],
) -> T:
    """``make()`` in the first worker that asks, which ``save``s it in a folder of its own;
    the other workers ``load`` that folder. The folder appears complete or not at all (it
    is renamed into place), so a worker that failed to build leaves the next one to try."""
    root = run_root(factory)
    folder = root / f"shared-{name}"
    with FileLock(root / f"shared-{name}.lock"):
        if folder.exists():
            return load(folder)
        partial = root / f"shared-{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        value = make()
        save(value, partial)
        partial.rename(folder)
        return value
