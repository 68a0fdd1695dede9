"""Named queries: the ``queries/*.rq`` files, their grlc-style ``#+`` headers and parameters.

A file starts with ``#+`` lines holding YAML (summary, description, tags, defaults, …);
the rest is the query, valid SPARQL on its own. Parameters are BASIL variables: ``?_name``
is required, ``?__name`` optional (unbound when not given: bound to UNDEF, for Virtuoso's
strict mode, in the groups using it, or opening the WHERE group for a use outside it; a query
without a WHERE group may use none, and a grouped query none outside an aggregate), and a
suffix types the value: ``_iri``, ``_integer``, ``_number``, ``_boolean``, ``_date``
(otherwise a plain literal).
Values become parsed terms (see :meth:`NamedQuery.sparql`), never pasted text. The file
declares its own prefixes, so any SPARQL tool reads it as it is.

A parameter whose values form a small closed set is listed in the header's ``enumerate``
(grlc's key), with its values, or without them and with the named query that gives them in
``enumerate_from`` (ours): a value outside them is refused, the page offers them as a
choice, and the API description gives them as its ``enum``. Values from the store are those
of the data (the definition ids the store holds), never written in a file.

SPARQL 1.1 leaves the order of the parts a GROUP_CONCAT joins to the engine, so the header
names each column a GROUP_CONCAT makes, with its separator (``joined: {reasons: " | "}``),
and :meth:`NamedQuery.run` sorts that column's parts: the CLI, the API and the pages show
one answer whichever engine gave it. It leaves the order of rows that tie under ORDER BY to
the engine too, so a file's ORDER BY names every column (every GROUP BY key in a grouped
query), or its header says why one is left out (``unordered: {reasons: "…"}``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from openness.namespaces import XSD
from openness.resources import queries_dir
from openness.store import GraphStore, QueryResult, term_value
from openness.store.sparql_text import bind_values, code_only, keyword

# The header keys this project reads. grlc defines more (endpoint, pagination, method,
# transform, …); a file using one would be served as if it were not there, so the catalogue
# refuses it, as it refuses a typo. "joined", "unordered" and "enumerate_from" are ours
# (grlc reads only the keys it knows).
KEYS = {
    "summary",
    "description",
    "tags",
    "defaults",
    "enumerate",
    "enumerate_from",
    "joined",
    "unordered",
}
TYPES = {
    "iri": None,
    "integer": XSD + "integer",
    "number": XSD + "decimal",
    "boolean": XSD + "boolean",
    "date": XSD + "date",
}
# The lexical forms XSD allows for each type (pyoxigraph builds a literal of any text).
LEXICAL = {
    "integer": re.compile(r"[+-]?[0-9]+"),
    "number": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    "boolean": re.compile(r"true|false|1|0"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})?"),
}
_PARAM = re.compile(r"\?(__?)([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)\b")
# A GROUP_CONCAT (found in the code, not in a comment) and the column it makes: its
# expression (with a call of its own at most, as STR(?x); no ';', which would let it take
# in a separator this does not read), its separator (a string, escapes and all), its
# variable.
_GROUP_CONCAT = "GROUP_CONCAT"  # a keyword(), as are those below: compiled on first use
_CONCATENATION = re.compile(
    r"GROUP_CONCAT\s*\((?:[^();]|\([^()]*\))*?"
    r"""(?:;\s*SEPARATOR\s*=\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))?"""
    r"\s*\)\s*AS\s*[?$](\w+)",
    re.IGNORECASE,
)

# The outermost query's solution modifiers: the code after its WHERE group.
_GROUP_BY = r"GROUP\s+BY"
_ORDER_BY = r"ORDER\s+BY"
_NEXT_CLAUSE = r"(?:GROUP\s+BY|HAVING|ORDER\s+BY|LIMIT|OFFSET|VALUES)"
_HAVING = "HAVING"
_SELECT = "SELECT"
_SUBQUERY = re.compile(r"\s*SELECT\b", re.IGNORECASE)  # after the brace that holds it
_AGGREGATE = re.compile(r"(?<![?$:\w-])(?:COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.I)
_VARIABLE = re.compile(r"[?$](\w+)")
_CALLED = re.compile(r"(?:(?<![?$\w])[A-Za-z_][\w.:-]*|>)\s*$")  # a function's name or IRI ends it


class QueryFileError(ValueError):
    """A query file whose header is malformed; the message names the file."""


@dataclass(frozen=True)
class Parameter:
    name: str  # as it appears in URLs
    variable: str  # without the "?"
    required: bool
    type: str | None  # a TYPES key, or None for a plain literal
    default: str | None = None
    # The header's enumerate: the values it lists, or the named query giving them.
    values: tuple[str, ...] = ()
    values_from: str | None = None

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        if self.type == "iri":
            try:
                return ox.NamedNode(value)
            except ValueError as e:  # (Oxigraph's words named neither parameter nor value)
                raise ValueError(f"{self.name}: {value!r} is not an IRI ({e})") from e
        if self.type:
            if not LEXICAL[self.type].fullmatch(value) or (
                self.type == "date" and not _is_date(value[:10])
            ):
                raise ValueError(f"{self.name}: {value!r} is not a {self.type}")
            return ox.Literal(value, datatype=ox.NamedNode(TYPES[self.type]))
        return ox.Literal(value)


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    # Each column a GROUP_CONCAT makes → its separator (the header's "joined").
    joined: dict[str, str] = field(default_factory=dict)

    def require(self, given: Mapping[str, str]) -> None:
        """Raise KeyError naming the first required parameter that neither ``given`` (an
        empty value counts as not given: a form's field left blank) nor a default values:
        what needs no store, told before the enumerated values are asked of one."""
        for p in self.parameters:
            if p.required and (given.get(p.name) or p.default) is None:
                raise KeyError(f"the query {self.name!r} needs the parameter {p.name!r}")

    def bindings(
        self, given: dict[str, str], allowed: Mapping[str, Sequence[str]] | None = None
    ) -> dict[str, ox.NamedNode | ox.Literal]:
        """Terms for the parameters from request values (or defaults); a required one
        missing raises KeyError naming it (:meth:`require`), a malformed value ValueError,
        and so does a value not among those ``allowed`` for its parameter
        (:meth:`enumerations`)."""
        self.require(given)
        out = {}
        for p in self.parameters:
            value = given.get(p.name) or p.default
            if value is None:
                continue
            if allowed and p.name in allowed and value not in allowed[p.name]:
                raise ValueError(
                    f"{p.name}: {value!r} is not one of its values: {', '.join(allowed[p.name])}"
                )
            out[p.variable] = p.term(value)
        return out

    @property
    def enumerated(self) -> list[Parameter]:
        """The parameters the header's ``enumerate`` lists."""
        return [p for p in self.parameters if p.values or p.values_from]

    def values_query(self, p: Parameter) -> NamedQuery:
        """The named query that gives the values of ``p`` (its ``enumerate_from``): a file
        beside this one."""
        assert p.values_from, p.name
        return _load_cached(os.path.join(self.path.parent, p.values_from + ".rq"))

    def enumerations(self, values_of: Callable[[NamedQuery], list[str]]) -> dict[str, list[str]]:
        """The values of each enumerated parameter: those the header lists, or those of
        the named query its ``enumerate_from`` names, read by ``values_of`` (such as
        :func:`first_column` on a store; a server keeps them). One the store gives none
        (a store without the vocabularies yet) takes any value, as before it was listed."""
        out = {}
        for p in self.enumerated:
            values = list(p.values) if p.values else values_of(self.values_query(p))
            if values:
                out[p.name] = values
        return out

    def sparql(
        self, given: dict[str, str], allowed: Mapping[str, Sequence[str]] | None = None
    ) -> str:
        """The query text with its parameters bound (from request values or defaults). A
        parameter the query does not project is written in as its term, so that the engine
        plans around a constant (pyoxigraph does not push a VALUES block into a GRAPH
        pattern: models-passing took 20 s bound by VALUES, 12 ms written in); a projected
        one, or one the query tests with BOUND(), is bound by VALUES. An optional one not
        given is bound to UNDEF (:func:`_undefined`). Terms come from parsed values, never
        pasted text; ``allowed`` as for :meth:`bindings`."""
        bindings = self.bindings(given, allowed)
        text = _undefined(
            self.text, [p.variable for p in self.parameters if p.variable not in bindings]
        )
        if not bindings:
            return text
        where = _where_group(code_only(text))
        head = text[: where[0] if where else len(text)]  # up to the WHERE group: the projection
        projected = set(re.findall(r"[?$](\w+)", head))
        values = {}
        for var, term in bindings.items():
            # Projected, or asked whether it is bound: it must stay a variable.
            if var in projected or re.search(rf"BOUND\s*\(\s*[?$]{re.escape(var)}\b", text, re.I):
                values[var] = term
            else:
                text = re.sub(rf"[?$]{re.escape(var)}(?!\w)", lambda _m, t=term: str(t), text)
        if not values or where is None:  # (without a WHERE group, bind_values says so)
            return bind_values(text, values) if values else text
        # At the WHERE group's brace, not the first one (an EXISTS in the projection).
        return text[: where[0]] + bind_values(text[where[0] :], values)

    def run(self, store: GraphStore, given: dict[str, str]) -> QueryResult:
        """The answer with the parameters bound from ``given`` (see :meth:`sparql`), as
        :meth:`answer` gives it."""
        return self.answer(store, self.sparql(given))

    def answer(self, store: GraphStore, text: str) -> QueryResult:
        """The answer to ``text``, this query's bound (:meth:`sparql`), with the parts of
        each joined column sorted by code point: what the CLI, the API and the pages show,
        the same whichever engine answers."""
        return store.query(text).sorted_parts(self.joined)


def _undefined(text: str, variables: list[str]) -> str:
    """``text`` with each of ``variables`` (optional parameters not given) bound to nothing
    by a ``VALUES (?v) { (UNDEF) }`` opening the innermost group around each place it is
    used: the answer of leaving it unbound, but Virtuoso in strict mode (``define
    sql:signal-void-variables 1``, which its /sparql form sets) refuses a variable that
    nothing binds (SP031), and it takes a group's FILTER in an OPTIONAL, or a subquery, not
    to see what an outer group binds. A use outside the WHERE group (the projection, a
    CONSTRUCT template, the solution modifiers) is bound in it, at its opening: they all
    read its solutions. :func:`load` refuses one in a query without a WHERE group."""
    if not variables:
        return text
    groups, _ = _uses(code_only(text), variables)
    for brace, names in sorted(groups.items(), reverse=True):
        values = " ".join("?" + n for n in names)
        undef = " ".join(["UNDEF"] * len(names))
        text = f"{text[: brace + 1]} VALUES ({values}) {{ ({undef}) }}{text[brace + 1 :]}"
    return text


_CONSTRUCT_TEMPLATE = r"CONSTRUCT\s*\Z"


def _variables(names: list[str]) -> re.Pattern[str]:
    """Any of the variables ``names``, as ``?name`` or ``$name``, its name the group."""
    return re.compile(rf"[?$]({'|'.join(map(re.escape, names))})(?!\w)")


def _where_group(code: str, start: int = 0) -> tuple[int, int] | None:
    """Where the WHERE group of the query at ``start`` (the outermost one, or a subquery's
    ``SELECT``) opens and closes in ``code`` (:func:`code_only` text): its first group at
    depth 0, past a CONSTRUCT template and outside parentheses (an ``EXISTS { … }`` in the
    projection is no group of it, nor is a VALUES block after it). None for a query
    without one (``DESCRIBE <x>``) or whose braces do not pair up."""
    depth, parens, opened = 0, 0, None
    for m in re.finditer(r"[{}()]", code[start:]):
        at = start + m.start()
        if m[0] in "()":
            parens += 1 if m[0] == "(" else -1
        elif m[0] == "{":
            if depth == 0 and parens == 0:
                opened = at
            depth += 1
        else:
            depth -= 1
            if depth < 0:
                return None
            if depth == 0 and opened is not None:
                if not keyword(_CONSTRUCT_TEMPLATE).search(code, 0, opened):
                    return opened, at
                opened = None
    return None


def _uses(code: str, variables: list[str]) -> tuple[dict[int, list[str]], list[str]]:
    """Where ``variables`` are used in ``code`` (:func:`code_only` text): the groups of the
    WHERE group using them, each by its opening brace, with those it uses (a subquery's
    projection and solution modifiers count as its WHERE group: a VALUES before its SELECT
    does not parse; and so do the outermost query's projection, CONSTRUCT template and
    solution modifiers); and those used in a query without a WHERE group (``DESCRIBE
    ?__x``), which nothing can bind. None in a query whose braces do not pair up: the
    parser says what is wrong."""
    used = _variables(variables)
    where = _where_group(code)
    if where is None:
        return {}, [] if "{" in code else list(dict.fromkeys(used.findall(code)))
    start, end = where
    groups: dict[int, list[str]] = {}  # a group's opening brace → the variables it uses
    outside = [m[1] for m in used.finditer(code) if not start < m.start() < end]
    if outside:
        groups[start] = list(dict.fromkeys(outside))
    opened: list[int] = []  # the braces open at each point
    for m in re.compile(rf"[{{}}]|{used.pattern}").finditer(code, start, end + 1):
        if m[0] == "{":
            opened.append(m.start())
        elif m[0] == "}":
            opened.pop()
        else:
            brace = opened[-1]
            if _SUBQUERY.match(code, brace + 1):
                inner = _where_group(code, brace + 1)  # the subquery's WHERE group
                brace = inner[0] if inner else brace
            groups.setdefault(brace, [])
            if m[1] not in groups[brace]:
                groups[brace].append(m[1])
    return groups, []


def _parameter(prefix: str, body: str, defaults: dict[str, str]) -> Parameter:
    name, _, suffix = body.rpartition("_")
    if suffix not in TYPES or not name:
        name, suffix = body, ""
    return Parameter(name, prefix + body, prefix == "_", suffix or None, defaults.get(name))


def _concatenations(path: Path, body: str) -> dict[str, str]:
    """Each column a GROUP_CONCAT of ``body`` makes, with its separator (SPARQL's default
    is one space); one written otherwise raises QueryFileError naming the file."""
    out = {}
    for found in keyword(_GROUP_CONCAT).finditer(code_only(body)):
        m = _CONCATENATION.match(body, found.start())
        if m is None:
            raise QueryFileError(
                f"{path.name}: a GROUP_CONCAT not written as "
                '`GROUP_CONCAT(… ; SEPARATOR="…") AS ?column`: its parts could not be sorted'
            )
        out[m[2]] = _string(m[1]) if m[1] else " "
    return out


def _string(quoted: str) -> str:
    """The value of a SPARQL string written ``"…"`` or ``'…'``, its escapes (``\\n``,
    ``\\u00e9``) read: Turtle writes strings as SPARQL does."""
    (quad,) = ox.parse(f"<x:s> <x:p> {quoted} .", format=ox.RdfFormat.TURTLE)
    return quad.object.value


def _joined(path: Path, header: dict[str, Any], body: str, catalogued: bool) -> dict[str, str]:
    """The header's ``joined``, checked against the query: every GROUP_CONCAT's column
    with its separator, as the query writes it (a file outside the catalogue may leave
    ``joined`` out, and gets the engine's order)."""
    joined = header.get("joined") or {}
    if not catalogued and not joined:
        # Nothing to sort: any SPARQL file runs as it is, whatever its GROUP_CONCATs.
        return {}
    if not isinstance(joined, dict) or not all(
        isinstance(sep, str) and sep for sep in joined.values()
    ):
        raise QueryFileError(f'{path.name}: joined must map columns to separators ({{x: " | "}})')
    joined = {str(column): sep for column, sep in joined.items()}
    made = _concatenations(path, body)
    if joined != made and (catalogued or joined):
        raise QueryFileError(
            f"{path.name}: the header's joined must name each column a GROUP_CONCAT makes, "
            f"with its separator: {made or 'none'}; it says {joined or 'none'}"
        )
    return joined


def _clause(modifiers: str, start: str) -> str | None:
    """The text of one solution modifier (its keyword() ``start``, up to the next), or None
    when there is none."""
    found = keyword(start).search(modifiers)
    if found is None:
        return None
    end = keyword(_NEXT_CLAUSE).search(modifiers, found.end())
    return modifiers[found.end() : end.start() if end else len(modifiers)]


def _projection(code: str) -> tuple[list[str], bool]:
    """The columns of the outermost SELECT (its variables, and each ``(… AS ?x)``'s name;
    none for ``SELECT *``), and whether it aggregates: the text up to its WHERE group,
    each group in it (``EXISTS { … }``) read as empty, its variables, aggregates and
    ``AS`` none of the projection's."""
    select = keyword(_SELECT).search(code)
    if select is None:
        return [], False
    where = _where_group(code)
    head = _outside_groups(code[select.end() : where[0] if where else len(code)])
    return _named(head), _AGGREGATE.search(head) is not None


def _named(text: str) -> list[str]:
    """The variables a projection or GROUP BY names: each one standing alone or given to
    a ``(… AS ?x)`` — not those an expression reads."""
    names, depth, named = [], 0, False
    for token in re.finditer(r"[()]|[?$]\w+|\bAS\b", text, re.IGNORECASE):
        found = token.group()
        if found in "()":
            depth += 1 if found == "(" else -1
        elif found.upper() == "AS":
            named = True
        elif depth == 0 or (depth == 1 and named):
            names.append(found[1:])
            named = False
    return names


def _outside_groups(text: str) -> str:
    """``text`` with what each group in it holds left out (``EXISTS {}``)."""
    kept, depth, start = [], 0, 0
    for brace in re.finditer(r"[{}]", text):
        if brace[0] == "{":
            if depth == 0:
                kept.append(text[start : brace.end()])
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                start = brace.start()
    return "".join(kept) + text[start:]


def _outside_aggregates(text: str) -> str:
    """``text`` with each aggregate call's arguments left out (``COUNT()``)."""
    kept, start = [], 0
    for call in _AGGREGATE.finditer(text):
        if call.start() < start:  # within an aggregate already left out
            continue
        kept.append(text[start : call.end()])
        depth, start = 1, call.end()
        while start < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[start], 0)
            start += 1
        start -= 1  # keep the closing parenthesis
    return "".join(kept) + text[start:]


def _group_keys(clause: str) -> set[str]:
    """The variables a GROUP BY clause groups by: ``?x``, ``(?x)`` and the ``?k`` of
    ``(STR(?x) AS ?k)``, not the ``?x`` an expression reads (``STR(?x)``), which the
    query may read only within an aggregate."""
    keys = set(_named(clause))
    for lone in re.finditer(r"\(\s*[?$](\w+)\s*\)", clause):
        before = clause[: lone.start()]
        if before.count("(") == before.count(")") and not _CALLED.search(before):
            keys.add(lone[1])  # not within an expression: CONCAT(?a, (?b)) makes no key
    return keys


def _group_end(code: str, start: int) -> int:
    """Where the group open at ``start`` closes in ``code`` (its end for the outermost)."""
    depth = 0
    for brace in re.finditer(r"[{}]", code[start:]):
        depth += 1 if brace[0] == "{" else -1
        if depth < 0:
            return start + brace.start()
    return len(code)


def _ungrouped(code: str, variables: list[str]) -> list[str]:
    """Those of ``variables`` that a grouped query (the outermost or a subquery: one with
    GROUP BY, HAVING or an aggregate in its projection) reads in its projection, HAVING or
    ORDER BY outside an aggregate and as no GROUP BY key."""
    used = _variables(variables)
    out = []
    for select in keyword(_SELECT).finditer(code):
        where = _where_group(code, select.start())
        if where is None:
            continue
        modifiers = code[where[1] + 1 : _group_end(code, where[1] + 1)]
        head = code[select.end() : where[0]]
        grouped, having = _clause(modifiers, _GROUP_BY), _clause(modifiers, _HAVING)
        if grouped is None and having is None and not _AGGREGATE.search(_outside_groups(head)):
            continue
        keys = _group_keys(grouped or "")
        # An EXISTS reads the solution's values, in the projection as in HAVING.
        for text in (head, having or "", _clause(modifiers, _ORDER_BY) or ""):
            out += [v for v in used.findall(_outside_aggregates(text)) if v not in keys]
    return list(dict.fromkeys(out))


def _check_optional(path: Path, body: str, params: dict[str, Parameter]) -> None:
    """Refuse an optional parameter in a query without a WHERE group: not given, it is
    bound to nothing in a group (:func:`_undefined`), and there is none; and one a grouped
    query reads outside an aggregate (:func:`_ungrouped`): not given, it is no GROUP BY key
    there, which Virtuoso refuses in either mode (SP031: "used in the result set outside
    aggregate and not mentioned in GROUP BY clause")."""
    optional = [p.variable for p in params.values() if not p.required]
    if not optional:
        return
    code = code_only(body)
    unbound = _uses(code, optional)[1]
    if unbound:
        raise QueryFileError(
            f"{path.name}: the optional parameter(s) {', '.join('?' + v for v in unbound)} "
            "in a query without a WHERE group, where nothing binds one not given, as "
            "Virtuoso's strict mode needs: give the query a WHERE group"
        )
    ungrouped = _ungrouped(code, optional)
    if ungrouped:
        raise QueryFileError(
            f"{path.name}: the optional parameter(s) {', '.join('?' + v for v in ungrouped)} "
            "in a grouped query's projection, HAVING or ORDER BY outside an aggregate: not "
            "given, it is no GROUP BY key, which Virtuoso refuses (SP031); use it within "
            f"one, as MAX(COALESCE(?{ungrouped[0]}, 0))"
        )


def _check_order(path: Path, header: dict[str, Any], body: str, catalogued: bool) -> None:
    """Check that the query's ORDER BY is total over its rows, so that no engine orders
    ties its own way: it names each column (each GROUP BY key, in a grouped query; a
    column within an expression counts, as ``STR(?label)``), but those the header's
    ``unordered`` leaves out, each with why. An aggregate without GROUP BY answers one row,
    and ``SELECT *`` names no column: neither is held to it; nor is a file outside the
    catalogue, unless it says ``unordered``."""
    unordered = header.get("unordered") or {}
    if not isinstance(unordered, dict) or not all(
        isinstance(why, str) and why.strip() for why in unordered.values()
    ):
        raise QueryFileError(f'{path.name}: unordered must map columns to why ({{x: "…"}})')
    code = code_only(body)
    where = _where_group(code)  # (not the last '}': a VALUES block may follow its modifiers)
    modifiers = code[where[1] + 1 :] if where else ""
    grouped = _clause(modifiers, _GROUP_BY)
    columns, aggregates = _projection(code)
    if grouped is not None:
        keys = _group_keys(grouped)
    else:
        keys = set() if aggregates else set(columns)
    ordered = set(_VARIABLE.findall(_clause(modifiers, _ORDER_BY) or ""))
    left = keys - ordered
    if left != {str(column) for column in unordered} and (catalogued or unordered):
        raise QueryFileError(
            f"{path.name}: ORDER BY must name every column "
            f"({'GROUP BY key' if grouped is not None else 'projected'}): rows that tie "
            f"come in each engine's own order. It leaves out "
            f"{', '.join(sorted(left)) or 'none'}; the header's unordered names "
            f"{', '.join(sorted(map(str, unordered))) or 'none'}"
        )


def _enumerate(
    path: Path, header: dict[str, Any], params: dict[str, Parameter]
) -> dict[str, Parameter]:
    """The parameters with the values the header's ``enumerate`` gives them: grlc's list
    of ``name: [values]``, a name without values taking those of the named query (a file
    beside this one) that ``enumerate_from`` names for it."""
    listed = header.get("enumerate") or []
    sources = header.get("enumerate_from") or {}
    if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
        # A bare name (`- definition`) is grlc's too, but grlc looks each item up as a
        # mapping and fails on a string: `- definition:` is read alike by both.
        raise QueryFileError(
            f"{path.name}: enumerate must be a list of `- name: [values]`, or `- name:` for "
            "values from the store"
        )
    if not isinstance(sources, dict) or not all(isinstance(q, str) for q in sources.values()):
        raise QueryFileError(f"{path.name}: enumerate_from must map parameters to query names")
    named: dict[str, tuple[str, ...]] = {}
    for item in listed:
        for name, values in item.items():
            if values is not None and (
                not isinstance(values, list)
                or not values
                or any(isinstance(v, (dict, list)) for v in values)
            ):
                raise QueryFileError(f"{path.name}: enumerate's {name} must list values, or none")
            named[str(name)] = tuple(str(v) for v in values or ())
    stray = (set(named) | set(sources)) - set(params)
    if stray:
        raise QueryFileError(
            f"{path.name}: enumerate names {', '.join(sorted(stray))}, which the query does "
            "not use as parameters (?_name or ?__name)"
        )
    unsourced = {n for n, values in named.items() if not values} ^ set(sources)
    if unsourced:
        raise QueryFileError(
            f"{path.name}: enumerate_from must name the query giving the values of each "
            "parameter enumerate lists without values, and only those: "
            f"{', '.join(sorted(unsourced))}"
        )
    for name, source in sources.items():
        if source == path.stem or not (path.parent / f"{source}.rq").is_file():
            raise QueryFileError(
                f"{path.name}: enumerate_from takes {name}'s values from {source}, which is "
                f"no other query of {path.parent.name}/"
            )
    for name, values in named.items():
        default = params[name].default
        if values and default is not None and default not in values:
            raise QueryFileError(f"{path.name}: the default of {name} is none of its values")
        params[name] = replace(params[name], values=values, values_from=sources.get(name))
    return params


def load(path: Path, *, catalogued: bool = True) -> NamedQuery:
    """Parse one query file; a malformed header raises QueryFileError naming the file.
    A file of the catalogue needs a summary; any other (``openness query FILE``) may have
    no header at all."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header_lines = []
    for line in lines:
        if not line.startswith("#+"):
            break
        header_lines.append(line[2:])
    body = "\n".join(lines[len(header_lines) :]).strip() + "\n"
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as e:
        raise QueryFileError(f"{path.name}: the #+ header is not YAML: {e}") from e
    if not isinstance(header, dict) or (catalogued and "summary" not in header):
        raise QueryFileError(f"{path.name}: the #+ header needs at least 'summary'")
    unknown = set(header) - KEYS
    if unknown:
        raise QueryFileError(
            f"{path.name}: header key(s) {', '.join(sorted(unknown))} not implemented; "
            f"the keys read are {', '.join(sorted(KEYS))}"
        )
    defaults: dict[str, str] = {}
    for item in header.get("defaults") or []:
        if not isinstance(item, dict):
            raise QueryFileError(f"{path.name}: defaults must be a list of 'param: value'")
        defaults.update({str(k): str(v) for k, v in item.items()})
    params: dict[str, Parameter] = {}
    for prefix, var in _PARAM.findall(body):
        p = _parameter(prefix, var, defaults)
        params.setdefault(p.name, p)
    stray = set(defaults) - set(params)
    if stray:
        raise QueryFileError(
            f"{path.name}: default(s) for {', '.join(sorted(stray))}, which the query "
            "does not use as parameters (?_name or ?__name)"
        )
    params = _enumerate(path, header, params)
    _check_optional(path, body, params)
    _check_order(path, header, body, catalogued)
    return NamedQuery(
        path.stem,
        path,
        body,
        str(header.get("summary") or "").strip(),
        str(header.get("description") or "").strip(),
        list(header.get("tags") or []),
        list(params.values()),
        header,
        _joined(path, header, body, catalogued),
    )


# Parsed files by path, kept while the file's modification time and size stay the same:
# parsing every file's YAML header took ~40 ms per call, and a model page calls this for
# each named query it runs.
# The folder is listed with os.scandir: Path.glob and Path.stat took ~0.5 ms more per call.
_parsed: dict[str, tuple[tuple[int, int], NamedQuery]] = {}


def _load_cached(entry: os.DirEntry | str) -> NamedQuery:
    stat = entry.stat() if isinstance(entry, os.DirEntry) else os.stat(entry)
    path = entry.path if isinstance(entry, os.DirEntry) else entry
    key = (stat.st_mtime_ns, stat.st_size)
    hit = _parsed.get(path)
    if hit is None or hit[0] != key:
        hit = _parsed[path] = (key, load(Path(path)))
    return hit[1]


def catalogue(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query of the folder (default: the project's queries/), by name; a file
    is parsed again only when it has changed."""
    with os.scandir(folder or queries_dir()) as listing:
        entries = sorted((e for e in listing if e.name.endswith(".rq")), key=lambda e: e.name)
    return {q.name: q for q in (_load_cached(e) for e in entries)}


def named(name: str) -> NamedQuery:
    """The named query ``name`` of the project's queries/ (KeyError when there is none),
    parsed again only when its file has changed: one stat of that file, where
    catalogue() lists the folder and stats every file (0.3 ms; a model page runs ten)."""
    if not name or "/" in name or name.startswith("."):
        raise KeyError(name)
    try:
        return _load_cached(os.path.join(queries_dir(), name + ".rq"))
    except FileNotFoundError:
        raise KeyError(name) from None


def first_column(store: GraphStore, query: NamedQuery) -> list[str]:
    """The values of the first column of ``query``'s answer, once each and in its order:
    those of a parameter whose ``enumerate_from`` names ``query``."""
    result = query.run(store, {})
    column = result.variables[0]
    return list(dict.fromkeys(term_value(row[column]) for row in result.rows() if column in row))


def run_named(
    store: GraphStore, name: str, **params: str
) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    """The solutions of the named query ``name`` (queries/<name>.rq) with its parameters
    bound: the one text the CLI, the API and the pages read for that question, its joined
    columns' parts sorted (:meth:`NamedQuery.run`)."""
    return named(name).run(store, params).rows()
