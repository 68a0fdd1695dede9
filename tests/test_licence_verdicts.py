"""Issue 10, category 4: what the licence table means for verdicts, on named models."""

from __future__ import annotations

import pytest
from conftest import copy_of

from openness.assess import reference
from openness.assess.run import assess
from openness.assess.service import resolve_models
from openness.assess.validate import validate_description
from openness.resources import sources_dir

# The requirement of each definition that asks for the licence of the final parameters.
WEIGHTS_LICENCE = {
    "osaid-1.0": "osaid-1.0.P-terms",
    "owd-0.3": "owd-0.3.1-free-redistribution",
    "fsf-ml-2024": "fsf-ml-2024.parameters",
    "eu-aia-foss": "eu-aia-foss.licence-freedoms",
    "dpg-std-ai-2025": "dpg-std-ai-2025.2-ai-weights",
    "mof-1.0": "mof-1.0.c3.params-final",
}


def _olmo_with_weights_under(licence: str) -> dict[str, str]:
    """The bundled OLMo-7B record with its final parameters under ``licence``: the outcome
    of each definition's weights-licence requirement."""
    text = (sources_dir() / "mof" / "models" / "OLMo-7B.yml").read_text(encoding="utf-8")
    weights = "      description: 'Trained model parameters, weights and biases'\n"
    changed = text.replace(weights, weights + f"      license: {licence}\n", 1)
    assert changed != text
    verdicts = validate_description(changed.encode(), "OLMo-7B.yml").verdicts
    return {
        v.definition: r.outcome
        for v in verdicts
        for r in v.requirements
        if r.id == WEIGHTS_LICENCE.get(v.definition)
    }


def test_cc0_weights_pass_every_weights_licence_requirement() -> None:
    """Ambiguity A-1 accepts CC0-1.0 for parameters: every definition's weights-licence
    requirement passes, where a non-commercial licence fails them."""
    assert _olmo_with_weights_under("CC0-1.0") == dict.fromkeys(WEIGHTS_LICENCE, "passed")
    assert _olmo_with_weights_under("CC-BY-NC-4.0") == dict.fromkeys(WEIGHTS_LICENCE, "failed")


@pytest.fixture(scope="module")
def fsf(built):
    """FSF verdicts of models whose code is under a vendor licence without an FSF flag."""
    store = copy_of(built)
    models = resolve_models(store, ["gemma-7b", "Qwen1.5-7B", "OLMo-7B"])
    return {v.name: v for v in assess(store, ["fsf-ml-2024"], models).verdicts}


@pytest.mark.parametrize("name,licence", [("gemma-7b", "gemma"), ("Qwen1.5-7B", "tongyi-qianwen")])
def test_a_vendor_licence_on_the_software_fails_fsf(fsf, name: str, licence: str) -> None:
    """A licence that restricts use is evidence against freedom 0, FSF flag or not: the
    Gemma terms and the Tongyi Qianwen licence carry none, and refute the software
    requirement (it could not be told before)."""
    v = fsf[name]
    assert v.outcome == "failed"
    software = next(r for r in v.requirements if r.id == "fsf-ml-2024.software")
    assert software.outcome == "failed"
    assert any(licence in r and "restricts use" in r for r in software.reasons), software.reasons


def test_free_software_still_passes_fsf(fsf) -> None:
    assert fsf["OLMo-7B"].outcome == "passed", fsf["OLMo-7B"].reasons


def test_pyshacl_refutes_the_vendor_licensed_software_too(built) -> None:
    """The reference engine, on gemma-7b's evidence alone, gives the same refutation."""
    (model,) = resolve_models(built, ["gemma-7b"])
    results = reference.results(
        reference.report(reference.to_rdflib(reference.evidence(built, model)))
    )
    refuted = {r.message for r in results if r.severity == "Violation" and "FSF-libre" in r.message}
    assert refuted == {
        "mof record 'gemma-7b': Inference code is under 'gemma', not FSF-libre, which restricts use"
    }


@pytest.mark.parametrize(
    "name,licence",
    [
        ("StableVicuna-13B", "Meta Community License"),
        ("OPT-IML-Max-30B", "OPT-IML 175B License Agreement"),
        ("Instella-3B-Instruct", "Research-only RAIL-M5"),
    ],
)
def test_curated_ai_licences_refute_the_open_weight_definition(built, name, licence) -> None:
    """Licence strings that were unresolved now resolve to AI licences with their ODRL
    restrictions, so the Index's end-model licence fails the Open Weight Definition's
    licence clauses (it could not tell before)."""
    store = copy_of(built)
    (model,) = resolve_models(store, [name])
    (v,) = assess(store, ["owd-0.3"], [model]).verdicts
    assert v.outcome == "failed"
    redistribution = next(r for r in v.requirements if r.id == "owd-0.3.1-free-redistribution")
    assert redistribution.outcome == "failed"
    assert any(licence in r and "restricts use" in r for r in redistribution.reasons)
