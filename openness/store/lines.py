"""Triples as N-Triples lines: what a writer that makes many triples from text hands to a
store, which loads the lines as they are where it can (an embedded store's bulk load, a
SPARQL update's text) and reads them as triples elsewhere.

Made as ``pyoxigraph.Triple`` objects, serialized for the store's loader, scanned for blank
nodes and for the summary's terms, the ~300 triples of a model's verdicts cost the
assessment's writer about as much as the store's own work on them; as lines they are text
from the start (see :mod:`openness.assess.store`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from functools import lru_cache

import pyoxigraph as ox

from openness.namespaces import RDF
from openness.store.sorted_triples import has_blank, line_has_blank, parse

_TYPE = f"<{RDF}type>".encode()
_PARSED = 10_000  # lines parsed at a time when they are read as triples


class Lines:
    """Triples, each an N-Triples line (bytes ending ``" .\\n"``) as pyoxigraph writes it,
    so that equal lines are equal triples (lines read from a store compare with these)."""

    def __init__(self, lines: Iterable[bytes] = ()) -> None:
        self.lines = list(lines)

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> Lines:
        """The lines of ``triples``, written by pyoxigraph."""
        return cls(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).splitlines(True))

    def add(self, s: str, p: str, o: str) -> None:
        """Add the triple of three terms written as N-Triples (see :func:`node`, :func:`text`)."""
        self.lines.append(f"{s} {p} {o} .\n".encode())

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[ox.Triple]:
        for at in range(0, len(self.lines), _PARSED):
            yield from parse(self.lines[at : at + _PARSED])

    def text(self) -> bytes:
        return b"".join(self.lines)

    def has_blank(self) -> bool:
        return any(line_has_blank(line) for line in self.lines)

    def terms(self) -> tuple[set[ox.NamedNode], set[ox.NamedNode]]:
        """The properties and the classes (IRI objects of rdf:type) used, as
        :func:`openness.store.summary.terms` gives them for triples."""
        # Each line split at its first two spaces (a subject and a predicate hold none, see
        # line_has_blank): a regular expression over the text took 8x as long (24 500
        # verdict lines: 44 ms against 5.5), and the writer runs this on every batch.
        properties: set[bytes] = set()
        classes: set[bytes] = set()
        for line in self.lines:
            _, predicate, rest = line.split(b" ", 2)
            properties.add(predicate)
            if predicate == _TYPE and rest.startswith(b"<"):
                classes.add(rest[: rest.index(b">") + 1])
        return _named(properties), _named(classes)


def _named(written: set[bytes]) -> set[ox.NamedNode]:
    """Named nodes from their N-Triples form (``<iri>``)."""
    return {ox.NamedNode(w[1:-1].decode()) for w in written}


def node(iri: str) -> str:
    """A named node as N-Triples writes it (``iri`` already a valid IRI)."""
    return f"<{iri}>"


@lru_cache(maxsize=65_536)
def text(value: str) -> str:
    """A string literal as pyoxigraph writes it (its escaping, so that lines compare): the
    same reasons recur across models, so each is written once."""
    return str(ox.Literal(value))


def as_text(triples: Iterable[ox.Triple]) -> bytes:
    """``triples`` as N-Triples (lines as they are)."""
    if isinstance(triples, Lines):
        return triples.text()
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def listed(triples: Iterable[ox.Triple]) -> list[ox.Triple] | Lines:
    """``triples`` held, lines as they are (a list of them would be parsed)."""
    return triples if isinstance(triples, Lines) else list(triples)


def any_blank(triples: Iterable[ox.Triple]) -> bool:
    """Whether a triple of ``triples`` holds a blank node."""
    if isinstance(triples, Lines):
        return triples.has_blank()
    return any(has_blank(t) for t in triples)


def text_lines(data: bytes) -> Iterator[str]:
    """The lines of UTF-8 text (N-Triples, a TSV answer) but empty ones, one at a time:
    split whole, a large description's evidence or derived facts took several times their
    size at once. Split at line feeds only: N-Triples and TSV write U+2028 and NEL as they
    are, and Python's splitlines breaks lines there too."""
    for line in io.BytesIO(data):  # (which splits at b"\n" alone)
        if line := line.rstrip(b"\n"):
            yield line.decode()
