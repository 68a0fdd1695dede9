"""Building triples: a small collector that turns Python values into RDF terms."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar
from urllib.parse import quote

import pyoxigraph as ox

from openness.namespaces import RDF, XSD
from openness.store.sorted_triples import SortedTriples, parse

Subject = ox.NamedNode | ox.BlankNode
# A term of a triple, as pyoxigraph gives it (a quoted triple's subject or object aside).
Term = TypeVar("Term", ox.NamedNode, ox.BlankNode, ox.Literal)
SPOOL_BATCH = 10_000  # triples a SpooledTriples holds before they go to disk
Value = ox.NamedNode | ox.BlankNode | ox.Literal | str | bool | int | float | dt.date


def iri(value: str) -> ox.NamedNode:
    """A named node; characters an IRI may not hold (spaces, quotes, …) are percent-encoded,
    since source URLs are not always well-formed.

    >>> iri("https://example.org/a file.yml").value
    'https://example.org/a%20file.yml'
    """
    try:
        return ox.NamedNode(value)
    except ValueError:
        return ox.NamedNode(quote(value.strip(), safe=_IRI_SAFE))


_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_TERM = (ox.NamedNode, ox.BlankNode, ox.Literal)
# Predicates, classes and the nodes many triples share (a run, a definition, an outcome):
# IRIs named again and again (made anew, a named node took about a microsecond, a tenth of
# a triple's cost in Triples.add).
recurring = lru_cache(maxsize=4096)(iri)


def literal(value: object, *, lang: str | None = None) -> ox.Literal:
    """An RDF literal with the XSD datatype that fits the Python value.

    >>> str(literal(True))
    '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    >>> literal("2024-02-01").datatype.value
    'http://www.w3.org/2001/XMLSchema#string'
    """
    if type(value) is str and not lang:  # the most common, first
        return ox.Literal(value)
    if isinstance(value, ox.Literal):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=iri(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=iri(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=iri(XSD + "double"))
    if isinstance(value, dt.datetime):
        return ox.Literal(value.isoformat(), datatype=iri(XSD + "dateTime"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=iri(XSD + "date"))
    if lang:
        return ox.Literal(str(value), language=lang)
    return ox.Literal(str(value))


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=iri(datatype))


def renamed(term: Term, old: str, new: str) -> Term:
    """``term`` with the start ``old`` of its IRI made ``new`` (other terms as they are): a
    source's IRIs as a snapshot's, and back, or a node named by its content.

    >>> renamed(ox.NamedNode("urn:a#b"), "urn:a", "urn:c").value
    'urn:c#b'
    """
    if isinstance(term, ox.NamedNode) and term.value.startswith(old):
        return ox.NamedNode(new + term.value[len(old) :])
    return term


def decimal(value: float) -> ox.Literal:
    """An xsd:decimal literal in its canonical form, the one Oxigraph stores and gives back
    ("50", not "50.0"): written otherwise, a value read back differs from the same value
    written again, and every re-assessment rewrote the MOF progress values.

    >>> decimal(50.0).value, decimal(12.5).value, decimal(1e-05).value
    ('50', '12.5', '0.00001')
    """
    return ox.Literal(
        format(Decimal(repr(value)).normalize(), "f"), datatype=recurring(XSD + "decimal")
    )


class Triples:
    """Collects the triples of one source; values that are None or empty are skipped,
    so absent facts stay absent instead of becoming empty strings."""

    def __init__(self) -> None:
        self._items: list[ox.Triple] = []
        self._shared: set[str] = set()

    def first(self, node: str) -> bool:
        """Whether ``node``, a node many subjects share (a licence statement named by its
        content), is new here: the first time, it is noted and its triples are to be added;
        later, only the links to it."""
        if node in self._shared:
            return False
        self._shared.add(node)
        return True

    def __len__(self) -> int:
        return len(self._items)

    @contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """Keep what the block adds only if it completes: a record that fails half-way
        leaves none of its triples (nor its shared nodes marked as written). Not for
        :class:`SpooledTriples`, whose lines already spilled to disk stay."""
        kept, shared = len(self._items), set(self._shared)
        try:
            yield
        except BaseException:
            del self._items[kept:]
            self._shared = shared
            raise

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._items)

    def add(self, s: Subject | str, p: str, o: Value | None) -> None:
        if o is None or o == "":
            return
        subject = iri(s) if isinstance(s, str) else s
        obj = o if isinstance(o, _TERM) else literal(o)
        self._items.append(ox.Triple(subject, recurring(p), obj))

    def link(self, s: Subject | str, p: str, o: str | None) -> None:
        """Add ``s p <o>`` where ``o`` is an IRI given as a string."""
        if o:
            self.add(s, p, iri(o))

    def types(self, s: Subject | str, *classes: str) -> None:
        for cls in classes:
            self.add(s, RDF + "type", recurring(cls))

    def extend(self, triples: Iterable[ox.Triple]) -> None:
        self._items.extend(triples)


class SpooledTriples(Triples):
    """Triples that go to disk, sorted, a batch at a time as they are added (see
    :mod:`openness.store.sorted_triples`): a graph of millions of triples built in bounded
    memory (a million Hub models' identity graph took ~5 GB as objects). Read back in the
    order of their N-Triples lines, each once; :meth:`close` removes the files."""

    def __init__(self) -> None:
        super().__init__()
        self._spool = SortedTriples()
        self._spooled = 0

    def __len__(self) -> int:
        return self._spooled + len(self._items)

    def __iter__(self) -> Iterator[ox.Triple]:
        self._spill()
        lines = self._spool.lines()
        while batch := list(itertools.islice(lines, SPOOL_BATCH)):
            yield from parse(batch)

    def add(self, s: Subject | str, p: str, o: Value | None) -> None:
        super().add(s, p, o)
        if len(self._items) >= SPOOL_BATCH:
            self._spill()

    def extend(self, triples: Iterable[ox.Triple]) -> None:
        super().extend(triples)
        self._spill()

    def sorted(self) -> SortedTriples:
        """Every triple, as the sorted lines :meth:`GraphStore.update_graph` compares (closed
        with these triples)."""
        self._spill()
        return self._spool

    def _spill(self) -> None:
        self._spool.extend(self._items)
        self._spooled += len(self._items)
        self._items = []

    def close(self) -> None:
        self._items = []
        self._spool.close()


def iri_values(iris: Iterable[str]) -> str:
    """IRIs as the terms of a SPARQL VALUES block.

    >>> iri_values(["urn:a", "urn:b"])
    '<urn:a> <urn:b>'
    """
    return " ".join(f"<{i}>" for i in iris)
