"""HTTP details every answer shares: authorization of writes, CORS, compression, the
headers caches read (Vary, ETag), and what a format asked for that is not there gets."""

from __future__ import annotations

import gzip
import itertools
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from flask import url_for
from flask.testing import FlaskClient
from support.clients import in_words, words_of
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from openness.server import create_app
from openness.store import EmbeddedStore

OLMO = "allenai--olmo-7b"

UPDATE = {"update": "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } }"}


@pytest.fixture
def writable() -> FlaskClient:
    app = create_app(
        {
            "TESTING": True,
            "STORE": EmbeddedStore(None),
            "UPDATE_ENABLED": True,
            "UPDATE_TOKEN": "s3",
        }
    )
    return app.test_client()


@pytest.mark.parametrize("given", ["Bearer s3", "bearer s3", "BEARER s3", "Bearer  s3"])
def test_the_auth_scheme_is_case_insensitive(writable: FlaskClient, given: str) -> None:
    # RFC 9110 §11.1; RFC 6750 §2.1 allows more than one space before the token
    assert (
        writable.post("/update", data=UPDATE, headers={"Authorization": given}).status_code == 204
    )


@pytest.mark.parametrize("given", ["Bearer s4", "Basic s3", "Bearers3", "s3", "Bearer s3 s3"])
def test_a_wrong_token_or_scheme_is_401(writable: FlaskClient, given: str) -> None:
    r = writable.post("/update", data=UPDATE, headers={"Authorization": given})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture(scope="module")
def client(reported: Path) -> FlaskClient:
    return create_app({"STORE_LOCATION": str(reported), "TESTING": True}).test_client()


def test_a_cross_origin_script_may_read_the_headers_that_matter(client: FlaskClient) -> None:
    # Pagination (Link), 429/503 (Retry-After), redirects (Location), validators (ETag)
    r = client.get("/api/conformance?per_page=1", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in r.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"link", "retry-after", "location", "etag", "www-authenticate"} <= exposed


GZIP = {"Accept-Encoding": "gzip"}


def test_a_compressed_answer_still_varies_by_accept(client: FlaskClient) -> None:
    r = client.get("/id/model/llama-2-7b", headers={"Accept": "text/turtle", **GZIP})
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Accept" in r.vary and "Accept-Encoding" in r.vary


@pytest.mark.parametrize("refusal", ["gzip;q=0, identity", "gzip;q=0, *", "identity", "br"])
def test_gzip_refused_or_not_named_is_not_sent(client: FlaskClient, refusal: str) -> None:
    r = client.get(
        "/id/model/llama-2-7b", headers={"Accept": "text/turtle", "Accept-Encoding": refusal}
    )
    assert "Content-Encoding" not in r.headers and r.data.startswith(b"@prefix")
    # a client accepting gzip would get other bytes: caches must not give it these
    assert "Accept-Encoding" in r.vary


@pytest.mark.parametrize("accepted", ["gzip", "deflate, gzip;q=0.5", "*"])
def test_gzip_accepted_at_any_quality_is_sent(client: FlaskClient, accepted: str) -> None:
    r = client.get("/id/model/llama-2-7b", headers={"Accept-Encoding": accepted})
    assert r.headers["Content-Encoding"] == "gzip"


def test_a_compressed_answer_has_its_own_etag_and_both_are_revalidated(
    client: FlaskClient,
) -> None:
    badge = f"/badges/{OLMO}.svg"  # over GZIP_MIN_BYTES
    plain, packed = client.get(badge), client.get(badge, headers=GZIP)
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    # a strong ETag names one representation (RFC 9110 §8.8.3)
    assert plain.headers["ETag"] != packed.headers["ETag"]
    for got, headers in ((plain, {}), (packed, GZIP)):
        again = client.get(badge, headers={**headers, "If-None-Match": got.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == got.headers["ETag"]
    # the client holding the compressed bytes gets them again when it no longer takes gzip
    other = client.get(badge, headers={"If-None-Match": packed.headers["ETag"]})
    assert other.status_code == 200 and other.headers["ETag"] == plain.headers["ETag"]


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/sparql?query=ASK%20{}", "application/sparql-results+xml"),
        ("/sparql", "text/turtle"),  # the service description
        ("/.well-known/void", "*/*"),
        ("/store?graph=https://w3id.org/openness-graph/graph/ontology", "text/turtle"),
        ("/api/conformance?per_page=1", "application/json"),
        ("/api/conformance?per_page=1", "text/turtle"),
        ("/api/conformance", "image/png"),  # 406
        ("/api/models/llama-2-7b", "application/json"),
        ("/api/models/llama-2-7b/conformance", "application/json"),
        ("/ns", "text/html"),
        ("/ns", "text/turtle"),
        ("/id/model/llama-2-7b", "text/html"),
        ("/id/org/allen-institute-for-ai", "application/ld+json"),
        ("/queries/models-passing?definition=mof-1.0", "text/csv"),
        ("/queries/models-passing?definition=mof-1.0", "text/html"),
        ("/queries", "application/json"),
        ("/", "application/json"),
    ],
)
def test_an_answer_chosen_by_accept_says_so_in_vary(
    client: FlaskClient, path: str, accept: str
) -> None:
    r = client.get(path, headers={"Accept": accept})
    assert "Accept" in r.vary, (r.status_code, r.headers)


def test_an_answer_in_one_format_does_not_vary_by_accept(client: FlaskClient) -> None:
    r = client.get("/api/models/llama-2-7b/changes-to-pass", headers={"Accept": "*/*"})
    assert r.status_code == 200 and "Accept" not in r.vary


ASK = "/sparql?query=" + quote("ASK {}")
CONSTRUCT = "/sparql?query=" + quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1")


def _listed(answer: TestResponse, after: str) -> list[str]:
    """The comma-separated list an error's words end with, after ``after``."""
    return in_words(answer).rstrip().split(after, 1)[1].split(", ")


@pytest.mark.parametrize(
    ("path", "named", "not_named"),
    [
        (ASK + "&format=bogus", "csv", "ttl"),  # the names of a result's formats
        (ASK + "&output=bogus", "csv", "ttl"),
        (ASK + "&results=bogus", "csv", "ttl"),
        (CONSTRUCT + "&format=bogus", "ttl", "csv"),
        ("/sparql?format=bogus", "ttl", "csv"),  # the service description
        ("/queries/models-passing?definition=mof-1.0&format=bogus", "csv", "ttl"),
        ("/id/model/llama-2-7b?format=bogus", "ttl", "csv"),
        ("/ns?format=bogus", "ttl", "csv"),
        ("/catalog?format=bogus", "ttl", "csv"),
        ("/api/models/llama-2-7b?format=bogus", "ttl", "html"),
    ],
)
def test_a_format_parameter_naming_no_format_is_400_naming_those_there_are(
    client: FlaskClient, path: str, named: str, not_named: str
) -> None:
    """format=bogus answered 200 in the default format, as if nothing had been asked: the
    client learnt neither that its name was wrong nor which are right. Each name the 400
    gives is one the route answers: a query's, those of its result (an ASK's named the
    RDF formats too, each then 406); the API's, no html (read, it gave JSON)."""
    r = client.get(path)
    assert r.status_code == 400 and r.mimetype == words_of(path), r.text
    assert "'bogus'" in in_words(r)
    names = _listed(r, " one of ")
    assert named in names and not_named not in names and "bogus" not in names
    if path.startswith(("/sparql", "/id/")):  # every name, on two routes: a request each
        for name in names:
            answer = client.get(path.replace("bogus", quote(name, safe="")))
            assert answer.status_code in (200, 303), (name, answer.text)  # 303: the editor


@pytest.mark.parametrize(
    ("path", "media"),
    [
        # SPARQLWrapper asks under each name, a media type beside a name some engines refuse
        (ASK + "&format=tsv&format=text/tab-separated-values", "text/tab-separated-values"),
        (CONSTRUCT + "&format=rdf+xml&format=application/rdf%2Bxml", "application/rdf+xml"),
        (CONSTRUCT + "&format=n3&output=n3", "text/turtle"),
        (ASK + "&format=bogus&output=csv", "text/csv"),  # a value naming a format wins
    ],
)
def test_a_format_asked_under_several_names_is_the_one_known(
    client: FlaskClient, path: str, media: str
) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == media, r.text


def test_a_format_named_with_its_media_type_parameters_is_read(client: FlaskClient) -> None:
    """format= a media type with parameters is read as Accept reads one (its parameters
    dropped), where it was 400 'names no format'."""
    r = client.get(
        "/sparql",
        query_string={"query": "ASK {}", "format": "application/sparql-results+json;charset=utf-8"},
    )
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+json", r.text


def test_the_query_catalogue_is_406_to_an_accept_naming_neither_of_its_formats(
    client: FlaskClient,
) -> None:
    """/queries is a page or JSON: an Accept naming neither (image/png) is 406 listing
    them, where it got the page; a browser's and a program's get theirs."""
    refused = client.get("/queries", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/html, application/json" in refused.text
    assert client.get("/queries", headers={"Accept": "*/*"}).mimetype == "text/html"
    listed = client.get("/queries", headers={"Accept": "application/json"})
    assert listed.status_code == 200 and listed.mimetype == "application/json"
    assert client.get("/queries?format=json").mimetype == "application/json"


def test_a_format_the_result_has_not_is_406_not_another_format(client: FlaskClient) -> None:
    """format=csv on a CONSTRUCT answered Turtle: what the Accept header chose."""
    r = client.get(CONSTRUCT + "&format=csv")
    assert r.status_code == 406 and "format=csv" in r.text
    assert "text/turtle" in _listed(r, " offered as ")


# Media types a client may name: some offered on a route, some other names of them, some
# of no format of ours.
MEDIA = [
    "application/sparql-results+json",
    "application/json",
    "application/xml",
    "text/csv",
    "text/plain",
    "text/turtle",
    "application/x-turtle",
    "application/ld+json",
    "application/n-quads",
    "text/html",
    "image/png",
]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (ASK, "text/plain"),
        (CONSTRUCT, "text/csv"),
        ("/sparql", "image/png"),  # the service description
        ("/id/model/llama-2-7b", "image/png"),
        ("/api/models/llama-2-7b", "image/png"),
        ("/store?graph=https://w3id.org/openness-graph/graph/ontology", "image/png"),
    ],
)
def test_a_406_lists_every_type_that_is_accepted(
    client: FlaskClient, path: str, refused: str
) -> None:
    """/sparql's 406 for text/plain listed its four result types, not application/json,
    which it answers: a type the 406 lists is answered, and one answered is listed."""
    r = client.get(path, headers={"Accept": refused})
    assert r.status_code == 406 and r.mimetype == words_of(path), r.text
    listed = _listed(r, " offered as ")
    for media in dict.fromkeys([*listed, *MEDIA]):
        # the service description's page is the query editor: a redirect
        answered = client.get(path, headers={"Accept": media}).status_code in (200, 303)
        assert answered == (media in listed), media


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/validate", "POST"),
        ("DELETE", f"/api/models/{OLMO}", "GET"),
        ("PUT", "/sparql", "GET or POST"),
    ],
)
def test_a_method_a_route_does_not_take_is_405_in_words(
    client: FlaskClient, method: str, path: str, allowed: str
) -> None:
    """GET /api/validate got Werkzeug's HTML page, where the API's other errors are words:
    text, and under the API problem details (JSON) unless text alone is asked."""
    said = f"{path} takes {allowed}, not {method}"
    r = client.open(path, method=method, headers={"Accept": "text/plain"})
    assert r.status_code == 405 and r.mimetype == "text/plain", r.text
    assert r.text == said + "\n"
    assert set(allowed.split(" or ")) <= {m.strip() for m in r.headers["Allow"].split(",")}
    if path.startswith("/api/"):
        problem = client.open(path, method=method)
        assert (problem.mimetype, problem.json["detail"]) == ("application/problem+json", said)
        assert problem.headers["Allow"] == r.headers["Allow"]


def test_a_path_of_no_api_route_is_404_in_words(client: FlaskClient) -> None:
    r = client.get("/api/modles")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert "/openapi.json" in r.json["detail"]


@pytest.mark.parametrize("accept", ["text/plain", "application/json", "*/*"])
def test_an_api_error_varies_by_accept_in_either_format(client: FlaskClient, accept: str) -> None:
    """An error of the API is problem details or text by Accept: its text said no Vary,
    and a shared cache could hand it to a client reading JSON."""
    r = client.get("/api/models/no-such-model", headers={"Accept": accept})
    assert r.status_code == 404 and "Accept" in r.vary, (r.mimetype, r.vary)


class _Broken(EmbeddedStore):
    """A store whose queries fail with an error no handler of the app names."""

    def query(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is on fire")


def test_an_unexpected_failure_of_the_api_is_problem_details() -> None:
    """/openapi.json's ``default`` says any other error of the API is problem details: a
    500 was Werkzeug's HTML page (TESTING off, as served: on, the error is raised)."""
    api = create_app({"STORE": _Broken(None)}).test_client()
    r = api.get("/api/conformance")
    assert (r.status_code, r.mimetype) == (500, "application/problem+json"), r.text
    assert r.json["title"] == "Internal Server Error" and "disk" not in r.json["detail"]
    said = api.get("/api/conformance", headers={"Accept": "text/plain"})
    assert (said.mimetype, said.text) == ("text/plain", r.json["detail"] + "\n")


@pytest.mark.parametrize(
    "path", ["/api/models/no-such-model", "/api/models/llama-2-7b/conformance?definition=nope"]
)
def test_an_api_errors_head_has_the_headers_of_its_get(client: FlaskClient, path: str) -> None:
    """An error raised as an answer (abort(text(…))) reached the problem details with the
    empty body of a HEAD: its Content-Length was that of a problem with no detail."""
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code >= 400 and head.data == b""
    for name in ("Content-Type", "Content-Length", "Vary"):
        assert head.headers[name] == get.headers[name], name


def test_an_if_match_naming_no_etag_is_a_problem_not_the_answer(client: FlaskClient) -> None:
    """A 412 carried the whole answer (every verdict) as application/json: the problem
    details were written before the condition was checked."""
    r = client.get("/api/conformance", headers={"If-Match": '"not-this-one"'})
    assert (r.status_code, r.mimetype) == (412, "application/problem+json"), r.mimetype
    assert set(r.json) == {"type", "title", "status", "detail"}
    assert r.json["title"] == "Precondition Failed" and "If-Match" in r.json["detail"]


def test_a_compressed_answer_is_the_same_bytes_at_another_time(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its strong ETag names fixed bytes: gzip wrote the time into its header, so the same
    answer compressed a second later was other bytes under the same ETag."""
    ticks = itertools.count(1_000_000_000)  # a second later each time it is read
    monkeypatch.setattr(gzip, "time", SimpleNamespace(time=lambda: next(ticks)))
    badge = f"/badges/{OLMO}.svg"  # over GZIP_MIN_BYTES
    first, second = client.get(badge, headers=GZIP), client.get(badge, headers=GZIP)
    assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "gzip"
    assert first.headers["ETag"] == second.headers["ETag"] and first.data == second.data


FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no-such-page", 404), ("GET", "/update", 405), ("GET", "/shapes/a b", 404)],
)
def test_a_path_or_method_no_route_answers_is_the_sites_page_or_text(
    method: str, path: str, status: int
) -> None:
    """An unknown route (or a method its route does not take, or a route's own 404) got
    Werkzeug's bare page, whatever was asked: no layout, no language, no way back, where
    the site's other 404s (an unknown model) are its pages and the API's errors text. A
    browser gets the site's page, with the policy every page has; another client text."""
    web = create_app({"STORE": EmbeddedStore(None), "TESTING": True}).test_client()
    page = web.open(path, method=method, headers={"Accept": FIREFOX})
    assert page.status_code == status and page.mimetype == "text/html", page.text
    assert '<html lang="en">' in page.text and '<nav aria-label="Main">' in page.text
    assert re.search(r"<h1>[^<]+</h1>", page.text) and 'href="/"' in page.text
    assert "Content-Security-Policy" in page.headers
    for accept in ("application/json", "*/*"):
        answer = web.open(path, method=method, headers={"Accept": accept})
        assert answer.status_code == status and answer.mimetype == "text/plain", accept
        assert answer.text.startswith(path) or answer.text == f"nothing is at {path}\n"
    if status == 405:
        assert page.headers["Allow"] == answer.headers["Allow"] and "POST" in page.headers["Allow"]


def test_a_form_too_large_for_a_route_that_is_not_there_is_a_404_page() -> None:
    """The error page's choice read a format from the request's form, so a form over the
    body limit posted to no route was read inside the 404's handler: 'too large', a 500.
    The URL alone says the format asked for an error's page."""
    web = create_app({"STORE": EmbeddedStore(None), "TESTING": True}).test_client()
    limit = web.application.config["MAX_CONTENT_LENGTH"]
    body = b"format=json&x=" + b"y" * limit
    headers = {"Accept": FIREFOX, "Content-Type": "application/x-www-form-urlencoded"}
    page = web.post("/no-such-page", data=body, headers=headers)
    assert page.status_code == 404, page.status_code
    assert page.mimetype == "text/html", page.text


def test_a_redirect_says_where_in_text(client: FlaskClient) -> None:
    """/api/models/OLMo-7B (a name, not the id) was sent on with an HTML body."""
    r = client.get("/api/models/OLMo-7B")
    assert r.status_code == 303 and r.headers["Location"] == f"/api/models/{OLMO}"
    assert r.mimetype == "text/plain" and r.text == f"see /api/models/{OLMO}\n"


# What each route's placeholders and query string are given, by endpoint, to reach its
# answer (a route missing here fails the walk below: give it a sample).
SAMPLES: dict[str, dict[str, str]] = {
    "api.model": {"model_id": OLMO},
    "api.model_changes_to_pass": {"model_id": OLMO},
    "api.model_conformance": {"model_id": OLMO},
    "history.api_model_history": {"model_id": OLMO},
    "history.model_changes": {"model_id": OLMO},
    "pages.model": {"model_id": OLMO},
    "pages.model_resource": {"model_id": OLMO},
    "badges.combined_badge": {"model_id": OLMO},
    "badges.definition_badge": {"model_id": OLMO, "definition_id": "osaid-1.0"},
    "pages.definition": {"definition_id": "osaid-1.0"},
    "history.definition_changes": {"definition_id": "osaid-1.0"},
    "linked_data.shapes": {"name": "osaid-1.0"},
    "linked_data.resource": {"rest": "org/allen-institute-for-ai"},
    "linked_data.concept": {"rest": "component/model-architecture"},
    "linked_data.graph": {"rest": "ontology"},
    "linked_data.outside": {"iri": "https://spdx.org/licenses/MIT"},
    "queries.run": {"name": "definitions"},
    "update.read_graph": {"graph": "https://w3id.org/openness-graph/graph/ontology"},
    "sparql.query": {"query": "ASK {}"},  # /sparql without one is the service description
    "search.api_search": {"q": "olmo"},
}


def _routes(client: FlaskClient) -> list[tuple[Rule, str, str, dict[str, str]]]:
    """Each route of the app as its rule, a method, a path and a query string reaching it:
    GET where it takes GET, else POST (PUT /store is a write)."""
    routes = []
    with client.application.test_request_context():  # for url_for; its g is the requests'
        for rule in client.application.url_map.iter_rules():
            if rule.endpoint == "static" or not rule.methods & {"GET", "POST"}:
                continue
            samples = SAMPLES.get(rule.endpoint, {})
            assert set(rule.arguments) <= samples.keys(), f"give {rule} a sample"
            path = url_for(rule.endpoint, **{k: samples[k] for k in rule.arguments})
            query = {k: v for k, v in samples.items() if k not in rule.arguments}
            routes.append((rule, "GET" if "GET" in rule.methods else "POST", path, query))
    return routes


def _negotiating(client: FlaskClient) -> list[tuple[Rule, str, str, dict[str, str]]]:
    """Each route of the app whose answer varies by Accept (as :func:`_routes`)."""
    routes = _routes(client)
    negotiating = []
    for rule, method, path, query in routes:
        with client.open(path, method=method, query_string=query) as plain:
            if "Accept" in plain.vary:  # else one format: not negotiated
                negotiating.append((rule, method, path, query))
    assert len(negotiating) >= 15, negotiating
    return negotiating


def test_every_route_whose_answer_varies_by_accept_lists_the_same_types_in_406_and_400(
    client: FlaskClient,
) -> None:
    """Each route whose answer varies by Accept answers 406 to an Accept naming none of
    its formats and 400 to a format= naming no format, each listing what the route
    answers: the same media types. The API's 400 listed text/html (format=html was read,
    a browser got JSON), its 406 did not; the service description's and a named query's
    406 left out the page (text/html) format=html gives; / answered its page to image/png."""
    for _, method, path, query in _negotiating(client):
        png = {"Accept": "image/png"}
        refused = client.open(path, method=method, query_string=query, headers=png)
        words = words_of(path)
        assert (refused.status_code, refused.mimetype) == (406, words), (path, refused.text)
        unknown = client.open(path, method=method, query_string={**query, "format": "bogus"})
        assert (unknown.status_code, unknown.mimetype) == (400, words), (path, unknown.text)
        named = [n for n in _listed(unknown, " one of ") if "/" in n]  # its short names left out
        assert sorted(named) == sorted(_listed(refused, " offered as ")), path


# What a client naming no type gets (`*/*`, curl's and most HTTP libraries' Accept, or none),
# by the kind of route (README, "What a client naming no format gets"): a resource of the
# graph, a description of the data or an RDF answer is Turtle, a page HTML, a query's
# results SPARQL JSON, the API's answer JSON, a feed Atom. A route missing here fails the
# test below.
FIRST = {
    "rdf": "text/turtle",
    "page": "text/html",
    "results": "application/sparql-results+json",
    "api": "application/json",
    "feed": "application/atom+xml",
}
KINDS = {
    "linked_data.resource": "rdf",
    "linked_data.outside": "rdf",
    "pages.model_resource": "rdf",
    "linked_data.concept": "rdf",
    "linked_data.ontology": "rdf",
    "linked_data.graph": "rdf",
    "linked_data.shapes": "rdf",
    "catalog.catalog": "rdf",
    "catalog.void": "rdf",
    "sparql.sparql": "rdf",  # without a query: the service description
    "update.read_graph": "rdf",
    "api.shacl": "rdf",  # a sh:ValidationReport
    "home.index": "page",
    "queries.index": "page",
    "sparql.query": "results",  # ASK {}
    "queries.run": "results",
    "api.conformance": "api",
    "api.model": "api",
    "api.model_conformance": "api",
    "api.validate": "api",
    "history.changes": "feed",
    "history.model_changes": "feed",
    "history.definition_changes": "feed",
}
# What the routes that read a body are given (Content-Type, body, query string).
BODIES = {
    "api.validate": (
        "application/yaml",
        b"release:\n  name: Kestrel\n  producer: K\n  components: []\n",
        {},
    ),
    "api.shacl": (
        "text/turtle",
        b"<urn:s> a <http://www.w3.org/ns/shacl#NodeShape> .",
        {"graph": "https://w3id.org/openness-graph/graph/ontology"},
    ),
}


def test_a_client_naming_no_format_gets_the_first_of_its_routes_kind(
    client: FlaskClient,
) -> None:
    """`curl /id/model/<x>` (Accept `*/*`) got the model's page where `curl
    /.well-known/void` got Turtle: every IRI of the graph, the catalogue, a named graph and
    the vocabulary answered HTML to a client that did not ask for it. Each route that
    negotiates answers `*/*` and no Accept alike, in its kind's first format."""
    negotiating = _negotiating(client)
    assert {rule.endpoint for rule, *_ in negotiating} == KINDS.keys()
    for rule, method, path, query in negotiating:
        mimetype, body, more = BODIES.get(rule.endpoint, (None, None, {}))
        for accept in ({"Accept": "*/*"}, {}):
            r = client.open(
                path,
                method=method,
                query_string={**query, **more},
                headers=accept,
                data=body,
                content_type=mimetype,
            )
            assert r.status_code == 200, (path, accept, r.text)
            assert r.mimetype == FIRST[KINDS[rule.endpoint]], (path, accept)


def test_the_description_of_every_route_whose_answer_varies_by_accept_names_format_and_406(
    client: FlaskClient,
) -> None:
    """/openapi.json gives each route that negotiates its format parameter, its 400 and its
    406: the API's routes, /store and / named no format=, / and /queries no 406."""
    spec = client.get("/openapi.json").json["paths"]
    for rule, method, path, _ in _negotiating(client):
        operation = spec[re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)][method.lower()]
        named = {p["name"] for p in operation.get("parameters", [])}
        assert "format" in named and {"400", "406"} <= operation["responses"].keys(), path


def test_every_page_says_what_it_may_run(client: FlaskClient) -> None:
    """Every HTML answer, whichever route gives it (a page, a resource's page, a named
    query's, a 404), carries the Content-Security-Policy that keeps markup slipped into the
    data from running script: only this server's files, no inline script, no eval, no
    plugin, no <base>. No page carried one: a javascript: link a source gave ran when
    clicked. Other answers (Turtle, JSON, results, badges) are no page to run script in."""
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    pages = {}
    for rule, method, path, query in _routes(client):
        with client.open(path, method=method, query_string=query, headers=browser) as r:
            # No answer is to be sniffed for HTML by its content (a CSV holding markup).
            assert r.headers.get("X-Content-Type-Options") == "nosniff", rule.endpoint
            if r.mimetype == "text/html":
                pages[rule.endpoint] = r.headers.get("Content-Security-Policy")
    pages["(no route)"] = client.get("/no/such/page", headers=browser).headers.get(
        "Content-Security-Policy"
    )
    # the page kinds: those a person opens, a resource's, a named query's and the editor
    assert {
        "home.index",
        "pages.model",
        "pages.definition",
        "pages.editor",
        "pages.validate",
        "queries.run",
        "linked_data.resource",
        "search.search",
    } <= pages.keys(), sorted(pages)
    for endpoint, policy in pages.items():
        assert policy is not None, endpoint
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives["script-src"] == ["'self'"], endpoint
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
        assert "'unsafe-eval'" not in policy, endpoint
