"""The one small interface every graph store offers, and what all backends share."""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext

import pyoxigraph as ox

from openness.namespaces import PREFIXES
from openness.store import summary
from openness.store.lines import Lines, any_blank, as_text, listed
from openness.store.results import QueryResult
from openness.store.sorted_triples import SortedTriples, differences, parse, subject_of

Triples = Iterable[ox.Triple]
# Triples of a difference written at a time by update_graph (past it, in pieces).
PIECE = 200_000
# Fault tests set this to a file path: see announced_write.
WRITE_LOG = "OPENNESS_WRITE_LOG"


class StoreError(RuntimeError):
    """The store could not be opened, read or written (not a problem with the query)."""


class Refused(StoreError):
    """A remote engine answered a request with an error status (not a lost connection):
    ``words`` is its answer's text, trimmed, for a client to be told (:func:`refusal`); the
    message adds the engine's address, for its operator's log."""

    def __init__(self, url: str, status: int, words: str) -> None:
        # All three as args: the error crosses from a query process by pickling whole.
        super().__init__(url, status, words)
        self.url, self.status, self.words = url, status, words

    def __str__(self) -> str:
        return f"{self.url} answered {self.status}: {self.words}"


class Unanswerable(ValueError):
    """A query that parses but calls a function the engine does not have (one of
    another engine's, as Virtuoso's ``bif:``, or a misspelled IRI): the request's fault, as
    a syntax error is, where the engine raised the error it raises for a store that fails."""


class GraphStore(ABC):
    """An RDF dataset we can query, update and replace named graphs of.

    Queries see the union of all named graphs as their default graph unless
    ``default_graphs`` is given, and may use our usual prefixes (``og:``, ``dcat:``, …,
    see :data:`openness.namespaces.PREFIXES`) without declaring them. A malformed query
    raises :class:`SyntaxError` with the parser's message, whichever backend ran it.
    """

    @abstractmethod
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
        """Run a SPARQL 1.1 query; relative IRIs in it resolve against ``base_iri``.

        ``as_given`` asks for the dataset as the SPARQL 1.1 Protocol's client gives it: the
        graphs listed, where one list given and not the other leaves that one empty; no
        list, the query's own FROM and FROM NAMED; neither, the union as always. Without
        it, graphs not listed default to every graph (what our own queries want)."""

    # Prefixes of graphs not part of the dataset (those an engine keeps for itself, a
    # write's staging graphs): the vocabulary summary does not describe them.
    engine_graphs: Sequence[str] = ()

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 update, all or nothing; relative IRIs in it resolve against
        ``base_iri``. The store's vocabulary summary is kept true in the same request (see
        :mod:`openness.store.summary`)."""
        if self.described():
            added = summary.listed(sparql)
            if added is None:  # read whole after it, in the same request
                # After a newline, so that a comment ending the update does not swallow them.
                joint = "\n" if code_only(sparql).rstrip().endswith(";") else "\n;\n"
                sparql = sparql + joint + " ;\n".join(summary.rebuilt(self.engine_graphs))
            else:
                self._describe_first([added])
        self._update(sparql, base_iri=base_iri)

    def _describe_first(self, groups: Iterable[Iterable[ox.Triple]]) -> None:
        """Add the partitions of the terms of ``groups`` of triples the summary lacks,
        before they are written, in an update of its own: a summary may describe terms no
        longer (or not yet) used, which its readers skip (see openness.store.summary), never
        lack one. In the write's own update they cost in proportion to its data (a 10 000-model
        Hub sync took 22 % more CPU)."""
        ops = summary.added(*summary.missing(self, *summary.terms_of(groups)))
        if ops:
            self._update(" ;\n".join(ops))

    @abstractmethod
    def _update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 update as it is, all or nothing (what each backend provides)."""

    def described(self) -> bool:
        """Whether this store keeps a vocabulary summary (see :mod:`openness.store.summary`)."""
        return bool(self.query(summary.IS_DESCRIBED).rows())

    def describe(self) -> None:
        """Start keeping a vocabulary summary, or make it exact again (its partitions of
        terms no longer used removed), reading every graph once."""
        self._update(" ;\n".join(summary.rebuilt(self.engine_graphs)))

    @abstractmethod
    def export(self, fmt: ox.RdfFormat) -> bytes:
        """The whole dataset in a quad format (N-Quads or TriG), named graphs kept."""

    def answers(self, within: float) -> None:
        """Return once the store answers a trivial query, else raise :class:`StoreError`
        (or :class:`TimeoutError` past ``within`` seconds where waiting is possible): what
        a readiness check asks. A store in this process answers at once."""
        self.query("ASK {}")

    def close(self) -> None:  # noqa: B027 - a no-op by default; backends with resources override
        """Release the store's resources."""

    def optimize(self) -> None:  # noqa: B027 - a no-op where the engine keeps its own files
        """Lay the store's files out for reading, after a long run of writes."""

    def size_on_disk(self) -> int | None:
        """The bytes of the store's files (None where the engine keeps its own)."""
        return None

    @property
    def unchanging(self) -> bool:
        """Whether what the store holds stays as it is for as long as it is open; not so
        of a remote engine, which others may write, nor of a store this process writes."""
        return False

    def write(
        self,
        *,
        replace: dict[str, Triples] | None = None,
        add: dict[str, Triples] | None = None,
        remove: dict[str, Triples] | None = None,
        before: Sequence[str] = (),
        after: Sequence[str] = (),
    ) -> int:
        """Replace some named graphs, remove triples from some and add to others, all in
        one transaction (removals need triples without blank nodes). ``before`` and
        ``after`` are SPARQL update operations run first and last in the same transaction.

        Either everything is stored or nothing is, so a process killed mid-way never
        leaves a half-replaced source. Returns the number of triples written.
        """
        statements = [*before, *(f"DROP SILENT GRAPH <{g}>" for g in replace or {})]
        remove = {g: listed(t) for g, t in (remove or {}).items()}
        for graph, triples in remove.items():
            body = as_text(triples).decode()
            if body:
                statements.append(f"DELETE DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
        written = 0
        added: list[list[ox.Triple] | Lines] = []
        for graph, given in [*(replace or {}).items(), *(add or {}).items()]:
            triples = listed(given)
            if not graph.startswith(tuple(self.engine_graphs)):
                added.append(triples)
            body = as_text(triples).decode()
            if body:
                written += len(triples)
                # Blank nodes in INSERT DATA are standard, but some engines (Virtuoso)
                # refuse them; a template with no pattern inserts the same, once. (Told by
                # the terms: scanning the text for "_:" outside strings cost more than
                # writing it.)
                insert = "INSERT" if any_blank(triples) else "INSERT DATA"
                where = "" if insert == "INSERT DATA" else " WHERE {}"
                statements.append(f"{insert} {{ GRAPH <{graph}> {{\n{body}}} }}{where}")
        statements += after
        if statements and self.described():
            if summary.adds_unlisted([*before, *after]):
                statements += summary.rebuilt(self.engine_graphs)
            else:
                self._describe_first(added)
        if statements:
            self._update(" ;\n".join(statements))
        return written

    def replace_graph(self, graph: str, triples: Triples) -> int:
        """Replace the content of ``graph`` with ``triples`` in one transaction."""
        return self.write(replace={graph: triples})

    def update_graph(self, graph: str, triples: Triples | SortedTriples) -> int:
        """Make ``graph`` hold exactly ``triples``, as :meth:`replace_graph` does, writing
        only what differs: a graph recomputed whole of which little changed costs a read of
        it and a small write, not a rewrite. Returns the number of triples added.

        Both sides are compared as sorted lines on disk (:mod:`openness.store.sorted_triples`),
        so memory does not grow with the graph. A difference of up to PIECE triples is one
        write, all or nothing; a larger one (a first build of a large graph) is written in
        pieces of about PIECE triples, each all or nothing and each holding whole subjects,
        the whole not: a reader meanwhile sees some subjects as they were and others as they
        will be, and the caller makes a run killed half-way do it again (one transaction of
        a million Hub models' identity graph held ~1 KB a triple: 15 GB). A graph with blank
        nodes is replaced whole, in one write (a blank node read back is not one that can be
        removed by value). Triples already sorted are read as they are (and left open)."""
        with (
            nullcontext(triples)
            if isinstance(triples, SortedTriples)
            else SortedTriples(triples) as new
        ):
            if new.blank:
                return self.replace_graph(graph, parse(list(new.lines())))
            with SortedTriples(self.stored_triples(graph)) as old:
                if old.blank:
                    return self.replace_graph(graph, parse(list(new.lines())))
                return self._write_differences(graph, differences(old.lines(), new.lines()))

    def stored_triples(self, graph: str) -> Iterable[ox.Triple]:
        """The triples of ``graph``, read as they are iterated (a large graph is compared by
        :meth:`update_graph` without being held)."""
        return self.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[graph])

    def _write_differences(self, graph: str, changes: Iterable[tuple[bool, bytes]]) -> int:
        """Write (added, N-Triples line) changes to ``graph``, in pieces of about PIECE
        cut between subjects (see :meth:`update_graph`)."""
        written = 0
        piece: dict[bool, list[bytes]] = {True: [], False: []}
        last = b""
        for added, line in changes:
            subject = subject_of(line)
            if subject != last and len(piece[True]) + len(piece[False]) >= PIECE:
                written += self._write_piece(graph, piece)
                piece = {True: [], False: []}
            piece[added].append(line)
            last = subject
        return written + self._write_piece(graph, piece)

    def _write_piece(self, graph: str, piece: dict[bool, list[bytes]]) -> int:
        if not piece[True] and not piece[False]:
            return 0
        add, remove = parse(piece[True]), parse(piece[False])
        return self.write(remove={graph: remove} if remove else None, add={graph: add})

    def query_around(self, sparql: str, graphs: Sequence[str]) -> QueryResult:
        """The solutions of ``sparql`` over ``graphs`` as its default graph, for a query
        that only gains solutions as triples are added (no negation, OPTIONAL or aggregate)
        and reads no triple about a node that none of its solutions binds (a model's
        evidence, see :mod:`openness.assess.evidence`): a store may answer it faster from
        the triples about the nodes a cheaper, larger answer binds."""
        return self.query(sparql, default_graphs=graphs)

    def reading_copy(self, graphs: Sequence[str], limit: int | None = None) -> GraphStore:
        """A store to read ``graphs`` from many times: this one, unless a copy of them (of
        at most ``limit`` triples: what the reads it saves are worth) answers faster (see
        :meth:`EmbeddedStore.reading_copy`); a copy is closed when done with."""
        return self

    @contextmanager
    def reading(self, graphs: Sequence[str], limit: int | None = None) -> Iterator[GraphStore]:
        """:meth:`reading_copy` for a ``with`` block, closed at its end."""
        copy = self.reading_copy(graphs, limit)
        try:
            yield copy
        finally:
            if copy is not self:
                copy.close()

    def graph_names(self) -> list[str]:
        """The named graphs that hold triples (cheaper than :meth:`graph_sizes`)."""
        return [row["g"].value for row in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")]

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and all its triples (no error when it does not exist)."""
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {row["g"].value: int(row["n"].value) for row in result.rows()}

    def count(self, sparql: str, **kwargs: object) -> int:
        """Run a query whose first solution has ``?n`` and return it as an int."""
        rows = self.query(sparql, **kwargs).rows()  # type: ignore[arg-type]
        return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0


@contextmanager
def announced_write() -> Iterator[None]:
    """Wrap every write to a store. With ``$OPENNESS_WRITE_LOG`` set to a file, a line
    ``begin`` is appended to it just before the write starts and ``end`` once it has
    committed, so that a fault test can kill a process while it writes."""
    log = os.environ.get(WRITE_LOG)
    if log:
        with open(log, "a") as f:
            f.write("begin\n")
    yield
    if log:
        with open(log, "a") as f:
            f.write("end\n")


# Strings, IRIs and comments, which cannot hide a keyword: blanked before looking for one.
_NOT_CODE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|#[^\n]*"
)


def keyword(word: str) -> re.Pattern[str]:
    """A SPARQL keyword in :func:`code_only` text, not a variable (``?service``), a
    prefixed name (``schema:service``, ``from:x``) or a blank node label of that spelling.
    A keyword right after a '.' (``?s ?p ?o .SERVICE <…>``) is one: where a name has that
    spelling after a '.' (``ex:a.service``), it is taken for the keyword, which refuses a
    query rather than letting a SERVICE call through."""
    return re.compile(rf"(?<![?$:\w-]){word}(?![\w:-])", re.IGNORECASE)


_FROM = keyword("FROM")


_NAMED = re.compile(r"\s+(NAMED\s+)?", re.IGNORECASE)
_CLAUSE_GRAPH = re.compile(r"<([^<>\s]*)>|([^\s{}<>:]*):([^\s{}<>]*)")
_PREFIX = keyword(r"PREFIX\s+([^\s:]*):")
_DECLARED = re.compile(r"\s*<([^<>\s]*)>")


def dataset_clauses(sparql: str) -> tuple[str, list[str], list[str]]:
    """A query's FROM and FROM NAMED graphs (prefixed names resolved with the query's
    prefixes, else ours), and the query with those clauses blanked out: for an engine
    given the dataset by the protocol's parameters, which some (Oxigraph's server,
    Virtuoso) merge with the clauses instead of taking in their place.

    >>> dataset_clauses('PREFIX ex: <urn:x:> SELECT * FROM <urn:a> FROM NAMED ex:b {}')
    ('PREFIX ex: <urn:x:> SELECT *                              {}', ['urn:a'], ['urn:x:b'])
    """
    code, out = code_only(sparql), list(sparql)
    declared = dict(PREFIXES)
    for m in _PREFIX.finditer(code):
        iri = _DECLARED.match(sparql, m.end())  # on the text: the IRI is blank in the code
        if iri:
            declared[m[1]] = iri[1]
    default: list[str] = []
    named: list[str] = []
    for m in _FROM.finditer(code):
        after = _NAMED.match(sparql, m.end())  # on the text: the IRI is blank in the code
        graph = _CLAUSE_GRAPH.match(sparql, after.end()) if after else None
        if not graph:
            continue
        if graph[1] is not None:
            iri = graph[1]
        elif graph[2] in declared:
            iri = declared[graph[2]] + graph[3]
        else:
            raise SyntaxError(f"the prefix {graph[2]!r} of FROM {graph[0]} is not declared")
        (named if after[1] else default).append(iri)
        out[m.start() : graph.end()] = " " * (graph.end() - m.start())
    return "".join(out), default, named


_AT = re.compile(r"error at (\d+):(\d+): ")
# A prefixed name's prefix, in :func:`code_only` text: not a blank node label (``_:b``),
# nor a colon in a local name (``ex:a:b``).
_PREFIXED = re.compile(r"(?<![\w.:?$-])([^\W\d_](?:[\w.-]*[\w-])?)?:")


# An update's first operation, after the prologue (in :func:`code_only` text), and what
# must follow each keyword for the text to be one (in the text with only its comments
# blanked: an IRI is blanked in the other): a query that merely begins with such a word
# ("Add me …") is not called one. An IRI may follow a keyword with no space between.
_UPDATE_START = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])",
    re.IGNORECASE,
)
_IRI_NEXT = r"(?:\s*<|\s+(?:[A-Za-z][\w.-]*)?:)"  # an IRI or a prefixed name begins
_GRAPHS = r"(?:\s+SILENT)?\s+(?:GRAPH|DEFAULT|NAMED|ALL)\b"
_MOVED = rf"(?:\s+SILENT)?(?:\s+(?:DEFAULT|GRAPH)\b|{_IRI_NEXT})"
_UPDATE_GOES_ON = {
    keyword: re.compile(follows, re.IGNORECASE)
    for keyword, follows in {
        "INSERT": r"\s*(?:DATA\b|\{)",
        "DELETE": r"\s*(?:DATA\b|WHERE\b|\{)",
        "LOAD": rf"(?:\s+SILENT)?{_IRI_NEXT}",
        "CLEAR": _GRAPHS,
        "DROP": _GRAPHS,
        "CREATE": r"(?:\s+SILENT)?\s+GRAPH\b",
        "COPY": _MOVED,
        "MOVE": _MOVED,
        "ADD": _MOVED,
        "WITH": _IRI_NEXT,
    }.items()
}


def refusal(
    sparql: str, error: SyntaxError | Unanswerable | Refused, *, update: bool = False
) -> str:
    """What to tell whoever sent ``sparql`` (an update if ``update``) that the parser
    refused, the engine cannot answer or a remote engine answered an error (in its words,
    not its address): the same words from /sparql, /update and the CLI.

    >>> refusal("SELECT * { ?s ?p ?o", SyntaxError("error at 1:20: expected one of"))
    "the query does not parse: 1 '{' but 0 '}': a '{' is not closed; error at 1:20: expected one of"
    >>> refusal("…", Unanswerable("The custom function <urn:f> is not supported"), update=True)
    'the update cannot be answered: The custom function <urn:f> is not supported'
    >>> refusal("…", Refused("http://engine/sparql", 500, "Virtuoso 42000 Error …"))
    "the store's engine refused the query, answering 500: Virtuoso 42000 Error …"
    """
    what = "update" if update else "query"
    if isinstance(error, Refused):
        return f"the store's engine refused the {what}, answering {error.status}: {error.words}"
    if isinstance(error, Unanswerable):
        return f"the {what} cannot be answered: {error}"
    return f"the {what} does not parse: {parse_error(sparql, error, update=update)}"


def parse_error(sparql: str, error: SyntaxError, *, update: bool = False) -> str:
    """The parser's message on ``sparql`` (an update if ``update``: our prefixes are not
    declared in one), where it stopped at or past a prefix nothing declares said as that:
    Oxigraph's words there name no prefix ('expected one of Prefix not found, …', going on
    to list every character a name may hold; in a function call, 'expected
    ENCODE_FOR_URI'); an update given as a query said as such, where Oxigraph said
    'expected CONSTRUCT'; and braces or parentheses that do not pair up counted before the
    parser's words (:func:`unpaired`), which name only what it expected where it stopped,
    often the end of the text.

    >>> parse_error("PREFIX x: <urn:x> INSERT DATA { x:a x:b 1 }", SyntaxError(
    ...     "error at 1:19: expected CONSTRUCT"))
    'it is a SPARQL update (INSERT), not a query'
    >>> parse_error("Add me to the list", SyntaxError("error at 1:1: expected CONSTRUCT"))
    'error at 1:1: expected CONSTRUCT'

    >>> print(parse_error("SELECT * { ?m dct:title ?t", SyntaxError(
    ...     "error at 1:24: expected one of Prefix not found, ['%'], ['-' | …")))
    ... # doctest: +ELLIPSIS
    error at 1:24: the prefix 'dct:' is not declared: declare it (PREFIX dct: <…>) or use ...
    >>> print(parse_error('SELECT * { ?s ?p ?o FILTER(bif:contains(?o, "x")) }',
    ...     SyntaxError("error at 1:42: expected ENCODE_FOR_URI")))  # doctest: +ELLIPSIS
    error at 1:42: the prefix 'bif:' is not declared: declare it (PREFIX bif: <…>) or use ...

    >>> print(parse_error("SELECT * { ?s ?p ?o ", SyntaxError(
    ...     'error at 1:21: expected one of ".", "}", [_]')))
    1 '{' but 0 '}': a '{' is not closed; error at 1:21: expected one of ".", "}", [_]
    """
    said = str(error)
    code = code_only(sparql)
    update_start = _UPDATE_START.match(code)
    uncommented = _NOT_CODE.sub(lambda m: " " * len(m[0]) if m[0][0] == "#" else m[0], sparql)
    if (
        not update
        and update_start
        and _UPDATE_GOES_ON[update_start[1].upper()].match(uncommented, update_start.end())
    ):
        return f"it is a SPARQL update ({update_start[1].upper()}), not a query"
    ours = () if update else PREFIXES
    declared = [*ours, *(m[1] for m in _PREFIX.finditer(code))]
    at = _AT.match(said)
    # The names are read from the text, not from the parser's words, which name the prefix
    # nowhere in a function call; the first undeclared one is where a parser that got that
    # far stopped (and before any brace left open), so it is said only then.
    used = next((m for m in _PREFIXED.finditer(code) if (m[1] or "") not in declared), None)
    if not at or not used or (int(at[1]), int(at[2])) < _row_column(sparql, used.start()):
        return f"{unpaired(sparql)}; {said}" if unpaired(sparql) else said
    prefix = used[1] or ""
    named = f"error at {at[1]}:{at[2]}: the prefix '{prefix}:' is not declared: declare it "
    if not declared:
        return f"{named}(PREFIX {prefix}: <…>)"
    return (
        f"{named}(PREFIX {prefix}: <…>) or use one of those declared here "
        f"({', '.join(dict.fromkeys(p + ':' for p in declared))})"
    )


def _row_column(text: str, offset: int) -> tuple[int, int]:
    """The line and column (from 1, in characters, as Oxigraph counts) of ``offset``."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def unpaired(sparql: str) -> str:
    """What does not pair up among the braces and parentheses of ``sparql`` outside its
    strings, IRIs and comments, said as counts, or '' when they pair up. Counted, not
    parsed: a count is a fact of the text whatever the parser made of it, where the
    position of an error is its own guess.

    >>> unpaired("SELECT * { { ?s ?p ?o }")
    "2 '{' but 1 '}': a '{' is not closed"
    >>> unpaired("SELECT * { ?s ?p ?o FILTER((?o > 1) }")
    "2 '(' but 1 ')': a '(' is not closed"
    >>> unpaired("SELECT * { ?s ?p ?o } }")
    "1 '{' but 2 '}': a '}' closes no '{'"
    >>> unpaired("SELECT * { ?s <urn:a_(b)> '{' FILTER(?o<1&&(?s>2)) } # (")
    ''
    """
    code = _NOT_CODE.sub(_blanked_unless_compared, sparql)
    for opening, closing in ("{}", "()"):
        opened, closed = code.count(opening), code.count(closing)
        counts = f"{opened} '{opening}' but {closed} '{closing}'"
        if opened > closed:
            return f"{counts}: a '{opening}' is not closed"
        if closed > opened:
            return f"{counts}: a '{closing}' closes no '{opening}'"
    return ""


# What an IRI may not hold (SPARQL's IRIREF), besides spaces and angle brackets.
_NOT_IN_IRI = re.compile(r'[{}|^`\\"]')


def _blanked_unless_compared(found: re.Match[str]) -> str:
    """A string, IRI or comment :data:`_NOT_CODE` found, blanked; but not a span between
    a less-than and a greater-than sign that holds what an IRI may not, or parentheses
    that do not pair up (``?a<1&&(?b>2)``; an IRI's do, ``<…/Foo_(bar)>``): its brackets
    are the query's own."""
    text = found[0]
    if text[0] == "<" and (_NOT_IN_IRI.search(text) or text.count("(") != text.count(")")):
        return text
    return " " * len(text)


def names_dataset(sparql: str) -> bool:
    """Whether a query has a dataset clause (FROM or FROM NAMED).

    >>> names_dataset('SELECT ?from FROM <urn:g> { ?s from:p ?from } # FROM')
    True
    >>> names_dataset('SELECT ?from { ?s from:p ?from ; <urn:FROM> "FROM" }')
    False
    """
    return bool(_FROM.search(code_only(sparql)))


def code_only(sparql: str) -> str:
    """``sparql`` with its strings, IRIs and comments blanked out, positions kept, so
    keywords can be looked for.

    >>> code_only('SELECT * { ?s <urn:WITH> "USING" } # WHERE')
    'SELECT * { ?s                    }        '
    """
    return _NOT_CODE.sub(lambda m: " " * len(m.group()), sparql)


def bind_values(sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """Bind variables with a VALUES block opening the query's WHERE group, built from parsed
    terms (never from pasted request strings). Unlike SEP-0007 substitutions, this works
    on any SPARQL 1.1 engine and for variables that are not projected.

    >>> bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"p": ox.NamedNode("http://e/p")})
    'SELECT ?x WHERE { VALUES (?p) { (<http://e/p>) } ?x ?p ?o }'
    """
    match = _WHERE_OPEN.search(sparql)
    if match is None:
        raise ValueError("cannot bind parameters: the query has no WHERE group")
    names = " ".join(f"?{k}" for k in substitutions)
    terms = " ".join(str(v) for v in substitutions.values())
    at = match.end()
    return f"{sparql[:at]} VALUES ({names}) {{ ({terms}) }}{sparql[at:]}"


# The opening brace of the outermost group: after WHERE, or the first brace of a query
# written without the optional keyword. Prefix IRIs contain no brace, so this is safe.
_WHERE_OPEN = re.compile(r"(?:\bWHERE\s*)?\{", re.IGNORECASE)
