"""A SPARQL 1.1 engine reached over HTTP (Oxigraph server, QLever, Virtuoso, Fuseki, …).

Only the SPARQL 1.1 Protocol and Graph Store Protocol are used, so no server-side
setting is needed: the union default graph is asked for explicitly by naming every
named graph as a ``default-graph-uri``.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import IO
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from openness.namespaces import PREFIX_LINE
from openness.retry_after import retry_after
from openness.store import summary
from openness.store.base import Effect, GraphStore, Triples, announced_write, known_effect
from openness.store.embedded import reading_copy
from openness.store.errors import CutOff, Refused, StoreError
from openness.store.results import QueryResult
from openness.store.sorted_triples import SortedTriples
from openness.store.sparql_text import (
    bind_values,
    code_only,
    dataset_clauses,
    declared_prefixes,
    keyword,
    local_name,
    names_dataset,
)

# Our usual prefixes (PREFIX_LINE) are declared on one line, so error positions shift by
# exactly one line.
# Where parsers say an error is: "at 2:5" (Oxigraph), "line 2:" (Virtuoso, no column).
_AT = re.compile(r"\b(at |line )(\d+)")
_GRAPHS_TTL = 2.0  # seconds the list of named graphs is reused between queries


# Graphs a fresh Virtuoso holds for itself (its quad-map metadata, the LDP vocabulary, its
# service description): not part of the dataset the project sees.
ENGINE_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/",
)
# Triples one update request may carry: an engine that refuses a request that large
# (Virtuoso's parser runs out of memory at about 5000 triples) is then written CHUNK
# triples a request, staged meanwhile in graphs under STAGING. A Hub sync's page of 1 000
# models is ~70 000 triples: past 50 000, staged a chunk a request, 3 000 models took
# `oxigraph serve` 176 s wall (21.8 CPU s), in one request each 23.6 s (6.8).
ONE_REQUEST = 200_000
CHUNK = 1000
STAGING = "urn:x-openness-graph:staging:"
# Each staged chunk also stamps its run's ``…/alive`` graph with the time (in the same
# request): a run whose stamp is older than STALE_AFTER seconds (or that has none) was
# killed, and the first write of a later process drops its staging graphs.
STAGED_AT = "urn:x-openness-graph:stagedAt"
STALE_AFTER = 600.0
# How long an update is waited for, unless told otherwise: longer than a query (the
# store's ``timeout``), since the SPARQL Protocol cannot cancel an update, so one abandoned
# may still be applied; and an engine busy writing its files can hold one for minutes (a
# page of a 100 000-model Hub sync into `oxigraph serve`, on the loaded 2-core machine, was
# not answered within 60 s and stopped the sync).
UPDATE_TIMEOUT = 3600.0
# Triples one query reads of a graph on an engine that stops each query at our time limit
# (Virtuoso: its pages of 20 000 of a graph of 100 000 took ~1 s each, the graph whole
# 4.6-5.5 s, on a loaded 2-core machine): a graph is read a page at a time there.
PAGE = 100_000
# Named as the whole dataset when there is no graph: an empty dataset, whatever the
# engine's own default (Virtuoso's is every graph it holds).
NO_GRAPH = "urn:x-openness-graph:none"
# The SPARQL Protocol cannot cancel a query, so a query abandoned at the timeout would run
# on until the engine's own limit. Virtuoso takes a time limit per query (its `timeout`
# parameter, in milliseconds) and stops the query there, answering what it found so far
# with the SQL state S1TAT: a query is sent with ours, and such an answer is a timeout, never
# a result. The client then waits a little longer than the engine, to hear it stop.
ENGINE_TIME_LIMIT = {"Virtuoso/": "timeout"}
INTERRUPTED = "S1TAT"
# Virtuoso may instead cancel the query at that limit and answer an error with the SQL
# state HY008, "operation canceled" (SR203: "Async statement killed by SQLCancel"; seen on a
# loaded machine): a query sent with a time limit and cancelled is a timeout too.
CANCELLED = "Virtuoso HY008 "
# Or it answers a long answer's rows so far with an error status and, after them, its
# S1TAT error ("Returning incomplete results, query interrupted by result timeout"; an
# export of the bundled graph at 60 s): the words that say so are at the end.
STOPPED_AFTER_ROWS = f"Virtuoso {INTERRUPTED} "
# Virtuoso answers at most ResultSetMaxRows rows (10 000 in the virtuoso.ini it ships):
# a SELECT's cut answer says so in a header (X-SPARQL-MaxRows), a CONSTRUCT's in nothing,
# so a graph read whole from such an engine is counted beside its read.
ENGINE_CUTS_SILENTLY = ("Virtuoso/",)
RAISE_ROW_LIMIT = (
    "raise [SPARQL] ResultSetMaxRows (and MaxConstructTriples) in its virtuoso.ini above "
    "the triples of the largest graph"
)
# Virtuoso 7.2 answers an ASK true whenever its pattern has a GRAPH <g> whose g is not a
# named graph of the dataset the request names (held elsewhere or nowhere, the pattern
# matching or not), where the same pattern as a SELECT * has no solution: an ASK is sent to
# it as a SELECT of at most one solution (see ask_as_select).
ENGINE_ASKS_WRONGLY = ("Virtuoso/",)
# Its SELECT shares the fault where a GRAPH <g> outside the dataset binds no variable
# (``GRAPH <g> { <s> <p> <o> }``, ``FILTER EXISTS { GRAPH <g> { ?s ?p ?o } }``, the
# variables bound outside): it matches. Named in the dataset, a graph held nowhere matches
# nothing, as it should: such a g is sent as NO_GRAPH, named so (see outside_graphs_named).
# It also refuses an OFFSET with neither a LIMIT nor an ORDER BY ("TOP parameter < 0"), in
# a sub-select too: it is sent with a LIMIT it never reaches (see offset_limited), the
# largest it takes (2**63 - 1 it refuses).
ENGINE_MISREADS_GRAPHS_AND_OFFSETS = ("Virtuoso/",)
NO_LIMIT = 2**31 - 1
# An absolute IRI (none to resolve) or a prefixed name, after GRAPH.
_GRAPH_NAME = re.compile(
    r"\s*(?:<([A-Za-z][A-Za-z0-9+.\-]*:[^<>\s]*)>|([^\s{}<>:?$]*):([^\s{}<>]*))"
)
_OFFSET = r"OFFSET\s+\d+"  # a keyword()
_LIMIT_BEFORE = re.compile(r"\bLIMIT\s+\d+\s*\Z", re.IGNORECASE)
_LIMIT_AFTER = re.compile(r"\s*LIMIT\b", re.IGNORECASE)
_FORM = "(SELECT|ASK|CONSTRUCT|DESCRIBE)"  # a keyword(): not a prefix name (ask:p)


def engine_words(response: httpx.Response, url: str) -> str:
    """What an engine's error answer to ``url`` says, for whoever sent the request: its
    text, trimmed, with the engine's address left out (an error page may name the
    endpoint; the operator's log has it), and of a redirect only that it was one (its page
    names where it leads).

    >>> engine_words(httpx.Response(500, text="Error at http://db:8890/sparql: db.lan, db"),
    ...              "http://db:8890/sparql")
    'Error at (the engine): db.lan, db'
    >>> engine_words(httpx.Response(500, text="10.0.0.5 is read-only"), "http://10.0.0.5/q")
    '(the engine) is read-only'
    >>> engine_words(httpx.Response(301, headers={"Location": "http://10.0.0.5/"}), "http://x/")
    'a redirect, not followed'
    """
    if response.is_redirect:
        return "a redirect, not followed"
    words = response.text.strip()[:500]
    parts = urlsplit(url)
    # A host name that is a word ("store") is left in the words, where it is likelier one.
    host = (
        parts.hostname
        if parts.hostname and ("." in parts.hostname or ":" in parts.hostname)
        else None
    )
    for address in (url, parts.netloc, host):
        if address:  # whole: the host "db.lan" is not left out of "db.lan2"
            words = re.sub(rf"(?<![\w.-]){re.escape(address)}(?![\w-])", "(the engine)", words)
    return words


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside strings, IRIs
    and comments (SELECT when there is none: the engine will say what is wrong).

    >>> query_form('PREFIX ask: <urn:x#> # CONSTRUCT\\nASK { ?s ask:p "SELECT" }')
    'ASK'
    >>> query_form('PREFIX ask: <urn:x#> PREFIX ex-ask: <urn:y#> SELECT * { ?s ask:p ?o }')
    'SELECT'
    """
    match = keyword(_FORM).search(code_only(sparql))
    return match.group(1).upper() if match else "SELECT"


def ask_as_select(sparql: str) -> str:
    """An ASK query as a SELECT with a solution iff the ASK is true, lines kept. The ASK's
    WHERE clause, modifiers and VALUES (AskQuery's) become a sub-select's, so none needs
    finding; the outer LIMIT 1 spares computing every solution (Virtuoso computes a whole
    SELECT * before answering: 37 s for 300 000 rows, 0.07 s with that LIMIT).

    >>> ask_as_select('PREFIX a: <urn:ASK{> ASK FROM <urn:g> { ?s a:p "{" } LIMIT 2 # {')
    'PREFIX a: <urn:ASK{> SELECT * FROM <urn:g> { SELECT *{ ?s a:p "{" } LIMIT 2 # {\\n} LIMIT 1'
    """
    code = code_only(sparql)
    ask = keyword(_FORM).search(code)
    where = code.find("{", ask.end()) if ask else -1
    if ask is None or ask[1].upper() != "ASK" or where < 0:
        return sparql  # no ASK with a WHERE clause: the engine will say what is wrong
    return (
        f"{sparql[: ask.start()]}SELECT *{sparql[ask.end() : where]}"
        f"{{ SELECT *{sparql[where:]}\n}} LIMIT 1"
    )


def offset_limited(sparql: str) -> str:
    """``sparql`` with a LIMIT of NO_LIMIT after each OFFSET that has no LIMIT.

    >>> offset_limited('SELECT * { { SELECT * { ?s ?p "OFFSET 1" } OFFSET 2 } } LIMIT 3 OFFSET 1')
    'SELECT * { { SELECT * { ?s ?p "OFFSET 1" } OFFSET 2 LIMIT 2147483647 } } LIMIT 3 OFFSET 1'
    """
    code = code_only(sparql)
    for found in reversed(list(keyword(_OFFSET).finditer(code))):
        if not (
            _LIMIT_BEFORE.search(code[: found.start()]) or _LIMIT_AFTER.match(code, found.end())
        ):
            sparql = f"{sparql[: found.end()]} LIMIT {NO_LIMIT}{sparql[found.end() :]}"
    return sparql


def outside_graphs_named(sparql: str, named: list[str]) -> tuple[str, list[str]]:
    """``sparql`` with each graph after GRAPH (an absolute IRI or a prefixed name) that is
    not in ``named`` (the dataset's named graphs) written NO_GRAPH, and the named graphs
    with NO_GRAPH among them when so: either way the pattern matches nothing, which
    Virtuoso then answers. A prefixed name's escapes are undone (``ex:a\\.b`` names
    <…a.b>), and one with escapes is written as its IRI: Virtuoso reads none ("Bad
    character '\\'").

    >>> sent, named = outside_graphs_named("ASK { GRAPH <urn:a> {} GRAPH og:b {} }", ["urn:a"])
    >>> sent.replace(NO_GRAPH, "NO_GRAPH"), named == ["urn:a", NO_GRAPH]
    ('ASK { GRAPH <urn:a> {} GRAPH <NO_GRAPH> {} }', True)
    >>> outside_graphs_named(r"PREFIX e: <urn:> ASK { GRAPH e:a\\.b {} }", ["urn:a.b"])[0]
    'PREFIX e: <urn:> ASK { GRAPH <urn:a.b> {} }'
    """
    code, held, outside = code_only(sparql), set(named), False
    declared = declared_prefixes(sparql, code)
    for found in reversed(list(keyword("GRAPH").finditer(code))):
        name = _GRAPH_NAME.match(sparql, found.end())
        if name is None or (name[2] is not None and name[2] not in declared):
            continue  # a variable, or a name the engine will refuse
        iri = name[1] if name[1] is not None else declared[name[2]] + local_name(name[3])
        escaped = name[1] is None and "\\" in name[3]
        if iri not in held or escaped:
            start = name.start(1) - 1 if name[1] is not None else name.start(2)
            sparql = f"{sparql[:start]}<{iri if iri in held else NO_GRAPH}>{sparql[name.end() :]}"
            outside = outside or iri not in held
    return sparql, [*named, NO_GRAPH] if outside and NO_GRAPH not in held else named


def _chunks(triples: list[ox.Triple], size: int = CHUNK) -> Iterator[list[ox.Triple]]:
    """``triples`` in chunks of about ``size``, the triples that share a blank node kept
    in one chunk (a blank node is one node only within one request)."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for t in triples:
        nodes = [n for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        for n in nodes[1:]:
            parent[root(n)] = root(nodes[0])
    groups: dict[object, list[ox.Triple]] = {}
    plain: list[ox.Triple] = []
    for t in triples:
        node = next((n for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)), None)
        if node is None:
            plain.append(t)
        else:
            groups.setdefault(root(node), []).append(t)
    chunk: list[ox.Triple] = []
    for group in [*groups.values(), *([t] for t in plain)]:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk += group
    if chunk:
        yield chunk


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEAN_NT = re.compile(rb'"([01])"\^\^<http://www\.w3\.org/2001/XMLSchema#boolean>')


def _json_terms(results: bytes) -> bytes:
    """SPARQL JSON results as pyoxigraph reads them and the other backends write them.
    Virtuoso writes blank node ids as ``nodeID://b10000`` (its N-Triples say ``_:b10000``,
    the label used here too) and stored booleans as ``"1"``/``"0"``: the same values,
    written canonically here (``"true"``/``"false"``)."""
    if b"nodeID://" not in results and _XSD_BOOLEAN.encode() not in results:
        return results
    data = json.loads(results)
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = term["value"].removeprefix("nodeID://")
            elif term.get("datatype") == _XSD_BOOLEAN and term["value"] in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(data).encode()


def _graph_terms(triples: bytes) -> bytes:
    """Triples with stored booleans written canonically (Virtuoso writes ``"1"``)."""
    return _BOOLEAN_NT.sub(
        lambda m: b'"' + (b"true" if m[1] == b"1" else b"false") + b'"' + m[0][3:], triples
    )


def _media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


def _boolean(value: bool) -> ox.QueryBoolean:
    data = b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}"
    return ox.parse_query_results(data, ox.QueryResultsFormat.JSON)


_OWN_BASE = re.compile(r"\A\s*BASE\s*<[^<>\s]*>", re.IGNORECASE)


def _prologue(sparql: str, base_iri: str | None) -> str:
    """``sparql`` after our line of BASE and prefixes. A BASE the query opens with takes
    the place of ours on that line (resolved against ours), its own place blanked so
    positions stay: Virtuoso takes no BASE after a PREFIX, nor two.

    >>> _prologue("BASE <d/>\\nSELECT * {}", "http://s/x")[:24]
    'BASE <http://s/d/> PREFI'
    """
    own = _OWN_BASE.match(sparql)
    if own is None:
        return _base(base_iri) + PREFIX_LINE + sparql
    theirs = own.group().strip()[4:].strip()[1:-1]
    blank = re.sub(r"[^\n]", " ", own.group())
    base = urljoin(base_iri, theirs) if base_iri else theirs  # no "<", ">" or space
    return f"BASE <{base}> " + PREFIX_LINE + blank + sparql[own.end() :]


def _base(base_iri: str | None) -> str:
    """A BASE declaration, on the first line (the one error positions skip)."""
    return f"BASE <{ox.NamedNode(base_iri).value}> " if base_iri else ""


def sibling_url(url: str, last_segment: str) -> str:
    """``url`` with its last path segment replaced.

    >>> sibling_url("http://127.0.0.1:7878/query", "update")
    'http://127.0.0.1:7878/update'
    """
    parts = urlsplit(url)
    path = parts.path.rsplit("/", 1)[0] + "/" + last_segment
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _run_of(staging_graph: str) -> str:
    """The staging run a staging graph belongs to (``…staging:<run>/``).

    >>> _run_of("urn:x-openness-graph:staging:ab12/add/0")
    'urn:x-openness-graph:staging:ab12/'
    """
    return STAGING + staging_graph[len(STAGING) :].split("/", 1)[0] + "/"


def _stamped(run: str, stage: str, chunk: list[ox.Triple]) -> dict:
    """The arguments of a write of ``chunk`` to ``stage`` that also stamps its staging run
    as alive now (the stamp is a triple added, not an INSERT, so that the write's terms
    are known: see openness.store.summary; a staging graph's terms are not described)."""
    alive = f"{run}alive"
    stamp = ox.Triple(ox.NamedNode(run), ox.NamedNode(STAGED_AT), ox.Literal(f"{time.time():.3f}"))
    return {
        "add": {stage: chunk, alive: [stamp]},
        "before": [f"DELETE WHERE {{ GRAPH <{alive}> {{ ?s ?p ?o }} }}"],
    }


class RemoteStore(GraphStore):
    """A store behind SPARQL endpoints.

    ``query_url`` is the query endpoint. The update and Graph Store Protocol endpoints
    default to the siblings ``update`` and ``store`` of its last path segment, which is
    Oxigraph's layout; pass them for other servers (Fuseki: ``…/update``, ``…/data``).
    """

    # A staged write's graphs are not described either: its terms are, before it is
    # staged (see write), and its stamp's, of no graph of the dataset, never.
    engine_graphs = (*ENGINE_GRAPHS, STAGING)

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        store_url: str | None = None,
        timeout: float = 60.0,
        update_timeout: float = UPDATE_TIMEOUT,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or sibling_url(query_url, "update")
        self._update_url_guessed = update_url is None
        self.store_url = store_url or sibling_url(query_url, "store")
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout, headers=headers or {})
        self._update_timeout = httpx.Timeout(timeout, read=update_timeout)
        # The engine's time-limit parameter, once its Server header has named it.
        self._time_limit: str | None = None
        self._server: str | None = None  # the Server header of the engine's last answer
        self._graphs: tuple[float, list[str]] | None = None
        # Threads share a store (a server's): a list read while an update began or ended
        # is not kept (it may predate it). The lock makes each reading and setting of the
        # list and the count one step: a thread may be switched between any two bytecodes
        # of a check and its set (no test makes that happen; -k threads_writing proves
        # the count).
        self._graphs_lock = threading.Lock()
        self._changes = 0  # updates begun and ended
        self._grouped_listing = False  # whether the engine lists graphs by their quads only
        # Triples a write sends in one request; CHUNK once the engine refused more.
        self.request_limit = ONE_REQUEST
        self.stale_after = STALE_AFTER
        self._swept = False  # whether this store looked for staging graphs left behind

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url})"

    def _post(self, url: str, *, stream: bool = False, **kwargs: object) -> httpx.Response:
        """POST to ``url``; the answer's body is read unless ``stream`` (the caller then
        reads it and closes the answer), except an error's, which is read to report it."""
        try:
            request = self._http.build_request("POST", url, **kwargs)  # type: ignore[arg-type]
            response = self._http.send(request, stream=stream)
            if stream and response.status_code >= 300:
                response.read()
                response.close()
        except httpx.TimeoutException as e:
            waited = request.extensions["timeout"]["read"]
            raise TimeoutError(f"{url} did not answer within {waited:g} s") from e
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as e:
            # Reached, then no whole answer (an engine killed mid-answer, or no HTTP server
            # at that address): not "cannot reach".
            raise StoreError(f"{url} gave no whole HTTP answer: {e}") from e
        except httpx.HTTPError as e:
            raise StoreError(f"cannot reach {url}: {e}") from e
        if response.status_code == 400:
            message = engine_words(response, url) or "the engine rejected the request"
            # Our prefixes take exactly one line: report positions in the caller's text.
            raise SyntaxError(_AT.sub(lambda m: f"{m[1]}{int(m[2]) - 1}", message))
        if response.status_code >= 300:
            words = engine_words(response, url)
            if (at := response.text.rfind(STOPPED_AFTER_ROWS)) > 0:
                # Its rows are no words for anyone: its error after them is.
                words = engine_words(
                    httpx.Response(response.status_code, text=response.text[at:]), url
                )
            raise Refused(url, response.status_code, words, retry_after(response.headers))
        # A cut answer comes with status 200, the header saying so (also when the rows
        # just reach the limit): a short answer taken as whole would be a wrong result.
        if (cut := response.headers.get("x-sparql-maxrows")) is not None:
            response.close()
            raise CutOff(
                url,
                f"answered {cut} rows, its row limit, so the answer may be cut off: "
                + RAISE_ROW_LIMIT,
            )
        server = self._server = response.headers.get("server", "")
        self._time_limit = next(
            (name for engine, name in ENGINE_TIME_LIMIT.items() if server.startswith(engine)),
            None,
        )
        return response

    def _engine_is(self, engines: tuple[str, ...]) -> bool:
        """Whether the engine's last answer named one of ``engines`` (Server header)."""
        return (self._server or "").startswith(engines)

    def answers(self, within: float) -> None:
        # Sent bare: the dataset clauses _ask adds would first list the engine's graphs.
        self._post(
            self.query_url,
            data={"query": "ASK {}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=within,
        )

    def _named_graphs(self, *, fresh: bool = False) -> list[str]:
        with self._graphs_lock:
            kept, seen = self._graphs, self._changes
        now = time.monotonic()
        if not fresh and kept is not None and now - kept[0] <= _GRAPHS_TTL:
            return kept[1]
        names = self._stored_graphs()
        ours = [g for g in names if not g.startswith(tuple(self.engine_graphs))]
        with self._graphs_lock:
            if self._changes == seen:
                self._graphs = (now, ours)
        return ours

    def _stored_graphs(self) -> list[str]:
        """Every graph the engine holds, its own and staging graphs included."""
        if not self._grouped_listing:
            names = self._graph_names("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
            if names is not None:
                return names
            # Virtuoso answers the empty pattern with one empty row (and its DISTINCT over
            # every quad runs past its transaction timeout): the form below, which any
            # engine answers, is asked from now on, not after a wasted query each time.
            self._grouped_listing = True
        return self._graph_names("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g") or []

    def sweep_staging(self) -> list[str]:
        """Drop the staging graphs of staged writes that died (killed, machine lost) before
        they could drop their own: those whose run has not staged a chunk for
        ``stale_after`` seconds. A staged write in progress elsewhere stamps its run with
        every chunk, so it is left alone. Returns the graphs dropped."""
        self._swept = True
        staged = [g for g in self._stored_graphs() if g.startswith(STAGING)]
        if not staged:
            return []
        runs = {_run_of(g) for g in staged}
        rows = self.query(
            f"SELECT ?run ?at WHERE {{ GRAPH ?g {{ ?run <{STAGED_AT}> ?at }} }}",
            default_graphs=[NO_GRAPH],
            named_graphs=[f"{run}alive" for run in sorted(runs)],
        ).rows()
        now = time.time()
        live = set()
        for row in rows:
            try:
                if now - float(row["at"].value) < self.stale_after:
                    live.add(row["run"].value)
            except ValueError:
                pass  # a stamp that is no time: the run is not known to be alive
        stale = sorted(g for g in staged if _run_of(g) not in live)
        if stale:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale))
        return stale

    def _graph_names(self, query: str) -> list[str] | None:
        """The graphs a discovery query lists, or None when a row names none."""
        response = self._post(
            self.query_url,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        rows = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        names = [row["g"] for row in rows]
        return None if None in names else [g.value for g in names]

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
        base_iri: str | None = None,
        as_given: bool = False,
    ) -> QueryResult:
        if substitutions:
            sparql = bind_values(sparql, substitutions)
        form = query_form(sparql)
        if self._server is None and (
            form == "ASK" or keyword(_OFFSET).search(code_only(sparql)) or "GRAPH" in sparql.upper()
        ):
            self.answers(self.timeout)  # which engine it is, so how to ask it
        selected = form == "ASK" and self._engine_is(ENGINE_ASKS_WRONGLY)
        if selected:
            sparql = ask_as_select(sparql)
        response = self._ask(sparql, default_graphs, named_graphs, base_iri, as_given=as_given)
        media = _media(response)
        if media == "application/sparql-results+json":
            result = ox.parse_query_results(
                _json_terms(response.content), ox.QueryResultsFormat.JSON
            )
            if selected and isinstance(result, ox.QuerySolutions):
                result = _boolean(next(iter(result), None) is not None)
            elif form == "ASK" and isinstance(result, ox.QuerySolutions):
                # Virtuoso answers ASK with one solution binding ?__ASK_RETVAL to 0 or 1
                # (when it is not known by its Server header: behind a proxy, say).
                result = _boolean(
                    any(
                        t is not None and t.value not in ("0", "false")
                        for row in result
                        for t in row
                    )
                )
            return QueryResult(result)
        fmt = self._graph_format(media)
        return QueryResult([t.triple for t in ox.parse(_graph_terms(response.content), fmt)])

    def reading_copy(self, graphs: Sequence[str], limit: int | None = None) -> GraphStore:
        """A copy of ``graphs`` in this process (see
        :func:`openness.store.embedded.reading_copy`): a run reading many models' evidence
        then reads each graph from the engine once, rather than sending a query a batch,
        which the engine answers graph by graph."""
        return reading_copy(self, graphs, limit, self._quads_of)

    def _quads_of(self, graph: str) -> Iterator[ox.Quad]:
        g = ox.NamedNode(graph)
        return (ox.Quad(t.subject, t.predicate, t.object, g) for t in self.stored_triples(graph))

    def stored_triples(self, graph: str) -> Iterator[ox.Triple]:
        """As for every store; the engine's answer goes to a temporary file as it comes and
        is parsed from there as the triples are read: held whole, the identity graph of a
        million Hub models (~10 million triples) took ~1.5 GB as text and ~5 GB as terms.
        An engine that stops each query at our time limit (Virtuoso) is asked for PAGE
        triples a query (see _paged), so no query must read a whole graph in that time."""
        if self._server is None:
            self.answers(self.timeout)  # which engine it is, so how to read it
        paged = self._time_limit is not None
        stored = self._count(graph) if paged or self._engine_is(ENGINE_CUTS_SILENTLY) else None
        with tempfile.TemporaryFile(prefix="openness-graph-") as spool:
            if paged:
                fmt = self._paged(graph, stored or 0, spool)
            else:
                fmt = self._spooled("CONSTRUCT WHERE { ?s ?p ?o }", graph, spool)
            spool.seek(0)
            read = 0
            for quad in ox.parse(spool, format=fmt):
                read += 1
                yield quad.triple
        # Raised after the last triple: a reader (a copy, a comparison before a write)
        # takes none of them as the graph before it has them all.
        if stored is not None and read < stored:
            raise CutOff(
                self.query_url,
                f"answered {read} of the {stored} triples of graph {graph}: it cut the answer "
                "off at its row limit (or the graph changed while it was read); " + RAISE_ROW_LIMIT,
            )

    def _spooled(self, construct: str, graph: str, spool: IO[bytes]) -> ox.RdfFormat:
        """Write the engine's answer to ``construct`` over ``graph`` to ``spool`` as it
        comes; returns its format."""
        response = self._ask(construct, [graph], None, None, stream=True)
        try:
            fmt = self._graph_format(_media(response))
            rest = b""
            for chunk in response.iter_bytes():
                # Whole lines at a time (N-Triples escapes a literal's line breaks).
                chunk = rest + chunk
                cut = chunk.rfind(b"\n") + 1
                spool.write(_graph_terms(chunk[:cut]))
                rest = chunk[cut:]
            spool.write(_graph_terms(rest))
        except httpx.HTTPError as e:
            raise StoreError(f"{self.query_url} broke off graph {graph}: {e}") from e
        finally:
            response.close()
        return fmt

    def _paged(self, graph: str, stored: int, spool: IO[bytes]) -> ox.RdfFormat:
        """Write the ``stored`` triples of ``graph`` to ``spool`` read PAGE a query, in
        N-Triples, each once. The pages follow the engine's own order, which SPARQL does not
        promise the same from one query to the next (an ORDER BY would: Virtuoso then
        sorted the whole graph for each page, 3.6 s a page of 20 000 of 100 000 triples
        against 1 s, and refuses to sort past 10 000 rows unless told otherwise): the
        triples read are kept once each. SPARQL over HTTP gives no snapshot across queries:
        the graph is counted again after the last page, and the read refused when the two
        counts and the triples read are not all equal: the graph changed (its count did),
        a page was cut off at the engine's row limit (it came short), or the pages
        overlapped (each full: the engine's order was not the same from one page to the
        next). A write that keeps the size between the two counts is not seen: the pages
        may then hold some of it and miss triples it left alone."""
        read, short = 0, False
        with SortedTriples() as pages, tempfile.TemporaryFile(prefix="openness-page-") as page:
            for offset in range(0, stored, PAGE):
                page.seek(0)
                page.truncate()
                construct = (
                    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {PAGE} OFFSET {offset}"
                )
                fmt = self._spooled(construct, graph, page)
                page.seek(0)
                # Counted as read: zip stops at the page's end before taking a number more.
                got = itertools.count()
                triples = zip(ox.parse(page, format=fmt), got, strict=False)
                pages.extend(t.triple for t, _ in triples)
                short = short or next(got) < min(PAGE, stored - offset)
            for line in pages.lines():
                spool.write(line)
                read += 1
        now = self._count(graph)
        if now != stored:
            why = (
                f"held {stored} when the read began and {now} when it ended: the graph "
                "changed during the read; read it again once no write is under way"
            )
        elif short:
            why = "it cut a page's answer off at its row limit; " + RAISE_ROW_LIMIT
        elif read != stored:
            why = (
                f"read in pages of {PAGE}, each full: the engine's order was not the same "
                "from one page to the next (or a write meanwhile kept the graph's size); read "
                "it again once no write is under way"
            )
        else:
            return ox.RdfFormat.N_TRIPLES
        raise CutOff(
            self.query_url,
            f"answered {read} of the {stored} triples of graph {graph}: {why}",
        )

    def _count(self, graph: str) -> int:
        return self.count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graphs=[graph])

    def _ask(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        base_iri: str | None,
        *,
        stream: bool = False,
        as_given: bool = False,
    ) -> httpx.Response:
        """The engine's answer to a query, in the format its form gives."""
        payload: dict[str, object] = {"query": _prologue(sparql, base_iri)}
        if as_given and names_dataset(sparql):
            bare, default, named = dataset_clauses(sparql)
            if default_graphs is None and named_graphs is None:
                default_graphs, named_graphs = default, named
            payload["query"] = _prologue(bare, base_iri)
        if as_given and (default_graphs is not None or named_graphs is not None):
            # The client's graphs (or its query's), sent whatever the engine would read of
            # the query's clauses (Virtuoso merged them with its own graphs), and only
            # those of the dataset: not the engine's own nor a write's staging graphs; an
            # empty list names no graph (the protocol's parameters cannot say "none").
            asked = {*(default_graphs or ()), *(named_graphs or ())}
            held = set(self._named_graphs())
            if not asked <= held:  # another client may have made it since the list was read
                held = set(self._named_graphs(fresh=True))
            payload["default-graph-uri"] = [g for g in default_graphs or () if g in held] or [
                NO_GRAPH
            ]
            payload["named-graph-uri"] = [g for g in named_graphs or () if g in held] or [NO_GRAPH]
        else:
            # Name the dataset explicitly, as the embedded store sees it: the union of the
            # named graphs as default graph, and every named graph available to GRAPH.
            # With no named graph at all, a graph that does not exist makes the dataset
            # empty (naming none would leave the engine's default, every graph it holds on
            # Virtuoso).
            everything = [] if default_graphs and named_graphs else self._named_graphs()
            everything = everything or [NO_GRAPH]
            payload["default-graph-uri"] = list(default_graphs or everything)
            payload["named-graph-uri"] = list(named_graphs or everything)
        if self._engine_is(ENGINE_MISREADS_GRAPHS_AND_OFFSETS):
            payload["query"], payload["named-graph-uri"] = outside_graphs_named(
                offset_limited(str(payload["query"])),
                list(payload["named-graph-uri"]),  # type: ignore[call-overload]
            )
        extra: dict[str, object] = {}
        limit = self._time_limit  # (the answer to this query may change it)
        if limit:  # the engine stops the query itself at our timeout
            payload[limit] = str(int(self.timeout * 1000))
            grace = self.timeout + max(10.0, self.timeout / 2)
            extra["timeout"] = httpx.Timeout(self._http.timeout.connect, read=grace)
        # Ask for what the query form gives: an engine may answer a graph in a results
        # format it prefers, or solutions as RDF (Virtuoso does both).
        accept = (
            "application/n-triples, text/turtle;q=0.8"
            if query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
            else "application/sparql-results+json"
        )
        try:
            response = self._post(
                self.query_url, data=payload, headers={"Accept": accept}, stream=stream, **extra
            )
        except Refused as e:
            if limit and (f": {CANCELLED}" in str(e) or e.words.startswith(STOPPED_AFTER_ROWS)):
                raise self._stopped() from e
            raise
        if response.headers.get("x-sql-state") == INTERRUPTED:
            response.close()
            raise self._stopped()
        return response

    def _stopped(self) -> TimeoutError:
        """What a query the engine stopped at our time limit raises."""
        return TimeoutError(
            f"{self.query_url} stopped the query at the {self.timeout:g} s time limit"
        )

    def _graph_format(self, media: str) -> ox.RdfFormat:
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            raise StoreError(f"{self.query_url} answered with unsupported type {media!r}")
        return fmt

    def _update(
        self, sparql: str, *, base_iri: str | None = None, effect: Effect | None = None
    ) -> None:
        # Dropped first: an update that fails may still have been applied.
        with self._graphs_lock:
            self._changes += 1
            begun, listed, self._graphs = self._changes, self._graphs, None
        kept = None
        try:
            with announced_write():
                self._post(
                    self.update_url,
                    # one line first, as for queries, so error positions are the caller's
                    content=(_base(base_iri) + "\n" + sparql).encode(),
                    headers={"Content-Type": "application/sparql-update"},
                    timeout=self._update_timeout,
                )
            if effect is not None and listed is not None:
                # Kept, changed as the update changed it, and dated as read: what another
                # client changed meanwhile is seen as soon as before (_GRAPHS_TTL).
                gone = set(effect.emptied)
                names = [g for g in listed[1] if g not in gone]
                names += [
                    g
                    for g in dict.fromkeys(effect.filled)
                    if g not in names and not g.startswith(tuple(self.engine_graphs))
                ]
                kept = (listed[0], names)
        except Refused as e:
            # An engine taking updates elsewhere (Virtuoso, Fuseki) has nothing there:
            # its not-found page would not say that the address was only a guess.
            if e.status == 404 and self._update_url_guessed:
                raise StoreError(
                    f"{self.update_url} answered 404 (not found): that is the update "
                    f"endpoint guessed beside the query endpoint {self.query_url}; name "
                    "the engine's with --update-endpoint (or OPENNESS_UPDATE_ENDPOINT), "
                    "Virtuoso's being its query endpoint"
                ) from e
            raise
        finally:
            with self._graphs_lock:
                self._changes += 1
                # Another thread's update begun or ended meanwhile: the list is read again.
                self._graphs = kept if self._changes == begun + 1 else None

    def write(
        self,
        *,
        replace: dict[str, Triples] | None = None,
        add: dict[str, Triples] | None = None,
        remove: dict[str, Triples] | None = None,
        before: Sequence[str] = (),
        after: Sequence[str] = (),
    ) -> int:
        """As for every store, all or nothing, in one update request (DELETE DATA and
        INSERT DATA: an update request is one transaction on Oxigraph and Fuseki), up to
        ``request_limit`` triples. A larger write, or any write over CHUNK triples once the
        engine refused one that large (Virtuoso's parser runs out of memory at about 5000
        triples), is staged: its removals and its additions each in a staging graph, CHUNK
        triples a request, then one update runs ``before``, drops the replaced graphs,
        deletes the staged removals, adds the staged additions, runs ``after`` and drops
        the staging graphs. That update reads the staging graphs only, so either way a
        write costs in proportion to what it changes, not to the graphs it changes. A
        write that fails half-way leaves every graph as it was (its staging graphs are
        dropped, and never part of the dataset); one killed half-way leaves its staging
        graphs, which the first write of a later store drops (``sweep_staging``)."""
        if not self._swept:
            self.sweep_staging()
        # Read every source first: one that fails has written nothing.
        replace = {g: list(t) for g, t in (replace or {}).items()}
        add = {g: list(t) for g, t in (add or {}).items()}
        remove = {g: list(t) for g, t in (remove or {}).items()}
        size = sum(len(t) for t in [*replace.values(), *add.values(), *remove.values()])
        if size <= max(CHUNK, self.request_limit):
            try:
                return super().write(
                    replace=replace, add=add, remove=remove, before=before, after=after
                )
            except CutOff:
                raise  # a read's answer cut (asking for the summary), not the write refused
            except (SyntaxError, Refused):
                # Refused whole (an answer, not a lost connection): staged below, and
                # every later write this large too. A term the engine refuses fails there
                # again, with nothing written.
                if size <= CHUNK:
                    raise
                self.request_limit = CHUNK
        run = f"{STAGING}{uuid.uuid4().hex}/"
        additions = {g: replace.get(g, []) + add.get(g, []) for g in {**replace, **add}}
        adding = {g: f"{run}add/{i}" for i, g in enumerate(additions) if additions[g]}
        removing = {g: f"{run}remove/{i}" for i, g in enumerate(remove) if remove[g]}
        staging = [*removing.values(), *adding.values(), f"{run}alive"]
        written = 0
        if adding and self.described():
            self._describe_first(additions.values())
        try:
            for graph, stage in removing.items():
                for chunk in _chunks(remove[graph]):
                    self._stage(run, stage, chunk)
            for graph, stage in adding.items():
                for chunk in _chunks(additions[graph]):
                    written += self._stage(run, stage, chunk) - 1
            final = [
                *before,
                *(f"DROP SILENT GRAPH <{g}>" for g in replace),
                *(
                    f"DELETE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} "
                    f"WHERE {{ GRAPH <{stage}> {{ ?s ?p ?o }} }}"
                    for g, stage in removing.items()
                ),
                *(f"ADD SILENT <{stage}> TO <{g}>" for g, stage in adding.items()),
                *after,
                *(f"DROP SILENT GRAPH <{g}>" for g in staging),
            ]
            if summary.adds_unlisted([*before, *after]) and self.described():
                # The staged triples' terms are in the summary already (described before
                # they were staged); only what ``before`` and ``after`` may add is not.
                final += summary.rebuilt(self.engine_graphs)
            emptied = [g for g in replace if g not in adding]
            effect = known_effect(
                self.engine_graphs, list(adding), emptied, before, removing, after
            )
            self._update(" ;\n".join(final), effect=effect)
        except BaseException:
            self._drop_quietly(staging)
            raise
        return written

    def _stage(self, run: str, stage: str, chunk: list[ox.Triple]) -> int:
        """Write ``chunk`` to the staging graph ``stage`` of ``run`` (see write); the list
        of graphs, which leaves staging graphs out, is kept (the write's effect is known)."""
        return super().write(**_stamped(run, stage, chunk))

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        try:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        except (StoreError, SyntaxError, TimeoutError):  # the write's own error matters more
            pass

    def graph_names(self) -> list[str]:
        return list(self._named_graphs())

    def export(self, fmt: ox.RdfFormat) -> bytes:
        held = io.BytesIO()
        self.export_into(held, fmt)
        return held.getvalue()

    def export_into(self, output: IO[bytes], fmt: ox.RdfFormat) -> None:
        """Graph by graph, each read as :meth:`stored_triples` reads it: one query for
        every quad ran past a 60 s limit on Virtuoso with the bundled graph (470 218 quads,
        147 s) and held them all (1.8 GB resident for a 117 MB file). So the graphs are
        not read at one instant: a write landing during the export may be in some of
        them and not in others."""
        quads = (q for g in self.graph_names() for q in self._quads_of(g))
        ox.serialize(quads, output, format=fmt)

    def close(self) -> None:
        self._http.close()
