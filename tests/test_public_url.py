"""The links a server writes about itself name the address clients reach it at
(--public-url), not the one its proxy sends requests to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from openness.server import create_app
from openness.server.public_url import NotAnOrigin, origin

INNER = {"Host": "127.0.0.1:8000"}  # what a proxy in front sends, by default


@pytest.fixture(scope="module")
def apps(reported: Path) -> dict[str | None, Flask]:
    return {
        url: create_app({"STORE_LOCATION": str(reported), "TESTING": True, "PUBLIC_URL": url})
        for url in (None, "https://graph.example.org", "http://graph.example.org:8443/")
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
    ):
        answer = apps[url].test_client().get(path, headers=headers)
        body = answer.get_data(as_text=True)
        assert answer.status_code == 200, body[:500]
        assert base in body and "127.0.0.1:8000" not in body, body[:2000]


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
        ("https://graph.example.org/og/", "names a path"),
        ("https://graph.example.org/?x=1", "names a path, a query"),
        ("ftp://graph.example.org", "is not an http(s) URL"),
        ("graph.example.org", "is not an http(s) URL"),
        ("https://", "is not an http(s) URL"),
        ("https://graph.example.org:99999", "is not a URL"),
        ("https://me:secret@graph.example.org", "user name or password"),
    ],
)
def test_a_public_url_is_an_origin(url: str, says: str) -> None:
    """The pages link each other from the root, so an address under a path would be
    half followed: it is refused, as anything else that is no http(s) origin."""
    with pytest.raises(NotAnOrigin, match=re.escape(says)) as refused:
        origin(url)
    assert repr(url) in str(refused.value)


def test_an_origin_keeps_its_port() -> None:
    assert origin("https://graph.example.org") == ("https", "graph.example.org")
    assert origin("http://[::1]:8443/") == ("http", "[::1]:8443")
