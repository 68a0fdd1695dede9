"""The dataset's DCAT catalogue (/catalog), its VoID description (/.well-known/void) and
its dump (/dump/openness.nq.gz). Both descriptions are HTML for browsers, RDF by Accept or
``format``, as every resource of ours (``linked_data.respond``).

The catalogue (``<base>catalog``) lists one dcat:Dataset, the one VoID describes
(``…/graph/void#dataset``): its title, description, publisher (the deployment's, as
``openness serve --publisher`` names it, else the vocabulary's creator),
when the store's latest run ended, the licence of each source's graph and of the
vocabulary's and the shapes' graphs as their documents declare it (as parts: the dataset
holds data under several licences, and the graphs the tool computes state none, so the
dataset names no licence of its own), its distributions, and the SPARQL endpoint as
a dcat:DataService. DCAT-AP 3's conventions are followed where they cost nothing: media
types as IANA IRIs, the byte size as xsd:nonNegativeInteger, the checksum as an
spdx:Checksum, an access URL beside each download URL.

The dump is served as the file it is, ``application/gzip`` (RFC 6713), not as N-Quads
with ``Content-Encoding: gzip``: HTTP clients undo a content coding as they read, so the
bytes saved would not be the file whose size and checksum the catalogue gives, and a range
would count bytes of a coding rather than of the file. What it holds, N-Quads, the
catalogue says: dcat:mediaType beside dcat:compressFormat, as DCAT 3 describes a
compressed file. A dump that no longer holds what the store holds is neither served nor
described (openness.store.dump).
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, request, send_file, url_for

from openness.ingest.rdf import Triples, typed
from openness.namespaces import (
    BASE,
    DCAT,
    DCTERMS,
    FOAF,
    ID,
    ONTOLOGY,
    RDFS,
    VOID,
    XSD,
    Graphs,
)
from openness.server.context import get_store, minted_base, served_dump
from openness.server.evidence import named_query
from openness.server.linked_data import respond
from openness.server.sparql import (
    DESCRIPTION_PREFIXES,
    FORMATS,
    TITLE,
    declared_licences,
    dump_url,
    rights_statement,
    text,
    whose_graphs,
)
from openness.store import dump as dumps
from openness.store import row_values, summary

bp = Blueprint("catalog", __name__)

IANA = "http://www.iana.org/assignments/media-types/"
SPDX = "http://spdx.org/rdf/terms#"  # SPDX 2's RDF terms, whose checksum DCAT 3 reuses
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
DESCRIPTION = ox.Literal(
    "AI model releases as several sources describe them (their components, licences and "
    "published verdicts), linked into one entity per model, and the verdicts of each "
    "model against openness definitions, with the evidence and reasons behind each, "
    "the definitions' shapes and the vocabulary: every named graph of the store.",
    language="en",
)


@bp.get("/catalog")
def catalog() -> Response:
    """The DCAT catalogue: HTML for browsers, RDF by Accept or ``format``."""
    here = minted_base() + "catalog"
    cat, ds = here, summary.DATASET
    t = Triples()
    t.types(cat, DCAT + "Catalog")
    t.types(ds, DCAT + "Dataset")
    for resource in (cat, ds):
        t.add(resource, DCTERMS + "title", TITLE)
        t.add(resource, DCTERMS + "description", DESCRIPTION)
        t.link(resource, RDFS + "seeAlso", url_for("catalog.void", _external=True))
    t.link(cat, DCAT + "dataset", ds)
    t.link(cat, FOAF + "homepage", request.url_root)
    publisher = _publisher(t, here + "#publisher")
    latest = modified()
    for resource in (cat, ds):
        t.link(resource, DCTERMS + "publisher", publisher)
        if latest:
            t.add(resource, DCTERMS + "modified", typed(latest, XSD + "dateTime"))
    t.extend(rights_statement(here))
    for graph, source, licence in whose_graphs(get_store().graph_names()):
        t.add(ds, DCTERMS + "hasPart", graph)
        t.add(graph, DCTERMS + "source", source)
        t.add(graph, DCTERMS + "license", licence)
    for graph, licence in declared_licences(get_store().graph_names()):
        t.add(ds, DCTERMS + "hasPart", graph)
        t.add(graph, DCTERMS + "license", licence)
    endpoint = url_for("sparql.sparql", _external=True)
    service, queried = here + "#sparql", here + "#sparql-access"
    t.link(cat, DCAT + "service", service)
    t.types(service, DCAT + "DataService")
    t.add(service, DCTERMS + "title", ox.Literal("SPARQL 1.1 endpoint", language="en"))
    t.link(service, DCAT + "endpointURL", endpoint)
    t.link(service, DCAT + "endpointDescription", endpoint)  # the service description
    t.link(service, DCTERMS + "conformsTo", SPARQL_PROTOCOL)
    t.link(service, DCAT + "servesDataset", ds)
    t.link(ds, DCAT + "distribution", queried)
    t.types(queried, DCAT + "Distribution")
    t.add(queried, DCTERMS + "title", ox.Literal("Queried at the SPARQL endpoint", language="en"))
    t.link(queried, DCAT + "accessURL", endpoint)
    t.link(queried, DCAT + "accessService", service)
    with contextlib.suppress(dumps.NoDump):  # an outdated dump is not described: /dump says why
        _dump(t, ds, here + "#dump", served_dump())
    return respond(here, sorted(t, key=str), "Openness Graph catalogue")  # by subject


@bp.get("/.well-known/void")
def void() -> Response:
    """A VoID description: the dataset, its named graphs as subsets with their size,
    source and licence, the SPARQL endpoint, the dump when one is current and the DCAT
    catalogue. The dataset is the one the store's own summary describes
    (``…/graph/void#dataset``), not a name of this server's: a client merging the two, or
    reaching the server by another host name, sees one dataset."""
    ds = summary.DATASET
    sizes = get_store().graph_sizes()
    t = Triples()
    t.types(ds, VOID + "Dataset")
    t.add(ds, DCTERMS + "title", TITLE)
    t.link(ds, VOID + "sparqlEndpoint", url_for("sparql.sparql", _external=True))
    t.add(ds, VOID + "triples", typed(str(sum(sizes.values())), XSD + "integer"))
    t.link(ds, RDFS + "seeAlso", url_for("catalog.catalog", _external=True))
    # The IRIs the dataset mints (a crawler tells ours from those we only link to).
    t.add(ds, VOID + "uriSpace", ox.Literal(minted_base() + ID.removeprefix(BASE)))
    for namespace in summary.vocabularies(get_store()):
        t.link(ds, VOID + "vocabulary", namespace)
    with contextlib.suppress(dumps.NoDump):  # what the server says of an outdated dump: nothing
        served_dump()
        t.link(ds, VOID + "dataDump", dump_url())
    for graph, size in sorted(sizes.items()):
        t.link(ds, VOID + "subset", graph)
        t.types(graph, VOID + "Dataset")
        t.add(graph, VOID + "triples", typed(str(size), XSD + "integer"))
    # Each part's licence, the dataset's none: several on one resource read as "all" or as
    # "any" as the reader likes; what they mean together is the catalogue's statement.
    t.extend(rights_statement(minted_base() + "catalog"))
    for graph, source, licence in whose_graphs(sizes):
        t.add(graph, DCTERMS + "source", source)
        t.add(graph, DCTERMS + "license", licence)
    for graph, licence in declared_licences(sizes):
        t.add(graph, DCTERMS + "license", licence)
    return respond(
        ds,
        sorted(set(t), key=str),
        f"{TITLE.value}: VoID description",
        prefixes=DESCRIPTION_PREFIXES,
    )


def modified() -> str | None:
    """The data's version to cite, the catalogue's ``dcterms:modified`` (when the store's
    latest run ended, as written). Read once a request: a page and the charts it includes
    each cite it."""
    if "modified" not in g:
        g.modified = dumps.latest_run(get_store())
    return g.modified


@bp.app_context_processor
def _cited() -> dict[str, object]:
    # The charts other blueprints' pages include cite the data's version with this.
    return {"data_modified": modified}


def sources() -> list[dict]:
    """The sources ingested, as the ``sources`` named query gives them: one per source,
    with the licences its data are under (``licences``: IRI and name, the IRI where the
    graph names it not), its latest ingest and how many dated snapshots of it the store
    holds — what the home page's table shows and the charts credit. Read once a request:
    the home page's sources table and its over-time chart's credit both ask."""
    if "sources" not in g:
        g.sources = _read_sources()
    return g.sources


def _read_sources() -> list[dict]:
    found: dict[str, dict] = {}
    for row in named_query("sources"):
        r = row_values(row)
        source = found.setdefault(
            r["source"],
            {
                "source": r["source"],
                "name": r["name"],
                "ended": r["ended"],
                "version": r.get("version"),  # unbound where the run states none
                "snapshots": int(r["snapshots"]),
                "licences": [],
            },
        )
        if r.get("license"):
            source["licences"].append((r["license"], r.get("licenseLabel") or r["license"]))
    return list(found.values())


def _publisher(t: Triples, iri: str) -> str | None:
    """The publisher, a foaf:Agent: the one the deployment names (``PUBLISHER``, an IRI such
    as its organisation's ROR or Wikidata IRI, with ``PUBLISHER_NAME``), else one named as
    the vocabulary names its creator (``iri``, a node of the catalogue's)."""
    name: ox.Literal | None = None
    configured = current_app.config.get("PUBLISHER")
    if configured:
        iri = configured
        given = current_app.config.get("PUBLISHER_NAME")
        name = ox.Literal(given) if given else None
    else:
        rows = (
            get_store()
            .query(
                f"SELECT ?name WHERE {{ GRAPH <{Graphs.ONTOLOGY}> {{ <{ONTOLOGY}> dcterms:creator "
                "?name FILTER (isLiteral(?name)) } } LIMIT 1"
            )
            .rows()
        )
        if not rows:
            return None
        name = rows[0]["name"]
    t.types(iri, FOAF + "Agent")
    if name is not None:
        t.add(iri, FOAF + "name", name)
    return iri


def _dump(t: Triples, ds: str, dist: str, dump: dumps.Dump) -> None:
    """The dump as a distribution of ``ds``, and as its VoID data dump."""
    url = dump_url()
    t.link(ds, DCAT + "distribution", dist)
    t.link(ds, VOID + "dataDump", url)
    t.types(dist, DCAT + "Distribution")
    t.add(
        dist,
        DCTERMS + "title",
        ox.Literal("The whole dataset, every named graph, as gzipped N-Quads", language="en"),
    )
    t.link(dist, DCAT + "downloadURL", url)
    t.link(dist, DCAT + "accessURL", url)
    t.link(dist, DCAT + "mediaType", IANA + "application/n-quads")
    t.link(dist, DCAT + "compressFormat", IANA + "application/gzip")
    t.link(dist, DCTERMS + "conformsTo", FORMATS + "N-Quads")
    t.add(dist, DCAT + "byteSize", typed(str(dump.size), XSD + "nonNegativeInteger"))
    t.add(dist, DCTERMS + "issued", typed(dump.written, XSD + "dateTime"))
    checksum = dist + "-checksum"
    t.link(dist, SPDX + "checksum", checksum)
    t.types(checksum, SPDX + "Checksum")
    t.link(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
    t.add(checksum, SPDX + "checksumValue", typed(dump.sha256, XSD + "hexBinary"))


@bp.get("/dump/" + dumps.FILE)
def download() -> Response:
    """The dump, when one holds what the store holds: the file as it is, with its checksum
    as ETag, its time as Last-Modified and ranges (Flask's send_file); else 404 saying
    why."""
    try:
        dump = served_dump()
    except dumps.NoDump as e:
        return text(
            f"no current dump of the whole dataset: {e} (meanwhile each named graph is at "
            f"{url_for('update.read_graph')}?graph=IRI)",
            404,
        )
    return send_file(
        dump.path,
        mimetype="application/gzip",
        as_attachment=True,
        download_name=dumps.FILE,
        etag=dump.sha256,
        last_modified=dt.datetime.fromisoformat(dump.written),
        conditional=True,
    )
