"""Staging graphs a killed staged write left in a remote engine are dropped by the next
store's first write; those of a staged write still running are not. On `oxigraph serve`
and on Virtuoso, which stages every large write (its parser refuses large requests)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from test_store import G1, G2, triple

from openness.store import RemoteStore
from openness.store.remote import STAGED_AT, STAGING

HANG_GUARD = 300  # seconds: a guard against a hung test, not a measurement

# Writes more triples than one request may carry (so, staged a chunk a request) until killed.
WRITER = """
import sys
import pyoxigraph as ox
from openness.store import RemoteStore
store = RemoteStore(sys.argv[1], update_url=sys.argv[2])
store.request_limit = 1000
many = [ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                  ox.Literal(str(i))) for i in range(400_000)]
store.write(add={"http://example.org/g1": many})
"""


def staging_graphs(query_url: str) -> set[str]:
    # (Virtuoso answers the empty pattern GRAPH ?g { } with one empty row: list the quads')
    answer = httpx.post(
        query_url,
        data={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=HANG_GUARD,
    )
    names = {b["g"]["value"] for b in answer.json()["results"]["bindings"]}
    return {g for g in names if g.startswith(STAGING)}


@pytest.fixture(params=["oxigraph", "virtuoso"])
def engine(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """An engine's query and update URLs, emptied of our graphs and of staging graphs (an
    engine's own graphs stay: Virtuoso needs them)."""
    if request.param == "oxigraph":
        base = request.getfixturevalue("oxigraph_server")
        urls = (base + "/query", base + "/update")
    else:  # Virtuoso takes updates at its query endpoint
        url = request.getfixturevalue("virtuoso_server")
        urls = (url, url)
    emptied(*urls)
    yield urls
    emptied(*urls)


def emptied(query_url: str, update_url: str) -> None:
    store = RemoteStore(query_url, update_url=update_url)
    for graph in [*store.graph_sizes(), *staging_graphs(query_url)]:
        store.update(f"DROP SILENT GRAPH <{graph}>")
    store.close()


def test_a_killed_staged_write_leaves_nothing_behind_the_next_write(
    engine: tuple[str, str],
) -> None:
    query_url, update_url = engine
    store = RemoteStore(query_url, update_url=update_url)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, query_url, update_url])
    deadline = time.monotonic() + HANG_GUARD
    try:
        # Killed once it has staged some chunks, long before its last.
        while len(staging_graphs(query_url)) < 2:
            assert writer.poll() is None, "the write ended before it was killed"
            assert time.monotonic() < deadline, "nothing was staged"
            time.sleep(0.05)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    left = staging_graphs(query_url)
    assert left and store.graph_sizes() == {}  # staged, never part of the dataset
    # A later store's first write: the dead run's stamp is older than it allows.
    later = RemoteStore(query_url, update_url=update_url)
    later.stale_after = 0
    later.write(add={G2: [triple("a", "b", "c")]})
    assert staging_graphs(query_url) == set()
    assert later.graph_sizes() == {G2: 1}
    later.close()
    store.close()


def test_a_staged_write_still_running_is_left_alone(engine: tuple[str, str]) -> None:
    query_url, update_url = engine
    store = RemoteStore(query_url, update_url=update_url)
    run = f"{STAGING}running/"
    store.update(
        f"""INSERT DATA {{ GRAPH <{run}add/0> {{ <urn:s> <urn:p> "staged" }}
              GRAPH <{run}alive> {{ <{run}> <{STAGED_AT}> "{time.time():.3f}" }} }}"""
    )
    dead = f"{STAGING}dead/"  # no stamp: a run of an older version, or one never stamped
    store.update(f'INSERT DATA {{ GRAPH <{dead}add/0> {{ <urn:s> <urn:p> "staged" }} }}')
    # the default: ten minutes since a chunk
    later = RemoteStore(query_url, update_url=update_url)
    later.write(add={G1: [triple("a", "b", ox.Literal("c"))]})
    assert staging_graphs(query_url) == {f"{run}add/0", f"{run}alive"}
    later.close()
    store.close()
