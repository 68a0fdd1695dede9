"""The set-wise engine: definitions as data, the same results as pySHACL, the same verdicts on
a remote engine, incremental runs, and a failing rule that changes nothing stored."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from conftest import copy_of, select

from openness.assess import program, reference, setwise
from openness.assess import run as run_module
from openness.assess import store as assessment_store
from openness.assess.definitions import definitions, shapes_graph
from openness.assess.evidence import (
    XSD,
    _monotone,
    blank_labels,
    fingerprint,
    model_query,
    models_read,
    own,
    shared,
    triples,
)
from openness.assess.grade import grade
from openness.assess.program import Rule, RuleError, declared_prefixes, scoped
from openness.assess.report import verdict_rows
from openness.assess.run import (
    BATCH,
    Batch,
    Judgement,
    assess,
    graded,
    in_background,
    judge_stored,
    subjects,
)
from openness.assess.service import run_assessment
from openness.assess.store import Writer, save, stopped_runs
from openness.namespaces import OG, PREFIX_LINE, RDF, Graphs
from openness.store import EmbeddedStore, GraphStore, RemoteStore
from openness.store.lines import Lines

ROOT = Path(__file__).resolve().parent.parent
# When a run ended: two runs of the same judgements differ in it.
WHEN = {"http://www.w3.org/ns/prov#endedAtTime"}
CODE = [p for d in ("openness", "server", "bench") for p in (ROOT / d).rglob("*.py")]


def _names() -> set[str]:
    """Every definition id, requirement id and component concept name of the shapes (the
    names with a hyphen or a dot: a one-word name such as 'datasets' is also plain English)."""
    og = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
    names = set(definitions())
    names |= {r.id for d in definitions().values() for r in d.requirements.values()}
    components = "https://w3id.org/openness-graph/ns/component/"
    graph = shapes_graph()
    names |= {
        str(o)[len(components) :]
        for o in graph.objects(None, og.expects)
        if str(o).startswith(components)
    }
    return {n for n in names if "-" in n or "." in n}


def test_no_definition_requirement_or_component_is_named_in_python() -> None:
    names = _names()
    assert {"osaid-1.0", "mof-1.0.c3.tech-report", "model-parameters-final"} <= names
    found = []
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        for name in names:
            if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert not found


@pytest.fixture(scope="module")
def judged(built: GraphStore) -> tuple[GraphStore, Judgement]:
    """The bundled graph and what the shapes find for every model, judged in one batch."""
    return built, judge_stored(built, sorted(subjects(built)))


def _results(found: Judgement) -> list[setwise.Result]:
    return sorted((r for rs in found.results.values() for r in rs), key=repr)


def _one_base_named(store: GraphStore) -> set[str]:
    """Models whose records, from two sources, name one base model that names no model of
    the graph: the lineage rules name a node after such a base, and judged together each
    model's verdict once quoted the other's record (their node shared two labels)."""
    return {
        r["m"].value
        for r in store.query(
            "SELECT DISTINCT ?m WHERE { ?m a og:Model ; og:hasRecord ?r . "
            "?r og:unidentifiedBaseModelName ?b ; og:source ?s . "
            "?o a og:Model ; og:hasRecord ?q . ?q og:unidentifiedBaseModelName ?b ; "
            "og:source ?t FILTER (?o != ?m && ?t != ?s) }"
        ).rows()
    }


def _sample(store: GraphStore, results: list[setwise.Result]) -> list[str]:
    """Models with every outcome of every definition, the models a recorded source conflict
    concerns (they are judged on it), fine-tunes two steps from a base and a stride through
    the other fine-tunes (their base models are judged in their evidence), models whose
    records from two sources name one unidentified base model, and a stride through the
    rest."""
    everyone = subjects(store)
    conflicted = {
        r["m"].value
        for r in store.query(
            "SELECT DISTINCT ?m WHERE { ?c og:conflictAbout ?m ; og:conflictAspect ?a }"
        ).rows()
    }
    finetunes = [
        (r["m"].value, "n" in r)
        for r in store.query(
            "SELECT DISTINCT ?m ?n WHERE { ?m fair4ml:fineTunedFrom ?b "
            "OPTIONAL { ?b fair4ml:fineTunedFrom ?n } } ORDER BY ?m"
        ).rows()
    ]
    lineage = {m for m, chained in finetunes if chained} | {m for m, _ in finetunes[::8]}
    found: dict[str, list[setwise.Result]] = {}
    for r in results:
        found.setdefault(r.focus, []).append(r)
    wanted: dict[tuple[str, str], str] = {}
    for m in sorted(everyone):
        for d in definitions().values():
            outcome = grade(d, everyone[m], found.get(m, [])).outcome
            wanted.setdefault((d.id, outcome), m)
    # pySHACL takes seconds per model: the stride through the rest is every 60th model.
    stride = set(sorted(everyone)[::60])
    return sorted(set(wanted.values()) | conflicted | lineage | _one_base_named(store) | stride)


def _disagreements(store: GraphStore, found: Judgement, models: list[str], workers: int) -> list:
    """Where pySHACL on each model's evidence (the reference) and the set-wise engine (what
    ``found`` holds, every model judged in one batch) disagree: a model whose results
    differ, or a verdict (outcome, level, score, failed and cannot-tell requirements with
    their reasons) that differs."""
    everyone = subjects(store)
    defs = list(definitions().values())
    theirs = reference.judge_each(store, models, workers=workers)
    ours = {(v.model, v.definition): v for v in graded(defs, found, models, everyone)}
    out: list = [m for m in models if set(found.results.get(m, [])) != theirs[m].results]
    for m in models:
        for v in theirs[m].verdicts(everyone[m], defs):
            if reference.agreed(v) != reference.agreed(ours[m, v.definition]):
                out.append((m, v.definition))
    return out


# A hang guard, not a speed bound: pySHACL takes ~140 CPU s here, past pytest's default
# 300 s on a loaded machine.
@pytest.mark.timeout(1800)
def test_set_wise_results_equal_pyshacl_on_each_models_evidence(judged) -> None:
    store, found = judged
    sample = _sample(store, _results(found))
    assert len(sample) >= 15
    assert _disagreements(store, found, sample, workers=1) == []


# Every bundled model (issue 9's done-when): pySHACL takes ~1 250 CPU s, so the test is
# opt-in (`make test-equivalence`); EQUIVALENCE_WORKERS processes run it (default 2).
@pytest.mark.equivalence
@pytest.mark.timeout(7200)
def test_every_bundled_model_gets_the_same_verdicts_from_both_engines(judged) -> None:
    store, found = judged
    models = sorted(subjects(store))
    assert len(models) > 400
    workers = int(os.environ.get("EQUIVALENCE_WORKERS", "2"))
    assert _disagreements(store, found, models, workers) == []


def test_every_rule_and_constraint_is_run(judged) -> None:
    _, found = judged
    assert len(program.rules()) >= 20 and len(program.constraints()) == 5
    shapes = {s for d in definitions().values() for s in d.shapes}
    assert {r.shape for r in _results(found)} <= shapes
    applies = rdflib.URIRef("https://w3id.org/openness-graph/ns#appliesLicense")
    staged = sum(1 for t in found.derived if t.predicate.value == str(applies))
    assert staged > 1000  # the governing-licence rule wrote what the findings read


def test_derived_facts_are_lines_as_pyoxigraph_writes_them(judged) -> None:
    """The rules' facts go to the writer as the lines the judge made of them, which it
    compares with the lines pyoxigraph writes of what is stored: the same triple must be
    the same line, or a model judged again would rewrite every fact it derived."""
    _, found = judged
    assert len(found.derived) > 1_000
    assert sorted(found.derived.lines) == sorted(Lines.of(list(found.derived)).lines)


def test_judging_in_batches_finds_what_one_batch_finds(judged) -> None:
    """A model's verdict depends on its own evidence only: the models judged beside it in
    its batch change nothing (the assessment reads the store a batch at a time)."""
    store, whole = judged
    models = sorted(whole.results)[::9]
    lone = models[:5] + sorted(_one_base_named(store))
    alone = [judge_stored(store, [m]) for m in lone]
    batches = [judge_stored(store, b) for b in _split(models, 7)]
    for m, found in zip(lone, alone, strict=True):
        assert found.results.get(m) == whole.results.get(m), m
    for b, found in zip(_split(models, 7), batches, strict=True):
        assert {m: found.results.get(m) for m in b} == {m: whole.results.get(m) for m in b}
        for d in definitions().values():
            if d.score_query:
                assert {m: found.scores[d.score_query].get(m) for m in b} == {
                    m: whole.scores[d.score_query].get(m) for m in b
                }


def test_a_models_own_evidence_is_all_in_the_facts(built) -> None:
    """The engine reads a model's own evidence (ev:ModelEvidence and the models it reads)
    from the identities and sources alone: for every bundled model that is what the
    vocabularies and shapes beside them give too (were the evidence query to reach into the
    vocabularies, what it found there would be missing from every fingerprint)."""
    models = sorted(subjects(built))
    facts, everything = setwise.facts(built), setwise.dataset(built)
    assert set(everything) - set(facts) == set(setwise.VOCABULARIES)
    from_facts, from_all = own(built, facts, models), own(built, everything, models)
    assert sum(map(len, from_facts.values())) > 10 * len(models)
    assert from_facts == from_all


def test_a_models_evidence_read_around_it_on_disk_is_what_the_facts_give(built, tmp_path) -> None:
    """On disk, a batch's evidence is asked over the union of every graph (one index) and
    then over a copy of the triples of the facts about the nodes that answer binds: the
    same solutions as over the list of fact graphs, for every bundled model, though the
    union answers more (here a component another graph gives a record)."""
    store = EmbeddedStore(tmp_path / "store")
    store._store.bulk_load(built.export(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)  # noqa: SLF001
    facts, models = setwise.facts(store), sorted(subjects(built))
    record = select(store, f"SELECT ?r WHERE {{ <{models[0]}> og:hasRecord ?r }}")[0]["r"]
    store.update(
        f"INSERT DATA {{ GRAPH <{setwise.DERIVED}> {{ <{record}> <{OG}component> <urn:x:c> . "
        f'<urn:x:c> <{OG}note> "not evidence" }} }}'
    )
    # The list of fact graphs is read in a copy in memory: the same quads (blank nodes
    # too) and the same query engine, where on disk it took ~12 of the test's ~20 CPU s.
    listed = copy_of(store)
    wider = False
    for batch in _split(models, 100):
        query = declared_prefixes() + scoped(model_query(), "model", batch)
        direct = listed.query(query, default_graphs=facts).serialize(ox.QueryResultsFormat.TSV)
        around = store.query_around(query, facts).serialize(ox.QueryResultsFormat.TSV)
        assert sorted(around.splitlines()) == sorted(direct.splitlines())
        if not wider:  # one batch the union answers more of shows it
            union = store.query(query).serialize(ox.QueryResultsFormat.TSV)
            wider = len(union.splitlines()) > len(direct.splitlines())
    assert wider


def test_a_query_that_may_lose_solutions_is_not_read_around_its_answer() -> None:
    assert _monotone(model_query())
    for keyword in ("OPTIONAL { ?s ?p ?o }", "FILTER NOT EXISTS { ?s ?p ?o }", "MINUS { }"):
        assert not _monotone(f"SELECT * WHERE {{ ?s ?p ?x {keyword} }}")
    assert not _monotone("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")


def test_evidence_lines_are_the_triples_the_evidence_query_gives(built) -> None:
    """The evidence is read as text (SPARQL TSV, whose bare numbers and booleans are written
    out): parsed as N-Triples, each model's lines are the triples its solutions bind, terms
    compared as pyoxigraph reads them (literal datatypes, languages, blank node labels)."""
    models = sorted(subjects(built))
    facts = setwise.facts(built)
    lines = own(built, facts, models)
    query = declared_prefixes() + scoped(model_query(), "model", models)
    solutions: dict[str, set[ox.Triple]] = {m: set() for m in models}
    for r in built.query(query, default_graphs=facts).rows():
        solutions[r["model"].value].add(ox.Triple(r["s"], r["p"], r["o"]))
    lineage = models_read(built, facts, models)
    rdf_type, model = ox.NamedNode(RDF + "type"), ox.NamedNode(OG + "Model")
    typed = set()
    for m in models:
        mine = [m, *lineage.get(m, ())]  # a fine-tune's evidence holds its bases'
        expected = {ox.Triple(ox.NamedNode(n), rdf_type, model) for n in mine}
        read = set(triples(lines[m]))
        assert read == expected.union(*(solutions[n] for n in mine))
        typed |= {t.object.datatype.value for t in read if isinstance(t.object, ox.Literal)}
    # Among them, terms TSV writes bare: written out, they are the literals the store holds.
    assert {XSD + "integer", XSD + "boolean"} <= typed


def test_evidence_lines_write_out_every_kind_of_term() -> None:
    """What TSV abbreviates or escapes (numbers, booleans, tabs, quotes, line breaks),
    languages, datatypes and blank nodes read back as the terms the store holds."""
    store = EmbeddedStore(None)
    model, record = ox.NamedNode("https://e.org/m"), ox.NamedNode("https://e.org/r")
    p = ox.NamedNode("https://e.org/p")
    objects = [
        ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("-0.5", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal("1.5E3", datatype=ox.NamedNode(XSD + "double")),
        ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal('a\tb "c"\nd\\', language="en"),
        ox.Literal("2026-12-04", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("plain"),
        ox.Literal("written raw by TSV: \u2028 \x0c \x85 _:b2"),
        ox.BlankNode("b1"),
        ox.NamedNode("https://e.org/o"),
    ]
    said = [
        ox.Triple(model, ox.NamedNode(OG + "hasRecord"), record),
        *(ox.Triple(record, p, o) for o in objects),
    ]
    store.extend(Graphs.IDENTITY, said)
    # As the store holds them (it writes numbers in their canonical form: 1.5E3 is 1500).
    held = {ox.Triple(r["s"], r["p"], r["o"]) for r in store.query("SELECT * { ?s ?p ?o }").rows()}
    assert len(held) == len(said)
    (lines,) = own(store, [Graphs.IDENTITY], [model.value]).values()
    model_type = ox.Triple(model, ox.NamedNode(RDF + "type"), ox.NamedNode(OG + "Model"))
    assert set(triples(lines)) == {*held, model_type}
    assert blank_labels(lines) == {"b1"}


def test_batches_judged_in_a_worker_process_get_what_batches_judged_here_get(built) -> None:
    """A run on two cores judges its batches in another process: the evidence goes there
    serialized, blank nodes (components written as one) and all, and the derived facts come
    back so; the verdicts (in their order) and the derived facts are those of a run judging
    every batch itself."""
    some = sorted(subjects(built))[::12]
    read = own(built, setwise.facts(built), some)
    assert any(line.startswith("_:") for m in some for line in read[m])
    here, there = (assess(built, None, some, batch=5, workers=n) for n in (0, 1))
    assert there.models == here.models == some
    assert there.verdicts == here.verdicts
    assert sorted(map(str, there.derived)) == sorted(map(str, here.derived))
    assert there.fingerprints == here.fingerprints


def test_a_stored_run_of_more_than_one_batch_is_judged_in_a_worker(built, monkeypatch) -> None:
    """The commands' runs judge in a worker process (one a spare core) once there is more
    than one batch; a run of one batch judges it here."""
    asked = []
    real = run_module.judges

    def judges(common, defs, workers):  # records what it was asked, then judges here
        asked.append(workers)
        return real(common, defs, 0)

    monkeypatch.setattr(run_module, "judges", judges)
    monkeypatch.setattr(run_module, "default_workers", lambda: 1)
    store = copy_of(built)
    models = sorted(subjects(store))
    for some in (models[: BATCH + 1], models[:BATCH]):
        run_assessment(store, None, some, echo=lambda _: None)
    assert asked == [1, 0]


def _split(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _load_remote(base: str, store: GraphStore) -> RemoteStore:
    remote = RemoteStore(base + "/query")
    remote.update("DROP ALL")
    data = store.export(ox.RdfFormat.N_QUADS)
    httpx.post(
        base + "/store", content=data, headers={"Content-Type": "application/n-quads"}, timeout=120
    ).raise_for_status()
    return remote


@pytest.mark.remote
def test_a_remote_engine_gives_the_same_verdicts(built: GraphStore, oxigraph_server: str) -> None:
    local = copy_of(built)
    remote = _load_remote(oxigraph_server, built)
    some = sorted(subjects(local))[::25]
    for store in (local, remote):
        save(store, assess(store, None, some), started=dt.datetime.now(dt.UTC))
    strip = [
        sorted(
            (
                r["model"],
                r["definition"],
                r["outcome"],
                r["level"],
                r["score"],
                r["rank"],
                tuple(r["reasons"]),
            )
            for r in verdict_rows(s)
        )
        for s in (local, remote)
    ]
    assert strip[0] == strip[1] and len(strip[0]) == len(some) * len(definitions())
    remote.close()


def _verdicts(store: GraphStore) -> dict[tuple[str, str], tuple]:
    return {
        (r["model"], r["definition"]): (r["outcome"], r["level"], r["score"], tuple(r["reasons"]))
        for r in verdict_rows(store)
    }


@pytest.fixture(scope="module")
def assessed(everything) -> Iterator[GraphStore]:
    store, _ = everything
    # Its verdicts are read once (stored_verdicts): a test that wrote into it would change
    # what later tests read, and fails the module's teardown instead.
    quads = len(store._store)  # noqa: SLF001
    yield store
    assert len(store._store) == quads, "a test wrote into the assessed store: copy_of it"  # noqa: SLF001


@pytest.fixture(scope="module")
def stored_verdicts(assessed: GraphStore) -> dict[tuple[str, str], tuple]:
    """The verdicts of the assessed store (and of a copy_of it, before a test writes), read
    once: six tests read them, ~1 CPU s (~3-4 s at load 7) each time."""
    return _verdicts(assessed)


def test_only_models_whose_evidence_changed_are_judged_again(
    assessed: GraphStore, stored_verdicts: dict
) -> None:
    store = copy_of(assessed)
    before = stored_verdicts
    assert assess(store).models == []  # nothing changed
    # One record changes: OLMo-7B's MOF record is relicensed non-commercially.
    (olmo,) = [m for m, s in subjects(store).items() if s.name == "OLMo-7B"]
    nc = 'SELECT (COUNT(*) AS ?n) WHERE { ?s og:licenseString "CC-BY-NC-4.0" }'
    already = store.count(nc)
    store.update(_relicense(olmo))
    assert store.count(nc) > already
    run = assess(store)
    assert run.models == [olmo] and run.kept == len(subjects(store)) - 1
    save(store, run, started=dt.datetime.now(dt.UTC))
    after = _verdicts(store)
    changed = {k for k in before if before[k] != after.get(k)}
    # The derived facts of the model were replaced, not added to.
    assert _findings(store, olmo, "CC-BY-NC-4.0") and not _findings(store, olmo, "Apache")
    assert _unlinked(store) == 0  # nor were the nodes its old findings were left behind
    assert changed and {m for m, _ in changed} == {olmo}
    assert set(after) == set(before)


def test_what_no_shape_reads_of_a_producer_judges_none_of_its_models_again(
    assessed: GraphStore,
) -> None:
    """No shape reads what is said of a producer (its label, its Hub page, its kind): a
    change to it is no change to its models' evidence, which judged them all again."""
    store = copy_of(assessed)
    allen = "https://w3id.org/openness-graph/id/org/allen-institute-for-ai"
    produced = store.count(
        f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m og:hasRecord/og:producer <{allen}> }}"
    )
    assert produced >= 5
    store.update(
        f"INSERT DATA {{ GRAPH <{Graphs.source('curated')}> {{ <{allen}> "
        "<https://schema.org/url> <https://allenai.org/> } }"
    )
    assert assess(store).models == []


def test_a_change_to_what_every_models_evidence_shares_judges_every_model_again(
    assessed: GraphStore,
) -> None:
    # The Model Openness Tool's licence table is shared evidence (ev:SharedEvidence): no
    # model's own triples change when a MOF re-ingest drops an id from it.
    store = copy_of(assessed)
    (olmo,) = [m for m, s in subjects(store).items() if s.name == "OLMo-7B"]
    unlisted = "not an open licence in the tool's list"
    assert not any(unlisted in r for r in _mof_reasons(store, olmo))
    store.update(
        PREFIX_LINE + "DELETE WHERE { GRAPH ?g { ?t a og:LicenseTable ; og:acceptedLicenseId "
        '"Apache-2.0" } }'
    )
    run = assess(store)
    assert sorted(run.models) == sorted(subjects(store)) and run.kept == 0
    save(store, run, started=dt.datetime.now(dt.UTC))
    reasons = _mof_reasons(store, olmo)
    assert any("'Apache-2.0', " + unlisted in r for r in reasons)
    assert assess(store).models == []  # and, stored, it is the evidence's fingerprint


def _mof_reasons(store: GraphStore, model: str) -> list[str]:
    """The reasons of the model's MOF verdict, its row alone read (every model's took
    ~1 CPU s)."""
    (row,) = verdict_rows(store, "mof-1.0", model)
    return row["reasons"]


def test_which_sources_a_record_may_come_from_is_shared_evidence(built: GraphStore) -> None:
    # The engine judges a model's records of the sources the vocabularies declare (run.py,
    # subjects): declaring one more or one less changes every model's fingerprint.
    lines = shared(built, setwise.dataset(built))
    for source in select(built, "SELECT ?s WHERE { ?s a og:Source }"):
        assert f"<{source['s']}> <{RDF}type> <{OG}Source> ." in lines


def test_a_fingerprint_tells_which_blank_node_holds_what() -> None:
    def evidence(held_by: str, a: str = "_:a", b: str = "_:b") -> list[str]:
        lines = {"a": a, "b": b}
        return [
            f"<x:lic> <odrl:prohibition> {a} .",
            f"<x:lic> <odrl:permission> {b} .",
            f"{lines[held_by]} <odrl:action> <x:commercialUse> .",
        ]

    prohibited = fingerprint(evidence("a"), "")
    assert fingerprint(evidence("a", "_:q", "_:r"), "") == prohibited  # labels are the store's
    assert fingerprint(evidence("b"), "") != prohibited  # the clause moved to the permission
    cycle = ["_:a <x:p> _:b .", "_:b <x:p> _:a .", '_:a <x:q> "1" .']
    relabelled = ["_:m <x:p> _:n .", "_:n <x:p> _:m .", '_:m <x:q> "1" .']
    assert fingerprint(cycle, "") == fingerprint(relabelled, "")
    chain = [f"_:n{i} <x:rest> _:n{i + 1} ." for i in range(5_000)]  # a long RDF list
    assert fingerprint(chain, "") == fingerprint([c.replace("_:n", "_:m") for c in chain], "")


def test_a_clause_moved_between_a_licences_rules_judges_its_models_again(
    assessed: GraphStore, stored_verdicts: dict
) -> None:
    # A licence's ODRL rules are blank nodes (shapes/checks.ttl reads the actions each holds).
    store = copy_of(assessed)
    gemma = "https://w3id.org/openness-graph/id/license/gemma"
    restricts = "'gemma' restricts fields of use"

    def restricted(verdicts: dict) -> set[str]:
        return {m for (m, d), v in verdicts.items() if any(restricts in r for r in v[3])}

    before = restricted(stored_verdicts)
    assert before
    store.update(
        PREFIX_LINE
        + f"""DELETE {{ GRAPH ?g {{ ?p odrl:action og:restrictedUse }} }}
              INSERT {{ GRAPH ?g {{ ?q odrl:action og:restrictedUse }} }}
              WHERE {{ GRAPH ?g {{ <{gemma}> odrl:prohibition ?p ; odrl:permission ?q .
                                   ?p odrl:action og:restrictedUse }} }}"""
    )
    run = assess(store)
    assert before <= set(run.models)
    save(store, run, started=dt.datetime.now(dt.UTC))
    assert not restricted(_verdicts(store))


def test_a_licence_named_by_a_statements_option_alone_is_in_the_models_evidence(
    assessed: GraphStore,
) -> None:
    # The rules judge a statement by its options' licences (og:licenseOption/og:optionLicense);
    # a statement whose licence resolves (og:resolvesTo) names it twice, the evidence must
    # not depend on that: judged alone or beside a model that names it, the verdicts agree.
    store = copy_of(assessed)
    rows = select(
        store,
        """SELECT ?m ?s ?lic WHERE { GRAPH ?i { ?m og:hasRecord ?r } GRAPH ?g {
             ?r og:licenseStatement ?s . ?s og:resolvesTo ?lic ;
                og:licenseOption/og:optionLicense ?lic } ?lic expandedlicensing:isOsiApproved ?osi }
           ORDER BY ?m LIMIT 1""",
    )
    (row,) = rows
    model, statement, licence = row["m"], row["s"], row["lic"]
    store.update(
        PREFIX_LINE + f"DELETE WHERE {{ GRAPH ?g {{ <{statement}> og:resolvesTo <{licence}> }} }}"
    )
    assert store.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s og:resolvesTo <{licence}> }}"), (
        "another statement still names the licence"
    )
    evidence = own(store, setwise.facts(store), [model])[model]
    assert any(line.startswith(f"<{licence}> ") for line in evidence)
    others = [
        r["m"]
        for r in select(
            store,
            f"""SELECT DISTINCT ?m WHERE {{ GRAPH ?i {{ ?m og:hasRecord ?r }}
                  ?r (og:component|og:licenseStatement)*/og:resolvesTo <{licence}> }}
                ORDER BY ?m LIMIT 1""",
        )
    ]
    alone = assess(store, models=[model], force=True).verdicts
    beside = assess(store, models=[model, *others], force=True).verdicts
    assert [v for v in beside if v.model == model] == alone


def test_a_model_no_longer_in_the_store_loses_its_assessments(
    assessed: GraphStore, stored_verdicts: dict
) -> None:
    store = copy_of(assessed)
    (olmo,) = [m for m, s in subjects(store).items() if s.name == "OLMo-7B"]
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{olmo}> ?p ?o }} }}")
    run = assess(store)
    assert run.models == []  # nobody else changed
    save(store, run, started=dt.datetime.now(dt.UTC))
    left = _verdicts(store)
    assert left and not {k for k in left if k[0] == olmo}
    assert set(left) == {k for k in stored_verdicts if k[0] != olmo}
    assert _findings(assessed, olmo, "Apache") and not _findings(store, olmo, "Apache")


def _unlinked(store: GraphStore) -> int:
    """Nodes the rules made (named under a node's IRI) that no derived fact links to."""
    return store.count(
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH ?g { ?x ?p ?o "
        'FILTER (CONTAINS(STR(?x), "#")) FILTER NOT EXISTS { ?y ?link ?x } } }',
        named_graphs=[setwise.DERIVED],
    )


def _without_runs(store: GraphStore) -> int:
    """The triples of the assessments graph, but for those about the runs themselves."""
    return store.count(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o "
        "FILTER NOT EXISTS { ?s a og:AssessmentRun } } }",
        named_graphs=[Graphs.ASSESSMENTS],
    )


def _derived(store: GraphStore) -> set[ox.Triple]:
    return set(store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[setwise.DERIVED]))


def test_a_forced_run_replaces_derived_facts_with_the_same_named_ones(
    assessed: GraphStore, stored_verdicts: dict
) -> None:
    store = copy_of(assessed)
    before = _derived(store)
    assert not [t for t in before if ox.BlankNode in (type(t.subject), type(t.object))]
    # The nodes the rules made (findings, ...) are named under the node linking to them.
    made = {t.object for t in before if t.object.value.startswith(f"{t.subject.value}#")}
    assert len(made) > 10_000
    some = sorted(subjects(store))[::40]
    run = assess(store, None, some, force=True)
    assert run.models == some and run.stored == some  # judged again, replacing what they had
    save(store, run, started=dt.datetime.now(dt.UTC))
    assert _derived(store) == before  # the same facts, the same names: none added or lost
    # The same verdicts, each with one date and one run: the old ones were replaced.
    assert _verdicts(store) == stored_verdicts
    assert _without_runs(store) == _without_runs(assessed)


def _named(triples: list[ox.Triple], evidence: list[ox.Triple] | None = None) -> list[ox.Triple]:
    """The rules' facts ``triples`` named as the judge names them (setwise.skolemized)."""
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    lines = ox.serialize(evidence or [], format=ox.RdfFormat.N_TRIPLES).decode().splitlines()
    named = setwise.skolemized(text, blank_labels(lines))
    return [q.triple for q in ox.parse(named, format=ox.RdfFormat.N_TRIPLES)]


def test_naming_a_rules_nodes_holds_not_much_more_than_the_facts_at_once() -> None:
    """The rules' facts on a description of 20 000 components with licences of their own
    were ~60 MB, named while held as lines and again as their terms (~7x their size at
    once, ~11x here): now read a line at a time, what is held is the nodes' statements and
    the named lines (~4x here, where many findings are alike, as the rules' are)."""
    lines = []
    for i in range(20_000):  # findings of one model, 50 of them different
        lines += [
            f"<https://e.org/m> <https://e.org/ns#finding> _:f{i} .",
            f'_:f{i} <https://e.org/ns#says> "component {i % 50} has no licence of its own" .',
            f"_:f{i} <https://e.org/ns#about> <https://e.org/m#component-{i % 50}> .",
        ]
    facts = ("\n".join(lines) + "\n").encode()
    del lines
    setwise.skolemized(b"<https://e.org/a> <https://e.org/b> <https://e.org/c> .\n")  # (caches)
    tracemalloc.start()
    try:
        named = setwise.skolemized(facts)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert named.count(b"\n") == 150  # (the alike findings became one each)
    assert peak < 6 * len(facts)


def test_a_rules_nodes_are_named_by_their_owner_and_content() -> None:
    model, other = ox.NamedNode("https://e.org/m"), ox.NamedNode("https://e.org/n")
    finding, says = ox.NamedNode("https://e.org/ns#finding"), ox.NamedNode("https://e.org/ns#says")

    def facts(owner: ox.NamedNode, text: str) -> list[ox.Triple]:
        node = ox.BlankNode()
        return [ox.Triple(owner, finding, node), ox.Triple(node, says, ox.Literal(text))]

    once = _named(facts(model, "a") + facts(model, "b") + facts(other, "a"))
    again = _named(facts(other, "a") + facts(model, "b") + facts(model, "a"))
    assert set(once) == set(again)  # new blank nodes, the same names
    names = {t.object.value for t in once if t.predicate == finding}
    assert len(names) == 3
    assert sum(n.startswith("https://e.org/m#finding-") for n in names) == 2
    # Blank nodes of the evidence stay what they are, whether a fact links to them or not.
    record, component = ox.BlankNode(), ox.BlankNode()
    facts = [ox.Triple(component, says, ox.Literal("a")), ox.Triple(model, finding, record)]
    evidence = [ox.Triple(record, says, component)]
    assert _named(facts, evidence) == facts
    # A line break N-Triples writes as it is (U+2028, NEL) is inside a line, not between two.
    said = ox.BlankNode()
    text = ox.Literal("one\u2028two\x85three")
    named_link, named_text = _named([ox.Triple(model, finding, said), ox.Triple(said, says, text)])
    assert named_text.object == text
    assert named_link.object == named_text.subject


def test_nodes_alike_but_for_a_non_identifying_property_are_one_node() -> None:
    """A record's statement that two checks read makes two findings alike but for their
    og:aboutCheck, which the shapes declare og:NonIdentifyingProperty: they are stored as
    one finding about both checks. A finding that differs in anything else stays apart."""
    about = ox.NamedNode(OG + "aboutCheck")
    assert f"<{about.value}>" in program.non_identifying()
    model, finding = ox.NamedNode("https://e.org/m"), ox.NamedNode(OG + "finding")
    says = ox.NamedNode(OG + "detail")

    def facts(check: str, text: str) -> list[ox.Triple]:
        node = ox.BlankNode()
        return [
            ox.Triple(model, finding, node),
            ox.Triple(node, about, ox.NamedNode(f"https://e.org/check/{check}")),
            ox.Triple(node, says, ox.Literal(text)),
        ]

    named = _named(facts("open", "restricts use") + facts("free", "restricts use"))
    (one,) = {t.object for t in named if t.predicate == finding}
    assert len(named) == 4  # one link, one sentence, two checks
    assert {t.object.value for t in named if t.predicate == about} == {
        "https://e.org/check/open",
        "https://e.org/check/free",
    }
    assert all(t.subject == one for t in named if t.predicate != finding)
    apart = _named(facts("open", "restricts use") + facts("free", "is accepted"))
    assert len({t.object for t in apart if t.predicate == finding}) == 2


def test_no_two_stored_findings_of_a_model_differ_only_in_their_checks(
    assessed: GraphStore,
) -> None:
    """On the bundled graph: findings several checks read are stored once, about each."""
    alike = """SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g {
      ?m og:finding ?f, ?h . FILTER (STR(?f) < STR(?h))
      ?f og:detail ?d . ?h og:detail ?d .
      FILTER NOT EXISTS { ?f ?p ?o FILTER (?p != og:aboutCheck) FILTER NOT EXISTS { ?h ?p ?o } }
      FILTER NOT EXISTS { ?h ?p ?o FILTER (?p != og:aboutCheck) FILTER NOT EXISTS { ?f ?p ?o } }
    } }"""
    assert assessed.count(PREFIX_LINE + alike, named_graphs=[setwise.DERIVED]) == 0
    several = """SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { GRAPH ?g {
      ?m og:finding ?f . ?f og:aboutCheck ?c, ?k FILTER (?c != ?k) } }"""
    assert assessed.count(PREFIX_LINE + several, named_graphs=[setwise.DERIVED]) > 1_000


class Stopped(Exception):
    """Raised by a sink to stop a run between two batches, as a kill would."""


def test_a_run_stopped_between_batches_resumes_where_it_stopped(
    assessed: GraphStore, stored_verdicts: dict
) -> None:
    store = copy_of(assessed)
    before = set(stored_verdicts)
    # Six models' evidence changes (they are renamed): they are judged again, with the
    # models that read their evidence (fine-tunes of a renamed base), a few a batch.
    six = sorted(subjects(store))[::80][:6]
    for m in six:
        store.update(
            PREFIX_LINE + f"DELETE {{ GRAPH ?g {{ <{m}> schema:name ?n }} }} "
            f'INSERT {{ GRAPH ?g {{ <{m}> schema:name "renamed" }} }} '
            f"WHERE {{ GRAPH ?g {{ <{m}> schema:name ?n }} }}"
        )
    # What a run left to its end judges, in its order: the stopped run's first batch and the
    # resumed run's are its two parts. A run storing nothing judges what one storing its
    # batches does (both read the fingerprints stored before they start, and the evidence,
    # which no writer writes), so it runs on the store itself, not on a copy of it.
    due = assess(store, batch=2).models
    assert set(six) <= set(due)
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    stored: list[list[str]] = []

    def stop_after_one(batch: Batch) -> None:
        if stored:
            raise Stopped
        writer(batch)
        stored.append(batch.models)

    with pytest.raises(Stopped):
        assess(store, batch=2, sink=stop_after_one)
    (first,) = stored
    assert first and first == due[: len(first)] and len(first) < len(due)
    by_run = {
        r["m"].value
        for r in store.query(
            "SELECT ?m WHERE { ?a earl:subject ?m ; prov:wasGeneratedBy ?run }",
            substitutions={"run": ox.NamedNode(writer.run)},
        ).rows()
    }
    assert by_run == set(first)
    assert set(_verdicts(store)) == before  # every model keeps a verdict meanwhile
    assert stopped_runs(store) == [writer.run]  # what `build --if-missing` completes
    completing = Writer(store, started=dt.datetime.now(dt.UTC))
    again = assess(store, batch=2, sink=completing)
    assert again.models == due[len(first) :]
    completing.finish(again)
    assert stopped_runs(store) == []


def test_a_writer_that_forgets_the_results_and_requirement_assessments_it_wrote_stores_the_same(
    built: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    some = sorted(subjects(built))[::25]
    started = dt.datetime.now(dt.UTC)
    stored, remembered = [], []
    for kept in (0, assessment_store.PARTS_KEPT):  # forgets them after every batch, or never
        monkeypatch.setattr(assessment_store, "PARTS_KEPT", kept)
        store = copy_of(built)
        writer = Writer(store, started=started)
        writer.finish(assess(store, None, some, batch=4, sink=writer))
        remembered.append(len(writer.shared))
        graph = store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[Graphs.ASSESSMENTS])
        stored.append({t for t in graph if t.predicate.value not in WHEN})
    assert remembered[0] < remembered[1]
    assert stored[0] == stored[1]


def _batch(name: str) -> Batch:
    return Batch([name], [], {}, [], [])


def test_a_sink_in_the_background_takes_the_batches_in_order_and_hands_back_its_error() -> None:
    taken: list[str] = []
    with in_background(lambda b: taken.extend(b.models)) as sink:
        for name in "abcde":
            sink(_batch(name))
    assert taken == list("abcde")  # all of them, in order, once the block ends

    def refuse_c(b: Batch) -> None:
        if b.models == ["c"]:
            raise Stopped
        taken.append(b.models[0])

    taken.clear()
    with pytest.raises(Stopped):  # at the next batch given, or at the end
        with in_background(refuse_c) as sink:
            for name in "abcde":
                sink(_batch(name))
    assert taken == ["a", "b"]  # nothing after the failed batch is written


def test_an_error_while_judging_lets_the_batch_being_written_finish() -> None:
    started, release = threading.Event(), threading.Event()
    written: list[str] = []

    def slow(b: Batch) -> None:
        started.set()
        release.wait(timeout=60)
        written.append(b.models[0])

    with pytest.raises(Stopped):
        with in_background(slow) as sink:
            sink(_batch("a"))
            started.wait(timeout=60)
            threading.Timer(0.05, release.set).start()
            raise Stopped
    assert written == ["a"]


def _findings(store: GraphStore, model: str, licence: str) -> int:
    """How many derived findings about ``model``'s MOF record name ``licence``."""
    return store.count(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?m og:finding/og:detail ?d } "
        'FILTER (STRSTARTS(?d, "mof record") && CONTAINS(?d, ?licence)) }',
        named_graphs=[setwise.DERIVED],
        substitutions={"m": ox.NamedNode(model), "licence": ox.Literal(licence)},
    )


def _relicense(model: str) -> str:
    """An update putting every licence of the model's MOF record under a non-commercial one:
    its statements are shared with the records that state them alike, so the record (and
    its components) link to copies that say CC-BY-NC-4.0 instead, as a new ingest would."""
    return (
        PREFIX_LINE
        + f"""
      DELETE {{ GRAPH ?g {{ ?x og:licenseStatement ?s }} }}
      INSERT {{ GRAPH ?g {{ ?x og:licenseStatement ?nc . ?nc ?p ?said }} }}
      WHERE {{ GRAPH ?i {{ <{model}> og:hasRecord ?r }}
               GRAPH ?g {{ ?r og:source ?src .
                 {{ ?r og:licenseStatement ?s BIND (?r AS ?x) }}
                 UNION {{ ?r og:component ?x . ?x og:licenseStatement ?s }}
                 ?s ?p ?value }}
               GRAPH ?o {{ ?src skos:notation "mof" }}
               BIND (IF(?p = og:licenseString, "CC-BY-NC-4.0", ?value) AS ?said)
               BIND (IRI(CONCAT(STR(?s), "-nc")) AS ?nc) }}"""
    )


def test_a_failing_rule_is_named_and_nothing_stored_changes(
    assessed: GraphStore, stored_verdicts: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = copy_of(assessed)
    before = stored_verdicts
    rules = program.rules()
    broken = Rule(
        "https://example.org/broken-rule",
        rules[0].target,
        "",
        "{ ?this ?p ?o }",
        "?this ?p FILTER (",
    )
    monkeypatch.setattr(setwise, "rules", lambda: (*rules, broken))
    # A few models suffice: the broken rule runs last, after every rule, on each batch.
    some = sorted(subjects(store))[::50]
    with pytest.raises(RuleError, match="https://example.org/broken-rule"):
        assess(store, None, some, force=True)
    assert _verdicts(store) == before


def test_a_recorded_conflict_is_read_wherever_contradictions_are() -> None:
    """Every shape that reports contradicting findings also reports a recorded source
    conflict on the same aspects (a definition added later must not pass a model on one
    side of a conflict)."""
    og = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    graph = shapes_graph()
    contradicting = set(graph.subjects(sh.sparql, og.ConflictingEvidenceConstraint))
    recorded = set(graph.subjects(sh.sparql, og.RecordedConflictConstraint))
    assert contradicting and contradicting == recorded


def test_every_rule_and_constraint_is_named_labelled_and_commented() -> None:
    graph = shapes_graph()
    nodes = [r.iri for r in program.rules()] + [c.iri for c in program.constraints()]
    for iri in nodes:
        node = rdflib.URIRef(iri)
        assert iri.startswith("https://w3id.org/openness-graph/"), iri
        for p in (rdflib.RDFS.label, rdflib.RDFS.comment):
            assert graph.value(node, p) is not None, (iri, p)


def test_the_evidence_of_many_models_on_disk_is_read_from_a_copy_in_memory(
    built: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openness.store import EmbeddedStore

    disk = EmbeddedStore(tmp_path / "db")
    disk._store.bulk_extend(built._store)  # type: ignore[attr-defined]  # noqa: SLF001
    models = sorted(subjects(disk))
    copies: list[bool] = []
    copy = EmbeddedStore.reading_copy

    def recorded(self: EmbeddedStore, graphs: list[str], limit: int | None = None) -> object:
        made = copy(self, graphs, limit)
        copies.append(made is not self)
        return made

    monkeypatch.setattr(EmbeddedStore, "reading_copy", recorded)
    # A copy of the bundled graph (~100 000 quads) pays for the reads of many models, not
    # of one; every model read alike from either.
    many = assess(disk, models=models[:200])
    one = assess(disk, models=models[:1])
    assert copies == [True, False]
    assert {(v.model, v.definition, v.outcome) for v in many.verdicts if v.model == models[0]} == {
        (v.model, v.definition, v.outcome) for v in one.verdicts
    }


def test_a_licence_no_longer_restrictive_loses_its_derived_fact(assessed: GraphStore) -> None:
    """og:restrictsUse hangs on a licence statement, not a model: judged again once the
    licence's prohibitions are gone, the models leave no statement said to restrict use."""
    store = copy_of(assessed)
    gemma = "https://w3id.org/openness-graph/id/license/gemma"
    said = f"""ASK {{ GRAPH <{setwise.DERIVED}> {{ ?s og:restrictsUse true }}
                     ?s og:licenseOption/og:optionLicense <{gemma}> }}"""
    assert store.query(PREFIX_LINE + said)
    store.update(
        PREFIX_LINE
        + f"""DELETE {{ GRAPH ?g {{ <{gemma}> odrl:prohibition ?p }} }}
              WHERE {{ GRAPH ?g {{ <{gemma}> odrl:prohibition ?p }} }}"""
    )
    run = assess(store)
    save(store, run, started=dt.datetime.now(dt.UTC))
    assert not store.query(PREFIX_LINE + said)
