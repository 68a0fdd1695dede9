"""A model's full SHACL validation report, made on demand by pySHACL from the model's
evidence (the stored assessments keep only outcomes and reasons), and the stored verdicts
it is read beside."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox
import rdflib

from openness.assess.definitions import OGNS, SH, definition, definitions
from openness.assess.reference import evidence, report, to_rdflib
from openness.assess.report import stored_assertions
from openness.assess.store import assessment_iri
from openness.named_queries import run_named
from openness.namespaces import OG
from openness.store import GraphStore


def explanation(store: GraphStore, model: str, ids: Sequence[str]) -> list[ox.Triple]:
    """The stored verdicts on ``model`` against the definitions ``ids`` (EARL assertions:
    the graded outcome, level, score, reasons) and, for each, the model's
    sh:ValidationReport for that definition's shapes, made now and linked from its stored
    assertion (og:validationReport; the assertion's IRI names the model and definition):
    what a result of the report weighs is the verdict's to say. A requirement passed
    gives no reason: the findings it passed on come with the checks they are about
    (:func:`passed_findings`)."""
    triples = stored_assertions(store, [assessment_iri(i, model) for i in ids])
    stored = {t.subject.value for t in triples}
    made = _report(store, model, ids)
    out = rdflib.Graph()
    for i in ids:
        node = _add_report(out, made, model, definition(i).shapes)
        if assessment_iri(i, model) in stored:  # (a model not yet assessed has none to link)
            assertion = rdflib.URIRef(assessment_iri(i, model))
            out.add((assertion, OGNS.validationReport, node))
            # Both ways: a consumer reading the report alone is led to the outcome, which
            # its sh:conforms is not (a graded 'cannot tell' may come with violations of
            # higher levels, a source's definition's with a report that conforms).
            out.add((node, OGNS.validationReportOf, assertion))
    data = out.serialize(format="nt", encoding="utf-8")
    reports = [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]
    return triples + reports + passed_findings(store, model, ids)


def passed_findings(store: GraphStore, model: str, ids: Sequence[str]) -> list[ox.Triple]:
    """The findings each requirement ``model`` passed against the definitions ``ids`` read
    (the model-passed-findings query), as the derived graph holds them: the model's
    og:finding, each finding's check, sentence, record and og:supports. A stored
    requirement assessment (earl:test) leads to them by its requirement's og:checks, at
    the requirement's IRI: said here, it would describe a node of the stored graph, where
    a posted description's answer describes only its own."""

    def og(name: str) -> ox.NamedNode:
        return ox.NamedNode(OG + name)

    wanted, subject = set(ids), ox.NamedNode(model)
    out: dict[ox.Triple, None] = {}
    for row in run_named(store, "model-passed-findings", model=model):
        finding = row.get("finding")  # (none: the requirement assessment's own words)
        if finding is None or row["definition"].value not in wanted:
            continue
        for s, p, o in (
            (subject, og("finding"), finding),
            (finding, og("aboutCheck"), row["check"]),
            (finding, og("supports"), ox.Literal(True)),
            (finding, og("fromRecord"), row["record"]),
            (finding, og("detail"), row["read"]),
        ):
            out[ox.Triple(s, p, o)] = None
    return list(out)


def validation_report(
    store: GraphStore, model: str, ids: Sequence[str] | None = None
) -> rdflib.Graph:
    """The sh:ValidationReport of ``model``, with the results of the given definitions'
    shapes (default: all). sh:conforms is false when any result remains, as SHACL says:
    grading (:func:`openness.assess.grade.grade`) may still pass the model (a stand-in met,
    a lower level reached) or rate it rather than pass it."""
    chosen = [definition(i) for i in ids] if ids else list(definitions().values())
    out = rdflib.Graph()
    out.bind("sh", str(SH))
    shapes = {s for d in chosen for s in d.shapes}
    _add_report(out, _report(store, model, [d.id for d in chosen]), model, shapes)
    return out


def _report(store: GraphStore, model: str, ids: Sequence[str]) -> rdflib.Graph:
    """pySHACL's report on the model's evidence, with the shapes the definitions ``ids``
    need, each run once (a second of CPU with every definition's)."""
    return report(to_rdflib(evidence(store, model)), ids)


def _add_report(
    out: rdflib.Graph, made: rdflib.Graph, model: str, shapes: Iterable[str]
) -> rdflib.BNode:
    """Add to ``out`` a report holding the results of ``made`` whose source shape is one of
    ``shapes`` and whose focus is ``model`` (the evidence carries the models it was
    fine-tuned from, judged alongside: keep its own); the report's node."""
    focus = rdflib.URIRef(model)
    wanted = set(shapes)
    node = rdflib.BNode()
    out.add((node, rdflib.RDF.type, SH.ValidationReport))
    kept = 0
    for result in made.objects(None, SH.result):
        if str(made.value(result, SH.sourceShape)) in wanted and (
            made.value(result, SH.focusNode) == focus
        ):
            kept += 1
            out.add((node, SH.result, result))
            for t in made.triples((result, None, None)):
                out.add(t)
    out.add((node, SH.conforms, rdflib.Literal(kept == 0)))
    return node
