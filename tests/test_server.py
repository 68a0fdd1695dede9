"""The web application answers on its home page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from openness.server import create_app
from openness.store import EmbeddedStore
from openness.vocabularies import load_vocabularies


@pytest.fixture
def app() -> Flask:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    return create_app({"TESTING": True, "STORE": store})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_home_page_shows_what_the_graph_holds(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"https://w3id.org/openness-graph/graph/ontology" in response.data


def test_home_page_as_json(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["graphs"]["https://w3id.org/openness-graph/graph/ontology"] > 1000


@pytest.fixture(scope="module")
def module_app() -> Flask:
    return create_app({"TESTING": True, "STORE_LOCATION": ":memory:"})


def test_an_app_a_module_shares_gives_requests_minutes(module_app: Flask) -> None:
    """The tests' apps answer within minutes on a loaded machine, those made once for a
    module too (conftest's unhurried_server): a module's app made before a function-scoped
    patch kept the served 30 s, and a validation's first request got 503 under CI's load."""
    assert module_app.config["QUERY_TIMEOUT"] == 600.0


def test_a_prefix_not_declared_is_named(client: FlaskClient) -> None:
    """Oxigraph's words for an undeclared prefix ('expected one of Prefix not found, ['%'],
    …') list every character a name may hold and name no prefix: the answer names it, where
    it is, and the prefixes declared (ours and the query's own)."""
    query = "PREFIX ex: <urn:ex:>\nSELECT * WHERE {\n  ?m a og:Model ; dct:title ?t }"
    answer = client.get("/sparql", query_string={"query": query})
    assert answer.status_code == 400 and answer.mimetype == "text/plain"
    assert answer.text.startswith(
        "the query does not parse: error at 3:28: the prefix 'dct:' is not declared: declare "
        "it (PREFIX dct: <…>) or use one of those declared here (og:, "
    )
    assert "dcterms:" in answer.text and answer.text.rstrip().endswith(", ex:)")
    assert "Prefix not found" not in answer.text
    other = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p } LIMIT 3"})
    assert other.status_code == 400 and ": expected " in other.text  # said as it was
