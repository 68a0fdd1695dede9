"""Content negotiation: pick the media type a client prefers among those we offer."""

from __future__ import annotations

import pyoxigraph as ox

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
    "text/plain": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nq": "application/n-quads",
    "trig": "application/trig",
}
GRAPH_ALIASES = {
    "json": "application/ld+json",
    "xml": "application/rdf+xml",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, most preferred first (stable for ties).

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    """
    ranges = []
    for i, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q, i))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def choose_with_parameter(
    parameter: str | None, header: str | None, offered: list[str]
) -> str | None:
    """A format named by a request parameter (format=, output=) wins when it names one of
    the offered types; otherwise the Accept header decides.

    >>> choose_with_parameter("xml", "*/*", GRAPH_TYPES)
    'application/rdf+xml'
    """
    if parameter:
        aliases = {**ALIASES, **GRAPH_ALIASES} if offered is GRAPH_TYPES else ALIASES
        named = aliases.get(parameter.lower(), parameter.lower())
        if named in offered:
            return named
    return choose(header, offered)


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered type the Accept header prefers, or None when nothing fits (406).

    >>> choose("*/*", RESULT_TYPES)
    'application/sparql-results+json'
    >>> choose("application/rdf+xml;q=0.9, text/turtle;q=0.5", GRAPH_TYPES)
    'application/rdf+xml'
    >>> choose("image/png", RESULT_TYPES) is None
    True
    """
    best: tuple[float, int, str] | None = None
    for media, q in parse_accept(header):
        if q <= 0:
            continue
        media = ALIASES.get(media, media)
        for rank, candidate in enumerate(offered):
            major = candidate.split("/")[0]
            if media in (candidate, "*/*", f"{major}/*"):
                key = (q, -rank if media.endswith("*") else 1, candidate)
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None


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
