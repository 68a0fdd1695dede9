"""The SHACL validation service (POST /api/shacl): standard reports, user data validated
as written, malformed input answered 400, limits, and no request ever sent out."""

from __future__ import annotations

import io
import json
import select
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from flask.testing import FlaskClient
from support.clients import in_words

from openness.cli import cli
from openness.server import create_app
from openness.server.shacl import OutboundRefused, offline
from openness.store import EmbeddedStore

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
EX = rdflib.Namespace("http://example.org/")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
STORED = "urn:test:stored"


@pytest.fixture(scope="module")
def location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shacl") / "store"
    store = EmbeddedStore(path)
    ex = "http://example.org/"

    def triple(s: str, p: str, o: str) -> ox.Triple:
        return ox.Triple(ox.NamedNode(ex + s), ox.NamedNode(ex + p), ox.Literal(o))

    store.write(
        add={
            STORED: [triple("m0", "q", "x")] + [triple(f"m{i}", "p", str(i)) for i in range(4)],
            "urn:test:other": [triple("m4", "p", "4")],
        }
    )
    store.close()
    return path


@pytest.fixture(scope="module", params=["processes", "threads"])
def client(request: pytest.FixtureRequest, location: Path) -> Iterator[FlaskClient]:
    """The service with query processes (a read-only store on disk) and with threads
    (a store open for updates)."""
    if request.param == "processes":
        config: dict = {"STORE_LOCATION": str(location)}
    else:
        config = {"STORE": EmbeddedStore(location), "UPDATE_ENABLED": True}
    app = create_app({**config, "TESTING": True, "SHACL_MAX_DATA_TRIPLES": 5})
    yield app.test_client()
    if "STORE" in config:
        config["STORE"].close()


class Listener:
    """A loopback TCP listener that records every connection it receives. A connection
    still waiting to be accepted counts too, so that "received nothing" does not depend on
    whether the listener's thread has run yet."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self._count = 0
        self._lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _take_waiting(self) -> None:
        # With the lock held: accept() only once select() says one waits, so neither
        # thread ever blocks in it.
        while select.select([self.sock], [], [], 0)[0]:
            conn, _ = self.sock.accept()
            self._count += 1
            conn.close()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            if select.select([self.sock], [], [], 0.2)[0]:
                with self._lock:
                    self._take_waiting()

    @property
    def connections(self) -> int:
        with self._lock:
            self._take_waiting()
            return self._count

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def post(client: FlaskClient, shapes: str, data: str | None = None, **kwargs):  # noqa: ANN201
    """Shapes (and data) in Turtle as multipart fields; the report parsed from Turtle."""
    fields = {"shapes": PREFIXES + shapes}
    if data is not None:
        fields["data"] = PREFIXES + data
    return client.post("/api/shacl", data=fields, **kwargs)


def report(response) -> rdflib.Graph:  # noqa: ANN001
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.data, format="turtle")


def results(graph: rdflib.Graph) -> list[dict[str, object]]:
    keys = {
        "focus": SH.focusNode,
        "path": SH.resultPath,
        "value": SH.value,
        "shape": SH.sourceShape,
        "component": SH.sourceConstraintComponent,
        "severity": SH.resultSeverity,
    }
    return [{k: graph.value(r, p) for k, p in keys.items()} for r in graph.objects(None, SH.result)]


def test_a_result_names_focus_path_value_shape_component_and_severity(
    client: FlaskClient,
) -> None:
    graph = report(
        post(
            client,
            """ex:S a sh:NodeShape ; sh:targetClass ex:Model ;
                 sh:property ex:P .
               ex:P sh:path ex:size ; sh:datatype xsd:integer .""",
            """ex:a a ex:Model ; ex:size "big" .""",
        )
    )
    assert results(graph) == [
        {
            "focus": EX.a,
            "path": EX.size,
            "value": rdflib.Literal("big"),
            "shape": EX.P,
            "component": SH.DatatypeConstraintComponent,
            "severity": SH.Violation,
        }
    ]
    assert (None, SH.conforms, rdflib.Literal(False)) in graph


def test_conforms_is_false_when_only_a_warning_is_reported(client: FlaskClient) -> None:
    graph = report(
        post(
            client,
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Warning ] .""",
            "ex:a ex:size 1 .",
        )
    )
    assert [r["severity"] for r in results(graph)] == [SH.Warning]
    assert (None, SH.conforms, rdflib.Literal(False)) in graph


def test_posted_literals_are_validated_as_written(client: FlaskClient) -> None:
    # A store canonicalises both (xsd:int becomes xsd:integer, "1.50" becomes "1.5").
    graph = report(
        post(
            client,
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:property [ sh:path ex:count ; sh:datatype xsd:int ] ;
                 sh:property [ sh:path ex:price ; sh:pattern "^1\\\\.50$" ] .""",
            """ex:a ex:count "5"^^xsd:int ; ex:price "1.50"^^xsd:decimal .""",
        )
    )
    assert results(graph) == []
    assert (None, SH.conforms, rdflib.Literal(True)) in graph


def test_a_stored_graph_is_validated_when_asked(client: FlaskClient) -> None:
    shapes = (
        PREFIXES
        + """ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
        sh:property [ sh:path ex:q ; sh:minCount 1 ] ."""
    )
    r = client.post(f"/api/shacl?graph={STORED}", data=shapes, content_type="text/turtle")
    focus = {r["focus"] for r in results(report(r))}
    assert focus == {EX.m1, EX.m2, EX.m3}
    missing = client.post("/api/shacl?graph=urn:nope", data=shapes, content_type="text/turtle")
    assert missing.status_code == 404
    # Six triples in the store, five allowed by this server: refused, not cut short.
    whole = client.post("/api/shacl", data=shapes, content_type="text/turtle")
    assert whole.status_code == 413 and "5 triples" in whole.text


def test_every_graph_past_the_limit_is_refused_though_graphs_share_triples(
    tmp_path: Path,
) -> None:
    """Every graph's triples are read as one data graph: where graphs hold the same
    triples, the first limit + 1 of the union's solutions hold fewer distinct triples than
    that, and read so the data was cut short unsaid — on the bundled graph, whose union is
    461 145 triples against 300 000 allowed, a shape about every og:Model 'conformed', no
    og:Model being among the triples read. Here six triples against five allowed, three of
    them in two graphs, which Oxigraph reads before the graph holding the other three."""
    ex = "http://example.org/"

    def triple(i: int) -> ox.Triple:
        return ox.Triple(ox.NamedNode(f"{ex}m{i}"), ox.NamedNode(ex + "p"), ox.Literal(str(i)))

    store = EmbeddedStore(tmp_path / "store")
    shared = [triple(i) for i in range(3)]
    store.write(
        add={
            "urn:test:a": [triple(i) for i in range(3, 6)],
            "urn:test:b": shared,
            "urn:test:c": shared,
        }
    )
    config = {"STORE": store, "UPDATE_ENABLED": True, "TESTING": True}
    app = create_app({**config, "SHACL_MAX_DATA_TRIPLES": 5})
    shapes = (
        PREFIXES
        + """ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
        sh:property [ sh:path ex:q ; sh:minCount 1 ] ."""
    )
    try:
        whole = app.test_client().post("/api/shacl", data=shapes, content_type="text/turtle")
    finally:
        store.close()
    assert whole.status_code == 413, whole.text
    assert "5 triples" in whole.text


def test_formats_multipart_files_and_content_negotiation(client: FlaskClient) -> None:
    shapes = PREFIXES + "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:class ex:Model ."
    data = json.dumps(
        {"@context": {"ex": "http://example.org/"}, "@id": "ex:a", "@type": "ex:Other"}
    )
    r = client.post(
        "/api/shacl",
        data={
            "shapes": (io.BytesIO(shapes.encode()), "shapes.ttl"),
            "data": (io.BytesIO(data.encode()), "data.jsonld"),
        },
        headers={"Accept": "application/ld+json"},
    )
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    graph = rdflib.Graph().parse(data=r.data, format="json-ld")
    assert [x["focus"] for x in results(graph)] == [EX.a]
    nt = client.post(
        "/api/shacl",
        data={
            "shapes": shapes,
            "data": f"<{EX.a}> <{rdflib.RDF.type}> <{EX.Model}> .",
            "data-format": "application/n-triples",
        },
    )
    assert (None, SH.conforms, rdflib.Literal(True)) in report(nt)
    refused = post(client, "ex:S a sh:NodeShape .", "", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.text


def test_a_json_ld_key_no_context_maps_is_named_on_the_report(client: FlaskClient) -> None:
    """JSON-LD expansion drops a key its @context maps to nothing before any triple is
    made: a misspelt constraint ('mincount') left the shape without it, and the report
    said the data conforms, without a word; a data key likewise. Each is named on the
    report (og:readerWarning), as /api/validate names them; Turtle has nothing to drop."""
    og = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
    shapes = {
        "@context": {
            "sh": str(SH),
            "ex": str(EX),
            "targetNode": {"@id": "sh:targetNode", "@type": "@id"},
            "property": "sh:property",
            "path": {"@id": "sh:path", "@type": "@id"},
            "minCount": "sh:minCount",
        },
        "@id": "ex:S",
        "@type": "sh:NodeShape",
        "targetNode": "ex:a",
        "property": {"path": "ex:name", "mincount": 1},
    }
    data = {"@context": {"ex": str(EX), "name": "ex:name"}, "@id": "ex:a", "names": "Wren"}
    r = client.post(
        "/api/shacl",
        data={
            "shapes": json.dumps(shapes),
            "shapes-format": "application/ld+json",
            "data": json.dumps(data),
            "data-format": "application/ld+json",
        },
    )
    graph = report(r)
    (node,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert sorted(str(w) for w in graph.objects(node, og.readerWarning)) == [
        "the data: the JSON-LD key 'names' at $.names is mapped by no term of its @context, so "
        "JSON-LD expansion drops it and what it says is not read; did you mean 'name'?",
        "the shapes: the JSON-LD key 'mincount' at $.property.mincount is mapped by no term "
        "of its @context, so JSON-LD expansion drops it and what it says is not read; did "
        "you mean 'minCount'?",
    ]
    turtle = post(client, "ex:S a sh:NodeShape ; sh:targetNode ex:a .", "ex:a ex:nmae 1 .")
    assert (None, og.readerWarning, None) not in report(turtle)


def test_relative_iris_resolve_against_the_service(client: FlaskClient) -> None:
    graph = report(
        post(client, "<#S> a sh:NodeShape ; sh:targetNode <a> ; sh:class ex:Model .", "")
    )
    assert [r["focus"] for r in results(graph)] == [rdflib.URIRef("http://localhost/api/a")]


@pytest.mark.parametrize(
    ("shapes", "data", "named"),
    [
        ("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:minCount ", "", "do not parse"),
        ("ex:S a sh:NodeShape .", "ex:a ex:p ", "the data do not parse"),
        (
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:property [ sh:path ex:p ; sh:minCount "abc" ] .""",
            "",
            "sh:minCount",
        ),
        (
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:property [ sh:path ex:p ; sh:pattern "([" ] .""",
            "ex:a ex:p 1 .",
            "unterminated character set",
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:rule [ a sh:TripleRule ] .",
            "",
            "sh:",
        ),
        (
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:sparql [ sh:select "SELECT $this WHERE { oops" ] .""",
            "",
            "sh:select does not parse",
        ),
        (
            "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:minCount 1 .",
            "",
            "sh:path",
        ),
    ],
)
def test_malformed_shapes_or_data_are_400_naming_the_problem(
    client: FlaskClient, shapes: str, data: str, named: str
) -> None:
    r = post(client, shapes, data)
    assert r.status_code == 400 and named in r.text, r.text


def test_deeply_nested_input_is_400(client: FlaskClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    r = client.post(
        "/api/shacl",
        data={"shapes": PREFIXES, "data": deep, "data-format": "application/ld+json"},
    )
    assert r.status_code == 400 and "nest too deeply" in r.text
    nested = "ex:a ex:p " + "[ ex:p " * 20_000 + "]" * 20_000 + " ."
    assert post(client, nested, "").status_code == 400
    assert post(client, "ex:S a sh:NodeShape .", nested).status_code == 400


def test_other_bad_requests(client: FlaskClient) -> None:
    assert client.post("/api/shacl", data=b"x", content_type="image/png").status_code == 400
    none = client.post("/api/shacl", data={"data": "<urn:a> <urn:b> <urn:c> ."})
    assert none.status_code == 400 and "shapes" in none.text
    both = client.post(f"/api/shacl?graph={STORED}", data={"shapes": PREFIXES, "data": PREFIXES})
    assert both.status_code == 400
    big = "\n".join(f"ex:s{i} a sh:NodeShape ." for i in range(10_001))
    assert post(client, big, "").status_code == 413


SERVICE = "SERVICE <{url}> {{ ?s ?p ?o }}"


@pytest.mark.parametrize(
    ("shapes", "named"),
    [
        (  # a SPARQL-based constraint
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:sparql [ sh:select "SELECT $this WHERE {{ {service} }}" ] .""",
            "SERVICE",
        ),
        (  # a SHACL-AF SPARQL target
            """ex:S a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
                 sh:target [ a sh:SPARQLTarget ;
                             sh:select "SELECT ?this WHERE {{ {service} }}" ] .""",
            "SERVICE",
        ),
        (  # a SHACL-AF rule
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:rule [ a sh:SPARQLRule ;
                           sh:construct "CONSTRUCT {{ $this ex:p 1 }} WHERE {{ {service} }}" ] .""",
            "SERVICE",
        ),
        (  # a SHACL-AF function
            """ex:f a sh:SPARQLFunction ; sh:returnType xsd:boolean ;
                 sh:ask "ASK {{ {service} }}" .""",
            "SERVICE",
        ),
        (  # the keyword spelt with an escape, as SPARQL allows
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:sparql [
                   sh:select "SELECT $this WHERE {{ \\\\u0053ERVICE <{url}> {{ }} }}" ] .""",
            "SERVICE",
        ),
        (  # rdflib loads FROM graphs from the web
            """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
                 sh:sparql [ sh:select "SELECT $this FROM <{url}> WHERE {{ ?s ?p ?o }}" ] .""",
            "FROM",
        ),
    ],
)
def test_shapes_that_would_send_requests_are_refused(
    client: FlaskClient, listener: Listener, shapes: str, named: str
) -> None:
    text = shapes.format(service=SERVICE.format(url=listener.url), url=listener.url)
    r = post(client, text, "ex:a ex:p 1 .")
    assert r.status_code == 400 and named in r.text, r.text
    assert listener.connections == 0


def test_remote_contexts_and_imports_are_not_fetched(
    client: FlaskClient, listener: Listener
) -> None:
    data = json.dumps({"@context": listener.url, "@id": "http://example.org/a"})
    r = client.post(
        "/api/shacl",
        data={
            "shapes": PREFIXES + "ex:S a sh:NodeShape .",
            "data": data,
            "data-format": "application/ld+json",
        },
    )
    assert r.status_code == 400 and "remote JSON-LD context" in r.text
    imports = post(
        client,
        f"<> a <http://www.w3.org/2002/07/owl#Ontology> ; "
        f"<http://www.w3.org/2002/07/owl#imports> <{listener.url}> .",
        "ex:a ex:p 1 .",
    )
    assert imports.status_code == 200
    assert listener.connections == 0


def test_offline_refuses_requests_from_its_own_thread_only(listener: Listener) -> None:
    with offline(), pytest.raises(OutboundRefused):
        urllib.request.urlopen(listener.url, timeout=10)
    assert listener.connections == 0
    with socket.create_connection(("127.0.0.1", int(listener.url.rsplit(":", 1)[1][:-1]))):
        pass  # outside the block connections are allowed again
    for _ in range(600):  # a hang guard: the listener counts it as soon as it runs
        if listener.connections:
            break
        time.sleep(0.05)
    assert listener.connections == 1


def test_runaway_shapes_are_stopped_at_the_timeout(location: Path) -> None:
    app = create_app({"STORE_LOCATION": str(location), "QUERY_TIMEOUT": 3.0, "TESTING": True})
    client = app.test_client()
    data = "\n".join(f"ex:n{i} ex:p {i} ." for i in range(300))
    runaway = post(
        client,
        """ex:S a sh:NodeShape ; sh:targetNode ex:n0 ;
             sh:sparql [ sh:select '''SELECT $this WHERE { ?a ?b ?c . ?d ?e ?f .
                                      ?g ?h ?i . ?j ?k ?l FILTER (?c = ?f) }''' ] .""",
        data,
    )
    assert runaway.status_code == 503, runaway.text
    # Said of a validation, not of a query to narrow with LIMIT.
    assert in_words(runaway).startswith("the validation ran longer than the 3 s limit")
    after = post(client, "ex:S a sh:NodeShape ; sh:targetNode ex:n0 ; sh:class ex:X .", data)
    assert len(results(report(after))) == 1
    # A description of 40 models, asked for their reports (pySHACL: seconds a model).
    models = "\n".join(
        f"<#m{i}> a og:Model ; <https://schema.org/name> 'M{i}' ." for i in range(40)
    )
    slow = client.post(
        "/api/validate",
        data=f"@prefix og: <https://w3id.org/openness-graph/ns#> .\n{models}",
        content_type="text/turtle",
        headers={"Accept": "text/turtle"},
    )
    assert slow.status_code == 503
    assert in_words(slow).startswith("the validation ran longer than the 3 s limit")
    assert "fewer models" in in_words(slow)


def test_shacl_af_functions_run_only_in_a_process_of_their_own(
    client: FlaskClient, request: pytest.FixtureRequest
) -> None:
    shapes = """ex:isBig a sh:SPARQLFunction ; sh:returnType xsd:boolean ;
          sh:parameter [ sh:path ex:value ] ;
          sh:select "SELECT ?result WHERE { BIND (?value > 10 AS ?result) }" .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
          sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?v FILTER (ex:isBig(?v)) }" ] ."""
    r = post(client, shapes, "ex:a ex:p 11 .")
    if "processes" in request.node.callspec.id:
        assert [x["focus"] for x in results(report(r))] == [EX.a]
    else:  # threads: functions are registered process-wide, so other requests would see them
        assert r.status_code == 400 and "sh:SPARQLFunction" in r.text


def test_shapes_that_make_the_data_explode_get_413_and_the_next_request_an_answer(
    location: Path,
) -> None:
    # A generous time limit (a hang guard, which also caps what a broken bound could
    # take): the memory bound is what stops the rule, after a fixed amount of work
    # whatever the machine's speed.
    app = create_app(
        {
            "STORE_LOCATION": str(location),
            "QUERY_TIMEOUT": 120.0,
            "SHACL_MAX_MEMORY": 100 * 1024**2,
            "TESTING": True,
        }
    )
    client = app.test_client()
    data = "\n".join(f"ex:n{i} ex:p {i} ." for i in range(3000))  # 9 million pairs
    # Each made triple a new 200 kB literal: the bound comes after ~500 of them (0.4 CPU s
    # in pySHACL; with 2 kB literals it took 6 CPU s, past the limit on a loaded machine).
    padding = "x" * 200_000
    exploding = post(
        client,
        f"""ex:S a sh:NodeShape ; sh:targetNode ex:n0 ;
             sh:rule [ a sh:SPARQLRule ; sh:construct \"\"\"CONSTRUCT {{ ?a ex:q ?s }}
               WHERE {{ ?a ex:p ?x . ?b ex:p ?y
                        BIND (CONCAT(STR(?x), STR(?y), "{padding}") AS ?s) }}\"\"\" ] .""",
        data,
    )
    assert exploding.status_code == 413 and "100 MB" in exploding.text, exploding.text
    after = post(client, "ex:S a sh:NodeShape ; sh:targetNode ex:n0 ; sh:class ex:X .", data)
    assert len(results(report(after))) == 1


def test_openness_serve_sets_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    served = {}
    monkeypatch.setattr(
        "openness.server.serve.run_server", lambda app, **kw: served.update(app.config)
    )
    args = ["--store", ":memory:", "serve", "--shacl-max-data-triples", "7"]
    args += ["--shacl-max-shapes-triples", "8", "--shacl-max-memory", "9"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert served["SHACL_MAX_DATA_TRIPLES"] == 7 and served["SHACL_MAX_SHAPES_TRIPLES"] == 8
    assert served["SHACL_MAX_MEMORY"] == 9 * 1024**2
