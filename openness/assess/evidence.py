"""A model's evidence: the triples the shapes judge it on, as shapes/evidence.ttl's
og:EvidenceQuery texts say, read for many models in one query and fingerprinted. They are
held as N-Triples lines (``<s> <p> "o" .``), loaded as such into the scratch store that
judges them; :func:`triples` reads them as pyoxigraph triples (for pySHACL).

The evidence is what makes the set-wise engine scale: the shapes read nothing else (pySHACL
on one model's evidence finds the stored verdict; the equivalence test holds the engines to
that), so a batch of models is judged in a small in-memory store holding only their
evidence, and a model whose evidence did not change is not judged again."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import cache

import pyoxigraph as ox
from rdflib.namespace import RDF

from openness.assess.definitions import OGNS, shapes_graph
from openness.assess.program import declared_prefixes, scoped
from openness.store import GraphStore
from openness.store.lines import text_lines
from openness.store.results import QueryResult

MODEL_TYPE = f"<{RDF.type}> <{OGNS.Model}>"
XSD = "http://www.w3.org/2001/XMLSchema#"


@cache
def _queries() -> dict[str, str]:
    """The og:EvidenceQuery texts of the shapes, by IRI."""
    graph = shapes_graph()
    return {
        str(q): str(graph.value(q, OGNS.query))
        for q in graph.subjects(RDF.type, OGNS.EvidenceQuery)
    }


def _query(name: str) -> str:
    for iri, text in _queries().items():
        if iri.endswith("#" + name):
            return text
    raise LookupError(f"the shapes define no evidence query #{name}")


def model_query() -> str:
    """The SELECT ?model ?s ?p ?o of a model's own evidence (ev:ModelEvidence)."""
    return _query("ModelEvidence")


def models_read(
    store: GraphStore, graphs: Sequence[str], models: Sequence[str]
) -> dict[str, set[str]]:
    """Model IRI -> the other models whose findings its rules read, for each of ``models``
    that has any: what ev:ModelsRead gives for it, what that gives for those, and so on
    (one step per query: Virtuoso refuses a transitive path whose start a VALUES binds)."""
    step: dict[str, set[str]] = {}
    todo = set(models)
    while todo:
        step.update({m: set() for m in todo})
        rows = store.query(
            declared_prefixes() + scoped(_query("ModelsRead"), "this", sorted(todo)),
            default_graphs=graphs,
        ).rows()
        for r in rows:
            step[r["this"].value].add(r["read"].value)
        todo = set().union(*step.values()) - set(step)
    out = {}
    for m in models:
        seen: set[str] = set()
        stack = list(step[m])
        while stack:
            r = stack.pop()
            if r != m and r not in seen:
                seen.add(r)
                stack.extend(step[r])
        if seen:
            out[m] = seen
    return out


def own(store: GraphStore, graphs: Sequence[str], models: Sequence[str]) -> dict[str, set[str]]:
    """Model IRI -> its evidence (N-Triples lines, see the module's docstring) for each of
    ``models``: its own, and that of the models its rules read (judged alongside it), each
    with its type (the shapes' target)."""
    read = models_read(store, graphs, models)
    others = sorted(set().union(*read.values()) - set(models))
    found = _own(store, graphs, [*models, *others])
    return {m: found[m].union(*(found[r] for r in read.get(m, ()))) for m in models}


def _own(store: GraphStore, graphs: Sequence[str], models: Sequence[str]) -> dict[str, set[str]]:
    query = declared_prefixes() + scoped(model_query(), "model", models)
    if _monotone(model_query()):
        result = store.query_around(query, graphs)
    else:
        result = store.query(query, default_graphs=graphs)
    out: dict[str, set[str]] = defaultdict(set)
    for m in models:
        out[m].add(f"<{m}> {MODEL_TYPE} .")
    for model, s, p, o in _solutions(result, "model", "s", "p", "o"):
        out[model[1:-1]].add(f"{s} {p} {_term(o)} .")
    return out


# What may take a solution away as triples are added (or make one from what is absent).
_NOT_MONOTONE = re.compile(
    r"\b(OPTIONAL|MINUS|EXISTS|BOUND|GROUP|HAVING|LIMIT|OFFSET|COUNT|SUM|MIN|MAX|AVG|SAMPLE"
    r"|GROUP_CONCAT)\b",
    re.I,
)


@cache
def _monotone(query: str) -> bool:
    """Whether a query only gains solutions as triples are added: none of the keywords of
    negation, OPTIONAL, aggregates or slices appears in it, not even in a comment (a query
    that holds one is asked as it is, not around what a larger answer binds)."""
    return _NOT_MONOTONE.search(query) is None


def shared(store: GraphStore, graphs: Sequence[str]) -> set[str]:
    """What every model's evidence carries (ev:SharedEvidence), as N-Triples lines."""
    result = store.query(declared_prefixes() + _query("SharedEvidence"), default_graphs=graphs)
    return {f"{s} {p} {_term(o)} ." for s, p, o in _solutions(result, "s", "p", "o")}


def _solutions(result: QueryResult, *names: str) -> Iterator[list[str]]:
    """The terms bound to ``names`` in each solution, as the SPARQL TSV format writes them.

    The evidence is handled as text: read as pyoxigraph terms, made into triples, written
    into the scratch store as quads and fingerprinted term by term, it held ~30% of the
    samples of a first assessment's main thread (py-spy, 10 000 Hub models); the answer
    serialized as TSV is written in Rust, and its lines are split, compared and loaded as
    they are. (Split at line feeds only: TSV escapes them, not every character Python's
    ``splitlines`` breaks at.)"""
    rows = text_lines(result.serialize(ox.QueryResultsFormat.TSV) or b"")
    header = next(rows, "").split("\t")
    at = [header.index("?" + n) for n in names]
    for row in rows:
        terms = row.split("\t")  # a tab in a literal is written escaped
        yield [terms[i] for i in at]


def _term(term: str) -> str:
    """A term as N-Triples writes it: TSV writes numbers and booleans bare (Turtle's
    abbreviations)."""
    if term[0] in '<"_':
        return term
    if term in ("true", "false"):
        kind = "boolean"
    elif "e" in term or "E" in term:
        kind = "double"
    else:
        kind = "decimal" if "." in term else "integer"
    return f'"{term}"^^<{XSD}{kind}>'


def triples(lines: Iterable[str]) -> list[ox.Triple]:
    """Evidence lines read as triples (blank nodes keep their labels)."""
    return [q.triple for q in ox.parse(text(lines), format=ox.RdfFormat.N_TRIPLES)]


def text(lines: Iterable[str]) -> bytes:
    """Evidence lines as one N-Triples document."""
    return "".join(line + "\n" for line in lines).encode()


def blank_labels(lines: Iterable[str]) -> set[str]:
    """The labels of the blank nodes the subjects and objects of ``lines`` are."""
    out = set()
    for line in lines:
        if "_:" in line:
            s, _, o = line[:-2].split(" ", 2)
            out.update(n[2:] for n in (s, o) if n.startswith("_:"))
    return out


class _Cycle(Exception):
    """Blank nodes that hold one another: named by content, their names would depend on
    where the naming started."""


def _canonical(lines: Iterable[str]) -> list[str]:
    """The lines with each blank node named by what it holds (its statements, the blank
    nodes among them named so in turn): the store's labels change when a source is written
    again, the evidence does not, and a name by content still tells which node holds what
    (a licence's prohibition from its permission), which writing every blank node ``_``
    did not. Blank nodes on a cycle (or in a chain deeper than Python's recursion limit, as
    a long RDF list would be) are all written ``_``."""
    plain, blank = [], []
    for line in lines:
        (blank if "_:" in line else plain).append(line)
    if not blank:
        return plain
    split = [line[:-2].split(" ", 2) for line in blank]
    holds: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in split:
        if s.startswith("_:"):
            holds[s].append((p, o))
    names: dict[str, str] = {}

    def name(node: str, path: frozenset[str]) -> str:
        if node not in names:
            if node in path:
                raise _Cycle
            inner = path | {node}
            held = sorted(f"{p} {name(o, inner) if o[:2] == '_:' else o}" for p, o in holds[node])
            names[node] = "_:" + hashlib.sha256("\n".join(held).encode()).hexdigest()[:32]
        return names[node]

    def term(node: str) -> str:
        return name(node, frozenset()) if node[:2] == "_:" else node

    try:
        return plain + [f"{term(s)} {p} {term(o)} ." for s, p, o in split]
    except (_Cycle, RecursionError):
        return plain + [" ".join("_" if n[:2] == "_:" else n for n in t) for t in split]


def fingerprint(lines: Iterable[str], salt: str) -> str:
    """A digest of a model's evidence and ``salt`` (what else its verdicts depend on)."""
    written = "\n".join(sorted(_canonical(lines)))
    return hashlib.sha256(f"{written}\n{salt}".encode()).hexdigest()
