"""A process holding a store on disk (openness.store.holders), for the tests that end it
without its letting the store go.

Run as ``python holder.py <folder> <holder> <reads|serves> [forks]``: holds the store in
``folder`` as ``holder``, a server or a command that reads; with ``forks``, forks a process
that goes on holding it with it (as a server's worker does). Prints its pid (and the forked
process's) once it holds the store, then waits for its standard input to close, and ends
as one killed does: without letting the store go, its name left behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from openness.store import holders

if __name__ == "__main__":
    folder, holder, kind = sys.argv[1:4]
    holders.hold(Path(folder), holder, writes=False, serves=kind == "serves")  # never let go
    if sys.argv[4:] == ["forks"]:
        forked = os.fork()
        if forked:  # the forked process says nothing
            print(os.getpid(), forked, flush=True)
    else:
        print(os.getpid(), flush=True)
    while os.read(0, 4096):
        pass
    os._exit(0)  # no release: the name stays, the kernel lets the locks go
