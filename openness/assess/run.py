"""Assess models against definitions: evidence → SHACL validation → verdicts."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox
import rdflib

from openness.assess.definitions import OGNS, Definition, definition, definitions, shape_files
from openness.assess.engine import SH, Engine, PyShaclEngine, Result, results
from openness.assess.verdicts import OWN_SOURCE, Verdict, grade, rank
from openness.assess.view import ModelEvidence, load_evidence
from openness.ingest.records import Progress, no_progress
from openness.store import GraphStore

CHECKS = "https://w3id.org/openness-graph/shapes/checks#"


@dataclass
class Assessment:
    """The verdicts of a run, and each model's SHACL report per definition."""

    definitions: list[Definition]
    verdicts: list[Verdict] = field(default_factory=list)
    reports: dict[tuple[str, str], rdflib.Graph] = field(default_factory=dict)
    engine: str = ""


@cache
def shapes_for(ids: tuple[str, ...]) -> rdflib.Graph:
    """The shared checks and the shapes files of the given definitions, in one graph. The
    shared rules are left out when none of these definitions uses a shared check."""
    wanted = [definition(i) for i in ids]
    graph = rdflib.Graph()
    for path in shape_files():
        if path.name == "checks.ttl" or path in {d.file for d in wanted}:
            graph.parse(path, format="turtle")
    if not any(
        r.checks and r.checks.startswith(CHECKS) for d in wanted for r in d.requirements.values()
    ):
        graph.remove((rdflib.URIRef(CHECKS + "ChecksShape"), SH.rule, None))
    return graph


@cache
def _engine(ids: tuple[str, ...]) -> tuple[Engine, rdflib.Graph]:
    shapes = shapes_for(ids)
    return PyShaclEngine(shapes), _index(shapes)


def relevant(ids: Sequence[str], ev: ModelEvidence) -> tuple[str, ...]:
    """The definitions worth validating for a model: the tool's and the Index's own
    definitions read only their own records, so a model without one is not validated."""
    sources = {s for s, _ in ev.records.values()}
    return tuple(i for i in ids if i not in OWN_SOURCE or OWN_SOURCE[i] in sources)


def _validate(ids: tuple[str, ...], name: str, model: str, ntriples: bytes) -> tuple[str, bytes]:
    """Validate one model's evidence (N-Triples) against the shapes of ``ids``; the report
    comes back as N-Triples too, so this runs in worker processes."""
    engine, index = _engine(ids)
    data = rdflib.Graph().parse(data=ntriples, format="nt") + index
    report = engine.validate(data) if ids else rdflib.Graph()
    return model, report.serialize(format="nt", encoding="utf-8")


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

    out = rdflib.Graph()
    node = rdflib.BNode()
    out.add((node, rdflib.RDF.type, SH.ValidationReport))
    conforms = True
    for result in report.objects(None, SH.result):
        if (
            str(report.value(result, SH.sourceShape)) in d.shapes
            and str(report.value(result, SH.focusNode)) == focus
        ):
            out.add((node, SH.result, result))
            for t in report.triples((result, None, None)):
                out.add(t)
            conforms &= report.value(result, SH.resultSeverity) != SH.Violation
    out.add((node, SH.conforms, rdflib.Literal(conforms)))
    return out


def assess_evidence(
    evidence: Sequence[ModelEvidence],
    ids: Sequence[str] | None = None,
    *,
    progress: Progress = no_progress,
    workers: int = 1,
) -> Assessment:
    """Validate each model's evidence against the definitions and grade the results,
    in ``workers`` processes."""
    ids = tuple(ids or definitions())
    defs = [definition(i) for i in ids]
    run = Assessment(defs, engine=_engine(ids)[0].name)
    jobs = [
        (
            relevant(ids, ev),
            ev.name,
            ev.model,
            ox.serialize(ev.triples, format=ox.RdfFormat.N_TRIPLES),
        )
        for ev in evidence
    ]
    by_model = {ev.model: ev for ev in evidence}
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = pool.imap_unordered(_star_validate, jobs, chunksize=4)
            reports = dict(progress(done, len(jobs), "assessing"))
    else:
        reports = dict(progress((_validate(*job) for job in jobs), len(jobs), "assessing"))
    for model in sorted(reports):
        ev, report = by_model[model], rdflib.Graph().parse(data=reports[model], format="nt")
        found: list[Result] = [r for r in results(report) if r.focus == ev.model]
        for d in defs:
            run.verdicts.append(grade(d, ev, found))
            run.reports[(ev.model, d.id)] = report_of(report, d, ev.model)
    rank([v for v in run.verdicts if v.definition == "eu-osai-index"])
    return run


def _star_validate(job: tuple[tuple[str, ...], str, str, bytes]) -> tuple[str, bytes]:
    return _validate(*job)


def assess(
    store: GraphStore,
    ids: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    *,
    progress: Progress = no_progress,
    workers: int = 1,
) -> Assessment:
    """Assess the models in the store (all, or the given model IRIs)."""
    evidence = load_evidence(store, list(models) if models else None)
    return assess_evidence(evidence, ids, progress=progress, workers=workers)
