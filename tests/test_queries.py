"""Every named query parses, runs on a fixture graph, and gives the answer it promises."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from html import unescape
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import (
    REPORTED_MODELS,
    copy_of,
    oxigraph_serving,
    select,
    virtuoso_process,
    virtuoso_sql,
)
from rdflib.paths import AlternativePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef
from support.history import copy_store

from openness.assess.definitions import definitions
from openness.assess.report import verdict_rows
from openness.assess.service import resolve_models
from openness.cli import cli
from openness.history import VERDICT_HISTORY, build_verdict_history
from openness.ingest.snapshots import ingest_history
from openness.named_queries import (
    NamedQuery,
    QueryFileError,
    catalogue,
    first_column,
    load,
    run_named,
)
from openness.namespaces import DCTERMS, EARL, ID, ODRL, OG, RDF, RDFS, XSD, Graphs
from openness.server import create_app, execute
from openness.server.negotiation import RESULT_TYPES
from openness.store import EmbeddedStore, GraphStore, RemoteStore, row_values, summary

QUERIES = catalogue()


def answer(reported: Path, name: str, **params: str) -> list[dict[str, str]]:
    text = QUERIES[name].sparql(params)  # as the CLI, the API and the pages bind them
    store = EmbeddedStore(reported, read_only=True)
    try:
        return select(store, text)
    finally:
        store.close()


def test_there_are_at_least_fifteen_documented_queries() -> None:
    assert len(QUERIES) >= 15
    for q in QUERIES.values():
        assert q.summary and q.description, q.name


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_file_stands_alone(name: str) -> None:
    """Each file declares its own prefixes: any SPARQL parser reads it as it is, with no
    prefix map given (rdflib's translates it too, which fails on an undeclared prefix)."""
    text = QUERIES[name].path.read_text(encoding="utf-8")
    prepareQuery(text)
    ox.Store().query(text)  # parses before it runs; an empty store has nothing to find


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_description_names_the_parameters_and_the_columns(name: str) -> None:
    """grlc has no place for what a parameter or a column means but the description: a
    reader of the file (or of grlc's API page) finds each named there, in backquotes."""
    q = QUERIES[name]
    columns = [str(v) for v in prepareQuery(q.path.read_text(encoding="utf-8")).algebra["PV"]]
    unnamed = [n for n in columns + [p.name for p in q.parameters] if f"`{n}`" not in q.description]
    assert not unnamed, f"{name}.rq's description does not name {', '.join(unnamed)}"


def test_a_description_listing_definition_ids_lists_every_one() -> None:
    """A description that lists the definitions a parameter takes lists them all: one
    added to shapes/ is not left out of the list."""
    ids = set(definitions())
    for q in QUERIES.values():
        listed = {
            i for i in ids if re.search(rf"(?<![\w.-]){re.escape(i)}(?![\w.-])", q.description)
        }
        assert len(listed) <= 2 or listed == ids, (q.name, sorted(ids - listed))


def test_the_folders_readme_lists_every_file_with_its_parameters() -> None:
    """queries/README.md has a row for each file, in order: its name, its parameters (each
    typed, optional or not) and its summary, as the file says them."""
    kinds = {"iri": "IRI", None: "text"}
    rows = []
    for name, q in QUERIES.items():
        params = ", ".join(
            f"`{p.name}` ({kinds.get(p.type, p.type)}{'' if p.required else ', optional'})"
            for p in q.parameters
        )
        rows.append(f"| [`{name}`]({name}.rq) | {params or '—'} | {q.summary} |")
    readme = (next(iter(QUERIES.values())).path.parent / "README.md").read_text(encoding="utf-8")
    assert [line for line in readme.splitlines() if line.startswith("| [`")] == rows


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs_and_gives_each_row_once(reported: Path, name: str) -> None:
    """A SyntaxError or a missing required parameter fails here, and so does a row given
    twice: the default graph is the union of the named graphs, and a triple that several
    sources state is once in it on Jena (an RDF merge is a set) but once per graph on
    Oxigraph 0.5 and Virtuoso, which gave datasets-by-data-class's rows up to seven times
    each where Jena gave each once."""
    store = EmbeddedStore(reported, read_only=True)
    try:
        rows = store.query(QUERIES[name].sparql({})).rows()
    finally:
        store.close()
    seen = [tuple(sorted((var, str(term)) for var, term in row.items())) for row in rows]
    assert len(set(seen)) == len(seen), [row for row in seen if seen.count(row) > 1][:3]


def test_models_passing_osaid(reported: Path) -> None:
    names = {r["name"] for r in answer(reported, "models-passing")}
    assert "OLMo-7B" in names and "Llama-2-7B" not in names
    graded = answer(reported, "models-passing", definition="mof-1.0")
    assert {"name": "OLMo-7B", "level": "Class I"}.items() <= next(
        r for r in graded if r["name"] == "OLMo-7B"
    ).items()


def test_conformance_matrix_and_model_verdicts(reported: Path) -> None:
    rows = answer(reported, "conformance-matrix")
    assert len({(r["model"], r["definition"]) for r in rows}) == len(rows) >= 6 * 8
    olmo = answer(reported, "model-verdicts")  # the default: OLMo-7B
    assert {r["definition"] for r in olmo} == set(definitions()) >= {"osaid-1.0", "mof-1.0"}
    # The matrix's row of OLMo-7B: named, and the same outcomes as its own verdicts.
    matrix = {r["definition"]: r["outcome"] for r in rows if r.get("name") == "OLMo-7B"}
    assert matrix == {r["definition"]: r["outcome"] for r in olmo}
    assert matrix["mof-1.0"] == "passed"


def test_conformance_matrix_is_every_named_verdict_in_order(reported: Path) -> None:
    """The same rows, in the same order, as the verdicts read one property at a time and
    put together here: each verdict of a model named in the identity graph, with its
    outcome, the label of its level and its score where it has them, by name then
    definition."""
    assessments = "https://w3id.org/openness-graph/graph/assessments"

    def pairs(pattern: str, graph: str = assessments) -> dict[str, str]:
        found = select(store, f"SELECT ?x ?y WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}")
        return {r["x"]: r["y"] for r in found}

    store = EmbeddedStore(reported, read_only=True)
    try:
        verdicts = select(
            store,
            f"""SELECT ?a ?definition ?model ?r WHERE {{ GRAPH <{assessments}> {{
                  ?a og:definitionId ?definition ; earl:subject ?model ; earl:result ?r }} }}""",
        )
        outcome = pairs("?x earl:outcome ?y")
        score = pairs("?x og:score ?y")
        level = pairs("?x og:level ?y")
        labels = pairs("?x rdfs:label ?y", "https://w3id.org/openness-graph/graph/ontology")
        names = pairs("?x schema:name ?y", "https://w3id.org/openness-graph/graph/identity")
    finally:
        store.close()
    expected = []
    for v in verdicts:
        if v["model"] not in names:
            continue
        row = {
            "model": v["model"],
            "name": names[v["model"]],
            "definition": v["definition"],
            "outcome": outcome[v["r"]].rsplit("#", 1)[1],
        }
        if level.get(v["r"]) in labels:
            row["level"] = labels[level[v["r"]]]
        if v["r"] in score:
            row["score"] = score[v["r"]]
        expected.append(row)
    expected.sort(key=lambda r: (r["name"], r["definition"]))
    rows = answer(reported, "conformance-matrix")
    assert len(rows) >= len(REPORTED_MODELS) * len(definitions())
    assert any("level" in r for r in rows) and any("score" in r for r in rows)
    assert rows == expected


def test_mof_class_beside_index_score_lists_the_models_both_grade(reported: Path) -> None:
    rows = answer(reported, "mof-class-vs-index-score")
    store = EmbeddedStore(reported, read_only=True)
    try:
        verdicts = {(v["model"], v["definition"]): v for v in verdict_rows(store)}
    finally:
        store.close()
    both = {
        m
        for (m, d), v in verdicts.items()
        if d == "mof-1.0" and v["inScope"] and verdicts[(m, "eu-osai-index")]["score"] is not None
    }
    # A model the tool does not describe is out of its scope, not of class "none".
    assert rows and {r["model"] for r in rows} == both
    assert any(v["score"] is not None for (m, d), v in verdicts.items() if m not in both)


def test_restrictive_licences_name_the_llama_threshold(reported: Path) -> None:
    rows = answer(reported, "restrictive-licences")
    llama = [r for r in rows if r["label"] == "Llama 2 Community License Agreement"]
    assert any(r.get("value") == "700000000" for r in llama)


def test_restrictive_licences_order_a_threshold_by_its_number(
    request: pytest.FixtureRequest,
) -> None:
    """A licence's thresholds on one operand come by their number, 9 before 10 (by their
    text, 10 and 100 came first), a value in words beside them in one place too: on our
    store and on Virtuoso alike."""
    licence, graph = ox.NamedNode(ID + "license/made-up"), ox.NamedNode(Graphs.source("curated"))
    quads = [ox.Quad(licence, ox.NamedNode(RDFS + "label"), ox.Literal("Made-up"), graph)]
    for value in (
        ox.Literal("EU"),
        *(ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer")) for n in (100, 9, 10)),
    ):
        rule, constraint = ox.BlankNode(), ox.BlankNode()
        quads += [
            ox.Quad(licence, ox.NamedNode(ODRL + "prohibition"), rule, graph),
            ox.Quad(rule, ox.NamedNode(ODRL + "action"), ox.NamedNode(ODRL + "use"), graph),
            ox.Quad(rule, ox.NamedNode(ODRL + "constraint"), constraint, graph),
            ox.Quad(
                constraint,
                ox.NamedNode(ODRL + "leftOperand"),
                ox.NamedNode(OG + "monthlyActiveUsers"),
                graph,
            ),
            ox.Quad(constraint, ox.NamedNode(ODRL + "rightOperand"), value, graph),
        ]
    store = EmbeddedStore(None)
    store._store.extend(quads)  # noqa: SLF001 - a test's made-up graph
    query = QUERIES["restrictive-licences"]
    ours = [r["value"] for r in select(store, query.sparql({}))]
    assert ours == ["EU", "9", "10", "100"]
    with made_up_on_virtuoso(store.export(ox.RdfFormat.N_QUADS), request) as url:
        theirs = [r["value"].value for r in remote_rows(url, grlc_text(query, {}))]
    assert theirs == ours


def test_public_ai_lists_government_producers(reported: Path) -> None:
    rows = answer(reported, "public-ai")  # the default kind: government
    assert "Falcon-40B" in {r["name"] for r in rows}
    assert answer(reported, "public-ai", kind="company")


def test_datasets_licences_and_provenance(reported: Path) -> None:
    classes = {r.get("name"): r["class"] for r in answer(reported, "datasets-by-data-class")}
    assert classes["LibriSpeech"] == "open" and classes["ImageNet"] == "obtainable"
    unresolved = {r["string"] for r in answer(reported, "unresolved-licences")}
    assert "Undisclosed" in unresolved and "Apache-2.0" not in unresolved
    runs = {r["source"] for r in answer(reported, "ingestion-runs")}
    assert runs == {"spdx", "mof", "osai-index", "hf", "croissant", "curated", "fmti"}


def test_definitions_and_their_requirements(reported: Path) -> None:
    rows = answer(reported, "definitions")
    assert {r["id"] for r in rows} == set(definitions())
    assert {"osaid-1.0.P-terms", "mof-1.0.c3.architecture"} <= {r["requirementId"] for r in rows}


def test_finetune_licence_differs_per_record_of_the_fine_tune(reported: Path) -> None:
    """A record of the fine-tune is listed with each licence of the base that the record
    itself does not resolve to; a fine-tune licensed as its base is not listed."""
    rows = answer(reported, "finetune-licence-differs")
    zephyr = {(r["license"], r["baseLicense"]) for r in rows if r["name"] == "Zephyr-141B"}
    # Its Model Openness Tool record says MIT; its Hub and Index records say Apache-2.0,
    # as the base (Mixtral-8x22B-v0.1) does.
    assert zephyr == {("MIT", "Apache-2.0")}
    assert {r["baseName"] for r in rows if r["name"] == "Zephyr-141B"} == {"Mixtral-8x22B-v0.1"}
    assert ("MIT", "llama2") in {
        (r["license"], r["baseLicense"]) for r in rows if r["name"] == "ChatMusician"
    }
    assert "Meta-Llama-3-8B-Instruct" not in {r["name"] for r in rows}
    assert len(rows) == len({tuple(sorted(r.items())) for r in rows})  # no repeated row


def test_vocabulary_in_use_lists_used_and_declared_terms(reported: Path) -> None:
    rows = answer(reported, "vocabulary-in-use")
    terms = {(r["term"], r["kind"]) for r in rows}
    og = "https://w3id.org/openness-graph/ns#"
    assert {
        (og + "Model", "class"),  # used
        (og + "HubSync", "class"),  # declared, with no instance in the bundled graph
        ("https://schema.org/name", "property"),  # used
        (og + "acceptedLicense", "property"),  # declared, used by no triple
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "property"),
    } <= terms
    assert len(terms) == len(rows)
    assert all(term.startswith("http") for term, _ in terms)  # IRIs only, no blank node


def test_vocabulary_in_use_is_every_class_and_property_in_order(reported: Path) -> None:
    """The same rows, in the same order, as the terms read off every quad of the store
    (pyoxigraph's own iteration, no query): the classes (objects of rdf:type, and
    owl:Class), then the properties (predicates, and OWL object and datatype properties),
    IRIs only, each kind sorted by IRI; the store's VoID summary, which the query reads,
    describes every graph but itself."""
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    owl = "http://www.w3.org/2002/07/owl#"
    declared = {owl + "Class": "class", owl + "ObjectProperty": "property"}
    declared[owl + "DatatypeProperty"] = "property"
    found: set[tuple[str, str]] = set()
    raw = ox.Store.read_only(str(reported))
    for quad in raw:
        if quad.graph_name == ox.NamedNode(summary.SUMMARY):
            continue
        found.add(("property", quad.predicate.value))
        if quad.predicate.value == rdf_type:
            if isinstance(quad.object, ox.NamedNode):
                found.add(("class", quad.object.value))
            kind = declared.get(quad.object.value)
            if kind and isinstance(quad.subject, ox.NamedNode):
                found.add((kind, quad.subject.value))
    del raw
    expected = [{"term": term, "kind": kind} for kind, term in sorted(found)]
    assert answer(reported, "vocabulary-in-use") == expected


def _nodes(node: object) -> Iterator[CompValue]:
    """Each node of a query's algebra as rdflib parses it, ``node`` itself first."""
    if isinstance(node, CompValue):
        yield node
        node = list(node.values())
    if isinstance(node, (list, tuple)):
        for value in node:
            yield from _nodes(value)


@pytest.mark.parametrize(
    "name", sorted(n for n, q in QUERIES.items() if any(p.name == "model" for p in q.parameters))
)
def test_a_models_query_reads_the_parts_where_it_finds_them(name: str) -> None:
    """A query of one model (the model page runs each) reads a verdict's parts in the
    subquery that finds them by the two paths (``(earl:result/dcterms:hasPart)|
    dcterms:hasPart``), passing on no part: joined outside it, pyoxigraph read the part's
    pattern on its own, every requirement assessment of the store (changes-to-pass took
    0.2 s CPU instead of 0.01 s, bundled graph)."""
    algebra = prepareQuery(QUERIES[name].text).algebra
    # The outermost Project comes first; the others are its subqueries.
    for subquery in [n for n in _nodes(algebra) if n.name == "Project"][1:]:
        parts = {
            str(o)
            for bgp in _nodes(subquery.p)
            if bgp.name == "BGP"
            for _, p, o in bgp.triples
            if isinstance(p, AlternativePath) and URIRef(DCTERMS + "hasPart") in p.args
        }
        assert not {str(v) for v in subquery.PV} & parts, name


def test_the_requirement_matrix_agrees_with_the_counts_and_the_verdicts(reported: Path) -> None:
    """Each model's outcome on each requirement of a definition: counted per requirement
    they are most-failed-requirements' counts, and (on a definition that does not grade)
    the models passing it are those that pass every requirement."""
    for d in ("osaid-1.0", "owd-0.3"):
        rows = answer(reported, "requirement-matrix", definition=d)
        counts = {
            r["requirement"]: {k: int(r[k]) for k in ("passed", "failed", "cantTell") if int(r[k])}
            for r in answer(reported, "most-failed-requirements", definition=d)
        }
        tallied: dict[str, dict[str, int]] = {}
        for r in rows:
            by = tallied.setdefault(r["requirement"], {})
            by[r["outcome"]] = by.get(r["outcome"], 0) + 1
        assert tallied == counts, d
        outcomes: dict[str, set[str]] = {}
        for r in rows:
            outcomes.setdefault(r["model"], set()).add(r["outcome"])
        passed = {
            r["model"]
            for r in answer(reported, "conformance-matrix")
            if r["definition"] == d and r["outcome"] == "passed"
        }
        assert passed and passed == {m for m, o in outcomes.items() if o == {"passed"}}, d
        assert all(r["requirementId"].startswith(d + ".") for r in rows)


def test_the_requirement_matrix_comes_model_by_model_requirement_by_requirement(
    reported: Path,
) -> None:
    """Its rows in order — by model (its IRI), then requirement id — on every engine, not
    in the order the engine happened to join them."""
    rows = answer(reported, "requirement-matrix", definition="osaid-1.0")
    keys = [(r["model"], r["requirementId"]) for r in rows]
    assert len({model for model, _ in keys}) > 1
    assert keys == sorted(keys)


def test_most_failed_requirements_counts_each_verdicts_outcome(reported: Path) -> None:
    """Each requirement's outcomes counted over the verdicts of the definition, as a plain
    count of every verdict's requirement assessments gives them."""
    rows = answer(reported, "most-failed-requirements", definition="osaid-1.0")
    assert {r["definition"] for r in rows} == {"osaid-1.0"}
    store = EmbeddedStore(reported, read_only=True)
    try:
        counted = select(
            store,
            """SELECT ?requirement ?o (COUNT(*) AS ?n) WHERE {
                 GRAPH <https://w3id.org/openness-graph/graph/assessments> {
                   ?a og:definitionId "osaid-1.0" ; earl:result/dcterms:hasPart ?part .
                   ?part earl:test ?requirement ; earl:result/earl:outcome ?o } }
               GROUP BY ?requirement ?o""",
        )
    finally:
        store.close()
    expected: dict[str, dict[str, int]] = {}
    for c in counted:
        outcome = c["o"].rsplit("#", 1)[1]
        expected.setdefault(c["requirement"], {})[outcome] = int(c["n"])
    got = {
        r["requirement"]: {k: int(r[k]) for k in ("passed", "failed", "cantTell") if int(r[k])}
        for r in rows
    }
    assert got == expected
    assert sum(sum(v.values()) for v in got.values()) >= len(REPORTED_MODELS)
    everything = answer(reported, "most-failed-requirements")
    assert [r for r in everything if r["definition"] == "osaid-1.0"] == rows


# A made-up graph of verdicts: definitions d-a and d-b pass or fail models, d-r only rates
# them (as the Index does); m2's verdict on d-b holds its requirement assessments itself, as
# one stored before 2026-12-04 does; m6 has a verdict on d-a only.
DISAGREE_TRIG = """
@prefix og: <https://w3id.org/openness-graph/ns#> .
@prefix earl: <http://www.w3.org/ns/earl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix : <https://example.org/> .
<https://w3id.org/openness-graph/graph/shapes> {
  :b1 og:definitionId "d-b.r1" . :b2 og:definitionId "d-b.r2" . :a1 og:definitionId "d-a.r1" .
}
<https://w3id.org/openness-graph/graph/assessments> {
  :m1a og:definitionId "d-a" ; earl:subject :m1 ; earl:result [ earl:outcome earl:passed ] .
  :m1b og:definitionId "d-b" ; earl:subject :m1 ; earl:result :m1b-r .
  :m1b-r earl:outcome earl:failed ; dcterms:hasPart :p-b1-failed, :p-b2-failed .
  :m1r og:definitionId "d-r" ; earl:subject :m1 ; earl:result [ earl:outcome earl:inapplicable ] .
  :m2a og:definitionId "d-a" ; earl:subject :m2 ; earl:result [ earl:outcome earl:passed ] .
  :m2b og:definitionId "d-b" ; earl:subject :m2 ; earl:result [ earl:outcome earl:failed ] ;
    dcterms:hasPart :p-b1-failed, :p-b2-passed .
  :m2r og:definitionId "d-r" ; earl:subject :m2 ; earl:result [ earl:outcome earl:inapplicable ] .
  :m3a og:definitionId "d-a" ; earl:subject :m3 ; earl:result [ earl:outcome earl:passed ] .
  :m3b og:definitionId "d-b" ; earl:subject :m3 ; earl:result [ earl:outcome earl:passed ] .
  :m3r og:definitionId "d-r" ; earl:subject :m3 ; earl:result [ earl:outcome earl:inapplicable ] .
  :m4a og:definitionId "d-a" ; earl:subject :m4 ; earl:result :m4a-r .
  :m4a-r earl:outcome earl:failed ; dcterms:hasPart :p-a1-failed .
  :m4b og:definitionId "d-b" ; earl:subject :m4 ; earl:result :m4b-r .
  :m4b-r earl:outcome earl:failed ; dcterms:hasPart :p-b1-failed .
  :m4r og:definitionId "d-r" ; earl:subject :m4 ; earl:result [ earl:outcome earl:cantTell ] .
  :m5a og:definitionId "d-a" ; earl:subject :m5 ; earl:result [ earl:outcome earl:cantTell ] .
  :m5b og:definitionId "d-b" ; earl:subject :m5 ; earl:result [ earl:outcome earl:passed ] .
  :m5r og:definitionId "d-r" ; earl:subject :m5 ; earl:result [ earl:outcome earl:inapplicable ] .
  :m6a og:definitionId "d-a" ; earl:subject :m6 ; earl:result [ earl:outcome earl:passed ] .
  :p-b1-failed earl:test :b1 ; earl:result [ earl:outcome earl:failed ] .
  :p-b2-failed earl:test :b2 ; earl:result [ earl:outcome earl:failed ] .
  :p-b2-passed earl:test :b2 ; earl:result [ earl:outcome earl:passed ] .
  :p-a1-failed earl:test :a1 ; earl:result [ earl:outcome earl:failed ] .
}
"""


def made_up(trig: str) -> EmbeddedStore:
    """An in-memory store holding a test's made-up TriG."""
    store = EmbeddedStore(None)
    store._store.load(trig.encode(), ox.RdfFormat.TRIG)  # noqa: SLF001 - a test's graph
    return store


def test_a_part_a_verdict_holds_both_ways_counts_once(store: GraphStore) -> None:
    """A requirement assessment that a verdict holds itself and in its result too (the two
    paths the files read a verdict's parts by) is counted once by most-failed-requirements
    and is one row of requirement-matrix, on every engine: SPARQL 1.1 keeps a row for each
    alternative of a path (p|q) that reaches it, where pyoxigraph keeps one."""
    turtle = f"""
        @prefix og: <{OG}> . @prefix earl: <{EARL}> . @prefix dcterms: <{DCTERMS}> .
        <x:verdict> og:definitionId "d-1" ; earl:subject <x:model> ; earl:result <x:result> ;
            dcterms:hasPart <x:part> .
        <x:result> earl:outcome earl:failed ; dcterms:hasPart <x:part> .
        <x:part> earl:test <x:requirement> ; earl:result <x:partResult> .
        <x:partResult> earl:outcome earl:failed .
    """
    store.write(
        add={
            Graphs.ASSESSMENTS: list(ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)),
            Graphs.SHAPES: [
                ox.Triple(ox.NamedNode("x:requirement"), p, ox.Literal("d-1.r"))
                for p in (ox.NamedNode(OG + "definitionId"), ox.NamedNode(RDFS + "label"))
            ],
        }
    )
    counts = select(store, QUERIES["most-failed-requirements"].sparql({"definition": "d-1"}))
    assert [(r["requirement"], r["failed"]) for r in counts] == [("x:requirement", "1")]
    matrix = select(store, QUERIES["requirement-matrix"].sparql({"definition": "d-1"}))
    assert [(r["model"], r["requirementId"], r["outcome"]) for r in matrix] == [
        ("x:model", "d-1.r", "failed")
    ]


def test_definitions_disagree_counts_each_pair_as_the_verdicts_say(
    request: pytest.FixtureRequest,
) -> None:
    """On a graph of five models' verdicts made up for it, each ordered pair of definitions
    counts the models one passes and the other fails, both pass, both fail, cannot be told
    on either and are rated (the Index's kind: no pass, no fail), and names the
    requirements of the failing one those models failed, with how many failed each: as
    written out here by hand, on our store and on Virtuoso alike."""
    columns = ("passedFailed", "bothPassed", "bothFailed", "cantTell", "inapplicable", "models")
    expected = {
        ("d-a", "d-b"): ((2, 1, 1, 1, 0, 5), "d-b.r1 (2) | d-b.r2 (1)"),
        ("d-a", "d-r"): ((0, 0, 0, 1, 4, 5), None),
        ("d-b", "d-a"): ((0, 1, 1, 1, 0, 5), None),  # m1 and m2 are the row above's
        ("d-b", "d-r"): ((0, 0, 0, 1, 4, 5), None),
        ("d-r", "d-a"): ((0, 0, 0, 1, 4, 5), None),
        ("d-r", "d-b"): ((0, 0, 0, 1, 4, 5), None),
    }
    store = made_up(DISAGREE_TRIG)
    query = QUERIES["definitions-disagree"]
    rows = [row_values(r) for r in query.run(store, {}).rows()]
    assert [
        (
            (r["definition"], r["other"]),
            (tuple(int(r[c]) for c in columns), r.get("partsOn")),
        )
        for r in rows
    ] == list(expected.items())
    ours = comparable(in_common(store.query(query.sparql({})).rows()), query)
    with made_up_on_virtuoso(store.export(ox.RdfFormat.N_QUADS), request) as url:
        theirs = in_common(remote_rows(url, grlc_text(query, {})))
    assert_same_answer(comparable(theirs, query), ours, {})


def test_definitions_disagree_pairs_the_bundled_verdicts(reported: Path) -> None:
    """On the bundled graph, each pair's counts are the stored verdicts (the conformance
    matrix) paired model by model, and its requirements those the requirement matrix
    says failed for the models one definition passes and the other fails."""
    verdicts: dict[str, dict[str, str]] = {}
    for r in answer(reported, "conformance-matrix"):
        verdicts.setdefault(r["model"], {})[r["definition"]] = r["outcome"]
    rows = answer(reported, "definitions-disagree")
    assert {(r["definition"], r["other"]) for r in rows} == {
        (d, o) for d in definitions() for o in definitions() if d != o
    }
    failing: dict[str, dict[str, set[str]]] = {}
    for d in definitions():
        for r in answer(reported, "requirement-matrix", definition=d):
            if r["outcome"] == "failed":
                failing.setdefault(d, {}).setdefault(r["model"], set()).add(r["requirementId"])
    seen = set()
    for r in rows:
        d, o = r["definition"], r["other"]
        both = [(v[d], v[o]) for v in verdicts.values() if d in v and o in v]
        rated = [p for p in both if "inapplicable" in p]
        told = [p for p in both if "inapplicable" not in p]
        assert int(r["models"]) == len(both), (d, o)
        assert int(r["inapplicable"]) == len(rated), (d, o)
        assert int(r["cantTell"]) == sum("cantTell" in p for p in told), (d, o)
        for column, pair in (
            ("passedFailed", ("passed", "failed")),
            ("bothPassed", ("passed", "passed")),
            ("bothFailed", ("failed", "failed")),
        ):
            assert int(r[column]) == both.count(pair), (d, o, column)
        apart = [m for m, v in verdicts.items() if (v.get(d), v.get(o)) == ("passed", "failed")]
        counted: dict[str, int] = {}
        for m in apart:
            for q in failing.get(o, {}).get(m, ()):
                counted[q] = counted.get(q, 0) + 1
        parts = sorted(f"{q} ({n})" for q, n in counted.items())
        assert sorted(r.get("partsOn", "").split(" | ")) == (parts or [""]), (d, o)
        seen |= {c for c in ("passedFailed", "bothPassed", "bothFailed") if int(r[c])}
    # The reported models give pairs of each kind, and some that part on a requirement.
    assert seen == {"passedFailed", "bothPassed", "bothFailed"}


def test_published_vs_computed_tells_a_difference_from_a_cannot_tell(
    request: pytest.FixtureRequest,
) -> None:
    """A published verdict beside each computed one of the family it names: the same
    outcome agrees, a pass beside a fail differs, and a cannot-tell on either side
    contradicts neither (where it said `agrees` false); a verdict about no model judged
    here has no agreement. On a made-up graph, on our store and on Virtuoso alike."""
    store = made_up("""
@prefix og: <https://w3id.org/openness-graph/ns#> .
@prefix earl: <http://www.w3.org/ns/earl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix : <https://example.org/> .
:osi rdfs:label "OSI" .
:fam schema:name "Fam" .
:f1 a og:Model ; og:family :fam ; schema:name "Fam-1" .
:f2 a og:Model ; og:family :fam ; schema:name "Fam-2" .
:f3 a og:Model ; og:family :fam ; schema:name "Fam-3" .
:said-fam a og:PublishedVerdict ; og:definitionId "d-a" ; earl:subject :fam ;
  earl:assertedBy :osi ; earl:result [ earl:outcome earl:passed ] ;
  og:againstVersion "1.0" ; dcterms:source :page .
:said-f3 a og:PublishedVerdict ; og:definitionId "d-b" ; earl:subject :f3 ;
  earl:assertedBy :osi ; earl:result [ earl:outcome earl:cantTell ] ;
  og:againstVersion "1.0" ; dcterms:source :page .
:said-licence a og:PublishedVerdict ; og:definitionId "d-a" ; earl:subject :licence ;
  earl:assertedBy :osi ; earl:result [ earl:outcome earl:failed ] ;
  og:againstVersion "1.0" ; dcterms:source :page .
<https://w3id.org/openness-graph/graph/assessments> {
  :f1a og:definitionId "d-a" ; earl:subject :f1 ; earl:result [ earl:outcome earl:passed ] .
  :f2a og:definitionId "d-a" ; earl:subject :f2 ; earl:result [ earl:outcome earl:failed ] .
  :f3a og:definitionId "d-a" ; earl:subject :f3 ; earl:result [ earl:outcome earl:cantTell ] .
  :f3b og:definitionId "d-b" ; earl:subject :f3 ; earl:result [ earl:outcome earl:failed ] .
}
""")
    query = QUERIES["published-vs-computed"]
    rows = [row_values(r) for r in query.run(store, {}).rows()]
    said = [(r["def"], r.get("modelName"), r.get("computed"), r.get("agreement")) for r in rows]
    assert said == [
        ("d-a", None, None, None),  # the licence, which no model stands beside
        ("d-a", "Fam-1", "passed", "agrees"),
        ("d-a", "Fam-2", "failed", "differs"),
        ("d-a", "Fam-3", "cantTell", "cantTell"),
        ("d-b", "Fam-3", "failed", "cantTell"),  # published cannot tell
    ]
    ours = comparable(in_common(store.query(query.sparql({})).rows()), query)
    with made_up_on_virtuoso(store.export(ox.RdfFormat.N_QUADS), request) as url:
        theirs = in_common(remote_rows(url, grlc_text(query, {})))
    assert_same_answer(comparable(theirs, query), ours, {})


def test_open_weights_closed_data_reads_the_index_ratings(reported: Path) -> None:
    rows = {r["name"]: r for r in answer(reported, "open-weights-closed-data")}
    assert {k: rows["33x-Coder"][k] for k in ("system", "weights", "baseData", "endData")} == {
        "system": "33x-coder",
        "weights": "open",
        "baseData": "closed",
        "endData": "partial",
    }
    assert rows["AquilaChat2-70B-Expr"]["endData"] == "closed"  # base data open, end closed
    assert "OLMo-7B" not in rows  # open weights and open data
    assert all(r["weights"] == "open" for r in rows.values())


def test_a_malformed_header_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: ok\n#+ sumary: typo\nSELECT * {}\n")
    with pytest.raises(QueryFileError, match="bad.rq: header key.s. sumary not implemented"):
        load(bad)
    bad.write_text("#+ summary: [unclosed\nSELECT * {}\n")
    with pytest.raises(QueryFileError, match="bad.rq: the #\\+ header is not YAML"):
        load(bad)


def test_header_keys_not_implemented_are_refused_when_the_catalogue_loads(tmp_path: Path) -> None:
    """grlc's other keys (pagination, endpoint, …) would be ignored here: refused instead,
    naming the file and the key; so is a default for a parameter the query does not have."""
    (tmp_path / "good.rq").write_text("#+ summary: ok\nSELECT * { ?s ?p ?_o }\n")
    (tmp_path / "paged.rq").write_text("#+ summary: ok\n#+ pagination: 100\nSELECT * {}\n")
    with pytest.raises(QueryFileError, match="paged.rq: header key.s. pagination not implemented"):
        catalogue(tmp_path)
    (tmp_path / "paged.rq").write_text(
        "#+ summary: ok\n#+ defaults:\n#+   - definiton: x\nSELECT * { ?s ?p ?_definition }\n"
    )
    with pytest.raises(QueryFileError, match="paged.rq: default.s. for definiton, which"):
        catalogue(tmp_path)
    (tmp_path / "paged.rq").unlink()
    assert list(catalogue(tmp_path)) == ["good"]


def test_enumerate_lists_a_parameters_values_or_takes_them_from_a_named_query(
    tmp_path: Path,
) -> None:
    """grlc's enumerate: `- o: [v1, v2]` lists the values; `- kind:` takes them from the
    store, the first column of the named query enumerate_from names, once each in its
    order; a value outside them is refused naming them. A store that gives none leaves the
    parameter free. The catalogue refused the key ('not implemented')."""
    (tmp_path / "kinds.rq").write_text(
        "#+ summary: kinds\nSELECT ?k ?x WHERE { ?x <urn:kind> ?k } ORDER BY DESC(?k) ?x\n"
    )
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: q\n#+ enumerate:\n#+   - o: [v1, v2]\n#+   - kind:\n"
        "#+ enumerate_from: {kind: kinds}\n"
        "SELECT ?s WHERE { ?s <urn:p> ?_o ; <urn:kind> ?__kind } ORDER BY ?s\n"
    )
    store = EmbeddedStore(None)
    store.update('INSERT DATA { <urn:a> <urn:kind> "a" . <urn:b> <urn:kind> "b", "a" }')
    query = load(path)
    allowed = query.enumerations(partial(first_column, store))
    assert allowed == {"o": ["v1", "v2"], "kind": ["b", "a"]}
    assert str(query.bindings({"o": "v2", "kind": "a"}, allowed)["__kind"]) == '"a"'
    with pytest.raises(ValueError, match="^kind: 'z' is not one of its values: b, a$"):
        query.bindings({"o": "v1", "kind": "z"}, allowed)
    with pytest.raises(ValueError, match="^o: 'v3' is not one of its values: v1, v2$"):
        query.sparql({"o": "v3"}, allowed)
    assert query.enumerations(partial(first_column, EmbeddedStore(None))) == {"o": ["v1", "v2"]}


@pytest.mark.parametrize(
    "header, message",
    [
        # grlc's bare name: grlc itself fails on it (it reads each item as a mapping)
        ("#+ enumerate: [o]", r"enumerate must be a list of `- name: \[values\]`, or `- name:`"),
        ("#+ enumerate:\n#+   - o: v1", "enumerate's o must list values, or none"),
        ("#+ enumerate:\n#+   - p: [v]", "enumerate names p, which the query does not use"),
        ("#+ enumerate:\n#+   - o:", "enumerate_from must name the query giving .* only those: o$"),
        (
            "#+ enumerate:\n#+   - o: [v]\n#+ enumerate_from: {o: kinds}",
            "enumerate_from .* only those: o$",
        ),
        (
            "#+ enumerate:\n#+   - o:\n#+ enumerate_from: {o: none}",
            "enumerate_from takes o.s values from none, which is no other query",
        ),
        (
            "#+ defaults:\n#+   - o: w\n#+ enumerate:\n#+   - o: [v]",
            "the default of o is none of its values$",
        ),
    ],
)
def test_an_enumerate_that_cannot_be_honoured_is_refused(
    tmp_path: Path, header: str, message: str
) -> None:
    (tmp_path / "kinds.rq").write_text(
        "#+ summary: kinds\nSELECT ?k WHERE { ?x ?p ?k } ORDER BY ?k\n"
    )
    path = tmp_path / "q.rq"
    path.write_text(f"#+ summary: q\n{header}\nSELECT ?s WHERE {{ ?s ?p ?_o }} ORDER BY ?s\n")
    with pytest.raises(QueryFileError, match="^q.rq: " + message):
        load(path)


def test_every_definition_parameter_takes_the_ids_the_store_holds(reported: Path) -> None:
    """Each file with a `definition` parameter enumerates it, with the id of every
    definition of shapes/ (eu-osai-index too, which passes no model: the values its own
    pattern binds would leave it out), read from the store; public-ai's `kind` takes the
    ontology's organization kinds; each default is among its parameter's values."""
    store = EmbeddedStore(reported, read_only=True)
    try:
        enumerated = {
            q.name: q.enumerations(partial(first_column, store)) for q in QUERIES.values()
        }
    finally:
        store.close()
    with_definition = {
        n for n, q in QUERIES.items() if "definition" in {p.name for p in q.parameters}
    }
    assert len(with_definition) >= 9
    assert {n for n, e in enumerated.items() if "definition" in e} == with_definition
    assert all(enumerated[n]["definition"] == sorted(definitions()) for n in with_definition)
    assert {"government", "company", "academic"} <= set(enumerated["public-ai"]["kind"])
    for name, values in enumerated.items():
        for p in QUERIES[name].parameters:
            assert p.name not in values or p.default in (None, *values[p.name]), (name, p.name)


def test_the_catalogue_parses_a_file_again_only_when_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: one\nSELECT * { ?s ?p ?o }\n")
    first = catalogue(tmp_path)["q"]
    assert catalogue(tmp_path)["q"] is first  # unchanged: the parsed query is kept
    path.write_text("#+ summary: two\nSELECT * { ?s ?p ?o }\n")  # the same size
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert catalogue(tmp_path)["q"].summary == "two"


def test_parameters_are_typed_and_required_ones_enforced(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: s\nSELECT * { ?_model_iri ?p ?__limit_integer }\n")
    q = load(path)
    assert [(p.name, p.required, p.type) for p in q.parameters] == [
        ("model", True, "iri"),
        ("limit", False, "integer"),
    ]
    with pytest.raises(KeyError, match="model"):
        q.bindings({})
    with pytest.raises(KeyError, match="model"):  # a form's field left blank
        q.bindings({"model": ""})
    # (was Oxigraph's 'No scheme found in an absolute IRI', naming neither)
    with pytest.raises(ValueError, match="model: 'OLMo-7B' is not an IRI"):
        q.bindings({"model": "OLMo-7B"})
    bound = q.bindings({"model": "https://example.org/m", "limit": "3"})
    assert str(bound["_model_iri"]) == "<https://example.org/m>"
    assert bound["__limit_integer"].datatype.value.endswith("#integer")


def test_parameters_are_written_in_unless_projected(tmp_path) -> None:
    from openness.named_queries import load

    path = tmp_path / "q.rq"
    path.write_text(
        '#+ summary: test\n#+ defaults:\n#+   - name: "x"\n'
        "SELECT ?_shown ?m WHERE { ?m schema:name ?_name ; og:x ?_shown .\n"
        "  FILTER (?_name != ?_namex || !BOUND(?_opt)) } ORDER BY ?_shown ?m\n"
    )
    sparql = load(path).sparql({"name": 'O"Lmo', "shown": "a", "namex": "b", "opt": "c"})
    # Not projected: the term itself (escaped), and ?_namex is not touched by ?_name.
    assert '?m schema:name "O\\"Lmo"' in sparql and '!= "b"' in sparql
    # Projected, or tested with BOUND(): bound by VALUES, so they stay variables.
    assert 'VALUES (?_shown ?_opt) { ("a" "c") }' in sparql
    assert "og:x ?_shown" in sparql and "BOUND(?_opt)" in sparql


def _valued(*values: tuple[str, int]) -> ox.Store:
    """A store holding ``<x:s> <x:p> v`` for each (s, v)."""
    store = ox.Store()
    for s, v in values:
        store.add(ox.Quad(ox.NamedNode("x:" + s), ox.NamedNode("x:p"), ox.Literal(v)))
    return store


def _test_query(tmp_path: Path, query: str) -> NamedQuery:
    """``query`` loaded as a named-query file of its own."""
    path = tmp_path / "q.rq"
    path.write_text(f"#+ summary: test\n{query}\n")
    return load(path)


def test_an_optional_parameter_not_given_is_bound_to_nothing_where_it_is_used(
    tmp_path: Path,
) -> None:
    """An optional parameter not given is bound by VALUES to UNDEF in the innermost group
    around each use (a subquery, an OPTIONAL's group), not in a group holding only a
    subquery: the rows of leaving it unbound, and a text Virtuoso's strict mode takes
    (test_every_file_answers_the_same_on_virtuoso)."""
    query = _test_query(
        tmp_path,
        "SELECT ?s ?o WHERE { FILTER (?o != COALESCE(?__not, 0))\n"
        "  { SELECT ?s (MAX(?v) AS ?o) WHERE { ?s <x:p> ?v FILTER (?v > COALESCE(?__min, 0)) }\n"
        "    GROUP BY ?s }\n"
        "  OPTIONAL { { ?s <x:q> ?w FILTER (?w = COALESCE(?__not, ?w)) } } }\n"
        "ORDER BY ?s ?o",
    )
    sparql = query.sparql({})
    assert sparql.count("VALUES (?__not) { (UNDEF) }") == 2
    assert "WHERE { VALUES (?__min) { (UNDEF) } ?s <x:p>" in sparql
    assert "OPTIONAL { { VALUES (?__not) { (UNDEF) } ?s <x:q>" in sparql
    assert "?__min" not in query.sparql({"min": "1"})
    store = _valued(("a", 1), ("a", 2), ("b", 0), ("c", 3))
    rows = [[str(t) for t in r] for r in store.query(query.sparql({}))]
    assert rows == [[str(t) for t in r] for r in store.query(query.text)]
    assert [r[0] for r in rows] == ["<x:a>", "<x:c>"]


@pytest.mark.parametrize(
    "query",
    [
        # After the WHERE group alone: was ValueError('substring not found').
        "SELECT ?s WHERE { ?s <x:p> ?o } ORDER BY COALESCE(?__k, ?s)",
        # In HAVING before a VALUES block: UNDEF was written into the block (no parse).
        "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s <x:p> ?o } GROUP BY ?s\n"
        "HAVING (COUNT(*) > MAX(COALESCE(?__min_integer, 0))) ORDER BY ?s VALUES ?s { <x:a> }",
        # In a CONSTRUCT template: the template is made of the WHERE group's solutions.
        "CONSTRUCT { ?s <x:q> ?__v } WHERE { ?s <x:p> ?o }",
        # In the projection, "any" when not given: refused by 0d7c9c9.
        'SELECT ?s (COALESCE(?__v, "any") AS ?v) WHERE { ?s <x:p> ?o\n'
        "  FILTER (!BOUND(?__v) || STR(?o) = ?__v) } ORDER BY ?s ?v",
        # After an EXISTS in the projection, which was taken for the WHERE group.
        "SELECT ?s (EXISTS { ?s <x:q> ?w } AS ?e) WHERE { ?s <x:p> ?o\n"
        "  FILTER (!BOUND(?__v) || STR(?o) = ?__v) } ORDER BY ?s ?e",
    ],
)
def test_an_optional_parameter_used_outside_the_where_group_is_bound_in_it(
    tmp_path: Path, query: str
) -> None:
    """An optional parameter used in the projection, a CONSTRUCT template or a solution
    modifier of the outermost query is bound to nothing at the opening of its WHERE group,
    whose solutions they all read (not in an EXISTS group of the projection): the answer
    of leaving it unbound; given, it is bound there, by VALUES when projected or tested
    with BOUND() (it went into the EXISTS group: every row kept)."""
    named = _test_query(tmp_path, query)
    sparql = named.sparql({})
    where = sparql.index("WHERE {") + len("WHERE {")
    assert re.match(r" VALUES \(\?__\w+\) \{ \(UNDEF\) \}", sparql[where:]), sparql
    assert sparql.count("UNDEF") == 1
    store = _valued(("a", 1), ("b", 2))
    store.add(ox.Quad(ox.NamedNode("x:a"), ox.NamedNode("x:q"), ox.Literal(0)))
    answer = store.query(sparql)
    unbound = store.query(named.text)
    if isinstance(answer, ox.QueryTriples):
        assert sorted(map(str, answer)) == sorted(map(str, unbound))
    else:
        assert [list(map(str, r)) for r in answer] == [list(map(str, r)) for r in unbound]
    if "BOUND(?__v)" in query:
        given = named.sparql({"v": "2"})
        assert given.index("VALUES (?__v)") == where + 1, given
        assert [str(r[0]) for r in store.query(given)] == ["<x:b>"]


def test_an_optional_parameter_in_a_query_without_a_where_group_is_refused(
    tmp_path: Path,
) -> None:
    """One in a query without a WHERE group (``DESCRIBE ?__x``) is refused when the file
    loads, naming the file and the parameter: there is no group to bind it in."""
    with pytest.raises(QueryFileError, match=r"^q.rq: the optional parameter\(s\) \?__x in a"):
        _test_query(tmp_path, "DESCRIBE ?__x")


@pytest.mark.parametrize(
    ("query", "within"),
    [
        (
            "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s <x:p> ?o } GROUP BY ?s\n"
            "HAVING (COUNT(*) > {}) ORDER BY ?s",
            "COALESCE(?__min_integer, 0)",
        ),
        # A subquery's, and an aggregate without GROUP BY, which makes one group.
        (
            "SELECT ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?s <x:p> ?o }\n"
            "  HAVING (COUNT(*) > {}) } } ORDER BY ?n",
            "COALESCE(?__min_integer, 0)",
        ),
        # Grouped by an expression's value, a variable the expression reads is no key.
        (
            "SELECT ?k (COUNT(*) AS ?n) WHERE { ?s <x:p> ?o }\n"
            "GROUP BY (COALESCE(?__min_integer, ?o) AS ?k) HAVING (COUNT(*) > {}) ORDER BY ?k",
            "COALESCE(?__min_integer, 0)",
        ),
        # An EXISTS in the projection reads the groups' values, as one in HAVING does.
        (
            "SELECT ?s (COUNT(*) AS ?n) (EXISTS { ?s <x:q> ?w FILTER (?w > {}) } AS ?e)\n"
            "WHERE { ?s <x:p> ?o } GROUP BY ?s ORDER BY ?s",
            "COALESCE(?__min_integer, 0)",
        ),
        # ORDER BY reads the groups too.
        (
            "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s <x:p> ?o } GROUP BY ?s ORDER BY ?s {}",
            "COALESCE(?__min_integer, 0)",
        ),
    ],
)
def test_an_optional_parameter_a_grouped_query_reads_outside_an_aggregate_is_refused(
    tmp_path: Path, query: str, within: str
) -> None:
    """One a grouped query reads in HAVING (or ORDER BY) outside an aggregate is refused
    when the file loads, naming the file and the parameter: not given, it is no GROUP BY
    key, and Virtuoso refuses the query in either mode (SP031); within an aggregate it
    loads."""
    with pytest.raises(
        QueryFileError, match=r"^q.rq: the optional parameter\(s\) \?__min_integer in a grouped"
    ):
        _test_query(tmp_path, query.replace("{}", within))
    _test_query(tmp_path, query.replace("{}", f"MAX({within})"))


def test_an_optional_parameter_in_a_subquerys_modifiers_is_bound_in_its_where_group(
    tmp_path: Path,
) -> None:
    """One used in a subquery's HAVING (after its WHERE group) is bound to nothing in that
    subquery's WHERE group, not in a group that follows it (an OPTIONAL's here, where the
    subquery would not see it); a CONSTRUCT's template is no group of the query, the WHERE
    group after it is."""
    query = _test_query(
        tmp_path,
        "SELECT ?s ?n ?w WHERE {\n"
        "  { SELECT ?s (COUNT(*) AS ?n) WHERE { ?s <x:p> ?o } GROUP BY ?s\n"
        "    HAVING (COUNT(*) > MAX(COALESCE(?__min_integer, 0))) }\n"
        "  OPTIONAL { ?s <x:q> ?w } } ORDER BY ?s ?n ?w",
    )
    sparql = query.sparql({})
    assert sparql.count("VALUES (?__min_integer) { (UNDEF) }") == 1
    assert "WHERE { VALUES (?__min_integer) { (UNDEF) } ?s <x:p>" in sparql
    store = _valued(("a", 1), ("a", 2), ("b", 0))
    assert [str(r[0]) for r in store.query(sparql)] == ["<x:a>", "<x:b>"]
    assert [str(r[0]) for r in store.query(query.sparql({"min": "1"}))] == ["<x:a>"]
    sparql = _test_query(
        tmp_path,
        "CONSTRUCT { ?s <x:q> ?o } WHERE { ?s <x:p> ?o FILTER (?o != COALESCE(?__not, -1)) }",
    ).sparql({})
    assert "CONSTRUCT { ?s <x:q> ?o } WHERE { VALUES (?__not) { (UNDEF) } ?s" in sparql
    assert len(list(store.query(sparql))) == 3


def test_an_optional_parameter_in_a_subquerys_projection_is_bound_in_its_where_group(
    tmp_path: Path,
) -> None:
    """One in a subquery's projection after an EXISTS is bound in the subquery's WHERE
    group, not in the EXISTS group (the first brace after its SELECT), where the
    projection does not see it."""
    sparql = _test_query(
        tmp_path,
        "SELECT ?s ?c WHERE {\n"
        "  { SELECT ?s (EXISTS { ?s <x:q> ?w } AS ?e) (COALESCE(?__v, 0) AS ?c)\n"
        "    WHERE { ?s <x:p> ?o } } } ORDER BY ?s ?c",
    ).sparql({})
    assert "EXISTS { ?s <x:q> ?w }" in sparql
    assert "WHERE { VALUES (?__v) { (UNDEF) } ?s <x:p> ?o }" in sparql
    assert sparql.count("UNDEF") == 1


# --- the files on another engine, as a researcher runs them --------------------------------

# A value for each parameter, for the runs that give the optional ones.
EXAMPLES = {
    "model": "https://w3id.org/openness-graph/id/model/allenai--olmo-7b",
    "definition": "mof-1.0",
    "name": "OLMo-7B",
    "from": "2025-01-01",
    "to": "2025-07-01",
    "threshold": "30",
}
XSD_PREFIX = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>"


def grlc_text(query: NamedQuery, given: dict[str, str]) -> str:
    """The file's query as grlc rewrites it (``rewrite_query`` of CLARIAH/grlc): each
    parameter given pasted in place of its variable, an IRI in angle brackets, a typed
    value as a typed literal (grlc writes its ``_number`` as it is), and the xsd prefix
    written before every SELECT when the file lacks it. Parameters not given stay
    variables, unbound."""
    text = "\n".join(
        line
        for line in query.path.read_text(encoding="utf-8").split("\n")
        if not line.startswith("#+")
    )
    for p in query.parameters:
        if p.name not in given:
            continue
        value = given[p.name]
        if p.type == "iri":
            term = f"<{value}>"
        elif p.type == "number":
            term = value
        elif p.type:
            term = f'"{value}"^^xsd:{p.type}'
        else:
            term = f'"{value}"'
        text = text.replace("?" + p.variable, term)
    if any(p.type not in (None, "iri", "number") for p in query.parameters if p.name in given):
        if XSD_PREFIX not in text:
            text = text.replace("SELECT", XSD_PREFIX + "\n\nSELECT")
    return text


def runs(query: NamedQuery) -> list[dict[str, str]]:
    """The parameters of each run: the defaults (a grlc client sends them), then, for a
    query with optional parameters, each given as well."""
    defaults = {p.name: p.default for p in query.parameters if p.default}
    optional = [p.name for p in query.parameters if not p.required]
    return [defaults] + [{**defaults, name: EXAMPLES[name]} for name in optional]


def concatenated(query: NamedQuery) -> dict[str, str]:
    """Each column a GROUP_CONCAT of the query makes, with its separator."""
    return {
        var: sep
        for sep, var in re.findall(
            r'GROUP_CONCAT\([^;]*;\s*separator\s*=\s*"([^"]*)"\)\s*AS\s+\?(\w+)',
            query.text,
            re.IGNORECASE,
        )
    }


def comparable(
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]],
    query: NamedQuery,
    *,
    sort_parts: bool = True,
) -> list[tuple]:
    """Rows as tuples of N-Triples terms, in their order: a GROUP_CONCAT's parts sorted
    (SPARQL leaves their order to the engine; not with ``sort_parts`` false), blank nodes
    unnamed."""
    joined = concatenated(query) if sort_parts else {}
    out = []
    for row in rows:
        cells = []
        for var, term in sorted(row.items(), key=lambda cell: cell[0]):
            if isinstance(term, ox.BlankNode):
                term = "_:"
            elif var in joined:
                term = ox.Literal(joined[var].join(sorted(term.value.split(joined[var]))))
            cells.append((var, str(term)))
        out.append(tuple(cells))
    return out


def assert_same_answer(theirs: list[tuple], ours: list[tuple], given: dict[str, str]) -> None:
    """The same rows (as :func:`comparable` gives them), then in the same order: every
    file's ORDER BY is total over its columns, so no two engines may order ties apart."""
    assert sorted(theirs) == sorted(ours), given
    assert theirs == ours, f"the same rows in another order ({given})"


def remote_rows(
    endpoint: str, sparql: str
) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    answer = httpx.post(
        endpoint,
        data={"query": sparql},
        headers={"Accept": "application/sparql-results+json"},
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    rows = []
    for binding in answer.json()["results"]["bindings"]:
        row = {}
        for var, term in binding.items():
            if term["type"] == "uri":
                row[var] = ox.NamedNode(term["value"])
            elif term["type"] == "bnode":
                row[var] = ox.BlankNode(term["value"])
            else:
                datatype = term.get("datatype")
                row[var] = ox.Literal(
                    term["value"],
                    language=term.get("xml:lang"),
                    datatype=ox.NamedNode(datatype) if datatype else None,
                )
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def elsewhere(reported: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """The reported store with the verdict history of OLMo-7B, and its dump (N-Quads, as
    `openness export` writes it) loaded into a real `oxigraph serve`, as queries/README.md
    tells a researcher who never runs our server: (the store, the engine's query URL)."""
    stored = EmbeddedStore(reported, read_only=True)
    store = copy_store(stored)
    stored.close()
    ingest_history(store)
    build_verdict_history(store, resolve_models(store, ["OLMo-7B"]))
    with oxigraph_serving(tmp_path_factory.mktemp("elsewhere")) as base:
        httpx.post(
            base + "/store",
            content=store.export(ox.RdfFormat.N_QUADS),
            headers={"Content-Type": "application/n-quads"},
            timeout=300,
        ).raise_for_status()
        yield store, base + "/query"
    store.close()


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_file_answers_the_same_on_another_engine(elsewhere: tuple, name: str) -> None:
    """Each file, its parameters written in as grlc writes them, run on `oxigraph serve`
    loaded with the dump, answers what the CLI, the API and the pages answer, with the
    defaults and with each optional parameter given: when the engine's default graph is
    the union of the named graphs (`union-default-graph`, per request here, as the
    server's `--union-default-graph` does for all), and otherwise whole or not at all (an
    engine whose default graph is empty never gives part of an answer)."""
    store, endpoint = elsewhere
    query = QUERIES[name]
    for given in runs(query):
        ours = comparable(store.query(query.sparql(given)).rows(), query)
        text = grlc_text(query, given)
        assert_same_answer(
            comparable(remote_rows(endpoint + "?union-default-graph", text), query), ours, given
        )
        assert comparable(remote_rows(endpoint, text), query) in ([], ours), given


NUMBERS = {XSD + t for t in ("integer", "decimal", "double", "float", "boolean")}
XSD_DATE = ox.NamedNode(XSD + "date")


# The comparisons with Virtuoso that first check our own store's answer (their cheap ones).
OURS_FIRST = [
    "test_restrictive_licences_order_a_threshold_by_its_number",
    "test_definitions_disagree_counts_each_pair_as_the_verdicts_say",
    "test_published_vs_computed_tells_a_difference_from_a_cannot_tell",
]


def test_our_half_of_a_virtuoso_comparison_runs_where_virtuoso_is_not(tmp_path: Path) -> None:
    """Where Virtuoso is not installed (and not in CI), a test comparing our answer with
    Virtuoso's still checks ours before it skips: asking for the database as a fixture
    skipped it in its setup, its call (our store's half) never run."""
    tests = [f"{__file__}::{name}" for name in OURS_FIRST]
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    (tmp_path / "bin").mkdir()
    env["PATH"] = str(tmp_path / "bin")  # no virtuoso-t, no isql-vt
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q"]
        + ["--durations=0", "--durations-min=0", "-rs", f"--basetemp={tmp_path / 'run'}", *tests],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ran.returncode == 0 and f"{len(tests)} skipped" in ran.stdout, ran.stdout
    calls = [line for line in ran.stdout.splitlines() if " call " in line]
    assert sorted(line.rsplit("::", 1)[1] for line in calls) == sorted(OURS_FIRST), ran.stdout


@contextmanager
def virtuoso_loaded(folder: Path, dump: bytes, request: pytest.FixtureRequest) -> Iterator[str]:
    """A Virtuoso 7.2 of its own on a copy of the new database ``virtuoso_database`` gives
    with the N-Quads ``dump`` bulk-loaded, as queries/README.md tells (its default dataset
    is every graph): its query URL. The database is asked for here, not as the test's
    fixture: where Virtuoso is not installed, the test's half on our store has run before
    it skips."""
    database = request.getfixturevalue("virtuoso_database")
    with virtuoso_process(folder, database) as (url, _):
        (folder / "dump.nq").write_bytes(dump)
        virtuoso_sql(folder, f"ld_dir('{folder}', 'dump.nq', 'urn:unused'); rdf_loader_run();")
        yield url


@pytest.fixture(scope="module")
def made_up_virtuoso(
    tmp_path_factory: pytest.TempPathFactory, virtuoso_database: Path
) -> Iterator[tuple[Path, str, set[str]]]:
    """One Virtuoso for the tests that each load a made-up graph of their own (a start
    costs ~2 CPU s): its folder, its query URL and the graphs it holds for itself (see
    ``made_up_on_virtuoso``)."""
    folder = tmp_path_factory.mktemp("virtuoso-made-up")
    with virtuoso_process(folder, virtuoso_database) as (url, _):
        yield folder, url, virtuoso_graphs(url)


def virtuoso_graphs(url: str) -> set[str]:
    """Every graph the engine at ``url`` holds, asked bare (a store's list is cached)."""
    rows = remote_rows(url, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value for row in rows}


@contextmanager
def made_up_on_virtuoso(dump: bytes, request: pytest.FixtureRequest) -> Iterator[str]:
    """The module's one Virtuoso holding the N-Quads ``dump`` alone beside its own graphs,
    bulk-loaded as ``virtuoso_loaded`` does: its query URL. What an earlier test loaded
    there is dropped first. Asked for here, as ``virtuoso_loaded`` asks for its database."""
    folder, url, own = request.getfixturevalue("made_up_virtuoso")
    for graph in virtuoso_graphs(url) - own:
        dropped = httpx.post(
            url,
            content=f"DROP SILENT GRAPH <{graph}>",
            headers={"Content-Type": "application/sparql-update"},
            timeout=120,
        )
        assert dropped.status_code == 200, dropped.text
    assert virtuoso_graphs(url) == own
    name = f"{request.node.name}.nq"  # the bulk loader loads a file it listed once only
    (folder / name).write_bytes(dump)
    virtuoso_sql(folder, f"ld_dir('{folder}', '{name}', 'urn:unused'); rdf_loader_run();")
    yield url


@pytest.fixture(scope="module")
def on_virtuoso(
    elsewhere: tuple, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """``elsewhere``'s dump on Virtuoso: its query URL."""
    with virtuoso_loaded(
        tmp_path_factory.mktemp("virtuoso-elsewhere"),
        elsewhere[0].export(ox.RdfFormat.N_QUADS),
        request,
    ) as url:
        yield url


def in_common(
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]],
) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Rows as both Virtuoso 7 and we give them, its known habits undone: a boolean or a
    number as the number it is (it gives booleans as 1 and 0, ROUND as an integer, 1 as
    "1.0E0"), a date-time as the instant (it writes a second's six digits), an empty text
    as no value (its empty GROUP_CONCAT)."""
    out = []
    for row in rows:
        kept = {}
        for var, term in row.items():
            if isinstance(term, ox.Literal):
                datatype = term.datatype.value
                if datatype in NUMBERS:
                    value = {"true": "1", "false": "0"}.get(term.value, term.value)
                    term = ox.Literal(str(Decimal(value).normalize()))
                elif datatype == XSD + "dateTime":
                    term = ox.Literal(dt.datetime.fromisoformat(term.value).isoformat())
                elif not term.value:
                    continue
            kept[var] = term
        out.append(kept)
    return out


# Virtuoso's strict mode, which its /sparql form sets: a variable that nothing binds is
# refused (SP031), where the protocol's default takes it as unbound.
STRICT = "define sql:signal-void-variables 1\n"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_file_answers_the_same_on_virtuoso(
    elsewhere: tuple, on_virtuoso: str, name: str
) -> None:
    """Each file, as the CLI, the API and the pages send it, on Virtuoso 7.2 in strict mode
    and loaded with the dump, answers what our store answers, and so does the file as grlc
    writes it (the protocol's default mode: an optional parameter not given is a variable
    nothing binds), defaults and each optional parameter given, Virtuoso's habits allowed
    for: its compiler took model-sources, open-washing and vocabulary-in-use (SP031), it
    miscounted passing-over-time, lost licence columns and rows of model-evidence-use and
    said published-vs-computed's agrees false where nothing was computed (and a model given
    as a string) before they were written as they are; strict mode refused 20 files (the
    last two, model-inherited-findings and published-vs-computed, on a property path's
    variable of its own, until the path went into a subquery)."""
    store, _ = elsewhere
    query = QUERIES[name]
    for i, given in enumerate(runs(query)):
        ours = comparable(in_common(store.query(query.sparql(given)).rows()), query)
        sent, pasted = query.sparql(given), grlc_text(query, given)
        theirs = in_common(remote_rows(on_virtuoso, STRICT + sent))
        assert_same_answer(comparable(theirs, query), ours, given)
        # The file as grlc writes it, once, with no optional parameter given (left as a
        # variable): in the other runs it writes the values in as was sent (no file projects
        # a parameter), and what was sent differs by the UNDEF of those not given alone.
        if i == 0 and pasted.strip() != sent.strip():
            theirs = in_common(remote_rows(on_virtuoso, pasted))
            assert_same_answer(comparable(theirs, query), ours, given)


def test_passing_over_time_counts_on_virtuoso_what_it_counts_here(
    built: GraphStore, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Over the bundled graph and a verdict history of 40 models (made up: 8 definitions,
    each verdict at 1 to 4 of 8 snapshot dates, passed or failed), Virtuoso counts every
    date and definition as our store does — where it left some of the 64 counts short,
    different ones each run. It took a history of some ten models, and the rest of a graph
    as large as ours (alone, the made-up history was counted right): the store of the
    other tests has the history of one model."""
    rnd = random.Random(43)
    dates = [f"2025-{m:02}-01" for m in range(1, 9)]
    quads = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal, graph: str) -> None:
        quads.append(ox.Quad(s, ox.NamedNode(p), o, ox.NamedNode(graph)))

    for i, date in enumerate(dates):
        snapshot = ox.NamedNode(f"https://example.org/snapshot/{i}")
        add(snapshot, RDF + "type", ox.NamedNode(OG + "SourceSnapshot"), Graphs.PROVENANCE)
        add(snapshot, DCTERMS + "issued", ox.Literal(date, datatype=XSD_DATE), Graphs.PROVENANCE)
    for m in range(40):
        for d in range(8):
            for date in rnd.sample(dates, rnd.randint(1, 4)):
                v = ox.NamedNode(f"https://example.org/verdict/{m}/{d}/{date}")
                add(
                    v,
                    EARL + "subject",
                    ox.NamedNode(f"https://example.org/model/{m}"),
                    VERDICT_HISTORY,
                )
                add(v, OG + "definitionId", ox.Literal(f"def-{d}"), VERDICT_HISTORY)
                add(v, DCTERMS + "date", ox.Literal(date, datatype=XSD_DATE), VERDICT_HISTORY)
                outcome = EARL + rnd.choice(["passed", "failed"])
                add(v, EARL + "outcome", ox.NamedNode(outcome), VERDICT_HISTORY)
    store = copy_of(built)
    store._store.extend(quads)  # noqa: SLF001 - a test's made-up graph
    query = QUERIES["passing-over-time"]
    ours = comparable(store.query(query.sparql({})).rows(), query)
    assert len(ours) == 64 and any(dict(r)["passing"] != f'"0"^^<{XSD}integer>' for r in ours)
    with virtuoso_loaded(tmp_path, store.export(ox.RdfFormat.N_QUADS), request) as url:
        for _ in range(3):  # its miscounts differed from run to run
            assert_same_answer(comparable(remote_rows(url, grlc_text(query, {})), query), ours, {})


# --- the parts a GROUP_CONCAT joins, in one order ---------------------------------------

JOINED = sorted(name for name, query in QUERIES.items() if concatenated(query))
# Runs beyond runs(): OLMo-7B's evidence (the default) cites no page for a rating.
MORE_RUNS = {"model-evidence": [{"model": ID + "model/allenai--olmo-3.1-32b-think"}]}


def several_parts(rows: list[dict[str, str]], joined: dict[str, str]) -> list[list[str]]:
    """The parts of each value of the joined columns that joins more than one, in order."""
    values = [(row.get(column) or "", sep) for row in rows for column, sep in joined.items()]
    return [value.split(sep) for value, sep in values if sep in value]


def test_every_concatenation_is_named_in_the_header_with_its_separator(tmp_path: Path) -> None:
    """The header's ``joined`` names each column a GROUP_CONCAT makes, with the separator
    the query writes, so a reader of the file knows the parts come sorted; a file of the
    catalogue whose header leaves one out, or names another, is refused."""
    assert JOINED and all(QUERIES[n].joined == concatenated(QUERIES[n]) for n in QUERIES)
    path = tmp_path / "q.rq"
    query = 'SELECT (GROUP_CONCAT(STR(?o); SEPARATOR=" | ") AS ?os) { ?s ?p ?o } # GROUP_CONCAT\n'
    for header in ("", '#+ joined: {os: ", "}\n', '#+ joined: {os: " | ", x: " "}\n'):
        path.write_text("#+ summary: s\n" + header + query)
        with pytest.raises(QueryFileError, match="q.rq: the header's joined must name"):
            load(path)
    path.write_text("#+ summary: s\n#+ joined: {os: ' | '}\n" + query)
    assert load(path).joined == {"os": " | "}
    path.write_text(query.replace('; SEPARATOR=" | "', ""))  # a file outside the catalogue
    assert load(path, catalogued=False).joined == {}
    path.write_text(
        "#+ summary: s\n#+ joined: {os: ' '}\n" + query.replace('; SEPARATOR=" | "', "")
    )
    assert load(path).joined == {"os": " "}  # SPARQL's default separator


def test_a_separator_written_with_an_escape_is_read_as_sparql_reads_it(tmp_path: Path) -> None:
    """SEPARATOR="\\n" joins with a line break: the header must say so. The separator
    was taken for SPARQL's default (one space) — a header saying " " passed and the parts
    were cut at every space — and one saying the line break was refused."""
    path = tmp_path / "q.rq"
    query = 'SELECT (GROUP_CONCAT(?o; SEPARATOR="\\n") AS ?os) { ?s ?p ?o }\n'
    path.write_text('#+ summary: s\n#+ joined: {os: "\\n"}\n' + query)
    assert load(path).joined == {"os": "\n"}
    path.write_text("#+ summary: s\n#+ joined: {os: ' '}\n" + query)
    with pytest.raises(QueryFileError, match=r"q.rq: the header's joined must name"):
        load(path)
    quoted = query.replace('"\\n"', "'a\\'b\\u00e9'")  # single quotes, an escaped quote
    path.write_text('#+ summary: s\n#+ joined: {os: "a\'b\\u00e9"}\n' + quoted)
    assert load(path).joined == {"os": "a'bé"}


@pytest.mark.parametrize("engine", ["oxigraph serve", "virtuoso"])
@pytest.mark.parametrize("name", JOINED)
def test_joined_parts_come_sorted_whatever_the_engine(
    request: pytest.FixtureRequest, elsewhere: tuple, engine: str, name: str
) -> None:
    """Each engine joins a GROUP_CONCAT's parts in its own order (pyoxigraph embedded and
    `oxigraph serve` already differ on these data): the rows the pages, the reports and the
    API read give them sorted, the same whether our store or another engine answered."""
    store, endpoint = elsewhere
    there = RemoteStore(
        endpoint if engine == "oxigraph serve" else request.getfixturevalue("on_virtuoso")
    )
    query, seen = QUERIES[name], []
    try:
        for given in runs(query) + MORE_RUNS.get(name, []):
            ours = in_common(run_named(store, name, **given))
            theirs = in_common(run_named(there, name, **given))
            assert_same_answer(
                comparable(theirs, query, sort_parts=False),
                comparable(ours, query, sort_parts=False),
                given,
            )
            seen += several_parts(
                [{k: v.value for k, v in r.items()} for r in ours], concatenated(query)
            )
    finally:
        there.close()
    assert seen, "no value of several parts: the test would show nothing"
    assert all(parts == sorted(parts) for parts in seen), seen


def page_rows(html: str) -> list[dict[str, str]]:
    """The rows of a named query's page, as its table shows them."""
    head = re.findall(r'<th scope="col">([^<]*)</th>', html)
    return [
        dict(zip(head, [unescape(re.sub("<[^>]*>", "", cell)) for cell in cells], strict=True))
        for cells in (
            re.findall("<td>(.*?)</td>", row) for row in re.findall("<tr>(.*?)</tr>", html)
        )
        if cells
    ]


def shown(way: str, store: GraphStore, endpoint: str) -> tuple[str, list[dict[str, str]]]:
    """The named query a way of showing answers reads, and the rows it shows."""
    client = create_app({"TESTING": True, "STORE": store}).test_client()
    if way == "openness query":  # on another engine
        path = str(QUERIES["open-washing"].path)
        ran = CliRunner().invoke(cli, ["--endpoint", endpoint, "query", path, "--format", "csv"])
        assert ran.exit_code == 0, ran.output
        return "open-washing", list(csv.DictReader(io.StringIO(ran.stdout)))
    if way == "/queries/<name> as JSON":
        bindings = client.get("/queries/open-washing?format=json").json["results"]["bindings"]
        return "open-washing", [{k: v["value"] for k, v in b.items()} for b in bindings]
    if way == "/queries/<name> as CSV":
        answer = client.get("/queries/open-washing?format=csv").text
        return "open-washing", list(csv.DictReader(io.StringIO(answer)))
    if way == "/queries/<name> page":
        page = client.get("/queries/open-washing", headers={"Accept": "text/html"}).text
        return "open-washing", page_rows(page)
    if way == "/api/history/changes":
        return "verdict-changes", client.get("/api/history/changes").json
    model = EXAMPLES["model"].rsplit("/", 1)[1]
    return "model-timeline", client.get(f"/api/models/{model}/history").json


@pytest.mark.parametrize(
    "way",
    [
        "openness query",
        "/queries/<name> as JSON",
        "/queries/<name> as CSV",
        "/queries/<name> page",
        "/api/history/changes",
        "/api/models/<id>/history",
    ],
)
def test_every_way_to_an_answer_gives_the_parts_sorted(elsewhere: tuple, way: str) -> None:
    """The CLI, /queries/<name> (its results in any format and its page) and the history
    API sort the parts of a named query's joined columns, as the rows read through
    run_named do (the pages, the reports)."""
    name, rows = shown(way, *elsewhere)
    seen = several_parts(rows, concatenated(QUERIES[name]))
    assert seen, "no value of several parts: the test would show nothing"
    assert all(parts == sorted(parts) for parts in seen), seen


# A result of the server's protocol path with a joined column: three parts a subject.
JOINED_QUERY = (
    'SELECT ?s (GROUP_CONCAT(?o; SEPARATOR=" | ") AS ?os) WHERE { ?s <urn:p> ?o } '
    "GROUP BY ?s ORDER BY ?s"
)


def joined_answer(store: GraphStore, media: str, max_bytes: int) -> bytes:
    """The server's protocol answer to JOINED_QUERY as a named query gets it (its joined
    column named), in ``media``, within ``max_bytes``."""
    job = execute.Job(JOINED_QUERY, (), (), media, joined=(("os", " | "),))
    return execute.answer(store, job, max_bytes).body


def store_of_parts(subjects: int) -> EmbeddedStore:
    store = EmbeddedStore(None)
    store._store.extend(  # noqa: SLF001 - a test's made-up graph
        ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(f"part {k} of {i}"))
        for i in range(subjects)
        for k in (2, 0, 1)
    )
    return store


def test_a_joined_answer_over_the_limit_is_refused_before_it_is_held_whole() -> None:
    """The protocol answer of a named query with joined columns sorts their parts a
    solution at a time, as it writes the answer within the server's limit: one over the
    limit is refused having held a small part of the result (tracemalloc's peak). The
    result was first written whole as SPARQL JSON and read into a dict: 12 MB of Python
    memory to refuse at 10 kB a result of 1.2 MB, and a Hub-scale one held whole."""
    store = store_of_parts(10_000)
    whole = len(store.query(JOINED_QUERY).serialize(ox.QueryResultsFormat.JSON) or b"")
    try:
        for media in ("application/sparql-results+json", "text/csv"):
            tracemalloc.start()
            try:
                with pytest.raises(execute.ResultTooLarge):
                    joined_answer(store, media, 10_000)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert peak < whole / 10, (media, peak, whole)
    finally:
        store.close()


@pytest.mark.parametrize("media", RESULT_TYPES)
def test_a_joined_answer_that_fits_the_limit_is_given_whole(media: str) -> None:
    """The limit is the answer's as written, in whatever format it is asked for (as CSV a
    fraction of its SPARQL JSON): an answer of exactly the limit's size is given whole, its
    parts sorted, and refused under a limit a byte smaller."""
    store = store_of_parts(300)
    try:
        whole = joined_answer(store, media, 10**9)
        assert whole.count(b"part 0 of 7 | part 1 of 7 | part 2 of 7") == 1
        assert joined_answer(store, media, len(whole)) == whole
        with pytest.raises(execute.ResultTooLarge):
            joined_answer(store, media, len(whole) - 1)
    finally:
        store.close()


# --- the order of rows, one for every engine ---------------------------------------------


def test_every_order_by_names_every_column_or_the_header_says_why(tmp_path: Path) -> None:
    """Rows that tie under ORDER BY come in the engine's order, so a file of the catalogue
    orders by every column (every GROUP BY key, in a grouped query — the name given to an
    expression's value, not what it reads; a column within an expression counts), or its
    header's ``unordered`` names each one left out with why; a file that leaves one out
    unsaid, or whose ``unordered`` names a column it orders by, is refused. The ORDER BY is
    the one after the WHERE group, a VALUES block after it or not."""
    path = tmp_path / "q.rq"
    refused = {
        "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s": "leaves out o; the header's unordered names none",
        "SELECT ?s ?o { ?s ?p ?o }": "leaves out o, s;",
        "SELECT ?s (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s ?p ORDER BY ?s": "leaves out p;",
        "#+ unordered: {s: why}\nSELECT ?s ?o { ?s ?p ?o } ORDER BY ?s": "names s",
        "#+ unordered: {o: ''}\nSELECT ?s ?o { ?s ?p ?o } ORDER BY ?s": "unordered must map",
        # The ORDER BY before a VALUES block read (the modifiers were read after its brace).
        "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s VALUES ?s { <x:a> }": "leaves out o;",
        "SELECT ?k (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY (STR(?o) AS ?k) ?s ORDER BY ?k": (
            "leaves out s;"
        ),
    }
    for query, message in refused.items():
        path.write_text("#+ summary: s\n" + query + "\n")
        with pytest.raises(QueryFileError, match=re.escape(message)):
            load(path)
    for query in (
        "SELECT DISTINCT ?s (STR(?o) AS ?t) { ?s ?p ?o } ORDER BY DESC(STR(?t)) ?s # ?x",
        "SELECT ?s (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(?n) ?s",
        "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",  # one row
        "#+ unordered: {o: one per subject}\nSELECT ?s ?o { ?s ?p ?o } ORDER BY ?s",
        "SELECT ?s { { SELECT ?s { ?s ?p ?o } ORDER BY ?o LIMIT 1 } } ORDER BY ?s",
        "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s ?o VALUES ?s { <x:a> }",
        # Grouped by an expression's value: its name is the key, not what it reads.
        "SELECT ?k (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY (STR(?o) AS ?k) ORDER BY ?k",
        "SELECT ?k (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY (CONCAT(?s, (?o)) AS ?k) ORDER BY ?k",
        "SELECT ?o (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY (?o) ORDER BY ?o",
    ):
        path.write_text("#+ summary: s\n" + query + "\n")
        load(path)
    path.write_text("SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s\n")  # a file outside the catalogue
    load(path, catalogued=False)


def test_a_column_after_an_exists_in_the_projection_is_held_to_the_order(
    tmp_path: Path,
) -> None:
    """A column of the projection after an ``EXISTS { … }`` is one ORDER BY must name (the
    projection was read up to the EXISTS's brace: ?o was not seen), and the variables and
    ``AS`` inside the EXISTS are none."""
    with pytest.raises(QueryFileError, match=re.escape("leaves out o, s;")):
        _test_query(tmp_path, "SELECT ?s (EXISTS { ?s ?q ?w } AS ?e) ?o { ?s ?p ?o } ORDER BY ?e")
    _test_query(
        tmp_path,
        "SELECT ?s (EXISTS { ?s ?q ?w BIND (1 AS ?b) } AS ?e) ?o { ?s ?p ?o } ORDER BY ?s ?e ?o",
    )


def bare_keys(query: NamedQuery) -> set[str]:
    """The variables the outermost ORDER BY orders by as they are (``?x``, ``DESC(?x)``),
    not through an expression (``STR(?x)``)."""
    code = query.text[query.text.rindex("}") + 1 :]
    clause = re.split(r"ORDER\s+BY", code, flags=re.IGNORECASE)[-1]
    terms, depth, term = [], 0, ""
    for char in clause:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char.isspace() and depth == 0:
            terms.append(term)
            term = ""
        else:
            term += char
    terms.append(term)
    bare = (re.fullmatch(r"(?:(?:ASC|DESC)\(\s*)?[?$](\w+)\s*\)?", t, re.I) for t in terms)
    return {m[1] for m in bare if m}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_text_is_ordered_by_its_string(elsewhere: tuple, name: str) -> None:
    """No file orders by a column holding text as it is, but by STR() of it: Virtuoso 7
    orders stored strings by their first 20 characters (then as it stored them), and
    those with a language tag apart from those without, where Oxigraph orders the whole
    string (restrictive-licences' labels, model-inherited-findings' details came in
    another order)."""
    store, _ = elsewhere
    query = QUERIES[name]
    keys = bare_keys(query)
    for given in runs(query) + MORE_RUNS.get(name, []):
        for row in store.query(query.sparql(given)).rows():
            text = [
                var
                for var, term in row.items()
                if var in keys
                and isinstance(term, ox.Literal)
                and (term.language or term.datatype.value == XSD + "string")
            ]
            assert not text, f"{name}.rq orders by {', '.join(text)}: text, ordered as it is"
