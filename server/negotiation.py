"""Content negotiation: pick the media type a client prefers among those we offer
(werkzeug's MIMEAccept reads the Accept header), and tell caches the answer varies with it."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, g, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

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


def accept_header() -> str | None:
    """The request's Accept header, read to choose what to answer: the answer then varies
    with it, which ``vary_by_accept`` tells caches."""
    g.negotiated = True
    return request.headers.get("Accept")


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
        for aliases in (GRAPH_ALIASES, ALIASES):
            if media not in offered and aliases.get(media) in offered:
                media = aliases[media]
                break
        values.append((media, q))
    return MIMEAccept(values)


# The short names of the types that are neither results nor graphs.
PLAIN_ALIASES = {"json": "application/json", "html": "text/html"}


def choose_with_parameter(
    parameter: str | None, header: str | None, offered: list[str]
) -> str | None:
    """A format named by a request parameter (format=, output=) wins when it names one of
    the offered types; otherwise the Accept header decides.

    >>> choose_with_parameter("xml", "*/*", GRAPH_TYPES)
    'application/rdf+xml'
    >>> choose_with_parameter("nquads", "text/turtle", GRAPH_TYPES)
    'application/n-quads'
    >>> choose_with_parameter("json", "text/html", ["text/html", *GRAPH_TYPES])
    'application/ld+json'
    """
    if parameter:
        # A short name means the first type it names that is offered: "json" is plain JSON
        # from the API, SPARQL results from a query, JSON-LD from a resource.
        for aliases in (PLAIN_ALIASES, ALIASES, GRAPH_ALIASES):
            named = aliases.get(parameter.lower(), parameter.lower())
            if named in offered:
                return named
    return choose(header, offered)


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


def api_format() -> str | None:
    """What an API route answers the request in: JSON or the RDF type the client prefers
    over it, or None when it takes neither. A client preferring HTML is a browser, which
    shows JSON: its ``application/xml;q=0.9`` would otherwise pick RDF/XML (an alias of it).
    One that takes no JSON (``text/html, text/turtle;q=0.5``, ``text/*``) gets what it
    takes."""
    header = accept_header()
    offered = ["application/json", *GRAPH_TYPES]
    best = choose_with_parameter(request.args.get("format"), header, ["text/html", *offered])
    if best == "text/html":
        return choose(header, ["application/json"]) or choose(header, offered)
    return best


def results_format(media_type: str) -> ox.QueryResultsFormat:
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    assert fmt is not None, media_type
    return fmt


def graph_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None, media_type
    return fmt


def serialize_graph(
    triples: list[ox.Triple], media_type: str, prefixes: dict[str, str] | None = None
) -> bytes:
    """Triples in an RDF media type (pyoxigraph writes them to the default graph in the
    quad formats)."""
    return ox.serialize(triples, format=graph_format(media_type), prefixes=prefixes)


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (text types say their charset)."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type
