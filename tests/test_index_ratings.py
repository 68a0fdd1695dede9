"""The European Open Source AI Index as the Index grades (issue 10, category 7, A-18): its
ratings and its score, and no pass or fail it does not give."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from openness.assess.definitions import definitions
from openness.assess.grade import Verdict
from openness.server import create_app

INDEX = "eu-osai-index"


@pytest.fixture(scope="module")
def rated(everything) -> list[Verdict]:
    _, run = everything
    return [v for v in run.verdicts if v.definition == INDEX]


def test_the_shapes_declare_that_the_index_passes_no_model() -> None:
    d = definitions()[INDEX]
    assert d.passes_models is False and d.score_query
    header = d.file.read_text(encoding="utf-8").split("@prefix", 1)[0]
    assert "no pass or fail" in header and "og:passesModels false" in header
    assert all(other.passes_models for other in definitions().values() if other.id != INDEX)


def test_every_system_the_index_rates_is_rated_with_its_score(rated) -> None:
    inside = [v for v in rated if v.in_scope]
    assert len(inside) > 150
    assert {v.outcome for v in inside} == {"inapplicable"}
    assert all(v.score is not None for v in inside)
    # Fully open on all 12 dimensions (score 1) is still no 'pass' the Index never gives.
    assert any(v.score == 1.0 for v in inside)
    outside = [v for v in rated if not v.in_scope]
    assert outside and {v.outcome for v in outside} == {"cantTell"}


def test_each_dimension_shows_the_index_rating(rated) -> None:
    v = next(v for v in rated if v.name == "Llama-3.3-70B-Instruct")
    dims = {r.id.removeprefix(INDEX + "."): r for r in v.requirements}
    assert len(dims) == 12
    weights = dims["weights_endmodel"]
    assert weights.outcome == "failed"
    assert weights.reasons == [
        "osai-index record 'llama-3.3': End User Model Weights rated partial"
    ]


@pytest.fixture(scope="module")
def client(reported: Path) -> FlaskClient:
    return create_app({"STORE_LOCATION": str(reported), "TESTING": True}).test_client()


def test_pages_and_api_show_rated_with_the_score_and_nothing_to_pass(client) -> None:
    model = "meta-llama--meta-llama-3-70b-instruct"
    (v,) = [
        v for v in client.get(f"/api/models/{model}").json["verdicts"] if v["definition"] == INDEX
    ]
    assert v["outcome"] == "inapplicable" and v["score"] is not None and v["rank"]
    to_pass = client.get(f"/api/models/{model}/changes-to-pass").json
    assert INDEX not in {d["definition"] for d in to_pass}
    page = client.get(f"/models/{model}").text
    assert '<td class="inapplicable">rated' in page
