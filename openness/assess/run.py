"""Assess models against definitions: fingerprint the evidence, run the shapes set-wise on
the models whose evidence changed, grade the results into verdicts."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from openness import __version__
from openness.assess import setwise
from openness.assess.definitions import Definition, definition, definitions, shapes_digest
from openness.assess.grade import Subject, Verdict, grade
from openness.assess.program import declared_prefixes
from openness.assess.reference import model_evidence_query
from openness.ingest.records import Progress, no_progress
from openness.namespaces import Graphs
from openness.store import GraphStore

ENGINE = "set-wise SPARQL"


@dataclass
class Assessment:
    """The verdicts of a run. ``models`` were judged again; ``kept`` were unchanged."""

    definitions: list[Definition]
    verdicts: list[Verdict] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    kept: int = 0
    present: set[str] = field(default_factory=set)  # every model in the store
    fingerprints: dict[str, str] = field(default_factory=dict)
    partial: bool = False  # only some models were judged; the rest of the store stands
    seconds: float = 0.0
    engine: str = ENGINE


def subjects(store: GraphStore, graphs: Sequence[str]) -> dict[str, Subject]:
    """Every model with its name and records."""
    rows = store.query(
        """SELECT ?m ?name ?r ?source ?id WHERE {
             ?m a og:Model ; og:hasRecord ?r . OPTIONAL { ?m schema:name ?name }
             ?r og:source/skos:notation ?source ; og:sourceId ?id }""",
        default_graphs=list(graphs),
    ).rows()
    names: dict[str, str] = {}
    records: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for r in rows:
        m = r["m"].value
        names[m] = r["name"].value if "name" in r else m.rsplit("/", 1)[-1]
        records[m].append((r["r"].value, r["source"].value, r["id"].value))
    return {m: Subject(m, names[m], tuple(sorted(set(records[m])))) for m in names}


def fingerprints(store: GraphStore, graphs: Sequence[str], ids: Sequence[str]) -> dict[str, str]:
    """Model IRI -> a digest of its evidence (the triples of shapes/evidence.ttl's model
    evidence query), the shapes, the definitions asked for and this tool's version."""
    inner = model_evidence_query()
    text = f"""{declared_prefixes()}
    SELECT ?model (SHA256(GROUP_CONCAT(?t; separator="\\n")) AS ?h) WHERE {{
      {{ SELECT ?model ?t WHERE {{ {{ {inner} }}
           BIND (CONCAT(IF(isBlank(?s), "_", STR(?s)), " ", STR(?p), " ",
                        IF(isBlank(?o), "_", STR(?o)), " ", COALESCE(LANG(?o), ""), " ",
                        COALESCE(STR(DATATYPE(?o)), "")) AS ?t) }} ORDER BY ?t }}
    }} GROUP BY ?model"""
    salt = f"{shapes_digest()} {','.join(sorted(ids))} {__version__}"
    out = {}
    for r in store.query(text, default_graphs=list(graphs)).rows():
        out[r["model"].value] = hashlib.sha256(f"{r['h'].value} {salt}".encode()).hexdigest()
    return out


def stored_fingerprints(store: GraphStore) -> dict[str, set[str]]:
    """Model IRI -> the fingerprints its stored assessments were computed from."""
    rows = store.query(
        f"""SELECT ?m ?fp WHERE {{ GRAPH <{Graphs.ASSESSMENTS}> {{
              ?a earl:subject ?m ; og:fingerprint ?fp }} }}"""
    ).rows()
    out: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        out[r["m"].value].add(r["fp"].value)
    return out


def assess(
    store: GraphStore,
    ids: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    *,
    force: bool = False,
    progress: Progress = no_progress,
) -> Assessment:
    """Assess the models in the store (all, or the given model IRIs) against the definitions
    (all, or ``ids``). Models whose evidence and shapes are unchanged since their stored
    assessment are kept unless ``force``. Leaves the rules' facts in the staging graph;
    :func:`openness.assess.store.save` moves them into the derived graph with the verdicts."""
    clock = time.perf_counter()
    defs = [definition(i) for i in ids] if ids else list(definitions().values())
    graphs = setwise.dataset(store)
    everyone = subjects(store, graphs)
    wanted = [m for m in models if m in everyone] if models else sorted(everyone)
    prints = fingerprints(store, graphs, [d.id for d in defs])
    stored = {} if force else stored_fingerprints(store)
    todo = [m for m in wanted if stored.get(m) != {prints.get(m)}]
    run = Assessment(defs, models=todo, kept=len(wanted) - len(todo), fingerprints=prints)
    run.present = set(everyone)
    run.partial = bool(ids or models) or len(todo) < len(everyone)
    if todo:
        scope = todo if run.partial else None
        setwise.derive(store, graphs, scope, progress=progress)
        found: dict[str, list[setwise.Result]] = defaultdict(list)
        for r in setwise.validate(store, graphs, scope, progress=progress):
            found[r.focus].append(r)
        members = setwise.members(store, [d.reads_source for d in defs if d.reads_source], graphs)
        scored = {
            d.id: setwise.scores(store, d.score_query, graphs, scope) for d in defs if d.score_query
        }
        for m in progress(todo, len(todo), "grading"):
            for d in defs:
                run.verdicts.append(
                    grade(
                        d,
                        everyone[m],
                        found.get(m, []),
                        in_scope=not d.reads_source or m in members[d.reads_source],
                        score=scored.get(d.id, {}).get(m),
                    )
                )
    run.seconds = time.perf_counter() - clock
    return run
