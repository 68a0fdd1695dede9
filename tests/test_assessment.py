"""Verdicts: exact fidelity to the Model Openness Tool and the Index, three-valued OSAID
verdicts on real data, and published verdicts set beside computed ones."""

from __future__ import annotations

import glob
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import copy_of
from support.mot_reference import classify

from openness.assess.report import verdict_rows
from openness.assess.run import assess
from openness.assess.service import resolve_models
from openness.resources import sources_dir

MOF = sources_dir() / "mof"
NAMED = [
    "Pythia-6.9B",
    "OLMo-7B",
    "Amber",
    "Llama-2-7B",
    "Grok-1",
    "Phi-2",
    "Mixtral-8x7B-v0.1",
    "Mixtral-8x22B-v0.1",
    "T5",
    "CrystalCoder",
]


@pytest.fixture(scope="module")
def graded(everything):
    """The MOF and Index verdicts of every model of the bundled graph."""
    _, run = everything
    return [v for v in run.verdicts if v.definition in ("mof-1.0", "eu-osai-index")]


@pytest.fixture(scope="module")
def osaid(built):
    models = resolve_models(built, NAMED)
    return {v.name: v for v in assess(copy_of(built), ["osaid-1.0"], models).verdicts}


def _mof_by_release(graded) -> dict[str, tuple]:
    out = {}
    for v in graded:
        if v.definition == "mof-1.0":
            for record in v.records:
                if record["source"] == "mof":
                    out[record["id"]] = (v.level, v.progress)
    return out


def test_mof_class_and_progress_equal_the_tool_for_every_record(graded) -> None:
    ours = _mof_by_release(graded)
    expected = {}
    for path in sorted(MOF.glob("models/*.yml")):  # a later file of one name wins
        name = yaml.safe_load(path.read_text())["release"]["name"]
        level, progress = classify(path, MOF)
        expected[name] = (level, {k: round(p, 1) for k, p in progress.items()})
    assert set(ours) == set(expected)
    wrong = {n: (ours[n], expected[n]) for n in expected if ours[n] != expected[n]}
    assert not wrong


def test_mof_class_counts_on_the_bundled_data(graded) -> None:
    counts = Counter(level for level, _ in _mof_by_release(graded).values())
    assert counts["Class I"] == 14 and counts["Class II"] == 1 and counts["Class III"] == 16
    assert counts[None] == len(_mof_by_release(graded)) - 31


def test_index_score_is_the_index_method_for_every_system(graded) -> None:
    values = {"open": 1.0, "partial": 0.5, "closed": 0.0}
    expected = {}
    for path in glob.glob(str(sources_dir() / "osai-index" / "models" / "*.yaml")):
        doc = yaml.safe_load(Path(path).read_text())
        dims = [
            doc[k]["class"].strip()
            for k in (
                "datasources_basemodel",
                "datasources_endmodel",
                "weights_basemodel",
                "weights_endmodel",
                "trainingcode",
                "code",
                "hardware_architecture",
                "preprint",
                "paper",
                "modelcard",
                "datasheet",
                "licenses",
            )
        ]
        expected[Path(path).stem] = round(sum(values[d] for d in dims) / 12, 4)
    ours = {
        r["id"]: v.score
        for v in graded
        if v.definition == "eu-osai-index"
        for r in v.records
        if r["source"] == "osai-index"
    }
    assert ours == expected


def test_stored_index_verdicts_are_ranked_by_score_ties_sharing_a_rank(everything) -> None:
    store, _ = everything
    rows = [r for r in verdict_rows(store, "eu-osai-index") if r["score"] is not None]
    rows.sort(key=lambda r: r["rank"])
    assert rows[0]["rank"] == 1 and rows[0]["score"] == max(r["score"] for r in rows)
    for before, after in zip(rows, rows[1:], strict=False):
        assert before["score"] >= after["score"]
        if before["score"] == after["score"]:
            assert before["rank"] == after["rank"]
        else:  # competition ranking: the next rank counts every model above it
            assert after["rank"] == 1 + sum(r["score"] > after["score"] for r in rows)
    assert all(
        r["rank"] is None for r in verdict_rows(store, "eu-osai-index") if r["score"] is None
    )


def test_models_without_a_record_of_the_source_cannot_be_told(graded) -> None:
    v = next(
        v
        for v in graded
        if v.definition == "mof-1.0" and not any(r["source"] == "mof" for r in v.records)
    )
    assert v.outcome == "cantTell" and "no Model Openness Tool record" in v.reasons[0]


@pytest.mark.parametrize("name", ["Pythia-6.9B", "OLMo-7B", "Amber"])
def test_osaid_passes_the_models_osi_validated(osaid, name: str) -> None:
    assert osaid[name].outcome == "passed", osaid[name].reasons


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Llama-2-7B", "Llama 2 Community License"),
        ("Grok-1", "Training code"),
        ("Phi-2", "Model parameters (Final)"),
        ("Mixtral-8x7B-v0.1", "Training code"),
        ("Mixtral-8x22B-v0.1", "Training code"),
    ],
)
def test_osaid_does_not_pass_with_reasons_naming_licence_or_component(
    osaid, name: str, expected: str
) -> None:
    v = osaid[name]
    assert v.outcome != "passed"
    assert any(expected in reason for reason in v.reasons), v.reasons


def test_llama_2_fails_on_positive_evidence(osaid) -> None:
    v = osaid["Llama-2-7B"]
    assert v.outcome == "failed"
    terms = next(r for r in v.requirements if r.id == "osaid-1.0.P-terms")
    assert terms.outcome == "failed"
    assert terms.reasons == [
        "mof record 'Llama-2-7B': the final parameters are under "
        "'Llama 2 Community License', which restricts use"
    ]


@pytest.mark.parametrize("name", ["T5", "CrystalCoder"])
def test_where_evidence_lacks_the_report_names_the_requirement(osaid, name: str) -> None:
    v = osaid[name]
    assert v.outcome == "cantTell"
    assert all(": no evidence: " in r or "disagree" in r for r in v.reasons), v.reasons
    assert v.reasons


def test_the_index_end_model_licence_is_evidence_on_the_weights(built) -> None:
    """Issue 10, category 1: Llama 3.3's Index record names its community licence; the Open
    Weight Definition fails it on that, where it could not tell before."""
    store = copy_of(built)
    (model,) = resolve_models(store, ["Llama-3.3-70B-Instruct"])
    (v,) = assess(store, ["owd-0.3"], [model]).verdicts
    assert v.outcome == "failed"
    assert any(
        "osai-index record" in r and "Llama 3.3 Community License Agreement" in r for r in v.reasons
    )


def test_the_index_ratings_and_licence_reach_every_definition(built) -> None:
    """Issue 10, category 1, the passing side: Baguettotron has only an Index record, which
    rates its weights open under Apache-2.0 and its training code closed. The Open Weight
    Definition passes it on that record (it could not tell before) and OSAID's code
    requirement fails on the closed rating, naming the Index record."""
    store = copy_of(built)
    (model,) = resolve_models(store, ["Baguettotron"])
    verdicts = {v.definition: v for v in assess(store, ["owd-0.3", "osaid-1.0"], [model]).verdicts}
    assert verdicts["owd-0.3"].outcome == "passed"
    (code,) = [r for r in verdicts["osaid-1.0"].requirements if r.id == "osaid-1.0.C-complete"]
    assert code.outcome == "failed"
    assert code.reasons == ["osai-index record 'Baguettotron': training code rated closed"]


def test_the_index_open_training_code_rating_is_evidence_it_is_released(built) -> None:
    """Audit s51 § 1.1: the Index rates Olmo 3.1's training code open (the model has only
    that record). That is evidence the training code is released, as 'closed' is that it is
    not: OSAID's code requirement no longer says 'no evidence: Training code' (it still
    cannot tell the inference code and the architecture, which the Index does not rate).
    The rating names no licence, so the code's licence is still not known. Gemma 3's
    training code is rated partial (sparse code), which says neither."""
    store = copy_of(built)
    models = resolve_models(store, ["Olmo-3.1-32B-Think", "Gemma-3-27B-IT"])
    verdicts = {v.name: v for v in assess(store, ["osaid-1.0"], models).verdicts}
    reasons = {
        (name, r.id.removeprefix("osaid-1.0.")): (r.outcome, r.reasons)
        for name, v in verdicts.items()
        for r in v.requirements
    }
    untold = "no evidence: Training code (the code to train and run the model is released)"
    outcome, said = reasons["Olmo-3.1-32B-Think", "C-complete"]
    assert outcome == "cantTell" and untold not in said
    assert "no evidence: Inference code (the code to train and run the model is released)" in said
    _, licence = reasons["Olmo-3.1-32B-Think", "C-licence"]
    assert "no evidence: Training code (the code is under OSI-approved licences)" in licence
    _, gemma = reasons["Gemma-3-27B-IT", "C-complete"]
    assert untold in gemma


def test_fsf_scripts_are_the_data_processing_code_and_withheld_code_fails_the_software(
    built,
) -> None:
    """FSF, 22 Oct 2024: 'all its training data and the related scripts for processing it'
    must be free; the training and inference software is the software clause's. SEA-LION's
    MOF record states its data-preprocessing code released and says nothing of its
    inference code: the scripts pass (they could not be told, for the inference code), and
    the code's licence, which the record does not give, is the software's to tell.
    Baguettotron (an Index record only: training code rated closed) failed the scripts on its
    training code; the withheld training code now fails the software, naming the rating."""
    store = copy_of(built)
    models = resolve_models(store, ["SEA-LION", "Baguettotron"])
    verdicts = {v.name: v for v in assess(store, ["fsf-ml-2024"], models).verdicts}
    requirements = {
        (name, r.id.removeprefix("fsf-ml-2024.")): r
        for name, v in verdicts.items()
        for r in v.requirements
    }
    assert requirements["SEA-LION", "scripts"].outcome == "passed"
    assert requirements["SEA-LION", "software"].outcome == "cantTell"
    assert any(
        r.startswith("no evidence: Data preprocessing code (the software is free software")
        for r in requirements["SEA-LION", "software"].reasons
    )
    assert verdicts["Baguettotron"].outcome == "failed"
    assert requirements["Baguettotron", "scripts"].outcome == "cantTell"
    assert requirements["Baguettotron", "scripts"].reasons == [
        "no evidence: Data preprocessing code "
        "(the scripts for processing the training data are released)"
    ]
    assert requirements["Baguettotron", "software"].outcome == "failed"
    assert requirements["Baguettotron", "software"].reasons == [
        "osai-index record 'Baguettotron': training code rated closed"
    ]
