"""The ontology parses, documents every term, and loads into the store."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyparsing import ParseResults
from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

import openness.assess.definitions as definitions_module
from openness.assess.definitions import definitions, shape_files, shapes_graph
from openness.assess.program import declared_prefixes
from openness.namespaces import Graphs
from openness.resources import ontology_dir, sources_dir
from openness.store import GraphStore
from openness.store.sparql_text import code_only, keyword
from openness.vocabularies import load_vocabularies, vocabulary_files

OG = Namespace("https://w3id.org/openness-graph/ns#")
ONTOLOGY = URIRef("https://w3id.org/openness-graph/ns")
SCHEMES = "https://w3id.org/openness-graph/ns/"
TERM_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    SKOS.Concept,
    SKOS.ConceptScheme,
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for path in vocabulary_files():
        g.parse(path, format="turtle")
    return g


def declared_terms(g: Graph) -> set[URIRef]:
    """Every IRI of ours that the files type as a class, property, individual or concept."""
    ours = set()
    for s, _, o in g.triples((None, RDF.type, None)):
        if not isinstance(s, URIRef) or not str(s).startswith(SCHEMES[:-3] + "ns"):
            continue
        if (
            o in TERM_TYPES
            or g.value(o, RDFS.subClassOf) == SKOS.Concept
            or str(o).startswith(str(OG))
        ):
            ours.add(s)
    return ours - {ONTOLOGY}


def test_ontology_header(graph: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY, OWL.versionIRI) is not None
    assert graph.value(ONTOLOGY, OWL.versionInfo) is not None


def test_every_term_has_label_comment_and_is_defined_by(graph: Graph) -> None:
    terms = declared_terms(graph)
    assert len(terms) > 150, "the files should declare the whole vocabulary"
    missing = [
        f"{t} lacks {p.n3(graph.namespace_manager)}"
        for t in sorted(terms)
        for p in (RDFS.label, RDFS.comment, RDFS.isDefinedBy)
        if graph.value(t, p) is None
    ]
    assert not missing, "\n".join(missing)


def test_concept_pref_labels_repeat_rdfs_labels(graph: Graph) -> None:
    """SKOS consumers read prefLabel, RDFS consumers label: the two copies must agree."""
    for concept in graph.subjects(SKOS.inScheme, None):
        assert graph.value(concept, SKOS.prefLabel) == graph.value(concept, RDFS.label), concept


def test_mof_components_carry_their_ids_and_classes(graph: Graph) -> None:
    scheme = URIRef(SCHEMES + "component")
    components = set(graph.subjects(SKOS.inScheme, scheme))
    assert len(components) == 17
    ids = {int(graph.value(c, OG.mofId)) for c in components}
    assert ids == {7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 24}
    arch = URIRef(SCHEMES + "component/model-architecture")
    assert graph.value(arch, OG.mofClass) == Literal(3)
    assert graph.value(arch, SKOS.broadMatch) == URIRef(SCHEMES + "osaid-group/code")


def test_index_dimensions_and_osaid_groups(graph: Graph) -> None:
    dims = set(graph.subjects(SKOS.inScheme, URIRef(SCHEMES + "index-dimension")))
    assert len(dims) == 12
    groups = set(graph.subjects(SKOS.inScheme, URIRef(SCHEMES + "osaid-group")))
    assert {str(g).rsplit("/", 1)[1] for g in groups} == {"data-information", "code", "parameters"}
    # every MOF component that is code, parameters or data information maps to its group
    weights = URIRef(SCHEMES + "component/model-parameters-final")
    assert graph.value(weights, SKOS.broadMatch) == URIRef(SCHEMES + "osaid-group/parameters")
    assert URIRef(SCHEMES + "index-dimension/weights_endmodel") in set(
        graph.objects(weights, SKOS.closeMatch)
    )


SKOS_MAPPINGS = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)


def test_classes_are_aligned_by_rdfs_and_owl_not_skos(graph: Graph) -> None:
    """`og:Assessment skos:exactMatch earl:Assertion` mapped a class with SKOS, whose
    mapping properties relate concepts (their domain and range make each a skos:Concept)
    and say nothing a reasoner reads, where og:Assessment is a subclass of earl:Assertion;
    og:Model, og:License and og:AILicense were skos:closeMatch'ed to classes likewise. No
    class of the vocabulary (a class by its type or an rdfs:subClassOf) is the subject or
    object of a SKOS mapping; the concepts keep theirs."""
    classes = {
        *graph.subjects(RDF.type, OWL.Class),
        *graph.subjects(RDF.type, RDFS.Class),
        *graph.subjects(RDFS.subClassOf, None),
        *graph.objects(None, RDFS.subClassOf),
        *graph.objects(None, RDFS.domain),
        *graph.objects(None, RDFS.range),
    }
    names = graph.namespace_manager
    mapped = [
        f"{s.n3(names)} {p.n3(names)} {o.n3(names)}"
        for p in SKOS_MAPPINGS
        for s, o in graph.subject_objects(p)
        if s in classes or o in classes
    ]
    assert mapped == []
    assert (OG.Assessment, RDFS.subClassOf, URIRef("http://www.w3.org/ns/earl#Assertion")) in graph
    assert any(graph.subject_objects(SKOS.closeMatch))  # concepts still mapped


def test_a_consumer_without_rdfs_finds_models_and_organizations_by_their_superclasses(
    built: GraphStore, graph: Graph
) -> None:
    """A consumer applying no RDFS reasoning saw models typed og:Model alone and
    organizations og:Organization alone (audit-joining-the-graph 2.7): the entailed graph
    types each instance of a class the vocabulary marks og:instancesTypedWithSuperclasses
    with every superclass of another vocabulary the files give it (rdflib's closure here),
    and nothing else."""
    instances: dict[URIRef, set[str]] = {}
    expected = set()
    for cls in graph.subjects(OG.instancesTypedWithSuperclasses, Literal(True)):
        supers = set(graph.transitive_objects(cls, RDFS.subClassOf)) - {cls}
        external = {c for c in supers if (c, RDFS.isDefinedBy, ONTOLOGY) not in graph}
        rows = built.query(f"SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x a <{cls}> }} }}")
        instances[cls] = {r["x"].value for r in rows.rows()}
        expected |= {(x, str(c)) for x in instances[cls] for c in external}
    rows = built.query(f"SELECT ?x ?c WHERE {{ GRAPH <{Graphs.ENTAILED}> {{ ?x a ?c }} }}")
    stated = {(r["x"].value, r["c"].value) for r in rows.rows()}
    assert stated == expected
    schema = "https://schema.org/"
    for cls, found in ((OG.Model, "CreativeWork"), (OG.Organization, "Organization")):
        typed = {x for x, c in stated if c == schema + found}
        assert len(instances.get(cls, ())) > 100 and typed == instances[cls], cls


def test_examples_parse(graph: Graph) -> None:
    for path in sorted((ontology_dir() / "examples").glob("*.ttl")):
        Graph().parse(path, format="turtle")


def test_ontology_loads_into_the_store(store: GraphStore, graph: Graph) -> None:
    load_vocabularies(store)
    sizes = store.graph_sizes()
    assert sizes[Graphs.ONTOLOGY] == len(graph)
    assert sizes[Graphs.SHAPES] > 1000  # the definitions' shapes, loaded beside it
    ask = store.query("ASK { og:Model a owl:Class ; rdfs:isDefinedBy ?o }")
    assert bool(ask)


def test_the_shapes_terms_are_documented_and_defined_by_their_file(graph: Graph) -> None:
    """What the shapes files name for others to read — a term in our namespace the
    ontology does not declare (the constraints every requirement uses) and each check —
    has a label and a comment, and its rdfs:isDefinedBy names the shapes document (an
    owl:Ontology) of the file it is in."""
    sh = Namespace("http://www.w3.org/ns/shacl#")
    declared = declared_terms(graph)
    missing = []
    for path in shape_files():
        g = Graph().parse(path, format="turtle")
        (document,) = g.subjects(RDF.type, OWL.Ontology)
        ours = {s for s in g.subjects(RDF.type, None) if str(s).startswith(str(OG))}
        ours -= declared
        checks = set(g.subjects(RDF.type, OG.Check))
        for term in sorted(ours | checks | set(g.subjects(RDF.type, sh.SPARQLConstraint))):
            missing += [
                f"{path.name}: {term} lacks {p}"
                for p in (RDFS.label, RDFS.comment)
                if not g.value(term, p)
            ]
            if g.value(term, RDFS.isDefinedBy) != document:
                missing.append(f"{path.name}: {term} is not defined by {document}")
    assert not missing, "\n".join(missing)


def last_change(paths: list[Path]) -> datetime.date | None:
    """The author date of the last commit touching any of ``paths`` (kept by a rebase,
    unlike the committer date), or None outside a full git checkout."""
    root = paths[0].parent.parent
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    shallow = subprocess.run(
        [git, "rev-parse", "--is-shallow-repository"], cwd=root, capture_output=True, text=True
    )
    if shallow.returncode or shallow.stdout.strip() != "false":
        return None
    dates = subprocess.run(
        [git, "log", "-1", "--format=%as", "--", *map(str, paths)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return datetime.date.fromisoformat(dates) if dates else None


def test_each_shapes_document_has_its_own_revision_date_and_licence() -> None:
    """A shapes document's revision is a semantic version of its own, not the version of
    the definition it encodes (which the definition resource carries), its
    dcterms:modified is no older than its file's last commit (shapes/README.md § Versions),
    and it states the repository's licence, which the catalogue and VoID repeat."""
    wrong = []
    for path in shape_files():
        g = Graph().parse(path, format="turtle")
        (document,) = g.subjects(RDF.type, OWL.Ontology)
        if set(g.objects(document, DCTERMS.license)) != {URIRef("https://spdx.org/licenses/MIT")}:
            wrong.append(f"{path.name}: states no MIT licence (the repository's LICENSE)")
        revision = str(g.value(document, OWL.versionInfo) or "")
        if not re.fullmatch(r"\d+\.\d+\.\d+", revision):
            wrong.append(f"{path.name}: revision {revision!r} is not MAJOR.MINOR.PATCH")
        modified = g.value(document, DCTERMS.modified)
        if modified is None:
            wrong.append(f"{path.name}: no dcterms:modified")
            continue
        changed = last_change([path])
        if changed is not None and modified.toPython() < changed:
            wrong.append(f"{path.name}: dcterms:modified {modified} before its change of {changed}")
    assert not wrong, "\n".join(wrong)


def test_each_shapes_file_is_parsed_once_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shapes graph and the definitions read one parse of each shapes file: the
    definitions parsed every file again to learn which declares each definition (as long
    again as the shapes graph took, in each process that judges)."""
    parsed: list[str] = []
    parse = Graph.parse
    monkeypatch.setattr(
        Graph,
        "parse",
        lambda g, source=None, **kw: parsed.append(str(source)) or parse(g, source, **kw),
    )
    for cached in vars(definitions_module).values():  # parsed afresh from here
        if callable(clear := getattr(cached, "cache_clear", None)):  # not a Namespace's term
            clear()
    shapes_graph()
    definitions()
    files = [str(p) for p in shape_files()]
    assert sorted(p for p in parsed if p in files) == files


# A phrase of each licence's own text, to recognise it in a LICENSE file (the SPDX IRIs the
# sources are stated under).
LICENCE_TEXT = {
    "https://spdx.org/licenses/MIT": "Permission is hereby granted, free of charge",
    "https://spdx.org/licenses/Apache-2.0": "Version 2.0, January 2004",
    "https://spdx.org/licenses/CC-BY-4.0": "Attribution 4.0 International",
    "https://spdx.org/licenses/CC-BY-3.0": "Attribution 3.0",
}


def test_each_sources_stated_licence_is_the_one_its_bundled_folder_carries(graph: Graph) -> None:
    """A source's dcterms:license (ontology/schemes.ttl), which the catalogue, VoID, the home
    page and every chart's credits repeat, is the licence of the copy this repository
    bundles: its folder's LICENSE (data/sources/<notation>/LICENSE or LICENSE.md) carries
    that licence."""
    checked, wrong = [], []
    for source in graph.subjects(RDF.type, OG.Source):
        notation = graph.value(source, SKOS.notation)
        files = [sources_dir() / str(notation) / name for name in ("LICENSE", "LICENSE.md")]
        file = next((f for f in files if f.is_file()), None)
        if notation is None or file is None:
            continue
        text = file.read_text(encoding="utf-8")
        for licence in graph.objects(source, DCTERMS.license):
            checked.append(notation)
            phrase = LICENCE_TEXT.get(str(licence))
            if phrase is None:
                wrong.append(f"{notation}: stated {licence}, which LICENCE_TEXT cannot recognise")
            elif phrase not in text:
                wrong.append(f"{notation}: stated {licence}, not the licence of {file}")
    assert {"spdx", "mof", "osai-index", "hf", "fmti"} <= set(map(str, checked))
    assert not wrong, "\n".join(wrong)


def test_the_vocabulary_date_follows_its_files(graph: Graph) -> None:
    """The vocabulary's dcterms:modified is no older than the last commit to any of its
    files (they share one version: shapes/README.md § Versions)."""
    changed = last_change(list(vocabulary_files()))
    if changed is None:
        pytest.skip("not a full git checkout: no history to compare the date with")
    assert graph.value(ONTOLOGY, DCTERMS.modified).toPython() >= changed


def test_a_checks_comment_cites_each_requirement_it_decides() -> None:
    """A check's comment says which clauses it serves: the id of every requirement whose
    og:checks names it (shared checks serve several definitions), so a requirement that
    starts using a check is added to what the check says it is for."""
    g = Graph()
    for path in shape_files():
        g.parse(path, format="turtle")
    uncited = [
        f"{check} does not cite {g.value(req, OG.definitionId)}"
        for check in sorted(g.subjects(RDF.type, OG.Check))
        for req in g.subjects(OG.checks, check)
        if str(g.value(req, OG.definitionId)) not in str(g.value(check, RDFS.comment) or "")
    ]
    assert not uncited, "\n".join(uncited)


@pytest.mark.parametrize(
    "query, found",
    [
        ("SELECT * { ?s ?p ?o .VALUES ?x { 1 } }", ["VALUES"]),
        ("SELECT * { ?s ?p ?o MINUS { ?s ?q 1 } }", ["MINUS"]),
        ("SELECT ?values { ?values ex:minus ?o ; <urn:VALUES> 'SERVICE' }", []),
    ],
)
def test_the_pre_binding_check_sees_a_keyword_however_spelt(query: str, found: list) -> None:
    assert keyword("(?:VALUES|MINUS|SERVICE)").findall(code_only(query)) == found


def shapes_queries() -> Iterator[tuple[str, URIRef, str]]:
    """(file name, node, query text) of every query the shapes run with $this pre-bound: a
    SPARQL constraint's SELECT or ASK, a SPARQL rule's CONSTRUCT."""
    sh = Namespace("http://www.w3.org/ns/shacl#")
    for path in shape_files():
        g = Graph().parse(path, format="turtle")
        for prop in (sh.select, sh.ask, sh.construct):
            for node, text in g.subject_objects(prop):
                yield path.name, node, str(text)


def test_the_shapes_queries_keep_to_what_pre_binding_allows() -> None:
    """SHACL Appendix A (pre-binding): a query run with $this pre-bound (a SPARQL
    constraint, a SPARQL rule) must not hold VALUES, MINUS or SERVICE — an engine must
    report such a shapes graph as a failure, whatever pySHACL lets through."""
    banned = keyword("(?:VALUES|MINUS|SERVICE)")
    found = [
        f"{name}: {node} uses {word}"
        for name, node, text in shapes_queries()
        for word in banned.findall(code_only(text))
    ]
    assert not found, "\n".join(found)


def sub_select_projections(node: object) -> Iterator[list[str] | None]:
    """The variables each sub-SELECT of a parsed query returns (None for SELECT *)."""
    if isinstance(node, CompValue):
        if node.name == "SubSelect":
            # CompValue.get gives the key itself for a key it lacks: ask with `in`.
            yield (
                [str(p["evar"] if "evar" in p else p["var"]) for p in node["projection"]]
                if "projection" in node
                else None
            )
        for value in node.values():
            yield from sub_select_projections(value)
    elif isinstance(node, (list, ParseResults)):
        for value in node:
            yield from sub_select_projections(value)


@pytest.mark.parametrize(
    "query, returned",
    [
        ("SELECT $this { { SELECT ?r (MIN(?x) AS ?m) { ?r ?p ?x } GROUP BY ?r } }", [["r", "m"]]),
        (
            "SELECT $this { { SELECT $this ?r { $this ?p ?r } } { SELECT * { ?s ?p ?o } } }",
            [["this", "r"], None],
        ),
        ("CONSTRUCT { $this ?p ?o } WHERE { $this ?p ?o }", []),
    ],
)
def test_the_sub_select_check_reads_what_each_returns(query: str, returned: list) -> None:
    assert list(sub_select_projections(parseQuery(query))) == returned


def test_the_shapes_subqueries_return_this() -> None:
    """SHACL Appendix A (pre-binding, syntax rule pre-binding-limitations): every subquery
    of a query run with $this pre-bound returns $this, whether or not it reads it. An engine
    that holds the shapes to the rule rejects the query, and a rule it rejects writes
    nothing."""
    found = [
        f"{name}: a subquery of {node} returns {returned}, not $this"
        for name, node, text in shapes_queries()
        for returned in sub_select_projections(parseQuery(declared_prefixes() + text))
        if returned is None or "this" not in returned
    ]
    assert not found, "\n".join(found)
