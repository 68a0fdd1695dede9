"""Run a command as the subreaper of its process tree, and say how each process ended.

Run as ``python reaper.py LOG COMMAND...``: starts COMMAND in a session of its own (a
signal to that process group is a terminal's Ctrl-C), its output to the file LOG, and
prints its pid. A process whose parent ends first comes to this one (Linux's
PR_SET_CHILD_SUBREAPER) rather than to init, where how it ended could not be seen: a
server's worker its arbiter gave up on, the processes a worker started. Once none is left,
prints a JSON object: each pid reaped here, and how it ended ("exit N", or the signal's
name).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36

if __name__ == "__main__":
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"prctl: {os.strerror(ctypes.get_errno())}")
    with open(sys.argv[1], "wb") as log:
        child = subprocess.Popen(sys.argv[2:], stdout=log, stderr=log, start_new_session=True)
    print(child.pid, flush=True)
    ended: dict[int, str] = {}
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:  # none left
            break
        if os.WIFSIGNALED(status):
            ended[pid] = signal.Signals(os.WTERMSIG(status)).name
        else:
            ended[pid] = f"exit {os.waitstatus_to_exitcode(status)}"
    print(json.dumps(ended), flush=True)
