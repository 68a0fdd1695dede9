"""Virtuoso as the store: build, assess, report and serve give what the embedded store
gives (a real Virtuoso 7.2 the tests start; see the ``virtuoso_server`` fixture).

The assessment runs its rules in a scratch store of its own, so Virtuoso answers only the
evidence queries (it refuses one of the findings rules, SQ074, and answers booleans as the
integers 1 and 0). The other backend tests that run on `oxigraph serve` run on Virtuoso
too (the ``store`` fixtures of conftest, test_store, test_protocol and test_cli, and
test_staging_sweep; test_store's killed-engine test starts a Virtuoso of its own);
test_assessment_engine's remote comparison is this file's first test on Virtuoso."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import copy_of
from test_store import sent_to

from openness.assess.definitions import definitions
from openness.assess.report import verdict_rows
from openness.assess.service import resolve_models, run_assessment
from openness.ingest.runner import ingest_all
from openness.namespaces import VOID
from openness.server import create_app
from openness.store import GraphStore, open_store
from openness.store.summary import SUMMARY
from openness.vocabularies import load_vocabularies

MODELS = ["OLMo-7B", "Llama-2-7B"]
BUILD_SENT: list[str] = []  # the kinds of the requests the build sent (see sent_to)


def build(store: GraphStore) -> GraphStore:
    load_vocabularies(store)
    ingest_all(store)
    return store


def assessed(store: GraphStore) -> GraphStore:
    run_assessment(store, list(definitions()), resolve_models(store, MODELS), echo=lambda *a: None)
    return store


def graph(store: GraphStore, name: str) -> list[ox.Triple]:
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[name])
    return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows.rows()]


@pytest.fixture(scope="module")
def embedded(built: GraphStore) -> Iterator[GraphStore]:
    store = assessed(copy_of(built))
    yield store
    store.close()


@pytest.fixture(scope="module")
def virtuoso(virtuoso_server: str, embedded: GraphStore) -> Iterator[GraphStore]:
    store = open_store(endpoint=virtuoso_server, update_endpoint=virtuoso_server, timeout=600)
    for name in store.graph_sizes():
        store.drop_graph(name)
    kinds = sent_to(store)  # type: ignore[arg-type]
    build(store)
    BUILD_SENT[:] = kinds
    assessed(store)
    yield store
    store.close()


def test_a_build_reads_the_graphs_and_the_summary_a_few_times_a_write_not_a_chunk(
    virtuoso: GraphStore,
) -> None:
    """The build's large writes are staged a chunk a request on Virtuoso; a chunk asks
    nothing (it was 2 graph listings and a summary look-up each: ~380 look-ups for 136
    updates), and the listing form Virtuoso answers is asked alone once known."""
    updates = BUILD_SENT.count("update")
    looked_up = sum(BUILD_SENT.count(kind) for kind in ("list", "list by quads", "described"))
    assert updates > 100  # staged: the count below means something
    assert looked_up < updates
    assert BUILD_SENT.count("list") <= 1


def without(sizes: dict[str, int], graph: str) -> dict[str, int]:
    return {g: n for g, n in sizes.items() if g != graph}


def described_terms(store: GraphStore) -> set[tuple[str, str]]:
    """The (kind, term) pairs the store's vocabulary summary has a partition for."""
    rows = store.query(
        f"""SELECT ?kind ?t WHERE {{ GRAPH <{SUMMARY}> {{
             {{ ?x <{VOID}property> ?t BIND ("property" AS ?kind) }}
             UNION {{ ?x <{VOID}class> ?t BIND ("class" AS ?kind) }} }} }}"""
    ).rows()
    return {(r["kind"].value, r["t"].value) for r in rows}


def verdicts(store: GraphStore) -> list[dict[str, Any]]:
    return sorted(verdict_rows(store), key=lambda r: (r["model"], r["definition"]))


def test_the_same_graphs_and_verdicts_as_the_embedded_store(
    virtuoso: GraphStore, embedded: GraphStore
) -> None:
    sizes = [without(s.graph_sizes(), SUMMARY) for s in (virtuoso, embedded)]
    assert sizes[0] == sizes[1]
    # The vocabulary summary may keep partitions of terms a write used for a while (a staged
    # write's stamp, on Virtuoso): every term in use is described, and the others are unused.
    described, ours = described_terms(virtuoso), described_terms(embedded)
    assert ours <= described
    for kind, term in described - ours:
        pattern = f"?s a <{term}>" if kind == "class" else f"?s <{term}> ?o"
        found = virtuoso.query(f"SELECT ?s WHERE {{ GRAPH ?g {{ {pattern} }} }} LIMIT 1")
        assert not found.rows(), (kind, term)
    found = verdicts(virtuoso)
    assert len(found) == len(MODELS) * len(definitions())
    assert found == verdicts(embedded)


def test_the_api_pages_and_endpoint_serve_it(virtuoso: GraphStore, embedded: GraphStore) -> None:
    ours, theirs = (
        # A page's queries share one deadline; Virtuoso's answers to the model page's took
        # over the default 30 s at load 8, so the deadline here is pytest's own timeout's.
        create_app({"STORE": s, "TESTING": True, "QUERY_TIMEOUT": 280.0}).test_client()
        for s in (virtuoso, embedded)
    )
    path = "/api/models/allenai--olmo-7b"
    got = ours.get(path)
    assert got.status_code == 200, got.text
    assert got.json == theirs.get(path).json
    sparql = {"query": "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a og:Model }"}
    counts = [
        c.get("/sparql", query_string=sparql, headers={"Accept": "text/csv"}).text
        for c in (ours, theirs)
    ]
    assert counts[0] == counts[1]
    for page in ("/", "/matrix", "/models/allenai--olmo-7b", "/id/license/llama2"):
        html = ours.get(page, headers={"Accept": "text/html"})
        assert html.status_code == 200 and html.mimetype == "text/html", (page, html.text[:500])
    # A model's RDF names its verdicts there as here.
    verdicts = [
        {
            line.split()[0]
            for line in c.get(
                "/id/model/allenai--olmo-7b", headers={"Accept": "application/n-triples"}
            ).text.splitlines()
            if "<http://www.w3.org/ns/earl#subject>" in line
        }
        for c in (ours, theirs)
    ]
    assert len(verdicts[0]) == len(definitions()) and verdicts[0] == verdicts[1]


def test_a_named_querys_values_come_from_it_as_from_ours(
    virtuoso: GraphStore, embedded: GraphStore
) -> None:
    """An enumerated parameter's values (the definition ids, by the definition-ids query;
    the store's latest run as the marker they are kept by) read from Virtuoso: a value
    outside them is refused naming them, and /openapi.json gives them, as on ours."""
    ids = ", ".join(sorted(definitions()))
    for store in (virtuoso, embedded):
        client = create_app({"STORE": store, "TESTING": True}).test_client()
        refused = client.get("/queries/models-passing?definition=nope")
        assert refused.status_code == 400
        assert refused.text.endswith(f"is not one of its values: {ids}\n")
        spec = client.get("/openapi.json").json["paths"]
        (kind, _) = spec["/queries/public-ai"]["get"]["parameters"]
        assert {"government", "company"} <= set(kind["schema"]["enum"])
        chosen = client.get("/queries/requirement-matrix?definition=mof-1.0&format=csv")
        assert chosen.status_code == 200 and "mof-1.0" in chosen.text
