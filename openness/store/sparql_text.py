"""Reading SPARQL as text, where the parser does not help: the keywords outside strings,
IRIs and comments, a query's dataset clauses, parameters bound by VALUES, and what to tell
whoever sent a query or update the parser refused or the engine cannot answer."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cache

import pyoxigraph as ox
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from openness.namespaces import PREFIXES
from openness.store.errors import CutOff, Refused, Unanswerable

# Strings, IRIs and comments, which cannot hide a keyword: blanked before looking for one.
_NOT_CODE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|#[^\n]*"
)


# The characters of a SPARQL name, as SPARQL 1.1's grammar has them, not Python's \w, which
# misses many (a combining mark, '、', '℃', '！', an emoji): a name was read split at one.
# [164] PN_CHARS_BASE: what a prefix begins with.
_NAME_START = (
    r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
# [165] PN_CHARS_U and [167] PN_CHARS: what a name holds after its first character.
_NAME = _NAME_START + r"_\-0-9\u00b7\u0300-\u036f\u203f\u2040"


@cache
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, once, on first use. A class of the name characters
    takes sre ~4 ms to compile (~10 ms regardless of case: it maps every character of the
    BMP), and the ~20 patterns holding them cost every ``openness`` command ~0.4 CPU s at
    import, though most commands read none. Kept here, not in re's own cache, which drops
    its oldest pattern when full."""
    return re.compile(pattern, flags)


class Keyword:
    """A keyword's pattern (see :func:`keyword`), searched as a ``re.Pattern`` is, less
    its matches inside a prefixed name or blank node label: SPARQL's local name holds a
    '.' (not at its end) and escapes (``ex:a.graph``, ``ex:a\\,offset``), where a
    keyword's spelling would otherwise be taken for one (Virtuoso was sent its object as
    a graph name, or a LIMIT inside the pattern)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def finditer(
        self, code: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        names: list[tuple[int, int]] | None = None
        for found in self.pattern.finditer(code, pos, endpos):
            at = found.start()
            if at and not code[at - 1].isspace():  # only then can a name hold it
                if names is None:
                    names = [m.span() for m in compiled(_LOCAL_NAME).finditer(code)]
                if any(start < at < end for start, end in names):
                    continue
            yield found

    def search(self, code: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return next(self.finditer(code, pos, endpos), None)

    def findall(self, code: str, pos: int = 0, endpos: int = sys.maxsize) -> list[object]:
        """As ``re.Pattern.findall``: each match's text, or its group's, or its groups.

        >>> keyword("(?:GRAPH|OFFSET)").findall("SELECT * { ?s ex:a.graph ?o .GRAPH ?g {} }")
        ['GRAPH']
        """
        groups = self.pattern.groups
        found = self.finditer(code, pos, endpos)
        return [m[0] if not groups else m[1] if groups == 1 else m.groups() for m in found]


def keyword(word: str) -> Keyword:
    """A SPARQL keyword in :func:`code_only` text, not a variable (``?service``), a
    prefixed name (``schema:service``, ``from:x``, ``ex:a.graph``) or a blank node label of
    that spelling. A keyword right after a '.' that ends no such name (``?s ?p ?o .GRAPH
    ?g {…}``) is one. A name's characters are the grammar's, not \\w's: ``ex:a·from`` is a
    name, not a FROM clause."""
    return Keyword(compiled(rf"(?<![?$:{_NAME}]){word}(?![{_NAME}:])", re.IGNORECASE))


# A prefixed name or blank node label ([140]-[142], [169]-[173]) in code_only text: its
# prefix, then its local name with its '.'s (the last one kept out: it ends a triple) and
# escapes (the '#' of an escape is blanked as a comment's by code_only, as before).
_PN_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_CHAR = rf"(?:[{_NAME}:]|%[0-9A-Fa-f]{{2}}|{_PN_LOCAL_ESC})"
_LOCAL_NAME = (
    rf"(?<![{_NAME}.:?$\\])(?:_|[{_NAME_START}](?:[{_NAME}.]*[{_NAME}])?)?:"
    rf"(?:{_LOCAL_CHAR}|\.)*{_LOCAL_CHAR}"
)


def local_name(written: str) -> str:
    """A local name as written, its escapes undone (a ``%XX`` stays as written, as SPARQL
    says).

    >>> local_name(r"a\\.b\\~c%2E")
    'a.b~c%2E'
    """
    return compiled(_PN_LOCAL_ESC).sub(lambda m: m[0][1], written)


_NAMED = re.compile(r"\s+(NAMED\s+)?", re.IGNORECASE)
_CLAUSE_GRAPH = re.compile(r"<([^<>\s]*)>|([^\s{}<>:]*):([^\s{}<>]*)")
_PREFIX = r"PREFIX\s+([^\s:]*):"  # a keyword()
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
    declared = declared_prefixes(sparql, code)
    default: list[str] = []
    named: list[str] = []
    for m in keyword("FROM").finditer(code):
        after = _NAMED.match(sparql, m.end())  # on the text: the IRI is blank in the code
        graph = _CLAUSE_GRAPH.match(sparql, after.end()) if after else None
        if not graph:
            continue
        if graph[1] is not None:
            iri = graph[1]
        elif graph[2] in declared:
            iri = declared[graph[2]] + local_name(graph[3])
        else:
            raise SyntaxError(f"the prefix {graph[2]!r} of FROM {graph[0]} is not declared")
        (named if after[1] else default).append(iri)
        out[m.start() : graph.end()] = " " * (graph.end() - m.start())
    return "".join(out), default, named


def declared_prefixes(sparql: str, code: str) -> dict[str, str]:
    """Our prefixes and those ``sparql`` declares (``code`` its :func:`code_only` text)."""
    declared = dict(PREFIXES)
    for m in keyword(_PREFIX).finditer(code):
        iri = _DECLARED.match(sparql, m.end())  # on the text: the IRI is blank in the code
        if iri:
            declared[m[1]] = iri[1]
    return declared


_AT = re.compile(r"error at (\d+):(\d+): ")
# A prefixed name's prefix ([168] PN_PREFIX), in :func:`code_only` text: not a blank node
# label (``_:b``), nor a colon in a local name (``ex:a:b``).
_PREFIXED = rf"(?<![{_NAME}.:?$])([{_NAME_START}](?:[{_NAME}.]*[{_NAME}])?)?:"


# An update's first operation, after the prologue (in :func:`code_only` text), and what
# must follow each keyword for the text to be one (in the text with only its comments
# blanked: an IRI is blanked in the other): a query that merely begins with such a word
# ("Add me …") is not called one. An IRI may follow a keyword with no space between.
_UPDATE_START = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])",
    re.IGNORECASE,
)
# An IRI or a prefixed name begins (its prefix of the grammar's name characters: ``日本:g``).
_IRI_NEXT = rf"(?:\s*<|\s+(?:[{_NAME_START}](?:[{_NAME}.]*[{_NAME}])?)?:)"
_GRAPHS = r"(?:\s+SILENT)?\s+(?:GRAPH|DEFAULT|NAMED|ALL)\b"
_MOVED = rf"(?:\s+SILENT)?(?:\s+(?:DEFAULT|GRAPH)\b|{_IRI_NEXT})"
_UPDATE_GOES_ON = {
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
    >>> refusal("…", CutOff("http://engine/sparql", "answered 10000 rows, its row limit, …"))
    "the store's engine cut off its answer to the query: it answered 10000 rows, its row limit, …"
    """
    what = "update" if update else "query"
    if isinstance(error, CutOff):
        return f"the store's engine cut off its answer to the {what}: it {error.words}"
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
        and compiled(_UPDATE_GOES_ON[update_start[1].upper()], re.IGNORECASE).match(
            uncommented, update_start.end()
        )
    ):
        return f"it is a SPARQL update ({update_start[1].upper()}), not a query"
    ours = () if update else PREFIXES
    declared = [*ours, *(m[1] for m in keyword(_PREFIX).finditer(code))]
    at = _AT.match(said)
    stopped = (int(at[1]), int(at[2])) if at else None
    # The names are read from the text, not from the parser's words, which name the prefix
    # nowhere in a function call; the first undeclared one is where a parser that got that
    # far stopped (and before any brace left open), so it is said only then.
    used = next(
        (m for m in compiled(_PREFIXED).finditer(code) if (m[1] or "") not in declared), None
    )
    if stopped and used and stopped >= _row_column(sparql, used.start()):
        prefix = used[1] or ""
        named = f"error at {at[1]}:{at[2]}: the prefix '{prefix}:' is not declared: declare it "
        if not declared:
            return f"{named}(PREFIX {prefix}: <…>)"
        return (
            f"{named}(PREFIX {prefix}: <…>) or use one of those declared here "
            f"({', '.join(dict.fromkeys(p + ':' for p in declared))})"
        )
    said = (stopped and not_a_keyword(sparql, stopped)) or said
    return f"{unpaired(sparql)}; {said}" if unpaired(sparql) else said


# The words of SPARQL 1.1's grammar (its keywords, built-in functions and aggregates) and
# those of SPARQL 1.2 and its extensions that Oxigraph reads (SEP-0002's ADJUST, SEP-0006's
# LATERAL), upper-cased: matched regardless of case, as the grammar matches them.
KEYWORDS = frozenset(
    """A ADD ALL AS ASC ASK BASE BIND BY CLEAR CONSTRUCT COPY CREATE DATA DEFAULT DELETE
    DESC DESCRIBE DISTINCT DROP EXISTS FALSE FILTER FROM GRAPH GROUP HAVING IN INSERT INTO
    LATERAL LIMIT LOAD MINUS MOVE NAMED NOT OFFSET OPTIONAL ORDER PREFIX REDUCED SELECT
    SERVICE SILENT TO TRUE UNDEF UNION USING VALUES VERSION WHERE WITH
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT
    STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR
    MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384
    SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX
    SUBSTR REPLACE ADJUST
    TRIPLE ISTRIPLE SUBJECT PREDICATE OBJECT LANGDIR HASLANG HASLANGDIR STRLANGDIR""".split()
)
# A word standing alone in :func:`code_only` text: not a variable, a prefixed name or
# either part of one (a prefix may hold a '.', ``ex.a:``; a local name an escape or a
# middle dot, ``ex:a\~b``, ``ex:a·b``), a blank node label, a language tag or a number's
# exponent, nor right after a '.', where it may be a local name's end (``ex:a.b``).
_BARE_WORD = (
    rf"(?<![{_NAME}?$:@.^])(?<!\\[_~.\-!$&'()*+,;=/?#@%])[A-Za-z_][{_NAME}]*"
    rf"(?![{_NAME}:]|[{_NAME}.]*[{_NAME}]:)"
)


def not_a_keyword(sparql: str, stopped: tuple[int, int]) -> str | None:
    """The first word of ``sparql`` that is not a SPARQL keyword (:data:`KEYWORDS`), said with
    the keyword spelled most like it, where the parser stopped (line, column) at or past
    it; else None. The parser's own words name only what it expected where it stopped,
    often far from the word ('SELET ?x …': 'expected CONSTRUCT').

    >>> not_a_keyword("SELECT ?x WHRE { ?x ?p ?o }", (1, 16))
    "error at 1:11: 'WHRE' is not a SPARQL keyword (WHERE?)"
    >>> not_a_keyword("SELECT ?x { ?x ex:p ?o ; a ex:C } LIMIT 1 # WHRE", (1, 40)) is None
    True
    """
    for word in compiled(_BARE_WORD).finditer(code_only(sparql)):
        if word[0].upper() in KEYWORDS:
            continue
        where = _row_column(sparql, word.start())
        if where > stopped:
            return None
        guess = process.extractOne(
            word[0].upper(),
            KEYWORDS,
            scorer=Levenshtein.distance,
            score_cutoff=max(1, len(word[0]) // 3),
        )
        return f"error at {where[0]}:{where[1]}: '{word[0]}' is not a SPARQL keyword" + (
            f" ({guess[0]}?)" if guess else ""
        )
    return None


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
    return bool(keyword("FROM").search(code_only(sparql)))


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


_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*", re.IGNORECASE)  # IRIs blanked
_DROPPED = re.compile(r"(?:DROP|CLEAR)\s+(?:SILENT\s+)?GRAPH\b", re.IGNORECASE)
_DELETE = re.compile(r"DELETE\s*(DATA\s*|WHERE\s*)?\{", re.IGNORECASE)
_WHERE = re.compile(r"\s*WHERE\s*\{", re.IGNORECASE)
_IRI_AT = re.compile(r"\s*<([A-Za-z][A-Za-z0-9+.\-]*:[^<>\s]*)>")  # absolute: none to resolve


def _closing(code: str, opened: int) -> int:
    """Where the brace opened at ``opened`` closes in :func:`code_only` text (-1: never)."""
    depth = 0
    for at in range(opened, len(code)):
        depth += {"{": 1, "}": -1}.get(code[at], 0)
        if depth == 0:
            return at
    return -1


def only_deleting_in(operations: list[str]) -> set[str] | None:
    """The graphs SPARQL update ``operations`` may take triples from, when each only
    deletes in graphs it names by IRI (``DELETE`` whose template's triples are all in a
    ``GRAPH <g>``, ``DROP``/``CLEAR GRAPH <g>``); None when one may add triples or touch
    a graph it does not name so (a variable, the default graph, ``WITH``, ``ALL``).

    >>> sorted(only_deleting_in(['DELETE { GRAPH <urn:a> { ?s ?p "}" } } WHERE { ?s ?p ?o }',
    ...                          "PREFIX x: <urn:x#> DROP SILENT GRAPH <urn:b>"]))
    ['urn:a', 'urn:b']
    >>> only_deleting_in(["DELETE WHERE { ?s ?p ?o }"]), only_deleting_in(["DROP ALL"])
    (None, None)
    """
    graphs: set[str] = set()
    for operation in operations:
        code = code_only(operation)
        at = _PROLOGUE.match(code).end()  # type: ignore[union-attr]  # (matches anywhere)
        dropped = _DROPPED.match(code, at)
        if dropped:
            iri = _IRI_AT.match(operation, dropped.end())
            if iri is None or code[iri.end() :].strip():
                return None
            graphs.add(iri[1])
            continue
        delete = _DELETE.match(code, at)
        if delete is None:
            return None
        end = _closing(code, delete.end() - 1)
        if end < 0:
            return None
        inner = code[delete.end() : end]
        rest = code[end + 1 :]
        if delete[1] is None:  # DELETE { template } WHERE { pattern }, nothing after
            where = _WHERE.match(rest)
            if where is None or _closing(rest, where.end() - 1) < 0:
                return None
            if rest[_closing(rest, where.end() - 1) + 1 :].strip():
                return None
        elif rest.strip():
            return None
        outside = ""  # the template's text outside its GRAPH <g> { … } blocks
        cursor = 0
        for found in keyword("GRAPH").finditer(inner):
            named = _IRI_AT.match(operation, delete.end() + found.end())
            opened = inner.find("{", found.end())
            closed = _closing(inner, opened) if opened >= 0 else -1
            if named is None or closed < 0 or inner[named.end() - delete.end() : opened].strip():
                return None
            graphs.add(named[1])
            outside += inner[cursor : found.start()]
            cursor = closed + 1
        if (outside + inner[cursor:]).replace(".", "").strip():
            return None
    return graphs
