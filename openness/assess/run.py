"""Assess models against definitions: evidence → SHACL validation → verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import rdflib

from openness.assess.definitions import OGNS, Definition, definition, definitions, shape_files
from openness.assess.engine import Engine, PyShaclEngine, Result, results, to_rdflib
from openness.assess.verdicts import Verdict, grade, rank
from openness.assess.view import ModelEvidence, load_evidence
from openness.ingest.records import Progress, no_progress
from openness.store import GraphStore


@dataclass
class Assessment:
    """The verdicts of a run, and each model's SHACL report per definition."""

    definitions: list[Definition]
    verdicts: list[Verdict] = field(default_factory=list)
    reports: dict[tuple[str, str], rdflib.Graph] = field(default_factory=dict)
    engine: str = ""


@cache
def shapes_for(ids: tuple[str, ...]) -> rdflib.Graph:
    """The shared checks and the shapes files of the given definitions, in one graph."""
    wanted = {definition(i).file for i in ids}
    graph = rdflib.Graph()
    for path in shape_files():
        if path.name == "checks.ttl" or path in wanted:
            graph.parse(path, format="turtle")
    return graph


def _index(shapes: rdflib.Graph) -> rdflib.Graph:
    """What the constraints and rules look up at validation time: which requirement a shape
    encodes, which check decides it, which aspects the check expects, their labels, and
    the licence ids a definition accepts."""
    index = rdflib.Graph()
    for p in (OGNS.encodes, OGNS.checks, OGNS.expects, OGNS.acceptedLicenseId):
        for t in shapes.triples((None, p, None)):
            index.add(t)
    for check in set(shapes.objects(None, OGNS.checks)) | set(shapes.objects(None, OGNS.expects)):
        for label in shapes.objects(check, rdflib.RDFS.label):
            index.add((check, rdflib.RDFS.label, label))
    return index


def report_of(report: rdflib.Graph, d: Definition, focus: str) -> rdflib.Graph:
    """The part of a SHACL report that concerns one definition: a report of its own."""
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    out = rdflib.Graph()
    node = rdflib.BNode()
    out.add((node, rdflib.RDF.type, sh.ValidationReport))
    conforms = True
    for result in report.objects(None, sh.result):
        if str(report.value(result, sh.sourceShape)) in d.shapes and str(
                report.value(result, sh.focusNode)) == focus:
            out.add((node, sh.result, result))
            for t in report.triples((result, None, None)):
                out.add(t)
            conforms &= report.value(result, sh.resultSeverity) != sh.Violation
    out.add((node, sh.conforms, rdflib.Literal(conforms)))
    return out


def assess_evidence(evidence: Sequence[ModelEvidence], ids: Sequence[str] | None = None, *,
                    progress: Progress = no_progress, engine: Engine | None = None
                    ) -> Assessment:
    """Validate each model's evidence against the definitions and grade the results."""
    ids = tuple(ids or definitions())
    defs = [definition(i) for i in ids]
    shapes = shapes_for(ids)
    index = _index(shapes)
    engine = engine or PyShaclEngine(shapes)
    run = Assessment(defs, engine=engine.name)
    for ev in progress(evidence, len(evidence), "assessing"):
        report = engine.validate(to_rdflib(ev.triples) + index)
        found: list[Result] = [r for r in results(report) if r.focus == ev.model]
        for d in defs:
            run.verdicts.append(grade(d, ev, found))
            run.reports[(ev.model, d.id)] = report_of(report, d, ev.model)
    rank([v for v in run.verdicts if v.definition == "eu-osai-index"])
    return run


def assess(store: GraphStore, ids: Sequence[str] | None = None,
           models: Sequence[str] | None = None, *, progress: Progress = no_progress
           ) -> Assessment:
    """Assess the models in the store (all, or the given model IRIs)."""
    return assess_evidence(load_evidence(store, list(models) if models else None), ids,
                           progress=progress)
