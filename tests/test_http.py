"""HTTP details every answer shares: authorization of writes, CORS, compression, and the
headers caches read (Vary, ETag)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from openness.server import create_app
from openness.store import EmbeddedStore

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


@pytest.fixture
def client() -> FlaskClient:
    return create_app({"TESTING": True, "STORE": EmbeddedStore(None)}).test_client()


def test_a_cross_origin_script_may_read_the_headers_that_matter(client: FlaskClient) -> None:
    # Pagination (Link), 429/503 (Retry-After), redirects (Location), validators (ETag)
    r = client.get("/api/conformance", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in r.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"link", "retry-after", "location", "etag", "www-authenticate"} <= exposed
