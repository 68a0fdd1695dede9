"""The links a server writes about itself name the address clients reach it at
(--public-url), not the one its proxy sends requests to; under a path too."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from openness.namespaces import Graphs
from openness.server import create_app
from openness.server.context import current_guard
from openness.server.public_url import NotAPublicUrl, public_url

INNER = {"Host": "127.0.0.1:8000"}  # what a proxy in front sends, by default
UNDER = "https://example.org/openness"  # served under a path, by a proxy in front
PREFIX = "/openness"
OLMO = "allenai--olmo-7b"


@pytest.fixture(scope="module")
def apps(reported: Path) -> dict[str | None, Flask]:
    return {
        url: create_app({"STORE_LOCATION": str(reported), "TESTING": True, "PUBLIC_URL": url})
        for url in (None, "https://graph.example.org", "http://graph.example.org:8443/", UNDER)
    }


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/.well-known/void", "text/turtle"),  # void:sparqlEndpoint, the dump
        ("/catalog", "text/turtle"),  # dcat:endpointURL, foaf:homepage
        ("/sparql", "text/turtle"),  # the service description's sd:endpoint
        ("/changes", "application/atom+xml"),  # the feed's own link and the entries'
    ],
)
def test_self_links_name_the_public_address(
    apps: dict[str | None, Flask], path: str, accept: str
) -> None:
    """Behind a proxy a request arrives for http://127.0.0.1:8000/; the VoID description,
    the catalogue, the service description and the Atom feed named
    that inner address as the SPARQL endpoint, the dump and the feed, which no reader can
    follow."""
    headers = {**INNER, "Accept": accept}
    inner = apps[None].test_client().get(path, headers=headers).get_data(as_text=True)
    assert "http://127.0.0.1:8000/" in inner, inner[:2000]
    for url, base in (
        ("https://graph.example.org", "https://graph.example.org/"),
        ("http://graph.example.org:8443/", "http://graph.example.org:8443/"),
        (UNDER, UNDER + "/"),
    ):
        answer = apps[url].test_client().get(path, headers=headers)
        body = answer.get_data(as_text=True)
        assert answer.status_code == 200, body[:500]
        assert base in body and "127.0.0.1:8000" not in body, body[:2000]
        if url == UNDER:  # every link to this server under the path
            assert "https://example.org/" not in body.replace(base, ""), body[:2000]


def test_a_model_page_links_its_iri_to_the_public_address(apps: dict[str | None, Flask]) -> None:
    """A model page's links to the graph (its IRI made local, the SPARQL endpoint) are
    written under the public address too."""
    client = apps["https://graph.example.org"].test_client()
    page = client.get("/models/OLMo-7B", headers=INNER, follow_redirects=True)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    origins = set(re.findall(r'(?:href|src|action)="(https?://[^/"]*)', body))
    assert "https://graph.example.org" in origins, origins
    assert "127.0.0.1:8000" not in body


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://graph.example.org/og/?x=1", "names a query or a fragment"),
        ("https://graph.example.org/#top", "names a query or a fragment"),
        ("https://graph.example.org/a%20b", "has a path of other than"),
        ("https://graph.example.org/og/../x", "has a path of other than"),
        ("ftp://graph.example.org", "is not an http(s) URL"),
        ("graph.example.org", "is not an http(s) URL"),
        ("https://", "is not an http(s) URL"),
        ("https://graph.example.org:99999", "is not a URL"),
        ("https://me:secret@graph.example.org", "user name or password"),
    ],
)
def test_a_public_url_is_an_http_address_with_no_query(url: str, says: str) -> None:
    """Anything but an http(s) address, or one with a query, fragment or credentials, or a
    path whose characters are written otherwise encoded than not, is refused."""
    with pytest.raises(NotAPublicUrl, match=re.escape(says)) as refused:
        public_url(url)
    assert repr(url) in str(refused.value)


def test_a_public_url_keeps_its_port_and_path() -> None:
    assert public_url("https://graph.example.org") == ("https", "graph.example.org", "")
    assert public_url("http://[::1]:8443/") == ("http", "[::1]:8443", "")
    assert public_url("https://example.org/a/og-1/") == ("https", "example.org", "/a/og-1")


# Pages a crawl from the home page does not reach by a link: a model no name finds (the
# 404 page), a search's answers.
SEEDS = ["/", "/models/no-such-model", "/search?q=OLMo", "/search?q=no-such-thing"]
LINK = re.compile(r'(?:href|src|action)="([^"]*)"')


def _kind(path: str) -> tuple[str, int]:
    """Pages alike but for a name in their path (two models' pages): one is read for its
    links."""
    segments = urlsplit(path).path.split("/")
    return segments[1] if len(segments) > 1 else "", len(segments)


def _resolves(client: FlaskClient, link: str) -> str:
    """``link``, written under the public path, asked as a proxy in front sends it (the
    path taken off): the page it ends at (redirects followed, each to under the path),
    which is not a 404. A redirect's body or an RDF answer is fine; its links are not read."""
    assert link.startswith(PREFIX + "/"), link
    path = link.removeprefix(PREFIX)
    while True:
        with client.get(path, headers={**INNER, "Accept": "text/html"}) as answer:
            body = answer.get_data(as_text=True)
        if answer.status_code not in (301, 302, 303, 307, 308):
            break
        location = answer.headers["Location"].removeprefix("https://example.org")
        assert location.startswith(PREFIX + "/"), (link, location)
        path = location.removeprefix(PREFIX)
    assert answer.status_code != 404, (link, path)
    for header in answer.headers.get_all("Link"):
        for target in re.findall(r"<([^>]*)>", header):
            assert target.startswith(UNDER + "/"), (link, header)
    return body if answer.mimetype == "text/html" else ""


def test_every_link_of_every_page_is_under_the_public_path(apps: dict[str | None, Flask]) -> None:
    """Served under a path (https://example.org/openness, the proxy passing /openness/x on
    as /x), the pages linked each other from the root (href="/matrix"), which the proxy
    does not route: every link, form and script of every kind of page is written under
    the path, and each one resolves. A link to this server written whole names the path
    too (the editor's SPARQL endpoint)."""
    client = apps[UNDER].test_client()
    read: set[tuple[str, int]] = set()
    asked: set[str] = set()
    pages = [(seed, PREFIX + seed) for seed in SEEDS]
    while pages:
        path, link = pages.pop()
        with client.get(path, headers=INNER) as answer:
            body = answer.get_data(as_text=True)
        for found in map(html.unescape, LINK.findall(body)):
            if found.startswith("//") or found.startswith("https://example.org/"):
                assert found.startswith(UNDER + "/"), (link, found)
            elif found.startswith("/"):
                target = found.split("#", 1)[0]
                if target not in asked:
                    asked.add(target)
                    page = _resolves(client, target)
                    if page and _kind(target.removeprefix(PREFIX)) not in read:
                        read.add(_kind(target.removeprefix(PREFIX)))
                        pages.append((target.removeprefix(PREFIX), target))
    assert {("matrix", 2), ("models", 3), ("definitions", 3), ("editor", 2), ("ns", 2)} <= read
    editor = client.get("/editor", headers=INNER).get_data(as_text=True)
    config = json.loads(
        html.unescape(re.search(r'id="editor-config"[^>]*>(.*?)</script>', editor, re.S)[1])
    )
    assert config["endpoint"] == UNDER + "/sparql"
    assert config["root"] == PREFIX + "/" and config["resource"] == PREFIX + "/resource"


def test_a_proxy_may_pass_the_path_on(apps: dict[str | None, Flask]) -> None:
    """A proxy passing the request as the client sent it (nginx's proxy_pass with no path,
    which keeps its percent-encoding) reaches the same routes."""
    client = apps[UNDER].test_client()
    for path in ("/openness/matrix", "/openness", "/openness/"):
        answer = client.get(path, headers=INNER)
        assert answer.status_code == 200, path
        assert 'href="/openness/definitions"' in answer.get_data(as_text=True)
    assert client.get("/openness-other/matrix", headers=INNER).status_code == 404


@pytest.mark.parametrize(
    ("root", "sent", "letter"),
    [
        (PREFIX, "/openness%2Fstatic/style.css", "/%6Fpenness"),
        (PREFIX, "/openness%2fstatic/style.css", "/%6Fpenness"),
        ("/a/og", "/a%2Fog/static/style.css", "/a/%6Fg"),
        ("/a/og", "/a/og%2Fstatic/style.css", "/a/%6Fg"),
    ],
)
def test_an_encoded_slash_in_the_public_path_is_no_separator(
    reported: Path, root: str, sent: str, letter: str
) -> None:
    """PATH_INFO is decoded: /openness%2Fstatic/style.css, one segment "openness/static",
    was taken for the public path and served as /static/style.css. An encoded letter is
    that letter (RFC 3986): /%6Fpenness is /openness."""
    config = {"STORE_LOCATION": str(reported), "TESTING": True}
    client = create_app({**config, "PUBLIC_URL": "https://example.org" + root}).test_client()
    for served in (root, letter):
        with client.get(served + "/static/style.css") as style:
            assert style.status_code == 200, served
    with client.get(sent, headers={"Accept": "text/plain"}) as answer:
        assert answer.status_code == 404
        assert sent in answer.text.split()  # as sent, not under the public path again


@pytest.mark.parametrize(("url", "under"), [(None, ""), (UNDER, ""), (UNDER, PREFIX)])
def test_an_encoded_slash_splits_no_segment_of_a_route(
    apps: dict[str | None, Flask], url: str | None, under: str
) -> None:
    """WSGI decodes the path before the routes see it: /static%2Fstyle.css was the style
    sheet, /id%2Fmodel/… a model's IRI. Only where a route takes a path whole may a segment
    hold an encoded slash: a model's page by its Hub id, org%2Fname, still finds it."""
    client = apps[url].test_client()
    root = PREFIX if url else ""
    for path in (
        "/static%2Fstyle.css",
        f"/id%2Fmodel/{OLMO}",
        f"/api/models/{OLMO}%2Fconformance",
        f"/models/{OLMO}%2Fchanges",
    ):
        with client.get(under + path, headers={"Accept": "text/plain"}) as answer:
            assert answer.status_code == 404, path
            assert f"{root}{path}" in answer.text.split()  # as sent, its slash encoded
    with client.get(under + "/static/style.css") as style:
        assert style.status_code == 200
    for hub_id in ("allenai%2FOLMo-7B", "allenai/OLMo-7B"):
        answer = client.get(f"{under}/models/{hub_id}")
        assert answer.status_code == 303, hub_id
        assert answer.headers["Location"] == f"{root}/models/{OLMO}"


# What a client is told in words where it asked amiss, each answer naming a route of ours.
SAID = [
    ("GET", "/store?graph=urn:a&graph=urn:b", 400, f"name one graph: {PREFIX}/store?graph="),
    ("GET", "/store?default", 413, f"each named graph at {PREFIX}/store?graph=IRI"),
    ("GET", f"/store?graph={Graphs.ONTOLOGY}", 413, f"a page at a time at {PREFIX}/sparql "),
    ("GET", "/dump/openness.nq.gz", 404, f"each named graph is at {PREFIX}/store?graph=IRI"),
    ("GET", "/resource?iri=x", 400, f"absolute IRI: {PREFIX}/resource?iri=<"),
    ("GET", "/api/x", 404, f"{PREFIX}/api/x is no route of the API: {PREFIX}/openapi.json "),
    ("GET", "/x", 404, f"nothing is at {PREFIX}/x"),
    ("DELETE", "/catalog", 405, f"{PREFIX}/catalog takes GET"),
    ("GET", "/queries/no-such-query", 404, f"see {PREFIX}/queries"),
    ("GET", "/sparql?update=CLEAR%20ALL", 400, f"by POST to {PREFIX}/update"),
]
ROOTED = re.compile(r"(?:^|[\s(<:])(/[A-Za-z][^\s)>]*)")


@pytest.fixture(scope="module")
def limited(reported: Path) -> Iterator[FlaskClient]:
    """Served under a path, with a result limit the large graphs are over."""
    app = create_app(
        {
            "STORE_LOCATION": str(reported),
            "TESTING": True,
            "PUBLIC_URL": UNDER,
            "MAX_RESULT_BYTES": 2000,
        }
    )
    yield app.test_client()
    guard = current_guard(app)
    if guard is not None:  # made by the first query; a test run alone may make none
        guard.close()


@pytest.mark.parametrize(("method", "path", "status", "says"), SAID)
def test_an_answer_in_words_names_the_path_a_client_must_use(
    limited: FlaskClient, method: str, path: str, status: int, says: str
) -> None:
    """Served under a path, the answers in words named the routes a client should use
    from the root (/store?graph=IRI, /resource?iri=, /sparql, /openapi.json, the path it
    asked), which the proxy in front does not route: each names them under the path."""
    headers = {**INNER, "Accept": "text/turtle" if "/store" in path else "text/plain"}
    answer = limited.open(path, method=method, headers=headers)
    assert (answer.status_code, answer.mimetype) == (status, "text/plain")
    assert says in answer.text, answer.text
    for rooted in ROOTED.findall(answer.text):
        assert rooted.startswith(PREFIX + "/"), answer.text


def test_a_model_the_api_does_not_know_is_answered_with_the_list_under_the_path(
    apps: dict[str | None, Flask],
) -> None:
    """The API's 404 for an unknown model named /api/conformance, the list of the models'
    ids, from the root (a store with no result limit: finding no model reads the names)."""
    web = apps[UNDER].test_client()
    answer = web.get("/api/models/no-such-model", headers={**INNER, "Accept": "text/plain"})
    assert answer.status_code == 404, answer.text
    assert f"the ids of the models are listed by {PREFIX}/api/conformance" in answer.text


def test_the_api_description_names_the_path_its_paths_are_under(
    apps: dict[str | None, Flask],
) -> None:
    """OpenAPI resolves a relative server against the description's own address; with no
    server given a client asked https://example.org/sparql."""
    for url, server in ((None, "/"), (UNDER, PREFIX)):
        described = apps[url].test_client().get("/openapi.json", headers=INNER).get_json()
        assert described["servers"] == [{"url": server}]


@pytest.mark.parametrize("path", ["/graph", "/sparql", "/models/x", "/static"])
def test_a_public_path_beginning_as_the_servers_own_addresses_is_refused(
    reported: Path, path: str
) -> None:
    """Served under /graph, a request the proxy passed with the path taken off
    (/graph/source/mof, the named graph) looked like one passed with it on, and was taken
    for the page /source/mof: 404. A path whose first segment is one of the server's own
    is refused, naming it; one that only contains such a segment later is served."""
    config = {"STORE_LOCATION": str(reported), "TESTING": True}
    with pytest.raises(NotAPublicUrl, match=f"begin with /{path.split('/')[1]}"):
        create_app({**config, "PUBLIC_URL": "https://example.org" + path})
    client = create_app({**config, "PUBLIC_URL": "https://example.org/og" + path}).test_client()
    assert client.get("/graph/source/mof", headers={"Accept": "text/turtle"}).status_code == 200
