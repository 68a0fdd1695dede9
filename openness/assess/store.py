"""Verdicts in the assessments graph: EARL assertions with their SHACL reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from openness import __version__
from openness.assess.engine import from_rdflib
from openness.assess.run import Assessment
from openness.assess.verdicts import Verdict
from openness.ingest.rdf import Triples, literal, typed
from openness.namespaces import (
    CONCEPT,
    DCTERMS,
    DOAP,
    DQV,
    EARL,
    OG,
    PROV,
    RDFS,
    SH,
    XSD,
    Graphs,
    mint,
    slug,
)
from openness.store import GraphStore

TOOL = mint("agent", "openness-graph")
LEVELS = {"Class I": "mof-class-1", "Class II": "mof-class-2", "Class III": "mof-class-3"}


def assessment_iri(definition_id: str, model: str) -> str:
    return mint("assessment", definition_id, slug(model.rsplit("/", 1)[1]))


def _tool(out: Triples, engine: str) -> None:
    out.types(TOOL, EARL + "Software", PROV + "SoftwareAgent", DOAP + "Project")
    out.add(TOOL, DOAP + "name", "Openness Graph assessor")
    out.add(TOOL, OG + "toolVersion", __version__)
    out.add(TOOL, RDFS + "comment", f"Assesses models with SHACL shapes validated by {engine}.")


def _report(out: Triples, base: str, report: rdflib.Graph) -> None:
    """The SHACL report, its blank nodes named under the assessment: ``<a>/report`` for the
    sh:ValidationReport, ``<a>/report/<n>`` for its results."""
    triples = from_rdflib(report)
    names: dict[str, str] = {}
    for t in triples:
        if t.object == ox.NamedNode(SH + "ValidationReport"):
            names[t.subject.value] = f"{base}/report"

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.Literal:
        if isinstance(node, ox.BlankNode):
            names.setdefault(node.value, f"{base}/report/{len(names)}")
            return ox.NamedNode(names[node.value])
        return node

    out.extend(ox.Triple(term(t.subject), t.predicate, term(t.object)) for t in triples)


def verdict_triples(
    out: Triples,
    v: Verdict,
    run: str,
    report: rdflib.Graph | None,
    definition_iri: str,
    when: dt.datetime,
) -> None:
    a = assessment_iri(v.definition, v.model)
    out.types(a, OG + "Assessment", EARL + "Assertion", PROV + "Entity")
    out.link(a, EARL + "subject", v.model)
    out.link(a, EARL + "test", definition_iri)
    out.link(a, EARL + "assertedBy", TOOL)
    out.link(a, EARL + "mode", EARL + "automatic")
    out.add(a, OG + "definitionId", v.definition)
    out.add(a, OG + "definitionVersion", v.version)
    out.add(a, OG + "toolVersion", __version__)
    out.link(a, PROV + "wasGeneratedBy", run)
    for record in v.evidence:
        out.link(a, OG + "evidence", record)
    out.add(a, PROV + "generatedAtTime", literal(when))
    result = f"{a}/result"
    out.link(a, EARL + "result", result)
    out.types(result, EARL + "TestResult")
    out.link(result, EARL + "outcome", EARL + v.outcome)
    out.add(result, DCTERMS + "date", literal(when))
    for reason in v.reasons:
        out.add(result, EARL + "info", reason)
    if v.level:
        out.link(result, OG + "level", f"{CONCEPT}level/{LEVELS[v.level]}")
    if v.score is not None:
        out.add(result, OG + "score", typed(f"{v.score}", XSD + "decimal"))
    out.add(result, OG + "rank", v.rank)
    for level, value in (v.progress or {}).items():
        m = f"{a}/progress/{LEVELS[level]}"
        out.link(result, OG + "progress", m)
        out.types(m, DQV + "QualityMeasurement")
        out.link(m, OG + "level", f"{CONCEPT}level/{LEVELS[level]}")
        out.add(m, DQV + "value", typed(f"{value}", XSD + "decimal"))
    for req in v.requirements:
        part = f"{a}/requirement/{slug(req.id[len(v.definition) + 1 :])}"
        out.link(a, DCTERMS + "hasPart", part)
        out.types(part, OG + "Assessment", EARL + "Assertion")
        out.link(part, EARL + "subject", v.model)
        out.link(part, EARL + "test", req.iri)
        out.link(part, EARL + "assertedBy", TOOL)
        out.link(part, EARL + "mode", EARL + "automatic")
        out.link(part, EARL + "result", f"{part}/result")
        out.types(f"{part}/result", EARL + "TestResult")
        out.link(f"{part}/result", EARL + "outcome", EARL + req.outcome)
        for reason in req.reasons:
            out.add(f"{part}/result", EARL + "info", reason)
    if report is not None:
        out.link(a, OG + "validationReport", f"{a}/report")
        _report(out, a, report)


def save(
    store: GraphStore,
    run: Assessment,
    *,
    started: dt.datetime,
    replace_all: bool,
    flags: Iterable[ox.Triple] = (),
) -> int:
    """Store a run's verdicts and flags; with ``replace_all`` the assessments graph is
    replaced, otherwise only the assessments this run recomputed are."""
    when = dt.datetime.now(dt.UTC)
    run_iri = mint("run", "assess", started.strftime("%Y%m%dT%H%M%S%fZ"))
    out = Triples()
    _tool(out, run.engine)
    out.types(run_iri, OG + "AssessmentRun", PROV + "Activity")
    out.add(run_iri, PROV + "startedAtTime", literal(started))
    out.add(run_iri, PROV + "endedAtTime", literal(when))
    out.add(run_iri, OG + "toolVersion", __version__)
    out.link(run_iri, PROV + "wasAssociatedWith", TOOL)
    defs = {d.id: d.iri for d in run.definitions}
    for v in run.verdicts:
        verdict_triples(
            out, v, run_iri, run.reports.get((v.model, v.definition)), defs[v.definition], when
        )
    out.extend(flags)
    if replace_all:
        return store.replace_graph(Graphs.ASSESSMENTS, out)
    redone = {assessment_iri(v.definition, v.model) for v in run.verdicts}
    redone |= {flag_iri(v.model) for v in run.verdicts if v.definition == "osaid-1.0"}
    stale = [
        t
        for t in _graph_triples(store, Graphs.ASSESSMENTS)
        if _root(t.subject.value) in redone or t.subject.value == TOOL
    ]
    return store.write(remove={Graphs.ASSESSMENTS: stale}, add={Graphs.ASSESSMENTS: out})


def flag_iri(model: str) -> str:
    return mint("flag", "open-washing", slug(model.rsplit("/", 1)[1]))


def _root(subject: str) -> str:
    """The assessment or flag a node belongs to: ``…/id/assessment/<def>/<model>``."""
    return "/".join(subject.split("/")[:8])


def _graph_triples(store: GraphStore, graph: str) -> list[ox.Triple]:
    rows = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[graph])
    return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
