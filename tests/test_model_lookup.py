"""Looking one model up (``/api/models/<id>``, ``/models/<id>``) reads that model, not every
model of the graph: at 100 000 Hub models the API's lookup read every model's records and
took 13 s. Checked by what the queries answer and how they are bound, never by timings."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from openness.assess.definitions import definitions
from openness.assess.report import verdict_rows
from openness.assess.store import assessment_iri
from openness.names import NameIndex
from openness.namespaces import ID, Graphs
from openness.server import create_app
from openness.server.guarded import GuardedStore
from openness.store import EmbeddedStore, QueryResult

OLMO = ID + "model/allenai--olmo-7b"


@pytest.fixture(scope="module")
def client(reported: Path) -> FlaskClient:
    return create_app({"STORE_LOCATION": str(reported), "TESTING": True}).test_client()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[dict]]]:
    """Every query the server runs, with the rows it answered."""
    seen: list[tuple[str, list[dict]]] = []
    real = GuardedStore.query

    def spy(self: GuardedStore, sparql: str, **kwargs: object) -> QueryResult:
        result = real(self, sparql, **kwargs)
        if result.kind != "solutions":
            seen.append((sparql, []))
            return result
        data = result.serialize(ox.QueryResultsFormat.TSV)
        parsed = ox.parse_query_results(data, ox.QueryResultsFormat.TSV)
        seen.append((sparql, QueryResult(parsed).rows()))
        return QueryResult(ox.parse_query_results(data, ox.QueryResultsFormat.TSV))

    monkeypatch.setattr(GuardedStore, "query", spy)
    return seen


def models_named(rows: list[dict]) -> set[str]:
    """The models an answer names (a finding named under a model's IRI names that model)."""
    return {
        v.value.split("#", 1)[0]
        for row in rows
        for v in row.values()
        if v.value.startswith(ID + "model/")
    }


def test_the_api_lookup_reads_only_that_model(client: FlaskClient, answers) -> None:
    response = client.get("/api/models/allenai--olmo-7b")
    assert response.status_code == 200 and response.json["verdicts"]
    assert response.json["records"]
    assert answers
    for sparql, rows in answers:
        # No query answers about any other model (the records of every model were read).
        assert models_named(rows) <= {OLMO}, sparql


def test_the_model_page_reads_only_that_model_and_its_relatives(
    client: FlaskClient, answers, reported: Path
) -> None:
    store = EmbeddedStore(reported, read_only=True)
    try:
        # What the page shows beside the model: the models it is derived from or that are
        # derived from it, its family's, and those a source conflict names with it.
        relatives = {
            r["m"].value
            for r in store.query(
                f"""SELECT ?m WHERE {{
                  {{ <{OLMO}> (fair4ml:fineTunedFrom|^fair4ml:fineTunedFrom)* ?m }}
                  UNION {{ <{OLMO}> og:family/^og:family ?m }}
                  UNION {{ ?c og:conflictAbout <{OLMO}>, ?m }} }}"""
            ).rows()
        }
        every = store.count("SELECT (COUNT(*) AS ?n) WHERE { ?m a og:Model }")
    finally:
        store.close()
    assert client.get("/models/allenai--olmo-7b").status_code == 200
    named = set().union(*(models_named(rows) for _, rows in answers))
    assert OLMO in named and named <= relatives | {OLMO}
    assert len(relatives) < every / 10


def test_one_models_verdicts_are_read_by_its_assessments(reported: Path, monkeypatch) -> None:
    """The assessments graph is read from the model's own assessments (bound first), not
    read whole and filtered afterwards."""
    store = EmbeddedStore(reported, read_only=True)
    asked: list[str] = []
    real = store.query
    monkeypatch.setattr(
        store, "query", lambda sparql, **kw: asked.append(sparql) or real(sparql, **kw)
    )
    try:
        rows = verdict_rows(store, model=OLMO)
    finally:
        store.close()
    assert rows and {r["model"] for r in rows} == {OLMO}
    mine = f"<{assessment_iri(next(iter(definitions())), OLMO)}>"
    reading = [q for q in asked if Graphs.ASSESSMENTS in q]
    assert reading and all("VALUES ?a {" in q and mine in q for q in reading)
    assert all("VALUES ?model {" in q for q in asked if "og:hasRecord" in q)


def test_a_name_that_resolves_makes_no_index_of_every_name(
    reported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index of every model's names, which the "did you mean" of an unknown name reads,
    is made only for a name no model has: a name that resolves (answered with a redirect)
    made it too, reading every name of the graph (a million at the Hub's scale)."""
    made: list[int] = []
    real = NameIndex.of.__func__

    def counted(cls: type[NameIndex], store: object) -> NameIndex:
        made.append(1)
        return real(cls, store)

    monkeypatch.setattr(NameIndex, "of", classmethod(counted))
    fresh = create_app({"STORE_LOCATION": str(reported), "TESTING": True}).test_client()
    assert fresh.get("/api/models/OLMo-7B").status_code == 303
    assert not made
    assert fresh.get("/api/models/olmo%207").status_code == 404
    assert made == [1]
