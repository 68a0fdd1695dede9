"""Staging graphs a killed staged write left in a remote engine are dropped by the next
store's first write; those of a staged write still running are not."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pyoxigraph as ox
from test_store import G1, G2, triple

from openness.store import RemoteStore
from openness.store.remote import STAGED_AT, STAGING

HANG_GUARD = 300  # seconds: a guard against a hung test, not a measurement

# Writes more triples than one request may carry (so, staged a chunk a request) until killed.
WRITER = """
import sys
import pyoxigraph as ox
from openness.store import RemoteStore
store = RemoteStore(sys.argv[1])
store.request_limit = 1000
many = [ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                  ox.Literal(str(i))) for i in range(400_000)]
store.write(add={"http://example.org/g1": many})
"""


def staging_graphs(server: str) -> set[str]:
    answer = httpx.post(
        server + "/query",
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    names = {b["g"]["value"] for b in answer.json()["results"]["bindings"]}
    return {g for g in names if g.startswith(STAGING)}


def test_a_killed_staged_write_leaves_nothing_behind_the_next_write(oxigraph_server) -> None:
    store = RemoteStore(oxigraph_server + "/query")
    store.update("DROP ALL")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, oxigraph_server + "/query"])
    deadline = time.monotonic() + HANG_GUARD
    try:
        # Killed once it has staged some chunks, long before its last.
        while len(staging_graphs(oxigraph_server)) < 2:
            assert writer.poll() is None, "the write ended before it was killed"
            assert time.monotonic() < deadline, "nothing was staged"
            time.sleep(0.05)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    left = staging_graphs(oxigraph_server)
    assert left and store.graph_sizes() == {}  # staged, never part of the dataset
    # A later store's first write: the dead run's stamp is older than it allows.
    later = RemoteStore(oxigraph_server + "/query")
    later.stale_after = 0
    later.write(add={G2: [triple("a", "b", "c")]})
    assert staging_graphs(oxigraph_server) == set()
    assert later.graph_sizes() == {G2: 1}
    later.close()
    store.close()


def test_a_staged_write_still_running_is_left_alone(oxigraph_server) -> None:
    store = RemoteStore(oxigraph_server + "/query")
    store.update("DROP ALL")
    run = f"{STAGING}running/"
    store.update(
        f"""INSERT DATA {{ GRAPH <{run}add/0> {{ <urn:s> <urn:p> "staged" }}
              GRAPH <{run}alive> {{ <{run}> <{STAGED_AT}> "{time.time():.3f}" }} }}"""
    )
    dead = f"{STAGING}dead/"  # no stamp: a run of an older version, or one never stamped
    store.update(f'INSERT DATA {{ GRAPH <{dead}add/0> {{ <urn:s> <urn:p> "staged" }} }}')
    later = RemoteStore(oxigraph_server + "/query")  # the default: ten minutes since a chunk
    later.write(add={G1: [triple("a", "b", ox.Literal("c"))]})
    assert staging_graphs(oxigraph_server) == {f"{run}add/0", f"{run}alive"}
    later.close()
    store.update("DROP ALL")
    store.close()
