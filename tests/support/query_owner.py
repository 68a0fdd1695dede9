"""A process that owns one query process and has it run a query that never ends, for the
test that kills this owner and expects the query process to end with it; or, given
``exit``, ends at once with its lanes left open, for the test that expects it to exit.

Run as ``python query_owner.py <store location> [exit]``; prints the query process's pid
once it has started, then hands it the query and waits for an answer that never comes.
"""

from __future__ import annotations

import sys
import threading

from openness.server.execute import fetch
from openness.server.lanes import ProcessLanes

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

if __name__ == "__main__":
    lanes = ProcessLanes(sys.argv[1], 1, threading.Condition())
    if not lanes.wait_ready():
        sys.exit("the query process did not start")
    with lanes.changed:
        lane = lanes.take()
    assert lane is not None
    print(lanes.pids()[0], flush=True)
    if sys.argv[2:] == ["exit"]:
        sys.exit(0)
    lane.run((fetch, (RUNAWAY, None, None, 1_000_000)), 3600.0)
