"""IRIs of the graph: the vocabulary namespaces we use and the names we mint.

Every IRI the project mints starts with BASE, so a deployment can serve them all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

BASE = "https://w3id.org/openness-graph/"

OG = BASE + "ns#"
ONTOLOGY = BASE + "ns"
CONCEPT = BASE + "ns/"  # concept schemes: ns/component/…, ns/org-kind/…
COMPONENT = CONCEPT + "component/"
INDEX_DIMENSION = CONCEPT + "index-dimension/"
LEVEL = CONCEPT + "level/"  # a graded definition's levels, as its requirements name them
ID = BASE + "id/"
EV = BASE + "shapes/evidence#"  # the evidence rules' own terms (shapes/evidence.ttl)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
EARL = "http://www.w3.org/ns/earl#"
ODRL = "http://www.w3.org/ns/odrl/2/"
CC = "http://creativecommons.org/ns#"
SCHEMA = "https://schema.org/"
FAIR4ML = "https://w3id.org/fair4ml#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
DQV = "http://www.w3.org/ns/dqv#"
SH = "http://www.w3.org/ns/shacl#"
SPDX_LICENSE = "https://spdx.org/licenses/"
SPDX_EL = "https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/"
CR = "http://mlcommons.org/croissant/"
RAI = "http://mlcommons.org/croissant/RAI/"
DOAP = "http://usefulinc.com/ns/doap#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"

# Prefixes offered to queries (CLI, server, named queries) and used when serializing.
PREFIXES: dict[str, str] = {
    "og": OG,
    "ogc": COMPONENT,
    "oxd": INDEX_DIMENSION,
    "ogl": LEVEL,
    # The other concept schemes, so their concepts read as names on pages and in Turtle.
    "ogsrc": CONCEPT + "source/",
    "ogdc": CONCEPT + "data-class/",
    "ogk": CONCEPT + "org-kind/",
    "oglc": CONCEPT + "license-category/",
    "oglr": CONCEPT + "license-resolution/",
    "ogdist": CONCEPT + "distribution/",
    "osaidg": CONCEPT + "osaid-group/",  # as ontology/components.ttl declares it
    "ogr": CONCEPT + "rating/",
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "prov": PROV,
    "earl": EARL,
    "odrl": ODRL,
    "cc": CC,
    "schema": SCHEMA,
    "fair4ml": FAIR4ML,
    "org": ORG,
    "foaf": FOAF,
    "dqv": DQV,
    "sh": SH,
    "spdx": SPDX_LICENSE,
    "expandedlicensing": SPDX_EL,
    "cr": CR,
    "rai": RAI,
}
# The same prefixes as a SPARQL prologue, for engines and updates that take no prefix map.
PREFIX_LINE = " ".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()) + "\n"


def longest_first(prefixes: dict[str, str]) -> list[tuple[str, str]]:
    """``prefixes`` as (prefix, namespace) pairs, the longest namespace first, so that an
    IRI under two (croissant's ``cr:`` and its ``rai:``) takes the nearer one."""
    return sorted(prefixes.items(), key=lambda p: -len(p[1]))


def shorten(
    iri: str, namespaces: list[tuple[str, str]], fits: Callable[[str], object] = bool
) -> tuple[str, str] | None:
    """The prefix and local name of the first of ``namespaces`` (longest first) that holds
    ``iri`` with a local name that ``fits`` the syntax it is written in, if any.

    The three shorteners differ in that alone: :func:`short` for people (any local name
    but none), ``openness.turtle`` (Turtle's PN_LOCAL, written unescaped, the namespace
    itself too) and ``server.negotiation``'s JSON-LD compaction (none starting ``//``,
    which JSON-LD reads as an IRI).

    >>> shorten(RAI + "x", longest_first(PREFIXES)), shorten(OG, longest_first(PREFIXES))
    (('rai', 'x'), None)
    """
    for prefix, namespace in namespaces:
        if iri.startswith(namespace) and fits(local := iri[len(namespace) :]):
            return prefix, local
    return None


_OURS = longest_first(PREFIXES)


def short(value: str) -> str:
    """An IRI as a prefixed name where one of our prefixes fits, else whole: for people to
    read (messages, pages), so the local name is any but none.

    >>> short(OG + "Model"), short("https://example.org/x"), short(RAI + "x")
    ('og:Model', 'https://example.org/x', 'rai:x')
    """
    found = shorten(value, _OURS)
    return f"{found[0]}:{found[1]}" if found else value


class Graphs:
    """Named graphs: one per source, one each for vocabularies, shapes and assessments."""

    ONTOLOGY = BASE + "graph/ontology"
    SHAPES = BASE + "graph/shapes"
    ASSESSMENTS = BASE + "graph/assessments"
    IDENTITY = BASE + "graph/identity"
    # The types RDFS entails for the instances of the classes the vocabulary marks
    # (og:instancesTypedWithSuperclasses), for consumers without a reasoner.
    ENTAILED = BASE + "graph/entailed"
    # Who made what: ingestion runs, the graphs they wrote, snapshots' dates.
    PROVENANCE = BASE + "graph/provenance"
    # Where the live Hub sync stands (openness.ingest.hf_live): cursor, watermark, pending.
    HUB_SYNC = BASE + "graph/hub-sync"

    @staticmethod
    def source(name: str) -> str:
        """The named graph holding what source ``name`` says.

        >>> Graphs.source("mof")
        'https://w3id.org/openness-graph/graph/source/mof'
        """
        return f"{BASE}graph/source/{name}"


# Remembered: a Hub sync slugs each repository id about ten times (its record's IRI, its
# model's, its author's) and the identity rebuild again, at ~3 µs a time (normalization and
# two regular expressions).
@lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """A readable, IRI-safe path segment for ``text``.

    >>> slug("OLMo 7B (Instruct)")
    'olmo-7b-instruct'
    >>> slug("meta-llama/Llama-3.1-8B")
    'meta-llama--llama-3.1-8b'
    >>> slug("Command-R+")
    'command-r-plus'
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.strip().lower().replace("/", "--").replace("+", "-plus")
    text = re.sub(r"[^a-z0-9._-]+", "-", text)
    return re.sub(r"(?<!-)-{3,}|^-+|-+$", "", text) or "x"


def mint(kind: str, *parts: str) -> str:
    """An IRI of ours for a thing of ``kind``, e.g. ``mint("model", "olmo-7b")``.

    >>> mint("record", "mof", "OLMo 7B")
    'https://w3id.org/openness-graph/id/record/mof/olmo-7b'
    """
    return ID + kind + "/" + "/".join(slug(p) for p in parts)


_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def url_folder(url: str) -> str | None:
    """What a relative reference with no '/' (a Croissant ``@id`` such as 'parquet-files')
    in the document at ``url`` resolves under, as RFC 3986 resolves it (JSON-LD's base):
    its path up to its last '/', the query and fragment dropped; None for a URL with no
    authority (a URN), against which such references do not resolve so.

    >>> url_folder("https://huggingface.co/api/datasets/ylecun/mnist/croissant")
    'https://huggingface.co/api/datasets/ylecun/mnist/'
    >>> url_folder("https://x.ai"), url_folder("https://e.org/get?path=a/b")
    ('https://x.ai/', 'https://e.org/')
    >>> url_folder("urn:x:y") is None
    True
    """
    authority = _AUTHORITY.match(url)
    if authority is None:
        return None
    path = re.split("[?#]", url[authority.end() :], maxsplit=1)[0]
    return authority[0] + path[: path.rfind("/") + 1] if path else authority[0] + "/"
