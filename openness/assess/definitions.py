"""The openness definitions as the shapes files declare them: requirements, the shapes that
encode them, and how each definition is graded (levels, stand-ins, score, source read)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from openness.namespaces import OG
from openness.resources import DefinitionError, ontology_dir, shape_files

OGNS = rdflib.Namespace(OG)
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Requirement:
    iri: str
    id: str  # the definition id, a dot, and the requirement's own id
    label: str
    level: str | None = None  # og:requiredFor
    stands_in_for: str | None = None  # og:standsInFor (a requirement IRI)


@dataclass
class Definition:
    id: str
    iri: str
    title: str
    label: str
    version: str
    file: Path
    requirements: dict[str, Requirement] = field(default_factory=dict)  # by IRI
    shapes: dict[str, str] = field(default_factory=dict)  # shape IRI -> requirement IRI
    levels: list[str] = field(default_factory=list)  # og:levels, lowest first
    level_labels: dict[str, str] = field(default_factory=dict)
    reads_source: str | None = None
    without_source_reason: str = ""
    score_query: str | None = None
    judges_open_claims: bool = False
    passes_models: bool = True  # og:passesModels


@cache
def _file_graphs() -> dict[Path, rdflib.Graph]:
    """Each shapes file's own graph, parsed once a process: :func:`definitions` reads which
    file declares a definition (parsing them again took as long as the whole shapes did)."""
    out = {}
    for path in shape_files():
        try:
            out[path] = rdflib.Graph().parse(path, format="turtle")
        except Exception as e:  # rdflib raises its own parser errors
            # One line: rdflib's says where ('at line 4 of <>:') and why, then an excerpt.
            said = " ".join(line.strip() for line in str(e).splitlines()[:2])
            said = said.replace(" of <>:", ":").removesuffix(" at ^ in:")
            raise DefinitionError(f"{path}: {said}") from e
    return out


@cache
def shapes_graph() -> rdflib.Graph:
    """Every shapes file in one graph: the shared rules and checks serve all definitions."""
    graph = rdflib.Graph()
    for own in _file_graphs().values():
        graph += own
    return graph


@cache
def shapes_digest() -> str:
    """A digest of the shapes files: verdicts computed with other shapes are redone."""
    h = hashlib.sha256()
    for path in shape_files():
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _text(graph: rdflib.Graph, s: rdflib.term.Node, p: rdflib.URIRef) -> str | None:
    value = graph.value(s, p)
    return str(value) if value is not None else None


@cache
def definitions() -> dict[str, Definition]:
    """The definitions by id, in the order of their files."""
    graph = shapes_graph()
    level_labels = _level_labels()
    out: dict[str, Definition] = {}
    for path, own in _file_graphs().items():
        for iri in sorted(own.subjects(RDF.type, OGNS.OpennessDefinition)):
            did = str(graph.value(iri, OGNS.definitionId))
            d = Definition(
                id=did,
                iri=str(iri),
                title=str(graph.value(iri, DCTERMS.title)),
                label=str(graph.value(iri, RDFS.label)),
                version=str(graph.value(iri, OWL.versionInfo)),
                file=path,
                reads_source=_text(graph, iri, OGNS.readsSource),
                without_source_reason=_text(graph, iri, OGNS.withoutSourceReason) or "",
                score_query=_text(graph, iri, OGNS.scoreQuery),
                judges_open_claims=bool(graph.value(iri, OGNS.judgesOpenClaims)),
                passes_models=graph.value(iri, OGNS.passesModels) != rdflib.Literal(False),
            )
            levels = graph.value(iri, OGNS.levels)
            if levels is not None:
                d.levels = [str(x) for x in Collection(graph, levels)]
                d.level_labels = {lv: level_labels.get(lv, lv) for lv in d.levels}
            for req in graph.objects(iri, OGNS.requirement):
                d.requirements[str(req)] = Requirement(
                    str(req),
                    str(graph.value(req, OGNS.definitionId)),
                    str(graph.value(req, RDFS.label)),
                    _text(graph, req, OGNS.requiredFor),
                    _text(graph, req, OGNS.standsInFor),
                )
            for shape, req in graph.subject_objects(OGNS.encodes):
                if str(req) in d.requirements:
                    d.shapes[str(shape)] = str(req)
            if did in out:
                raise DefinitionError(f"{path}: definition id {did!r} is {out[did].file}'s too")
            out[did] = d
    problems = _problems(graph, out)
    if problems:
        raise DefinitionError("\n".join(problems))
    return out


def _problems(graph: rdflib.Graph, found: dict[str, Definition]) -> list[str]:
    """What a definition's file leaves out that the engine would take for a pass: a
    requirement no shape encodes, or whose check is declared nowhere (no rule writes a
    finding on it, no aspect is expected, so no shape reports it) or that only a
    sh:Warning shape encodes (never failed), and a shape encoding a requirement no
    definition lists (never read)."""
    checks = set(graph.subjects(RDF.type, OGNS.Check))
    listed = {r for d in found.values() for r in d.requirements}
    out = []
    for d in found.values():
        where = f"{d.file}: definition {d.iri}"
        if d.id == "None":
            out.append(f"{where} has no og:definitionId")
        encoded = set(d.shapes.values())
        failing = {
            req
            for shape, req in d.shapes.items()
            if (rdflib.URIRef(shape), SH.severity, SH.Violation) in graph
        }
        for iri, req in d.requirements.items():
            node = rdflib.URIRef(iri)
            if req.id == "None":
                out.append(f"{where}: requirement {iri} has no og:definitionId")
            named = list(graph.objects(node, OGNS.checks))
            if not named:
                out.append(f"{where}: requirement {iri} names no check (og:checks)")
            out += [
                f"{where}: requirement {iri} checks {c}, which no shapes file declares an og:Check"
                for c in named
                if c not in checks
            ]
            if iri not in encoded:
                out.append(f"{where}: no shape encodes requirement {iri} (og:encodes)")
            elif iri not in failing:  # its sh:Warning shape says 'cannot tell', never failed
                out.append(f"{where}: no sh:Violation shape encodes requirement {iri}")
    for shape, req in sorted(graph.subject_objects(OGNS.encodes)):
        if str(req) not in listed:
            out.append(f"shape {shape} encodes {req}, which no definition lists (og:requirement)")
    return out


# What makes a node a shape pySHACL runs on its own: a target, a rule, or a shape's type.
_SHAPE_MARKS = (
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.rule,
)


@lru_cache(maxsize=32)  # a graph per asked set: a server is asked a few sets, again and again
def shapes_graph_for(ids: frozenset[str]) -> rdflib.Graph:
    """The shapes a report on the definitions ``ids`` needs: :func:`shapes_graph` without
    the shapes encoding another definition's requirements (og:encodes) that no shape kept
    reads, and without what only they referred to (their blank nodes). Kept: every shape no
    definition owns and every rule (what they write, any constraint may read), the asked
    definitions' shapes, and whatever these reach by any property (sh:sparql, sh:node,
    sh:property, a shape named by IRI...). Every definition asked, or an asked shape held
    by another's (whose focus nodes it would judge): :func:`shapes_graph` itself, so that
    such a report is what it was."""
    full = shapes_graph()
    if not set(definitions()) - ids:
        return full
    owned = {rdflib.URIRef(s): d.id for d in definitions().values() for s in d.shapes}
    shapes = set(full.subjects(RDF.type, SH.NodeShape)) | set(
        full.subjects(RDF.type, SH.PropertyShape)
    )
    shapes |= {s for mark in _SHAPE_MARKS for s in full.subjects(mark, None)}
    asked = {s for s in owned if owned[s] in ids}
    todo = [s for s in shapes if s not in owned or s in asked or (s, SH.rule, None) in full]
    read: set[rdflib.term.Node] = set()
    while todo:
        node = todo.pop()
        if node not in read:
            read.add(node)
            todo += [o for o in full.objects(node, None) if not isinstance(o, rdflib.Literal)]
    left = {s for s in owned if s not in read}
    # A blank node every mention of which is in what is left out goes too (a property
    # shape written inline, a list).
    todo = [o for s in left for o in full.objects(s, None) if isinstance(o, rdflib.BNode)]
    held = set()  # what the left-out shapes name, through their blank nodes
    while todo:
        node = todo.pop()
        held.update(full.objects(node, None))
        if node not in left and all(s in left for s in full.subjects(None, node)):
            left.add(node)
            todo += [o for o in full.objects(node, None) if isinstance(o, rdflib.BNode)]
    held.update(o for s in left for o in full.objects(s, None))
    if held & asked:
        return full
    graph = rdflib.Graph()
    for t in full:
        if t[0] not in left:
            graph.add(t)
    return graph


@cache
def _level_labels() -> dict[str, str]:
    """Level concept IRI -> its label, from the ontology's levels scheme."""
    graph = rdflib.Graph().parse(ontology_dir() / "schemes.ttl", format="turtle")
    return {str(s): str(graph.value(s, RDFS.label)) for s in graph.subjects(RDF.type, OGNS.Level)}


@cache
def _requirement_labels() -> dict[str, str]:
    return {r.id: r.label for d in definitions().values() for r in d.requirements.values()}


def split_reason(reason: str) -> tuple[str | None, str]:
    """A reason as the assessment words it ("<requirement id>: why") as the requirement's
    label and the why; a reason about no requirement is returned whole."""
    head, sep, rest = reason.partition(": ")
    label = _requirement_labels().get(head) if sep else None
    return (label, rest) if label else (None, reason)


def worded_reason(reason: str) -> str:
    """A reason with its requirement's label in place of its id, for people (the pages,
    `openness validate`'s text); the JSON and the stored verdicts keep the id, a key."""
    label, why = split_reason(reason)
    return f"{label}: {why}" if label else why


def definition(did: str) -> Definition:
    try:
        return definitions()[did]
    except KeyError:
        raise KeyError(f"unknown definition {did!r}; known: {', '.join(definitions())}") from None
