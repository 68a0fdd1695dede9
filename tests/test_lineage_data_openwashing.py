"""Issue 10, categories 2, 3 and 5 on real bundled models: a fine-tune inherits what its base
fails or leaves untold (lineage, A-9), OSAID reads data information rather than data release
(A-2, A-5, A-6), and open-washing is flagged on failed verdicts only (A-20)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import copy_of, select

from openness.assess import reference, setwise
from openness.assess.run import assess, judge_stored
from openness.assess.service import resolve_models
from openness.assess.store import save
from openness.assess.validate import Validation, validate_description
from openness.ingest.identity import Record, link
from openness.ingest.organizations import default_organizations
from openness.ingest.rdf import Triples
from openness.namespaces import FAIR4ML, PREFIX_LINE, Graphs
from openness.resources import queries_dir
from openness.store import EmbeddedStore, GraphStore

REC = "https://w3id.org/openness-graph/id/record/"


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


## Category 3: OSAID reads data information, not data release


def _requirement(verdict, rid: str):
    return next(r for r in verdict.requirements if r.id == rid)


def _same_as_pyshacl(store: GraphStore, model: str) -> None:
    """The set-wise results on ``model`` equal pySHACL's on its evidence graph."""
    ours = set(judge_stored(store, [model]).results.get(model, []))
    data = reference.to_rdflib(reference.evidence(store, model))
    theirs = {r for r in reference.results(reference.report(data)) if r.focus == model}
    assert ours == theirs


@pytest.fixture(scope="module")
def data_information(built: GraphStore) -> dict:
    _, verdicts = _judge(built, ["osaid-1.0", "fsf-ml-2024"], ["GPT-2", "Neural-Chat-7B-v3.3"])
    return verdicts


def test_datasets_not_published_do_not_fail_osaid(data_information) -> None:
    """GPT-2's MOF record says its datasets are not published: FSF, which asks for the data,
    fails it on that; OSAID, which asks for information about the data, does not."""
    osaid = data_information["GPT-2", "osaid-1.0"]
    assert osaid.outcome != "failed", osaid.reasons
    assert _requirement(osaid, "osaid-1.0.DI").outcome != "failed"
    assert not any("not published" in r for r in osaid.reasons), osaid.reasons
    fsf = data_information["GPT-2", "fsf-ml-2024"]
    assert _requirement(fsf, "fsf-ml-2024.data-released").reasons == [
        "mof record 'GPT-2': the datasets are not released"
    ]


def test_closed_base_model_data_rated_by_the_index_is_evidence(data_information) -> None:
    """NeuralChat's Index record rates its fine-tuning data open and Mistral's, its base
    model's, closed: its data information fails on the base model's data."""
    di = _requirement(data_information["Neural-Chat-7B-v3.3", "osaid-1.0"], "osaid-1.0.DI")
    assert di.outcome == "failed"
    assert "osai-index record 'NeuralChat': Base Model Data rated closed" in di.reasons


def _classify(store: GraphStore, dataset: str, reason: str | None) -> None:
    """Fixture: the curated source classes ``dataset`` as unshareable non-public data."""
    why = f'<{dataset}> og:unshareableReason "{reason}" .' if reason else ""
    store.update(
        PREFIX_LINE
        + f"""INSERT DATA {{ GRAPH <{Graphs.source("curated")}> {{
          <{dataset}> og:dataClass <https://w3id.org/openness-graph/ns/data-class/unshareable> .
          {why} }} }}"""
    )


@pytest.mark.parametrize(
    "reason,outcome", [(None, "failed"), ("the questions are personal data", "cantTell")]
)
def test_unshareable_data_needs_a_reason(built: GraphStore, reason, outcome: str) -> None:
    """Fixtures on deepset/roberta-base-squad2, whose Hub card lists SQuAD 2.0: classed
    unshareable with no reason, the listing is evidence against data information (A-6); with
    a reason, it is evidence for it (the data card is still missing: cannot tell)."""
    store = copy_of(built)
    (model,) = resolve_models(store, ["deepset/roberta-base-squad2"])
    squad = "https://w3id.org/openness-graph/id/dataset/rajpurkar--squad_v2"
    _classify(store, squad, reason)
    (v,) = assess(store, ["osaid-1.0"], [model]).verdicts
    di = _requirement(v, "osaid-1.0.DI")
    assert di.outcome == outcome, di.reasons
    listing = f"hf record 'deepset/roberta-base-squad2': lists the training dataset <{squad}>"
    if reason:
        assert not any(listing in r for r in di.reasons)
        # what it inherits from its base, which the graph does not hold, cannot be told either
        base = "of the base model 'FacebookAI/roberta-base' (hf record), which names no model"
        own = [r for r in di.reasons if base not in r]
        assert own == ["no evidence: Data card (the training data is described and listed)"]
        assert len(di.reasons) > len(own)
    else:
        assert di.reasons == [f"{listing} (unshareable data), unshareable with no reason recorded"]
    _same_as_pyshacl(store, model)


def test_a_listed_dataset_of_each_class_is_data_information(built: GraphStore) -> None:
    """google/vit-base-patch16-224's Hub card lists ImageNet, obtainable data (for a fee,
    A-5): data information on the datasets, which only the missing data card keeps from
    passing."""
    store = copy_of(built)
    (model,) = resolve_models(store, ["google/vit-base-patch16-224"])
    run = assess(store, ["osaid-1.0"], [model])
    (v,) = run.verdicts
    di = _requirement(v, "osaid-1.0.DI")
    assert di.reasons == ["no evidence: Data card (the training data is described and listed)"]
    derived = EmbeddedStore(None)  # what the run's rules derived
    derived.extend(setwise.DERIVED, run.derived)
    details = {
        r["d"]
        for r in select(
            derived,
            "SELECT ?d WHERE { ?m og:finding ?f . ?f og:detail ?d ; og:supports true }",
            substitutions={"m": ox.NamedNode(model)},
        )
    }
    assert any("(obtainable data, obtainable for a fee)" in d for d in details), details


## Category 2: lineage


@pytest.fixture(scope="module")
def lineage(built: GraphStore) -> tuple[GraphStore, dict]:
    return _judge(
        built,
        ["osaid-1.0", "owd-0.3"],
        ["Aquila-VL-2B", "Qwen2.5-1.5B-Instruct", "Hermes-4-70B", "AmberSafe", "Amber"],
    )


def test_a_fine_tune_does_not_pass_what_its_base_cannot_be_told_about(lineage) -> None:
    """Aquila-VL-2B's own MOF record would pass OSAID; its base Qwen2.5-1.5B-Instruct says
    nothing of its training data, so neither can Aquila's verdict: cannot tell, naming the
    base. The base's weights licence (Apache-2.0) is open: OWD still passes."""
    _, verdicts = lineage
    assert verdicts["Qwen2.5-1.5B-Instruct", "osaid-1.0"].outcome != "passed"
    v = verdicts["Aquila-VL-2B", "osaid-1.0"]
    assert v.outcome == "cantTell"
    di = _requirement(v, "osaid-1.0.DI")
    assert di.outcome == "cantTell"
    assert (
        "no evidence: Datasets of the base model 'Qwen2.5-1.5B-Instruct' "
        "(the training data is described and listed)" in di.reasons
    )
    assert verdicts["Aquila-VL-2B", "owd-0.3"].outcome == "passed"


def test_a_fine_tune_fails_on_its_base_models_licence(lineage) -> None:
    """Hermes-4-70B (MOF: fine-tuned from Llama-3.1-70B) fails on Llama 3.1's licence."""
    _, verdicts = lineage
    terms = _requirement(verdicts["Hermes-4-70B", "osaid-1.0"], "osaid-1.0.P-terms")
    assert terms.outcome == "failed"
    assert (
        "base model 'Llama-3.1-70B': mof record 'Llama-3.1-70B': the final parameters are "
        "under 'Llama 3.1 Community License', which restricts use"
    ) in terms.reasons
    assert verdicts["Hermes-4-70B", "owd-0.3"].outcome == "failed"


def test_a_fine_tune_of_an_open_base_keeps_its_verdict(lineage) -> None:
    """AmberSafe is fine-tuned from Amber, which passes OSAID: nothing inherited holds it
    back, and no reason of AmberSafe's names its base."""
    _, verdicts = lineage
    assert verdicts["Amber", "osaid-1.0"].outcome == "passed"
    assert not any("base model" in r for r in verdicts["AmberSafe", "osaid-1.0"].reasons)


def _fine_tune(store: GraphStore, model: str, base: str) -> None:
    """Fixture: the identity graph says ``model`` was fine-tuned from ``base``."""
    store.update(
        PREFIX_LINE + f"INSERT DATA {{ GRAPH <{Graphs.IDENTITY}> "
        f"{{ <{model}> fair4ml:fineTunedFrom <{base}> }} }}"
    )


@pytest.mark.parametrize(
    "base,outcome,reason",
    [
        ("Pythia-6.9B", "passed", None),
        (
            "Llama-2-7B",
            "failed",
            "osaid-1.0.P-terms: base model 'Llama-2-7B': mof record 'Llama-2-7B': the final "
            "parameters are under 'Llama 2 Community License', which restricts use",
        ),
        (
            "Qwen2.5-1.5B-Instruct",
            "cantTell",
            "osaid-1.0.DI: no evidence: Data card of the base model 'Qwen2.5-1.5B-Instruct' "
            "(the training data is described and listed)",
        ),
    ],
)
def test_lineage_fixtures_on_olmo(built: GraphStore, base: str, outcome: str, reason) -> None:
    """OLMo-7B passes OSAID; said to be fine-tuned from a base that passes it still does,
    from Llama 2 it fails on Llama 2's licence, from Qwen2.5-1.5B-Instruct (no data card on
    record) it cannot be told. The set-wise engine and pySHACL agree on each."""
    store = copy_of(built)
    (olmo,) = resolve_models(store, ["OLMo-7B"])
    (parent,) = resolve_models(store, [base])
    (before,) = assess(store, ["osaid-1.0"], [olmo]).verdicts
    assert before.outcome == "passed"
    _fine_tune(store, olmo, parent)
    (v,) = assess(store, ["osaid-1.0"], [olmo]).verdicts
    assert v.outcome == outcome
    if reason:
        assert reason in v.reasons
    _same_as_pyshacl(store, olmo)


def test_a_change_to_the_base_judges_the_fine_tune_again(built: GraphStore) -> None:
    store = copy_of(built)
    aquila, qwen = resolve_models(store, ["Aquila-VL-2B", "Qwen2.5-1.5B-Instruct"])
    save(store, assess(store, None, [aquila]), started=dt.datetime.now(dt.UTC))
    assert assess(store, None, [aquila]).models == []  # nothing changed
    store.update(  # the base's record gains a data card under CC-BY-4.0
        PREFIX_LINE
        + f"""INSERT {{ GRAPH ?g {{ ?r og:component [ og:componentType ogc:data-card ;
                 og:released true ] }} }}
            WHERE {{ GRAPH ?i {{ <{qwen}> og:hasRecord ?r }} GRAPH ?g {{ ?r og:sourceId ?id }} }}"""
    )
    run = assess(store, ["osaid-1.0"], [aquila])
    assert run.models == [aquila]
    (v,) = run.verdicts
    di = _requirement(v, "osaid-1.0.DI")
    assert not any("Data card of the base model" in r for r in di.reasons), di.reasons


def test_a_hub_base_model_id_links_the_release_of_that_repository() -> None:
    """Unit level: the Hub's base_model is a repository id; it names the release linking that
    repository, while a bare name ('GPT2', an architecture in a MOF record) is no Hub id."""
    mistral = f"{REC}mof/mistral"
    records = {
        mistral: Record(mistral, "mof", "Mistral-7B-v0.1", None, {"mistralai/mistral-7b-v0.1"}),
        f"{REC}hf/zephyr": Record(
            f"{REC}hf/zephyr",
            "hf",
            "HuggingFaceH4/zephyr-7b-beta",
            None,
            {"huggingfaceh4/zephyr-7b-beta"},
            bases=["mistralai/Mistral-7B-v0.1"],
        ),
        f"{REC}hf/gpt2": Record(
            f"{REC}hf/gpt2", "hf", "openai-community/gpt2", None, {"openai-community/gpt2", "gpt2"}
        ),
        f"{REC}mof/santacoder": Record(f"{REC}mof/santacoder", "mof", "SantaCoder", bases=["GPT2"]),
    }
    out = Triples()
    link(records, default_organizations(), out)
    links = {
        (t.subject.value.rsplit("/", 1)[-1], t.object.value.rsplit("/", 1)[-1])
        for t in out
        if t.predicate.value == FAIR4ML + "fineTunedFrom"
    }
    assert links == {("huggingfaceh4--zephyr-7b-beta", "mistralai--mistral-7b-v0.1")}


def test_a_hub_fine_tune_inherits_from_the_base_its_card_names(built: GraphStore) -> None:
    """HuggingFaceH4/zephyr-7b-beta's card names mistralai/Mistral-7B-v0.1 as its base."""
    _, verdicts = _judge(built, ["osaid-1.0"], ["HuggingFaceH4/zephyr-7b-beta"])
    v = verdicts["HuggingFaceH4/zephyr-7b-beta", "osaid-1.0"]
    assert v.outcome != "passed"
    assert any("base model 'Mistral-7B-v0.1'" in r for r in v.reasons), v.reasons


## Category 2: a base model that names no model of the graph

UNIDENTIFIED = Path(__file__).parent / "fixtures" / "lineage" / "unidentified-base.ttl"


@pytest.fixture(scope="module")
def unidentified() -> Validation:
    return validate_description(UNIDENTIFIED.read_bytes(), UNIDENTIFIED.name, ["osaid-1.0"])


def test_a_fine_tune_of_an_unidentified_base_cannot_be_told_on_what_it_inherits(
    unidentified: Validation,
) -> None:
    (v,) = [v for v in unidentified.verdicts if v.name == "Lineage Orphan Chat"]
    assert v.outcome == "cantTell"
    outcomes = {r.id.split(".", 2)[-1]: r.outcome for r in v.requirements}
    # inherited: the data and its information, the licence of the weights
    assert {outcomes[r] for r in ("DI", "DI-terms", "P-terms")} == {"cantTell"}
    assert {outcomes[r] for r in ("F-use", "C-complete", "C-licence", "P-present")} == {"passed"}
    assert v.reasons and all("base model 'Nowhere-Base-7B'" in r for r in v.reasons), v.reasons


def test_a_family_name_a_licence_or_an_identified_base_leave_the_verdict_alone(
    unidentified: Validation,
) -> None:
    outcomes = {v.name: v.outcome for v in unidentified.verdicts}
    assert outcomes["Lineage Family-7B"] == "passed"  # 'Lineage Family': its own family
    assert outcomes["Lineage Licence Origin LM"] == "passed"  # 'Apache-2.0': curated
    assert outcomes["Lineage Open Child Chat"] == "passed"  # its base is identified, and open


def test_pyshacl_cannot_tell_either(unidentified: Validation) -> None:
    run = validate_description(
        UNIDENTIFIED.read_bytes(), UNIDENTIFIED.name, ["osaid-1.0"], reports=True
    )
    (orphan,) = [v.model for v in run.verdicts if v.name == "Lineage Orphan Chat"]
    report = reference.to_rdflib(run.reports[orphan])
    results = [r for r in reference.results(report) if r.focus == orphan]
    assert results and all(r.severity == "Warning" for r in results)
    assert all("Nowhere-Base-7B" in r.message for r in results)


def test_an_unmatched_base_on_the_bundled_graph_is_named(built: GraphStore) -> None:
    """Qwen2.5-1.5B-Instruct under Apache-2.0 passed the Open Weight Definition, though the
    Model Openness Tool names its base 'Qwen2.5-1.5B', which no record describes."""
    _, verdicts = _judge(built, ["owd-0.3"], ["Qwen2.5-1.5B-Instruct"])
    v = verdicts["Qwen2.5-1.5B-Instruct", "owd-0.3"]
    assert v.outcome == "cantTell"
    assert v.reasons and all("base model 'Qwen2.5-1.5B'" in r for r in v.reasons), v.reasons


def test_an_architecture_given_as_origin_makes_no_fine_tune(built: GraphStore) -> None:
    """The Model Openness Tool gives Jais 13B the origin 'GPT-3': its decoder's design (Jais
    was trained from scratch), not a model whose weights it inherits — it was linked as a
    fine-tune of GPT-3, and judged on that closed model's licence and data."""
    rows = select(
        built,
        PREFIX_LINE
        + """SELECT ?m ?base ?unidentified WHERE {
               ?m a og:Model ; og:huggingFaceRepo "inceptionai/jais-13b-chat" .
               OPTIONAL { ?m fair4ml:fineTunedFrom ?base }
               OPTIONAL { ?m og:hasRecord/og:unidentifiedBaseModelName ?unidentified } }""",
    )
    assert len(rows) == 1 and set(rows[0]) == {"m"}, rows


def _unidentified_bases(built: GraphStore) -> dict[str, set[str]]:
    rows = select(
        built,
        PREFIX_LINE
        + """SELECT ?name ?base WHERE {
               ?m a og:Model ; schema:name ?name ; og:hasRecord ?r .
               ?r og:unidentifiedBaseModelName ?base }""",
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["name"], set()).add(row["base"])
    return found


def test_a_release_extending_a_named_release_with_a_word_is_its_fine_tune(
    built: GraphStore,
) -> None:
    """A base name that names one release (a Hub id, or a name with a size) is no family of
    the release whose name extends it: deepset's SQuAD 2.0 fine-tune of RoBERTa (the Hub's
    base_model FacebookAI/roberta-base), MusicGen's stereo fine-tune of Melody-Large and
    OPT-IML of OPT-30B were judged as if they had no base. A family name ('OLMo') and a later
    version of the release itself ('Vicuna-13B' for Vicuna-13B-v1.5) still name no base."""
    found = _unidentified_bases(built)
    assert found.get("deepset/roberta-base-squad2") == {"FacebookAI/roberta-base"}
    assert found.get("MusicGen-Stereo-Melody-Large") == {"MusicGen-Melody-Large"}
    assert found.get("OPT-IML-Max-30B") == {"OPT-30B"}
    for name in ("OLMo-7B-Twin-2T-hf", "Vicuna-13B-v1.5", "Qwen-14B", "Baichuan-1-7B"):
        assert name not in found, found.get(name)


def test_a_hub_fine_tune_of_an_unlisted_base_cannot_be_told_on_what_it_inherits(
    built: GraphStore,
) -> None:
    """deepset/roberta-base-squad2 under CC-BY-4.0: the licence of RoBERTa's weights, which
    the graph does not hold, decides what it inherits; the reasons name that base."""
    _, verdicts = _judge(built, ["owd-0.3"], ["deepset/roberta-base-squad2"])
    v = verdicts["deepset/roberta-base-squad2", "owd-0.3"]
    assert v.outcome == "cantTell"
    assert any("base model 'FacebookAI/roberta-base'" in r for r in v.reasons), v.reasons


def test_every_aspect_a_fine_tune_inherits_is_labelled(everything) -> None:
    """The lineage rules name a base model's aspect under the base (<its IRI>/aspect/…) and
    label it, for the model page's inherited findings and for the IRI to say what it is:
    a finding copied from the base on an aspect no inherited check expects (the Index's
    'datasources_basemodel' of Llama-3.3-70B-Instruct, read by Nemotron Super) had no label,
    and its IRI answered 404. An aspect no vocabulary or shapes document defines is one the
    rules minted."""
    store, _ = everything
    minted = f"""GRAPH <{setwise.DERIVED}> {{ ?node og:aspect ?aspect }}
          FILTER NOT EXISTS {{ GRAPH ?defining {{ ?aspect ?p ?o }}
                               FILTER (?defining IN (<{Graphs.ONTOLOGY}>, <{Graphs.SHAPES}>)) }}"""
    unlabelled = select(
        store,
        PREFIX_LINE
        + f"""SELECT DISTINCT ?aspect WHERE {{ {minted}
          FILTER NOT EXISTS {{ ?aspect rdfs:label ?label }} }}""",
    )
    inherited = select(
        store,
        PREFIX_LINE
        + f"""SELECT (COUNT(DISTINCT ?aspect) AS ?n) WHERE {{ {minted}
          FILTER (CONTAINS(STR(?aspect), "/aspect/index-dimension/")) }}""",
    )
    assert unlabelled == [] and int(inherited[0]["n"]) >= 2
