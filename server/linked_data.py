"""Linked data: every IRI the project mints dereferences on this server.

``<base>id/…`` (models, records, datasets, organizations, licences, definitions,
assessments) and ``<base>ns`` (the ontology and its concepts) are answered at the same path
here, the IRIs in the data unchanged: HTML for browsers, Turtle, JSON-LD, N-Triples or
RDF/XML by ``Accept`` or ``?format=``. The ontology namespace also has a documentation page.
An IRI the graph uses but says nothing of answers the triples that name it (the first
NAMING, and a link to the query giving every one when more do); one it does not use, 404.
An IRI outside our namespace the graph describes is answered alike at ``/resource?iri=``,
where pages link it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from openness import turtle
from openness.assess.service import TOMBSTONES
from openness.namespaces import (
    BASE,
    EARL,
    FOAF,
    OG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    VOID,
    Graphs,
    short,
)
from openness.server.context import get_store, minted_base
from openness.server.lookup import gone, is_iri, successor, withdrawn
from openness.server.negotiation import (
    RESOURCE_TYPES,
    content_type,
    expressible,
    negotiate,
    preferred,
    serialize_graph,
)
from openness.server.public_url import sent_path
from openness.server.sparql import text
from openness.store import summary

bp = Blueprint("linked_data", __name__)
ONTOLOGY_IRI = BASE + "ns"
RDF_TYPE = ox.NamedNode(RDF + "type")


def _describe(iri: str) -> list[ox.Triple]:
    """The triples about an IRI: its own, those of the nodes minted under it (a record's
    components, a licence statement's options and expression tree, an assessment's result
    and report, a record set's fields) or named under the document it was read from
    (:func:`_document_nodes`), each with its blank nodes two levels deep (a field's
    source, which a record set's page showed as ``[]``), of its blank nodes as deep (a
    licence's ODRL rules and their constraints), and of the nodes of its RDF lists (a
    definition's levels), which a list longer than two lost. A licence statement, shared
    by the records stating it alike, is a resource of its own that their descriptions
    link to. A model's verdicts name it
    (earl:subject) and it names none of them: those triples of the current verdicts are
    part of it, so a program reaches its verdicts from its IRI as a browser does.

    One query asks them all: SPARQL scopes a blank node's label to its answer, so an
    engine may label each answer's anew, and a blank node that two queries reached (from
    the IRI and from a node under it) would be two nodes."""
    if not is_iri(iri):
        return []
    children = f"""VALUES ?x {{ <{iri}> }} ?x ?link ?n
        FILTER (isIRI(?n) && (STRSTARTS(STR(?n), "{iri}#") || STRSTARTS(STR(?n), "{iri}/")))"""
    defined = " ".join(f"<{n}>" for n in _document_nodes(iri))
    documents = f"UNION {{ {_nodes(f'VALUES ?n {{ {defined} }}')} }}" if defined else ""
    # The second level's blank nodes are kept below, not by FILTER (isBlank(?s)): Virtuoso
    # evaluates that filter over every triple first (50 s for one licence, 0.07 s without).
    query = f"""SELECT DISTINCT ?s ?p ?o ?kept WHERE {{
          {{ <{iri}> ?p ?o . BIND (<{iri}> AS ?s) }}
          UNION {{ <{iri}> ?link ?s . ?s ?p ?o FILTER (isBlank(?s)) }}
          UNION {{ <{iri}> ?link ?b . ?b ?inner ?s . ?s ?p ?o FILTER (isBlank(?b)) }}
          UNION {{ <{iri}> ?link ?b . ?b <{RDF}rest>+ ?s . ?s ?p ?o FILTER (isBlank(?b)) }}
          UNION {{ GRAPH <{Graphs.ASSESSMENTS}> {{ ?s <{EARL}subject> <{iri}> }}
                   BIND (<{EARL}subject> AS ?p) BIND (<{iri}> AS ?o)
                   BIND (true AS ?kept) }}
          UNION {{ {_nodes(children)} }}
          {documents} }}"""
    rows = get_store().query(query).rows()
    return list(
        dict.fromkeys(
            ox.Triple(r["s"], r["p"], r["o"])
            for r in rows
            if "kept" in r or isinstance(r["s"], ox.BlankNode) or _under(r["s"].value, iri)
        )
    )


def _document_nodes(iri: str) -> list[str]:
    """The nodes defined (``rdfs:isDefinedBy``) by a document ``iri`` was read from
    (``prov:wasDerivedFrom``), reached from ``iri`` through such nodes: a Croissant
    description's file sets and record sets, their fields and sub-fields, named against
    the URL it was published at (JSON-LD's base), which the ingester marks as that
    document's. No IRI of ours answers them, so the description answers them all, with
    their blank nodes (a field's source). Where a resource was read from says nothing of
    what it links to: a record read from its source's page, a fine-tune derived from its
    base model, name no node their document defines, and take in none."""
    documents = " ".join(
        f"<{r['d'].value}>"
        for r in get_store()
        .query(
            f"SELECT DISTINCT ?d WHERE {{ <{iri}> <{PROV}wasDerivedFrom> ?d FILTER (isIRI(?d)) }}"
        )
        .rows()
    )
    seen, frontier = {iri}, [iri] if documents else []
    while frontier:  # a level of the document a query: a field is two links from iri
        rows = get_store().query(
            f"""SELECT DISTINCT ?n WHERE {{
                  VALUES ?x {{ {" ".join(f"<{x}>" for x in frontier)} }}
                  VALUES ?document {{ {documents} }}
                  ?x ?link ?n . ?n <{RDFS}isDefinedBy> ?document FILTER (isIRI(?n)) }}"""
        )
        frontier = sorted({r["n"].value for r in rows.rows()} - seen)
        seen |= set(frontier)
    return sorted(seen - {iri})


def _nodes(reach: str) -> str:
    """The pattern of the triples ``?s ?p ?o`` of each IRI ``?n`` the pattern ``reach``
    finds (IRIs alone: Virtuoso's compiler fails on FILTER (isIRI(?n)) beside VALUES ?n)
    and of its blank nodes two levels deep, all of them kept (``?kept``)."""
    return f"""{reach}
              {{ ?n ?p ?o BIND (?n AS ?s) }}
              UNION {{ ?n ?l ?s . ?s ?p ?o FILTER (isBlank(?s)) }}
              UNION {{ ?n ?l ?b . ?b ?i ?s . ?s ?p ?o FILTER (isBlank(?b) && isBlank(?s)) }}
              BIND (true AS ?kept)"""


# How many of the triples naming an IRI answer for it, where the graph says nothing of it.
NAMING = 200


def _naming(iri: str) -> tuple[list[ox.Triple], bool]:
    """The triples that name ``iri`` (the first NAMING), and whether more do, for an IRI
    the graph uses and describes nowhere — an organization only a dated record names, a
    definition a published verdict tests (OSI's 'osd'), a node a Croissant description of
    no known origin refers to without describing it: where it is used is what the graph
    says of it, where it answered 404. The first by subject and property as strings,
    whatever the engine (Virtuoso orders a string as it is by its first 20 characters); a
    blank subject, which has no name outside the answer, after every IRI, those among
    themselves as the engine gives them."""
    if not is_iri(iri):
        return [], False
    rows = (
        get_store()
        .query(
            f"""SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }}
                ORDER BY isBlank(?s) STR(?s) STR(?p) LIMIT {NAMING + 1}"""
        )
        .rows()
    )
    return [ox.Triple(r["s"], r["p"], ox.NamedNode(iri)) for r in rows[:NAMING]], len(rows) > NAMING


def every_naming(iri: str) -> str:
    """The query of every triple naming ``iri``: where a capped answer sends for the rest."""
    return f"CONSTRUCT {{ ?s ?p <{iri}> }} WHERE {{ ?s ?p <{iri}> }}"


def _under(value: str, iri: str) -> bool:
    return value == iri or value.startswith((iri + "#", iri + "/"))


def _local(value: str) -> str:
    """A link that stays on this server for IRIs we mint."""
    base = minted_base()
    return request.url_root + value[len(base) :] if value.startswith(base) else value


# The schemes of the IRIs a page may link as they are: a browser follows them and runs
# nothing. An IRI is data: one the graph holds (from a source, or an update) may be
# javascript:…, which a link would run on this server's pages when clicked.
FOLLOWED = frozenset({"http", "https", "ftp", "mailto"})


@bp.app_template_test("followed")
def followed(iri: object) -> bool:
    """Whether a page may link ``iri`` as it is (its scheme, case aside, is FOLLOWED): a
    template's test for the addresses the data gives (a record's page, where a model or a
    component is), which link out as they are."""
    if not isinstance(iri, str):
        return False
    scheme, colon, _ = iri.partition(":")
    return bool(colon) and scheme.lower() in FOLLOWED


def page_links(iris: Iterable[str]) -> dict[str, str]:
    """Where a page links each of ``iris``: one we mint to its path here; one outside our
    namespace that the graph describes (the subject of a triple: an SPDX licence, a
    Croissant description's file set, named where it was published, which may answer 404)
    to its page here (:func:`outside`), which shows the IRI and links to it; any other to
    itself, as the graph says nothing more of it, unless a browser would not merely follow
    it (not :func:`followed`): to its page here too, which answers what names it. Asked of
    the store once for all the IRIs, and once a request for each (a model's page links a
    licence from each component)."""
    iris, base = list(iris), minted_base()
    known: dict[str, str] = g.setdefault("page_links", {})
    asked = sorted({i for i in iris if not i.startswith(base) and i not in known and is_iri(i)})
    if asked:
        rows = get_store().query(
            f"""SELECT DISTINCT ?x WHERE {{
                  VALUES ?x {{ {" ".join(f"<{i}>" for i in asked)} }} ?x ?p ?o }}"""
        )
        described = {r["x"].value for r in rows.rows()}
        known |= {
            i: i if followed(i) and i not in described else url_for("linked_data.outside", iri=i)
            for i in asked
        }
    return {i: _local(i) if i.startswith(base) else known.get(i, i) for i in iris}


def respond(
    iri: str,
    triples: list[ox.Triple],
    title: str | None = None,
    *,
    more: bool = False,
    offered: list[str] = RESOURCE_TYPES,
    prefixes: dict[str, str] = PREFIXES,
    hint: Callable[[], str] | None = None,
) -> Response:
    """``triples`` as the client asks, among ``offered``; ``more``: they are the first
    NAMING of those naming ``iri``, which a page says, and every answer links to the query
    giving them all (a ``Link`` header, as the API links its next page). None: 404, a page
    for a browser, else text, which ``hint`` adds to (what the client may have meant)."""
    if not triples:
        if preferred(offered) == "text/html":
            return Response(render_template("unknown.html", iri=iri), status=404)
        return text(f"nothing is known about <{iri}>" + (hint() if hint else ""), 404)
    offered = expressible(offered, triples)
    media = negotiate(offered, "this resource is")
    if media != "text/html":
        body = serialize_graph(triples, media, prefixes, ox.NamedNode(iri))
        answer = Response(body, content_type=content_type(media))
    else:
        page = _page(iri, triples, title)
        page["json_ld"] = "application/ld+json" in offered
        # An IRI outside our namespace: its own address, linked where a browser may follow it.
        page["outside"] = not iri.startswith(minted_base())
        page["followed"] = followed(iri)
        # The other formats' links keep the page's own parameters (/resource's iri=).
        kept = [(k, v) for k, v in request.args.items(multi=True) if k != "format"]
        page["as_format"] = lambda name: "?" + urlencode([*kept, ("format", name)])
        page["related"] = _related(iri)
        page["every"] = url_for("pages.editor", query=every_naming(iri)) if more else None
        page["cap"] = NAMING
        answer = Response(render_template("resource.html", **page))
    if more:
        every = url_for("sparql.sparql", query=every_naming(iri), _external=True)
        answer.headers["Link"] = (
            f'<{every}>; rel="alternate"; title="every triple naming it: '
            f'this answer has the first {NAMING}"'
        )
    return answer


# For a licence, an organization or a dataset: the models it concerns.
RELATED = {
    "models under this licence": """SELECT DISTINCT ?m ?name WHERE { ?m a og:Model ;
        og:hasRecord ?r ; schema:name ?name .
        { ?r og:licenseStatement/og:resolvesTo ?x } UNION
        { ?r og:component/og:licenseStatement/og:resolvesTo ?x } } ORDER BY ?name""",
    "models it produced": """SELECT DISTINCT ?m ?name WHERE { ?m a og:Model ; og:producer ?x ;
        schema:name ?name } ORDER BY ?name""",
    "models trained on it": """SELECT DISTINCT ?m ?name WHERE { ?m a og:Model ;
        og:hasRecord/fair4ml:trainedOn ?x ; schema:name ?name } ORDER BY ?name""",
}


def _related(iri: str) -> dict[str, list[tuple[str, str]]]:
    out = {}
    for heading, query in RELATED.items():
        rows = get_store().query(query, substitutions={"x": ox.NamedNode(iri)}).rows()
        if rows:
            out[heading] = [
                (said(r["name"]), url_for("pages.model", model_id=r["m"].value.rsplit("/", 1)[1]))
                for r in rows
            ]
    return out


class Shown(NamedTuple):
    """A value as a page shows it: its text, where it links (an IRI's, else ""), and, for
    an RDF list, its items shown so, in the list's order (else None)."""

    text: str
    link: str = ""
    listed: tuple[Shown, ...] | None = None


def _page(iri: str, triples: list[ox.Triple], title: str | None) -> dict:
    about: dict[str, list[Shown]] = defaultdict(list)
    others: dict[str, dict[str, list[Shown]]] = defaultdict(lambda: defaultdict(list))
    # An RDF list (a definition's levels) is shown where it is named, its items in order,
    # as the Turtle writes it: its nodes were sections of rdf:first and rdf:rest in the
    # order of their labels, the list's read by following them. One the writer keeps as
    # nodes (shared, saying more, cut short) is shown as nodes too.
    statements, objects = turtle.statements(triples)
    lists = {s: found for s in statements if (found := turtle.collection(s, statements, objects))}
    listed: set[ox.BlankNode] = set()
    # The subjects too: one heading a section links to its page (the IRIs naming one the
    # graph only names are those of the resources to go to).
    links = page_links(
        term.value
        for t in triples
        for term in (t.subject, t.object)
        if isinstance(term, ox.NamedNode)
    )

    def shown(o: turtle.Term, whole: bool) -> Shown:
        if whole and o in lists:
            items, nodes = lists[o]
            listed.update(nodes)
            return Shown(said(o), listed=tuple(shown(item, whole) for item in items))
        if isinstance(o, ox.NamedNode):
            return Shown(short(o.value), links[o.value])
        return Shown(said(o))

    label = title
    # A list's nodes are shown within it, so after every other subject: one no list shown
    # holds (lists holding each other alone) is shown as nodes.
    for t in sorted(dict.fromkeys(triples), key=lambda t: t.subject in lists):
        if t.subject in listed:
            continue
        o = t.object
        target = about if t.subject.value == iri else others[t.subject.value]
        target[short(t.predicate.value)].append(shown(o, t.subject not in lists))
        if (
            t.subject.value == iri
            and t.predicate.value in (RDFS + "label", "https://schema.org/name")
            and isinstance(o, ox.Literal)  # a triple term (RDF 1.2) is no name
        ):
            label = label or o.value
    return {
        "iri": iri,
        "label": label or short(iri),
        "about": dict(sorted(about.items())),
        "others": {s: dict(sorted(p.items())) for s, p in sorted(others.items())},
        "heads": {s: links.get(s, "") for s in others},
    }


def said(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term as a page shows it: an IRI by its prefixed name, a literal or a blank node
    by its value, a triple term (RDF 1.2) as ``<<( s p o )>>`` of its terms, a literal in
    it quoted as N-Triples writes it, so the three read apart."""
    if isinstance(term, ox.NamedNode):
        return short(term.value)
    if isinstance(term, ox.Triple):
        inner = (str(t) if isinstance(t, ox.Literal | ox.BlankNode) else said(t) for t in term)
        return f"<<( {' '.join(inner)} )>>"
    return term.value


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    """An IRI we mint; a retired one (a model's, a Hub record's or a dataset's) is sent
    (303) to what it is now, the format asked kept, for the client to ask that IRI as it
    asked this one; a withdrawn model's or removed record's answers 410 Gone (its
    tombstone as RDF, or a page, else text)."""
    return dereference(rest)


def dereference(
    rest: str,
    undescribed: Callable[[Found], Response] | None = None,
    hint: Callable[[], str] | None = None,
) -> Response:
    """The answer for ``<base>id/<rest>`` (see :func:`resource`); ``undescribed``: the page
    a browser gets instead where the graph describes the IRI nowhere, given what names it
    (a model IRI's: the model pages' 404 with the names like it); RDF is answered alike,
    and a 404 in text adds ``hint`` (a model IRI's: those names)."""
    found = _named("id/", rest)
    iri, triples = found.iri, found.triples
    moved = successor(iri)
    if moved is not None:
        query = request.query_string.decode()
        return redirect(_local(moved) + (f"?{query}" if query else ""), 303)
    kinds = {t.object.value for t in triples if t.predicate == RDF_TYPE and t.subject.value == iri}
    media = preferred(RESOURCE_TYPES)
    # Gone only if nothing else: a record its source has again is live before the identity
    # step lifts its tombstone (a Hub sync relinks at its end), as successor() takes it.
    if kinds and kinds <= set(TOMBSTONES):
        return gone(iri, withdrawn(iri), media)
    if undescribed is not None and not found.described and media == "text/html":
        return undescribed(found)
    return respond(iri, triples, more=found.more, hint=hint)


@bp.get("/resource")
def outside() -> Response:
    """An IRI outside our namespace (``?iri=``), as the graph describes it, in each format
    an IRI of ours is answered in: where a page links one the graph says something of
    (:func:`page_links`), whose own address may answer nothing (a Croissant file set's, 404)
    or say nothing of what the graph adds (the models under an SPDX licence). One we mint
    is sent (303) to its own path, the format asked kept."""
    iri = request.args.get("iri", "")
    if not is_iri(iri):
        return text(
            f"iri= names no absolute IRI: {url_for('linked_data.outside')}?iri=<an IRI the "
            "graph uses>",
            400,
        )
    if iri.startswith(minted_base()):
        # The format asked goes in the query, before a hash IRI's fragment (…/ns#Model).
        where, asked = urlsplit(_local(iri)), request.args.get("format")
        query = "&".join(q for q in (where.query, asked and urlencode({"format": asked})) if q)
        return redirect(urlunsplit(where._replace(query=query)), 303)
    triples = _describe(iri)
    if triples:
        return respond(iri, triples)
    triples, more = _naming(iri)
    return respond(iri, triples, more=more)


@bp.get("/ns/<path:rest>")
def concept(rest: str) -> Response:
    # A version IRI of the ontology — this version's, or one before it (owl:priorVersion,
    # and the priors a version's IRI names): the ontology, which names them; the older
    # documents are not kept, and each version only added terms. Asked first: the
    # ontology's header names a version, which would otherwise answer with that alone.
    iri = minted_base() + "ns/" + rest
    versions = f"(<{OWL}versionIRI>|<{OWL}priorVersion>)/<{OWL}priorVersion>*"
    if is_iri(iri) and get_store().query(
        f"ASK {{ GRAPH <{Graphs.ONTOLOGY}> {{ <{ONTOLOGY_IRI}> {versions} <{iri}> }} }}"
    ):
        return ontology()
    found = _named("ns/", rest)
    return respond(found.iri, found.triples, more=found.more)


@bp.get("/graph/<path:rest>")
def graph(rest: str) -> Response:
    """A named graph's IRI: what the graph says of it (a source's snapshot: its run,
    version and size, in the provenance graph), and, where the store holds the graph, that
    it is a dataset queried at /sparql whose triples the Graph Store Protocol gives. The
    store's VoID summary is also the document of the dataset it describes
    (``…/graph/void#dataset``, a hash IRI a client dereferences here): its answer holds
    that description."""
    found = _named("graph/", rest)
    iri, triples = found.iri, found.triples
    if is_iri(iri) and get_store().query(f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"):
        node = ox.NamedNode(iri)
        dump = url_for("update.read_graph", graph=iri, _external=True)
        triples += [
            ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset")),
            ox.Triple(
                node,
                ox.NamedNode(VOID + "sparqlEndpoint"),
                ox.NamedNode(url_for("sparql.sparql", _external=True)),
            ),
            ox.Triple(node, ox.NamedNode(VOID + "dataDump"), ox.NamedNode(dump)),
        ]
        if iri == summary.SUMMARY:
            triples += _void_description(node)
    return respond(iri, triples, more=found.more)


def _void_description(document: ox.NamedNode) -> list[ox.Triple]:
    """The summary graph whole (a partition per term in use: a few hundred triples), as
    VoID describes a description: the document whose primary topic is the dataset."""
    rows = get_store().query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{summary.SUMMARY}> {{ ?s ?p ?o }} }}"
    )
    return [
        ox.Triple(document, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "DatasetDescription")),
        ox.Triple(document, ox.NamedNode(FOAF + "primaryTopic"), ox.NamedNode(summary.DATASET)),
        *(ox.Triple(r["s"], r["p"], r["o"]) for r in rows),
    ]


@dataclass
class Found:
    """What the graph says of an IRI: its description (``described``), else the triples
    naming it (the first NAMING; ``more`` when others do), else nothing."""

    iri: str
    triples: list[ox.Triple] = field(default_factory=list)
    described: bool = False
    more: bool = False


def _named(section: str, rest: str) -> Found:
    """The IRI a request's path names, with what is known about it: the path as sent,
    its percent-encoding kept, where the graph minted the IRI so (an aspect of a base model
    a record names by a name holding a slash: …/base-model/meta-llama%2FLlama-2-7b/…,
    which the decoded path would split), else the
    path decoded (an IRI written with characters a client encodes); one the graph names
    but says nothing of, with the triples that name it."""
    sent = (sent_path(request.environ) or "").removeprefix("/" + section)
    decoded = minted_base() + section + rest
    named = list(dict.fromkeys([minted_base() + section + sent, decoded])) if sent else [decoded]
    for iri in named:
        if triples := _describe(iri):
            return Found(iri, triples, described=True)
    for iri in named:
        triples, more = _naming(iri)
        if triples:
            return Found(iri, triples, more=more)
    return Found(decoded)


@bp.get("/ns")
def ontology() -> Response:
    """The ontology: Turtle and friends for programs, its documentation for browsers."""
    rows = get_store().query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{Graphs.ONTOLOGY}> {{ ?s ?p ?o }} }}"
    )
    triples = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
    if preferred(RESOURCE_TYPES) != "text/html":
        return respond(ONTOLOGY_IRI, triples)
    return Response(render_template("ontology.html", **_documentation(triples)))


def _documentation(triples: list[ox.Triple]) -> dict:
    facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        # a triple term (RDF 1.2) documents nothing: a term's label and comment are its
        # literals, shown one each as its title and description
        if not isinstance(t.object, ox.Triple):
            facts[t.subject.value][t.predicate.value].append(t.object.value)
    terms = {"classes": [], "properties": []}
    for subject, f in sorted(facts.items()):
        if not subject.startswith(OG):
            continue
        kinds = set(f.get(RDF + "type", []))
        entry = {
            "iri": subject,
            "name": short(subject),
            "label": (f.get(RDFS + "label") or [""])[0],
            "comment": (f.get(RDFS + "comment") or [""])[0],
            "domain": [
                short(v)
                for v in f.get(RDFS + "domain", []) + f.get("https://schema.org/domainIncludes", [])
            ],
            "range": [
                short(v)
                for v in f.get(RDFS + "range", []) + f.get("https://schema.org/rangeIncludes", [])
            ],
            "super": [
                short(v) for v in f.get(RDFS + "subClassOf", []) + f.get(RDFS + "subPropertyOf", [])
            ],
        }
        if OWL + "Class" in kinds:
            terms["classes"].append(entry)
        elif kinds & {OWL + "ObjectProperty", OWL + "DatatypeProperty"}:
            terms["properties"].append(entry)
    header = facts.get(ONTOLOGY_IRI, {})
    return {
        "title": (header.get("http://purl.org/dc/terms/title") or ["Openness Graph vocabulary"])[0],
        "description": (header.get("http://purl.org/dc/terms/description") or [""])[0],
        "version": (header.get(OWL + "versionInfo") or [""])[0],
        **terms,
    }


@bp.get("/shapes/<name>")
def shapes(name: str) -> Response:
    """A definition's shapes, from the shapes graph."""
    if not all(c.isalnum() or c in "-._" for c in name):
        abort(404)
    prefix = f"{minted_base()}shapes/{name}"
    rows = get_store().query(
        f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{Graphs.SHAPES}> {{ ?s ?p ?o }}
              FILTER (STR(?s) = "{prefix}" || STRSTARTS(STR(?s), "{prefix}#")) }}"""
    )
    return respond(prefix, [ox.Triple(r["s"], r["p"], r["o"]) for r in rows])
