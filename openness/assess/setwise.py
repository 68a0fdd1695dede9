"""Run the shapes set-wise: every rule is one SPARQL update and every constraint one SPARQL
query for all the models of a store at once (the assessment gives it a scratch store holding
a batch's evidence, :mod:`openness.assess.judge`).

The rules write into a staging graph (the facts they derive: governing licences, findings);
the constraints read the sources and that graph. pySHACL pre-binds ``$this`` to one focus
node; here ``?this`` is bound by the target class instead, which gives the same solutions
because the shapes' queries keep every use of ``$this`` in the group that binds it (the
equivalence test holds the two engines to that).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from openness.assess.program import (
    Constraint,
    Rule,
    RuleError,
    constraints,
    non_identifying,
    renderer,
    rules,
    scoped,
    values,
)
from openness.ingest.records import Progress, no_progress
from openness.namespaces import BASE, Graphs
from openness.store import GraphStore
from openness.store.lines import text_lines

DERIVED = BASE + "graph/derived"
STAGING = BASE + "graph/derived-next"
NT = ox.RdfFormat.N_TRIPLES
# What every model's evidence shares is read from these (ev:SharedEvidence).
VOCABULARIES = [Graphs.ONTOLOGY, Graphs.SHAPES]


@dataclass(frozen=True)
class Result:
    """One validation result, reduced to what verdicts need."""

    focus: str
    shape: str
    severity: str  # the local name: Violation, Warning or Info
    message: str


def dataset(store: GraphStore) -> list[str]:
    """The graphs the shapes read: the vocabularies, the shapes and :func:`facts`."""
    return [*VOCABULARIES, *facts(store)]


def facts(store: GraphStore) -> list[str]:
    """The graphs of what is said about models: the identities and every source's current
    graph (not derived facts, assessments or dated snapshots). A model's own evidence is
    read from these alone (what the vocabularies and shapes add, every model shares): on
    disk a list of two graphs read faster than one of four (10 000 Hub models: 0.75 -> 0.48
    CPU s the evidence of 114), and a reading copy of them is smaller."""
    sources = sorted(g for g in store.graph_names() if g.startswith(Graphs.source("")))
    return [Graphs.IDENTITY, *(g for g in sources if "/" not in g[len(Graphs.source("")) :])]


def rule_update(rule: Rule, graphs: Sequence[str], models: Sequence[str] | None) -> str:
    """The rule as one SPARQL update writing into the staging graph; it reads ``graphs`` and
    what the rules before it wrote."""
    using = "\n".join(f"USING <{g}>" for g in [*graphs, STAGING])
    return (
        f"{rule.prefixes}\nINSERT {{ GRAPH <{STAGING}> {rule.template} }}\n{using}\n"
        f"WHERE {{ {values('this', models)} ?this a <{rule.target}> .\n{rule.where}\n}}"
    )


def constraint_query(c: Constraint, models: Sequence[str] | None) -> str:
    """The constraint as one SELECT over every focus node and every shape using it."""
    shapes = " ".join(f"<{s}>" for s, _ in c.shapes)
    projected = " ".join(f"?{v}" for v in c.projection)
    return (
        f"{c.prefixes}\nSELECT ?this ?currentShape {projected} WHERE {{ {values('this', models)}\n"
        f"VALUES ?currentShape {{ {shapes} }} ?this a <{c.target}> .\n{c.where}\n}}"
    )


def derive(
    store: GraphStore,
    graphs: Sequence[str],
    models: Sequence[str] | None = None,
    *,
    progress: Progress = no_progress,
    fresh: bool = True,
) -> None:
    """Run every rule, in order, into the staging graph (emptied first when ``fresh``)."""
    if fresh:
        store.drop_graph(STAGING)
    for rule in progress(rules(), len(rules()), "rules"):
        try:
            store.update(rule_update(rule, graphs, models))
        except (SyntaxError, OSError, RuntimeError) as e:
            raise RuleError(f"rule {rule.iri} failed: {e}") from e


def validate(
    store: GraphStore,
    graphs: Sequence[str],
    models: Sequence[str] | None = None,
    *,
    progress: Progress = no_progress,
) -> list[Result]:
    """Every constraint over every model (or ``models``), reading ``graphs`` and the staging
    graph the rules wrote."""
    out = []
    for c in progress(constraints(), len(constraints()), "constraints"):
        severity = dict(c.shapes)
        try:
            result = store.query(constraint_query(c, models), default_graphs=[*graphs, STAGING])
            # Read by position (a dict a solution took twice as long), and to the end here:
            # an engine evaluates the query while its solutions are read.
            rows = [[None if t is None else t.value for t in s] for s in result]
        except (SyntaxError, OSError, RuntimeError) as e:
            raise RuleError(f"constraint {c.iri} failed: {e}") from e
        names = result.variables
        this, shape = names.index("this"), names.index("currentShape")
        message = renderer(c.message, names)
        out += [Result(r[this], r[shape], severity[r[shape]], message(r)) for r in rows]
    return sorted(out, key=lambda r: (r.focus, r.shape, r.message))


def scores(
    store: GraphStore, query: str, graphs: Sequence[str], models: Sequence[str] | None = None
) -> dict[str, float]:
    """A definition's og:scoreQuery for every model (or ``models``)."""
    rows = store.query(scoped(query, "this", models), default_graphs=[*graphs, STAGING]).rows()
    return {r["this"].value: float(r["score"].value) for r in rows if "score" in r}


def members(
    store: GraphStore, sources: Iterable[str], graphs: Sequence[str]
) -> dict[str, set[str]]:
    """Source concept IRI -> the models with a record from that source."""
    wanted = sorted(set(sources))
    if not wanted:
        return {}
    rows = store.query(
        "SELECT DISTINCT ?src ?m WHERE { VALUES ?src { "
        + " ".join(f"<{s}>" for s in wanted)
        + " } ?m og:hasRecord/og:source ?src }",
        default_graphs=list(graphs),
    ).rows()
    out: dict[str, set[str]] = {s: set() for s in wanted}
    for r in rows:
        out[r["src"].value].add(r["m"].value)
    return out


def skolemized(facts: bytes, given: Collection[str] = ()) -> bytes:
    """The rules' facts (N-Triples) with each node a rule made (a finding, an expectation, a
    record's weights component: a blank node that a derived fact links to from an IRI)
    named under that IRI by its content: ``<model#finding-3fa9c1d2e4b5a6f7>``. The same
    facts get the same IRIs in every run, so a model's derived facts can be compared and
    written as any others (a blank node is new in every write, and some engines refuse them
    in INSERT DATA), and a model's linked-data document, which holds the nodes under its
    IRI, shows them. Blank nodes of the evidence the rules read (``given``: their labels; a
    component written as one) are kept, as are nodes linked to from those only. A node's
    name reads its own statements, a child node counting as ``_``: two nodes of one owner
    that differed only below would share a name (the rules make no such pair). Statements
    of a non-identifying property (og:NonIdentifyingProperty, as the shapes declare) are
    left out: the nodes of one owner alike but for them become one, holding all their
    values (a finding that two checks read).

    Done on the text: reading a triple's terms from pyoxigraph and making new triples took
    three times as long (bundled graph: ~1 CPU s of the judging's ~6)."""
    said: dict[str, list[str]] = {}
    owner: dict[str, tuple[str, str]] = {}
    pooled = non_identifying()
    # Read twice, a line at a time, rather than held split: the facts of 50 000 components
    # with licences of their own, held as lines and their terms, took ~7x their size.
    for line in text_lines(facts):
        # The subject and the predicate of an N-Triples line hold no space, the object is
        # the rest: a blank node when it starts with "_" (a literal starts with a quote,
        # an IRI with "<").
        s, p, o = line[:-2].split(" ", 2)
        if s[0] == "_" and p not in pooled:
            said.setdefault(s, []).append(p + (" _" if o[0] == "_" else " " + o))
        if o[0] == "_":
            owner[o] = (s, p)
    named: dict[str, str] = {}

    def name(node: str, seen: frozenset[str] = frozenset()) -> str:
        if node not in named:
            subject, link = owner.get(node, (node, ""))
            if subject[0] == "_" and subject not in seen | {node}:
                subject = name(subject, seen | {node})
            if not link or node[2:] in given or subject[0] == "_":
                named[node] = node  # not under an IRI: the evidence's own, kept
            else:
                iri, link = subject[1:-1], link[1:-1]
                content = "\n".join([iri, link, *sorted(said.get(node, []))])
                digest = hashlib.sha256(content.encode()).hexdigest()[:16]
                local = link.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                named[node] = f"<{iri.split('#', 1)[0]}#{local}-{digest}>"
        return named[node]

    out: dict[str, None] = {}  # (nodes that became one said their statements once each)
    for line in text_lines(facts):
        s, p, o = line[:-2].split(" ", 2)
        if s[0] == "_" or o[0] == "_":
            line = f"{name(s) if s[0] == '_' else s} {p} {name(o) if o[0] == '_' else o} ."
        out[line] = None
    return "\n".join(out).encode() + b"\n" if out else b""
