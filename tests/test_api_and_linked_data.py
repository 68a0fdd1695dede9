"""The conformance API, the validation services, OpenAPI, and dereferenceable IRIs."""

from __future__ import annotations

import html
import json
import random
import re
import socket
from io import BytesIO
from itertools import count, pairwise
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from conftest import REPORTED_MODELS, copy_of, free_port, oxigraph_serving, stated
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from rdflib.collection import Collection
from support.clients import BROWSER, PROBLEM, in_words, words_of
from support.fake_engine import Endpoint, serving
from werkzeug.test import TestResponse

from openness.assess.definitions import definitions
from openness.assess.validate import description_namespace
from openness.history import VERDICT_HISTORY
from openness.named_queries import catalogue
from openness.namespaces import BASE, EARL, ID, OG, PREFIXES, PROV, RDF, RDFS, Graphs
from openness.resources import ontology_dir, shapes_dir, sources_dir
from openness.server import create_app
from openness.server.admission import Limits
from openness.server.context import NotABaseIri
from openness.server.health import READY_WITHIN
from openness.server.negotiation import serialize_graph
from openness.store import EmbeddedStore, GraphStore
from openness.store.results import QueryResult

OLMO = "allenai--olmo-7b"
# What the linked-data routes offer besides HTML, with rdflib's name of each format.
RDF_FORMATS = (
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"),
)


@pytest.fixture(scope="module")
def client(reported: Path) -> FlaskClient:
    return create_app({"STORE_LOCATION": str(reported), "TESTING": True}).test_client()


def test_conformance_matrix_filters_and_pages(client: FlaskClient) -> None:
    page = client.get("/api/conformance?definition=mof-1.0&per_page=2").json
    assert page["total"] >= 6 and len(page["items"]) == 2 and page["per_page"] == 2
    passed = client.get("/api/conformance?outcome=passed&definition=osaid-1.0").json["items"]
    assert "OLMo-7B" in [i["name"] for i in passed]
    government = client.get("/api/conformance?kind=government").json["items"]
    assert "Falcon-40B" in {i["name"] for i in government}
    assert all(i["organizationKind"] == "government" for i in government)
    level = client.get("/api/conformance?level=Class I").json["items"]
    assert {i["name"] for i in level} == {"OLMo-7B"}
    r = client.get("/api/conformance?per_page=3")
    assert 'rel="next"' in r.headers["Link"]
    assert client.get("/api/conformance?definition=nope").status_code == 400


def test_conformance_as_turtle(client: FlaskClient) -> None:
    r = client.get("/api/conformance?definition=osaid-1.0", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=r.data, format="turtle")
    earl = rdflib.Namespace("http://www.w3.org/ns/earl#")
    assert len(set(graph.subjects(earl.outcome, None))) >= 6
    # Paged as the JSON is: the next page's link.
    first = client.get("/api/conformance?per_page=5", headers={"Accept": "text/turtle"})
    assert "page=2" in first.headers["Link"] and 'rel="next"' in first.headers["Link"]


def test_model_and_its_conformance(client: FlaskClient) -> None:
    model = client.get(f"/api/models/{OLMO}").json
    assert model["name"] == "OLMo-7B" and model["familyName"] == "OLMo"
    # its producer, looked up for this model alone
    assert model["organizationName"] == "Allen Institute for AI"
    assert model["organizationKind"] == "non-profit"
    assert {"source": "mof", "id": "OLMo-7B"}.items() <= model["records"][0].items()
    assert {v["definition"] for v in model["verdicts"]} >= {"osaid-1.0", "mof-1.0"}
    one = client.get(f"/api/models/{OLMO}/conformance?definition=mof-1.0").json
    assert [v["level"] for v in one] == ["Class I"]
    report = client.get(
        "/api/models/llama-2-7b/conformance?definition=osaid-1.0",
        headers={"Accept": "application/ld+json"},
    )
    graph = rdflib.Graph().parse(data=report.data, format="json-ld")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, rdflib.RDF.type, sh.ValidationReport) in graph
    assert client.get("/api/models/no-such-model").status_code == 404


def test_each_verdict_in_rdf_links_the_report_that_explains_it(client: FlaskClient) -> None:
    """A model's conformance in RDF holds one sh:ValidationReport a definition, linked from
    the EARL assertion it explains (og:validationReport), with that definition's results
    alone: Llama 2's OSAID report has the restrictive licence's violation, its OWD report
    none of OSAID's shapes."""
    answer = client.get("/api/models/llama-2-7b/conformance", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.data, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    earl = rdflib.Namespace("http://www.w3.org/ns/earl#")
    og = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
    model = rdflib.URIRef("https://w3id.org/openness-graph/id/model/llama-2-7b")
    verdicts = set(graph.subjects(earl.subject, model))
    reports = {graph.value(a, og.validationReport) for a in verdicts}
    assert len(verdicts) >= 6 and len(reports) == len(verdicts)
    assert reports == set(graph.subjects(rdflib.RDF.type, sh.ValidationReport))
    by_definition = {}
    for assertion in verdicts:
        report = graph.value(assertion, og.validationReport)
        shapes = {str(graph.value(r, sh.sourceShape)) for r in graph.objects(report, sh.result)}
        wanted = definitions()[str(graph.value(assertion, og.definitionId))]
        assert shapes <= set(wanted.shapes), wanted.id
        assert graph.value(report, sh.conforms) == rdflib.Literal(not shapes), wanted.id
        by_definition[wanted.id] = report
    osaid = by_definition["osaid-1.0"]
    severities = {graph.value(r, sh.resultSeverity) for r in graph.objects(osaid, sh.result)}
    assert sh.Violation in severities


@pytest.mark.parametrize("route", ["conformance", "validate"])
def test_a_report_in_turtle_states_each_subject_once_the_same_each_time(
    client: FlaskClient, route: str
) -> None:
    """As `openness explain` prints it (the same writer): the report nested in place in the
    assertion that links it, no blank node's label, each subject stated once, the same
    text each time though pySHACL names its nodes anew."""

    def answer() -> str:
        if route == "conformance":
            path = "/api/models/llama-2-7b/conformance?definition=osaid-1.0"
            return client.get(path, headers={"Accept": "text/turtle"}).data.decode()
        return client.post(
            "/api/validate?definition=osaid-1.0",
            data=(ontology_dir() / "examples" / "sources-disagree.ttl").read_bytes(),
            content_type="text/turtle",
            headers={"Accept": "text/turtle"},
        ).data.decode()

    turtle = answer()
    subjects = stated(turtle)
    assert len(set(subjects)) == len(subjects) and "_:" not in turtle
    assert "/assessment/osaid-1.0/" in subjects[0]
    assert "    og:validationReport [\n        a sh:ValidationReport ;" in turtle
    assert answer() == turtle


def test_a_browser_opening_the_api_gets_json(client: FlaskClient) -> None:
    """A browser's Accept prefers HTML, which the API has not, and takes application/xml
    (an alias of RDF/XML) over */*: it is answered JSON, what it shows; a client asking for
    RDF/XML by name still gets it."""
    firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path in ("/api/conformance?per_page=1", f"/api/models/{OLMO}"):
        assert client.get(path, headers={"Accept": firefox}).mimetype == "application/json"
        named = client.get(path, headers={"Accept": "application/rdf+xml"})
        assert named.mimetype == "application/rdf+xml", path


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/html, text/turtle;q=0.5", "text/turtle"),
        ("text/html, application/ld+json;q=0.5", "application/ld+json"),
        ("text/*", "text/turtle"),
    ],
)
def test_a_client_taking_html_and_rdf_but_not_json_gets_rdf(
    client: FlaskClient, accept: str, media: str
) -> None:
    """HTML first, then an RDF type and no JSON (a linked-data client that also takes
    pages): the RDF it takes, not 406 because the API has no HTML and it refuses JSON."""
    for path in ("/api/conformance?per_page=1", f"/api/models/{OLMO}"):
        answer = client.get(path, headers={"Accept": accept})
        assert answer.status_code == 200 and answer.mimetype == media, (path, answer.text)


def test_a_model_id_no_model_has_is_answered_with_those_most_like_it(
    client: FlaskClient,
) -> None:
    answer = client.get("/api/models/olmo%207")
    assert answer.status_code == 404 and answer.mimetype == PROBLEM
    assert "did you mean OLMo-7B (allenai--olmo-7b)" in in_words(answer)


def test_listed_verdicts_in_rdf_link_where_their_report_is(client: FlaskClient) -> None:
    """The list of verdicts (and a model's) in RDF gives each assertion without its report,
    which costs seconds to make, but with rdfs:seeAlso the document that holds it: that
    document links the same assertion to its sh:ValidationReport."""
    og = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
    earl = rdflib.Namespace("http://www.w3.org/ns/earl#")
    for path in ("/api/conformance?definition=osaid-1.0&per_page=3", "/api/models/llama-2-7b"):
        answer = client.get(path, headers={"Accept": "text/turtle"})
        graph = rdflib.Graph().parse(data=answer.data, format="turtle")
        assertions = set(graph.subjects(rdflib.RDF.type, earl.Assertion))
        assert assertions, path
        for assertion in sorted(assertions)[:2]:
            (link,) = graph.objects(assertion, rdflib.RDFS.seeAlso)
            held = client.get(
                str(link).removeprefix("http://localhost"), headers={"Accept": "text/turtle"}
            )
            there = rdflib.Graph().parse(data=held.data, format="turtle")
            sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
            report = there.value(assertion, og.validationReport)
            assert (report, rdflib.RDF.type, sh.ValidationReport) in there, (path, link)


def test_validate_service(client: FlaskClient) -> None:
    yaml = (sources_dir() / "mof" / "models" / "OLMo-7B.yml").read_bytes()
    r = client.post("/api/validate?definition=mof-1.0", data=yaml, content_type="application/yaml")
    assert r.status_code == 200 and r.json[0]["level"] == "Class I"
    turtle = (ontology_dir() / "examples" / "open-model.ttl").read_bytes()
    r = client.post("/api/validate?definition=osaid-1.0", data=turtle, content_type="text/turtle")
    assert r.json[0]["outcome"] == "passed"
    bad = client.post("/api/validate", data=b"not turtle at all", content_type="text/turtle")
    assert bad.status_code == 400 and b"cannot read" in bad.data


def test_validate_reads_a_stored_base_model_only_when_asked(client: FlaskClient) -> None:
    """with-store=true reads a base model the description names but does not describe
    from the served graph (Llama-2-7b): the fine-tune fails the Open Weight Definition on
    the base's stored licence, and its warnings name the model read; without it the
    description is judged alone, as before, and says so."""
    fine_tune = (
        b"@prefix og: <https://w3id.org/openness-graph/ns#> .\n"
        b"<#m> a og:Model ; <https://schema.org/name> 'Sandpiper-Chat' ;\n"
        b"  og:baseModelName 'Llama-2-7b' .\n"
    )
    path = "/api/validate?definition=owd-0.3"
    (alone,) = client.post(path, data=fine_tune, content_type="text/turtle").json
    assert alone["outcome"] == "cantTell"
    assert any("judged alone" in w for w in alone["warnings"])
    r = client.post(path + "&with-store=true", data=fine_tune, content_type="text/turtle")
    (read,) = r.json
    assert read["outcome"] == "failed"
    assert read["warnings"] == [
        "description.ttl: the base model 'Llama-2-7b' is read from the graph: "
        "<https://w3id.org/openness-graph/id/model/llama-2-7b>, judged on its stored "
        "evidence with this description"
    ]
    bad = client.post(path + "&with-store=yes", data=fine_tune, content_type="text/turtle")
    assert bad.status_code == 400 and b"with-store is true or false" in bad.data
    described = client.get("/openapi.json").json["paths"]["/api/validate"]["post"]
    assert "with-store" in {p["name"] for p in described["parameters"]}


TERN = (
    b"@prefix og: <https://w3id.org/openness-graph/ns#> .\n"
    b"<#m> a og:Model ; <https://schema.org/name> 'Tern' ; og:licenseStatement\n"
    b"  [ og:licenseString 'Tern Licence' ; og:licenseRole 'distribution' ] .\n"
)


def test_a_raw_body_is_named_by_its_content_disposition(client: FlaskClient) -> None:
    """A body posted raw was always named description.<suffix>: its warnings and its
    models' IRIs (minted from name and content) could not be those of the file as
    `openness validate` judges it. Content-Disposition's filename names it, as a multipart
    part's does (folders left out); the Content-Type still tells the format."""
    body = TERN
    path = "/api/validate?definition=osaid-1.0"
    (unnamed,) = client.post(path, data=body, content_type="text/turtle").json
    assert unnamed["warnings"][0].startswith("description.ttl: ")
    (named,) = client.post(
        path,
        data=body,
        content_type="text/turtle",
        headers={"Content-Disposition": 'inline; filename="../models/tern.rdf"'},
    ).json
    assert named["warnings"][0].startswith("tern.rdf: licence 'Tern Licence'")
    assert named["model"].startswith(description_namespace(body, "tern.rdf"))
    described = client.get("/openapi.json").json["paths"]["/api/validate"]["post"]
    assert "Content-Disposition" in {p["name"] for p in described["parameters"]}


@pytest.mark.parametrize("given", ["..", "a/.."])
def test_a_content_disposition_naming_a_folder_names_no_description(
    client: FlaskClient, given: str
) -> None:
    """'..' is no file's name: it was kept as the description's, now the default is."""
    (named,) = client.post(
        "/api/validate?definition=osaid-1.0",
        data=TERN,
        content_type="text/turtle",
        headers={"Content-Disposition": f'inline; filename="{given}"'},
    ).json
    assert named["warnings"][0].startswith("description.ttl: licence 'Tern Licence'")


def test_a_raw_body_named_with_a_space_is_judged(client: FlaskClient) -> None:
    """A name with a space went into the base IRI as it was: 400, 'Invalid base IRI'."""
    r = client.post(
        "/api/validate?definition=osaid-1.0",
        data=TERN,
        content_type="text/turtle",
        headers={"Content-Disposition": 'inline; filename="my model.ttl"'},
    )
    assert r.status_code == 200, r.data
    (named,) = r.json
    assert named["warnings"][0].startswith("my model.ttl: licence 'Tern Licence'")
    assert named["model"].startswith(description_namespace(TERN, "my model.ttl"))


@pytest.mark.parametrize("media", ["image/png", "application/x-www-form-urlencoded"])
def test_a_description_of_a_media_type_not_read_is_415(client: FlaskClient, media: str) -> None:
    """As /sparql answers a query of a media type it does not read (curl --data-binary
    sends a form's type unless told): 415, not 400, with the formats it reads."""
    r = client.post("/api/validate", data=b"release:\n  name: x\n", content_type=media)
    assert r.status_code == 415 and b"MOF YAML" in r.data
    assert "415" in client.get("/openapi.json").json["paths"]["/api/validate"]["post"]["responses"]


def test_a_description_of_more_triples_than_validated_here_is_413(reported: Path) -> None:
    """A description is judged in a query process, ~5 KB of memory a triple: one of more
    distinct triples than the server validates (--shacl-max-data-triples, as for the
    SHACL service) is refused 413 before it is judged, in words naming both numbers — the
    API as JSON and as RDF, and the validate page. One within the limit is judged."""
    turtle = (ontology_dir() / "examples" / "sources-disagree.ttl").read_bytes()
    held = len(set(rdflib.Graph().parse(data=turtle, format="turtle")))
    config = {"STORE_LOCATION": str(reported), "TESTING": True}
    small = create_app({**config, "SHACL_MAX_DATA_TRIPLES": held - 1}).test_client()
    for accept in ("application/json", "text/turtle"):
        r = small.post(
            "/api/validate?definition=osaid-1.0",
            data=turtle,
            content_type="text/turtle",
            headers={"Accept": accept},
        )
        assert r.status_code == 413 and r.mimetype == PROBLEM, accept
        assert f"{held} triples, more than the {held - 1} validated here" in in_words(r)
    page = small.post("/validate", data={"description": turtle.decode(), "format": ".ttl"})
    assert f"{held} triples, more than the {held - 1} validated here" in page.text
    enough = create_app({**config, "SHACL_MAX_DATA_TRIPLES": held}).test_client()
    r = enough.post("/api/validate?definition=osaid-1.0", data=turtle, content_type="text/turtle")
    assert r.status_code == 200 and r.json


def test_a_description_refused_says_what_is_read_and_what_was_missing(
    client: FlaskClient,
) -> None:
    """A 415 names the media types a description is read in and the one sent, as
    /sparql's does; a multipart form, which is read, without its 'file' part is a bad
    request (400) saying so, not a media type unread."""
    r = client.post("/api/validate", data=b"x", content_type="text/n3")
    assert r.status_code == 415
    assert b"text/turtle" in r.data and b"application/yaml" in r.data
    assert b"'text/n3'" in r.data
    form = {"description": (BytesIO(b"release:\n  name: x\n"), "x.yml")}
    r = client.post("/api/validate", data=form, content_type="multipart/form-data")
    assert r.status_code == 400 and b"'file'" in r.data


@pytest.mark.parametrize(
    ("media", "dataset"),
    [
        ("application/x-turtle", None),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_a_description_is_read_in_turtles_older_name_and_in_quads(
    client: FlaskClient, media: str, dataset: str | None
) -> None:
    """Turtle under its name before registration (rdflib's, and older clients'), TriG and
    N-Quads were refused 415 by the API (and N-Quads by `openness validate` too)."""
    turtle = ontology_dir() / "examples" / "sources-disagree.ttl"
    body = turtle.read_bytes()
    if dataset:  # the same triples in a named graph
        described = rdflib.Dataset()
        described.graph(rdflib.URIRef("urn:x:g")).parse(turtle, format="turtle")
        body = described.serialize(format=dataset).encode()
    r = client.post("/api/validate?definition=osaid-1.0", data=body, content_type=media)
    assert r.status_code == 200, r.text
    assert {v["definition"] for v in r.json} == {"osaid-1.0"}


def test_a_body_over_the_limit_is_refused_in_words(client: FlaskClient) -> None:
    """413 in words naming the limit, as the API's other errors — where it was
    Werkzeug's HTML page ('The data value transmitted exceeds the capacity limit')."""
    r = client.post("/api/validate", data=b"#" * (10 * 2**20 + 1), content_type="text/turtle")
    assert r.status_code == 413 and r.mimetype == PROBLEM
    assert in_words(r) == "the request body is over the 10 MiB this server reads\n"


def test_validate_service_answers_the_reports_in_rdf(client: FlaskClient) -> None:
    """Asked for Turtle, one's own description's verdicts come as a stored model's
    conformance does: EARL assertions, each linked to its sh:ValidationReport — where the
    JSON came whatever the Accept, and no route gave a description's report."""
    turtle = (ontology_dir() / "examples" / "sources-disagree.ttl").read_bytes()
    r = client.post(
        "/api/validate?definition=osaid-1.0",
        data=turtle,
        content_type="text/turtle",
        headers={"Accept": "text/turtle"},
    )
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=r.data, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    og = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
    (assertion,) = graph.subjects(og.definitionId, rdflib.Literal("osaid-1.0"))
    report = graph.value(assertion, og.validationReport)
    assert graph.value(report, sh.conforms) == rdflib.Literal(False)
    assert {graph.value(r, sh.resultSeverity) for r in graph.objects(report, sh.result)} == {
        sh.Warning
    }
    refused = client.post(
        "/api/validate", data=turtle, content_type="text/turtle", headers={"Accept": "image/png"}
    )
    assert refused.status_code == 406


def test_shacl_service(client: FlaskClient) -> None:
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
      @prefix og: <https://w3id.org/openness-graph/ns#> .
      @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
      <urn:s> a sh:NodeShape ; sh:targetClass <http://www.w3.org/2002/07/owl#Class> ;
        sh:property [ sh:path rdfs:label ; sh:minCount 1 ] ."""
    r = client.post(
        "/api/shacl?graph=https://w3id.org/openness-graph/graph/ontology",
        data=shapes,
        content_type="text/turtle",
    )
    report = rdflib.Graph().parse(data=r.data, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(True)) in report
    assert (
        client.post(
            "/api/shacl?graph=urn:nope", data=shapes, content_type="text/turtle"
        ).status_code
        == 404
    )


def test_openapi_says_a_report_names_its_assertion_back(client: FlaskClient) -> None:
    """The conformance RDF and a validated description's carry og:validationReportOf
    beside og:validationReport: the description said only the one."""
    paths = client.get("/openapi.json").json["paths"]
    conformance = paths["/api/models/{model_id}/conformance"]["get"]["summary"]
    assert "og:validationReportOf" in conformance
    assert "og:validationReportOf" in paths["/api/validate"]["post"]["description"]


def test_openapi_describes_every_route_the_app_serves(client: FlaskClient) -> None:
    """Each route of the app (but the static files) and each of its methods is in
    /openapi.json, and nothing else but each named query's own path (/queries/{name} for
    that name, as grlc describes them); each path's placeholders are its path parameters."""
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    served: dict[str, set[str]] = {}
    for rule in client.application.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        served.setdefault(path, set()).update(methods)
    named = {f"/queries/{name}": {"get"} for name in catalogue()}
    assert {path: set(ops) for path, ops in spec["paths"].items()} == {**served, **named}
    assert all(ops <= served["/queries/{name}"] for ops in named.values())
    for path, ops in spec["paths"].items():
        placeholders = set(re.findall(r"{([^}]+)}", path))
        for method, op in ops.items():
            named = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert named == placeholders, (path, method)
            assert op["summary"] and op["responses"], (path, method)


def test_a_routes_own_503_keeps_the_shared_retry_after(client: FlaskClient) -> None:
    """/api/shacl describes its own 503 (the validation's time limit): it replaced the
    shared 503 of the guard and the store, whose Retry-After it then lacked."""
    spec = client.get("/openapi.json").json
    answer = spec["paths"]["/api/shacl"]["post"]["responses"]["503"]
    assert "Retry-After" in answer["headers"]
    assert "validation" in answer["description"] and "busy" in answer["description"]


def test_openapi_is_valid_openapi_3_1(client: FlaskClient) -> None:
    """A Media Type Object has no description in OpenAPI 3.1 (/api/shacl's request body
    gave its three one): a client generator validating the document refused it."""
    spec = client.get("/openapi.json").json
    invalid = OpenAPIV31SpecValidator(spec).iter_errors()
    assert [f"{list(e.absolute_path)}: {e.message}" for e in invalid] == []


def test_every_operation_has_an_operation_id_made_of_its_path(client: FlaskClient) -> None:
    """A client generated from /openapi.json names each method by its operationId: none had
    one, so each generator made its own up. Each has one now, unique, made of its method
    and path, so that it stays while the path does."""
    spec = client.get("/openapi.json").json
    ids = {
        (path, method): op["operationId"]
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    }
    assert len(set(ids.values())) == len(ids)
    assert ids["/api/models/{model_id}/conformance", "get"] == "getApiModelsModelIdConformance"
    assert (ids["/sparql", "post"], ids["/query", "post"]) == ("postSparql", "postQuery")
    assert all(re.fullmatch(r"(get|post|put|delete)[A-Z][A-Za-z0-9]*", i) for i in ids.values())


def test_an_api_answer_carries_an_etag_that_follows_the_store(reported: Path) -> None:
    """The API's answers had no validator: a client polling a model's verdicts got them
    whole each time and could not ask whether they changed. Each has its checksum as ETag
    (no-cache: ask again), If-None-Match is answered 304, and the ETag changes when the
    store's verdicts do (an assess)."""
    stored = EmbeddedStore(reported, read_only=True)
    store = copy_of(stored)
    stored.close()
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    path = "/api/models/llama-2-7b/conformance"
    first = web.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    again = web.get(path, headers={"If-None-Match": etag})
    assert (again.status_code, again.data) == (304, b"")
    model, judged = f"{ID}model/llama-2-7b", next(iter(definitions()))
    store.update(
        f"""PREFIX og: <{OG}> PREFIX earl: <{EARL}>
        DELETE {{ GRAPH <{Graphs.ASSESSMENTS}> {{ ?a og:definitionId "{judged}" }} }}
        WHERE {{ GRAPH <{Graphs.ASSESSMENTS}> {{ ?a earl:subject <{model}> ;
                                                   og:definitionId "{judged}" }} }}"""
    )
    changed = web.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    store.close()


@pytest.mark.parametrize("store", ["missing", "no store", "engine down"])
def test_openapi_is_answered_without_the_stores_values_when_the_store_cannot_be_read(
    client: FlaskClient, tmp_path: Path, store: str
) -> None:
    """/openapi.json reads the values of enumerated parameters from the store: a store not
    built, a folder that holds none or a remote engine that is down made it a 500 page.
    The interface is the same whatever the data: it is described, each parameter whose
    values the store gives saying they are not listed, nothing of the store told, and no
    cache keeping it (it had no Cache-Control, as the complete one has none)."""
    folder = tmp_path / "store"
    if store == "no store":
        folder.mkdir()
        (folder / "CURRENT").write_text("not a store\n")
    config = (
        {"ENDPOINT": f"http://127.0.0.1:{free_port()}/sparql"}
        if store == "engine down"
        else {"STORE_LOCATION": str(folder)}
    )
    answer = create_app({**config, "TESTING": True}).test_client().get("/openapi.json")
    assert str(tmp_path) not in answer.text and "127.0.0.1" not in answer.text
    _assert_without_the_stores_values(answer, client.get("/openapi.json"))


def test_a_remote_engine_that_is_down_is_said_in_words_not_a_500_page(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server whose remote engine cannot be reached (stopped, restarting) answered every
    route that reads the store with Werkzeug's '500 Internal Server Error' page, to a
    program as to a browser, and logged a traceback. It is 503 in words, as a query past
    its time is, the engine's address kept to the log (as /openapi.json keeps it), which
    says why in one line. A browser gets a page of the site saying so (it got the bare
    text), and every client when to ask again (Retry-After, which it lacked); /queries,
    whose entries are files, is listed (it was 503)."""
    engine = f"http://127.0.0.1:{free_port()}/sparql"
    app = create_app({"ENDPOINT": engine, "TESTING": False})
    app.testing = False  # as served: an exception no handler takes is a 500
    client = app.test_client()
    with caplog.at_level("WARNING", logger="openness.server"):
        for path, accept in [
            ("/api/models/llm360--amber", "application/json"),
            ("/api/models/llm360--amber", BROWSER),  # the API answers no pages
            ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json"),
            ("/models/llm360--amber", "*/*"),  # curl's
            # the SPARQL protocol's answers and a format asked by parameter are for programs
            ("/sparql?query=ASK%20%7B%7D", BROWSER),
            ("/models/llm360--amber?format=json", BROWSER),
        ]:
            answer = client.get(path, headers={"Accept": accept})
            assert answer.status_code == 503, (path, answer.status_code)
            assert answer.mimetype == words_of(path), path
            assert in_words(answer) == "the store could not answer: the server's log says why\n"
            assert answer.headers["Retry-After"] == str(Limits.retry_after), path
        for path in ["/", "/models/llm360--amber", "/matrix", "/models/llm360--amber?format=html"]:
            page = client.get(path, headers={"Accept": BROWSER})
            assert page.status_code == 503, (path, page.status_code)
            assert page.mimetype == "text/html", path
            assert "<h1>The store is not answering</h1>" in page.text, page.text
            assert "Try again shortly" in page.text and 'href="/matrix"' in page.text  # the site's
            assert "127.0.0.1" not in page.text, page.text
            assert page.headers["Retry-After"] == str(Limits.retry_after), path
        # The named queries are files: listed without the values the store gives (as
        # /openapi.json describes them), not 503.
        listed = client.get("/queries", headers={"Accept": BROWSER})
        assert listed.status_code == 200 and '<h2 id="models-passing">' in listed.text
        assert "The store could not give the values of the parameters it lists" in listed.text
        assert "one of osaid-1.0" not in listed.text and "127.0.0.1" not in listed.text
        described = client.get("/queries?format=json")
        assert described.status_code == 200, described.text
        # kept by no cache, as /openapi.json without the store's values: the next may hold them
        assert listed.headers["Cache-Control"] == described.headers["Cache-Control"] == "no-store"
        (passing,) = [q for q in described.json if q["name"] == "models-passing"]
        assert passing["parameters"][0]["enum"] is None
    said = [
        r.getMessage() for r in caplog.records if "the store could not answer" in r.getMessage()
    ]
    assert said and all(engine in m and r"Traceback" not in m for m in said), said


@pytest.mark.parametrize(
    ("status", "page", "said"),
    [  # an error page naming the endpoint; a redirect's page, naming where it leads
        (500, "Error at {engine}: too costly (host {host})", "Error at (the engine): too costly"),
        (301, "Moved to http://10.0.0.5:8890/sparql", "answering 301: a redirect, not followed"),
    ],
)
def test_a_refusing_engines_address_is_not_passed_on(status: int, page: str, said: str) -> None:
    """The 502 gives the engine's words, and an engine's error page may name its own
    address (or a redirect's, another): the client is told neither, which the operator's
    log keeps."""

    class Refusing(Endpoint):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            engine = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
            body = page.format(engine=engine, host="127.0.0.1").encode()
            self.send_response(status)
            self.send_header("Location", "http://10.0.0.5:8890/sparql")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(Refusing) as base:
        client = create_app({"ENDPOINT": base + "/sparql", "TESTING": True}).test_client()
        answer = client.get("/sparql?query=ASK%20%7B%7D")
    assert answer.status_code == 502 and said in answer.text, answer.text
    assert "127.0.0.1" not in answer.text and "10.0.0.5" not in answer.text, answer.text


def test_a_graphs_write_the_engine_refuses_is_said_as_an_update() -> None:
    """/store's writes failed into the app's handler for reads: a PUT the engine refused
    was told 'the store's engine refused the query'."""

    class Refusing(Endpoint):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.reply(500, b"Virtuoso 42000 Error: the write is refused")

    with serving(Refusing) as base:
        engine = base + "/sparql"
        config = {"ENDPOINT": engine, "UPDATE_ENDPOINT": engine, "UPDATE_ENABLED": True}
        client = create_app({**config, "TESTING": True}).test_client()
        answer = client.put(
            "/store?graph=urn:x-test:g",
            data="<urn:a> <urn:b> <urn:c> .",
            headers={"Content-Type": "application/n-triples"},
        )
    assert answer.status_code == 502, answer.text
    assert answer.text.startswith("the store's engine refused the update, answering 500: ")


def test_a_query_the_remote_engine_refuses_is_502_in_the_engines_words(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An engine that answers a request with an error (Virtuoso refusing a query it
    estimates too costly, HTTP 500) was told as a store that cannot be read, '503 the store
    could not answer', its words in the log alone: a 503 invites the client to try again,
    and the same query is refused again. It is 502 with the engine's words, on every route
    that reads the store and at /update, which said the engine's address too; the address
    stays in the log. An engine that cannot be reached is 503, at /update as well."""
    words = "Virtuoso 42000 Error The estimated execution time 9000 (sec) exceeds the limit"

    class Refusing(Endpoint):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.reply(500, f"{words}\n\n".encode())

    update = {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}
    with serving(Refusing) as base:
        engine = base + "/sparql"
        config = {"ENDPOINT": engine, "UPDATE_ENDPOINT": engine, "UPDATE_ENABLED": True}
        app = create_app({**config, "TESTING": False})
        app.testing = False
        client = app.test_client()
        with caplog.at_level("WARNING", logger="openness.server"):
            answers = [
                client.get(path, headers={"Accept": accept})
                for path, accept in [
                    ("/api/models/llm360--amber", "application/json"),
                    ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json"),
                    ("/models/llm360--amber", "text/html"),
                ]
            ] + [client.post("/update", data=update)]
    for answer in answers:
        assert answer.status_code == 502, (answer.request.path, answer.status_code)
        assert answer.mimetype == words_of(answer.request.path), answer.request.path
        assert f"answering 500: {words}\n" in in_words(answer), answer.text
        assert "127.0.0.1" not in answer.text, answer.text
    said = [m.getMessage() for m in caplog.records if words in m.getMessage()]
    assert len(said) == len(answers) and all(engine in m for m in said), said
    down = f"http://127.0.0.1:{free_port()}/sparql"
    config = {"ENDPOINT": down, "UPDATE_ENDPOINT": down, "UPDATE_ENABLED": True}
    unreachable = create_app({**config, "TESTING": True}).test_client().post("/update", data=update)
    assert unreachable.status_code == 503, unreachable.text
    assert unreachable.text == "the store could not answer: the server's log says why\n"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_an_engine_that_cannot_answer_now_is_503_not_a_refusal(status: int) -> None:
    """An engine restarting (503), or a proxy in front of it that cannot reach it (502,
    504), was told as the engine refusing the query, 502 'asked again, it answers the
    same': it is the store that cannot answer now, 503, as an engine not reached is."""

    class Unavailable(Endpoint):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.reply(status, b"<html><body>Bad Gateway</body></html>")

    update = {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}
    with serving(Unavailable) as base:
        engine = base + "/sparql"
        config = {"ENDPOINT": engine, "UPDATE_ENDPOINT": engine, "UPDATE_ENABLED": True}
        client = create_app({**config, "TESTING": True}).test_client()
        answers = [client.get("/sparql?query=ASK%20%7B%7D"), client.post("/update", data=update)]
    for answer in answers:
        assert answer.status_code == 503, (answer.request.path, answer.text)
        assert answer.text == "the store could not answer: the server's log says why\n"


@pytest.mark.parametrize(
    ("asked", "said"),
    [("120", "120"), ("86400", "300"), ("Fri, 01 Jan 2100 00:00:00 GMT", "300"), (None, "1")],
)
def test_a_busy_engines_retry_after_is_passed_on_bounded(asked: str | None, said: str) -> None:
    """An engine answering 503 with Retry-After (busy, restarting) was told to our client as
    503 with Retry-After 1, whatever it asked: its word is passed on, at most 300 s (a day
    asked, by seconds or a date, is 300); where it says nothing, 1 s, as before."""

    class Busy(Endpoint):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.reply(503, b"busy", {"Retry-After": asked} if asked else {})

    update = {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}
    with serving(Busy) as base:
        engine = base + "/sparql"
        config = {"ENDPOINT": engine, "UPDATE_ENDPOINT": engine, "UPDATE_ENABLED": True}
        client = create_app({**config, "TESTING": True}).test_client()
        answers = [
            client.get("/sparql?query=ASK%20%7B%7D"),
            client.get("/api/models/llm360--amber"),
            client.post("/update", data=update),
        ]
    for answer in answers:
        assert answer.status_code == 503, (answer.request.path, answer.text)
        assert answer.headers["Retry-After"] == said, answer.request.path


def _assert_without_the_stores_values(answer: TestResponse, whole: TestResponse) -> None:
    """``answer`` is the description ``whole`` is, but the values the store gives: each
    parameter of those says they are not listed, and no cache keeps it (a 200 without
    Cache-Control may be kept on a cache's heuristic, as if it were complete)."""
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.json["paths"].keys() == whole.json["paths"].keys()
    definition, _ = answer.json["paths"]["/queries/models-passing"]["get"]["parameters"]
    assert definition["schema"] == {"type": "string", "default": "osaid-1.0"}
    assert definition["description"] == (
        "?_definition in the query; its values are those the definition-ids query gives (not "
        "listed here: the store could not give them; the server's log says why)"
    )
    assert answer.headers["Cache-Control"] == "no-store"
    listed, _ = whole.json["paths"]["/queries/models-passing"]["get"]["parameters"]
    assert listed["schema"]["enum"] == sorted(definitions())
    assert "not listed" not in listed["description"]
    assert "Cache-Control" not in whole.headers


@pytest.mark.remote
def test_openapi_of_a_remote_engine_that_stops_lists_its_values_until_then(
    built: GraphStore, tmp_path: Path
) -> None:
    """A server on a real `oxigraph serve` lists the definitions it holds in /openapi.json;
    once the engine has stopped, the description is still answered, without them and kept
    by no cache (the values the server keeps from the engine are not told as current)."""
    shapes = built.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{Graphs.SHAPES}> {{ ?s ?p ?o }} }}"
    )
    with oxigraph_serving(tmp_path) as base:
        httpx.post(
            f"{base}/store",
            params={"graph": Graphs.SHAPES},
            content=ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES),
            headers={"Content-Type": "application/n-triples"},
            timeout=60,
        ).raise_for_status()
        remote = create_app({"ENDPOINT": f"{base}/query", "TESTING": True}).test_client()
        up = remote.get("/openapi.json")  # complete: the helper checks its values
    _assert_without_the_stores_values(remote.get("/openapi.json"), up)


@pytest.mark.remote
def test_readiness_asks_the_store_where_liveness_does_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """/health says the process lives, without touching the store: "ok" while the remote
    engine is down, so a load balancer polling it kept sending traffic every route reading
    the store answered 503 to. /health/ready asks the engine: ready while a real `oxigraph
    serve` answers, 503 in words once it has stopped, the engine's address in the log only."""
    with oxigraph_serving(tmp_path) as base:
        app = create_app({"ENDPOINT": f"{base}/query", "TESTING": True})
        client = app.test_client()
        up = client.get("/health/ready")
        assert up.status_code == 200 and up.json["status"] == "ready", up.text
    with caplog.at_level("WARNING", logger="openness.server"):
        down = client.get("/health/ready")
    assert down.status_code == 503 and down.mimetype == "application/json", down.text
    assert down.json["status"] == "not ready"
    assert down.json["reason"] == "the store could not answer: the server's log says why"
    assert down.headers["Cache-Control"] == "no-store"
    assert base not in down.text and base in caplog.text
    assert client.get("/health").json["status"] == "ok"  # liveness: the process answers


def test_readiness_waits_for_an_engine_that_does_not_answer_only_so_long() -> None:
    """An engine that takes the connection and never answers (hung, or a full backlog) is
    not ready, said so once the readiness check's own wait is over, not the query timeout's."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never accepts
        engine = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        app = create_app({"ENDPOINT": engine, "TESTING": True, "QUERY_TIMEOUT": 600})
        down = app.test_client().get("/health/ready")
    assert down.status_code == 503, down.text
    assert down.json["reason"] == f"the store did not answer within {READY_WITHIN:g} s"


def _undescribed(value: object, schema: dict, spec: dict, at: str = "") -> list[str]:
    """The fields of a JSON answer its schema does not name, and the required ones it lacks."""
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(value, list) and "items" in schema:
        return [m for i, v in enumerate(value) for m in _undescribed(v, schema["items"], spec, at)]
    if not (isinstance(value, dict) and "properties" in schema):
        return []
    fields = schema["properties"]
    missing = [f"{at}.{k} (required)" for k in schema.get("required", []) if k not in value]
    return missing + [
        m
        for k, v in value.items()
        for m in ([f"{at}.{k}"] if k not in fields else _undescribed(v, fields[k], spec, at + k))
    ]


def _route(path: str) -> str:
    """The path of /openapi.json that a request's path is answered by."""
    return re.sub(r"^/api/models/[^/?]+", "/api/models/{model_id}", path.split("?")[0])


@pytest.mark.parametrize(
    "path",
    [
        "/api/conformance?per_page=1000",  # the largest page; ChatMusician has no producer name
        "/api/models/llama-2-7b",
        "/api/models/m-a-p--chatmusician",  # its producer has no name in the graph
        "/api/models/llama-2-7b/conformance",
        "/api/models/llama-2-7b/changes-to-pass",
        "/api/search?q=llama 2",
    ],
)
def test_openapi_names_every_field_of_the_json_answers(client: FlaskClient, path: str) -> None:
    """Each field of an answer is in its schema, and the answer is valid against it (a
    null where the schema said a string, an outcome or level it does not list, fails)."""
    _assert_described(client, path, "get", client.get(path).json)


def test_the_search_api_lists_a_models_verdicts_as_the_search_page_does(reported: Path) -> None:
    """/api/search kept every stored verdict, one of a definition the server no longer
    lists (a store judged before it was taken out) labelled by its id, and did not say which
    definitions rate models rather than pass them, where the /search page leaves the one out
    and lists the others apart: each verdict now says ``rates``, and the unlisted one is
    left out, as on the page."""
    stored = EmbeddedStore(reported, read_only=True)
    store = copy_of(stored)
    stored.close()
    model, judged = f"{ID}model/llama-2-7b", next(iter(definitions()))
    store.update(
        f"""PREFIX og: <{OG}> PREFIX earl: <{EARL}>
        DELETE {{ GRAPH <{Graphs.ASSESSMENTS}> {{ ?a og:definitionId "{judged}" }} }}
        INSERT {{ GRAPH <{Graphs.ASSESSMENTS}> {{ ?a og:definitionId "no-longer-listed-1.0" }} }}
        WHERE {{ GRAPH <{Graphs.ASSESSMENTS}> {{ ?a earl:subject <{model}> ;
                                                   og:definitionId "{judged}" }} }}"""
    )
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    best = web.get("/api/search?q=Llama-2-7B").json["matches"][0]
    assert best["model"] == model
    verdicts = {v["definition"]: v["rates"] for v in best["verdicts"]}
    assert verdicts == {d.id: not d.passes_models for d in definitions().values() if d.id != judged}
    assert any(verdicts.values()) and not all(verdicts.values())
    page = web.get("/search?q=Llama-2-7B").text
    answer = page.split('<section class="answer"', 1)[1].split("</section>", 1)[0]
    listed = re.findall(r'href="/definitions/([^"]+)"', answer)
    assert listed == [d for d, rates in verdicts.items() if not rates] + [
        d for d, rates in verdicts.items() if rates
    ]
    store.close()


def _assert_described(client: FlaskClient, path: str, method: str, answer: object) -> None:
    """The JSON answer names only fields its schema names, and is valid against it."""
    spec = client.get("/openapi.json").json
    schema = spec["paths"][_route(path)][method]["responses"]["200"]["content"]
    schema = schema["application/json"]["schema"]
    assert answer and _undescribed(answer, schema, spec) == []
    # The components beside it, for its references (#/components/schemas/…) to resolve.
    validator = Draft202012Validator({**schema, "components": spec["components"]})
    invalid = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(answer)]
    assert invalid == []


def test_validate_answers_what_the_reader_left_out(client: FlaskClient) -> None:
    """A component the MOF reader does not know is left out of what is judged; the API says
    so beside every verdict, as the page and the CLI do, in the shape its schema gives."""
    yaml = (
        b"release:\n  name: Kestrel\n  producer: K\n  components:\n"
        b"    - name: Model weights\n      license: MIT\n"
    )
    r = client.post("/api/validate", data=yaml, content_type="application/yaml")
    assert r.status_code == 200 and len(r.json) > 1
    left_out = (
        "description.yml, record 'Kestrel', field 'release.components[0]': "
        "unknown component 'Model weights'"
    )
    assert all(len(v["warnings"]) == 1 for v in r.json)
    assert all(v["warnings"][0].startswith(left_out) for v in r.json)
    _assert_described(client, "/api/validate", "post", r.json)
    clean = (sources_dir() / "mof" / "models" / "OLMo-7B.yml").read_bytes()
    r = client.post("/api/validate", data=clean, content_type="application/yaml")
    assert all(v["warnings"] == [] for v in r.json)
    _assert_described(client, "/api/validate", "post", r.json)


def test_validate_names_a_json_ld_key_no_context_maps(client: FlaskClient) -> None:
    """JSON-LD expansion drops a key no term of the @context maps before any check sees
    the triples: the API names it, with its JSON path, beside every verdict, as the CLI."""
    document = {
        "@context": {
            "og": "https://w3id.org/openness-graph/ns#",
            "name": "https://schema.org/name",
            "license": "og:licenseStatement",
            "licenseString": "og:licenseString",
            "licenseRole": "og:licenseRole",
        },
        "@id": "#m",
        "@type": "og:Model",
        "name": "Wren",
        "licence": {"licenseString": "Apache-2.0", "licenseRole": "distribution"},
    }
    r = client.post(
        "/api/validate?definition=osaid-1.0",
        data=json.dumps(document),
        content_type="application/ld+json",
    )
    assert r.status_code == 200
    (verdict,) = r.json
    assert verdict["warnings"] == [
        "description.jsonld: the JSON-LD key 'licence' at $.licence is mapped by no term of "
        "its @context, so JSON-LD expansion drops it and what it says is not read; did you "
        "mean 'license'?"
    ]
    _assert_described(client, "/api/validate", "post", r.json)


def test_a_verdicts_reasons_carry_their_requirements_outcomes(client: FlaskClient) -> None:
    """A failed verdict's reasons also name what cannot be told: each verdict's
    `reasonOutcomes` gives each reason's requirement's own outcome, the one the changes it
    would take to pass name (queries/changes-to-pass.rq)."""
    verdicts = client.get("/api/models/llama-2-7b").json["verdicts"]
    changes = client.get("/api/models/llama-2-7b/changes-to-pass").json
    told = {
        (d["definition"], f"{c['id']}: {now}"): c["outcome"]
        for d in changes
        for c in d["changes"]
        for now in c["now"]
    }
    failed = [v for v in verdicts if v["outcome"] == "failed"]
    assert failed
    for v in failed:
        pairs = zip(v["reasons"], v["reasonOutcomes"], strict=True)
        assert {(v["definition"], r): o for r, o in pairs} == {
            k: o for k, o in told.items() if k[0] == v["definition"]
        }
    assert {o for v in failed for o in v["reasonOutcomes"]} == {"failed", "cantTell"}


def test_validate_in_rdf_states_what_the_reader_left_out(client: FlaskClient) -> None:
    """As RDF the answer gives the JSON's warnings too, on each assertion (og:readerWarning):
    it had no trace of a component the reader left out ('Model weightz')."""
    yaml = (
        b"release:\n  name: Kestrel\n  producer: K\n  components:\n"
        b"    - name: Model weightz\n      license: MIT\n"
    )
    (verdict,) = _posted_yaml(client, yaml, "osaid-1.0", "application/json").json
    answer = _posted_yaml(client, yaml, "osaid-1.0", "text/turtle")
    graph = rdflib.Graph().parse(data=answer.data, format="turtle")
    og = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
    (assertion,) = graph.subjects(rdflib.URIRef("http://www.w3.org/ns/earl#subject"), None)
    assert [str(w) for w in graph.objects(assertion, og.readerWarning)] == verdict["warnings"]
    assert "unknown component 'Model weightz'" in verdict["warnings"][0]


def _posted_yaml(client: FlaskClient, yaml: bytes, definition: str, accept: str) -> TestResponse:
    """The answer of POST /api/validate to a MOF YAML file, judged against ``definition``."""
    return client.post(
        f"/api/validate?definition={definition}",
        data=yaml,
        content_type="application/yaml",
        headers={"Accept": accept},
    )


# A problem's title: RFC 9110's phrase of its status (413's was RFC 7231's "Request Entity
# Too Large").
RFC_9110_PHRASES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Content Too Large",
    415: "Unsupported Media Type",
}


@pytest.mark.parametrize(
    ("method", "path", "accept", "status"),
    [
        ("GET", "/api/conformance?definition=nope", "*/*", 400),
        ("GET", "/api/conformance?page=two", "*/*", 400),
        ("GET", "/api/conformance?per_page=many", "*/*", 400),
        # (a value no verdict has answered an empty list, a typo looking like no match)
        ("GET", "/api/conformance?outcome=passes", "*/*", 400),
        ("GET", "/api/conformance?level=gold", "application/json", 400),
        ("GET", "/api/conformance", "image/png", 406),
        ("GET", "/api/models/llama-2-7b", "image/png", 406),
        ("GET", "/api/models/llama-2-7b/conformance?definition=nope", "*/*", 400),
        ("GET", "/api/models/llama-2-7b/conformance", "text/html", 406),
        ("GET", "/api/models/no-such-model", "application/json", 404),
        ("GET", "/api/search", "*/*", 400),
        ("GET", "/api/no-such-route", "*/*", 404),
        ("DELETE", "/api/models/llama-2-7b", "*/*", 405),
        ("POST", "/api/validate", "application/json", 415),
        ("POST", "/api/validate", "*/*", 413),
    ],
)
def test_the_apis_errors_are_problem_details_its_description_names(
    client: FlaskClient, method: str, path: str, accept: str, status: int
) -> None:
    """An error of the API was text/plain, described as text with no schema: a client
    reading JSON failed on every one. Each is RFC 9457 problem details, valid against the
    Problem schema /openapi.json gives for its status (or every other: default), the words
    in ``detail``; text still to a client asking text alone."""
    body = b"x" * (10 * 2**20 + 1) if status == 413 else b"{}"
    sent = {"data": body, "content_type": "application/json"} if method == "POST" else {}
    r = client.open(path, method=method, headers={"Accept": accept}, **sent)
    assert (r.status_code, r.mimetype) == (status, "application/problem+json"), r.text
    problem = r.json
    assert problem["status"] == status and problem["detail"] and problem["type"] == "about:blank"
    assert problem["title"] == RFC_9110_PHRASES[status]  # (RFC 9457 §4.2.1)
    spec = client.get("/openapi.json").json
    schema = {**spec["components"]["schemas"]["Problem"], "components": spec["components"]}
    assert list(Draft202012Validator(schema).iter_errors(problem)) == []
    described = spec["paths"].get(_route(path), {}).get(method.lower())
    if described is not None:  # (a path of no route is in no description)
        responses = described["responses"]
        content = responses.get(str(status), responses["default"])["content"]
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    if status != 406:  # (text/plain is an RDF format of the API's: N-Triples)
        said = client.open(path, method=method, headers={"Accept": "text/plain"}, **sent)
        assert said.mimetype == "text/plain" and said.text == problem["detail"] + "\n"


@pytest.mark.parametrize(
    "path",
    [
        f"/id/model/{OLMO}",
        "/id/record/mof/olmo-7b",
        "/id/dataset/ylecun--mnist",
        "/id/org/allen-institute-for-ai",
        "/id/license/llama2",
        "/id/definition/osaid-1.0",
        "/id/definition/osaid-1.0/P-terms",
        "/id/assessment/osaid-1.0/allenai--olmo-7b",
        "/ns/component/model-architecture",
    ],
)
def test_minted_iris_dereference_with_content_negotiation(client: FlaskClient, path: str) -> None:
    iri = rdflib.URIRef("https://w3id.org/openness-graph" + path)
    html = client.get(path, headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    for accept, fmt in RDF_FORMATS:
        r = client.get(path, headers={"Accept": accept})
        assert r.status_code == 200 and r.mimetype == accept, (path, accept)
        graph = rdflib.Graph().parse(data=r.data, format=fmt)
        assert (iri, None, None) in graph, (path, accept)
    assert client.get(path + "?format=ttl").mimetype == "text/turtle"


def test_a_models_rdf_links_its_verdicts(client: FlaskClient) -> None:
    """A program following links from a model's IRI reaches its verdicts, as a browser
    does from its page: the model's RDF held its records and findings, and no triple
    naming an assertion about it (they name the model, earl:subject, not it them). Its
    current verdicts only: the dated ones are its history's (/api/models/<id>/history)."""
    iri = rdflib.URIRef(f"{ID}model/{OLMO}")
    earl = rdflib.Namespace(EARL)
    r = client.get(f"/id/model/{OLMO}", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=r.data, format="turtle")
    verdicts = set(graph.subjects(earl.subject, iri))
    # The model is stated first, each verdict after it: the verdicts, which no triple
    # names, came first (one before the model, the others at the end).
    blocks = r.data.decode().split("\n\n")[1:]  # after the prefixes
    assert blocks[0].startswith(f"<{iri}> ") or blocks[0].startswith(f"id:model/{OLMO} "), blocks[0]
    assert {str(v) for v in verdicts} == {f"{ID}assessment/{d}/{OLMO}" for d in definitions()}
    outcome = client.get(
        "/" + str(min(verdicts)).removeprefix(BASE), headers={"Accept": "text/turtle"}
    )
    assert outcome.status_code == 200 and (None, earl.subject, iri) in rdflib.Graph().parse(
        data=outcome.data, format="turtle"
    )


def test_a_resource_holding_a_triple_term_offers_no_json_ld_and_its_page_shows_it(
    built: GraphStore,
) -> None:
    """RDF 1.2: a store takes a triple term from an update or an upload. JSON-LD 1.1 cannot
    express one, so a resource holding one is not offered in it (406 naming what is, where
    it was a 500: 'Triple' object has no attribute 'value'), the other formats are, and its
    page shows the triple term, as <<( s p o )>> of prefixed names (also a 500)."""
    store = copy_of(built)
    model = ox.NamedNode(f"{ID}model/{OLMO}")
    org = ox.NamedNode(f"{ID}org/allen-institute-for-ai")
    said = ox.Triple(model, ox.NamedNode(OG + "producer"), org)
    store.write(
        add={
            "urn:x:g": [ox.Triple(node, ox.NamedNode("urn:x:said"), said) for node in (model, org)]
        }
    )
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    for path in (f"/id/model/{OLMO}", "/id/org/allen-institute-for-ai"):
        for asked in (
            {"headers": {"Accept": "application/ld+json"}},
            {"query_string": "format=jsonld"},
        ):
            refused = web.get(path, **asked)
            assert refused.status_code == 406, (path, asked, refused.text)
            assert "text/turtle" in refused.text and "ld+json" not in refused.text, refused.text
        for accept, _ in RDF_FORMATS[:1] + RDF_FORMATS[2:]:
            assert web.get(path, headers={"Accept": accept}).status_code == 200, (path, accept)
    page = web.get("/id/org/allen-institute-for-ai", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    shown = f"&lt;&lt;( {model.value} og:producer {org.value} )&gt;&gt;"
    assert shown in page.text, page.text
    assert "format=jsonld" not in page.text and "format=ttl" in page.text


def test_names_given_as_triple_terms_are_shown_as_terms(everything) -> None:
    """RDF 1.2: a name or a label (schema:name, rdfs:label) that an update or an upload
    gives as a triple term, beside every real one, and a triple term in a column that is
    no name (a record's og:sourceId), are data like any other: every page, API route and
    named query page (in each of its formats) answers 200 — reading each term's value,
    they were 500s ('Triple' object has no attribute 'value') — the real names still
    show, and a named query's page shows a triple term as ``<<( s p o )>>``. A posted
    description's names given as triple terms are none (validate's reader); asked for
    JSON-LD, which cannot express a triple term, a CONSTRUCT, a stored graph and the API's
    RDF answer in what else the client takes, else 406 listing what is offered."""
    stored, _ = everything
    store = copy_of(stored)
    olmo = ox.NamedNode(f"{ID}model/{OLMO}")
    said: dict[str, list[ox.Triple]] = {}
    for r in stored.query(
        """SELECT ?g ?s ?p WHERE { { VALUES ?p { schema:name rdfs:label } GRAPH ?g { ?s ?p ?o } }
             UNION { VALUES ?p { og:sourceId } ?m og:hasRecord ?s GRAPH ?g { ?s ?p ?o } } }""",
        substitutions={"m": olmo},
    ).rows():
        quoted = ox.Triple(r["s"], r["p"], ox.Literal("quoted"))
        said.setdefault(r["g"].value, []).append(ox.Triple(r["s"], r["p"], quoted))
    store.write(add=said)
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    paths = [
        *("/", "/matrix", "/matrix.csv", "/changes", "/definitions", "/ns", "/search?q=olmo"),
        *(f"/models/{OLMO}", f"/models/{OLMO}/changes", f"/badges/{OLMO}.svg"),
        *("/definitions/osaid-1.0/changes", "/id/org/allen-institute-for-ai"),
        *("/id/license/llama2", f"/id/model/{OLMO}", "/queries"),
        *("/api/conformance", "/api/search?q=olmo", f"/api/models/{OLMO}"),
        *(f"/api/models/{OLMO}/changes-to-pass", f"/api/models/{OLMO}/history"),
    ]
    for path in paths:
        assert web.get(path).status_code == 200, path
    for query in catalogue().values():
        bound = {"model": olmo.value} if "model" in [p.name for p in query.parameters] else {}
        for given in ({}, bound) if bound else ({},):
            for media in ("text/html", "application/sparql-results+json", "text/csv"):
                answer = web.get(
                    f"/queries/{query.name}", query_string=given, headers={"Accept": media}
                )
                assert answer.status_code == 200, (query.name, given, media, answer.text)
    assert "<title>OLMo-7B" in web.get(f"/models/{OLMO}").text
    assert web.get(f"/api/models/{OLMO}").json["name"] == "OLMo-7B"
    passed = web.get("/api/conformance?outcome=passed&definition=osaid-1.0").json["items"]
    assert "OLMo-7B" in [i["name"] for i in passed]
    assert "Allen Institute for AI" in web.get(f"/models/{OLMO}").text
    sources = web.get("/queries/model-sources?name=OLMo-7B", headers={"Accept": "text/html"})
    assert ">OLMo-7B<" in sources.text, sources.text
    assert "&lt;&lt;( " in sources.text and "og:sourceId" in sources.text, sources.text
    records = web.get(f"/api/models/{OLMO}").json["records"]
    assert any(r["id"].startswith("<<( ") for r in records), records
    explained = web.get(f"/api/models/{OLMO}/conformance", headers={"Accept": "text/turtle"})
    assert explained.status_code == 200, explained.text
    described = (ontology_dir() / "examples" / "sources-disagree.ttl").read_text()
    described += '\nex:mof-record schema:name <<( ex:x schema:name "quoted" )>> .\n'
    for accept in ("application/json", "text/turtle"):
        judged = web.post(
            "/api/validate?definition=osaid-1.0",
            data=described,
            content_type="text/turtle",
            headers={"Accept": accept},
        )
        assert judged.status_code == 200, (accept, judged.text)
    construct = {"query": f"CONSTRUCT WHERE {{ <{ID}model/{OLMO}> schema:name ?name }}"}
    curated = {"graph": Graphs.source("curated")}
    for path, given, offered in (
        ("/sparql", construct, "text/turtle"),
        ("/store", curated, "text/turtle"),
        (f"/api/models/{OLMO}", {}, "application/json"),
    ):
        for refused in (
            web.get(path, query_string=given, headers={"Accept": "application/ld+json"}),
            web.get(path, query_string={**given, "format": "jsonld"}),
        ):
            assert refused.status_code == 406, (path, refused.text)
            assert "ld+json" not in refused.text and "text/turtle" in refused.text, refused.text
        fallback = f"application/ld+json, {offered};q=0.5"
        answer = web.get(path, query_string=given, headers={"Accept": fallback})
        assert (answer.status_code, answer.mimetype) == (200, offered), (path, answer.text)


def _canonical(triples: list[ox.Triple]) -> list[str]:
    """A graph as sorted lines, its blank nodes named by their place in it."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(q) for q in dataset)


def _json_ld_triples(body: bytes) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(body, format=ox.RdfFormat.JSON_LD)]


def test_compacted_json_ld_reads_back_as_the_graph_written() -> None:
    """Compacted by our prefixes, each term comes back as it was: lexical forms (a
    non-canonical or ill-typed literal), datatypes, languages, blank nodes, IRIs no prefix
    fits, one a prefix's namespace is and one that JSON-LD would read as an IRI."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    model, node, other = ox.NamedNode(ID + "model/x"), ox.BlankNode("b1"), ox.BlankNode("b2")

    def og(name: str) -> ox.NamedNode:
        return ox.NamedNode(OG + name)

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(xsd + datatype))

    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [
        ox.Triple(model, kind, og("Model")),
        ox.Triple(model, kind, og("Other")),
        ox.Triple(model, og("n"), typed("01", "integer")),
        ox.Triple(model, og("released"), typed("yes", "boolean")),
        ox.Triple(model, og("released"), ox.Literal(True)),
        ox.Triple(model, og("d"), typed("1e0", "double")),
        ox.Triple(model, og("when"), typed("2026-01-02T03:04:05Z", "dateTime")),
        ox.Triple(model, og("s"), ox.Literal("plain")),
        ox.Triple(model, og("s"), ox.Literal("anglais", language="fr")),
        ox.Triple(model, og("part"), node),
        ox.Triple(node, og("x"), ox.Literal("y")),
        ox.Triple(node, kind, other),
        ox.Triple(model, og("elsewhere"), ox.NamedNode("http://example.org/z")),
        ox.Triple(model, og("namespace"), ox.NamedNode(OG)),
        ox.Triple(model, og("slashes"), ox.NamedNode(BASE + "ns/component//x")),
    ]
    body = serialize_graph(triples, "application/ld+json", PREFIXES)
    document = json.loads(body)
    assert document["@context"] == PREFIXES
    described = next(n for n in document["@graph"] if n["@id"] == ID + "model/x")
    assert described["@type"] == ["og:Model", "og:Other"]
    assert described["og:n"] == {"@value": "01", "@type": "xsd:integer"}
    assert _canonical(_json_ld_triples(body)) == _canonical(triples)


def test_turtle_reads_back_as_the_graph_written_each_subject_stated_once() -> None:
    """Written for people (openness.turtle), each term comes back as it was — a literal's
    lexical form and datatype, which rdflib's pretty serializer changes ("01", "1" as a
    boolean, an ill-typed "yes") — each subject is stated once, and a blank node is written
    in place where it is the object of one triple: one two triples name, one alone, a
    cycle of them and a chain deeper than nesting goes keep a label."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    model = ox.NamedNode(ID + "model/x")

    def og(name: str) -> ox.NamedNode:
        return ox.NamedNode(OG + name)

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(xsd + datatype))

    once, shared, alone, empty = (ox.BlankNode(n) for n in ("once", "shared", "alone", "empty"))
    cycle = [ox.BlankNode("c1"), ox.BlankNode("c2")]
    chain = [ox.BlankNode(f"d{i}") for i in range(12)]
    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [
        ox.Triple(model, og("n"), typed(v, t))
        for v, t in [
            ("01", "integer"),
            ("+5", "integer"),
            ("1.50", "decimal"),
            ("1", "boolean"),
            ("yes", "boolean"),
            ("true", "boolean"),
            ("0.1", "double"),
            ("1.0E0", "double"),
            ("INF", "double"),
            ("2026-01-02T03:04:05.000Z", "dateTime"),
            ("5", "int"),
        ]
    ] + [
        ox.Triple(model, kind, og("Model")),
        ox.Triple(model, og("s"), ox.Literal('a "quoted"\nline\\')),
        ox.Triple(model, og("s"), ox.Literal("anglais", language="fr")),
        ox.Triple(model, og("part"), once),
        ox.Triple(once, og("x"), ox.Literal("y")),
        ox.Triple(once, og("next"), shared),
        ox.Triple(model, og("other"), shared),
        ox.Triple(shared, og("x"), ox.Literal("z")),
        ox.Triple(model, og("nothing"), empty),
        ox.Triple(alone, og("x"), ox.Literal("w")),
        ox.Triple(cycle[0], og("next"), cycle[1]),
        ox.Triple(cycle[1], og("next"), cycle[0]),
        ox.Triple(model, og("slashes"), ox.NamedNode(BASE + "ns/component//x")),
        ox.Triple(model, og("dotted"), ox.NamedNode(OG + "x.")),
        *(ox.Triple(a, og("next"), b) for a, b in zip([model, *chain], chain, strict=False)),
    ]
    body = serialize_graph(triples, "text/turtle", PREFIXES).decode()
    read = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    assert _canonical(read) == _canonical(triples)
    subjects = stated(body)
    assert len(set(subjects)) == len(subjects)
    # labelled in writing order: the chain's node past nesting first, then the shared one
    assert '    og:part [\n        og:next _:b2 ;\n        og:x "y"\n    ] ;' in body
    assert "_:once" not in body and "og:nothing [] ;" in body and '_:b2 og:x "z"' in body
    assert subjects[0] == "<" + ID + "model/x>" and "_:alone" not in body


def test_turtle_writes_triple_terms_and_the_blank_nodes_inside_them() -> None:
    """RDF 1.2: a store takes a triple term (``<<( s p o )>>``, an annotation's
    rdf:reifies) from an update or a Graph Store upload, and a resource holding one was a
    500 in Turtle (AttributeError: 'Triple' object has no attribute 'value'), where
    N-Triples answered it. A blank node inside a triple term is written by its label, so
    it is not nested in place elsewhere, nor stated without one: the graph reads back as
    written."""
    model = ox.NamedNode(ID + "model/x")
    inside, nested = ox.BlankNode("inside"), ox.BlankNode("nested")
    quoted = ox.Triple(model, ox.NamedNode(OG + "p"), inside)
    triples = [
        ox.Triple(model, ox.NamedNode(OG + "said"), quoted),
        ox.Triple(
            model, ox.NamedNode(OG + "said"), ox.Triple(nested, ox.NamedNode(OG + "p"), quoted)
        ),
        ox.Triple(model, ox.NamedNode(OG + "p"), inside),  # else the object of one triple
        ox.Triple(inside, ox.NamedNode(OG + "x"), ox.Literal("y")),
        ox.Triple(nested, ox.NamedNode(OG + "x"), ox.Literal("z")),  # else a subject alone
    ]
    body = serialize_graph(triples, "text/turtle", PREFIXES).decode()
    read = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    assert _canonical(read) == _canonical(triples), body
    assert "<<( <" + ID + "model/x> og:p _:b1 )>>" in body


# Terms a random graph draws from: local names at the edge of what a prefixed name may
# hold, literals Turtle must escape or may write bare, and ill-typed ones.
_LOCALS = ["a", "a.b", "a.", ".a", "a-", "-a", "1a", "_", "", "a%20b", "a~b", "a:b", "é", "a/b"]
_LEXICAL = ["01", "+1", ".5", "5.", "1.E5", "1e", "INF", "true", "TRUE", "", 'a"b', "a'''b"]
_LEXICAL += ["line\nbreak", "cr\r", "back\\slash", "\U0001f600", "\x00\x7f", "\u2028"]
_DATATYPES = ["integer", "decimal", "double", "boolean", "string", "date"]


def _random_graph(seed: int) -> list[ox.Triple]:
    r = random.Random(seed)
    blanks = [ox.BlankNode() for _ in range(r.randint(0, 8))]
    xsd = "http://www.w3.org/2001/XMLSchema#"

    def iri() -> ox.NamedNode:
        base = r.choice([OG, ID, BASE, "urn:x:", "http://example.org/"])
        return ox.NamedNode(base + r.choice(_LOCALS))

    def node() -> ox.NamedNode | ox.BlankNode:
        return r.choice(blanks) if blanks and r.random() < 0.6 else iri()

    def term(depth: int = 0) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
        k, text = r.random(), r.choice(_LEXICAL)
        if k < 0.1 and depth < 2:
            return ox.Triple(node(), iri(), term(depth + 1))
        if k < 0.2:
            return ox.Literal(text, language=r.choice(["en", "en-GB", "und"]))
        if k < 0.45:
            return ox.Literal(text, datatype=ox.NamedNode(xsd + r.choice(_DATATYPES)))
        return node()

    triples = {ox.Triple(node(), iri(), term()) for _ in range(r.randint(0, 20))}
    if r.random() < 0.3:  # a cycle of blank nodes longer than nesting goes
        chain = [ox.BlankNode() for _ in range(12)]
        triples |= {ox.Triple(a, ox.NamedNode(OG + "next"), b) for a, b in pairwise(chain)}
        triples.add(ox.Triple(chain[-1], ox.NamedNode(OG + "next"), chain[0]))
    if r.random() < 0.4:  # an RDF list: well formed, or shared, said more of, cut or cyclic
        rdf = PREFIXES["rdf"]
        nodes = [ox.BlankNode() for _ in range(r.randint(1, 4))]
        end = r.choice([ox.NamedNode(rdf + "nil")] * 4 + [r.choice(nodes), iri()])
        for a, b in zip(nodes, [*nodes[1:], end], strict=True):
            triples.add(ox.Triple(a, ox.NamedNode(rdf + "first"), term()))
            triples.add(ox.Triple(a, ox.NamedNode(rdf + "rest"), b))
        for _ in range(r.choice([0, 1, 1, 1, 2])):
            triples.add(ox.Triple(node(), iri(), r.choice(nodes)))
        if r.random() < 0.2:
            triples.add(ox.Triple(r.choice(nodes), iri(), term()))
    return list(triples)


def test_turtle_reads_back_as_random_graphs_written() -> None:
    """Random graphs (those terms, blank nodes shared, in cycles, in chains and inside
    triple terms, RDF lists, and the empty graph) read back by pyoxigraph as the graphs
    written, and each is written the same with its blank nodes called otherwise: the
    writer is ours, so what no example above thought of is drawn here."""
    for seed in range(300):
        triples = _random_graph(seed)
        body = serialize_graph(triples, "text/turtle", PREFIXES)
        read = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
        assert _canonical(read) == _canonical(triples), (seed, body.decode())
        again = serialize_graph(_relabelled(triples, seed), "text/turtle", PREFIXES)
        assert again == body, (seed, body.decode(), again.decode())


def test_turtle_writes_rdf_lists_as_collections() -> None:
    """A shape's sh:in and sh:or are RDF lists: written ( … ), their blank nodes in place,
    where they were rdf:first / rdf:rest nodes nested eight deep, then labels. A list that
    is not one a collection can write — a node named twice, saying more, a list cut short
    or running in a circle — keeps those: the graph reads back as written either way."""
    shapes = """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix og: <https://w3id.org/openness-graph/ns#> .
        og:Shape a sh:NodeShape ;
            sh:property [ sh:path og:kind ; sh:in ( "open" "closed" og:Other 1 ) ] ;
            sh:or ( [ sh:class og:A ] [ sh:class og:B ; sh:in ( ( 1 2 ) () ) ] ) ;
            sh:ignoredProperties ( og:alpha og:beta og:gamma og:delta og:epsilon og:zeta
                og:eta og:theta og:iota og:kappa og:lambda ) .
        og:t og:shared _:shared . og:u og:shared _:shared .
        _:shared rdf:first 1 ; rdf:rest () .
        og:t og:more [ rdf:first 1 ; rdf:rest () ; og:more 2 ] .
        og:t og:cut [ rdf:first 1 ; rdf:rest og:elsewhere ] .
        og:t og:circle _:c1 . _:c1 rdf:first 1 ; rdf:rest _:c2 . _:c2 rdf:first 2 ; rdf:rest _:c1 .
    """
    triples = [q.triple for q in ox.parse(shapes, format=ox.RdfFormat.TURTLE)]
    body = serialize_graph(triples, "text/turtle", PREFIXES).decode()
    read = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    assert _canonical(read) == _canonical(triples), body
    assert 'sh:in ( "open" "closed" og:Other 1 ) ;' in body, body
    assert "    sh:or (\n        [\n            sh:class og:A\n        ]\n        [\n" in body
    assert "sh:in ( ( 1 2 ) () )" in body and "sh:ignoredProperties (\n        og:alpha\n" in body
    assert body.count("rdf:first") == 5, body  # the four that are no collection's


def test_a_definitions_levels_are_written_as_a_collection(
    client: FlaskClient, built: GraphStore
) -> None:
    """A definition's og:levels is an RDF list: its Turtle writes it ( … ), every level
    (its description held a list's nodes two deep: the third was an empty node), the
    graph the same as its N-Triples."""
    (definition,) = {
        r["d"].value
        for r in built.query(
            "SELECT ?d WHERE { ?d og:levels/rdf:rest/rdf:rest/rdf:first ?l } LIMIT 1"
        ).rows()
    }
    levels = built.query(f"SELECT ?l WHERE {{ <{definition}> og:levels/rdf:rest*/rdf:first ?l }}")
    path = "/" + definition.removeprefix(BASE)
    said = client.get(path, headers={"Accept": "text/turtle"})
    collection = re.search(r"\n    og:levels \((.*?)\)", said.text, re.S)
    assert said.status_code == 200 and collection, said.text
    listed = collection[1].split()
    written = [PREFIXES[n.split(":")[0]] + n.split(":", 1)[1] for n in listed]  # ogl:…
    assert sorted(written) == sorted(r["l"].value for r in levels.rows()), said.text
    assert "rdf:first" not in said.text, said.text
    triples = client.get(path, headers={"Accept": "application/n-triples"}).data
    expected = [q.triple for q in ox.parse(triples, format=ox.RdfFormat.N_TRIPLES)]
    read = [q.triple for q in ox.parse(said.data, format=ox.RdfFormat.TURTLE)]
    assert _canonical(read) == _canonical(expected)


def _rows(html: str) -> list[tuple[str, str]]:
    """The (property, value) rows of a resource page's table, its values as HTML."""
    return re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td></tr>', html, re.S)


def _sections(page: str) -> dict[str, list[tuple[str, str]]]:
    """A resource page's sections of other subjects (its blank nodes), by heading."""
    found = re.findall(r"<h2[^>]*><code>(.*?)</code></h2>(.*?)</section>", page, re.S)
    return {heading: _rows(rows) for heading, rows in found}


def test_a_definitions_page_lists_its_levels_in_the_order_its_shapes_state(
    client: FlaskClient,
) -> None:
    """A definition's og:levels is an RDF list: its page shows the levels as a numbered
    list in the list's order, each a link as any other value, where it showed a blank
    node's label and a section per list node (rdf:first, rdf:rest) in the order of their
    labels; each by a prefixed name, where no prefix covered the levels. The order
    expected is the shapes' own, read by rdflib."""
    levels = rdflib.URIRef(OG + "levels")
    stated_levels = {}
    for path in sorted(shapes_dir().glob("*.ttl")):
        shapes = rdflib.Graph().parse(path)
        for definition, head in shapes.subject_objects(levels):
            stated_levels[str(definition)] = [str(level) for level in Collection(shapes, head)]
    assert len(stated_levels) >= 2 and all(len(v) >= 3 for v in stated_levels.values())
    for definition, expected in stated_levels.items():
        page = client.get("/" + definition.removeprefix(BASE), headers={"Accept": "text/html"})
        assert page.status_code == 200, definition
        (shown,) = [value for p, value in _rows(page.text) if p == "og:levels"]
        assert shown.startswith('<ol class="collection">'), shown
        links = re.findall(r'<li><a href="([^"]*)">([^<]*)</a></li>', shown)
        assert [link for link, _ in links] == [
            "http://localhost/" + iri.removeprefix(BASE) for iri in expected
        ]
        # by a prefixed name, as the components and dimensions their requirements name
        names = [name.split(":", 1) for _, name in links]
        assert [PREFIXES.get(prefix, "?") + local for prefix, local in names] == expected
        assert "rdf:first" not in page.text and "rdf:rest" not in page.text, page.text


def test_a_licence_and_a_definition_show_the_concepts_they_name_by_prefixed_names(
    client: FlaskClient, built: GraphStore
) -> None:
    """A licence's category and a definition's sources are concepts of our schemes (…/ns/
    license-category/…, …/ns/source/…): their pages show them by prefixed names, as the
    components, dimensions and levels, where no prefix covered those schemes and they
    showed whole."""
    for prop in (OG + "licenseCategory", OG + "readsSource"):
        rows = built.query(f"SELECT ?s ?o WHERE {{ ?s <{prop}> ?o }} ORDER BY ?s LIMIT 1")
        ((subject, concept),) = [(r["s"].value, r["o"].value) for r in rows.rows()]
        page = client.get(
            "/resource",
            query_string={"iri": subject},
            headers={"Accept": "text/html"},
            follow_redirects=True,
        )
        assert page.status_code == 200, subject
        (shown,) = [value for p, value in _rows(page.text) if p == "og:" + prop.split("#")[1]]
        (name,) = re.findall(r'<a href="[^"]*">([^<]*)</a>', shown)
        prefix, local = name.split(":", 1)
        assert prefix in PREFIXES and PREFIXES[prefix] + local == concept, (subject, shown)


def test_a_page_shows_a_list_nodes_say_more_of_as_nodes() -> None:
    """A list that is no collection (a node with two rdf:first, a node two triples name)
    is shown as its nodes, each a section with its rdf:first and rdf:rest, as the Turtle
    writes it node by node: nothing of it lost. A well-formed list beside it, one nested
    in it and one inside another's item are shown as lists, in order (an urn: item linked
    to what names it: no browser follows it)."""
    described = """
        @prefix x: <urn:x:> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        <https://w3id.org/openness-graph/id/example/lists>
            x:listed ( [ x:said "l0" ] "l1" <urn:x:item> ) ;
            x:nested ( ( "n1" ) "n2" ) ;
            x:twice _:twice ;
            x:shared _:shared ; x:again _:shared .
        _:twice rdf:first "t1", "t2" ; rdf:rest ( "t3" ) .
        _:shared rdf:first "s1" ; rdf:rest () .
    """
    store = EmbeddedStore(None)
    store.write(add={"urn:x:g": [q.triple for q in ox.parse(described, ox.RdfFormat.TURTLE)]})
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    page = web.get("/id/example/lists", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    about = dict(_rows(page.text.split("</table>", 1)[0]))
    listed = re.fullmatch(
        r'<ol class="collection"><li>(\w+)</li><li>l1</li>'
        r'<li><a href="/resource\?iri=urn:x:item">urn:x:item</a></li></ol>',
        about["urn:x:listed"],
    )
    assert listed, about["urn:x:listed"]
    inner = '<ol class="collection"><li>n1</li></ol>'
    assert about["urn:x:nested"] == f'<ol class="collection"><li>{inner}</li><li>n2</li></ol>'
    sections = _sections(page.text)
    assert sections.pop(listed[1]) == [("urn:x:said", "l0")]  # an item: a node like any other
    twice, shared = about["urn:x:twice"], about["urn:x:shared"]
    assert about["urn:x:again"] == shared
    # a property's values in the store's order
    assert {heading: sorted(rows) for heading, rows in sections.items()} == {
        twice: [
            ("rdf:first", "t1"),
            ("rdf:first", "t2"),
            ("rdf:rest", '<ol class="collection"><li>t3</li></ol>'),
        ],
        shared: [("rdf:first", "s1"), ("rdf:rest", f'<a href="{RDF}nil">rdf:nil</a>')],
    }, sections


def _relabelled(triples: list[ox.Triple], seed: int) -> list[ox.Triple]:
    """The same graph, its blank nodes called otherwise and its triples in another order."""
    r = random.Random(seed)
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def renamed(term: ox.Triple | ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term, ox.BlankNode(f"n{r.randrange(10**9)}x{len(names)}"))
        if isinstance(term, ox.Triple):
            return ox.Triple(*(renamed(t) for t in term))
        return term

    copy = [renamed(t) for t in triples]
    r.shuffle(copy)
    return copy


def test_turtle_writes_the_same_text_of_a_graph_whatever_its_blank_nodes_are_called() -> None:
    """A blank node written by a label is named in writing order (_:b1, _:b2), where it
    kept the store's or pySHACL's label (_:e671…), so the same verdicts printed other text
    run to run. Nodes that say the same are told apart by what names them, not by their
    labels: here the two og:p names say the same and differ only in which of og:r and og:w
    names them too, and which is written first decides which of those says _:b1. Literals
    differing only by their base direction come in its order."""
    model = ox.NamedNode(ID + "model/x")

    def og(name: str) -> ox.NamedNode:
        return ox.NamedNode(OG + name)

    def graph(s: str, t: str) -> list[ox.Triple]:
        ns, nt = ox.BlankNode(s), ox.BlankNode(t)
        return [
            ox.Triple(model, og("p"), ns),
            ox.Triple(model, og("p"), nt),
            ox.Triple(ns, og("v"), ox.Literal("same")),
            ox.Triple(nt, og("v"), ox.Literal("same")),
            ox.Triple(model, og("r"), ns),
            ox.Triple(model, og("w"), nt),
            *(
                ox.Triple(model, og("said"), ox.Literal("نص", language="ar", direction=d))
                for d in (ox.BaseDirection.RTL, ox.BaseDirection.LTR, None)
            ),
        ]

    written = {
        serialize_graph(graph(*labels), "text/turtle", PREFIXES)
        for labels in (("s1", "t1"), ("t1", "s1"))
    }
    assert len(written) == 1, "\n\n".join(b.decode() for b in written)
    body = written.pop().decode()
    assert list(dict.fromkeys(re.findall(r"_:\w+", body))) == ["_:b1", "_:b2"], body
    assert '"نص"@ar--ltr ,\n        "نص"@ar--rtl' in body, body


def test_compacted_json_ld_keeps_iris_whose_scheme_is_a_prefix_and_directions() -> None:
    """An IRI whose scheme is one of our prefixes ('cr:foo', as a source that lacked its
    own context wrote one: the bundled graph holds 'acitivity:PIIremoval') was written whole
    and read back as the prefixed name, another IRI; a literal with a base direction
    (RDF 1.2, as JSON-LD's @direction or Turtle's "x"@ar--rtl give) failed to serialize."""
    subject = ox.NamedNode("urn:x:s")
    triples = [
        ox.Triple(subject, ox.NamedNode(OG + "part"), ox.NamedNode("cr:foo")),
        ox.Triple(ox.NamedNode("schema:x"), ox.NamedNode("og:licence"), ox.Literal("t")),
        ox.Triple(subject, ox.NamedNode(OG + "n"), ox.Literal("1", datatype=ox.NamedNode("xsd:y"))),
        ox.Triple(subject, ox.NamedNode(PREFIXES["cr"] + "kept"), ox.Literal("x")),
        ox.Triple(
            subject,
            ox.NamedNode(OG + "said"),
            ox.Literal("نص", language="ar", direction=ox.BaseDirection.RTL),
        ),
    ]
    body = serialize_graph(triples, "application/ld+json", PREFIXES)
    assert _canonical(_json_ld_triples(body)) == _canonical(triples)
    context = json.loads(body)["@context"]
    assert "cr" not in context and context["dcterms"] == PREFIXES["dcterms"]


@pytest.mark.parametrize(
    "path",
    [
        "/id/model/llama-2-7b",
        "/id/org/allen-institute-for-ai",
        "/id/definition/osaid-1.0",
        "/ns",
        "/catalog",
        "/.well-known/void",
        "/sparql",  # the service description
        "/api/models/llama-2-7b",
    ],
)
def test_json_ld_of_a_resource_is_compacted_by_our_prefixes(client: FlaskClient, path: str) -> None:
    """Expanded, every key was a full IRI and there was no @context to read them by: the
    prefixes are its context now, and the graph is the one the other formats give."""
    answer = client.get(path, headers={"Accept": "application/ld+json"})
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    document = json.loads(answer.data)
    assert set(document) == {"@context", "@graph"}
    assert document["@context"].get("dcterms") == "http://purl.org/dc/terms/"
    keys = {k for n in document["@graph"] for k in n}
    assert any(k.startswith(("dcterms:", "schema:", "og:", "sd:")) for k in keys), keys
    assert not any(k.startswith(tuple(PREFIXES.values())) for k in keys), keys
    triples = client.get(path, headers={"Accept": "application/n-triples"}).data
    expected = [t for t in ox.parse(triples, format=ox.RdfFormat.N_TRIPLES)]
    assert _canonical(_json_ld_triples(answer.data)) == _canonical(expected)


def test_unknown_iri_is_404(client: FlaskClient) -> None:
    assert client.get("/id/model/never-minted").status_code == 404


def test_an_iri_nothing_is_known_about_is_a_page_for_a_browser_and_text_naming_models_like_it(
    client: FlaskClient,
) -> None:
    """A guessed model IRI (/id/model/olmo-7b) answered programs `nothing is known about
    <…>` where a browser gets the models called most like it: the text names them too, the
    page's first three. Any other IRI nothing is known about (an organization's, a
    concept's, a graph's) answered a browser a line of text: a page now, as a model's."""
    said = client.get("/id/model/olmo-7b", headers={"Accept": "text/turtle"})
    assert (said.status_code, said.mimetype) == (404, "text/plain")
    assert "; did you mean " in said.text, said.text
    page = client.get("/id/model/olmo-7b", headers={"Accept": "text/html"}).text
    shown = list(dict.fromkeys(re.findall(r'href="/models/([^"]+)"', page)))
    named = re.findall(r"\(([^()]+)\)", said.text.split("; did you mean ", 1)[1])
    assert OLMO in shown[:3] and named == shown[:3], (said.text, shown)
    for path in ("/id/org/nope", "/ns/component/nope", "/graph/nope"):
        page = client.get(path, headers={"Accept": "text/html,*/*;q=0.8"})
        assert (page.status_code, page.mimetype) == (404, "text/html"), path
        assert "Nothing is known about" in page.text and "Accept" in page.vary, path
        said = client.get(path, headers={"Accept": "text/turtle"})
        assert (said.status_code, said.mimetype) == (404, "text/plain"), path
        assert said.text == f"nothing is known about <{BASE}{path[1:]}>\n", path


@pytest.mark.parametrize(
    "path", ["/api/models/{}", "/api/models/{}/conformance", "/models/{}", "/id/model/{}"]
)
def test_an_id_cannot_rewrite_the_query(client: FlaskClient, path: str) -> None:
    # Closes the IRI and matches any model: answered 404, not with someone else's data.
    forged = quote("x> ?p ?o } UNION { ?m a og:Model . #", safe="")
    assert client.get(path.format(forged)).status_code == 404


def test_the_ontology_namespace_serves_turtle_and_documentation(client: FlaskClient) -> None:
    turtle = client.get("/ns", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.data, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/openness-graph/ns#Model"), None, None) in graph
    page = client.get("/ns", headers={"Accept": "text/html"}).data.decode()
    assert "og:Model" in page and "og:hasRecord" in page and "domain" in page
    shapes = client.get("/shapes/osaid-1.0", headers={"Accept": "text/turtle"})
    assert shapes.status_code == 200 and b"ParametersTermsShape" in shapes.data
    assert json.loads(client.get("/shapes/osaid-1.0?format=jsonld").data)


def test_the_ontologys_version_and_its_parts_dereference(client: FlaskClient) -> None:
    """The IRIs the ontology's header names — its version IRI, the documents it sees also —
    are ours, and answer at their path like every IRI we mint."""
    turtle = client.get("/ns", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.data, format="turtle")
    ontology = rdflib.URIRef("https://w3id.org/openness-graph/ns")
    named = [*graph.objects(ontology, rdflib.OWL.versionIRI)]
    named += [*graph.objects(ontology, rdflib.RDFS.seeAlso)]
    assert len(named) >= 3
    for iri in named:
        path = str(iri).removeprefix("https://w3id.org/openness-graph")
        answer = client.get(path, headers={"Accept": "text/turtle"})
        assert answer.status_code == 200, path
        described = rdflib.Graph().parse(data=answer.data, format="turtle")
        assert (iri, None, None) in described or (None, None, iri) in described, path
    assert client.get("/ns/0.0.1", headers={"Accept": "text/turtle"}).status_code == 404


def test_the_ontologys_new_version_and_the_one_before_it_dereference(client: FlaskClient) -> None:
    """The ontology's version IRI is its version's, and names the version before it, which
    names the one before it, down to 0.1.0 (0.4.0: 0.3.0, 0.2.0, 0.1.0); every version IRI
    answers (the older ones as the links made to them expect)."""
    ns = "https://w3id.org/openness-graph/ns"
    ontology = rdflib.URIRef(ns)
    turtle = client.get("/ns", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.data, format="turtle")
    current = str(graph.value(ontology, rdflib.OWL.versionInfo))
    assert graph.value(ontology, rdflib.OWL.versionIRI) == rdflib.URIRef(f"{ns}/{current}")
    versions, prior = [current], graph.value(ontology, rdflib.OWL.priorVersion)
    while prior is not None and len(versions) < 100:
        versions.append(str(prior).rsplit("/", 1)[1])
        prior = graph.value(prior, rdflib.OWL.priorVersion)
    assert versions[-3:] == ["0.3.0", "0.2.0", "0.1.0"], versions
    assert tuple(int(n) for n in current.split(".")) >= (0, 4, 0), current
    for version in versions:
        answer = client.get(f"/ns/{version}", headers={"Accept": "text/turtle"})
        assert answer.status_code == 200, version
        described = rdflib.Graph().parse(data=answer.data, format="turtle")
        assert (None, None, rdflib.URIRef(f"{ns}/{version}")) in described, version  # named
        assert (rdflib.URIRef(ns + "#Model"), None, None) in described, version  # all of it


def test_the_well_known_void_describes_the_dataset_the_summary_does(
    client: FlaskClient,
) -> None:
    """/.well-known/void and the store's VoID summary (/graph/void) describe one dataset,
    by its IRI, whatever host the server is reached at: its title, endpoint and parts."""
    dataset = rdflib.URIRef("https://w3id.org/openness-graph/graph/void#dataset")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    answer = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.data, format="turtle")
    assert (dataset, rdflib.RDF.type, void.Dataset) in graph
    assert graph.value(dataset, rdflib.DCTERMS.title) is not None
    assert graph.value(dataset, void.sparqlEndpoint) == rdflib.URIRef("http://localhost/sparql")
    mof = rdflib.URIRef("https://w3id.org/openness-graph/graph/source/mof")
    assert (dataset, void.subset, mof) in graph
    assert set(graph.subjects(rdflib.RDF.type, void.Dataset)) - set(
        graph.objects(dataset, void.subset)
    ) == {dataset}
    # Which IRIs are ours, and the vocabularies the data uses (namespaces, not terms).
    assert graph.value(dataset, void.uriSpace) == rdflib.Literal(
        "https://w3id.org/openness-graph/id/"
    )
    vocabularies = set(map(str, graph.objects(dataset, void.vocabulary)))
    assert {
        "https://w3id.org/openness-graph/ns#",
        "http://www.w3.org/ns/dcat#",
        "http://purl.org/dc/terms/",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/ns/earl#",
    } <= vocabularies
    assert all(v.endswith(("#", "/")) for v in vocabularies), vocabularies


def test_the_void_uri_space_is_the_deployments_minted_base() -> None:
    """A deployment answering the IRIs minted under its own base (--base-iri) stated ours as
    VoID's uriSpace, beside a rights statement under its own base."""
    base = "https://example.org/og/"
    web = create_app({"STORE": EmbeddedStore(None), "BASE_IRI": base, "TESTING": True})
    answer = web.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.data, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert set(graph.objects(None, void.uriSpace)) == {rdflib.Literal(base + "id/")}
    assert set(graph.objects(None, rdflib.DCTERMS.rights)) == {
        rdflib.URIRef(base + "catalog#rights")
    }


def test_a_base_iri_not_ending_in_a_slash_is_refused() -> None:
    """A base without its "/" minted https://example.org/ogid/… (the VoID uriSpace, every
    IRI the pages answer), which no data names: the app is not made, the value named."""
    for base in ("https://example.org/og", "og/"):
        with pytest.raises(NotABaseIri, match=re.escape(repr(base))):
            create_app({"STORE": EmbeddedStore(None), "BASE_IRI": base, "TESTING": True})


def test_the_service_description_names_the_dataset_void_describes(client: FlaskClient) -> None:
    """The SPARQL service's default dataset is the VoID dataset (with where its VoID
    description is), so that merging the two descriptions gives one dataset with its
    named graphs, subsets and licences — where it was ``<host>/sparql#dataset``, joined to
    the VoID only through void:sparqlEndpoint."""
    dataset = rdflib.URIRef("https://w3id.org/openness-graph/graph/void#dataset")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.data, format="turtle")
    assert set(graph.objects(None, sd.defaultDataset)) == {dataset}
    described = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert set(graph.objects(dataset, rdflib.RDFS.seeAlso)) == {
        rdflib.URIRef("http://localhost/.well-known/void")
    }
    graph.parse(data=described.data, format="turtle")
    mof = rdflib.URIRef("https://w3id.org/openness-graph/graph/source/mof")
    assert (dataset, void.subset, mof) in graph
    assert any(graph.value(g, sd.name) == mof for g in graph.objects(dataset, sd.namedGraph))


def test_the_service_descriptions_named_graphs_are_sized_as_its_recommendation_has_it(
    client: FlaskClient,
) -> None:
    """Each sd:namedGraph is an sd:NamedGraph whose sd:graph, an sd:Graph, has the
    void:triples (SPARQL 1.1 Service Description, its example): the size was on the
    named graph itself, where a client following sd:graph found nothing."""
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.data, format="turtle")
    named = list(graph.objects(None, sd.namedGraph))
    assert len(named) > 5
    for node in named:
        assert (node, rdflib.RDF.type, sd.NamedGraph) in graph
        held = graph.value(node, sd.graph)
        assert (held, rdflib.RDF.type, sd.Graph) in graph
        assert int(graph.value(held, void.triples)) > 0


def test_licence_page_shows_restrictions_and_models(client: FlaskClient) -> None:
    turtle = client.get("/id/license/llama2", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.data, format="turtle")
    odrl = rdflib.Namespace("http://www.w3.org/ns/odrl/2/")
    og = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
    assert (None, odrl.leftOperand, og.monthlyActiveUsers) in graph
    page = client.get("/id/license/llama2", headers={"Accept": "text/html"}).data.decode()
    assert "Models under this licence" in page and "/models/llama-2-7b" in page


def test_a_model_route_takes_another_name_of_the_model(client: FlaskClient) -> None:
    """A name or a source's id of one model redirects (303) to the same route under the
    model's id, its query kept; a name two models share lists both (300); none, 404."""
    for named, expected in [
        ("/api/models/OLMo-7B", f"/api/models/{OLMO}"),
        (
            "/api/models/OLMo-7B/conformance?definition=mof-1.0",
            f"/api/models/{OLMO}/conformance?definition=mof-1.0",
        ),
        ("/api/models/Llama-2-7B/changes-to-pass", "/api/models/llama-2-7b/changes-to-pass"),
        # A Hub id, as the Hub and the pages write it: its slash no path separator here.
        ("/api/models/allenai%2FOLMo-7B", f"/api/models/{OLMO}"),
        ("/api/models/allenai/OLMo-7B", f"/api/models/{OLMO}"),
        ("/api/models/allenai%2FOLMo-7B/conformance", f"/api/models/{OLMO}/conformance"),
        ("/api/models/allenai/OLMo-7B/history", f"/api/models/{OLMO}/history"),
        ("/models/allenai%2FOLMo-7B/changes", f"/models/{OLMO}/changes"),
    ]:
        response = client.get(named)
        assert response.status_code == 303, named
        assert response.headers["Location"] == expected
    followed = client.get(
        "/api/models/OLMo-7B/conformance?definition=mof-1.0", follow_redirects=True
    )
    assert [v["definition"] for v in followed.json] == ["mof-1.0"]
    # The query string goes along as sent, none of it taken for the route's own options.
    odd = client.get("/api/models/OLMo-7B?_method=POST&_anchor=x&model_id=XGen&a=1&a=2")
    assert odd.status_code == 303
    assert odd.headers["Location"] == (
        f"/api/models/{OLMO}?_method=POST&_anchor=x&model_id=XGen&a=1&a=2"
    )
    shared = client.get("/api/models/XGen")  # two Salesforce models' family name
    assert shared.status_code == 300
    ids = shared.text.split(": ", 1)[1].strip().split(", ")
    assert len(ids) == 2
    for model_id in ids:
        assert client.get(f"/api/models/{model_id}").json["name"]
    assert client.get("/api/models/no-such-model").status_code == 404


@pytest.mark.parametrize(
    ("public_url", "sent_under"),
    [
        (None, ""),
        ("https://example.org/og", ""),
        ("https://example.org/og", "/og"),
        # a public path the IRI's own path begins with, by its letters: /i, then /id/…
        ("https://example.org/i", ""),
    ],
)
def test_an_iri_minted_with_percent_encoding_dereferences(
    reported: Path, public_url: str | None, sent_under: str
) -> None:
    """A base model's aspect is named by the base's name as a record wrote it, percent-
    encoded into one segment (…/base-model/meta-llama%2FMeta-Llama-3-70B/…): the path as
    sent names it, not the path decoded. Served under a public path, the proxy in front
    passes it on with that path (``sent_under``) or without."""
    store = EmbeddedStore(reported, read_only=True)
    try:
        (row,) = store.query(
            f"""SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
                 FILTER (STRSTARTS(STR(?s), "{ID}") && CONTAINS(STR(?s), "%2F")) }} LIMIT 1"""
        ).rows()
    finally:
        store.close()
    iri = row["s"].value
    config = {"STORE_LOCATION": str(reported), "TESTING": True, "PUBLIC_URL": public_url}
    client = create_app(config).test_client()
    path = sent_under + iri.removeprefix("https://w3id.org/openness-graph")
    answer = client.get(path, headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200, answer.text
    assert f"<{iri}>" in answer.text


def test_a_named_graph_iri_dereferences(client: FlaskClient) -> None:
    """A graph's IRI says what the graph says of it (a source's snapshot: its run) and
    where its triples are (the Graph Store Protocol), which gives them."""
    mof = "https://w3id.org/openness-graph/graph/source/mof"
    answer = client.get("/graph/source/mof", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    graph = {
        (t.subject.value, t.predicate.value, t.object.value)
        for t in ox.parse(answer.data, ox.RdfFormat.N_TRIPLES)
    }
    assert (mof, "http://www.w3.org/ns/prov#wasGeneratedBy") in {(s, p) for s, p, _ in graph}
    (dump,) = [o for s, p, o in graph if p == "http://rdfs.org/ns/void#dataDump"]
    triples = client.get(dump, headers={"Accept": "application/n-triples"})
    assert "<https://w3id.org/openness-graph/id/record/mof/olmo-7b>" in triples.text
    assert client.get("/graph/no-such-graph").status_code == 404


def test_a_croissant_description_answers_the_nodes_it_names_under_its_published_url(
    client: FlaskClient,
) -> None:
    """A Croissant description's file sets and record sets are named against the URL it was
    published at, no longer minted under its IRI: what its IRI answers still holds those it
    links to, and a page shows them; and their fields, with each field's source (blank
    nodes), which no IRI of ours answers now (minted under the description, each field's
    did), and which were left out. A model derived from another of ours (a fine-tune,
    prov:wasDerivedFrom its base) takes in none of that model's triples."""
    iri = ID + "croissant/huggingface-mnist__croissant-1.0"
    published = (
        "https://raw.githubusercontent.com/mlcommons/croissant/"
        "401f6fff81db26a49c0d1704f02bffc4e4fa8fe2/datasets/1.0/huggingface-mnist/"
    )

    def said(path: str) -> list[ox.Triple]:
        answer = client.get(path, headers={"Accept": "application/n-triples"})
        assert answer.status_code == 200
        return list(ox.parse(answer.data, ox.RdfFormat.N_TRIPLES))

    def subjects(path: str) -> set[str]:
        return {t.subject.value for t in said(path)}

    nodes = {published + n for n in ("repo", "parquet-files", "mnist_splits", "default")}
    fields = ("default/image", "default/label", "default/split", "mnist_splits/split_name")
    described = said(iri.removeprefix(BASE[:-1]))
    named = {t.subject.value for t in described if isinstance(t.subject, ox.NamedNode)}
    assert named == {iri} | nodes | {published + f for f in fields}
    blank = {t.object for t in described if isinstance(t.object, ox.BlankNode)}
    assert blank and blank <= {t.subject for t in described}  # a field's source among them
    page = client.get(iri.removeprefix(BASE[:-1]), headers={"Accept": "text/html"}).text
    assert all(f"<code>{node}</code>" in page for node in nodes)
    query = "SELECT ?m ?b WHERE { ?m fair4ml:fineTunedFrom ?b ; prov:wasDerivedFrom ?b } LIMIT 1"
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    model, base = answer.text.splitlines()[1].split(",")
    assert base not in subjects(model.removeprefix(BASE[:-1]))


def _links(page: str) -> dict[str, str]:
    """Each link of a page, by its text."""
    return {
        html.unescape(text): html.unescape(href)
        for href, text in re.findall(r'<a href="([^"]*)">([^<]*)</a>', page)
    }


def test_a_page_links_an_outside_iri_the_graph_describes_to_its_page_here(
    client: FlaskClient,
) -> None:
    """A Croissant description's file set is named where the description was published
    (raw.githubusercontent.com/…/parquet-files, a 404), and its page linked it there. A
    page now links an IRI outside our namespace that the graph describes to its page here
    (/resource?iri=), which answers what the graph says of it, in each format, the IRI
    shown and linked; an SPDX licence alike, on a model's page and in a named query's
    results (its page lists the models under it). One the graph says nothing of, only
    names (schema:Dataset, a class), is linked as it is; one of ours, at its path."""
    published = (
        "https://raw.githubusercontent.com/mlcommons/croissant/"
        "401f6fff81db26a49c0d1704f02bffc4e4fa8fe2/datasets/1.0/huggingface-mnist/"
    )
    file_set = published + "parquet-files"
    html_only = {"Accept": "text/html"}
    description = client.get("/id/croissant/huggingface-mnist__croissant-1.0", headers=html_only)
    links = _links(description.text)
    assert links["schema:Dataset"] == "https://schema.org/Dataset"
    assert links[ID + "dataset/ylecun--mnist"].endswith("/id/dataset/ylecun--mnist")
    here = links[file_set]
    assert here.startswith("/resource?") and parse_qs(urlsplit(here).query) == {"iri": [file_set]}
    page = client.get(here, headers=html_only)
    assert page.status_code == 200 and f"<code>{file_set}</code>" in page.text
    on_page = _links(page.text)
    assert on_page[file_set] == file_set
    # Its other formats' links keep the iri= the page was asked with.
    rdf = client.get("/resource" + on_page["N-Triples"])
    said = list(ox.parse(rdf.data, ox.RdfFormat.N_TRIPLES))
    assert {t.subject.value for t in said} == {file_set}
    assert (file_set, RDFS + "isDefinedBy") in {(t.subject.value, t.predicate.value) for t in said}
    mit = "https://spdx.org/licenses/MIT"
    model = _links(client.get(f"/models/{OLMO}", headers=html_only).text)
    apache = "https://spdx.org/licenses/Apache-2.0"
    assert parse_qs(urlsplit(model["Apache License 2.0"]).query) == {"iri": [apache]}
    usage = _links(client.get("/queries/licence-usage", headers=html_only).text)
    assert parse_qs(urlsplit(usage["spdx:MIT"]).query) == {"iri": [mit]}
    licence = client.get(usage["spdx:MIT"], headers=html_only).text
    assert "Models under this licence" in licence and f"/models/{OLMO}" not in licence
    assert f"/models/{OLMO}" in client.get(model["Apache License 2.0"], headers=html_only).text


def test_a_page_links_no_iri_to_a_scheme_a_browser_would_run() -> None:
    """An IRI is linked as it is only where the graph says nothing of it: one whose scheme
    a browser runs (``javascript:``, any case), held by the graph (from a source, or an
    update), was a link that ran its script on this server's pages when clicked — as a
    value, in a list, and as the address of the IRI /resource?iri= describes. Such an IRI
    links to /resource?iri=, which answers what names it; an https: one still to itself."""
    script, shout, web_page = "javascript:alert(1)", "JavaScript:alert(2)", "https://e.org/x"
    described = f"""@prefix rdfs: <{RDFS}> .
        <{ID}example/links> rdfs:seeAlso <{script}>, <{web_page}> ; rdfs:member ( <{shout}> ) .
        <{shout}> rdfs:label "shouted" .
    """
    store = EmbeddedStore(None)
    store.write(add={"urn:x:g": [q.triple for q in ox.parse(described, ox.RdfFormat.TURTLE)]})
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    html_only = {"Accept": "text/html"}
    pages = [
        web.get("/id/example/links", headers=html_only),
        web.get("/resource", query_string={"iri": shout}, headers=html_only),
        web.get("/resource", query_string={"iri": script}, headers=html_only),
    ]
    for page in pages:
        assert page.status_code == 200, page.text
        hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page.text)]
        assert not [h for h in hrefs if h.lower().startswith("javascript:")], hrefs
    links = _links(pages[0].text)
    assert links[web_page] == web_page
    for iri in (script, shout):
        assert parse_qs(urlsplit(links[iri]).query) == {"iri": [iri]}, links
    assert f"<code>{shout}</code>" in pages[1].text


def test_an_iri_of_ours_asked_at_resource_keeps_the_format_before_its_fragment() -> None:
    """/resource?iri= sends an IRI we mint to its own path, the format asked kept: for a
    hash IRI (an ontology term, the VoID dataset) the format was put after the fragment,
    which a client never sends, so it got the page's default (Turtle for curl, HTML for a
    browser), not the format it asked for."""
    web = create_app({"STORE": EmbeddedStore(None), "TESTING": True}).test_client()
    for iri, path in ((BASE + "ns#Model", "/ns"), (BASE + "graph/void#dataset", "/graph/void")):
        sent = web.get("/resource", query_string={"iri": iri, "format": "nt"})
        assert sent.status_code == 303
        where = urlsplit(sent.headers["Location"])
        assert (where.path, parse_qs(where.query), where.fragment) == (
            path,
            {"format": ["nt"]},
            iri.rsplit("#", 1)[1],
        ), sent.headers["Location"]


def test_a_resource_takes_in_only_the_nodes_its_document_defines(store: GraphStore) -> None:
    """A resource read from a document answers the nodes it links to that the document
    defines (rdfs:isDefinedBy, as the Croissant ingester marks a description's), and no
    other: a curated record derived from its source's page (https://github.com/e/) took in
    each node under that URL's folder it links to, a repository the graph describes among
    them, as if the page had named it. A node another document defines is not this one's,
    nor is a node of ours (an organization) ever."""
    record, org, page = ID + "record/curated/e", ID + "organization/e", "https://github.com/e/"
    repo, notes, other = page + "repo", page + "notes", "https://e.org/other"
    defined = {notes: page, other: "https://e.org/doc"}
    triples = [
        ox.Triple(ox.NamedNode(record), ox.NamedNode(PROV + "wasDerivedFrom"), ox.NamedNode(page)),
        *(
            t
            for n in (org, repo, notes, other)
            for t in (
                ox.Triple(ox.NamedNode(record), ox.NamedNode(OG + "mentions"), ox.NamedNode(n)),
                ox.Triple(ox.NamedNode(n), ox.NamedNode(RDFS + "label"), ox.Literal(n)),
            )
        ),
        *(
            ox.Triple(ox.NamedNode(n), ox.NamedNode(RDFS + "isDefinedBy"), ox.NamedNode(d))
            for n, d in defined.items()
        ),
    ]
    store.write(add={Graphs.source("curated"): triples})
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    answer = web.get(record.removeprefix(BASE[:-1]), headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    subjects = {t.subject.value for t in ox.parse(answer.data, ox.RdfFormat.N_TRIPLES)}
    assert subjects == {record, notes}


def _answered(store: GraphStore, turtle: str, path: str) -> list[ox.Triple]:
    """The triples ``path`` answers once ``turtle`` is written in the croissant graph."""
    store.write(
        add={Graphs.source("croissant"): list(ox.parse(turtle.encode(), ox.RdfFormat.TURTLE))}
    )
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    answer = web.get(path, headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    return list(ox.parse(answer.data, ox.RdfFormat.N_TRIPLES))


def test_a_resource_answers_its_documents_nodes_at_every_depth(store: GraphStore) -> None:
    """The nodes a document defines are answered by the resource read from it,
    whatever engine: those it links to, those they link to (a record set's fields, a
    field's sub-fields: minted under the resource, each had an IRI of ours that answered
    it; none does now) and their blank nodes two levels deep (a field's source and what
    it extracts), where those two links away and the blank nodes were left out."""
    c = "https://e.org/c/"
    # Under the document's folder, <{c}other> is no node it defines: not taken in.
    turtle = f"""@prefix og: <{OG}> . @prefix prov: <{PROV}> . @prefix rdfs: <{RDFS}> .
    <{ID}croissant/c> prov:wasDerivedFrom <{c}metadata.json> ; og:mentions <{c}set> .
    <{c}set> og:mentions <{c}set/field>, <{c}other> .
    <{c}set/field> og:mentions <{c}set/field/sub> .
    <{c}set/field/sub> og:source [ og:extract [ rdfs:label "column" ] ] ;
        og:mentions <{ID}organization/e> . <{ID}organization/e> rdfs:label "E" .
    <{c}set> rdfs:isDefinedBy <{c}metadata.json> .
    <{c}set/field> rdfs:isDefinedBy <{c}metadata.json> .
    <{c}set/field/sub> rdfs:isDefinedBy <{c}metadata.json> . <{c}other> rdfs:label "other" .
    """
    said = _answered(store, turtle, "/id/croissant/c")
    named = {t.subject.value for t in said if isinstance(t.subject, ox.NamedNode)}
    assert named == {ID + "croissant/c"} | {c + n for n in ("set", "set/field", "set/field/sub")}
    blank = [t for t in said if isinstance(t.subject, ox.BlankNode)]
    assert len(blank) == 2 and ox.Literal("column") in {t.object for t in blank}, said
    # The sub-field's source is the blank node described, in each engine's answer.
    assert {t.object for t in said if t.predicate.value == OG + "source"} < {
        t.subject for t in blank
    }


def test_a_resource_answers_the_blank_nodes_of_the_nodes_minted_under_it(
    store: GraphStore,
) -> None:
    """The nodes minted under a resource (a record set's fields, at ``{iri}/…``) are
    answered with their blank nodes two levels deep, whatever engine: a field's source
    (and what it extracts) was left out, and a record set's page showed ``cr:source []``."""
    r = ID + "croissant/r"
    turtle = f"""@prefix og: <{OG}> . @prefix rdfs: <{RDFS}> .
    <{r}> og:mentions <{r}/f> .
    <{r}/f> og:source [ og:extract [ rdfs:label "column" ] ] ."""
    said = _answered(store, turtle, "/id/croissant/r")
    source = {t.object for t in said if t.predicate.value == OG + "source"}
    extract = {
        t.object for t in said if t.subject in source and t.predicate.value == OG + "extract"
    }
    assert {t.object for t in said if t.subject in extract} == {ox.Literal("column")}, said


# A blank node the resource links to, that a node minted under it links to, and that a
# node its document defines links to.
SHARED_C, SHARED_R = "https://e.org/c/", ID + "croissant/s"
SHARED = f"""@prefix og: <{OG}> . @prefix prov: <{PROV}> . @prefix rdfs: <{RDFS}> .
    <{SHARED_R}> prov:wasDerivedFrom <{SHARED_C}metadata.json> ;
        og:mentions <{SHARED_R}/f>, <{SHARED_C}set>, _:b .
    <{SHARED_R}/f> og:source _:b .
    <{SHARED_C}set> og:source _:b ; rdfs:isDefinedBy <{SHARED_C}metadata.json> .
    _:b rdfs:label "shared" ; og:extract [ rdfs:label "column" ] ."""


def _one_shared_node(said: list[ox.Triple]) -> None:
    """``said`` holds the blank node of SHARED once, linked from its three nodes, each of
    its triples once."""
    shared = {t.subject for t in said if t.object == ox.Literal("shared")}
    assert len(shared) == 1, said
    linked = {t.subject.value: t.object for t in said if isinstance(t.object, ox.BlankNode)}
    linkers = {SHARED_R, SHARED_R + "/f", SHARED_C + "set"}
    assert linked.keys() == linkers | {t.value for t in shared}, said
    assert {linked[n] for n in linkers} == shared, said
    assert len({t for t in said if t.object == ox.Literal("column")}) == 1, said
    assert len(said) == len(set(said)), said


def test_a_blank_node_reached_along_several_paths_is_one_node(store: GraphStore) -> None:
    """A blank node reached from the resource, from a node minted under it and from a
    node its document defines is one node, each of its triples said once, whatever the
    engine: the triples the resource's query and its document's found were answered
    twice (two queries, each finding the node)."""
    _one_shared_node(_answered(store, SHARED, "/id/croissant/s"))


def test_a_blank_node_is_one_node_where_each_answer_labels_them_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SPARQL's results formats scope a blank node's label to the answer: an engine may
    label each answer's anew (oxigraph serve and Virtuoso write the ids they store, the
    same in every answer). The description asked the resource's blank nodes and those of
    the nodes under it and of its document in three queries, and held as many nodes."""
    answers = count()

    def relabelled(result: QueryResult) -> list[dict]:
        n = next(answers)
        return [
            {
                k: ox.BlankNode(f"a{n}x{v.value}") if isinstance(v, ox.BlankNode) else v
                for k, v in row.items()
            }
            for row in rows(result)
        ]

    rows = QueryResult.rows
    monkeypatch.setattr(QueryResult, "rows", relabelled)
    _one_shared_node(_answered(EmbeddedStore(None), SHARED, "/id/croissant/s"))


def test_the_void_summary_is_the_document_of_the_dataset_it_describes(
    client: FlaskClient,
) -> None:
    """…/graph/void#dataset, the dataset the store's VoID summary describes, is a hash IRI: a
    client dereferences it at /graph/void, which answers its description (its class and
    property partitions) in each format, and names it as the document's primary topic."""
    dataset = rdflib.URIRef("https://w3id.org/openness-graph/graph/void#dataset")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    for accept, fmt in RDF_FORMATS:
        answer = client.get("/graph/void", headers={"Accept": accept})
        assert answer.status_code == 200 and answer.mimetype == accept, accept
        graph = rdflib.Graph().parse(data=answer.data, format=fmt)
        assert (dataset, rdflib.RDF.type, void.Dataset) in graph, accept
        classes = {
            graph.value(p, void["class"]) for p in graph.objects(dataset, void.classPartition)
        }
        assert rdflib.URIRef("https://w3id.org/openness-graph/ns#Model") in classes, accept
        assert graph.value(predicate=rdflib.FOAF.primaryTopic, object=dataset) == rdflib.URIRef(
            "https://w3id.org/openness-graph/graph/void"
        )
    page = client.get("/graph/void", headers={"Accept": "text/html"})
    assert page.status_code == 200 and str(dataset) in page.text


def test_a_posted_description_names_its_nodes_apart_from_the_stored_graph(
    client: FlaskClient, reported: Path
) -> None:
    """Posted, the bundled Amber.yml got the stored model's IRIs (…/id/model/llm360--amber,
    …/id/assessment/mof-1.0/llm360--amber, which this server serves): merged with the stored
    graph, two verdicts stood on one assertion. Its nodes are now its own, named by its
    content (the same in JSON and RDF, and for the same description posted again), and no
    node it describes or judges is one the stored graph describes."""
    yaml = (sources_dir() / "mof" / "models" / "Amber.yml").read_bytes()

    def answer() -> list[ox.Triple]:
        posted = _posted_yaml(client, yaml, "mof-1.0", "application/n-triples")
        return list(ox.parse(posted.data, ox.RdfFormat.N_TRIPLES))

    triples = answer()
    earl = "http://www.w3.org/ns/earl#"
    (model,) = {t.object.value for t in triples if t.predicate.value == earl + "subject"}
    verdicts = _posted_yaml(client, yaml, "mof-1.0", "application/json").json
    assert [v["model"] for v in verdicts] == [model]
    described = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    store = EmbeddedStore(reported, read_only=True)
    try:
        shared = [
            iri
            for iri in sorted(described | {model})
            if store.query(f"ASK {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
        ]
    finally:
        store.close()
    assert described and shared == []

    def named(triples: list[ox.Triple]) -> set[str]:
        return {x.value for t in triples for x in t if isinstance(x, ox.NamedNode)}

    assert named(answer()) == named(triples)


def test_every_kind_of_iri_the_graph_uses_in_our_namespaces_dereferences(everything) -> None:
    """Each kind of IRI of ours the bundled graph and its verdicts use (…/id/<kind>/…,
    …/ns/<scheme>/…, an aspect a fine-tune inherits, …/aspect/…) answers 200 or 303 at its path:
    the first few of each kind, and every IRI the graph names but states nothing of, where a
    server finds least to say. An organization only a dated record names, a definition a
    published verdict tests (OSI's 'osd') and a node a Croissant description refers to
    without describing answered 404 (as did an inherited Index dimension, until the lineage
    rule labelled it)."""
    store, _ = everything
    ours = (BASE + "id/", BASE + "ns/")
    used: set[str] = set()
    subjects: set[str] = set()
    for quad in store._store:  # noqa: SLF001 - every quad, fastest from the store itself
        if isinstance(quad.subject, ox.NamedNode):
            subjects.add(quad.subject.value)
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(ours):
                used.add(term.value.split("#", 1)[0])
    kinds: dict[str, list[str]] = {}
    for iri in sorted(used):
        parts = iri.removeprefix(BASE).split("/")
        inherited = [p for p in parts if p in ("aspect", "base-model")]
        kinds.setdefault("/".join(parts[:2] + inherited), []).append(iri)
    asked = {iri for members in kinds.values() for iri in members[:3]} | (used - subjects)
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    answers = {
        iri: client.get(
            iri.removeprefix(BASE[:-1]), headers={"Accept": "application/n-triples"}
        ).status_code
        for iri in sorted(asked)
    }
    assert len(kinds) > 30 and any(kind.endswith("/aspect") for kind in kinds)
    assert {iri: code for iri, code in answers.items() if code not in (200, 303)} == {}


def test_every_iri_of_ours_the_data_uses_is_in_the_void_uri_space_or_a_defined_term(
    everything,
) -> None:
    """VoID's uriSpace (…/id/) says which IRIs the dataset mints; the rest of ours are the
    vocabulary's and the shapes' terms, the named graphs and what their documents name
    (…/graph/void#dataset, the dataset the VoID graph describes). The aspects a fine-tune
    inherits were minted in the vocabulary's namespace (…/ns/component/datasets/of/<base
    model IRI>, 496 of them): instance data a crawler took for a term no document defines."""
    store, _ = everything
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    (space,) = [
        t.object.value
        for t in ox.parse(void.data, ox.RdfFormat.N_TRIPLES)
        if t.predicate.value == "http://rdfs.org/ns/void#uriSpace"
    ]
    outside = store.query(
        f"""SELECT DISTINCT ?iri WHERE {{
          GRAPH ?g {{ {{ ?iri ?p ?o }} UNION {{ ?s ?iri ?o }} UNION {{ ?s ?p ?iri }} }}
          FILTER (?g NOT IN (<{Graphs.ONTOLOGY}>, <{Graphs.SHAPES}>))
          FILTER (isIRI(?iri) && STRSTARTS(STR(?iri), "{BASE}")
                  && !STRSTARTS(STR(?iri), "{space}"))
          FILTER NOT EXISTS {{ GRAPH ?defining {{ ?iri ?q ?v }}
                               FILTER (?defining IN (<{Graphs.ONTOLOGY}>, <{Graphs.SHAPES}>)) }}
          BIND (IRI(REPLACE(STR(?iri), "#.*$", "")) AS ?document)
          FILTER NOT EXISTS {{ GRAPH ?document {{ ?a ?b ?c }} }}
        }} ORDER BY ?iri LIMIT 5"""
    )
    assert space == ID and [r["iri"].value for r in outside] == []


def test_a_model_iri_the_graph_only_names_answers_a_browser_as_the_model_pages_do(
    built: GraphStore,
) -> None:
    """A model IRI of ours the graph names but describes nowhere (a release the verdict
    history dates, no longer described) answers programs the triples naming it, as any
    such IRI; a browser got a page of those triples (200) where /models/ answers 404 with
    the models called most like it: it gets that 404 now, and so does an IRI no triple
    names, where it got a line of text. Neither is sent to a model of a name like it."""
    store = copy_of(built)
    iri = ID + "model/olmo-7b-preview"
    verdict = ox.NamedNode("https://example.org/dated-verdict")
    store.write(
        add={
            VERDICT_HISTORY: [ox.Triple(verdict, ox.NamedNode(EARL + "subject"), ox.NamedNode(iri))]
        }
    )
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    for path in ("/id/model/olmo-7b-preview", "/id/model/olmo-7b-previews"):
        page = web.get(path, headers={"Accept": "text/html"})
        like = web.get(path.replace("/id/model/", "/models/"), headers={"Accept": "text/html"})
        assert (page.status_code, page.mimetype) == (404, "text/html"), path
        assert like.status_code == 404 and "Accept" in page.vary, path
        assert "No model is called" in page.text and f"/models/{OLMO}" in page.text, path
    said = web.get("/id/model/olmo-7b-preview", headers={"Accept": "application/n-triples"})
    assert said.status_code == 200
    assert said.text == f"{verdict} <{EARL}subject> <{iri}> .\n"
    assert web.get("/id/model/olmo-7b-previews?format=nt").status_code == 404
    assert web.get(f"/id/model/{OLMO}", headers={"Accept": "text/html"}).status_code == 200


def test_the_triples_naming_an_iri_are_the_first_by_subject_and_say_when_more_do(
    store: GraphStore,
) -> None:
    """An IRI the graph describes nowhere answers the first 200 triples naming it, the same
    ones whatever the engine (by subject, then property, as strings: Virtuoso orders a
    string as it is by its first 20 characters), and says there are more: a Link to the
    query giving every one, which a page says too. It answered 200 of them in the engine's
    order, never saying others were left out."""
    named = ID + "organization/named-often"
    subjects = [f"{ID}record/somewhere-with-a-long-name/{i}" for i in range(230)]
    random.Random(45).shuffle(subjects)  # written in no order
    triples = [
        ox.Triple(ox.NamedNode(s), ox.NamedNode(OG + "mentions"), ox.NamedNode(named))
        for s in subjects
    ]
    triples.append(ox.Triple(ox.BlankNode(), ox.NamedNode(OG + "mentions"), ox.NamedNode(named)))
    few = ID + "organization/named-once"
    triples.append(
        ox.Triple(ox.NamedNode(subjects[0]), ox.NamedNode(OG + "mentions"), ox.NamedNode(few))
    )
    store.write(add={Graphs.source("curated"): triples})
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    answer = web.get("/id/organization/named-often", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    given = [t.subject.value for t in ox.parse(answer.data, ox.RdfFormat.N_TRIPLES)]
    assert given == sorted(subjects)[:200]
    link, rel = answer.headers["Link"].split(">; rel=", 1)
    assert rel.startswith('"alternate"') and "first 200" in rel
    every = web.get(
        link.removeprefix("<http://localhost"), headers={"Accept": "application/n-triples"}
    )
    assert len(list(ox.parse(every.data, ox.RdfFormat.N_TRIPLES))) == 231
    page = web.get("/id/organization/named-often", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "the first 200 triples that name it" in page.text
    once = web.get("/id/organization/named-once", headers={"Accept": "text/turtle"})
    assert once.status_code == 200 and "Link" not in once.headers


def test_a_section_of_an_iri_the_graph_only_names_links_to_the_resource_naming_it() -> None:
    """An IRI the graph says nothing of is answered the triples naming it, a section per
    subject: each section's subject links to its own page (ours to its path, an outside
    one the graph describes to /resource?iri=), where it was text alone, so the page of
    an IRI only named led nowhere."""
    named, ours, theirs = "https://e.org/only-named", ID + "example/a", "https://e.org/b"
    described = f"""@prefix rdfs: <{RDFS}> .
        <{ours}> rdfs:seeAlso <{named}> . <{theirs}> rdfs:seeAlso <{named}> .
    """
    store = EmbeddedStore(None)
    store.write(add={"urn:x:g": [q.triple for q in ox.parse(described, ox.RdfFormat.TURTLE)]})
    web = create_app({"STORE": store, "TESTING": True}).test_client()
    page = web.get("/resource", query_string={"iri": named}, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    headings = dict(
        (html.unescape(code), html.unescape(href))
        for href, code in re.findall(
            r'<h2[^>]*><a href="([^"]*)"><code>([^<]*)</code></a></h2>', page.text
        )
    )
    assert urlsplit(headings[ours]).path == "/id/example/a"
    assert parse_qs(urlsplit(headings[theirs]).query) == {"iri": [theirs]}


def test_the_search_schema_says_each_outcome_a_rating_takes(client: FlaskClient) -> None:
    """/api/search's schema said a definition that rates (``rates``) has the outcome
    inapplicable, where one that could not rate a model says cantTell, its score null (295
    such verdicts on the bundled store): the description names each outcome a rating takes
    on the test store, and each such verdict is valid against the schema."""
    spec = client.get("/openapi.json").json
    schema = spec["paths"]["/api/search"]["get"]["responses"]["200"]["content"]
    verdict = schema["application/json"]["schema"]["properties"]["matches"]["items"]
    verdict = verdict["properties"]["verdicts"]["items"]
    rated = [
        v
        for name in REPORTED_MODELS
        for match in client.get(f"/api/search?q={name}").json["matches"][:1]
        for v in match["verdicts"]
        if v["rates"]
    ]
    outcomes = {v["outcome"] for v in rated}
    assert len(outcomes) > 1, outcomes  # both kinds are on the test store
    words = verdict["properties"]["rates"]["description"]
    assert [o for o in sorted(outcomes) if o not in words] == []
    validator = Draft202012Validator(verdict)
    assert [e.message for v in rated for e in validator.iter_errors(v)] == []
