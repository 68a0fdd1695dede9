"""One entity per real model, linked to every source's record (queries/model-sources.rq)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from conftest import select

from openness.ingest.identity import Record, link_records
from openness.ingest.organizations import default_organizations
from openness.ingest.rdf import Triples
from openness.resources import queries_dir

ORG = "https://w3id.org/openness-graph/id/org/salesforce"
REC = "https://w3id.org/openness-graph/id/record/"


@pytest.fixture(scope="module")
def links(built) -> dict[str, dict[str, set[tuple[str, str]]]]:
    """name -> source -> {(record id, link kind)}, from the shipped query."""
    text = (queries_dir() / "model-sources.rq").read_text()
    out: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
    for row in select(built, text):
        out[row["name"]][row["source"]].add((row["id"], row["link"]))
    return out


@pytest.mark.parametrize(
    "name,mof,index",
    [
        ("OLMo-7B", "OLMo-7B", "OLMo"),
        ("Pythia-6.9B", "Pythia-6.9B", "Pythia"),
        ("Llama-2-chat-70B", "Llama-2-chat-70B", "llama-2-chat"),
        ("Llama-2-7B", "Llama-2-7B", "llama-2-chat"),
        ("BLOOM", "BLOOM", "bloomz"),
        ("Falcon-40B", "Falcon-40B", "Falcon"),
        ("Phi-2", "Phi-2", "Phi"),
        ("Mixtral-8x22B-v0.1", "Mixtral-8x22B-v0.1", "Zephyr"),
        ("T5", "T5", "T5"),
        ("Amber", "Amber", "amber"),
    ],
)
def test_model_is_one_entity_linked_to_mof_and_index(
    links, name: str, mof: str, index: str
) -> None:
    sources = links[name]
    assert (mof, "same-release") in sources["mof"]
    assert index in {record_id for record_id, _ in sources["osai-index"]}


def test_index_has_no_mixtral_8x7b_system(links) -> None:
    """The Index rates no Mixtral-8x7B system and no model built on it: nothing to link."""
    assert "osai-index" not in links["Mixtral-8x7B-v0.1"]
    assert "Mixtral-8x7B-v0.1" in {i for i, _ in links["Mixtral-8x7B-v0.1"]["mof"]}


def test_hub_record_joins_where_recorded(links) -> None:
    sources = links["Meta-Llama-3-70B-Instruct"]
    assert ("meta-llama/Meta-Llama-3-70B-Instruct", "same-release") in sources["hf"]
    assert ("Meta-Llama-3-70B-Instruct", "same-release") in sources["mof"]
    assert {i for i, _ in sources["osai-index"]} >= {"llama-3-instruct"}


def test_sources_that_disagree_are_listed(built) -> None:
    text = (queries_dir() / "sources-disagree.rq").read_text()
    rows = select(built, text)
    zephyr = {(r["source"], r["licenseString"]) for r in rows if r["name"] == "Zephyr-141B"}
    assert ("mof", "MIT") in zephyr and ("osai-index", "Apache-2.0") in zephyr


def test_two_records_one_source_keeps_apart_are_never_merged() -> None:
    """The MOF data gives five CodeT5+ releases the same Hub link: they stay five models."""
    repo = {"salesforce/codet5p-16b"}
    records = {
        f"{REC}mof/{i}": Record(f"{REC}mof/{i}", "mof", f"CodeT5+-{size}", ORG, set(repo))
        for i, size in enumerate(["220M", "770M", "2B", "6B", "16B"])
    }
    records[f"{REC}hf/x"] = Record(f"{REC}hf/x", "hf", "Salesforce/codet5p-16b", ORG, set(repo))
    counts = link_records(records, default_organizations(), Triples())
    assert counts["models"] == 5


def test_match_counts_are_reported(built) -> None:
    from openness.ingest.identity import rebuild_identity

    report = rebuild_identity(built)
    assert report.counts["hf-repo"] > 0 and report.counts["name+producer"] > 0
    assert "hf-repo" in report.summary()
