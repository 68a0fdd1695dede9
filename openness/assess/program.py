"""The shapes read as a program: the SHACL-AF rules in the order pySHACL runs them, and the
SPARQL-based constraints with the shapes that use them. Nothing here knows a definition:
it reads sh:rule, sh:sparql, sh:targetClass, sh:severity and sh:order from the shapes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import rdflib
from rdflib.namespace import RDF

from openness.assess.definitions import OGNS, SH, shapes_graph

# A SPARQL text: everything up to the outermost group after the keyword, and that group.
_CONSTRUCT = re.compile(r"^\s*CONSTRUCT\s*(\{.*?\})\s*WHERE\s*\{(.*)\}\s*$", re.S | re.I)
_SELECT = re.compile(r"^\s*SELECT\s+(.*?)\s+WHERE\s*\{(.*)\}\s*$", re.S | re.I)
_VAR = re.compile(r"[?$](\w+)")


class RuleError(RuntimeError):
    """A rule or constraint of the shapes could not run; names its IRI and the error."""


@dataclass(frozen=True)
class Rule:
    """One sh:SPARQLRule: ``CONSTRUCT {template} WHERE {where}`` with ``$this`` a focus node."""

    iri: str  # the rule's IRI, or its shape's IRI and position when the rule is a blank node
    target: str  # the sh:targetClass of its shape
    prefixes: str
    template: str
    where: str


@dataclass(frozen=True)
class Constraint:
    """One sh:SPARQLConstraint (``SELECT $this … WHERE {…}``) and the shapes that use it."""

    iri: str
    target: str
    prefixes: str
    projection: tuple[str, ...]  # the variables projected besides $this
    where: str
    message: str
    shapes: tuple[tuple[str, str], ...]  # (shape IRI, severity local name)


def _prefixes(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """PREFIX declarations for a rule's or constraint's sh:prefixes (their sh:declare)."""
    out = []
    for onto in graph.objects(node, SH.prefixes):
        for decl in graph.objects(onto, SH.declare):
            out.append(
                f"PREFIX {graph.value(decl, SH.prefix)}: <{graph.value(decl, SH.namespace)}>"
            )
    return "\n".join(sorted(set(out)))


@cache
def declared_prefixes() -> str:
    """PREFIX declarations for every prefix the shapes declare (sh:declare)."""
    graph = shapes_graph()
    return "\n".join(
        sorted(
            {
                f"PREFIX {graph.value(d, SH.prefix)}: <{graph.value(d, SH.namespace)}>"
                for d in graph.objects(None, SH.declare)
            }
        )
    )


def _focus(text: str) -> str:
    """SHACL's pre-bound $this as an ordinary variable, bound by the set-wise query."""
    return text.replace("$this", "?this").replace("$currentShape", "?currentShape")


def _order(graph: rdflib.Graph, node: rdflib.term.Node) -> float:
    value = graph.value(node, SH.order)
    return float(value) if value is not None else 0.0


@cache
def rules() -> tuple[Rule, ...]:
    """Every SPARQL rule of the shapes, in pySHACL's order: shapes by sh:order, then the
    rules of a shape by sh:order."""
    graph = shapes_graph()
    found = []
    for shape in graph.subjects(SH.rule, None, unique=True):
        target = graph.value(shape, SH.targetClass)
        for i, rule in enumerate(sorted(graph.objects(shape, SH.rule))):
            if (rule, RDF.type, SH.SPARQLRule) not in graph:
                continue
            text = str(graph.value(rule, SH.construct))
            match = _CONSTRUCT.match(_focus(text))
            if match is None or target is None:
                raise RuleError(
                    f"rule {rule} of {shape}: not a CONSTRUCT … WHERE {{…}} on a target class"
                )
            iri = str(rule) if isinstance(rule, rdflib.URIRef) else f"{shape} (rule {i + 1})"
            key = (_order(graph, shape), str(shape), _order(graph, rule), iri)
            found.append((key, Rule(iri, str(target), _prefixes(graph, rule), match[1], match[2])))
    return tuple(r for _, r in sorted(found, key=lambda x: x[0]))


@cache
def constraints() -> tuple[Constraint, ...]:
    """Every SPARQL-based constraint with the shapes (and their severities) that use it."""
    graph = shapes_graph()
    by_constraint: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for shape, constraint in graph.subject_objects(SH.sparql):
        target = graph.value(shape, SH.targetClass)
        severity = graph.value(shape, SH.severity) or SH.Violation
        key = (str(constraint), str(target))
        by_constraint.setdefault(key, []).append((str(shape), str(severity).rsplit("#", 1)[1]))
    out = []
    for (iri, target), shapes in sorted(by_constraint.items()):
        node = rdflib.URIRef(iri)
        match = _SELECT.match(_focus(str(graph.value(node, SH.select))))
        if match is None:
            raise RuleError(f"constraint {iri}: not a SELECT … WHERE {{…}}")
        projection = tuple(v for v in _VAR.findall(match[1]) if v != "this")
        out.append(
            Constraint(
                iri,
                target,
                _prefixes(graph, node),
                projection,
                match[2],
                str(graph.value(node, SH.message) or ""),
                tuple(sorted(shapes)),
            )
        )
    return tuple(out)


@cache
def non_identifying() -> frozenset[str]:
    """The properties the shapes declare og:NonIdentifyingProperty, as N-Triples terms
    (``<iri>``): left out of the name of a node a rule made (see
    :func:`openness.assess.setwise.skolemized`)."""
    graph = shapes_graph()
    return frozenset(
        f"<{p}>" for p in graph.subjects(RDF.type, OGNS.NonIdentifyingProperty, unique=True)
    )


def values(var: str, iris: Sequence[str] | None) -> str:
    """A VALUES block binding ``?var`` to ``iris`` ("" when None: unbound)."""
    if iris is None:
        return ""
    return f"VALUES ?{var} {{ " + " ".join(f"<{i}>" for i in iris) + " }"


def scoped(query: str, var: str, iris: Sequence[str] | None) -> str:
    """A SELECT's text with ``?var`` bound to ``iris`` at the start of its WHERE group."""
    at = query.index("{") + 1
    return f"{query[:at]} {values(var, iris)} {query[at:]}"


def renderer(message: str, variables: Sequence[str]) -> Callable[[Sequence[str | None]], str]:
    """A constraint's sh:message as a function of one solution (its values in the order of
    ``variables``, None when unbound) filling its {?var} placeholders; a placeholder of a
    variable not bound stays as it is. The message is parsed once, not once a result."""
    pieces = re.split(r"(\{[?$]\w+\})", message)  # odd pieces are the placeholders
    slots = [
        variables.index(p[2:-1]) if i % 2 and p[2:-1] in variables else None
        for i, p in enumerate(pieces)
    ]

    def fill(values: Sequence[str | None]) -> str:
        return "".join(
            piece if slot is None or values[slot] is None else values[slot]
            for piece, slot in zip(pieces, slots, strict=True)
        )

    return fill
