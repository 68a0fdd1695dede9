"""Query results that look the same whichever backend produced them."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from openness.namespaces import PREFIXES

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


class QueryResult:
    """The answer to a SELECT, ASK, CONSTRUCT or DESCRIBE query.

    ``kind`` is ``"solutions"``, ``"boolean"`` or ``"graph"``. Solutions and triples can be
    iterated once; :meth:`serialize` writes them in any SPARQL results or RDF format.
    """

    def __init__(self, native: Any) -> None:
        self._native = native
        if isinstance(native, ox.QuerySolutions):
            self.kind = "solutions"
        elif isinstance(native, ox.QueryBoolean):
            self.kind = "boolean"
        else:  # QueryTriples, or a list of triples parsed from a remote answer
            self.kind = "graph"

    @property
    def variables(self) -> list[str]:
        """Names of the projected variables (SELECT only), without ``?``."""
        if self.kind != "solutions":
            return []
        return [v.value for v in self._native.variables]

    def __bool__(self) -> bool:
        if self.kind == "boolean":
            return bool(self._native)
        return True

    def __iter__(self) -> Iterator[Any]:
        if self.kind == "boolean":
            raise TypeError("an ASK result is a boolean; use bool(result)")
        return iter(self._native)

    def rows(self) -> list[dict[str, Any]]:
        """Solutions as dicts from variable name to term (unbound variables left out)."""
        names = self.variables
        # A solution iterates over its terms in the order of the variables: zipped, a
        # row takes a third of the time that looking each variable up by name took.
        return [
            {name: term for name, term in zip(names, solution, strict=True) if term is not None}
            for solution in self
        ]

    def sorted_parts(self, joined: Mapping[str, str]) -> QueryResult:
        """The solutions with each column of ``joined`` (a column name → the separator its
        values join their parts with) holding its parts sorted by code point: SPARQL 1.1
        leaves the order of the parts a GROUP_CONCAT joins to the engine, and each engine
        (even Oxigraph embedded and served) joins them in its own. Consumes this result, a
        solution at a time as the one given back is read, so that no more of a result is
        held than what its reader keeps (the server's protocol answer stops at its size
        limit); gives it back as it is when there is nothing to sort."""
        if self.kind != "solutions" or not joined:
            return self
        # Solutions cannot be built term by term: they are written as SPARQL TSV (each
        # term in its N-Triples form, lossless) and parsed back as the text is read.
        return QueryResult(
            ox.parse_query_results(
                _Lines(_sorted_tsv(self._native, joined)), ox.QueryResultsFormat.TSV
            )
        )

    def serialize(
        self, fmt: ox.QueryResultsFormat | ox.RdfFormat, output: Any = None
    ) -> bytes | None:
        """Serialize to bytes, or into ``output`` (a binary file-like object) when given;
        results formats for solutions and booleans, RDF for graphs."""
        if self.kind == "graph":
            if not isinstance(fmt, ox.RdfFormat):
                raise ValueError(f"a graph result cannot be written as {fmt.name}")
            return ox.serialize(self._native, output, format=fmt, prefixes=PREFIXES)
        if not isinstance(fmt, ox.QueryResultsFormat):
            raise ValueError(f"a {self.kind} result cannot be written as {fmt.name}")
        return self._native.serialize(output, format=fmt)


def _sorted_tsv(solutions: ox.QuerySolutions, joined: Mapping[str, str]) -> Iterator[bytes]:
    """SPARQL TSV of ``solutions``, a line at a time, each joined column's parts sorted."""
    names = [v.value for v in solutions.variables]
    yield ("\t".join("?" + name for name in names) + "\n").encode()
    for solution in solutions:
        cells = []
        for name, term in zip(names, solution, strict=True):
            if isinstance(term, ox.Literal) and name in joined:
                separator = joined[name]
                value = separator.join(sorted(term.value.split(separator)))
                term = (
                    ox.Literal(value, language=term.language, direction=term.direction)
                    if term.language
                    else ox.Literal(value, datatype=term.datatype)
                )
            cells.append("" if term is None else _tsv_term(term))
        yield ("\t".join(cells) + "\n").encode()


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term's value as text: an IRI's, a blank node's, a literal's lexical form, and a
    triple term (RDF 1.2), which has no value, as SPARQL TSV writes it (``<<( s p o )>>``
    of N-Triples): any column of an answer may hold one, a name's too (an update or an
    upload may say so), and is shown, sorted and joined on as any other term."""
    return _tsv_term(term) if isinstance(term, ox.Triple) else term.value


def row_values(row: Mapping[str, Any]) -> dict[str, str]:
    """A row of :meth:`QueryResult.rows` as the values of its terms (:func:`term_value`)."""
    return {name: term_value(term) for name, term in row.items()}


def _tsv_term(term: Any) -> str:
    """A term as SPARQL TSV writes it: N-Triples, a triple term within ``<<( )>>``."""
    if isinstance(term, ox.Triple):
        inner = (_tsv_term(t) for t in (term.subject, term.predicate, term.object))
        return "<<( " + " ".join(inner) + " )>>"
    return str(term)


class _Lines(io.RawIOBase):
    """A binary reader over an iterator of byte strings, drawing only as much of it as
    each read asks for."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines, self._pending = lines, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunks, size = [self._pending], len(self._pending)
        while size < len(buffer):
            line = next(self._lines, None)
            if line is None:
                break
            chunks.append(line)
            size += len(line)
        data = b"".join(chunks)
        size = min(size, len(buffer))
        buffer[:size], self._pending = data[:size], data[size:]
        return size
