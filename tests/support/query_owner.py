"""A process that owns one query process and has it run a query that never ends, for the
test that kills this owner and expects the query process to end with it; or, given
``exit``, ends at once with its lanes left open, for the test that expects it to exit; or,
given ``exit-starting``, ends so while a query process is being started (as one replacing
another is, in the background), once the lanes' own exit has killed theirs.

Run as ``python query_owner.py <store location> [exit|exit-starting]``; prints the query
process's pid once it has started, then hands it the query and waits for an answer that
never comes.
"""

from __future__ import annotations

import multiprocessing.util
import sys
import threading

from openness.server.execute import fetch
from openness.server.lanes import ProcessLanes

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

if __name__ == "__main__":
    made: list[ProcessLanes] = []
    if sys.argv[2:] == ["exit-starting"]:
        # Made before the lanes, of their priority: run after theirs at exit, before
        # multiprocessing waits for its children.
        multiprocessing.util.Finalize(None, lambda: made[0]._start(), exitpriority=0)
    lanes = ProcessLanes(sys.argv[1], 1, threading.Condition())
    made.append(lanes)
    if not lanes.wait_ready():
        sys.exit("the query process did not start")
    with lanes.changed:
        lane = lanes.take()
    assert lane is not None
    print(lanes.pids()[0], flush=True)
    if sys.argv[2:] in (["exit"], ["exit-starting"]):
        sys.exit(0)
    lane.run((fetch, (RUNAWAY, None, None, 1_000_000)), 3600.0)
