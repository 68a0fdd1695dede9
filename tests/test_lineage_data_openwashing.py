"""Issue 10, categories 2, 3 and 5 on real bundled models: a fine-tune inherits what its base
fails or leaves untold (lineage, A-9), OSAID reads data information rather than data release
(A-2, A-5, A-6), and open-washing is flagged on failed verdicts only (A-20)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import copy_of, select

from openness.assess.run import assess
from openness.assess.service import resolve_models
from openness.assess.store import save
from openness.resources import queries_dir
from openness.store import GraphStore


def _judge(built: GraphStore, ids: list[str], names: list[str]) -> tuple[GraphStore, dict]:
    """A copy of the bundled graph with ``names`` assessed against ``ids`` and stored;
    the verdicts by (model name, definition)."""
    store = copy_of(built)
    run = assess(store, ids, resolve_models(store, names))
    save(store, run, started=dt.datetime.now(dt.UTC))
    return store, {(v.name, v.definition): v for v in run.verdicts}


## Category 5: open-washing only on failed verdicts


@pytest.fixture(scope="module")
def open_washing(built: GraphStore) -> tuple[dict, dict]:
    store, verdicts = _judge(
        built, ["osaid-1.0"], ["Meta-Llama-3-70B-Instruct", "Olmo-3.1-32B-Think"]
    )
    rows = select(store, (queries_dir() / "open-washing.rq").read_text())
    return {r["name"]: r for r in rows}, verdicts


def test_a_claim_with_a_failed_verdict_is_flagged_with_the_failed_reasons(open_washing) -> None:
    flags, verdicts = open_washing
    assert verdicts["Meta-Llama-3-70B-Instruct", "osaid-1.0"].outcome == "failed"
    flag = flags["Meta-Llama-3-70B-Instruct"]
    assert flag["outcome"] == "failed"
    assert "European Open Source AI Index" in flag["claims"]
    reasons = flag["reasons"].split(" | ")
    assert any("Meta Llama 3 Community License Agreement" in r for r in reasons), reasons
    # only the requirements that failed on evidence, never a "no evidence" one
    assert not any("no evidence" in r for r in reasons), reasons


def test_a_claim_the_definition_cannot_tell_about_is_not_flagged(open_washing) -> None:
    """Olmo 3.1 Think is listed by the Index (a claim) and OSAID cannot tell: no flag."""
    flags, verdicts = open_washing
    assert verdicts["Olmo-3.1-32B-Think", "osaid-1.0"].outcome == "cantTell"
    assert "Olmo-3.1-32B-Think" not in flags
