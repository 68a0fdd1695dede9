"""A bounded load test of the SPARQL endpoint on the loopback interface.

Builds the bundled graph (without assessments) in a temporary store, starts
`openness serve` (gunicorn, two workers) on a free 127.0.0.1 port, and sends a fixed number
of requests from a few concurrent clients for two queries: a simple lookup and an
aggregate. Prints requests per second and latency percentiles, beside the same queries run
in-process on pyoxigraph (the baseline), with the HTTP/in-process ratio.

    .venv/bin/python bench/load.py [--requests 300] [--clients 8]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox

from openness.ingest.runner import ingest_all
from openness.store import EmbeddedStore
from openness.vocabularies import load_vocabularies

QUERIES = {
    "lookup": 'SELECT ?m WHERE { ?m a og:Model ; schema:name "OLMo-7B" }',
    "aggregate": """SELECT ?source (COUNT(DISTINCT ?r) AS ?records) WHERE {
                      ?r a og:SourceRecord ; og:source/skos:notation ?source } GROUP BY ?source""",
}


def percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"p50 {q[49] * 1000:7.1f} ms  p95 {q[94] * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_process(location: Path, query: str, n: int) -> tuple[float, list[float]]:
    store = EmbeddedStore(location, read_only=True)
    times = []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        store.query(query).serialize(ox.QueryResultsFormat.JSON)
        times.append(time.perf_counter() - t)
    took = time.perf_counter() - start
    store.close()
    return n / took, times


def over_http(url: str, query: str, n: int, clients: int) -> tuple[float, list[float]]:
    def one(_: int) -> float:
        t = time.perf_counter()
        r = client.get(url, params={"query": query})
        r.raise_for_status()
        return time.perf_counter() - t

    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(clients) as pool:
        start = time.perf_counter()
        times = list(pool.map(one, range(n)))
        took = time.perf_counter() - start
    return n / took, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        location = Path(tmp) / "store"
        store = EmbeddedStore(location)
        load_vocabularies(store)
        ingest_all(store)
        store.close()
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openness.cli",
                "--store",
                str(location),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/sparql"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(url, params={"query": "ASK {}"}, timeout=1)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        sys.exit("the server did not start")
                    time.sleep(0.2)
            print(f"{args.requests} requests per query, {args.clients} clients, 2 workers")
            for name, query in QUERIES.items():
                base_rate, base_times = in_process(location, query, args.requests)
                http_rate, http_times = over_http(url, query, args.requests, args.clients)
                print(f"{name:<10} in-process  {base_rate:8.1f} q/s  {percentiles(base_times)}")
                print(
                    f"{'':<10} HTTP        {http_rate:8.1f} q/s  {percentiles(http_times)}"
                    f"  (ratio {http_rate / base_rate:.2f})"
                )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
