"""The ``openness`` command on a fresh store, embedded and remote."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click
import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import free_port
from flask import Flask
from support.fake_engine import Endpoint, serving

from openness import resources
from openness.assess.definitions import definitions
from openness.assess.service import FEW_MODELS
from openness.cli import StoreOptions, _asked_apart, _can_listen, cli
from openness.named_queries import NamedQuery
from openness.namespaces import VOID, Graphs
from openness.resources import queries_dir, sources_dir
from openness.store import EmbeddedStore, GraphStore, RemoteStore, holders, open_store
from openness.store import dump as dumps
from openness.store.errors import StoreError
from openness.store.summary import SUMMARY


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def store_args(request: pytest.FixtureRequest, tmp_path: Path) -> list[str]:
    """Global options selecting a fresh store on each backend."""
    if request.param == "embedded":
        return ["--store", str(tmp_path / "store")]
    if request.param == "virtuoso":  # Virtuoso takes updates at its query endpoint
        url = request.getfixturevalue("virtuoso_server")
        store = open_store(endpoint=url, update_endpoint=url)
        for graph in store.graph_sizes():
            store.drop_graph(graph)
        store.close()
        return ["--endpoint", url, "--update-endpoint", url]
    base = request.getfixturevalue("oxigraph_server")
    httpx.post(
        base + "/update", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}
    )
    return ["--endpoint", base + "/query"]


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_stats_json_on_a_fresh_store(store_args: list[str]) -> None:
    if "--store" in store_args:  # an empty store: a store not named does not exist
        open_store(store_args[store_args.index("--store") + 1]).close()
    code, out, _ = run([*store_args, "stats", "--format", "json"])
    assert code == 0
    stats = json.loads(out)
    for key in (
        "triples",
        "graphs",
        "models",
        "datasets",
        "organizations",
        "licenses",
        "verdicts",
        "publishedVerdicts",
    ):
        assert key in stats
    assert stats["triples"] == 0


def test_build_if_missing_skips_only_a_finished_build(store_args: list[str]) -> None:
    assert run([*store_args, "init"])[0] == 0
    stats = json.loads(run([*store_args, "stats", "--format", "json"])[1])
    assert stats["triples"] > 1000
    # The assessments graph is written last: its presence marks a build that finished.
    store = opened(store_args)
    try:
        store.update(f"INSERT DATA {{ GRAPH <{Graphs.ASSESSMENTS}> {{ <urn:s> <urn:p> 1 }} }}")
        # As a store built before the vocabulary summary existed: the build describes it.
        store.drop_graph(SUMMARY)
        assert not store.described()
    finally:
        store.close()
    code, _, err = run([*store_args, "build", "--if-missing"])
    assert code == 0 and "already built" in err and "describing the vocabulary" in err
    store = opened(store_args)
    try:
        described = store.query(
            f"SELECT ?t WHERE {{ GRAPH <{SUMMARY}> {{ ?x <{VOID}property> ?t }} }}"
        ).rows()
    finally:
        store.close()
    assert ox.NamedNode("urn:p") in {r["t"] for r in described}  # used by that triple alone


def test_build_if_missing_lays_the_store_out_for_reading_after_writing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full build compacts its store for serving (optimize); a completed one kept the
    layout its writes left. It compacts it once, after steps that wrote the store, and not
    when none was needed or only the dump, written beside the store, was."""
    location = tmp_path / "store"
    assert run(["--store", str(location), "init"])[0] == 0
    store = open_store(str(location))
    try:
        store.update(f"INSERT DATA {{ GRAPH <{Graphs.ASSESSMENTS}> {{ <urn:s> <urn:p> 1 }} }}")
        store.drop_graph(SUMMARY)  # a step to complete: describing the vocabulary
    finally:
        store.close()
    optimized: list[EmbeddedStore] = []
    optimize = EmbeddedStore.optimize

    def spied(self: EmbeddedStore) -> None:
        optimized.append(self)
        optimize(self)

    monkeypatch.setattr(EmbeddedStore, "optimize", spied)
    code, _, err = run(["--store", str(location), "build", "--if-missing"])
    assert code == 0 and "describing the vocabulary" in err and "the whole dataset:" in err
    assert len(optimized) == 1
    shutil.rmtree(dumps.folder(location))
    code, _, err = run(["--store", str(location), "build", "--if-missing"])
    assert code == 0 and "the whole dataset:" in err and "describing" not in err
    code, _, err = run(["--store", str(location), "build", "--if-missing"])
    assert code == 0 and "nothing to do" in err
    assert len(optimized) == 1


def opened(store_args: list[str]) -> GraphStore:
    """The store the global options ``store_args`` select."""
    if "--endpoint" not in store_args:
        return open_store(store_args[1])
    options = dict(zip(store_args[::2], store_args[1::2], strict=True))
    return open_store(
        endpoint=options["--endpoint"], update_endpoint=options.get("--update-endpoint")
    )


def test_query_prints_csv_with_header(store_args: list[str]) -> None:
    run([*store_args, "init"])
    code, out, _ = run(
        [*store_args, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"]
    )
    assert code == 0
    header, value = out.strip().splitlines()
    assert header == "n" and int(value) > 1000


def test_query_from_file_and_graph_formats(store_args: list[str], tmp_path: Path) -> None:
    run([*store_args, "init"])
    q = tmp_path / "q.rq"
    q.write_text("CONSTRUCT { og:Model rdfs:label ?l } WHERE { og:Model rdfs:label ?l }")
    code, out, _ = run([*store_args, "query", str(q), "--format", "nt"])
    assert code == 0
    assert out.strip() == (
        "<https://w3id.org/openness-graph/ns#Model> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Model"@en .'
    )
    code, _, _ = run([*store_args, "query", str(q), "--format", "csv"])
    assert code == 2  # a graph cannot be written as CSV: usage error


def test_query_syntax_error_exits_2_with_the_parser_message(
    store_args: list[str], request: pytest.FixtureRequest
) -> None:
    run([*store_args, "init"])
    code, _, err = run([*store_args, "query", "SELECT ?x WHERE { ?x ?p }"])
    assert code == 2
    assert "does not parse" in err and "1:" in err
    # Braces that do not pair up are counted before the engine's words and position.
    code, _, err = run([*store_args, "query", "SELECT ?x WHERE { { ?x ?p ?o }"])
    assert code == 2
    assert "does not parse: 2 '{' but 1 '}': a '{' is not closed; " in err
    # A misspelled keyword is named where it stands, not where the parser gave up (by
    # Virtuoso's own words, which the query is sent to unparsed, where it is the engine).
    code, _, err = run([*store_args, "query", "SELECT ?x WHERE { ?x ?p ?o } LIMT 1"])
    assert code == 2
    if request.node.callspec.params["store_args"] == "virtuoso":
        assert "syntax error at 'LIMT'" in err
    else:
        assert "does not parse: error at 1:30: 'LIMT' is not a SPARQL keyword (LIMIT?)" in err


def test_a_prefix_not_declared_is_named_with_those_that_are(tmp_path: Path) -> None:
    """Oxigraph's words ('expected one of Prefix not found, …' and every character a name
    may hold) named no prefix."""
    store = ["--store", str(tmp_path / "store")]
    run([*store, "init"])
    code, _, err = run([*store, "query", "SELECT * WHERE { ?m a og:Model ; dct:title ?t }"])
    assert code == 2 and "Prefix not found" not in err
    assert "error at 1:43: the prefix 'dct:' is not declared: declare it (PREFIX dct: <…>)" in err
    assert "dcterms:" in err


def test_a_function_the_engine_lacks_exits_2_naming_it(tmp_path: Path) -> None:
    """Oxigraph raises a function it does not have as it raises a store failing: a
    traceback once."""
    store = ["--store", str(tmp_path / "store")]
    run([*store, "init"])
    code, _, err = run([*store, "query", "SELECT * { ?s ?p ?o FILTER(<urn:x:f>(?o)) }"])
    assert code == 2 and "Traceback" not in err
    assert "cannot be answered: The custom function <urn:x:f> is not supported" in err


def test_query_file_parameters_are_bound_with_param(tmp_path: Path) -> None:
    """--param binds a query file's parameters as the server binds a named query's: typed,
    defaults from the header, a missing required one or an unknown name a usage error."""
    store = ["--store", str(tmp_path / "store")]
    run([*store, "init"])
    q = tmp_path / "labels.rq"
    q.write_text(
        "#+ summary: a class's label in a language\n#+ defaults:\n#+   - lang: en\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?l WHERE { ?_class_iri rdfs:label ?l FILTER (lang(?l) = ?_lang) }\n"
    )
    model = "--param=class=https://w3id.org/openness-graph/ns#Model"
    code, out, _ = run([*store, "query", str(q), model])
    assert code == 0 and out.split() == ["l", "Model"]
    code, out, _ = run([*store, "query", str(q), model, "-p", "lang=fr"])
    assert code == 0 and out.split() == ["l"]
    code, _, err = run([*store, "query", str(q)])
    assert code == 2 and "'class'" in err
    code, _, err = run([*store, "query", str(q), model, "-p", "language=en"])
    assert code == 2 and "no parameter language" in err and "class, lang" in err
    code, _, err = run([*store, "query", str(q), "-p", "class=not an iri"])
    assert code == 2 and "bad parameter value" in err
    code, _, err = run([*store, "query", "SELECT * {}", "-p", "a=b"])
    assert code == 2 and "query file" in err


def test_a_named_query_runs_by_its_name_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/queries/models-passing is `openness query models-passing`, from any folder: the
    name was read as SPARQL ('expected CONSTRUCT'), and with --param refused as inline
    text; a name that is no named query says so beside the parser's words."""
    store = ["--store", str(tmp_path / "store")]
    run([*store, "init"])
    monkeypatch.chdir(tmp_path)
    code, out, err = run([*store, "query", "models-passing", "-p", "definition=mof-1.0"])
    assert code == 0, err
    assert out.splitlines() == ["model,name,level,score"]
    code, _, err = run([*store, "query", "models-passing", "-p", "defn=mof-1.0"])
    assert code == 2 and "no parameter defn" in err
    code, _, err = run([*store, "query", "model-passing"])
    assert code == 2 and "does not parse" in err and "'model-passing' is no named query" in err
    twice = ["-p", "definition=mof-1.0", "-p", "definition=osaid-1.0"]
    code, _, err = run([*store, "query", "models-passing", *twice])
    assert code == 2 and "takes one value of definition, not several" in err


def test_a_named_query_refuses_a_value_outside_its_parameters_values(tmp_path: Path) -> None:
    """`--param definition=nope` ran the query and printed no row: refused naming the
    definition ids the store holds, as /queries/models-passing?definition=nope is."""
    store = ["--store", str(tmp_path / "store")]
    run([*store, "init"])
    code, _, err = run([*store, "query", "models-passing", "-p", "definition=nope"])
    ids = ", ".join(sorted(definitions()))
    assert code == 2
    refused = "models-passing.rq: bad parameter value: definition: 'nope' is not one of its"
    assert f"{refused} values: {ids}" in err
    code, out, err = run([*store, "query", "models-passing", "-p", "definition=eu-osai-index"])
    assert code == 0 and out.splitlines() == ["model,name,level,score"], err


def test_a_named_querys_parameters_are_bound_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The --param values were bound three times for one run: checked without the store,
    checked again against the enumerated values, and bound for the run. One path checks
    and binds them, once."""
    store = ["--store", str(tmp_path / "store")]
    run([*store, "init"])
    bound = []
    bindings = NamedQuery.bindings

    def counted(self: NamedQuery, *args: object) -> dict[str, ox.NamedNode | ox.Literal]:
        bound.append(self.name)
        return bindings(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(NamedQuery, "bindings", counted)
    code, out, err = run([*store, "query", "models-passing", "-p", "definition=mof-1.0"])
    assert code == 0 and out.splitlines() == ["model,name,level,score"], err
    assert bound.count("models-passing") == 1, bound


def test_a_missing_parameter_is_refused_before_the_store_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query file's required parameter not given was refused once the store was opened
    and the values of its enumerated parameters asked of it (a query each, the answer
    then dropped): it needs no store, and none is asked."""
    store = ["--store", str(tmp_path / "store")]
    run([*store, "init"])
    default = "#+ defaults:\n#+   - definition: osaid-1.0\n"
    for name in ("models-passing", "definition-ids"):  # the second enumerates the first's
        text = (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
        (tmp_path / f"{name}.rq").write_text(text.replace(default, ""), encoding="utf-8")
    asked: list[str] = []
    query = EmbeddedStore.query

    def counted(self: EmbeddedStore, sparql: str, **kwargs: object) -> object:
        asked.append(sparql)
        return query(self, sparql, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(EmbeddedStore, "query", counted)
    code, _, err = run([*store, "query", str(tmp_path / "models-passing.rq")])
    assert code == 2, err
    assert "needs the parameter 'definition': give it with --param NAME=VALUE" in err
    assert asked == []
    code, out, err = run(
        [*store, "query", str(tmp_path / "models-passing.rq"), "-p", "definition=mof-1.0"]
    )
    assert code == 0 and out.splitlines() == ["model,name,level,score"], err
    assert len(asked) == 2  # the definitions' ids, then the query


def test_a_query_file_runs_whatever_its_group_concats(tmp_path: Path) -> None:
    """A file of one's own whose GROUP_CONCAT is inside another call, or joins a call of
    a call, is plain SPARQL, which `openness query FILE` runs: since the catalogue's
    files name their joined columns (c769a14) it was refused ('a GROUP_CONCAT not
    written as …'), though it asks no sorting; the catalogue still checks its own."""
    store = ["--store", str(tmp_path / "store")]
    run([*store, "init"])
    prefix = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    where = "WHERE { og:Model rdfs:label ?l } GROUP BY ?x"
    for select, value in (
        ('(CONCAT("labels: ", GROUP_CONCAT(?l; SEPARATOR=", ")) AS ?all)', "labels: Model"),
        ('(GROUP_CONCAT(STR(COALESCE(?l, ?x)); SEPARATOR=", ") AS ?all)', "Model"),
    ):
        q = tmp_path / "own.rq"
        q.write_text(f"{prefix}SELECT {select} {where}\n")
        code, out, err = run([*store, "query", str(q), "--format", "csv"])
        assert code == 0, err
        assert out.splitlines() == ["all", value]


def test_ingest_into_a_store_without_vocabularies_loads_them(tmp_path: Path) -> None:
    """A first ingest into a fresh store used to link no record to a model (the
    vocabularies were missing) and exit 0 with '0 models'."""
    store = ["--store", str(tmp_path / "store")]
    code, _, err = run([*store, "ingest", "mof"])
    assert code == 0 and "the store had no vocabularies: loaded" in err
    code, out, _ = run(
        [*store, "query", 'ASK { ?m a og:Model ; schema:name "OLMo-7B" }', "--format", "json"]
    )
    assert code == 0 and json.loads(out)["boolean"] is True
    code, _, err = run([*store, "ingest", "mof"])  # they are there now: not loaded again
    assert code == 0 and "no vocabularies" not in err


def test_reading_a_default_store_that_does_not_exist_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run outside the checkout with no --store, a command used to create an empty
    ./var/store and report 0 models; the default store is the project's var/store, and a
    command that only reads it says it is missing."""
    home = tmp_path / "home"
    (home / "ontology").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("OPENNESS_HOME", str(home))
    monkeypatch.delenv("OPENNESS_STORE", raising=False)
    for command in (["stats"], ["query", "ASK {}"], ["report"], ["serve"]):
        code, _, err = run(command)
        assert code == 1 and f"no store at {home / 'var' / 'store'}" in err, command
        assert "openness build" in err and "--store" in err
    assert not (elsewhere / "var").exists() and not (home / "var").exists()


def test_serve_on_a_port_in_use_stops_at_once_saying_so(tmp_path: Path) -> None:
    """`openness serve` (`make serve` with a PORT another server holds) said "serving on
    http://127.0.0.1:PORT/" and then gunicorn's "Connection in use" ten times over five
    seconds and "Can't connect to ('127.0.0.1', PORT)": never served, though it said so.
    It stops before anything else, naming the port and how to choose another."""
    open_store(tmp_path / "store").close()  # a store to serve (empty: the port is the point)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, out, err = run(["--store", str(tmp_path / "store"), "serve", "--port", str(port)])
    assert code == 1 and "serving on" not in out + err, (code, out, err)
    assert f"cannot serve on 127.0.0.1:{port}: the address is in use" in err, err
    assert "--port" in err and "PORT=" in err, err


def _ipv6_loopback() -> bool:
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_serve_checks_an_ipv6_address_as_gunicorn_binds_it() -> None:
    """gunicorn binds an IPv6 address written in brackets (`--host [::1]`, the only way
    its bind takes one) and ``::`` for both IPv6 and IPv4 where the system does: the check
    before it took the brackets for a host name ('Name or service not known') and stopped
    a server that would have served, and bound ``::`` for IPv6 alone, passing a port an
    IPv4 program held."""
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as free:
        port = free.getsockname()[1]
    _can_listen("[::1]", port)  # free: no error
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as taken:
        with pytest.raises(click.ClickException, match="the address is in use"):
            _can_listen("[::1]", taken.getsockname()[1])
    if Path("/proc/sys/net/ipv6/bindv6only").read_text().strip() != "0":
        return  # (`::` is IPv6 alone here)
    with socket.create_server(("0.0.0.0", 0)) as taken:
        with pytest.raises(click.ClickException, match="the address is in use"):
            _can_listen("::", taken.getsockname()[1])


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Flask, dict]]:
    """What `openness serve` hands gunicorn (the app and the options), each run's in turn,
    with gunicorn's application replaced so that nothing is served."""
    from openness.server import serve

    handed: list[tuple[Flask, dict]] = []

    class Gunicorn:
        def __init__(self, app: Flask, options: dict) -> None:
            handed.append((app, options))

        def run(self) -> None:
            pass

    monkeypatch.setattr(serve, "_Gunicorn", Gunicorn)
    return handed


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_serve_on_an_ipv6_address_binds_it_as_gunicorn_reads_one(
    tmp_path: Path, served: list[tuple[Flask, dict]]
) -> None:
    """`openness serve --host ::1` said 'serving on http://::1:PORT/' and gunicorn, bound
    to '::1:PORT', read a port of '' and stopped ("'' is not a valid port number"): its
    bind, as a URL, writes an IPv6 address in brackets."""
    from gunicorn.util import parse_address

    open_store(tmp_path / "store").close()
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as free:
        port = free.getsockname()[1]
    for host in ("::1", "[::1]"):
        args = ["--store", str(tmp_path / "store"), "serve", "--host", host, "--port", str(port)]
        code, out, err = run(args)
        assert code == 0, (code, out, err)
        assert parse_address(served.pop()[1]["bind"]) == ("::1", port)
        assert f"serving on http://[::1]:{port}/" in out + err, out + err


@pytest.mark.parametrize("given", ["--proxy-hops", "OPENNESS_PROXY_HOPS"])
def test_serve_trusts_a_proxys_forwarded_address_when_told_how_many_proxies(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    served: list[tuple[Flask, dict]],
    given: str,
) -> None:
    """`openness serve --proxy-hops N` (or OPENNESS_PROXY_HOPS, which `make serve` passes
    on) makes the server read a client's address from X-Forwarded-For; not given, the
    header is ignored (tests/test_guard.py has the addresses read)."""
    open_store(tmp_path / "store").close()
    args = ["--store", str(tmp_path / "store"), "serve", "--port", "0"]
    if given.startswith("--"):
        args += [given, "1"]
    else:
        monkeypatch.setenv(given, "1")
    for told in (True, False):
        code, out, err = run(args)
        assert code == 0, (code, out, err)
        caplog.clear()
        with caplog.at_level("INFO", logger="openness.server"):
            served.pop()[0].test_client().get(
                "/health",
                headers={"X-Forwarded-For": "198.51.100.9"},
                environ_base={"REMOTE_ADDR": "192.0.2.7"},
            )
        client = "198.51.100.9" if told else "192.0.2.7"
        assert f"{client} GET /health 200 " in caplog.text, caplog.text
        args = args[:5]
        monkeypatch.delenv("OPENNESS_PROXY_HOPS", raising=False)


@pytest.mark.parametrize("given", ["--public-url", "OPENNESS_PUBLIC_URL"])
def test_serve_takes_the_public_url_its_links_name(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    served: list[tuple[Flask, dict]],
    given: str,
) -> None:
    """`openness serve --public-url URL` (or OPENNESS_PUBLIC_URL, which `make serve`
    passes on) is the address the served app writes its links under
    (tests/test_public_url.py reads them), under its path if it has one; a URL with a
    query, or a path beginning as the server's own addresses, is refused, naming it, before
    any server starts."""
    open_store(tmp_path / "store").close()
    args = ["--store", str(tmp_path / "store"), "serve", "--port", "0"]

    def serve_at(url: str) -> tuple[int, str]:
        if given.startswith("--"):
            code, out, err = run([*args, given, url])
        else:
            monkeypatch.setenv(given, url)
            code, out, err = run(args)
        return code, out + err

    code, said = serve_at("https://graph.example.org")
    assert code == 0, said
    assert "reached at https://graph.example.org" in said, said
    app, _ = served.pop()
    page = app.test_client().get("/catalog", headers={"Accept": "text/turtle"})
    assert "<https://graph.example.org/sparql>" in page.get_data(as_text=True)
    code, said = serve_at("https://graph.example.org/og/")
    assert code == 0, said
    app, _ = served.pop()
    page = app.test_client().get("/catalog", headers={"Accept": "text/turtle"})
    assert "<https://graph.example.org/og/sparql>" in page.get_data(as_text=True)
    code, said = serve_at("https://graph.example.org/og/?x=1")
    assert code == 2 and "'https://graph.example.org/og/?x=1' names a query" in said, said
    code, said = serve_at("https://graph.example.org/sparql")
    assert code == 2 and "--public-url" in said and "begin with /sparql" in said, said
    assert not served


def test_serve_on_an_engine_never_built_says_so(
    oxigraph_server: str, served: list[tuple[Flask, dict]]
) -> None:
    """A remote engine holding no build is not missing as a store's folder is: `openness
    serve` on it starts, but says that it holds no assessments and which command builds
    it, where it served an empty graph, ready, without a word."""
    httpx.post(
        oxigraph_server + "/update",
        content=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
    )
    endpoint = oxigraph_server + "/query"
    code, out, err = run(["--endpoint", endpoint, "serve", "--port", "0"])
    assert code == 0, out + err
    assert f"the engine at {endpoint} holds no assessments" in err, err
    assert f"'openness --endpoint {endpoint} build'" in err, err
    assert served


def test_serve_refuses_a_base_iri_not_ending_in_a_slash(
    tmp_path: Path, served: list[tuple[Flask, dict]]
) -> None:
    """`openness serve --base-iri https://example.org/og` served, minting and answering
    https://example.org/ogid/model/… (every IRI of the data 404, the VoID uriSpace
    https://example.org/ogid/): the option is refused, naming the value, before any server
    starts; with its slash it is served, its VoID uriSpace under it."""
    open_store(tmp_path / "store").close()
    args = ["--store", str(tmp_path / "store"), "serve", "--port", "0", "--base-iri"]
    for given in ("https://example.org/og", "https://example.org/og#", "example.org/og/"):
        code, out, err = run([*args, given])
        assert code == 2 and "'--base-iri'" in err and repr(given) in err, (given, out + err)
    assert not served
    code, out, err = run([*args, "https://example.org/og/"])
    assert code == 0, out + err
    app, _ = served.pop()
    void = app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert '"https://example.org/og/id/"' in void.get_data(as_text=True)


def test_reading_a_named_store_that_does_not_exist_stops(tmp_path: Path) -> None:
    """A mistyped --store (or OPENNESS_STORE) used to be created empty, and the command
    reported an empty graph (`stats`: every count 0, exit 0)."""
    missing = tmp_path / "no-such-store"
    for command in (["stats"], ["evidence", "OLMo-7B"], ["query", "ASK {}"]):
        code, _, err = run(["--store", str(missing), *command])
        assert code == 1 and f"no store at {missing}" in err, command
    assert not missing.exists()
    # An empty folder holds none either: a command that reads opens no store there (it
    # used to make one, and report an empty graph).
    missing.mkdir()
    for command in (["stats"], ["report"], ["export"]):
        code, _, err = run(["--store", str(missing), *command])
        assert code == 1 and f"no store at {missing}" in err, command
    assert not any(missing.iterdir())
    # Nor does a folder holding other files: a command that read failed on RocksDB's own
    # error ('IO error: … CURRENT') and left the store's lock and its holders' folder in it;
    # a command that writes (but builds none) wrote a store there.
    (missing / "notes.txt").write_text("hi")
    for command in (["stats"], ["query", "ASK {}"], ["assess"], ["dump"], ["history"]):
        code, _, err = run(["--store", str(missing), *command])
        assert code == 1 and f"no store at {missing}" in err, (command, err)
    assert [f.name for f in missing.iterdir()] == ["notes.txt"]


def test_a_store_named_by_a_file_is_refused_in_a_line(tmp_path: Path) -> None:
    """--store naming a file, not a folder: the commands that read (and serve, and build
    --if-missing) ended in a traceback ('NotADirectoryError') where they said why."""
    file = tmp_path / "store.nq"
    file.write_text("")
    for command in (["stats"], ["report"], ["serve"], ["build", "--if-missing"]):
        result = CliRunner().invoke(cli, ["--store", str(file), *command])
        assert result.exit_code == 1 and not isinstance(result.exception, OSError), command
        assert f"{file}" in result.stderr and "no folder" in result.stderr, command


def test_assess_names_the_models_it_judged_again_when_few_or_asked(tmp_path: Path) -> None:
    """assess said how many models it judged again, not which: after a re-ingest the
    operator learnt they were Amber and its fine-tune only from history-behind. Up to
    FEW_MODELS are named in the summary line; more, one a line with -v."""
    store = ["--store", str(tmp_path / "store")]
    folder = tmp_path / "mof"
    (folder / "models").mkdir(parents=True)
    files = sorted((sources_dir() / "mof" / "models").glob("*.yml"))[: FEW_MODELS + 1]
    for file in files:
        shutil.copy(file, folder / "models")
    assert run([*store, "ingest", "mof", "--from", str(folder)])[0] == 0
    ingested = open_store(str(tmp_path / "store"), read_only=True)
    try:
        rows = ingested.query("SELECT ?n WHERE { ?m a og:Model ; schema:name ?n }").rows()
        names = sorted(r["n"].value for r in rows)
    finally:
        ingested.close()
    assert len(names) == FEW_MODELS + 1
    code, _, out = run([*store, "assess"])
    line = next(x for x in out.splitlines() if x.startswith("assessed "))
    assert code == 0 and line.endswith("(0 unchanged, kept)"), out  # too many to name
    assert "judged again" not in out
    code, _, out = run([*store, "assess", "--all", "-v"])
    listed = out.split("judged again:\n")[1].splitlines()
    assert code == 0 and [x.strip() for x in listed] == names, out
    code, _, out = run([*store, "assess", "--all", "-m", names[0], "-m", names[1]])
    line = next(x for x in out.splitlines() if x.startswith("assessed "))
    assert code == 0 and line.endswith(f"kept): {names[0]}, {names[1]}"), out


def test_the_commands_that_read_are_refused_beside_one_that_writes_and_it_beside_them(
    tmp_path: Path,
) -> None:
    """The commands that only read opened the store read-only beside a command writing it,
    holding nothing — undefined by Oxigraph's word, and now and again RocksDB failed to open
    it ('Corruption: … No such file or directory: …/000053.sst … may be corrupted': the
    writer's compaction had removed a file the MANIFEST just read named). They hold the
    store shared, as a server does: beside a writer they are refused, naming it, and a
    writer is refused beside them, naming them; beside a server or another reader they run."""
    store = ["--store", str(tmp_path / "store")]
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        (folder / "models").mkdir(parents=True)
    models = sources_dir() / "mof" / "models"
    shutil.copy(models / "Amber.yml", first / "models")
    assert run([*store, "ingest", "mof", "--from", str(first)])[0] == 0
    assert run([*store, "assess", "-m", "Amber"])[0] == 0
    named = "SELECT ?name WHERE { ?m a og:Model ; schema:name ?name }"
    reading = [
        ["stats"],
        ["query", named],
        ["report"],
        ["evidence", "OLMo-7B"],  # what the second ingest leaves: the reads below
        ["explain", "OLMo-7B"],
        ["export"],
    ]
    # The second ingest reads its one record from a pipe: opened here once the ingest,
    # which holds the store from its start, reads it, and written when the test is done.
    record = second / "models" / "OLMo-7B.yml"
    os.mkfifo(record)
    writer = subprocess.Popen(
        [sys.executable, "-m", "openness.cli", *store, "ingest", "mof", "--from", str(second)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with record.open("w") as pipe:
            assert writer.poll() is None
            for command in [*reading, ["serve"], ["dump"]]:
                code, out, err = run([*store, *command])
                assert code == 1 and not out, command
                assert f"`openness ingest` (pid {writer.pid}) is writing the store" in err
                assert "once it has ended" in err, err
            pipe.write((models / "OLMo-7B.yml").read_text(encoding="utf-8"))
        assert writer.wait() == 0, writer.stderr.read()
    finally:
        writer.kill()
        writer.communicate()
    assert "OLMo-7B" in run([*store, "query", named])[1]
    # A command reading the store, as the file names it: a writer waits for it to end.
    reader = f"`openness export` (pid {os.getpid()})"
    with holders.hold(tmp_path / "store", reader, writes=False, serves=False):
        for command in reading:
            code, out, err = run([*store, *command])
            assert code == 0 and out, (command, err)
        for command in (
            ["dump"],
            ["assess", "-m", "Amber"],
            ["ingest", "mof", "--from", str(first)],
        ):
            code, _, err = run([*store, *command])
            assert code == 1, command
            assert f"{reader} is reading the store at " in err and "once it has ended" in err
            assert "--force" not in err, err
    assert run([*store, "dump"])[0] == 0
    # A writer killed holding the store leaves nothing that refuses the next one.
    ingest = [sys.executable, "-m", "openness.cli", *store, "ingest", "mof", "--from", str(second)]
    with subprocess.Popen(ingest, stderr=subprocess.DEVNULL) as killed:
        with record.open("w"):
            assert killed.poll() is None
            assert run([*store, "stats"])[0] == 1
            killed.kill()
    assert run([*store, "stats"])[0] == 0
    assert run([*store, "dump"])[0] == 0


def test_a_server_that_names_itself_nowhere_is_told_from_a_writer(tmp_path: Path) -> None:
    """A server run by a user who may not write openness.lock holds the store shared by a
    read-only descriptor and names itself nowhere: a command that writes was told that
    'another process holds the store … run this again once it has ended', as beside a
    writer, and --force did nothing. The kind of lock held tells a server from a writer."""
    store = ["--store", str(tmp_path / "store")]
    assert run([*store, "init"])[0] == 0
    fd = os.open(tmp_path / "store" / holders.FILE, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # as a server holds it by a read-only descriptor
        code, _, err = run([*store, "init"])
        assert code == 1 and "a server that " in err and "give --force" in err, err
        code, _, err = run([*store, "init", "--force"])
        assert code == 0 and "writing all the same (--force)" in err, err
    finally:
        os.close(fd)


def test_force_writes_beside_a_server_never_beside_a_command_reading(tmp_path: Path) -> None:
    """--force writes while a server serves the store (it goes on serving it as it was),
    not while a command reads it: beside a server and a reader both, the refusal named the
    server alone and --force wrote, under the reader that the shared hold is there to
    keep from reading beside a writer. The reader is named, and --force waits for it."""
    store = ["--store", str(tmp_path / "store")]
    assert run([*store, "init"])[0] == 0
    server = "`openness serve` (pid 4242) on http://127.0.0.1:8000/"
    reader = "`openness export` (pid 4243)"
    with holders.hold(tmp_path / "store", server, writes=False, serves=True):
        with holders.hold(tmp_path / "store", reader, writes=False, serves=False):
            for command in (["init"], ["init", "--force"]):
                code, _, err = run([*store, *command])
                assert code == 1 and f"{reader} is reading the store at " in err, err
                assert "--force" not in err and "writing all the same" not in err, err
        code, _, err = run([*store, "init", "--force"])  # the server alone: written
        assert code == 0 and f"warning: {server} serves the store" in err, err


def test_force_writes_past_a_dead_readers_name_from_another_pid_namespace(
    tmp_path: Path,
) -> None:
    """A reader's name written in another PID namespace (a container sharing the store's
    volume) and left there, its reader killed, was judged by no holder here: --force was
    refused beside a server, told to wait for that reader, for ever. Its lock is to be had:
    --force writes beside the server."""
    store = ["--store", str(tmp_path / "store")]
    assert run([*store, "init"])[0] == 0
    names = tmp_path / "store" / holders.NAMES
    names.mkdir(exist_ok=True)
    left = {"holder": "`openness stats` (pid 7)", "writes": False, "serves": False}
    (names / "7.theirs.json").write_text(
        json.dumps({**left, "namespace": "pid:[1]"}), encoding="utf-8"
    )
    server = "`openness serve` (pid 4242) on http://127.0.0.1:8000/"
    with holders.hold(tmp_path / "store", server, writes=False, serves=True):
        code, _, err = run([*store, "init", "--force"])
    assert code == 0 and f"warning: {server} serves the store" in err, err
    assert "pid 7" not in err, err


def test_live_hub_sync_without_network_says_so_in_one_line(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there: the connection is refused
    store = ["--store", str(tmp_path / "store")]
    hub = f"http://127.0.0.1:{port}"
    code, _, err = run([*store, "ingest", "hf", "--live", "--endpoint", hub, "--limit", "5"])
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[-1].startswith(f"Error: hf --live: cannot reach the Hub at {hub}")


def test_a_remote_engine_unreachable_or_silent_is_said_in_one_line() -> None:
    with socket.socket() as silent, socket.socket() as closed:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections, never answers
        closed.bind(("127.0.0.1", 0))  # nothing listens: the connection is refused
        for sock, said in (
            (silent, "did not answer within 0.5 s (give a remote engine longer with"),
            (closed, "cannot reach http://127.0.0.1:"),
        ):
            endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}/query"
            args = ["--endpoint", endpoint, "--remote-timeout", "0.5", "query", "ASK {}"]
            result = CliRunner().invoke(cli, args)  # what escapes the command is kept
            assert result.exit_code == 1 and result.exception is not None
            assert isinstance(result.exception, SystemExit), result.exception
            assert result.stderr.splitlines()[-1].startswith("Error: "), result.stderr
            assert said in result.stderr


def test_a_remote_engine_lost_mid_answer_is_said_to_have_given_no_whole_answer() -> None:
    """An engine killed while it answered was 'cannot reach URL: peer closed connection
    without sending complete message body': it was reached, and gave no whole answer."""

    class Killed(Endpoint):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "1000")  # then 10 bytes, and the end
            self.end_headers()
            self.wfile.write(b'{"head": {')
            self.close_connection = True

    with serving(Killed) as base:
        result = CliRunner().invoke(cli, ["--endpoint", base + "/query", "query", "ASK {}"])
    assert result.exit_code == 1, result.stderr
    said = result.stderr.splitlines()[-1]
    assert said.startswith(f"Error: {base}/query gave no whole HTTP answer: "), said
    assert "peer closed connection" in said and "cannot reach" not in said, said


def test_a_query_the_remote_engine_refuses_says_so_in_its_words() -> None:
    """A query the engine answers with an error (Virtuoso refusing it as too costly) was
    'Error: URL answered 500: …', exit 1, as if the store had failed: the query is the
    cause, and it is told as a query the engine cannot answer is, exit 2."""
    words = "Virtuoso 42000 Error The estimated execution time 9000 (sec) exceeds the limit"

    class Refusing(Endpoint):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.reply(500, words.encode())

    with serving(Refusing) as base:
        result = CliRunner().invoke(cli, ["--endpoint", base + "/query", "query", "ASK {}"])
    assert result.exit_code == 2, result.stderr
    said = f"error: the store's engine refused the query, answering 500: {words}\n"
    assert result.stderr.endswith(said), result.stderr


def test_an_engine_that_cannot_answer_now_fails_as_the_store_not_the_query() -> None:
    """An engine restarting (503) was told as one refusing the query, exit 2 'the store's
    engine refused the query': the query is not the cause, the store failing is (exit 1)."""

    class Unavailable(Endpoint):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.reply(503, b"Service Unavailable")

    with serving(Unavailable) as base:
        result = CliRunner().invoke(cli, ["--endpoint", base + "/query", "query", "ASK {}"])
    assert result.exit_code == 1, result.stderr
    assert "refused" not in result.stderr and "answered 503" in result.stderr, result.stderr


def test_the_remote_engine_is_also_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make serve` gives --store itself and had no way to name a remote engine: the
    endpoints are also read from OPENNESS_ENDPOINT, OPENNESS_UPDATE_ENDPOINT and
    OPENNESS_STORE_ENDPOINT; the engine wins over OPENNESS_STORE, not over --store (the
    command line before the environment)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # nothing listens: the connection is refused
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}/query"
        environment = {
            "OPENNESS_ENDPOINT": endpoint,
            "OPENNESS_UPDATE_ENDPOINT": "http://127.0.0.1:1/u",
            "OPENNESS_STORE_ENDPOINT": "http://127.0.0.1:1/s",
        }
        stored = {**environment, "OPENNESS_STORE": str(tmp_path / "store")}
        result = CliRunner(env=stored).invoke(cli, ["query", "ASK {}"])
        assert result.exit_code == 1, result.stderr
        assert f"cannot reach {endpoint}" in result.stderr, result.stderr
        args = ["--store", str(tmp_path / "store"), "init"]
        result = CliRunner(env=environment).invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "store").is_dir()
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    given = cli.make_context("openness", ["stats"]).params
    assert (given["endpoint"], given["update_endpoint"], given["store_endpoint"]) == (
        endpoint,
        "http://127.0.0.1:1/u",
        "http://127.0.0.1:1/s",
    )


@pytest.mark.parametrize("fmt,rdf", [("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)])
def test_export_writes_the_whole_dataset(
    store_args: list[str], tmp_path: Path, fmt: str, rdf: ox.RdfFormat
) -> None:
    run([*store_args, "init"])
    out = tmp_path / f"dump.{fmt}"
    assert run([*store_args, "export", "--format", fmt, "-o", str(out)])[0] == 0
    quads = list(ox.parse(out.read_bytes(), rdf))
    assert {q.graph_name.value for q in quads} == {
        "https://w3id.org/openness-graph/graph/ontology",
        "https://w3id.org/openness-graph/graph/shapes",
        "https://w3id.org/openness-graph/graph/provenance",  # the shapes files' digest
        "https://w3id.org/openness-graph/graph/void",  # the summary of the graphs above
    }


@pytest.mark.parametrize("to_file", [True, False])
def test_an_export_failing_half_way_leaves_no_file_that_looks_complete(
    store_args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, to_file: bool
) -> None:
    """An export is written as it is read (a remote one graph by graph): one breaking off
    after part of the quads leaves the file as it was, no part of it beside, and nothing
    on standard output."""
    run([*store_args, "init"])

    def embedded_cut(self: EmbeddedStore, output: IO[bytes], fmt: ox.RdfFormat) -> None:
        output.write(self.export(fmt)[:1000])
        raise StoreError("the export broke off")

    read = RemoteStore.stored_triples

    def remote_cut(self: RemoteStore, graph: str) -> Iterator[ox.Triple]:
        if graph == self.graph_names()[-1]:  # the others written before it
            yield from list(read(self, graph))[:5]
            raise StoreError("the export broke off")
        yield from read(self, graph)

    monkeypatch.setattr(EmbeddedStore, "export_into", embedded_cut)
    monkeypatch.setattr(RemoteStore, "stored_triples", remote_cut)
    out = tmp_path / "backup.nq"
    out.write_bytes(b"what was there\n")
    code, stdout, stderr = run([*store_args, "export", *(["-o", str(out)] if to_file else [])])
    assert (code, stdout) == (1, "")
    assert "the export broke off" in stderr
    assert out.read_bytes() == b"what was there\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_export_goes_to_a_pipe_or_a_linked_file_as_named(
    store_args: list[str], tmp_path: Path
) -> None:
    """`-o` names where the export goes: a pipe (`-o >(gzip > x.gz)`, /dev/stdout) is
    written as it is, not replaced by a file renamed into its place (which, as root,
    replaced /dev/stdout's link); a symbolic link to a file keeps linking to it, the file
    holding the export. (A named pipe of the test's own, never a device of the machine.)"""
    run([*store_args, "init"])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, stderr = run([*store_args, "export", "-o", str(fifo)])
    assert code == 0, stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the pipe was replaced by a file"
    reader.join(timeout=60)
    assert got and b"<https://w3id.org/openness-graph/graph/void>" in got[0]
    kept = tmp_path / "kept.nq"
    kept.write_bytes(b"")
    link = tmp_path / "latest.nq"
    link.symlink_to(kept)
    code, _, stderr = run([*store_args, "export", "-o", str(link)])
    assert code == 0, stderr
    assert link.is_symlink() and link.resolve() == kept
    assert b"<https://w3id.org/openness-graph/graph/void>" in kept.read_bytes()


def test_an_export_to_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    """An export replacing a file its owner made private (a backup, 0600) left it readable
    to all: the file written in its place keeps its mode; a file written anew is readable
    to all, as the dumps are (a server may run as another user). (Written alike whatever
    the store: the embedded one is enough.)"""
    store_args = ["--store", str(tmp_path / "store")]
    run([*store_args, "init"])
    private, new = tmp_path / "private.nq", tmp_path / "new.nq"
    private.write_bytes(b"")
    private.chmod(0o740)  # a mode no umask gives a file written anew (0666 less the umask)
    for out in (private, new):
        code, _, stderr = run([*store_args, "export", "-o", str(out)])
        assert code == 0, stderr
        assert b"<https://w3id.org/openness-graph/graph/void>" in out.read_bytes()
    assert stat.S_IMODE(private.stat().st_mode) == 0o740
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask


def test_every_command_has_help() -> None:
    for name in cli.commands:
        code, out, _ = run([name, "--help"])
        assert code == 0 and "Usage" in out, name


# What a command imports only when it reads it: the Hub's client (`ingest hf --live`, the
# Hub's records), the server (`serve`), pySHACL (the reference engine).
NOT_IMPORTED = ("huggingface_hub", "openness.ingest.hf_live", "flask", "gunicorn", "pyshacl")
_IMPORTED = """
import contextlib, gc, io, json, re, sys
from openness.cli import cli
from openness.store.sparql_text import _NAME
with contextlib.redirect_stdout(io.StringIO()) as out:
    cli.main(["--help"], prog_name="openness", standalone_mode=False)
print(json.dumps({
    "help": out.getvalue(),
    "modules": [m for m in sys.argv[1:] if m in sys.modules],
    "name_patterns": sum(
        isinstance(p, re.Pattern) and isinstance(p.pattern, str) and _NAME in p.pattern
        for p in gc.get_objects()
    ),
}))
"""


def test_openness_help_imports_no_subsystem_it_does_not_read() -> None:
    """Every `openness` command, --help too, paid ~1.3 CPU s at import: the Hub's client,
    and ~20 patterns holding SPARQL's name characters (sre compiles each in 4–20 ms), read
    only by the named queries and the parser's messages. Each comes on first use; --help
    lists every command still."""
    probe = subprocess.run(
        [sys.executable, "-c", _IMPORTED, *NOT_IMPORTED],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(probe.stdout)
    assert seen["modules"] == [] and seen["name_patterns"] == 0
    commands = seen["help"].split("Commands:\n")[1].splitlines()
    assert {line.split()[0] for line in commands if line[2:3].strip()} == set(cli.commands)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_serve_builds_and_serves_the_store_openness_store_names(tmp_path: Path) -> None:
    """README: a command's store is moved by --store or OPENNESS_STORE; `make serve` gave
    --store var/store itself, so `OPENNESS_STORE=DIR make serve` built and served
    var/store, saying nothing of DIR."""
    mine = tmp_path / "mine"
    env = {k: v for k, v in os.environ.items() if k != "STORE"} | {"OPENNESS_STORE": str(mine)}
    root = Path(__file__).resolve().parents[1]
    dry = subprocess.run(
        ["make", "-n", "-C", str(root), "serve"], env=env, capture_output=True, text=True
    )
    assert dry.returncode == 0, dry.stderr
    commands = [line for line in dry.stdout.splitlines() if "openness --store" in line]
    assert [c.split()[2] for c in commands] == [str(mine), str(mine)]


def _ended(_store: GraphStore) -> bool:
    os._exit(3)  # as a process killed, or crashed in RocksDB, reading the store


def test_a_question_asked_apart_whose_process_ends_is_said_in_a_line(tmp_path: Path) -> None:
    """`openness serve` asks the store in a process of its own (so that the server's first
    process never opens it); that process ending (killed, crashed) ended serve in a
    BrokenProcessPool traceback."""
    location = tmp_path / "store"
    assert run(["--store", str(location), "init"])[0] == 0
    opts = StoreOptions(str(location), None, None, None)
    with pytest.raises(click.ClickException) as said:
        _asked_apart(opts, _ended)
    assert f"the store at {location} could not be read" in said.value.message


@pytest.mark.parametrize("option", ["--stop-grace", "--drain", "--query-timeout", "--read-timeout"])
@pytest.mark.parametrize("value", ["inf", "nan", "1e300"])
def test_serve_refuses_seconds_no_timer_takes(option: str, value: str) -> None:
    """A stop's grace, a query's or a request's time of inf, nan or 1e300 seconds: the
    server failed with a traceback as it started, or served and failed (500, or a
    traceback) as it read a request or stopped: no timer takes them. Now the option is
    refused as it is read, saying why; nothing is started."""
    serve = cli.commands["serve"]
    with pytest.raises(click.BadParameter) as refused:
        serve.make_context("serve", [option, value])
    assert refused.value.param is not None and refused.value.param.opts == [option]
    taken = serve.make_context("serve", [option, "3600"]).params
    assert taken[option[2:].replace("-", "_")] == 3600


@pytest.mark.parametrize("option", ["--remote-timeout", "--remote-update-timeout"])
@pytest.mark.parametrize("value", ["-5", "0", "inf", "nan", "1e300"])
def test_a_remote_engines_timeouts_take_a_number_of_seconds(option: str, value: str) -> None:
    """How long a request to a remote engine may take: a negative, zero, infinite or
    not-a-number time was taken, and reached the HTTP client as its timeout (refused by
    it, or waiting for ever). Refused as the option is read, as serve's times are."""
    with pytest.raises(click.BadParameter) as refused:
        cli.make_context("openness", [option, value, "stats"])
    assert refused.value.param is not None and refused.value.param.opts == [option]
    assert (
        cli.make_context("openness", [option, "90", "stats"]).params[option[2:].replace("-", "_")]
        == 90
    )


def test_no_ontology_folder_found_is_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken install (a wheel without its ontology/, no checkout beside it, no
    $OPENNESS_HOME) failed `validate` and `query` with a traceback; every command says
    the one line `stats` and `build` said."""
    monkeypatch.setattr(resources, "_PACKAGE", tmp_path / "site-packages" / "openness")
    monkeypatch.setattr(resources, "_CHECKOUT", tmp_path / "site-packages")
    monkeypatch.delenv("OPENNESS_HOME", raising=False)
    # What this process read of the project's files before (a test run earlier in this
    # worker) is forgotten: a command read the definitions from its cache and failed later,
    # on the empty model (exit 2), instead of finding no ontology/ folder.
    for module in [m for name, m in sys.modules.items() if name.startswith("openness")]:
        for cached in list(vars(module).values()):
            if hasattr(type(cached), "cache_clear"):  # (functools' caches, not a proxy's)
                cached.cache_clear()
    model = tmp_path / "my-model.ttl"
    model.write_text("")
    store = ["--store", str(tmp_path / "store")]
    open_store(store[1]).close()
    for command in (["validate", str(model)], [*store, "query", "definitions"], ["stats"]):
        code, _, err = run(command)
        assert code == 1 and "Error: cannot find the ontology/ folder" in err, command
        assert "OPENNESS_HOME" in err, command
