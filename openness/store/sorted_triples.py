"""Triples kept as sorted N-Triples lines on disk, and the difference of two such sets: how
a graph of millions of triples is compared with what a store holds in bounded memory.

A million Hub models make an identity graph of ~10 million triples. As ``pyoxigraph.Triple``
objects they take ~490 B each (~5 GB), and the two sets a difference compares twice that;
as N-Triples lines sorted in files of RUN lines, merged when read, they take memory for one
run. pyoxigraph's serializer writes one triple per line (line breaks in literals escaped)
and the same triple always the same way, so equal lines are equal triples, and the lines of
one subject are next to each other.
"""

from __future__ import annotations

import heapq
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

RUN = 250_000  # lines sorted in memory at a time (~40 MB), then written to a file
BATCH = 10_000  # triples serialized at a time


class SortedTriples:
    """A set of triples (no blank nodes) on disk, read back sorted by their N-Triples
    line. Files are in a temporary folder (``TMPDIR``), removed by :meth:`close`."""

    def __init__(self, triples: Iterable[ox.Triple] = (), run: int = RUN) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="openness-sort-")
        self._run = run
        self._files: list[Path] = []
        self._lines: list[bytes] = []
        self.blank = False  # whether a blank node was added: these lines name no node
        try:
            self.extend(triples)
        except BaseException:
            self.close()  # never entered as a context, so nothing else would remove them
            raise

    def extend(self, triples: Iterable[ox.Triple]) -> None:
        found = iter(triples)
        while batch := list(itertools.islice(found, BATCH)):
            self.blank = self.blank or any(has_blank(t) for t in batch)
            self._lines += ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES).splitlines(True)
            if len(self._lines) >= self._run:
                self._spill()

    def _spill(self) -> None:
        self._lines.sort()
        path = Path(self._folder.name) / f"{len(self._files)}.nt"
        path.write_bytes(b"".join(self._lines))
        self._files.append(path)
        self._lines = []

    def lines(self) -> Iterator[bytes]:
        """Every line, sorted, each once."""
        self._lines.sort()
        files = [path.open("rb") for path in self._files]
        try:
            last = None
            for line in heapq.merge(self._lines, *files):
                if line != last:
                    yield line
                    last = line
        finally:
            for f in files:
                f.close()

    def close(self) -> None:
        self._lines = []
        self._folder.cleanup()

    def __enter__(self) -> SortedTriples:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def differences(old: Iterable[bytes], new: Iterable[bytes]) -> Iterator[tuple[bool, bytes]]:
    """(added, line) for each line in only one of two sorted sequences of unique lines:
    added when it is in ``new`` only, removed when in ``old`` only.

    >>> list(differences([b"a", b"b", b"d"], [b"b", b"c"]))
    [(False, b'a'), (True, b'c'), (False, b'd')]
    """
    o, n = iter(old), iter(new)
    a, b = next(o, None), next(n, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            yield False, a
            a = next(o, None)
        elif a is None or b < a:
            yield True, b
            b = next(n, None)
        else:
            a, b = next(o, None), next(n, None)


def subject_of(line: bytes) -> bytes:
    """The subject of an N-Triples line (an IRI or a blank node: no space in either).

    >>> subject_of(b'<urn:s> <urn:p> "o" .\\n')
    b'<urn:s>'
    """
    return line[: line.index(b" ")]


def parse(lines: list[bytes]) -> list[ox.Triple]:
    """The triples of N-Triples lines."""
    return [q.triple for q in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)]


def line_has_blank(line: bytes) -> bool:
    """Whether an N-Triples line holds a blank node (see :func:`has_blank`): its subject or
    its object is one (the subject and the predicate hold no space).

    >>> line_has_blank(b'<urn:s> <urn:p> "_:x" .\\n'), line_has_blank(b'<urn:s> <urn:p> _:b .\\n')
    (False, True)
    """
    return line.startswith(b"_:") or line.split(b" ", 2)[2].startswith(b"_:")


def has_blank(t: ox.Triple | ox.Quad) -> bool:
    """Whether a statement holds a blank node: such statements cannot be written as DATA
    (a blank node is new in every write) and are matched by pattern instead."""
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
