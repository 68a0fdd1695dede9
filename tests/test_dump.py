"""The whole dataset for linked-data consumers: its dump beside the store (written by the
commands, replaced whole, withdrawn when the store changes) and the DCAT catalogue."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from conftest import free_port
from flask.testing import FlaskClient
from support.clients import BROWSER
from werkzeug.test import TestResponse

from openness.cli import cli
from openness.namespaces import Graphs
from openness.resources import ontology_dir, shapes_dir
from openness.server import create_app
from openness.server.context import current_guard
from openness.store import EmbeddedStore
from openness.vocabularies import load_vocabularies

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.DCTERMS
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SCHEMA = rdflib.Namespace("https://schema.org/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
IANA = "http://www.iana.org/assignments/media-types/"
CATALOG = rdflib.URIRef("https://w3id.org/openness-graph/catalog")
DATASET = rdflib.URIRef("https://w3id.org/openness-graph/graph/void#dataset")
DUMP = "/dump/openness.nq.gz"
URL = rdflib.URIRef("http://localhost" + DUMP)
MOF = Graphs.source("mof")
RECORD = ox.Triple(
    ox.NamedNode("https://w3id.org/openness-graph/id/record/mof/x"),
    ox.NamedNode("https://schema.org/name"),
    ox.Literal("X"),
)
RDF_FORMATS = (
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"),
)


def _run(store: EmbeddedStore, ended: str) -> None:
    """A run recorded in the provenance graph, as an ingest or an assessment records one."""
    store.write(
        add={
            Graphs.PROVENANCE: [
                ox.Triple(
                    ox.NamedNode(f"urn:x:run/{ended}"),
                    ox.NamedNode("http://www.w3.org/ns/prov#endedAtTime"),
                    ox.Literal(
                        ended, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
                    ),
                )
            ]
        }
    )


@pytest.fixture
def location(tmp_path: Path) -> Path:
    """A small store on disk: the vocabularies (the sources' licences, the ontology's
    creator), one record in the MOF source's graph and one run."""
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    try:
        load_vocabularies(store)
        store.write(add={MOF: [RECORD]})
        _run(store, "2026-01-02T03:04:05Z")
    finally:
        store.close()
    return path


def openness(location: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--store", str(location), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stderr


@contextmanager
def serving(location: Path) -> Iterator[tuple[EmbeddedStore, FlaskClient]]:
    """The store opened for writing and the app serving it, which sees its writes."""
    store = EmbeddedStore(location)
    try:
        yield store, create_app({"STORE": store, "TESTING": True}).test_client()
    finally:
        store.close()


def _download(client: FlaskClient, **headers: str) -> TestResponse:
    """The dump's answer, read and closed (the file it streams released)."""
    answer = client.get(DUMP, headers=headers)
    answer.get_data()  # kept by the response
    answer.close()
    return answer


def _stored(store: EmbeddedStore) -> list[ox.Quad]:
    return list(ox.parse(store.export(ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS))


def _catalogue(
    client: FlaskClient, accept: str = "text/turtle", fmt: str = "turtle"
) -> rdflib.Graph:
    answer = client.get("/catalog", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.mimetype == accept, answer.text
    return rdflib.Graph().parse(data=answer.data, format=fmt)


def _void(client: FlaskClient) -> rdflib.Graph:
    answer = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    return rdflib.Graph().parse(data=answer.data, format="turtle")


def test_the_dump_is_every_quad_of_the_store_with_its_graph(location: Path) -> None:
    """`openness dump` writes every quad, in its named graph, as gzipped N-Quads, served as
    the file it is (application/gzip, no content coding) with its SHA-256 as ETag, and
    ranges and conditional requests answered."""
    said = openness(location, "dump")
    with serving(location) as (store, client):
        answer = _download(client)
        assert answer.status_code == 200, answer.text
        assert answer.mimetype == "application/gzip" and "Content-Encoding" not in answer.headers
        body = answer.get_data()
        quads = list(ox.parse(gzip.decompress(body), ox.RdfFormat.N_QUADS))
        stored = _stored(store)
        assert len(quads) == len(stored) > 1000 and f"{len(stored)} quads" in said
        assert {q.graph_name for q in quads} == {q.graph_name for q in stored}
        assert ox.Quad(*RECORD, ox.NamedNode(MOF)) in quads  # a graph name kept
        sha256 = hashlib.sha256(body).hexdigest()
        assert answer.get_etag() == (sha256, False) and answer.last_modified
        again = _download(client, **{"If-None-Match": f'"{sha256}"'})
        assert again.status_code == 304
        part = _download(client, Range="bytes=10-19")
        assert part.status_code == 206 and part.get_data() == body[10:20]


def test_the_catalogue_describes_the_dataset_its_dump_and_its_endpoint(location: Path) -> None:
    """/catalog: one dcat:Dataset (VoID's) with title, description, publisher, the end of
    the latest run, each source graph's licence, the dump as a distribution (download URL,
    IANA media types, size, SHA-256) and the SPARQL endpoint as a data service; in each RDF
    format and as a page. VoID links the catalogue and the dump, the home page both."""
    openness(location, "dump")
    with serving(location) as (_, client):
        body = _download(client).get_data()
        g = _catalogue(client)
        assert (CATALOG, rdflib.RDF.type, DCAT.Catalog) in g
        assert (CATALOG, DCAT.dataset, DATASET) in g
        assert (DATASET, rdflib.RDF.type, DCAT.Dataset) in g
        for resource in (CATALOG, DATASET):
            assert g.value(resource, DCT.title) and g.value(resource, DCT.description)
            publisher = g.value(resource, DCT.publisher)
            assert str(g.value(publisher, rdflib.FOAF.name)) == "Openness Graph contributors"
            modified = g.value(resource, DCT.modified)
            assert modified.datatype == rdflib.XSD.dateTime
            assert modified.toPython() == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
        mof = rdflib.URIRef(MOF)
        assert (DATASET, DCT.hasPart, mof) in g
        assert g.value(mof, DCT.license) == rdflib.URIRef("https://spdx.org/licenses/MIT")
        (dump,) = g.subjects(DCAT.downloadURL, URL)
        assert (DATASET, DCAT.distribution, dump) in g and (DATASET, VOID.dataDump, URL) in g
        assert g.value(dump, DCAT.mediaType) == rdflib.URIRef(IANA + "application/n-quads")
        assert g.value(dump, DCAT.compressFormat) == rdflib.URIRef(IANA + "application/gzip")
        size = g.value(dump, DCAT.byteSize)
        assert size.datatype == rdflib.XSD.nonNegativeInteger and int(size) == len(body)
        checksum = g.value(dump, SPDX.checksum)
        assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        (service,) = g.subjects(rdflib.RDF.type, DCAT.DataService)
        assert g.value(service, DCAT.endpointURL) == rdflib.URIRef("http://localhost/sparql")
        assert g.value(service, DCT.conformsTo) == rdflib.URIRef(
            "https://www.w3.org/TR/sparql11-protocol/"
        )
        assert (service, DCAT.servesDataset, DATASET) in g and (CATALOG, DCAT.service, service) in g
        for accept, fmt in RDF_FORMATS:
            assert len(_catalogue(client, accept, fmt)) == len(g), accept
        page = client.get("/catalog", headers={"Accept": "text/html"})
        assert page.status_code == 200 and DUMP in page.text
        void = _void(client)
        assert (DATASET, VOID.dataDump, URL) in void
        assert (DATASET, rdflib.RDFS.seeAlso, rdflib.URIRef("http://localhost/catalog")) in void
        home = client.get("/", headers={"Accept": "text/html"}).text
        assert f'href="{DUMP}"' in home and 'href="/catalog"' in home


def _declared(folder: Path) -> set[rdflib.URIRef]:
    """The licences the headers (owl:Ontology) of a folder's Turtle files declare."""
    g = rdflib.Graph()
    for path in folder.glob("*.ttl"):
        g.parse(path, format="turtle")
    return {
        licence
        for document in g.subjects(rdflib.RDF.type, rdflib.OWL.Ontology)
        for p in (DCT.license, SCHEMA.license)
        for licence in g.objects(document, p)
    }


def test_the_vocabulary_and_shapes_graphs_state_the_licence_their_documents_declare(
    location: Path,
) -> None:
    """VoID and the catalogue gave the ontology graph no licence though
    ontology/openness.ttl's header declares CC BY 4.0: each of the vocabulary's and the
    shapes' graphs states the licences its documents declare (dcterms: or schema:license),
    as the store holds them, so a licence a shapes file's header gains is stated too; the
    graphs the tool computes still state none."""
    ontology, shapes = rdflib.URIRef(Graphs.ONTOLOGY), rdflib.URIRef(Graphs.SHAPES)
    declared = _declared(ontology_dir())
    assert declared  # the data this test is about: openness.ttl's CC BY 4.0
    with serving(location) as (store, client):
        for g in (_void(client), _catalogue(client)):
            assert set(g.objects(ontology, DCT.license)) == declared
            assert set(g.objects(shapes, DCT.license)) == _declared(shapes_dir())
            assert g.value(rdflib.URIRef(Graphs.PROVENANCE), DCT.license) is None
        assert (DATASET, DCT.hasPart, ontology) in _catalogue(client)
        gained = ox.NamedNode("https://spdx.org/licenses/CC0-1.0")
        checks = ox.NamedNode("https://w3id.org/openness-graph/shapes/checks")
        store.write(add={Graphs.SHAPES: [ox.Triple(checks, ox.NamedNode(SCHEMA.license), gained)]})
        for g in (_void(client), _catalogue(client)):
            assert rdflib.URIRef(gained.value) in set(g.objects(shapes, DCT.license))


def test_the_void_description_is_a_page_for_a_browser_and_rdf_for_programs(
    location: Path,
) -> None:
    """/.well-known/void answered text/html 406, and a browser (which also takes XML and
    anything) RDF to download: it is a page there, as the catalogue is, and RDF for an RDF
    Accept header, for */* (a program at a well-known path) and by format=."""
    openness(location, "dump")
    with serving(location) as (_, client):
        for accept in ("text/html", BROWSER):
            page = client.get("/.well-known/void", headers={"Accept": accept})
            assert page.status_code == 200 and page.mimetype == "text/html", accept
            assert "Openness Graph: VoID description" in page.text and MOF in page.text
            assert 'href="?format=ttl"' in page.text
        rdf = _void(client)
        assert (DATASET, VOID.subset, rdflib.URIRef(MOF)) in rdf
        for accept, fmt in (("*/*", "turtle"), *RDF_FORMATS):
            answer = client.get("/.well-known/void", headers={"Accept": accept})
            assert answer.status_code == 200 and answer.mimetype != "text/html", accept
            assert len(rdflib.Graph().parse(data=answer.data, format=fmt)) == len(rdf), accept
        for asked, media in (("ttl", "text/turtle"), ("nq", "application/n-quads")):
            answer = client.get(f"/.well-known/void?format={asked}", headers={"Accept": BROWSER})
            assert answer.mimetype == media, asked


def test_a_deployment_names_its_own_publisher(
    location: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`openness serve --publisher IRI --publisher-name NAME` makes that agent the
    catalogue's publisher (a deployment of someone else's data is not ours); an option
    that is no absolute IRI, or a name without the agent, is refused before serving."""
    served: dict = {}
    monkeypatch.setattr(
        "openness.server.serve.run_server", lambda app, **kw: served.update(app.config)
    )
    ror = "https://ror.org/05gq02987"
    args = ["--store", str(location), "serve", "--publisher", ror]
    result = CliRunner().invoke(cli, [*args, "--publisher-name", "Example Lab"])
    assert result.exit_code == 0, result.output
    store = EmbeddedStore(location)
    try:
        # What serve gave the app about its publisher (the rest of its configuration would
        # query the store by path, in other processes, while this one holds it open).
        given = {k: served[k] for k in ("PUBLISHER", "PUBLISHER_NAME")}
        app = create_app({"STORE": store, "TESTING": True, **given})
        g = _catalogue(app.test_client())
    finally:
        store.close()
    for resource in (CATALOG, DATASET):
        assert g.value(resource, DCT.publisher) == rdflib.URIRef(ror)
    assert (rdflib.URIRef(ror), rdflib.RDF.type, rdflib.FOAF.Agent) in g
    assert str(g.value(rdflib.URIRef(ror), rdflib.FOAF.name)) == "Example Lab"
    assert "Openness Graph contributors" not in set(map(str, g.objects(None, rdflib.FOAF.name)))
    served.clear()
    refused = CliRunner().invoke(cli, [*args[:-1], "Example Lab"])
    assert refused.exit_code == 2 and "not an absolute IRI" in refused.output
    alone = CliRunner().invoke(cli, [*args[:-2], "--publisher-name", "Example Lab"])
    assert alone.exit_code == 2 and "--publisher" in alone.output and not served


def test_without_a_dump_the_route_says_how_to_write_one(location: Path) -> None:
    """A store never dumped (a fresh clone's before its build ends): 404 saying what
    writes one; the catalogue still describes the dataset and its endpoint, not a dump.
    A store in memory keeps none."""
    with serving(location) as (_, client):
        answer = _download(client)
        assert answer.status_code == 404 and answer.mimetype == "text/plain"
        assert "`openness dump`" in answer.text
        assert "once the server serving the store, if one does, is stopped" in answer.text
        g = _catalogue(client)
        assert (CATALOG, DCAT.dataset, DATASET) in g
        assert next(g.subjects(rdflib.RDF.type, DCAT.DataService), None) is not None
        assert not list(g.subjects(DCAT.downloadURL, None))
        assert not list(_void(client).objects(DATASET, VOID.dataDump))
        assert DUMP not in client.get("/", headers={"Accept": "text/html"}).text
    memory = create_app({"STORE": EmbeddedStore(None), "TESTING": True}).test_client()
    answer = memory.get(DUMP)
    assert answer.status_code == 404 and "in memory" in answer.text


def test_a_graph_over_the_result_limit_points_to_the_dump_and_the_named_graphs(
    location: Path,
) -> None:
    """GET /store?default over the result size limit was a 413 saying to narrow a query or
    add LIMIT, which a Graph Store request has not: it says where the triples are to be had
    — the dump of the whole dataset while it is current, each named graph at
    /store?graph=IRI (listed by the catalogue) — in its text and as Link headers. A named
    graph over the limit points to the dump and to paged queries."""
    openness(location, "dump")

    def get(path: str) -> TestResponse:
        # Served as `openness serve` serves, its queries in processes of their own.
        app = create_app(
            {"STORE_LOCATION": str(location), "TESTING": True, "MAX_RESULT_BYTES": 2000}
        )
        try:
            return app.test_client().get(path, headers={"Accept": "text/turtle"})
        finally:
            current_guard(app).close()

    default, named = get("/store?default"), get(f"/store?graph={Graphs.ONTOLOGY}")
    for answer in (default, named):
        assert answer.status_code == 413 and answer.mimetype == "text/plain"
        assert f"limit of 2000 bytes; the whole dataset is at {URL}" in answer.text
        assert answer.headers["Link"] == (
            f'<{URL}>; rel="alternate"; type="application/gzip", '
            '<http://localhost/catalog>; rel="describedby"'
        )
    assert "the default graph (the union of the named graphs) is larger" in default.text
    assert "each named graph at /store?graph=IRI" in default.text
    assert f"the graph <{Graphs.ONTOLOGY}> is larger" in named.text
    assert "a page at a time at /sparql" in named.text
    store = EmbeddedStore(location)
    _run(store, "2026-02-03T04:05:06Z")  # the dump no longer holds what the store holds
    store.close()
    answer = get("/store?default")
    assert answer.status_code == 413 and "no current dump of the whole dataset" in answer.text
    assert answer.headers["Link"] == '<http://localhost/catalog>; rel="describedby"'
    small = get(f"/store?graph={MOF}")
    assert small.status_code == 200 and small.mimetype == "text/turtle"


def test_a_write_after_the_dump_withdraws_it(location: Path) -> None:
    """A write to the store after its dump (an ingest, /update) leaves no current dump until
    it is written again: not served, not in the catalogue nor in VoID."""
    openness(location, "dump")
    with serving(location) as (store, client):
        assert _download(client).status_code == 200
        store.write(add={MOF: [ox.Triple(RECORD.subject, RECORD.predicate, ox.Literal("Y"))]})
        answer = _download(client)
        assert answer.status_code == 404 and "written after its dump" in answer.text
        assert not list(_catalogue(client).subjects(DCAT.downloadURL, None))
        assert not list(_void(client).objects(DATASET, VOID.dataDump))
    openness(location, "dump")
    with serving(location) as (store, client):
        quads = gzip.decompress(_download(client).get_data()).count(b"\n")
        assert quads == len(_stored(store))


def test_a_store_whose_latest_run_is_not_the_dumps_is_not_offered(location: Path) -> None:
    """A store written by other means (another version, a store put in its place) beside a
    dump whose record survived: its latest run is not the dump's, so the dump is not
    offered as current."""
    openness(location, "dump")
    record = location.with_name("store-dump") / "dump.json"
    kept = record.read_bytes()
    with serving(location) as (store, client):
        _run(store, "2026-02-03T04:05:06Z")
        record.write_bytes(kept)  # as a writer that does not withdraw it leaves it
        answer = _download(client)
        assert answer.status_code == 404
        assert "2026-01-02T03:04:05Z" in answer.text and "2026-02-03T04:05:06Z" in answer.text
        assert not list(_catalogue(client).subjects(DCAT.downloadURL, None))


def test_a_server_reading_the_store_from_before_the_dump_says_to_restart(
    location: Path,
) -> None:
    """A server opens the store read-only when it starts and never sees a later write: a
    command run beside it (assess, history) wrote the store and its dump again, and the 404
    told to run `openness dump`, which changed nothing. The dump's run is after the one the
    server reads: it says to restart the server."""
    openness(location, "dump")
    record = location.with_name("store-dump") / "dump.json"
    written = json.loads(record.read_text())
    record.write_text(json.dumps({**written, "modified": "2026-02-03T04:05:06.123456Z"}))
    with serving(location) as (_, client):
        answer = _download(client)
        assert answer.status_code == 404
        assert "restart it to serve what was written since" in answer.text
        assert "`openness dump`" not in answer.text
        assert "2026-01-02T03:04:05Z" in answer.text and "2026-02-03T04:05:06" in answer.text


@contextmanager
def served(location: Path) -> Iterator[str]:
    """`openness serve` on ``location`` in a process of its own, holding the store: how a
    command refused names it."""
    port = free_port()
    args = ["--port", str(port), "--workers", "1", "--query-processes", "1"]
    server = subprocess.Popen(
        [sys.executable, "-m", "openness.cli", "--store", str(location), "serve", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Said once it holds the store, before gunicorn starts.
        assert any(line.startswith("serving on") for line in server.stderr)
        yield f"`openness serve` (pid {server.pid}) on http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.communicate()


def test_a_command_that_writes_is_refused_while_a_server_serves_the_store(
    location: Path,
) -> None:
    """`openness serve` reads the store as it was when it started: the commands the README's
    tour runs beside it (assess, history, dump) wrote the store, which Oxigraph leaves
    undefined beside a reader, and the server went on serving what it had read. They are
    refused while it runs, naming it, its pid and address (--force writes all the same);
    once it has stopped they run, and a server started next is named alone. A command that
    only reads runs beside it and writes nothing in the store's folder (opened as RocksDB's
    primary, it wrote a new MANIFEST, log and OPTIONS there)."""
    openness(location, "dump")
    dumped = location.with_name("store-dump")
    with served(location) as first:
        files, record = sorted(location.iterdir()), (dumped / "dump.json").read_text()
        openness(location, "stats")
        assert sorted(location.iterdir()) == files
        for command in ("dump", "init"):
            refused = CliRunner().invoke(cli, ["--store", str(location), command])
            assert refused.exit_code == 1, refused.output
            assert f"{first} serves the store at {location} as it was" in refused.stderr
            assert "stop it, run this again" in refused.stderr
            assert "give --force" in refused.stderr
        assert sorted(location.iterdir()) == files
        assert (dumped / "dump.json").read_text() == record
        assert f"warning: {first} serves the store" in openness(location, "dump", "--force")
    with served(location) as second:
        refused = CliRunner().invoke(cli, ["--store", str(location), "dump"])
        assert refused.exit_code == 1
        assert f"Error: {second} serves the store" in refused.stderr
    assert "warning" not in openness(location, "dump")


def test_an_app_serving_a_store_by_its_location_holds_it(location: Path) -> None:
    """An app given the store's folder (run by gunicorn or another WSGI server, not by
    `openness serve`) holds the store while it has it open, as `openness serve` does; a
    build of a store that holds all a build writes reads that without writing, so a second
    `make serve` beside the first starts."""
    store = EmbeddedStore(location)
    verdict = ox.Triple(ox.NamedNode("urn:x:verdict"), RECORD.predicate, ox.Literal("passed"))
    store.write(add={Graphs.ASSESSMENTS: [verdict]})  # built from no source: no history
    store.close()
    openness(location, "dump")
    app = create_app({"STORE_LOCATION": str(location), "TESTING": True})
    try:
        assert _download(app.test_client()).status_code == 200  # the store opened
        refused = CliRunner().invoke(cli, ["--store", str(location), "dump"])
        assert refused.exit_code == 1
        assert f"a server (pid {os.getpid()}) serves the store at {location}" in refused.stderr
        said = openness(location, "build", "--if-missing")
        assert "already built; nothing to do" in said
    finally:
        current_guard(app).close()
        app.config["STORE"].close()
    openness(location, "dump")


def test_a_dump_is_replaced_whole_or_not_at_all(
    location: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dump that fails half-way leaves the previous one served whole and nothing of its
    own; one that completes replaces it, and a reader who opened the previous file reads
    it to its end."""
    openness(location, "dump")
    folder = location.with_name("store-dump")
    before = sorted(p.name for p in folder.iterdir())
    with serving(location) as (_, client):
        first = _download(client).get_data()

    def cut(self: EmbeddedStore, output: object, fmt: ox.RdfFormat) -> None:
        output.write(self.export(fmt)[:100_000])  # type: ignore[attr-defined]
        raise OSError("No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(EmbeddedStore, "export_into", cut)
        result = CliRunner().invoke(cli, ["--store", str(location), "dump"])
    assert result.exit_code != 0 and "No space left" in str(result.exception)
    assert sorted(p.name for p in folder.iterdir()) == before  # no part left behind
    with serving(location) as (store, client):
        assert _download(client).get_data() == first
        store.write(add={MOF: [ox.Triple(RECORD.subject, RECORD.predicate, ox.Literal("Y"))]})
    (old,) = folder.glob("openness-*.nq.gz")
    with old.open("rb") as reader:
        openness(location, "dump")
        assert reader.read() == first
    (new,) = folder.glob("openness-*.nq.gz")
    assert new != old and not old.exists()
    with serving(location) as (store, client):
        second = _download(client).get_data()
        assert second != first
        assert gzip.decompress(second).count(b"\n") == len(_stored(store))


def test_build_and_the_commands_that_write_keep_the_dump(location: Path) -> None:
    """`build --if-missing` on a built store without a dump (what `make serve` runs) writes
    it; a command that writes the graph writes a kept dump again; a store in memory keeps
    none."""
    with serving(location) as (store, _):  # the assessments graph marks a finished build
        store.write(add={Graphs.ASSESSMENTS: [RECORD]})
    said = openness(location, "build", "--if-missing")
    assert "the whole dataset:" in said
    with serving(location) as (_, client):
        assert _download(client).status_code == 200
    said = openness(location, "init")  # its writes withdraw the dump: it writes it again
    assert "the whole dataset:" in said
    with serving(location) as (_, client):
        assert _download(client).status_code == 200
    result = CliRunner().invoke(cli, ["--store", ":memory:", "dump"])
    assert result.exit_code == 1 and "only a store on disk keeps a dump" in result.stderr


def test_a_command_that_wrote_nothing_leaves_the_dump_as_it_was(location: Path) -> None:
    """An assessment with no model to judge writes nothing: the dump still holds what the
    store holds and is not written again (the whole dataset, at the Hub's scale minutes);
    a command that wrote (init) writes it again."""
    openness(location, "dump")
    (written,) = location.with_name("store-dump").glob("openness-*.nq.gz")
    when = written.stat().st_mtime_ns
    said = openness(location, "assess")
    assert "assessed 0 models" in said and "the whole dataset:" not in said
    assert written.stat().st_mtime_ns == when
    assert "the whole dataset:" in openness(location, "init")


def test_a_dump_killed_half_way_leaves_no_part_behind_the_next(location: Path) -> None:
    """A dump killed before its end (no `finally` runs) leaves its temporary file, as large
    as the dump so far; the next dump removes it, where each kill left one for good."""
    openness(location, "dump")
    folder = location.with_name("store-dump")
    killed = folder / ".k1ll3d_x.part"  # named as tempfile.mkstemp names the dump's
    killed.write_bytes(b"\x1f\x8b" + b"\0" * 1000)
    openness(location, "dump")
    assert not killed.exists()
    assert sorted(p.suffix for p in folder.iterdir()) == [".gz", ".json"]
