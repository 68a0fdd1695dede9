"""The default backend: pyoxigraph, on disk or in memory."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from openness.namespaces import PREFIXES
from openness.store import dump, holders, summary
from openness.store.base import Effect, GraphStore, Triples, announced_write
from openness.store.errors import CutOff, StoreError, Unanswerable
from openness.store.lines import Lines, any_blank, as_text, listed
from openness.store.results import QueryResult
from openness.store.sparql_text import bind_values, names_dataset

log = logging.getLogger("openness.store")
# Triples a reading copy may hold in memory (~300-400 MB a million triples); a larger one is
# made on disk, in a temporary folder. A copy on disk answers a batch's evidence an order of
# magnitude slower than one in memory (50 000 Hub models on the bundled graph, 4.1 million
# triples: 0.25-0.45 s for 100 models against 0.02-0.03 s), so the limit is as high as the
# assessment's peak RSS allows (4 GB in all): with the copy in memory, that assessment took
# 328 s wall, 538 CPU s and 2.2 GB peak RSS instead of 426 s, 788 CPU s and 1.0 GB.
COPY_LIMIT = 6_000_000
COPY_CHUNK = 100_000  # quads read at a time into a reading copy
# Quads written to a store on disk between two flushes of its write buffers. Oxigraph opens
# RocksDB with 128 MB write buffers in each of its 12 column families and no total limit, so
# a long run of writes is held in memory until each buffer fills (~1 KB a quad written): an
# assessment, which writes ~470 triples a model, grew by ~500 MB every 1 000 models. Flushed
# every 100 000 quads, the buffers stay under ~100 MB.
FLUSH_EVERY = 100_000
# Writes that only add, up to this many quads, go through pyoxigraph's bulk loader
# (Store.bulk_load of their N-Quads, see nquads), at less than half the CPU of a transaction
# (the bundled graph's first assessment: ~17 µs a quad instead of ~38). It is as atomic for
# writes this small: the loader sorts each run of up to 1 000 000 quads into one file per
# index and hands those files to RocksDB in one ingestion, which RocksDB applies to all the
# column families or to none, killed or not (IngestExternalFiles). (Loaded from bytes too:
# 200 000 quads made 9 files, one per column family, 1 200 000 made 17.) Larger writes are
# a transaction (Store.extend).
BULK_MAX = 200_000


# Oxigraph's words for a function it does not have, raised as RuntimeError: the error it
# raises for a store that fails too, so the words tell the two apart.
_NO_FUNCTION = re.compile(r"The custom function <[^>]*> is not supported")


@contextlib.contextmanager
def _answerable() -> Iterator[None]:
    """Oxigraph's error for a function it does not have raised as :class:`Unanswerable`."""
    try:
        yield
    except RuntimeError as e:
        if not _NO_FUNCTION.fullmatch(str(e)):
            raise
        raise Unanswerable(f"{e} by this engine (Oxigraph)") from e


def nquads(add: dict[str, list[ox.Triple] | Lines], quads: list[ox.Quad]) -> bytes:
    r"""``add`` (graph -> triples) and ``quads`` as N-Quads, for a bulk load. pyoxigraph's
    N-Triples serializer writes the triples, each line then given its graph: no Quad
    object is made (one of a triple whose object is a literal or a blank node cost ~2 µs,
    most of it an error pyoxigraph's argument conversion raises and drops; a Hub sync's
    bulk loads took ~8.4 µs a quad this way instead of ~10.5).

    >>> t = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("a .\nb"))
    >>> nquads({"urn:g": [t]}, [])
    b'<urn:s> <urn:p> "a .\\nb" <urn:g> .\n'
    """
    parts = []
    for graph, triples in add.items():
        # Every line ends " .\n", and nothing else does: a literal's line breaks are escaped.
        end = f" {ox.NamedNode(graph)} .\n".encode()
        parts.append(as_text(triples).replace(b" .\n", end))
    parts.append(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return b"".join(parts)


def _as_quads(add: dict[str, Iterable[ox.Triple]]) -> Iterator[ox.Quad]:
    """The quads of ``add`` (graph -> triples), made as they are read, not held as a second
    copy of the write."""
    for graph, triples in add.items():
        g = ox.NamedNode(graph)
        for t in triples:
            yield ox.Quad(t.subject, t.predicate, t.object, g)


class EmbeddedStore(GraphStore):
    """A pyoxigraph store in ``path`` (a directory), or in memory when ``path`` is None.

    ``read_only`` opens an existing store for reading, so several server workers can
    share it; nothing may write to it meanwhile. A ``holder`` (how this process is named
    to another) holds the store on disk while it is open, shared when read only, else
    exclusively (see openness.store.holders): StoreBusy when it cannot. ``serves``: the
    holder is a server, which holds the store until it is stopped, not a command.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        read_only: bool = False,
        holder: str | None = None,
        serves: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._unflushed = 0  # quads written since the write buffers were last flushed
        self._only: frozenset[str] | None = None  # a reading copy: the graphs it holds
        self._folder: tempfile.TemporaryDirectory[str] | None = None  # a copy on disk's
        self._hold = holders.Hold(None)
        try:
            if self.path is None:
                self._store = ox.Store()
                return
            if not read_only:
                self.path.mkdir(parents=True, exist_ok=True)
            if holder is not None:  # before RocksDB opens: never beside a refused holder
                self._hold = holders.hold(self.path, holder, writes=not read_only, serves=serves)
            if read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self._store = ox.Store(str(self.path))
        except StoreError:  # (StoreBusy: held by another, which says by whom)
            raise
        except (OSError, RuntimeError) as e:  # RuntimeError: a folder RocksDB cannot read
            self._hold.release()
            raise StoreError(f"cannot open the store at {self.path}: {e}") from e

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path) if self.path else 'memory'})"

    @property
    def unchanging(self) -> bool:
        """A store on disk opened read-only: a snapshot of it as it was when opened, which
        sees no later write, and which no command writes while a server holds it
        (openness.store.holders; one given --force does, and what a server serves is
        undefined until it is started again)."""
        return self.path is not None and self.read_only

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
        kwargs: dict[str, object] = {"prefixes": PREFIXES, "base_iri": base_iri}
        lists_given = default_graphs is not None or named_graphs is not None
        if as_given and lists_given:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        elif as_given and names_dataset(sparql):
            pass  # Oxigraph reads the query's FROM, unless told to take the union
        else:
            if default_graphs and not self._holds_only(default_graphs):
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            else:
                kwargs["use_default_graph_as_union"] = True
            if named_graphs:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        with _answerable():
            return QueryResult(self._store.query(sparql, **kwargs))

    def _holds_only(self, graphs: Sequence[str]) -> bool:
        """Whether ``graphs`` name every graph holding triples, known for a reading copy and
        looked up in memory: then their merge is the union of all graphs, which Oxigraph
        reads as one index, where a list of default graphs is read graph by graph (the
        evidence of the bundled graph's models took 1.1-1.2 ms a model from a reading copy
        of its 11 graphs instead of 2.4-2.6, the same solutions; a scratch store of the
        assessment holds its two). Not looked up in a store on disk, where it would seldom
        hold (derived facts, assessments and snapshots are graphs beside the sources)."""
        if self._only is not None:
            return self._only <= set(graphs)
        if self.path is not None:
            return False
        if next(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None):
            return False
        wanted = set(graphs)
        return all(g.value in wanted for g in self._store.named_graphs())

    def _update(
        self, sparql: str, *, base_iri: str | None = None, effect: Effect | None = None
    ) -> None:
        if self.path is None:  # a scratch store: nothing a fault could lose
            with _answerable():
                self._store.update(sparql, base_iri=base_iri)
            return
        with self._announced(), _answerable():
            self._store.update(sparql, base_iri=base_iri)

    @contextlib.contextmanager
    def _announced(self) -> Iterator[None]:
        """A write to the store on disk: its dump is no longer current from before it
        starts (see openness.store.dump), and it is announced."""
        if not self.read_only:  # a write to a store read only fails: it changes nothing
            dump.outdate(self.path)
        with announced_write():
            yield

    def write(
        self,
        *,
        replace: dict[str, Triples] | None = None,
        add: dict[str, Triples] | None = None,
        remove: dict[str, Triples] | None = None,
        before: Sequence[str] = (),
        after: Sequence[str] = (),
    ) -> int:
        """As :meth:`GraphStore.write`; a write that only adds is one ``Store.extend``
        (atomic too), not a SPARQL update: the update's text and its parse took about twice
        the memory (an identity graph of 100 000 models written at once set the sync's peak
        RSS)."""
        remove = {g: listed(t) for g, t in (remove or {}).items()}
        add = {g: listed(t) for g, t in (add or {}).items()}
        written, buffered = self._write(replace, add, remove, before, after)
        self._flush_past(FLUSH_EVERY, buffered + sum(len(t) for t in remove.values()))
        return written

    def _write(
        self,
        replace: dict[str, Triples] | None,
        add: dict[str, list[ox.Triple] | Lines],
        remove: dict[str, list[ox.Triple] | Lines],
        before: Sequence[str],
        after: Sequence[str],
    ) -> tuple[int, int]:
        """The triples written, and how many of them went through the write buffers (a bulk
        load writes its own files)."""
        # Blank nodes stay SPARQL's: INSERT DATA makes them fresh, extend would not.
        blank = any(any_blank(triples) for triples in add.values())
        if replace or before or after or blank or any(remove.values()):
            written = super().write(
                replace=replace, add=add, remove=remove, before=before, after=after
            )
            return written, written
        written = sum(len(t) for t in add.values())
        if not written:
            return 0, 0
        # The summary's new partitions go in the same load (see openness.store.summary).
        described = []
        if self.described():
            described = summary.partitions(self, *summary.terms_of(add.values()))
        self.add_atomically(add, described)
        return written, 0 if written <= BULK_MAX else written

    def _flush_past(self, limit: int, quads: int) -> None:
        """Count ``quads`` written; past ``limit`` since the last flush, write the store's
        buffers to disk (see FLUSH_EVERY)."""
        if self.path is None or self.read_only:
            return
        self._unflushed += quads
        if self._unflushed >= limit:
            self._store.flush()
            self._unflushed = 0

    def add_atomically(self, add: dict[str, list[ox.Triple] | Lines], quads: list[ox.Quad]) -> None:
        """Add the triples of ``add`` (graph -> triples) and ``quads`` all or nothing
        (announced, as every write to a store on disk): at most BULK_MAX in one bulk load,
        more in one transaction."""
        if self.path is None:
            self._store.extend(itertools.chain(_as_quads(add), quads))
            return
        with self._announced():
            if sum(len(t) for t in add.values()) + len(quads) <= BULK_MAX:
                self._store.bulk_load(nquads(add, quads), format=ox.RdfFormat.N_QUADS)
            else:
                self._store.extend(itertools.chain(_as_quads(add), quads))

    def extend(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Add ``triples`` to ``graph`` in bulk, outside any transaction: for scratch stores,
        which no reader shares and a crash may lose."""
        self._store.bulk_extend(_as_quads({graph: triples}))

    def load(self, graph: str, data: bytes) -> None:
        """Add the N-Triples ``data`` to ``graph`` in bulk, outside any transaction, as
        :meth:`extend` (parsed by the store: no Python object a triple)."""
        self._store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))

    def reading_copy(self, graphs: Sequence[str], limit: int | None = None) -> GraphStore:
        """A copy of ``graphs`` when this store is on disk (see :func:`reading_copy`),
        else this store.

        A query reading many of a list of graphs (a batch of models' evidence) runs faster
        on a store that holds only them: it reads them as one union, where a list of graphs
        is read graph by graph (on RocksDB, 11 graphs: ~28 ms a model's evidence, from a
        copy on disk ~3.2, from one in memory ~1.1; copying cost 11-17 µs a quad either
        way)."""
        if self.path is None:
            return self
        return reading_copy(self, graphs, limit, self._quads_of)

    def query_around(self, sparql: str, graphs: Sequence[str]) -> QueryResult:
        """As :meth:`GraphStore.query_around`: on disk, asked first over the union of every
        graph, which Oxigraph reads as one index where a list of graphs is read graph by
        graph, and whose solutions are a superset; then over a copy in memory of the
        triples of ``graphs`` about the nodes those bind, which holds all the answer reads.
        (A 1% re-sync at 50 000 Hub models: 100 models' evidence over the eight graphs of
        facts took 1.3-1.7 CPU s, this way 0.8-1.0.)"""
        if self.path is None or self._holds_only(graphs):
            return self.query(sparql, default_graphs=graphs)
        nodes = {
            term
            for solution in self._store.query(
                sparql, prefixes=PREFIXES, use_default_graph_as_union=True
            )
            for term in solution
            if isinstance(term, ox.NamedNode | ox.BlankNode)
        }
        around = EmbeddedStore(None)
        around._only = frozenset(graphs)  # noqa: SLF001 - the class's own
        wanted = [ox.NamedNode(g) for g in graphs]
        around._store.extend(  # noqa: SLF001
            quad
            for n in nodes
            for g in wanted
            for quad in self._store.quads_for_pattern(n, None, None, g)
        )
        return around.query(sparql, default_graphs=graphs)

    def _quads_of(self, graph: str) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    @classmethod
    def _temporary(cls) -> EmbeddedStore:
        # A query's solutions still held (a traceback's frames) keep RocksDB open: what
        # it writes meanwhile must not turn the end of a run into an error.
        folder = tempfile.TemporaryDirectory(prefix="openness-copy-", ignore_cleanup_errors=True)
        store = cls(folder.name)
        store._folder = folder
        return store

    def described(self) -> bool:
        # A key look-up, not a query: every write asks (see openness.store.summary).
        return self._store.contains_named_graph(ox.NamedNode(summary.SUMMARY))

    def graph_names(self) -> list[str]:
        return [g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]

    def export(self, fmt: ox.RdfFormat) -> bytes:
        return self._store.dump(format=fmt)

    def export_into(self, output: IO[bytes], fmt: ox.RdfFormat) -> None:
        """The whole dataset in a quad format written to ``output`` as it is read (a
        large store is not held in memory)."""
        self._store.dump(output, format=fmt)

    def optimize(self) -> None:
        """Compact the store on disk (RocksDB's full compaction): a build writes in
        hundreds of batches, which leave its data spread over overlapping files, each
        value possibly several times. On the bundled graph compacted, the store's files
        take 178 MB instead of 353 MB, and the queries of a model page 20% less CPU
        (bench/load.py)."""
        if self.path is None or self.read_only:
            return
        self._store.flush()
        self._store.optimize()

    def size_on_disk(self) -> int | None:
        if self.path is None:
            return None
        # RocksDB keeps its files in one folder, not below it, and its background
        # compactions delete some while they are counted.
        size = 0
        with os.scandir(self.path) as files:
            for f in files:
                with contextlib.suppress(FileNotFoundError):
                    size += f.stat().st_size if f.is_file() else 0
        return size

    def close(self) -> None:
        if self._folder is not None:  # a reading copy on disk: nothing to keep
            del self._store
            self._folder.cleanup()
            return
        if self.path is not None and not self.read_only:
            self._store.flush()
        del self._store
        self._hold.release()


def reading_copy(
    source: GraphStore,
    graphs: Sequence[str],
    limit: int | None,
    quads_of: Callable[[str], Iterable[ox.Quad]],
) -> GraphStore:
    """A copy of ``graphs`` of ``source`` (their quads as ``quads_of`` reads them), when
    they hold at most ``limit`` triples (what the reads it saves are worth; any number when
    None), else ``source``. Up to COPY_LIMIT triples the copy is in memory, past it on disk
    in a temporary folder (``TMPDIR``), removed when the copy is closed."""
    # Counted as far as the decision needs (~0.6 µs a quad on disk): past the limit,
    # or past COPY_LIMIT when there is none.
    enough = (COPY_LIMIT if limit is None else limit) + 1
    size = source.count(
        "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?s WHERE { VALUES ?g { "
        + " ".join(f"<{g}>" for g in graphs)
        + f" }} GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {enough} }} }}"
    )
    if limit is not None and size > limit:
        return source
    if size <= COPY_LIMIT:
        copy = EmbeddedStore(None)
        copied = _copy_into(copy, graphs, quads_of)
    else:
        try:
            copy = EmbeddedStore._temporary()  # noqa: SLF001 - the module's own
        except (OSError, StoreError) as e:
            log.warning("no reading copy (%s): the store is read instead", e)
            return source
        try:
            copied = _copy_into(copy, graphs, quads_of)
        except OSError as e:  # the temporary folder's disk is full, say
            copy.close()
            log.warning("no reading copy in %s (%s): the store is read instead", copy.path, e)
            return source
    if copied is None or copied < size:
        # An engine may cut an answer at a row limit without an error (Virtuoso's
        # ResultSetMaxRows, 10 000 by default): a partial copy would hide evidence. (The
        # count stops past COPY_LIMIT, so a cut the engine said is not counted on.)
        copy.close()
        log.warning(
            "no reading copy: %s gave %s of the triples of %s (a limit on answers?); "
            "the store is read instead",
            source,
            "a cut part" if copied is None else f"{copied} of the {size}",
            ", ".join(graphs),
        )
        return source
    copy._only = frozenset(graphs)  # noqa: SLF001
    return copy


def _copy_into(
    copy: EmbeddedStore, graphs: Sequence[str], quads_of: Callable[[str], Iterable[ox.Quad]]
) -> int | None:
    """Copy the quads of ``graphs``; returns how many were read, None when the source said
    it cut one's answer off (:class:`CutOff`)."""
    copied = 0
    for g in graphs:
        found = iter(quads_of(g))
        # A chunk at a time: a graph's quads as Python objects took about as much
        # memory as a copy in memory (~500 B a quad).
        try:
            while quads := list(itertools.islice(found, COPY_CHUNK)):
                copy._store.bulk_extend(quads)  # noqa: SLF001
                copied += len(quads)
        except CutOff:
            return None
    return copied
