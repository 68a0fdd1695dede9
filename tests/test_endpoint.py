"""The SPARQL endpoint with real clients: SPARQLWrapper, rdflib's SPARQLStore, raw HTTP."""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, RDFXML, TURTLE, XML, SPARQLWrapper
from support.live import serving

from openness.server import create_app
from openness.store import EmbeddedStore

COUNT = "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a og:Model }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HANG_GUARD = 120.0
# One client for the module, patient: on a loaded machine answers take seconds.
http = httpx.Client(timeout=HANG_GUARD)


def endpoint(reported: Path, timeout: float):
    app = create_app(
        {
            "STORE_LOCATION": str(reported),
            "QUERY_TIMEOUT": timeout,
            "MAX_RESULT_BYTES": 2_000_000,
            "MAX_CONTENT_LENGTH": 100_000,
        }
    )
    return serving(app)


@pytest.fixture(scope="module")
def base(reported: Path):
    # The time limit only guards against hangs: on a loaded machine even the named queries
    # of a small store take seconds.
    with endpoint(reported, HANG_GUARD) as url:
        yield url


@pytest.fixture(scope="module")
def limited(reported: Path):
    """An endpoint whose time limit a runaway query reaches soon (the test waits for it)."""
    with endpoint(reported, 10.0) as url:
        yield url


def sparql(base: str, **kwargs) -> httpx.Response:
    return http.request(kwargs.pop("method", "GET"), base + "sparql", **kwargs)


def test_sparqlwrapper_get_and_post_json_and_xml(base: str) -> None:
    for method in ("GET", "POST"):
        client = SPARQLWrapper(base + "sparql")
        client.setMethod(method)
        client.setQuery("PREFIX og: <https://w3id.org/openness-graph/ns#> " + COUNT)
        client.setReturnFormat(JSON)
        n = int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
        assert n > 400
        client.setReturnFormat(XML)
        assert client.queryAndConvert().getElementsByTagName("literal")[0].firstChild.data == str(n)


def test_sparqlwrapper_construct_as_rdfxml_and_turtle(base: str) -> None:
    client = SPARQLWrapper(base + "sparql")
    client.setQuery(
        "CONSTRUCT { ?m <urn:name> ?n } WHERE { ?m a <https://w3id.org/openness-graph/"
        "ns#Model> ; <https://schema.org/name> ?n } LIMIT 5"
    )
    client.setReturnFormat(RDFXML)
    graph = client.queryAndConvert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == 5
    client.setReturnFormat(TURTLE)
    assert len(rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")) == 5


def test_rdflib_sparqlstore(base: str) -> None:
    store = SPARQLStore(base + "sparql", returnFormat="json")
    rows = list(
        store.query(
            "SELECT ?n WHERE { ?m a <https://w3id.org/openness-graph/ns#Model> ; "
            '<https://schema.org/name> ?n FILTER (?n = "OLMo-7B") }'
        )
    )
    assert [str(r[0]) for r in rows] == ["OLMo-7B"]


@pytest.mark.parametrize(
    "accept,media",
    [
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.2", "application/sparql-results+xml"),
    ],
)
def test_results_negotiation(base: str, accept: str, media: str) -> None:
    r = sparql(base, params={"query": COUNT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media


def test_graph_negotiation_and_406(base: str) -> None:
    q = {"query": "DESCRIBE <https://w3id.org/openness-graph/ns#Model>"}
    for media in (
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-quads",
        "application/trig",
    ):
        r = sparql(base, params=q, headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), media
    assert sparql(base, params=q, headers={"Accept": "text/csv"}).status_code == 406
    assert sparql(base, params={"query": COUNT}, headers={"Accept": "image/png"}).status_code == 406


def test_unknown_client_parameters_are_tolerated(base: str) -> None:
    r = sparql(base, params={"query": COUNT, "format": "csv", "output": "x", "results": "y"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"params": {"query": "SELECT ?x WHERE { ?x"}}, "1:"),
        ({"params": {"query": COUNT, "update": "CLEAR ALL"}}, "update"),
        (  # (was Oxigraph's 'expected CONSTRUCT')
            {"params": {"query": "INSERT DATA { <urn:a> <urn:b> 1 }"}},
            "it is a SPARQL update (INSERT), not a query",
        ),
        # (was Oxigraph's words alone, 'expected [_]' or a list of tokens where it stopped;
        # they stay, with their position, after the count)
        (
            {"params": {"query": "SELECT * { { ?s ?p ?o }"}},
            "2 '{' but 1 '}': a '{' is not closed; error at 1:",
        ),
        (
            {"params": {"query": "SELECT * { ?s ?p ?o } }"}},
            "1 '{' but 2 '}': a '}' closes no '{'; error at 1:",
        ),
        ({"params": {"query": "SELECT * { ?s ?p ?o FILTER((?o > 1) }"}}, "2 '(' but 1 ')'"),
        (  # another engine's function (Virtuoso's): a 500, Oxigraph's error for a store failing
            {
                "params": {
                    "query": "SELECT * { ?s ?p ?o "
                    "FILTER(<http://www.openlinksw.com/schemas/bif#contains>(?o, 'x')) }"
                }
            },
            "cannot be answered: The custom function "
            "<http://www.openlinksw.com/schemas/bif#contains> is not supported by this engine",
        ),
        ({"params": [("query", COUNT), ("query", COUNT)]}, "one query"),
        ({"method": "POST", "data": {"query": COUNT, "update": "CLEAR ALL"}}, "update"),
        ({"method": "POST", "data": {"update": "CLEAR ALL"}}, "update"),
        ({"method": "POST", "data": {"other": "x"}}, "no 'query'"),
        (
            {
                "method": "POST",
                "content": b"SELECT * { ?s ?p '\xe9' }",  # Latin-1, not UTF-8
                "headers": {"Content-Type": "application/sparql-query"},
            },
            "not UTF-8",
        ),
    ],
)
def test_bad_requests_are_400_with_a_reason(base: str, kwargs: dict, fragment: str) -> None:
    r = sparql(base, **kwargs)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain") and fragment in r.text


@pytest.mark.parametrize(
    "headers,fragment",
    [({"Content-Type": "text/plain"}, "text/plain"), ({}, "no media type")],
)
def test_a_body_of_another_media_type_is_415(base: str, headers: dict, fragment: str) -> None:
    r = sparql(base, method="POST", content=COUNT, headers=headers)
    assert r.status_code == 415 and fragment in r.text


def test_direct_post_and_dataset_parameters(base: str) -> None:
    ontology = "https://w3id.org/openness-graph/graph/ontology"
    r = sparql(
        base,
        method="POST",
        content="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        params={"default-graph-uri": ontology},
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    in_ontology = int(r.text.split()[1])
    r = sparql(
        base,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200 and int(r.text.split()[1]) > in_ontology > 1000


def test_service_description_and_void(base: str) -> None:
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    graph = rdflib.Graph().parse(data=sparql(base).text, format="turtle")
    assert (None, sd.endpoint, rdflib.URIRef(base + "sparql")) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph
    void = http.get(base + ".well-known/void", headers={"Accept": "application/n-triples"})
    graph = rdflib.Graph().parse(data=void.text, format="nt")
    voidns = rdflib.Namespace("http://rdfs.org/ns/void#")
    mof = rdflib.URIRef("https://w3id.org/openness-graph/graph/source/mof")
    assert (None, voidns.subset, mof) in graph
    assert (mof, rdflib.DCTERMS.license, rdflib.URIRef("https://spdx.org/licenses/MIT")) in graph


@pytest.mark.parametrize("media", ["application/n-quads", "application/trig"])
def test_descriptions_in_quad_formats_sit_in_the_default_graph(base: str, media: str) -> None:
    endpoint = ox.Quad(
        ox.NamedNode(base + "sparql#service"),
        ox.NamedNode("http://www.w3.org/ns/sparql-service-description#endpoint"),
        ox.NamedNode(base + "sparql"),
    )
    for url in (base + "sparql", base + ".well-known/void"):
        r = http.get(url, headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        quads = list(ox.parse(r.content, format=ox.RdfFormat.from_media_type(media)))
        assert len(quads) > 10 and all(q.graph_name == ox.DefaultGraph() for q in quads)
        assert (endpoint in quads) == url.endswith("sparql")


def test_cors_head_and_gzip(base: str) -> None:
    pre = http.options(
        base + "sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    head = http.head(base + "sparql", params={"query": COUNT})
    assert head.status_code == 200 and head.content == b""
    big = http.get(
        base + "sparql",
        params={"query": "SELECT * WHERE { ?s a og:Model }"},
        headers={"Accept-Encoding": "gzip"},
    )
    assert big.headers["content-encoding"] == "gzip"
    assert json.loads(big.content)["results"]["bindings"]  # httpx decodes transparently
    raw = http.get(
        base + "sparql",
        params={"query": "SELECT * WHERE { ?s a og:Model }"},
        headers={"Accept-Encoding": "gzip"},
    ).read()
    assert raw and gzip  # the body round-trips through gzip


def test_a_slow_query_is_stopped_while_fast_ones_are_answered(limited: str) -> None:
    slow: dict[str, httpx.Response] = {}
    thread = threading.Thread(
        target=lambda: slow.setdefault("r", sparql(limited, params={"query": SLOW}))
    )
    thread.start()
    time.sleep(0.5)
    fast = [sparql(limited, params={"query": "ASK { ?s ?p ?o }"}) for _ in range(5)]
    assert all(r.status_code == 200 for r in fast)
    assert "r" not in slow  # answered while the slow one still ran
    thread.join(HANG_GUARD)
    assert slow["r"].status_code == 503 and "limit" in slow["r"].text
    assert sparql(limited, params={"query": "ASK {}"}).status_code == 200  # still serving


def test_result_and_request_size_limits(base: str) -> None:
    r = sparql(base, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 413 and "limit" in r.text
    r = sparql(
        base,
        method="POST",
        content="#" * 200_000,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 413


def test_service_is_refused(base: str) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"
    r = sparql(base, params={"query": query})
    assert r.status_code == 400 and "--allow-service" in r.text


def test_named_queries(base: str) -> None:
    catalogue = http.get(base + "queries", headers={"Accept": "application/json"}).json()
    assert len(catalogue) >= 15 and all(q["summary"] for q in catalogue)
    page = http.get(base + "queries", headers={"Accept": "text/html"})
    assert "models-passing" in page.text
    r = http.get(
        base + "queries/models-passing",
        params={"definition": "mof-1.0"},
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200 and "OLMo-7B" in r.text and "Class I" in r.text
    assert http.get(base + "queries/nope").status_code == 404


def test_updates_are_off_by_default(base: str) -> None:
    r = http.post(base + "update", data={"update": "CLEAR ALL"})
    assert r.status_code == 403
    # Both ways to turn them on: `make serve` passes no --update-token, the variable it does.
    assert "--update-token" in r.text and "OPENNESS_UPDATE_TOKEN" in r.text, r.text
    assert http.put(base + "store", params={"graph": "urn:g"}, content=b"").status_code == 403


@pytest.fixture
def writable(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "w")
    app = create_app({"STORE": store, "UPDATE_ENABLED": True, "UPDATE_TOKEN": "s3cret"})
    with serving(app) as url:
        yield url
    store.close()


def test_update_needs_the_token(writable: str) -> None:
    insert = {"update": "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } }"}
    assert http.post(writable + "update", data=insert).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert http.post(writable + "update", data=insert, headers=bad).status_code == 401
    ok = {"Authorization": "Bearer s3cret"}
    assert http.post(writable + "update", data=insert, headers=ok).status_code == 204
    direct = http.post(
        writable + "update",
        content=b"CLEAR GRAPH <urn:g>",
        headers={**ok, "Content-Type": "application/sparql-update"},
    )
    assert direct.status_code == 204


def test_an_update_percent_encoded_from_another_charset_is_400_and_stores_nothing(
    writable: str,
) -> None:
    """A form's 'caf%E9' (Latin-1) was stored as 'caf\ufffd', 204."""
    r = http.post(
        writable + "update",
        content=b"update=INSERT%20DATA%20%7B%20GRAPH%20%3Curn:g%3E%20%7B%20%3Curn:a%3E%20"
        b"%3Curn:b%3E%20%22caf%E9%22%20%7D%20%7D",
        headers={
            "Authorization": "Bearer s3cret",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert r.status_code == 400 and "not UTF-8" in r.text
    stored = http.get(writable + "sparql", params={"query": "ASK { GRAPH <urn:g> { ?s ?p ?o } }"})
    assert stored.json()["boolean"] is False


def test_a_form_updates_using_graph_uri_in_its_url_is_read(writable: str) -> None:
    """using-graph-uri in the URL of a form POST was ignored: the update read the store's
    own default graph, and copied nothing (204)."""
    token = {"Authorization": "Bearer s3cret"}
    insert = (
        "INSERT DATA { GRAPH <urn:one> { <urn:a> <urn:p> 1 } "
        "GRAPH <urn:two> { <urn:b> <urn:p> 2 } }"
    )
    assert http.post(writable + "update", data={"update": insert}, headers=token).status_code == 204
    copy = "INSERT { GRAPH <urn:dst> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    r = http.post(
        writable + "update",
        params={"using-graph-uri": "urn:one"},
        data={"update": copy},
        headers=token,
    )
    assert r.status_code == 204, r.text
    query = "SELECT ?s { GRAPH <urn:dst> { ?s ?p ?o } }"
    copied = http.get(writable + "sparql", params={"query": query}).json()
    assert [b["s"]["value"] for b in copied["results"]["bindings"]] == ["urn:a"]


@pytest.mark.parametrize(
    ("in_url", "refused"),
    [
        ({"update": "INSERT DATA { GRAPH <urn:g> { <urn:url> <urn:p> 1 } }"}, "exactly one"),
        ({"query": "ASK {}"}, "cannot carry a query"),
    ],
    ids=["an update in the URL too", "a query in the URL"],
)
def test_a_form_updates_url_is_read_beside_its_body(
    writable: str, in_url: dict[str, str], refused: str
) -> None:
    """A form POST's URL is read with its body, as /sparql reads it (and as the update's
    using-graph-uri is): an update in the URL beside the body's was dropped unsaid, and a
    query there let through — the body's update ran, 204. Now each is refused and nothing
    is stored; an update in the URL alone runs, as /sparql runs a query there."""
    token = {"Authorization": "Bearer s3cret"}
    body = {"update": "INSERT DATA { GRAPH <urn:g> { <urn:body> <urn:p> 1 } }"}
    r = http.post(writable + "update", params=in_url, data=body, headers=token)
    assert r.status_code == 400 and refused in r.text, r.text
    ask = {"query": "ASK { GRAPH <urn:g> { ?s ?p ?o } }"}
    assert http.get(writable + "sparql", params=ask).json()["boolean"] is False
    form = {**token, "Content-Type": "application/x-www-form-urlencoded"}
    alone = http.post(writable + "update", params=body, content=b"", headers=form)
    assert alone.status_code == 204, alone.text
    assert http.get(writable + "sparql", params=ask).json()["boolean"] is True


@pytest.mark.parametrize(
    "in_url",
    [{"update": "DROP GRAPH <urn:g>"}, {"query": "ASK {}"}],
    ids=["an update in the URL", "a query in the URL"],
)
def test_a_direct_updates_url_carries_no_update_nor_query(
    writable: str, in_url: dict[str, str]
) -> None:
    """A direct POST (application/sparql-update) carries its update in its body, as
    /sparql's direct POST carries its query: an update= in the URL was dropped unsaid
    and a query= there let through, the body's update run (204), where a form POST
    refuses both. Now 400, and nothing is stored."""
    headers = {"Authorization": "Bearer s3cret", "Content-Type": "application/sparql-update"}
    body = b"INSERT DATA { GRAPH <urn:g> { <urn:body> <urn:p> 1 } }"
    r = http.post(writable + "update", params=in_url, content=body, headers=headers)
    assert r.status_code == 400 and "in its body" in r.text, r.text
    ask = {"query": "ASK { GRAPH <urn:g> { ?s ?p ?o } }"}
    assert http.get(writable + "sparql", params=ask).json()["boolean"] is False


def test_graph_store_protocol(writable: str) -> None:
    ok = {"Authorization": "Bearer s3cret", "Content-Type": "text/turtle"}
    url = writable + "store"
    assert (
        http.put(
            url, params={"graph": "urn:g"}, content=b"<urn:a> <urn:b> <urn:c> .", headers=ok
        ).status_code
        == 201
    )
    assert (
        http.post(
            url, params={"graph": "urn:g"}, content=b"<urn:a> <urn:b> <urn:d> .", headers=ok
        ).status_code
        == 204
    )
    got = http.get(url, params={"graph": "urn:g"}, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and got.text.count("\n") == 2  # reads need no token
    assert http.delete(url, params={"graph": "urn:g"}).status_code == 401
    assert (
        http.delete(
            url, params={"graph": "urn:g"}, headers={"Authorization": "Bearer s3cret"}
        ).status_code
        == 204
    )
    assert http.get(url, params={"graph": "urn:g"}).status_code == 404
    kept = b"<urn:a> <urn:b> <urn:c> ."
    assert http.put(url, params={"graph": "urn:k"}, content=kept, headers=ok).status_code == 201
    forged = http.put(
        url,
        params={"graph": "urn:g> { <urn:x> <urn:y> <urn:z> } } ; DROP ALL ; #"},
        content=b"<urn:a> <urn:b> <urn:c> .",
        headers=ok,
    )
    assert forged.status_code == 400 and "IRI" in forged.text
    assert http.get(url, params={"graph": "urn:k"}).status_code == 200


def test_the_endpoint_describes_itself_where_it_was_asked(base: str) -> None:
    """A browser asking /sparql for a page gets the query editor; a program, the service
    description, naming the endpoint it fetched (/query as well as /sparql)."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = sparql(base, headers={"Accept": browser})
    assert page.status_code == 303 and page.headers["Location"].endswith("/editor")
    assert "Accept" in page.headers["Vary"]
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    for path in ("sparql", "query"):
        answer = http.get(base + path, headers={"Accept": "text/turtle"})
        graph = rdflib.Graph().parse(data=answer.text, format="turtle")
        assert (None, sd.endpoint, rdflib.URIRef(base + path)) in graph


@pytest.fixture(scope="module")
def two_graphs(tmp_path_factory: pytest.TempPathFactory):
    """A read-only endpoint on a store of two small graphs, for the protocol's details."""
    store = EmbeddedStore(tmp_path_factory.mktemp("two") / "store")
    store.update(
        "INSERT DATA { GRAPH <urn:one> { <urn:a> <urn:p> 'café' } "
        "GRAPH <urn:two> { <urn:b> <urn:p> 1 . <urn:c> <urn:p> 2 } }"
    )
    with serving(create_app({"STORE": store})) as url:
        yield url
    store.close()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"url": "?query=ASK%20%7B%20?s%20?p%20%22caf%E9%22%20%7D"},  # Latin-1 é
        {
            "method": "POST",
            "content": b"query=ASK%20%7B%20?s%20?p%20%22caf%E9%22%20%7D",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
    ],
)
def test_a_query_percent_encoded_from_another_charset_is_400(two_graphs: str, kwargs) -> None:
    """Werkzeug decodes %E9 as a replacement character: the query ran, asking for
    'caf\\ufffd', and answered false (200) where it meant 'café'."""
    url = two_graphs + "sparql" + kwargs.pop("url", "")
    r = http.request(kwargs.pop("method", "GET"), url, **kwargs)
    assert r.status_code == 400 and "not UTF-8" in r.text
    utf8 = http.get(two_graphs + "sparql", params={"query": "ASK { ?s ?p 'café' }"})
    assert utf8.json()["boolean"] is True


@pytest.mark.parametrize(
    "kwargs",
    [
        {"url": "?format=json&query=ASK%20%7B%20?s%20?p%20%22caf%E9%22%20%7D"},
        {
            "method": "POST",
            "content": b"format=json&query=ASK+%7B+?s+?p+%22caf%E9%22+%7D",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
    ],
    ids=["URL", "form"],
)
def test_a_parameter_not_utf8_is_named_with_its_byte(two_graphs: str, kwargs) -> None:
    """The refusal counted the byte in the whole string decoded ('at byte 34': 'format=json&'
    and 'query=' counted), a place in nothing one wrote, and named no parameter."""
    url = two_graphs + "sparql" + kwargs.pop("url", "")
    r = http.request(kwargs.pop("method", "GET"), url, **kwargs)
    assert r.status_code == 400
    assert "'query' in the " in r.text and "(0xe9, byte 17 of its value)" in r.text, r.text


def test_a_form_posts_dataset_parameters_in_its_url_are_read(two_graphs: str) -> None:
    """A form POST whose default-graph-uri is in the URL (as servlet endpoints read it) was
    answered over the whole dataset, silently: 3 triples, not the graph's 1."""
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    r = http.post(
        two_graphs + "sparql",
        params={"default-graph-uri": "urn:one"},
        data={"query": count},
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200 and r.text.split() == ["n", "1"]
    both = http.post(  # one in the URL, one in the body: the union of both
        two_graphs + "sparql",
        params={"default-graph-uri": "urn:one"},
        data={"query": count, "default-graph-uri": "urn:two"},
        headers={"Accept": "text/csv"},
    )
    assert both.text.split() == ["n", "3"]
