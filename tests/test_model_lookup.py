"""Looking one model up (``/api/models/<id>``, ``/models/<id>``) reads that model, not every
model of the graph: at 100 000 Hub models the API's lookup read every model's records and
took 13 s. Checked by what the queries answer and how they are bound, never by timings."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from support.clients import in_words
from support.fake_hub import FakeHub
from test_hub_live import sync

from openness.assess.definitions import definitions
from openness.assess.report import verdict_rows
from openness.assess.store import assessment_iri
from openness.names import NameIndex
from openness.namespaces import ID, OG, PROV, RDF, SCHEMA, Graphs, mint
from openness.server import create_app, search
from openness.server.guarded import GuardedStore
from openness.store import EmbeddedStore, QueryResult
from openness.vocabularies import load_vocabularies

OLMO = ID + "model/allenai--olmo-7b"
RDF_TYPE = ox.NamedNode(RDF + "type")
MODEL_CLASS = ox.NamedNode(OG + "Model")


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
    # nor a route under it, whose whole path is looked up too (a repository named as a route)
    assert fresh.get("/api/models/OLMo-7B/conformance").status_code == 303
    assert not made
    assert fresh.get("/api/models/olmo%207").status_code == 404
    assert made == [1]


def test_a_mistyped_route_under_a_model_is_no_route_not_no_model(client: FlaskClient) -> None:
    """Under a Hub id (whose slash makes the whole path the id of a model) or a model's id,
    a route that is none of the model's is said to be none, naming those there are, as the
    API's other unknown routes are: it answered "no model called 'allenai/OLMo-7B/verdictz'"
    alone. A mistyped Hub id under an organization that is also a model's name (Qwen) is
    still told the names most like it, which the routes alone had left out."""
    for path in (
        "/api/models/allenai/OLMo-7B/verdictz",
        "/api/models/allenai%2FOLMo-7B/conformanc",
        "/api/models/allenai--olmo-7b/verdictz",
        "/api/models/OLMo-7B/history/x",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert f"; nor is {path} a route of the API: a model's are <id> and" in answer.text
        for route in ("<id>/changes-to-pass", "<id>/conformance", "<id>/history"):
            assert route in answer.text, path
    nothing = client.get("/api/models/nobody/nothing/verdictz")  # no model under it
    assert nothing.status_code == 404 and "no model called" in nothing.text
    assert "route" not in nothing.text
    for path in ("/api/models/Qwen/Qwen2-7B-Instrct", "/api/models/Qwen%2FQwen2-7B-Instrct"):
        typo = client.get(path)
        assert typo.status_code == 404, path
        assert in_words(typo).startswith("no model called 'Qwen/Qwen2-7B-Instrct'"), typo.text
        assert "did you mean" in typo.text and "Qwen2.5-7B-Instruct" in typo.text, typo.text


def test_a_hub_repository_named_as_a_route_is_that_model_unless_a_model_has_the_id() -> None:
    """``someorg/history`` is a Hub repository's id and the history route of ``someorg``:
    where the part before the route is no model's own id, the path is the repository's
    model (303 to its route; 410 where it was removed), which was looked up as
    ``someorg`` (404); a model's own id keeps its routes (the site's links to them), whatever
    repository the whole path also is; a path naming no model as a whole is the route of
    the model the rest names, as before."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(30) as hub:
        sync(store, hub)
        history, changes = (own_id(r) for r in ("someorg/history", "someorg/changes"))
        renames = {5: "someorg/history", 6: "someorg/changes", 7: "otherorg/history"}
        renames[8] = "acme/history"  # where the model of id acme (not the Hub's) has a history
        for i, repo in renames.items():
            hub.rename(i, repo)
        sync(store, hub, reconcile=True)
        hub.remove(7)
        sync(store, hub, reconcile=True)
        other = hub.repo_id(3)
    acme = ox.NamedNode(ID + "model/acme")
    store.write(add={Graphs.source("curated"): [ox.Triple(acme, RDF_TYPE, MODEL_CLASS)]})
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    for path, to in (
        ("/api/models/someorg/history", f"/api/models/{history}"),
        ("/api/models/someorg/history?a=1", f"/api/models/{history}?a=1"),
        ("/models/someorg/changes", f"/models/{changes}"),
        ("/api/models/someorg/history/history", f"/api/models/{history}/history"),
        (f"/api/models/{other}/history", f"/api/models/{own_id(other)}/history"),
    ):
        answer = web.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["Location"] == to, path
    assert web.get(f"/api/models/{history}").json["name"] == "someorg/history"
    removed = web.get("/api/models/otherorg/history")
    assert removed.status_code == 410 and "otherorg/history" in removed.text
    assert web.get("/api/models/acme/history").status_code == 200
    assert web.get(f"/api/models/{own_id('acme/history')}").json["name"] == "acme/history"


def own_id(hub_id: str) -> str:
    """The id of the model a Hub repository's id names (its IRI's last part)."""
    return mint("model", hub_id).removeprefix(ID + "model/")


def test_the_withdrawn_models_names_are_read_once_not_at_each_miss(answers) -> None:
    """A name no model has is looked up among the withdrawn models' last names (a removed
    Hub repository's id answers 410): each such lookup, at the pages and the API, read every
    tombstone's name (10 000 after a sync's removals: ~0.3 s a miss). They are read once,
    kept as the index of living names is; a withdrawn name still answers 410."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    gone = []
    for i in range(40):
        model = ox.NamedNode(f"{ID}model/org--gone-{i}")
        gone += [
            ox.Triple(model, RDF_TYPE, ox.NamedNode(OG + "WithdrawnModel")),
            ox.Triple(model, ox.NamedNode(SCHEMA + "name"), ox.Literal(f"org/gone-{i}")),
            ox.Triple(model, ox.NamedNode(PROV + "invalidatedAtTime"), ox.Literal("2026-12-01")),
        ]
    store.write(add={Graphs.IDENTITY: gone})
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    for path in ("/models/no-such", "/api/models/no-such", "/models/no-such-either"):
        assert web.get(path).status_code == 404, path
    assert web.get("/models/ORG%20gone%207").status_code == 410
    read = sum(1 for _, rows in answers for row in rows if "gone-" in str(row.values()))
    assert read == 40


def test_a_name_withdrawn_answers_410_once_the_living_names_are_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The living names and the withdrawn ones are kept for INDEX_TTL, and were kept apart:
    the living read at t=0, the withdrawn at t=200, a sync withdrawing Jumbo-1 at t=250, its
    name answered 404 (in neither) until the withdrawn ones expired at t=500. Now they are
    read again with the living ones: 410 from t=300. A fake clock: no waiting."""
    now = [0.0]
    monkeypatch.setattr(search, "time", SimpleNamespace(monotonic=lambda: now[0]))
    store = EmbeddedStore(None)
    load_vocabularies(store)
    curated = Graphs.source("curated")

    def model(name: str) -> list[ox.Triple]:
        iri = ox.NamedNode(f"{ID}model/{name.lower()}")
        return [
            ox.Triple(iri, RDF_TYPE, MODEL_CLASS),
            ox.Triple(iri, ox.NamedNode(SCHEMA + "name"), ox.Literal(name)),
        ]

    store.write(add={curated: model("Jumbo-1") + model("Other")})
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    assert web.get("/search?q=Other").status_code == 200  # the living names read
    now[0] = 200
    assert web.get("/models/nope").status_code == 404  # the withdrawn ones read
    now[0] = 250
    gone = ox.NamedNode(f"{ID}model/jumbo-1")
    store.write(
        remove={curated: model("Jumbo-1")},
        add={
            Graphs.IDENTITY: [
                ox.Triple(gone, RDF_TYPE, ox.NamedNode(OG + "WithdrawnModel")),
                ox.Triple(gone, ox.NamedNode(SCHEMA + "name"), ox.Literal("Jumbo-1")),
                ox.Triple(gone, ox.NamedNode(PROV + "invalidatedAtTime"), ox.Literal("2026-12-01")),
            ]
        },
    )
    now[0] = search.INDEX_TTL + 10
    for path in ("/models/JUMBO%201", "/api/models/Jumbo%201", "/models/Jumbo-1"):
        assert web.get(path).status_code == 410, path
