"""Verdicts in the assessments graph, compactly: one EARL assertion per model and definition,
linked to its result (outcome, reasons, level, progress, score, rank), which holds a
requirement assessment per requirement; results and requirement assessments are named by
their content and shared by every verdict that reached them (a Hub model's verdicts wrote
~310 triples with a result of their own, ~245 sharing, ~213 with the requirement
assessments held by the result, ~173 with assertions that state only what is their own;
derived facts included). Full SHACL reports are made on
demand (openness.assess.explain)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from openness import __version__
from openness.assess.definitions import definitions
from openness.assess.grade import Verdict
from openness.assess.run import Assessment, Batch
from openness.assess.setwise import DERIVED, dataset
from openness.ingest.provenance import (
    PROVENANCE_GRAPH,
    TOOL,
    activity,
    generated,
    run_iri,
    superseded,
)
from openness.ingest.rdf import Triples, decimal, iri_values, literal, typed
from openness.namespaces import (
    DCTERMS,
    DOAP,
    DQV,
    EARL,
    OG,
    PREFIX_LINE,
    PROV,
    RDF,
    RDFS,
    XSD,
    Graphs,
    mint,
    slug,
)
from openness.store import GraphStore
from openness.store.lines import Lines, node, text
from openness.store.sorted_triples import line_has_blank

A = Graphs.ASSESSMENTS
NT = ox.RdfFormat.N_TRIPLES


def assessment_iri(definition_id: str, model: str) -> str:
    return mint("assessment", definition_id, slug(model.rsplit("/", 1)[1]))


def _tool(out: Triples, engine: str) -> None:
    out.types(TOOL, EARL + "Software", PROV + "SoftwareAgent", DOAP + "Project")
    out.add(TOOL, DOAP + "name", "Openness Graph assessor")
    out.add(TOOL, OG + "toolVersion", __version__)
    out.add(TOOL, RDFS + "comment", f"Assesses models with SHACL shapes, run by {engine}.")


Parts = dict[tuple[str, ...], str]  # (kind, content) of a shared node -> its IRI
# Results and requirement assessments a Writer remembers having written. Past this it
# forgets them all: those whose reasons name a model's records are shared by few models, so
# remembering every one grew with the models (bundled + 3 000 synthetic: 6 583 requirement
# assessments, 2.7 MB, ~780 B a model); forgotten, a shared one is written again, which
# adds nothing to the store.
PARTS_KEPT = 50_000
PARTS_ASKED = 2_000  # results and requirement assessments looked up in the store in one query


_TYPE = node(RDF + "type")


def _typed(out: Lines, s: str, *classes: str) -> None:
    for cls in classes:
        out.add(s, _TYPE, node(cls))


def _shared(
    new: dict[str, Lines], written: Parts, kind: str, content: tuple[str, ...]
) -> tuple[str, Lines | None]:
    """The IRI of a node of ``kind`` named by its ``content``, shared by every verdict that
    reaches it, and the lines its triples go to (in ``new``) when it is not written yet
    (``written`` holds the nodes already written), else None."""
    key = (kind, *content)
    name = written.get(key)
    if name:
        return name, None
    digest = hashlib.sha256("\n".join(content).encode()).hexdigest()[:24]
    name = written[key] = mint(kind, digest)
    out = new[name] = Lines()
    return name, out


def _requirement_part(
    new: dict[str, Lines], req_iri: str, outcome: str, reasons: list[str], written: Parts
) -> str:
    """A requirement assessment named by its content, so that models with the same outcome
    for the same reasons share it; its triples go to ``new`` once (``written`` holds the
    parts already written: most verdicts share most of theirs)."""
    part, out = _shared(new, written, "requirement-assessment", (req_iri, outcome, *reasons))
    if out is None:
        return part
    p, result = node(part), node(f"{part}/result")
    _typed(out, p, OG + "Assessment", EARL + "Assertion")
    out.add(p, node(EARL + "test"), node(req_iri))
    out.add(p, node(EARL + "result"), result)
    _typed(out, result, EARL + "TestResult")
    out.add(result, node(EARL + "outcome"), node(EARL + outcome))
    for reason in filter(None, reasons):
        out.add(result, node(EARL + "info"), text(reason))
    return part


def _verdict_result(
    new: dict[str, Lines], v: Verdict, definition_iri: str, parts: list[str], written: Parts
) -> str:
    """A verdict's result, named by its content (outcome, level, score, progress, the
    requirement assessments ``parts`` it is made of, reasons), so that the verdicts alike
    against a definition share it (10 000 Hub models: 80 000 verdicts, 11 150 results)
    with its links to its parts; its triples go to ``new`` once, as a part's."""
    progress = [
        f"{label}={value}={(v.level_outcomes or {}).get(label, '')}"
        for label, value in (v.progress or {}).items()
    ]
    score = "" if v.score is None else f"{v.score}"
    # Neither a progress entry nor a part's IRI is empty: "" ends each list.
    ranked = (definition_iri, v.outcome, v.level_iri or "", score, *progress, "")
    name, out = _shared(new, written, "result", (*ranked, *parts, "", *v.reasons))
    if out is None:
        return name
    result = node(name)
    _typed(out, result, EARL + "TestResult")
    out.add(result, node(EARL + "outcome"), node(EARL + v.outcome))
    for part in parts:
        out.add(result, node(DCTERMS + "hasPart"), node(part))
    for reason in filter(None, v.reasons):
        out.add(result, node(EARL + "info"), text(reason))
    if v.level_iri:
        out.add(result, node(OG + "level"), node(v.level_iri))
    if v.score is not None:
        out.add(result, node(OG + "score"), str(decimal(v.score)))
    for label, value in (v.progress or {}).items():
        m = node(f"{name}/progress/{slug(label)}")
        out.add(result, node(OG + "progress"), m)
        _typed(out, m, DQV + "QualityMeasurement")
        out.add(m, node(RDFS + "label"), text(label))
        out.add(m, node(DQV + "value"), str(decimal(value)))
        if v.level_outcomes and label in v.level_outcomes:  # each level is three-valued
            out.add(m, node(EARL + "outcome"), node(EARL + v.level_outcomes[label]))
    return name


def verdict_triples(
    out: Lines,
    v: Verdict,
    run: str,
    definition_iri: str,
    fingerprint: str,
    written: Parts,
    new: dict[str, Lines],
) -> None:
    """A verdict's triples, as lines: its assertion goes to ``out``; its result and
    requirement assessments are shared with the verdicts alike, ``written`` holds those
    already written, and the triples of those not yet written go to ``new``, by IRI."""
    # An assertion states only what is its own. What every assertion would repeat is said
    # once where it belongs: its time is its run's (prov:startedAtTime, prov:endedAtTime),
    # the definition's version its test's (owl:versionInfo), and og:Assessment, prov:Entity
    # and the automatic mode follow from the ontology and the assertor (an earl:Software).
    # Those 5 triples were 40 of the 213 a Hub model wrote: 10 000 Hub models' first
    # assessment went from 46.4-47.5 s wall (80.5-81.9 CPU s) to 41.7-42.9 s (71.7-73.9).
    a = node(assessment_iri(v.definition, v.model))
    _typed(out, a, EARL + "Assertion")
    out.add(a, node(EARL + "subject"), node(v.model))
    out.add(a, node(EARL + "test"), node(definition_iri))
    out.add(a, node(EARL + "assertedBy"), node(TOOL))
    out.add(a, node(OG + "definitionId"), text(v.definition))
    out.add(a, node(OG + "fingerprint"), text(fingerprint))
    out.add(a, node(PROV + "wasGeneratedBy"), node(run))
    if not v.in_scope:
        out.add(a, node(OG + "inScope"), str(literal(False)))
    for record in v.evidence:
        out.add(a, node(OG + "evidence"), node(record))
    parts = sorted(
        _requirement_part(new, req.iri, req.outcome, req.reasons, written) for req in v.requirements
    )
    out.add(a, node(EARL + "result"), node(_verdict_result(new, v, definition_iri, parts, written)))


# Every pattern below is kept flat (no BIND inside a UNION branch, no NOT EXISTS): SPARQL
# evaluates groups bottom-up, so a variable bound outside a branch is unbound in it.
Scope = tuple[str, str, str]  # the triples of a graph about the nodes a pattern's variable binds


def _delete(scope: Scope) -> str:
    """The update deleting the triples of ``scope``."""
    where, node, graph = scope
    triples = f"GRAPH <{graph}> {{ {node} ?p_ ?o_ }}"
    return f"DELETE {{ {triples} }} WHERE {{ {where} {triples} }}"


def _held(scope: Scope) -> str:
    """The query reading the triples of ``scope``."""
    where, node, graph = scope
    return (
        f"CONSTRUCT {{ {node} ?p_ ?o_ }} WHERE {{ {where} GRAPH <{graph}> {{ {node} ?p_ ?o_ }} }}"
    )


def _verdicts(models: list[str] | None, ids: list[str]) -> list[Scope]:
    """The assessments of ``models`` (None: of every model) against the definitions ``ids``
    (their results and requirement assessments are shared, and collected by _orphans once
    nothing links to them)."""
    # The definitions filtered, not bound by VALUES: Oxigraph then read every assessment
    # against them before joining the models (100 models' of a 10 000-model store on disk:
    # 2.4 CPU s a scope, 0.2 s filtered), which made replacing verdicts slower as the
    # store grew.
    chosen = "" if models is None else f"VALUES ?m {{ {iri_values(models)} }}"
    wanted = "FILTER (?d IN (" + ", ".join(f'"{i}"' for i in ids) + "))"
    scope = f"{chosen} GRAPH <{A}> {{ ?as earl:subject ?m ; og:definitionId ?d }} {wanted}"
    return [(scope, "?as", A)]


# Requirement assessments (assertions without a subject) that no result links to (nor an
# assessment, as stores written before results held their parts do).
# (What links to a node is asked with NOT EXISTS, not OPTIONAL and !BOUND: Oxigraph
# evaluated the OPTIONAL on its own, every link of the graph, before joining the nodes
# asked about: 4.9 CPU s for 300 requirement assessments at 10 000 Hub models, 0.01 now.)
_ORPHAN = f"""GRAPH <{A}> {{ ?part a og:Assessment ; earl:result ?r .
  FILTER NOT EXISTS {{ ?part earl:subject ?s }}
  FILTER NOT EXISTS {{ ?any dcterms:hasPart ?part }} }}"""


# Results (of assessments or of requirement assessments) that nothing links to.
_ORPHAN_RESULT = f"""GRAPH <{A}> {{ ?res a earl:TestResult .
  FILTER NOT EXISTS {{ ?any earl:result ?res }} }}"""


def _unlinked_among(var: str, nodes: list[str], kind: str, *absent: str) -> str:
    """A subquery giving those of ``nodes`` (as ``?var``) of type ``kind`` for which none
    of the ``absent`` patterns holds in the assessments graph. Each is asked of each node,
    beside the VALUES block alone: in the GRAPH pattern that typed the nodes, the filters
    made Oxigraph read every result of the graph first (a 1% re-sync of 100 000 Hub
    models, 8 000 nodes: 36 CPU s of its ~60)."""
    filters = " ".join(f"FILTER NOT EXISTS {{ GRAPH <{A}> {{ {p} }} }}" for p in absent)
    return (
        f"{{ SELECT ?{var} WHERE {{ VALUES ?{var} {{ {iri_values(nodes)} }} "
        f"FILTER EXISTS {{ GRAPH <{A}> {{ ?{var} a {kind} }} }} {filters} }} }}"
    )


def _orphans(nodes: Sequence[str] | None) -> list[str]:
    """The updates deleting those of the results and requirement assessments ``nodes``
    (None: any) that nothing links to any more; a result with its progress nodes, then a
    requirement assessment with its result. (Results first: a result that goes unlinks its
    parts, which ``nodes`` must then name, see :func:`parts_of`.)"""
    if nodes is None:
        chunks = [(_ORPHAN_RESULT, _ORPHAN)]
    else:
        chunks = [
            (
                _unlinked_among("res", named, "earl:TestResult", "?any earl:result ?res"),
                _unlinked_among(
                    "part",
                    named,
                    "og:Assessment",
                    "?any dcterms:hasPart ?part",
                    "?part earl:subject ?s",
                )
                + f" GRAPH <{A}> {{ ?part earl:result ?r }}",
            )
            for named in _chunks(nodes)
        ]
    progress = f" GRAPH <{A}> {{ ?res og:progress ?x }}"
    return [
        *(
            _delete(scope)
            for results, _ in chunks
            for scope in ((results + progress, "?x", A), (results, "?res", A))
        ),
        *(_delete((parts, node, A)) for _, parts in chunks for node in ("?r", "?part")),
    ]


def _chunks(nodes: Sequence[str]) -> list[list[str]]:
    """``nodes`` NAMED_CHUNK at a time: the VALUES block of one operation."""
    return [list(nodes[i : i + NAMED_CHUNK]) for i in range(0, len(nodes), NAMED_CHUNK)]


def parts_of(store: GraphStore, results: Sequence[str]) -> set[str]:
    """The requirement assessments that ``results`` link to."""
    return _asked(store, results, f"?n <{DCTERMS}hasPart> ?found")


def _asked(store: GraphStore, nodes: Sequence[str], pattern: str) -> set[str]:
    """What ``?found`` is in the assessments graph's ``pattern`` for ``?n`` among ``nodes``,
    PARTS_ASKED of them a query."""
    found: set[str] = set()
    for i in range(0, len(nodes), PARTS_ASKED):
        rows = store.query(
            f"SELECT ?found WHERE {{ VALUES ?n {{ {iri_values(nodes[i : i + PARTS_ASKED])} }} "
            f"GRAPH <{A}> {{ {pattern} }} }}"
        ).rows()
        found.update(r["found"].value for r in rows)
    return found


# An assessment's links to what it shares with others: its result (and its requirements',
# in stores written before the result held them).
_LINKS_SHARED = (EARL + "result", DCTERMS + "hasPart")
# Nodes named in one operation of the end's collection (a VALUES block). Whatever their
# number, the nodes a run unlinked are named, not swept: on a store of 100 000 Hub models a
# node named cost 0.10-0.13 CPU ms, the sweeps 0.03-0.04 ms a node of the graph (10.6 CPU s
# its 377 197 results, 42.1 its 1 065 757 requirement assessments, 56.0 its 1 377 881
# derived nodes), so naming costs what changed, at worst ~3x a sweep when nearly all did,
# where after a 1% change (~8 000 nodes, ~1 s named) a sweep cost ~100x, and grows with
# the store.
NAMED_CHUNK = 5_000


def _unlinked(nodes: Iterable[str] | None) -> Scope:
    """What the rules said about those of ``nodes`` (None: any node) that nothing links to
    any more. The lineage rules label shared aspects named under a base model
    (<base>/aspect/…) or under the record naming an unidentified base
    (<record>/base-model/<name>/aspect/…); a model judged again replaces only its own facts
    and the nodes hung on its IRI, so once no model's expectation or finding names such an
    aspect, its labels were left behind. (Every other node the rules describe is a model,
    a record or a component, which the sources link to, or hangs under one and goes with
    it.)"""
    chosen = "" if nodes is None else f"VALUES ?x {{ {iri_values(nodes)} }} "
    described = f"{{ SELECT DISTINCT ?x WHERE {{ {chosen}GRAPH <{DERIVED}> {{ ?x ?p ?o }} }} }}"
    return (
        f"{described} FILTER NOT EXISTS {{ GRAPH ?g {{ ?any ?link ?x }} }}",
        "?x",
        DERIVED,
    )


# Runs that generated none of the stored assessments any more, nor completed a stored run
# that was stopped (else that run would look stopped again), nor last wrote the graphs.
_SPENT = f"""GRAPH <{A}> {{ ?run a og:AssessmentRun .
  FILTER NOT EXISTS {{ ?any prov:wasGeneratedBy ?run }}
  FILTER NOT EXISTS {{ ?run prov:wasInformedBy ?stopped . ?stopped a og:AssessmentRun }} }}
  FILTER NOT EXISTS {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?graph prov:wasGeneratedBy ?run }} }}"""
# Runs that stored verdicts but were stopped before their end, and no later run completed.
_STOPPED = f"""SELECT ?run WHERE {{ GRAPH <{A}> {{ ?run a og:AssessmentRun .
  FILTER NOT EXISTS {{ ?run prov:endedAtTime ?end }}
  FILTER NOT EXISTS {{ ?later prov:wasInformedBy ?run }} }} }}"""
# The scores first: Oxigraph joins in the order written, and read every assessment when
# its subject came first (2.2 CPU s at 10 000 Hub models, none of them scored).
_SCORES = f"""SELECT ?m ?d ?r ?score ?rank WHERE {{ GRAPH <{A}> {{
  ?r og:score ?score . ?as earl:result ?r ; earl:subject ?m ; og:definitionId ?d .
  OPTIONAL {{ ?r og:rank ?rank }} }} }}"""


def _derived(models: list[str]) -> list[Scope]:
    """What the rules derived about ``models``: about each model, its records, their
    components and the licence statements they name, with the nodes the rules hung on them
    (findings, expectations, a record's weights component: named under their IRI, see
    :func:`openness.assess.setwise.skolemized`)."""
    chosen = f"VALUES ?m {{ {iri_values(models)} }}"
    records = f"{chosen} GRAPH <{Graphs.IDENTITY}> {{ ?m og:hasRecord ?x }}"
    # (an update's default graph is no union of the named graphs: name them)
    components = (
        f"{chosen} GRAPH <{Graphs.IDENTITY}> {{ ?m og:hasRecord ?rec }} "
        "GRAPH ?g { ?rec og:component ?x }"
    )
    # What the rules derive of a licence statement (og:restrictsUse, the options of one
    # written by hand) depends on the statement alone: each model judged again derives it
    # again for every statement its records name now.
    statements = (
        f"{chosen} GRAPH <{Graphs.IDENTITY}> {{ ?m og:hasRecord ?rec }} "
        "GRAPH ?g { ?rec og:component?/og:licenseStatement ?x }"
    )
    out: list[Scope] = [(statements, "?x", DERIVED)]
    for owners, owned in ((components, "?x"), (records, "?x"), (chosen, "?m")):
        hung = (
            f"{owners} GRAPH <{DERIVED}> {{ {owned} ?link_ ?b_ "
            f'FILTER (isBlank(?b_) || STRSTARTS(STR(?b_), CONCAT(STR({owned}), "#"))) }}'
        )  # (blank: as stores written before the rules' nodes were named hold them)
        out += [(hung, "?b_", DERIVED), (owners, owned, DERIVED)]
    return out


def stopped_runs(store: GraphStore) -> list[str]:
    """Assessment runs that stored verdicts but did not end (killed, or still running), and
    that no later run completed."""
    return [r["run"].value for r in store.query(PREFIX_LINE + _STOPPED).rows()]


def _ranks(store: GraphStore, gone: set[str], dropped: set[str]) -> tuple[Triples, Triples]:
    """The ranks by score within each definition (1 the highest, ties sharing a rank) of the
    models still in the store, against the definitions still read, as the stored ranks to
    remove and the ranks to add: only those that changed (a re-sync that judged 1% of the
    models again rewrote every rank)."""
    scores: dict[str, list[tuple[float, str]]] = {}
    stored: dict[str, set[ox.Literal]] = defaultdict(set)
    for row in store.query(_SCORES).rows():
        if row["m"].value not in gone and row["d"].value not in dropped:
            scores.setdefault(row["d"].value, []).append(
                (float(row["score"].value), row["r"].value)
            )
            if "rank" in row:
                stored[row["r"].value].add(row["rank"])
    remove, add = Triples(), Triples()
    for ranked in scores.values():
        ranked.sort(reverse=True)
        rank = 0
        for i, (score, result) in enumerate(ranked):
            if i == 0 or score < ranked[i - 1][0]:
                rank = i + 1
            new = typed(f"{rank}", XSD + "integer")
            if stored[result] != {new}:  # (once: the models alike share their result)
                for old in stored[result]:
                    remove.add(result, OG + "rank", old)
                add.add(result, OG + "rank", new)
                stored[result] = {new}
    return remove, add


class Writer:
    """Stores a run's verdicts batch by batch (a sink for :func:`openness.assess.run.assess`),
    each batch in one transaction replacing the assessments and derived facts of its models:
    a run stopped between batches keeps those it stored, and the next run judges only the
    others. :meth:`finish` then drops the models no longer in the store and ranks scores."""

    def __init__(self, store: GraphStore, *, started: dt.datetime) -> None:
        self.store = store
        self.started = started
        self.run = run_iri(started, "assess")
        self.shared: Parts = {}  # results and requirement assessments this run wrote
        # Nodes the run's writes removed a derived link to (None: not known, as when
        # derived facts were deleted by pattern): swept by finish if nothing links to them.
        self.unlinked: set[str] | None = set()
        # Results and requirement assessments the run's writes unlinked from an assessment
        # (None: not known): the only ones that may have become orphans.
        self.unshared: set[str] | None = set()
        self.replaced = False  # whether a batch replaced stored assessments
        self.written = 0

    def __call__(self, batch: Batch) -> None:
        # The verdicts' triples are made as N-Triples lines, which the store loads as they
        # are: as pyoxigraph terms, serialized, scanned for blank nodes and for the
        # summary's terms, they cost the writer ~4 CPU ms a Hub model (10 000 models).
        out = Lines()
        _typed(out, node(self.run), OG + "AssessmentRun", PROV + "Activity")
        out.add(node(self.run), node(PROV + "startedAtTime"), str(literal(self.started)))
        ids = sorted({v.definition for v in batch.verdicts})
        iris = {d: definitions()[d].iri for d in ids}
        if len(self.shared) > PARTS_KEPT:
            self.shared.clear()
        new: dict[str, Lines] = {}
        for v in batch.verdicts:
            verdict_triples(
                out,
                v,
                self.run,
                iris[v.definition],
                batch.fingerprints[v.model],
                self.shared,
                new,
            )
        # Models judged before mostly share the results and requirement assessments stored
        # then (they are named by their content): those are not written again (a forced
        # re-run of the bundled graph rewrote ~50 000 triples of requirement assessments).
        stored = self._stored(list(new)) if batch.stored else set()
        self.replaced |= bool(batch.stored)
        for shared, lines in new.items():
            if shared not in stored:
                out.lines += lines.lines
        self.written += self._replace(batch.stored, ids, {A: out, DERIVED: batch.derived})

    def _stored(self, nodes: list[str]) -> set[str]:
        """Those of the results and requirement assessments ``nodes`` that the store holds."""
        return _asked(self.store, nodes, "?n a ?type BIND (?n AS ?found)")

    def _replace(self, stored: list[str], ids: list[str], new: dict[str, Lines]) -> int:
        """Write ``new`` in place of what is stored about the models ``stored`` (their
        assessments against ``ids`` and their derived facts), in one transaction: only the
        triples that differ (a verdict judged again the same differs by its run).
        Models judged for the first time have nothing to replace: their write only adds
        (on the embedded store one Store.extend, several times cheaper than an update)."""
        if not stored:
            return self.store.write(add=new)
        scopes = [*_verdicts(stored, ids), *_derived(stored)]
        held = self._stored_lines(scopes)
        if held is None:
            # Written before the rules' nodes were named: removed by pattern, not by value.
            deletes = [_delete(s) for s in scopes]
            return self.store.write(add=new, before=[PREFIX_LINE + deletes[0], *deletes[1:]])
        wanted = {g: set(lines.lines) for g, lines in new.items()}
        remove = {g: Lines(sorted(held[g] - wanted[g])) for g in held}
        self._unlinking(remove)
        return self.store.write(
            remove=remove,
            add={g: Lines(sorted(wanted[g] - held[g])) for g in wanted},
        )

    def _stored_lines(self, scopes: list[Scope]) -> dict[str, set[bytes]] | None:
        """The triples of ``scopes`` as N-Triples lines by graph; None (and what the run
        unlinks no longer known) when they hold blank nodes, which lines cannot name."""
        # Compared as N-Triples lines, which pyoxigraph writes the same for the same triple:
        # read as terms and hashed as such, the stored triples of a forced re-run took twice
        # as long (10 000 Hub models: ~0.6 CPU s a batch of 100 against ~0.3).
        held: dict[str, set[bytes]] = {A: set(), DERIVED: set()}
        for scope in scopes:
            found = self.store.query(_held(scope)).serialize(NT) or b""
            held[scope[2]].update(found.splitlines(True))
        if any(line_has_blank(line) for lines in held.values() for line in lines):
            self.unlinked = self.unshared = None
            return None
        return held

    def _unlinking(self, removed: dict[str, Lines]) -> None:
        """Note the nodes that the triples ``removed`` link to (by graph): those that may
        have become orphans."""
        if self.unlinked is not None:
            self.unlinked.update(
                t.object.value for t in removed[DERIVED] if isinstance(t.object, ox.NamedNode)
            )
        if self.unshared is not None:
            self.unshared.update(
                t.object.value for t in removed[A] if t.predicate.value in _LINKS_SHARED
            )

    def finish(self, run: Assessment) -> int:
        """End the run: drop the assessments of models no longer in the store and against
        definitions no longer read, rank the scores, collect what no assessment uses;
        returns the triples the run wrote."""
        gone, dropped = run.gone, run.dropped
        stopped = [r for r in stopped_runs(self.store) if r != self.run]
        if not run.models and not gone and not dropped and not stopped:
            return self.written
        out = Triples()
        _tool(out, run.engine)
        ended, read = dt.datetime.now(dt.UTC), dataset(self.store)
        activity(out, self.run, OG + "AssessmentRun", self.started, ended, used=read)
        n = len(run.models)
        judged = f"{n} model{'s' * (n != 1)} judged, {run.kept} unchanged"
        out.add(self.run, RDFS + "comment", judged)
        for earlier in stopped:  # its verdicts stand: this run used them
            out.link(self.run, PROV + "wasInformedBy", earlier)
        # The graphs as they now stand, last written by this run (a run judges the models
        # that changed: the others' verdicts are earlier runs', which it was informed by).
        made = Triples()
        for graph in (A, DERIVED):
            generated(made, graph, self.run, ended, derived_from=read)
        unrank, ranks = _ranks(self.store, set(gone), set(dropped))
        before = [
            PREFIX_LINE + f"DELETE WHERE {{ GRAPH <{A}> {{ <{TOOL}> ?p ?o }} }}",
            superseded(A),
            superseded(DERIVED),
        ]
        scopes = _verdicts(None, dropped) if dropped else []
        if gone:
            scopes += [*_verdicts(gone, list(definitions())), *_derived(gone)]
        if scopes:
            before += [_delete(s) for s in scopes]
            # What they link to is read first: the nodes that may become orphans are then
            # known, and not every node of the graphs is looked at (a re-sync of 100 000
            # Hub models with 10 removed took 149 s wall sweeping them, 75 s now).
            held = self._stored_lines(scopes)
            if held is not None:
                self._unlinking({g: Lines(lines) for g, lines in held.items()})
        # A run that replaced no stored assessment, dropped no model and completed no
        # stopped run only added: it unlinked no requirement assessment, derived node or
        # run, so there is nothing to collect (on the bundled graph's first assessment the
        # look cost ~2 CPU s, a tenth of the run).
        after = []
        if self.replaced or gone or dropped or stopped:
            # Nodes and requirement assessments whose links only this run removed are looked
            # at, not the whole graphs (0.9 CPU s bundled; at 10 000 Hub models, most of a
            # 1% re-sync): all of them only when that is not known (deleted by pattern; a
            # stopped run, whose unlinked nodes were never told). A run judging every model
            # (forced, or after the shapes changed) names what it unlinked too: a forced
            # re-run of 10 000 Hub models on the bundled graph spent ~9 of its ~92 CPU s
            # sweeping (60.8 -> 51.5 s wall without), to find what it had unlinked, which is
            # next to nothing when the verdicts stay the same (results are named by content).
            whole = bool(stopped)
            unshared, unlinked = self.unshared, self.unlinked
            if whole or unshared is None:
                after += _orphans(None)
            elif unshared:
                after += _orphans(sorted(unshared | parts_of(self.store, sorted(unshared))))
            after.append(_delete((_SPENT, "?run", A)))
            if whole or unlinked is None:
                after.append(_delete(_unlinked(None)))
            elif unlinked:
                after += [_delete(_unlinked(named)) for named in _chunks(sorted(unlinked))]
        self.written += self.store.write(
            add={A: [*out, *ranks], PROVENANCE_GRAPH: made},
            remove={A: unrank},
            before=before,
            after=after,
        )
        return self.written


def save(store: GraphStore, run: Assessment, *, started: dt.datetime) -> int:
    """Store a run whose verdicts were gathered (no sink): its batches as one, then its end;
    returns the triples written."""
    writer = Writer(store, started=started)
    if run.models:
        writer(Batch(run.models, run.verdicts, run.fingerprints, run.derived, run.stored))
    return writer.finish(run)
