"""Content negotiation: pick the media type a client prefers among those we offer
(werkzeug's MIMEAccept reads the Accept header), and tell caches the answer varies with it."""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask import Response, g, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

from openness.namespaces import RDF, XSD, longest_first, shorten
from openness.turtle import turtle

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"

# What we offer, first = default when the client accepts anything.
RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-quads",
    "application/trig",
]
# What a route answers by kind: the first type is what a client naming none gets (`*/*`,
# curl's and most HTTP libraries' Accept, or no Accept). A resource of the graph (an IRI
# it mints, the vocabulary, a named graph, the shapes) and a description of the data (the
# catalogue, VoID, the service description) is RDF first: the W3C's recipes for
# publishing RDF vocabularies serve RDF unless HTML is asked for, and VoID's well-known
# URI names a VoID file; its page is for a client naming text/html, as browsers do. A
# page (home, the query catalogue) is HTML first, its JSON asked for. A query's answer is
# SPARQL results JSON or Turtle (RESULT_TYPES, GRAPH_TYPES first), the API's JSON.
RESOURCE_TYPES = [*GRAPH_TYPES, "text/html"]
PAGE_TYPES = ["text/html", "application/json"]
# The JSON-LD document forms a client may ask for by the profile parameter of
# application/ld+json (JSON-LD 1.1 § 9, IANA considerations) that a query's answer honours.
JSON_LD = "application/ld+json"
EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
COMPACTED = "http://www.w3.org/ns/json-ld#compacted"
# Clients' other names for the formats (`format=`/`output=` values, older media types).
# "json" and "xml" name a results format or an RDF format, by the kind of result.
ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "application/x-turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "text/plain": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",  # SPARQLWrapper's name
    "n3": "text/turtle",  # SPARQLWrapper's; Turtle is N3
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "trig": "application/trig",
}
GRAPH_ALIASES = {
    "json": "application/ld+json",
    "xml": "application/rdf+xml",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
}
# Atom is XML (RFC 4287, RFC 7303 § 8): a feed reader naming only XML gets the feed. Read
# after the tables above, so these names mean RDF/XML or SPARQL XML where those are offered.
FEED_ALIASES = {
    "xml": "application/atom+xml",
    "application/xml": "application/atom+xml",
    "text/xml": "application/atom+xml",
}
# The short names of the types that are neither results nor graphs.
PLAIN_ALIASES = {"json": "application/json", "html": "text/html", "atom": "application/atom+xml"}
# The tables an Accept header's types and a format parameter's names are read through, in
# turn: a name means the first type it names that is offered ("json" is plain JSON from the
# API, SPARQL results from a query, JSON-LD from a resource).
ACCEPT_TABLES = (GRAPH_ALIASES, ALIASES, FEED_ALIASES)
PARAMETER_TABLES = (PLAIN_ALIASES, ALIASES, GRAPH_ALIASES, FEED_ALIASES)
# Every type some route answers: a format parameter naming none of them names no format.
EVERY_TYPE = [*RESULT_TYPES, *GRAPH_TYPES, "application/json", "text/html", "application/atom+xml"]


# The parameters by which clients ask for a format, as several do.
FORMAT_PARAMETERS = ("format", "output", "results")


class UnknownFormat(ValueError):
    """A format parameter names no format (400): the message gives those there are."""

    def __init__(self, given: str, offered: list[str]) -> None:
        super().__init__(given, offered)  # as they are: the error crosses processes
        self.given, self.offered = given, offered

    def __str__(self) -> str:
        return (
            f"the format {self.given!r} is none this offers: give format= one of "
            f"{', '.join(format_names(self.offered))}"
        )


class NotAcceptable(ValueError):
    """No type a route offers is the format asked (``asked``) or fits the Accept header
    (406): the message lists them, as UnknownFormat does, from the same ``offered``.
    ``subject`` names what is offered (``the report is``)."""

    def __init__(self, offered: list[str], asked: str | None, subject: str = "this is") -> None:
        super().__init__(offered, asked, subject)  # as they are: the error crosses processes
        self.offered, self.asked, self.subject = offered, asked, subject

    def __str__(self) -> str:
        asked = f"format={self.asked}" if self.asked else "the Accept header"
        return f"nothing fits {asked}: {self.subject} offered as {offered_types(self.offered)}"


def _as_offered(name: str, offered: list[str], tables: tuple[dict[str, str], ...]) -> str | None:
    """The offered type ``name`` is or means (read through ``tables`` in turn), if any."""
    name = name.lower()
    if name in offered:
        return name
    return next((t[name] for t in tables if t.get(name) in offered), None)


def named_format(name: str, offered: list[str]) -> str | None:
    """The offered type a format parameter's value names, if any; a media type's
    parameters dropped, as ``accepted`` drops them from Accept.

    >>> named_format("application/sparql-results+json;charset=utf-8", RESULT_TYPES)
    'application/sparql-results+json'
    """
    return _as_offered(name.split(";")[0].strip(), offered, PARAMETER_TABLES)


def offered_types(offered: list[str]) -> str:
    """Every media type an Accept header may name to get one of ``offered`` (each, then the
    other names it is read by), for a 406 to list: read from the tables ``accepted`` reads.

    >>> offered_types(RESULT_TYPES)  # doctest: +NORMALIZE_WHITESPACE
    'application/sparql-results+json, application/json, application/sparql-results+xml,
     application/xml, text/csv, text/tab-separated-values'
    """
    return ", ".join(_names_of(offered, ACCEPT_TABLES, media_types=True))


def format_names(offered: list[str]) -> list[str]:
    """Every value of a format parameter that names one of ``offered``: each type, then its
    short names, as ``choose_with_parameter`` reads them.

    >>> format_names(["text/html", "text/turtle"])
    ['text/html', 'html', 'text/turtle', 'turtle', 'ttl', 'application/x-turtle', 'n3']
    """
    return _names_of(offered, PARAMETER_TABLES)


def _names_of(
    offered: list[str], tables: tuple[dict[str, str], ...], media_types: bool = False
) -> list[str]:
    """Each offered type, then the names in ``tables`` (media types only, if asked) that
    are read as it."""
    names = [n for table in tables for n in table if "/" in n or not media_types]
    return [
        name
        for media in offered
        for name in dict.fromkeys([media, *names])
        if _as_offered(name, offered, tables) == media
    ]


def accept_header() -> str | None:
    """The request's Accept header, read to choose what to answer: the answer then varies
    with it, which ``vary_by_accept`` tells caches."""
    g.negotiated = True
    return request.headers.get("Accept")


# Where the API's routes are: it answers no pages.
API = "/api"
# What the API says an error in (RFC 9457), unless the client asks text alone.
PROBLEM = "application/problem+json"


def wants_page() -> bool:
    """Whether an error is answered as a page of the site rather than as text, as every
    other error of ours is: for a browser (it names text/html), outside the API, unless
    the URL asks another format by parameter (``?format=json``; not ``?format=html``). A
    client taking text as well as HTML (curl's ``*/*``) gets text. (The URL's parameters
    only: a body is not read to answer an error, which may be that it is too large.)"""
    if request.path.startswith(f"{API}/"):
        return False
    asked = [v for name in FORMAT_PARAMETERS for v in request.args.getlist(name) if v]
    if any(not named_format(v, ["text/html"]) for v in asked):
        return False
    return choose(accept_header(), ["text/plain", "text/html"]) == "text/html"


def vary_by_accept(response: Response) -> Response:
    """``Vary: Accept`` on an answer chosen by the Accept header (an after-request hook), so
    that a cache does not hand one client's format to another (RFC 9110 §12.5.5)."""
    if g.get("negotiated"):
        response.vary.add("Accept")
    return response


def accepted(header: str | None, offered: list[str]) -> MIMEAccept:
    """The Accept header as werkzeug's MIMEAccept, with the clients' other names for our
    types (``application/json``, ``text/plain``, …) read as the type they mean among
    ``offered``, and media type parameters other than q dropped (a client's
    ``text/turtle;charset=utf-8`` accepts our Turtle, which is UTF-8).

    >>> accepted("application/json;q=0.5", GRAPH_TYPES)
    MIMEAccept([('application/ld+json', 0.5)])
    """
    values = []
    for value, q in parse_accept_header(header or "*/*", MIMEAccept):
        media = value.split(";")[0].strip().lower()
        values.append((_as_offered(media, offered, ACCEPT_TABLES) or media, q))
    return MIMEAccept(values)


def choose_with_parameter(
    parameter: str | None, header: str | None, offered: list[str]
) -> str | None:
    """The offered type a format named by a request parameter (format=, output=) means;
    without one, the one the Accept header prefers. None when the format named is one
    that is not offered here, as when the Accept header names none (406); a parameter
    naming no format at all is a bad request (UnknownFormat), not one to answer in another
    format.

    >>> choose_with_parameter("xml", "*/*", GRAPH_TYPES)
    'application/rdf+xml'
    >>> choose_with_parameter("nquads", "text/turtle", GRAPH_TYPES)
    'application/n-quads'
    >>> choose_with_parameter("json", "text/html", ["text/html", *GRAPH_TYPES])
    'application/ld+json'
    >>> choose_with_parameter("csv", "*/*", GRAPH_TYPES) is None
    True
    """
    if not parameter:
        return choose(header, offered)
    named = named_format(parameter, offered)
    if named is None and named_format(parameter, EVERY_TYPE) is None:
        raise UnknownFormat(parameter, offered)
    return named


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered type the Accept header prefers, or None when nothing fits (406).

    Each type takes the quality of the most specific range that matches it, so a type
    refused with ``q=0`` stays refused under ``*/*``; among equal qualities a type the
    client names beats one it matches by a wildcard, then our order decides.

    >>> choose("*/*", RESULT_TYPES)
    'application/sparql-results+json'
    >>> choose("application/rdf+xml;q=0.9, text/turtle;q=0.5", GRAPH_TYPES)
    'application/rdf+xml'
    >>> choose("text/turtle;q=0, */*", GRAPH_TYPES)
    'application/n-triples'
    >>> choose("image/png", RESULT_TYPES) is None
    True
    """
    accept = accepted(header, offered)
    named = {value for value, _ in accept}
    best: tuple[float, bool, int] | None = None
    chosen = None
    for rank, candidate in enumerate(offered):
        q = accept.quality(candidate)
        key = (q, candidate in named, -rank)
        if q > 0 and (best is None or key > best):
            best, chosen = key, candidate
    return chosen


def format_parameter(offered: list[str]) -> str | None:
    """A format a client asked for by parameter, as several clients do: the first value
    naming one of ``offered``, else the first naming a format (SPARQLWrapper repeats its
    ask under each name, and as a media type beside a name other engines refuse:
    ``format=tsv&format=text/tab-separated-values``), else the first given, which
    ``choose_with_parameter`` refuses (UnknownFormat) rather than answer in the default
    format."""
    given = [v for name in FORMAT_PARAMETERS for v in request.values.getlist(name) if v]
    for types in (offered, EVERY_TYPE):
        for value in given:
            if named_format(value, types):
                return value
    return given[0] if given else None


def json_ld_form(header: str | None) -> str | None:
    """The JSON-LD form (COMPACTED or EXPANDED) that the application/ld+json range the
    Accept ``header`` weighs most asks for by its profile parameter (a list of IRIs), if
    it names one; the others (flattened, framed, …) are ignored, as the media type's
    registration says a server does with the profiles it does not recognise.

    >>> json_ld_form('text/turtle, application/ld+json;profile="urn:x %s"' % COMPACTED)
    'http://www.w3.org/ns/json-ld#compacted'
    >>> json_ld_form("application/ld+json") is None
    True
    """
    ranges = [
        (q, options.get("profile", "").split())
        for value, q in parse_accept_header(header or "", MIMEAccept)
        for media, options in [parse_options_header(value)]
        if media.lower() == JSON_LD and q > 0
    ]
    asked = max(ranges, key=lambda r: r[0])[1] if ranges else []
    return next((form for form in (COMPACTED, EXPANDED) if form in asked), None)


def preferred(offered: list[str], accept: str | None = None) -> str | None:
    """The type of ``offered`` a request asks for: by a format parameter, else by
    ``accept`` (the request's Accept header when None); None when it is none of them. A
    parameter naming no format is refused (UnknownFormat), listing ``offered``."""
    header = accept_header() if accept is None else accept
    return choose_with_parameter(format_parameter(offered), header, offered)


def negotiate(offered: list[str], subject: str = "this is", accept: str | None = None) -> str:
    """What a route answers the request in: a type of ``offered``, the route's table of
    what it answers (as :func:`preferred` chooses). The format parameter naming no format
    (UnknownFormat, 400) and none of ``offered`` fitting (NotAcceptable, 406) are refused
    listing ``offered`` alike, so the two lists name the same types."""
    media = preferred(offered, accept)
    if media is None:
        raise NotAcceptable(offered, format_parameter(offered), subject)
    return media


def expressible(offered: list[str], triples: list[ox.Triple]) -> list[str]:
    """``offered`` less JSON-LD where a triple's object is a triple term (RDF 1.2, which
    the store takes from an update or an upload): JSON-LD 1.1 cannot express one, so asking
    for it is refused (406) listing the formats that can.

    >>> said = ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c"))
    >>> expressible(GRAPH_TYPES, [ox.Triple(said.subject, said.predicate, said)])[3:]
    ['application/n-quads', 'application/trig']
    """
    if any(isinstance(t.object, ox.Triple) for t in triples):
        return [media for media in offered if media != "application/ld+json"]
    return offered


# What the API answers: JSON, or RDF to a client that prefers it.
API_TYPES = ["application/json", *GRAPH_TYPES]


def api_format(offered: list[str] = API_TYPES) -> str:
    """What an API route answers the request in: JSON or the RDF type the client prefers
    over it, among ``offered`` (NotAcceptable when it takes none). A client preferring HTML
    is a browser, which shows JSON: its ``application/xml;q=0.9`` would otherwise pick
    RDF/XML (an alias of it). One that takes no JSON (``text/html, text/turtle;q=0.5``,
    ``text/*``) gets what it takes; format=html is no format of the API's (406)."""
    header = accept_header()
    browser = choose(header, ["text/html", *offered]) == "text/html"
    if browser and choose(header, ["application/json"]):
        header = "application/json"
    return negotiate(offered, "this resource is", header)


def results_format(media_type: str) -> ox.QueryResultsFormat:
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    assert fmt is not None, media_type
    return fmt


def graph_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None, media_type
    return fmt


def serialize_graph(
    triples: list[ox.Triple],
    media_type: str,
    prefixes: dict[str, str] | None = None,
    about: ox.NamedNode | None = None,
) -> bytes:
    """Triples in an RDF media type (pyoxigraph writes them to the default graph in the
    quad formats); JSON-LD with ``prefixes`` compacted by them (pyoxigraph's JSON-LD is
    expanded whatever the prefixes: every key a full IRI), Turtle with them grouped by
    subject, its blank nodes nested (openness.turtle), the resource they are ``about``
    first."""
    if media_type == "application/ld+json" and prefixes:
        return compact_json_ld(triples, prefixes)
    if media_type == "text/turtle" and prefixes:
        return turtle(triples, prefixes, about)
    return ox.serialize(triples, format=graph_format(media_type), prefixes=prefixes)


def compact_json_ld(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """Triples as compacted JSON-LD: ``prefixes`` its @context, every key, type and IRI a
    prefixed name where one fits (the longest namespace), one node object a subject in
    @graph. It is what JSON-LD's fromRdf (without native types) then compaction give: a
    literal keeps its lexical form and datatype, so the graph read back is the one written.
    rdflib's serializer, given a context, writes numbers and booleans as JSON ones, so "01"
    comes back as "1" and an ill-typed "yes"^^xsd:boolean as a plain string.

    >>> t = ox.Triple(ox.NamedNode("urn:m"), ox.NamedNode(RDF + "type"), ox.NamedNode(XSD + "x"))
    >>> json.loads(compact_json_ld([t], {"xsd": XSD}))["@graph"]
    [{'@id': 'urn:m', '@type': 'xsd:x'}]
    """
    # An IRI written whole whose scheme is a prefix of the context ('cr:foo', as a source
    # that lacked its own context wrote it) would be read as that prefixed name: such a
    # prefix is left out of the context, and the IRIs it would shorten are written whole.
    iris = {
        term.value
        for t in triples
        for term in (t.subject, t.predicate, t.object, getattr(t.object, "datatype", None))
        if isinstance(term, ox.NamedNode)
    }
    namespaces = longest_first(prefixes)
    while clashing := {i.split(":", 1)[0] for i in _whole(iris, namespaces)} & set(prefixes):
        prefixes = {p: ns for p, ns in prefixes.items() if p not in clashing}
        namespaces = longest_first(prefixes)

    def name(iri: str) -> str:
        return _short(iri, namespaces)

    def node(term: ox.NamedNode | ox.BlankNode) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else name(term.value)

    def value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str | dict[str, str]:
        if not isinstance(term, ox.Literal):
            return {"@id": node(term)}
        if term.language:
            tagged = {"@value": term.value, "@language": term.language}
            return {**tagged, "@direction": term.direction.value} if term.direction else tagged
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": name(term.datatype.value)}

    nodes: dict[str, dict[str, list]] = {}
    for t in triples:
        about = nodes.setdefault(node(t.subject), {})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            about.setdefault("@type", []).append(name(t.object.value))
        else:
            about.setdefault(name(t.predicate.value), []).append(value(t.object))
    graph = [
        {"@id": subject, **{k: v[0] if len(v) == 1 else v for k, v in sorted(about.items())}}
        for subject, about in nodes.items()
    ]
    return json.dumps({"@context": prefixes, "@graph": graph}, ensure_ascii=False).encode()


def _short(iri: str, namespaces: list[tuple[str, str]]) -> str:
    """``iri`` as a compact IRI of the first of ``namespaces`` that fits, else whole (as
    namespaces.shorten shortens for the others)."""
    # JSON-LD reads "p://…" as an IRI, not as the prefix p
    found = shorten(iri, namespaces, lambda rest: rest and not rest.startswith("//"))
    return f"{found[0]}:{found[1]}" if found else iri


def _whole(iris: set[str], namespaces: list[tuple[str, str]]) -> list[str]:
    """The ``iris`` no namespace shortens."""
    return [iri for iri in iris if _short(iri, namespaces) == iri]


def content_type(media_type: str, profile: str | None = None) -> str:
    """The Content-Type header for a media type (text types say their charset), with
    the ``profile`` the answer honours (a JSON-LD form) if one was asked.

    >>> content_type(JSON_LD, COMPACTED)
    'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
    """
    if profile:
        return f'{media_type}; profile="{profile}"'
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type
