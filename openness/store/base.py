"""The one small interface every graph store offers, and what all backends share."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox

from openness.store import summary
from openness.store.lines import Lines, any_blank, as_text, listed
from openness.store.results import QueryResult
from openness.store.sorted_triples import SortedTriples, differences, parse, subject_of
from openness.store.sparql_text import code_only, only_deleting_in

Triples = Iterable[ox.Triple]
# Triples of a difference written at a time by update_graph (past it, in pieces).
PIECE = 200_000
# Fault tests set this to a file path: see announced_write.
WRITE_LOG = "OPENNESS_WRITE_LOG"


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
        added = summary.listed(sparql)
        # An update that adds nothing (a DELETE, a DROP) leaves the summary true: whether
        # the store keeps one is not asked (on a remote engine, a query).
        if (added is None or added) and self.described():
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
            self._update(" ;\n".join(ops), effect=Effect(filled=[summary.SUMMARY]))

    @abstractmethod
    def _update(
        self, sparql: str, *, base_iri: str | None = None, effect: Effect | None = None
    ) -> None:
        """Run a SPARQL 1.1 update as it is, all or nothing (what each backend provides).
        ``effect``, when given, is all the update changes of which named graphs hold
        triples: a store that keeps a list of them may keep it, changed so."""

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

    def export_into(self, output: IO[bytes], fmt: ox.RdfFormat) -> None:
        """As :meth:`export`, written to ``output``: a store that can, as it is read (a
        large store is then not held in memory)."""
        output.write(self.export(fmt))

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
        filled: list[str] = []
        added: list[list[ox.Triple] | Lines] = []
        for graph, given in [*(replace or {}).items(), *(add or {}).items()]:
            triples = listed(given)
            body = as_text(triples).decode()
            if body:
                filled.append(graph)
                if not graph.startswith(tuple(self.engine_graphs)):
                    added.append(triples)
                written += len(triples)
                # Blank nodes in INSERT DATA are standard, but some engines (Virtuoso)
                # refuse them; a template with no pattern inserts the same, once. (Told by
                # the terms: scanning the text for "_:" outside strings cost more than
                # writing it.)
                insert = "INSERT" if any_blank(triples) else "INSERT DATA"
                where = "" if insert == "INSERT DATA" else " WHERE {}"
                statements.append(f"{insert} {{ GRAPH <{graph}> {{\n{body}}} }}{where}")
        statements += after
        # A write that adds triples to no graph described (a staged write's chunk, into a
        # staging graph) and runs no operation that may add triples it does not list leaves
        # the summary true: whether the store keeps one is not asked (remote: a query).
        unlisted = summary.adds_unlisted([*before, *after])
        if statements and (added or unlisted) and self.described():
            if unlisted:
                statements += summary.rebuilt(self.engine_graphs)
            else:
                self._describe_first(added)
        if statements:
            emptied = [g for g in replace or {} if g not in filled]
            effect = known_effect(self.engine_graphs, filled, emptied, before, remove, after)
            self._update(" ;\n".join(statements), effect=effect)
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


@dataclass(frozen=True)
class Effect:
    """What an update changes of which named graphs hold triples: ``filled`` hold some
    after it, ``emptied`` none, the others as before."""

    filled: Sequence[str] = ()
    emptied: Sequence[str] = ()


def known_effect(
    engine_graphs: Sequence[str],
    filled: Sequence[str],
    emptied: Sequence[str],
    before: Sequence[str],
    removed: Iterable[str],
    after: Sequence[str],
) -> Effect | None:
    """What a write changes of which named graphs hold triples: ``filled`` and ``emptied``
    by its additions and replacements, when what else it runs cannot change another of
    ours — its removals and ``before`` operations (run first) only delete from graphs its
    additions then fill, or from the engine's own, and its ``after`` operations from the
    engine's own alone (see :func:`only_deleting_in`); None when unknown. An ingest's write
    deletes what the provenance graph said of the source before adding to it: known."""
    first, last = only_deleting_in(before), only_deleting_in(after)
    if first is None or last is None:
        return None
    unsure = (first | set(removed)) - set(filled) | last
    if any(not g.startswith(tuple(engine_graphs)) for g in unsure):
        return None
    return Effect(filled, emptied)


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
