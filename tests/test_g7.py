"""The G7 openness labels (shapes/g7-openness-2026.ttl): one passing and one failing fixture
per requirement, three-valued labels, and the labels of real models."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_of
from flask.testing import FlaskClient

from openness.assess.grade import Verdict
from openness.assess.run import assess
from openness.assess.service import resolve_models
from openness.assess.validate import validate_description
from openness.cli import cli
from openness.server import create_app

G7 = "g7-openness-2026"
FIXTURES = Path(__file__).parent / "fixtures" / "g7" / "labels.ttl"
LABELS = [
    "Weights Available AI",
    "Open Weights AI",
    "Open Source AI",
    "Open Source AI with Open Data",
]

# The fixture model failing each requirement, and the label it still reaches.
FAILS = {
    "wa-weights": ("G7 No Weights LM", None),
    "wa-deployment-code": ("G7 No Inference Code LM", None),
    "ow-weights-licence": ("G7 NC Weights LM", "Weights Available AI"),
    "ow-deployment-code-licence": ("G7 NC Inference Code LM", "Weights Available AI"),
    "ow-no-approval": ("G7 Gated LM", "Weights Available AI"),
    "os-training-code": ("G7 No Training Code LM", "Open Weights AI"),
    "os-training-code-licence": ("G7 NC Training Code LM", "Open Weights AI"),
    "os-training-data": ("G7 No Data LM", "Open Weights AI"),
    "osd-data-released": ("G7 Unshareable Data LM", "Open Source AI"),
    "osd-data-licence": ("G7 NC Data LM", "Open Source AI"),
}
# A component stated not released has no licence to judge (the release's is not its): the
# fixture failing its release cannot tell its licence requirement.
UNLICENSED = {
    "os-training-code": "os-training-code-licence",
    "osd-data-released": "osd-data-licence",
}


@pytest.fixture(scope="module")
def fixtures() -> dict[str, Verdict]:
    run = validate_description(FIXTURES.read_bytes(), FIXTURES.name, [G7])
    return {v.name: v for v in run.verdicts}


def _outcomes(v: Verdict) -> dict[str, str]:
    return {r.id.removeprefix(G7 + "."): r.outcome for r in v.requirements}


def test_every_requirement_has_a_failing_fixture(fixtures) -> None:
    assert set(_outcomes(fixtures["G7 Open Data LM"])) == set(FAILS)


def test_the_open_fixture_passes_every_requirement_and_reaches_the_top_label(fixtures) -> None:
    v = fixtures["G7 Open Data LM"]
    assert set(_outcomes(v).values()) == {"passed"}
    assert (v.outcome, v.level, v.reasons) == ("passed", LABELS[-1], [])
    assert v.level_outcomes == dict.fromkeys(LABELS, "passed")


@pytest.mark.parametrize("requirement", sorted(FAILS))
def test_each_requirement_fails_on_its_fixture_and_the_label_stops_below(
    fixtures, requirement: str
) -> None:
    name, label = FAILS[requirement]
    v = fixtures[name]
    outcomes = _outcomes(v)
    expected = {requirement: "failed"}
    if requirement in UNLICENSED:
        expected[UNLICENSED[requirement]] = "cantTell"
    assert {r: o for r, o in outcomes.items() if o not in ("passed", "untested")} == expected
    # The labels above the one it fails are not judged (their progress is 0 regardless).
    above = LABELS[LABELS.index(label) + 2 :] if label else LABELS[1:]
    prefixes = {"Open Weights AI": "ow-", "Open Source AI": "os-"}
    prefixes["Open Source AI with Open Data"] = "osd-"
    untested = {r for r in outcomes if any(r.startswith(prefixes[lv]) for lv in above)}
    assert {r for r, o in outcomes.items() if o == "untested"} == untested
    assert v.level == label
    assert v.outcome == ("failed" if label is None else "passed")
    # The reasons given are the next label's, and name the requirements it does not pass.
    assert {r.split(": ")[0] for r in v.reasons} == {f"{G7}.{r}" for r in expected}
    reached = LABELS.index(label) + 1 if label else 0
    assert v.level_outcomes == {
        lv: "passed" if i < reached else "failed" for i, lv in enumerate(LABELS)
    }


def test_withheld_data_fails_open_source_naming_the_missing_justification(fixtures) -> None:
    (reason,) = fixtures["G7 No Data LM"].reasons
    assert "not released" in reason and "legally or technically impossible" in reason


def test_unshareable_data_with_a_reason_and_a_data_card_is_open_source(fixtures) -> None:
    v = fixtures["G7 Unshareable Data LM"]
    assert _outcomes(v)["os-training-data"] == "passed"
    assert v.level == "Open Source AI"


def test_a_label_that_cannot_be_told_is_shown_as_such(fixtures) -> None:
    v = fixtures["G7 Silent Training LM"]
    assert v.level == "Open Weights AI" and v.outcome == "passed"
    assert v.level_outcomes == {
        "Weights Available AI": "passed",
        "Open Weights AI": "passed",
        "Open Source AI": "cantTell",
        "Open Source AI with Open Data": "cantTell",
    }
    assert v.reasons and all(": no evidence: " in r for r in v.reasons)


LLAMAS = [
    "Llama-2-7B",
    "Llama-2-chat-70B",
    "Llama-3-8B",
    "Llama-3.1-8B-Instruct",
    "Llama-3.2-3B-Instruct",
    "Llama-3.3-70B-Instruct",
    "Meta-Llama-3-70B-Instruct",
    "Llama-4-Maverick-17B-128E-Instruct",
]
OLMOS = ["OLMo-7B", "OLMo-1B-hf", "OLMo-7B-hf"]


@pytest.fixture(scope="module")
def real(built) -> dict[str, Verdict]:
    store = copy_of(built)
    return {v.name: v for v in assess(store, [G7], resolve_models(store, LLAMAS + OLMOS)).verdicts}


@pytest.mark.parametrize("name", LLAMAS)
def test_llama_models_are_weights_available_at_best(real, name: str) -> None:
    v = real[name]
    assert v.level in (None, "Weights Available AI")
    assert v.level_outcomes["Open Weights AI"] != "passed"


def test_llama_3_with_its_community_licence_is_weights_available(real) -> None:
    v = real["Meta-Llama-3-70B-Instruct"]
    assert (v.outcome, v.level) == ("passed", "Weights Available AI")
    assert v.level_outcomes["Open Weights AI"] == "failed"
    assert any("Community License" in r for r in v.reasons)


@pytest.mark.parametrize("name", OLMOS)
def test_olmo_is_open_source_ai_or_higher(real, name: str) -> None:
    assert real[name].level in ("Open Source AI", "Open Source AI with Open Data")


@pytest.fixture(scope="module")
def client(reported: Path) -> FlaskClient:
    return create_app({"STORE_LOCATION": str(reported), "TESTING": True}).test_client()


def test_the_api_gives_the_label_and_each_label_three_valued(client: FlaskClient) -> None:
    verdicts = client.get("/api/models/allenai--olmo-7b").json["verdicts"]
    (g7,) = [v for v in verdicts if v["definition"] == G7]
    assert g7["level"] in ("Open Source AI", "Open Source AI with Open Data")
    assert set(g7["levelOutcomes"]) == set(LABELS) == set(g7["progress"])
    assert set(g7["levelOutcomes"].values()) <= {"passed", "failed", "cantTell"}
    found = client.get(f"/api/conformance?definition={G7}&level=Weights Available AI").json
    assert "Meta-Llama-3-70B-Instruct" in {i["name"] for i in found["items"]}


def test_the_model_page_shows_the_label_and_why_the_next_is_not_reached(
    client: FlaskClient,
) -> None:
    page = client.get("/models/meta-llama--meta-llama-3-70b-instruct").text
    assert "Weights Available AI" in page
    assert 'Open Weights AI: <span class="failed">failed</span>' in page
    assert "Why not Open Weights AI: G7 openness labels" in page
    # the levels lowest first, each with its progress bar
    bars = [page.index(f">{label}</label>") for label in LABELS]
    assert bars == sorted(bars)


def test_the_matrix_and_the_report_show_the_label(client: FlaskClient, reported: Path) -> None:
    matrix = client.get("/matrix?q=meta llama 3 70b").text
    assert "G7 openness labels level</button>" in matrix and "MOF 1.0 level</button>" in matrix
    assert "<td>Weights Available AI</td>" in matrix
    result = CliRunner().invoke(cli, ["--store", str(reported), "report", "--format", "md"])
    assert "✅ passed (Weights Available AI)" in result.stdout


@pytest.fixture(scope="module")
def hub_run(built) -> dict[str, Verdict]:
    store = copy_of(built)
    names = ["google-bert/bert-base-uncased", "stabilityai/stable-diffusion-2-1"]
    return {v.name: v for v in assess(store, [G7], resolve_models(store, names)).verdicts}


def test_the_library_the_hub_runs_a_model_with_is_its_deployment_code(hub_run) -> None:
    """The Hub's library_name (curated/libraries.yaml): BERT runs with transformers, released
    under Apache-2.0, so with its Apache-2.0 weights it is Open Weights AI (it could not be
    told before: no source gave its inference code)."""
    v = hub_run["google-bert/bert-base-uncased"]
    outcomes = {r.id.removeprefix(G7 + "."): r.outcome for r in v.requirements}
    assert outcomes["wa-deployment-code"] == outcomes["ow-deployment-code-licence"] == "passed"
    assert v.level == "Open Weights AI"


def test_a_restrictive_weights_licence_still_stops_at_weights_available(hub_run) -> None:
    v = hub_run["stabilityai/stable-diffusion-2-1"]
    assert (v.outcome, v.level) == ("passed", "Weights Available AI")
    assert v.level_outcomes["Open Weights AI"] == "failed"
