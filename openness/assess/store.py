"""Verdicts in the assessments graph, compactly: one EARL assertion per model and definition
with its result (outcome, reasons, level, progress, score, rank), and one link per
requirement to a requirement assessment shared by every model that reached the same
outcome for the same reasons. Full SHACL reports are made on demand (openness.assess.explain)."""

from __future__ import annotations

import datetime as dt
import hashlib

from openness import __version__
from openness.assess.definitions import definitions
from openness.assess.grade import Verdict
from openness.assess.run import Assessment
from openness.assess.setwise import DERIVED, STAGING
from openness.ingest.rdf import Triples, literal, typed
from openness.namespaces import (
    DCTERMS,
    DOAP,
    DQV,
    EARL,
    OG,
    PREFIX_LINE,
    PROV,
    RDFS,
    XSD,
    Graphs,
    mint,
    slug,
)
from openness.store import GraphStore

TOOL = mint("agent", "openness-graph")
A = Graphs.ASSESSMENTS


def assessment_iri(definition_id: str, model: str) -> str:
    return mint("assessment", definition_id, slug(model.rsplit("/", 1)[1]))


def _tool(out: Triples, engine: str) -> None:
    out.types(TOOL, EARL + "Software", PROV + "SoftwareAgent", DOAP + "Project")
    out.add(TOOL, DOAP + "name", "Openness Graph assessor")
    out.add(TOOL, OG + "toolVersion", __version__)
    out.add(TOOL, RDFS + "comment", f"Assesses models with SHACL shapes, run by {engine}.")


def _requirement_part(
    out: Triples, req_iri: str, outcome: str, reasons: list[str], written: set[str]
) -> str:
    """A requirement assessment named by its content, so that models with the same outcome
    for the same reasons share it; its triples are added once (``written`` holds the parts
    already in ``out``: most verdicts share most of theirs)."""
    digest = hashlib.sha256("\n".join([req_iri, outcome, *reasons]).encode()).hexdigest()[:24]
    part = mint("requirement-assessment", digest)
    if part in written:
        return part
    written.add(part)
    out.types(part, OG + "Assessment", EARL + "Assertion")
    out.link(part, EARL + "test", req_iri)
    out.link(part, EARL + "result", f"{part}/result")
    out.types(f"{part}/result", EARL + "TestResult")
    out.link(f"{part}/result", EARL + "outcome", EARL + outcome)
    for reason in reasons:
        out.add(f"{part}/result", EARL + "info", reason)
    return part


def verdict_triples(
    out: Triples,
    v: Verdict,
    run: str,
    definition_iri: str,
    fingerprint: str,
    when: dt.datetime,
    parts: set[str],
) -> None:
    """A verdict's triples; ``parts`` holds the requirement assessments already in ``out``."""
    a = assessment_iri(v.definition, v.model)
    out.types(a, OG + "Assessment", EARL + "Assertion", PROV + "Entity")
    out.link(a, EARL + "subject", v.model)
    out.link(a, EARL + "test", definition_iri)
    out.link(a, EARL + "assertedBy", TOOL)
    out.link(a, EARL + "mode", EARL + "automatic")
    out.add(a, OG + "definitionId", v.definition)
    out.add(a, OG + "definitionVersion", v.version)
    out.add(a, OG + "fingerprint", fingerprint)
    out.link(a, PROV + "wasGeneratedBy", run)
    if not v.in_scope:
        out.add(a, OG + "inScope", False)
    for record in v.evidence:
        out.link(a, OG + "evidence", record)
    result = f"{a}/result"
    out.link(a, EARL + "result", result)
    out.types(result, EARL + "TestResult")
    out.link(result, EARL + "outcome", EARL + v.outcome)
    out.add(result, DCTERMS + "date", literal(when))
    for reason in v.reasons:
        out.add(result, EARL + "info", reason)
    if v.level_iri:
        out.link(result, OG + "level", v.level_iri)
    if v.score is not None:
        out.add(result, OG + "score", typed(f"{v.score}", XSD + "decimal"))
    for label, value in (v.progress or {}).items():
        m = f"{a}/progress/{slug(label)}"
        out.link(result, OG + "progress", m)
        out.types(m, DQV + "QualityMeasurement")
        out.add(m, RDFS + "label", label)
        out.add(m, DQV + "value", typed(f"{value}", XSD + "decimal"))
        if v.level_outcomes and label in v.level_outcomes:  # each level is three-valued
            out.link(m, EARL + "outcome", EARL + v.level_outcomes[label])
    for req in v.requirements:
        part = _requirement_part(out, req.iri, req.outcome, req.reasons, parts)
        out.link(a, DCTERMS + "hasPart", part)


# Every update below keeps its patterns flat (no BIND inside a UNION branch, no NOT EXISTS):
# SPARQL evaluates groups bottom-up, so a variable bound outside a branch is unbound in it.


def _delete(where: str, node: str, graph: str = A) -> str:
    """Delete every triple of ``graph`` whose subject is ``node`` in the solutions of ``where``."""
    triples = f"GRAPH <{graph}> {{ {node} ?p_ ?o_ }}"
    return f"DELETE {{ {triples} }} WHERE {{ {where} {triples} }}"


def _drop(models: list[str] | None, ids: list[str]) -> list[str]:
    """The updates removing the assessments of ``models`` (all when None) against the
    definitions ``ids``, with their result and progress nodes (requirement assessments are
    shared and collected by _ORPHANS)."""
    chosen = "VALUES ?d { " + " ".join(f'"{i}"' for i in ids) + " }"
    if models is not None:
        chosen += " VALUES ?m { " + " ".join(f"<{m}>" for m in models) + " }"
    scope = f"{chosen} GRAPH <{A}> {{ ?as earl:subject ?m ; og:definitionId ?d ; earl:result ?r }}"
    return [
        _delete(f"{scope} GRAPH <{A}> {{ ?r og:progress ?x }}", "?x"),
        _delete(scope, "?r"),
        _delete(scope, "?as"),
    ]


def _gone(store: GraphStore, present: set[str]) -> list[str]:
    """Models with stored assessments that are no longer in the store."""
    rows = store.query(
        f"SELECT DISTINCT ?m WHERE {{ GRAPH <{A}> {{ ?as og:fingerprint ?f ; earl:subject ?m }} }}"
    ).rows()
    return sorted({r["m"].value for r in rows} - present)


# Requirement assessments (assertions without a subject) that no assessment links to.
_ORPHAN = f"""GRAPH <{A}> {{ ?part a og:Assessment ; earl:result ?r .
  OPTIONAL {{ ?part earl:subject ?s }} OPTIONAL {{ ?any dcterms:hasPart ?part }}
  FILTER (!BOUND(?s) && !BOUND(?any)) }}"""
_ORPHANS = [_delete(_ORPHAN, "?r"), _delete(_ORPHAN, "?part")]
# Runs that generated none of the stored assessments any more.
_SPENT = f"""GRAPH <{A}> {{ ?run a og:AssessmentRun .
  OPTIONAL {{ ?any prov:wasGeneratedBy ?run }} FILTER (!BOUND(?any)) }}"""
# Ranks by score within a definition, 1 the highest, ties sharing a rank.
_RANKS = f"""DELETE {{ GRAPH <{A}> {{ ?r og:rank ?old }} }}
WHERE {{ GRAPH <{A}> {{ ?r og:rank ?old }} }} ;
INSERT {{ GRAPH <{A}> {{ ?r og:rank ?rank }} }} WHERE {{
  {{ SELECT ?r (COUNT(?higher) + 1 AS ?rank) WHERE {{ GRAPH <{A}> {{
      ?as og:definitionId ?d ; earl:result ?r . ?r og:score ?s .
      OPTIONAL {{ ?other og:definitionId ?d ; earl:result ?higher . ?higher og:score ?hs
                 FILTER (?hs > ?s) }} }} }} GROUP BY ?r }} }}"""


def _derived(models: list[str] | None) -> list[str]:
    """The updates replacing the derived facts of the models judged with the staged ones."""
    if models is None:
        return [f"MOVE SILENT GRAPH <{STAGING}> TO GRAPH <{DERIVED}>"]
    return [
        *_forget(models),
        f"ADD SILENT GRAPH <{STAGING}> TO GRAPH <{DERIVED}>",
        f"DROP SILENT GRAPH <{STAGING}>",
    ]


def _forget(models: list[str]) -> list[str]:
    """The updates removing the derived facts of ``models``."""
    chosen = "VALUES ?m { " + " ".join(f"<{m}>" for m in models) + " }"
    # the nodes the rules hung on a model: its findings, its expectations
    findings = f"{chosen} GRAPH <{DERIVED}> {{ ?m ?link ?f FILTER (isBlank(?f)) }}"
    # (an update's default graph is no union of the named graphs: name them)
    components = (
        f"{chosen} GRAPH <{Graphs.IDENTITY}> {{ ?m og:hasRecord ?rec }} "
        "GRAPH ?source { ?rec og:component ?c }"
    )
    return [
        _delete(findings, "?f", DERIVED),
        _delete(chosen, "?m", DERIVED),
        f"DELETE {{ GRAPH <{DERIVED}> {{ ?c og:appliesLicense ?s }} }} WHERE {{ {components} "
        f"GRAPH <{DERIVED}> {{ ?c og:appliesLicense ?s }} }}",
    ]


def save(store: GraphStore, run: Assessment, *, started: dt.datetime) -> int:
    """Store a run's verdicts and derived facts in one transaction, replacing the
    assessments of the models it judged and dropping those of models no longer in the
    store; returns the triples written."""
    gone = _gone(store, run.present)
    if not run.models and not gone:
        return 0
    when = dt.datetime.now(dt.UTC)
    run_iri = mint("run", "assess", started.strftime("%Y%m%dT%H%M%S%fZ"))
    out = Triples()
    _tool(out, run.engine)
    out.types(run_iri, OG + "AssessmentRun", PROV + "Activity")
    out.add(run_iri, PROV + "startedAtTime", literal(started))
    out.add(run_iri, PROV + "endedAtTime", literal(when))
    out.add(run_iri, OG + "toolVersion", __version__)
    out.add(run_iri, RDFS + "comment", f"{len(run.models)} models judged, {run.kept} unchanged")
    out.link(run_iri, PROV + "wasAssociatedWith", TOOL)
    defs = {d.id: d.iri for d in run.definitions}
    parts: set[str] = set()
    for v in run.verdicts:
        verdict_triples(out, v, run_iri, defs[v.definition], run.fingerprints[v.model], when, parts)
    scope = run.models if run.partial else None
    tool = f"DELETE WHERE {{ GRAPH <{A}> {{ <{TOOL}> ?p ?o }} }}"
    before = [PREFIX_LINE + tool, *_drop(scope, list(defs)), *_derived(scope)]
    if gone:
        before += [*_drop(gone, list(definitions())), *_forget(gone)]
    return store.write(
        add={A: out}, before=before, after=[*_ORPHANS, _delete(_SPENT, "?run"), _RANKS]
    )
