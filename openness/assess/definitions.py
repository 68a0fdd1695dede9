"""The openness definitions as the shapes files declare them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDFS

from openness.namespaces import OG
from openness.resources import ontology_dir, shapes_dir

OGNS = rdflib.Namespace(OG)
SHARED = "checks.ttl"


@dataclass(frozen=True)
class Requirement:
    iri: str
    id: str  # e.g. "osaid-1.0.P-terms"
    label: str
    checks: str | None
    expects: tuple[str, ...] = ()  # the aspects its check needs evidence on


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


def shape_files() -> list[Path]:
    """The shared checks first, then one file per definition."""
    files = sorted(shapes_dir().glob("*.ttl"))
    return sorted(files, key=lambda p: p.name != SHARED)


@cache
def shapes_graph() -> rdflib.Graph:
    """Every shapes file in one graph (pySHACL applies the shapes of the definitions asked
    for; the shared rules serve them all)."""
    graph = rdflib.Graph()
    for path in shape_files():
        try:
            graph.parse(path, format="turtle")
        except Exception as e:  # rdflib raises its own parser errors
            raise SyntaxError(f"{path}: {e}") from e
    return graph


@cache
def definitions() -> dict[str, Definition]:
    """The definitions by id, in the order of their files."""
    graph = shapes_graph()
    out: dict[str, Definition] = {}
    for path in shape_files():
        if path.name == SHARED:
            continue
        did = path.stem
        iri = rdflib.URIRef(f"https://w3id.org/openness-graph/id/definition/{did}")
        if graph.value(iri, OGNS.definitionId) is None:
            raise ValueError(f"{path}: does not declare the definition <{iri}>")
        d = Definition(
            id=did,
            iri=str(iri),
            title=str(graph.value(iri, DCTERMS.title)),
            label=str(graph.value(iri, RDFS.label)),
            version=str(graph.value(iri, OWL.versionInfo)),
            file=path,
        )
        for req in graph.objects(iri, OGNS.requirement):
            checks = graph.value(req, OGNS.checks)
            expects = tuple(sorted(str(a) for a in graph.objects(checks, OGNS.expects)))
            d.requirements[str(req)] = Requirement(
                str(req),
                str(graph.value(req, OGNS.definitionId)),
                str(graph.value(req, RDFS.label)),
                str(checks) if checks else None,
                expects,
            )
        for shape, req in graph.subject_objects(OGNS.encodes):
            if str(req) in d.requirements:
                d.shapes[str(shape)] = str(req)
        out[did] = d
    return out


def definition(did: str) -> Definition:
    try:
        return definitions()[did]
    except KeyError:
        raise KeyError(f"unknown definition {did!r}; known: {', '.join(definitions())}") from None


@cache
def mof_component_ids() -> dict[str, int]:
    """Component concept IRI -> the Model Openness Tool's component id (og:mofId)."""
    graph = rdflib.Graph().parse(ontology_dir() / "components.ttl", format="turtle")
    return {str(s): int(o) for s, o in graph.subject_objects(OGNS.mofId)}
