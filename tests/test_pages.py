"""The web pages as HTTP answers (the browser tests drive the same pages in Chromium):
"Is X open?", the model page and its evidence, validation, the layout every page shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from openness.assess.definitions import definitions
from openness.server import create_app

OLMO = "allenai--olmo-7b"


@pytest.fixture(scope="module")
def client(reported: Path) -> FlaskClient:
    return create_app({"STORE_LOCATION": str(reported), "TESTING": True}).test_client()


def test_search_answers_with_one_line_per_definition(client: FlaskClient) -> None:
    answer = client.get("/api/search?q=llama 2").json
    best = answer["matches"][0]
    assert best["name"] == "Llama-2-7B"  # the family's name; the closest release first
    assert len(best["verdicts"]) == len(definitions())
    assert {v["outcome"] for v in best["verdicts"]} <= {"passed", "failed", "cantTell"}
    assert all(v["why"] for v in best["verdicts"] if v["outcome"] != "passed")
    assert {m["name"] for m in answer["matches"]} >= {"Llama-2-13B", "Llama-2-70B"}


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("lama2 7b", "Llama-2-7B"),  # typos
        ("allenai/OLMo-7B", "OLMo-7B"),  # a Hub repository id
        ("tiiuae/falcon-40b", "Falcon-40B"),
        ("falcon 40", "Falcon-40B"),
        ("crystalcoder", "CrystalCoder"),
    ],
)
def test_search_matches_names_loosely(client: FlaskClient, typed: str, expected: str) -> None:
    assert client.get("/api/search", query_string={"q": typed}).json["matches"][0]["name"] == (
        expected
    )


def test_search_finds_nothing_for_nonsense(client: FlaskClient) -> None:
    assert client.get("/api/search?q=xyzzy qwv").json["matches"] == []
    page = client.get("/search?q=xyzzy qwv")
    assert page.status_code == 200 and "No model in the graph" in page.text


def test_the_search_page_shows_the_verdicts(client: FlaskClient) -> None:
    page = client.get("/search?q=olmo 7b").text
    assert "Is “olmo 7b” open?" in page and 'href="/models/allenai--olmo-7b"' in page
    for d in definitions().values():
        assert d.label in page


def test_every_page_has_the_search_box(client: FlaskClient) -> None:
    for path in ("/", "/matrix", "/validate", "/editor", f"/models/{OLMO}", "/search?q=x"):
        assert 'role="search"' in client.get(path).text, path


def test_model_urls_resolve_names_to_the_model(client: FlaskClient) -> None:
    for name in ("OLMo-7B", "allenai/OLMo-7B", "olmo 7b"):
        r = client.get(f"/models/{name}")
        assert r.status_code == 303 and r.headers["Location"].endswith(f"/models/{OLMO}"), name
    assert client.get(f"/models/{OLMO}").status_code == 200
    family = client.get("/models/Llama 2")  # several releases: the person chooses
    assert family.status_code == 404 and "Llama-2-7B" in family.text
    assert client.get("/models/xyzzy qwv").status_code == 404


def test_favicon(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as r:
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"
