"""Graded definitions explain a verdict by what its level and progress were computed from
(issue 10, category 6): no requirement of a level the model reached is failed, a
requirement another stands in for is met through it, and the requirements stored as not
met are exactly the reasons given."""

from __future__ import annotations

import pytest
from conftest import select

from openness.assess.definitions import definitions
from openness.assess.grade import Verdict
from openness.assess.store import assessment_iri
from openness.store import GraphStore

GRADED = [d.id for d in definitions().values() if d.levels]


@pytest.fixture(scope="module")
def judged(everything) -> tuple[GraphStore, list[Verdict]]:
    """The stored verdicts of every model, and those of the graded definitions."""
    store, run = everything
    return store, [v for v in run.verdicts if v.definition in GRADED]


def _named(verdicts: list[Verdict], name: str, definition: str) -> Verdict:
    return next(v for v in verdicts if v.name == name and v.definition == definition)


def test_there_are_graded_definitions() -> None:
    assert "mof-1.0" in GRADED and len(GRADED) >= 2


def test_no_requirement_of_a_level_reached_is_failed(judged) -> None:
    _, verdicts = judged
    for v in verdicts:
        d = definitions()[v.definition]
        reached = set(d.levels[: d.levels.index(v.level_iri) + 1]) if v.level_iri else set()
        wrong = [
            r.id
            for r in v.requirements
            if d.requirements[r.iri].level in reached and r.outcome != "passed"
        ]
        assert not wrong, (v.name, v.definition, wrong)


def test_the_requirements_not_met_are_exactly_the_reasons(judged) -> None:
    _, verdicts = judged
    for v in (v for v in verdicts if v.in_scope):
        not_met = {r.id for r in v.requirements if r.outcome in ("failed", "cantTell")}
        assert not_met == {reason.split(": ", 1)[0] for reason in v.reasons}, (v.name, v.reasons)


def test_olmo_reaches_class_i_with_the_paper_standing_in_for_the_report(judged) -> None:
    """The words the requirement stood in for stores (earl:info, on the model page) name
    the one standing in by its label, as the page names requirements, not by its id."""
    store, verdicts = judged
    v = _named(verdicts, "OLMo-7B", "mof-1.0")
    assert v.level == "Class I" and v.reasons == []
    (report,) = [r for r in v.requirements if r.id == "mof-1.0.c3.tech-report"]
    assert report.outcome == "passed"
    (paper,) = [
        r for r in definitions()["mof-1.0"].requirements.values() if r.stands_in_for == report.iri
    ]
    assert report.reasons and report.reasons[0].startswith(
        f"met by '{paper.label}', which stands in for it ("
    )
    stored = select(
        store,
        f"""SELECT ?info WHERE {{ GRAPH ?g {{
              <{assessment_iri("mof-1.0", v.model)}> earl:result/dcterms:hasPart ?p .
              ?p earl:test <{report.iri}> ; earl:result/earl:info ?info }} }}""",
    )
    assert [row["info"] for row in stored] == report.reasons


def test_mixtral_stores_the_one_requirement_its_reason_names(judged) -> None:
    store, verdicts = judged
    v = _named(verdicts, "Mixtral-8x7B-v0.1", "mof-1.0")
    assert v.outcome == "failed" and len(v.reasons) == 1
    assert v.reasons[0].startswith("mof-1.0.c3.data-card: ")
    # What a page or the RDF API shows: the stored requirement assessments.
    stored = select(
        store,
        f"""SELECT ?test ?o WHERE {{ GRAPH ?g {{
              <{assessment_iri("mof-1.0", v.model)}> earl:result/dcterms:hasPart ?p .
              ?p earl:test ?test ; earl:result/earl:outcome ?o }} }}""",
    )
    by_outcome: dict[str, set[str]] = {}
    for row in stored:
        by_outcome.setdefault(row["o"].rsplit("#", 1)[1], set()).add(row["test"].rsplit("/", 1)[1])
    assert by_outcome["failed"] == {"c3.data-card"}
    assert len(by_outcome["untested"]) == 8  # Class II and Class I: not judged below Class III
