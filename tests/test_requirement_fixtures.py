"""One passing and one failing fixture per requirement of every definition that passes or
fails models (issue 10, Tests). The requirements are read from the shapes; the fixtures are
the Turtle files under tests/fixtures/ that state, as EARL assertions, what a model they
describe gives on a requirement (earl:subject the model, earl:test the requirement,
earl:result/earl:outcome the outcome). Each file is judged as `openness validate` judges it.

A requirement whose check no rule of the shapes writes a finding for (the EU AI Act's
monetisation, the DPG Standard's public-interest indicators: no source states them, and the
shapes declare the check an og:UnrecordedCheck) can only be 'cannot tell'; its fixtures say
so instead, and its reason that no source records it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from openness.assess.definitions import definitions, shapes_graph
from openness.assess.grade import Verdict
from openness.assess.validate import validate_description

FIXTURES = Path(__file__).parent / "fixtures"
EARL = rdflib.Namespace("http://www.w3.org/ns/earl#")
SCHEMA = rdflib.Namespace("https://schema.org/")
OG = rdflib.Namespace("https://w3id.org/openness-graph/ns#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

# Every requirement of the definitions that pass or fail models, from the shapes.
REQUIREMENTS = {
    r.iri: r.id for d in definitions().values() if d.passes_models for r in d.requirements.values()
}
DEFINITION_OF = {r.id: d.id for d in definitions().values() for r in d.requirements.values()}


@cache
def expectations() -> dict[str, list[tuple[str, str, str]]]:
    """Requirement id -> (fixture file, model name, expected outcome) for every EARL
    assertion of the fixtures."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for path in sorted(FIXTURES.rglob("*.ttl")):
        graph = rdflib.Graph().parse(path, format="turtle")
        for assertion in graph.subjects(RDF.type, EARL.Assertion):
            test = graph.value(assertion, EARL.test)
            subject = graph.value(assertion, EARL.subject)
            outcome = graph.value(graph.value(assertion, EARL.result), EARL.outcome)
            name = graph.value(subject, SCHEMA.name)
            assert str(test) in REQUIREMENTS, f"{path.name}: no such requirement {test}"
            assert name is not None, f"{path.name}: {subject} has no schema:name"
            rel = str(path.relative_to(FIXTURES))
            entry = (rel, str(name), str(outcome).removeprefix(str(EARL)))
            out.setdefault(REQUIREMENTS[str(test)], []).append(entry)
    return out


@cache
def judged(rel: str) -> dict[tuple[str, str], Verdict]:
    """The verdicts of one fixture file, by (model name, definition id), on the definitions
    its assertions name."""
    ids = sorted(
        {DEFINITION_OF[r] for r, cases in expectations().items() for f, _, _ in cases if f == rel}
    )
    path = FIXTURES / rel
    run = validate_description(path.read_bytes(), path.name, ids)
    return {(v.name, v.definition): v for v in run.verdicts}


def _written_by_a_rule(check: rdflib.term.Node) -> bool:
    """Whether some rule of the shapes writes findings about the check."""
    local = re.split(r"[#/]", str(check))[-1]
    written = re.compile(rf"({re.escape(str(check))}|:{re.escape(local)})(?![\w-])")
    return any(written.search(str(text)) for text in shapes_graph().objects(None, SH.construct))


def _decided_by_a_rule(requirement_iri: str) -> bool:
    """Whether some rule of the shapes writes findings about the requirement's check."""
    return _written_by_a_rule(shapes_graph().value(rdflib.URIRef(requirement_iri), OG.checks))


def test_the_checks_no_rule_decides_are_declared_unrecorded() -> None:
    """og:UnrecordedCheck, which words the reason 'no source records this', is stated on
    exactly the checks no rule writes a finding on: a rule written for one later, or a check
    added without one, makes the declaration wrong."""
    graph = shapes_graph()
    checks = set(graph.subjects(RDF.type, OG.Check))
    declared = set(graph.subjects(RDF.type, OG.UnrecordedCheck))
    assert declared, "the shapes declare no check unrecorded"
    assert declared <= checks
    assert {c for c in checks if not _written_by_a_rule(c)} == declared


def test_the_fixtures_cover_every_definition_that_passes_models() -> None:
    defined = {DEFINITION_OF[r] for r in REQUIREMENTS.values()}
    assert {DEFINITION_OF[r] for r in expectations()} == defined
    assert len(defined) == 7


@pytest.mark.parametrize(
    "requirement", sorted(REQUIREMENTS.values()), ids=sorted(REQUIREMENTS.values())
)
def test_each_requirement_passes_and_fails_on_its_fixtures(requirement: str) -> None:
    cases = expectations().get(requirement, [])
    stated = {outcome for _, _, outcome in cases}
    iri = next(i for i, r in REQUIREMENTS.items() if r == requirement)
    if _decided_by_a_rule(iri):
        assert {"passed", "failed"} <= stated, f"{requirement}: fixtures give only {stated}"
    else:
        assert stated == {"cantTell"}, f"{requirement}: no rule decides it, yet {stated}"
    for rel, name, expected in cases:
        verdict = judged(rel)[(name, DEFINITION_OF[requirement])]
        (got,) = [r for r in verdict.requirements if r.id == requirement]
        assert got.outcome == expected, (rel, name, got.reasons)
        if not _decided_by_a_rule(iri):  # the reason asks for nothing a description could give
            assert got.reasons and all(
                r.startswith("no source records this: ") for r in got.reasons
            )
        if expected == "failed":  # failed on positive evidence, named in the reasons
            assert got.reasons and all(": no evidence" not in r for r in got.reasons)
