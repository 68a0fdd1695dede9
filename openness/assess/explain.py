"""A model's full SHACL validation report, made on demand by pySHACL from the model's
evidence (the stored assessments keep only outcomes and reasons), and the stored verdicts
it is read beside."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
import rdflib

from openness.assess.definitions import SH, definition, definitions
from openness.assess.reference import evidence, report, to_rdflib
from openness.assess.report import stored_assertions
from openness.assess.store import assessment_iri
from openness.store import GraphStore


def explanation(store: GraphStore, model: str, ids: Sequence[str]) -> list[ox.Triple]:
    """The stored verdicts on ``model`` against the definitions ``ids`` (EARL assertions:
    the graded outcome, level, score, reasons) and the model's sh:ValidationReport for
    them, made now: what a result of the report weighs is the verdict's to say."""
    triples = stored_assertions(store, [assessment_iri(i, model) for i in ids])
    data = validation_report(store, model, ids).serialize(format="nt", encoding="utf-8")
    return triples + [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]


def validation_report(
    store: GraphStore, model: str, ids: Sequence[str] | None = None
) -> rdflib.Graph:
    """The sh:ValidationReport of ``model``, with the results of the given definitions'
    shapes (default: all). sh:conforms is false when any result remains, as SHACL says:
    grading (:func:`openness.assess.grade.grade`) may still pass the model (a stand-in met,
    a lower level reached) or rate it rather than pass it."""
    full = report(to_rdflib(evidence(store, model)))
    # The evidence carries the models it was fine-tuned from, judged alongside: keep its own.
    focus = rdflib.URIRef(model)
    chosen = [definition(i) for i in ids] if ids else list(definitions().values())
    shapes = {s for d in chosen for s in d.shapes}
    out = rdflib.Graph()
    out.bind("sh", str(SH))
    node = rdflib.BNode()
    out.add((node, rdflib.RDF.type, SH.ValidationReport))
    kept = 0
    for result in full.objects(None, SH.result):
        if str(full.value(result, SH.sourceShape)) in shapes and (
            full.value(result, SH.focusNode) == focus
        ):
            kept += 1
            out.add((node, SH.result, result))
            for t in full.triples((result, None, None)):
                out.add(t)
    out.add((node, SH.conforms, rdflib.Literal(kept == 0)))
    return out
