"""Turtle for people to read: each subject stated once, a blank node written where it is
the object of one triple (``[ … ]``), an RDF list as a collection (``( a b c )``), the
subjects in a stable order and the blank nodes that keep a label named in writing order
(``_:b1``), so the same graph reads the same whatever its nodes were called.

pyoxigraph's serializer writes the triples in the order given, grouping only those next to
each other, and names every blank node (``_:N0137…``), so a report stated its validation
report in three places. rdflib's pretty serializer groups and nests, but writes literals
as their values: ``"01"^^xsd:integer`` comes back ``1``, ``"1"^^xsd:boolean`` as the
integer ``1``, ``"0.1"^^xsd:double`` as ``1e-01`` and an ill-typed ``"yes"^^xsd:boolean``
as a bare ``yes``, which is no Turtle. Here each term is written as pyoxigraph gives it,
a literal in its own lexical form, so the graph read back is the one written.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from functools import cache

import pyoxigraph as ox

from openness.namespaces import RDF, XSD, longest_first, shorten

Subject = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # a triple term: RDF 1.2
Said = dict[Subject, dict[ox.NamedNode, set[Term]]]  # what each subject says

INDENT = "    "
# Blank nodes nested deeper than this are named and stated on their own (a long RDF list
# would otherwise nest as deep as it is long).
MAX_DEPTH = 8
# A local name written after a prefix: a conservative subset of Turtle's PN_LOCAL, so that
# nothing needs escaping (an IRI with another character is written whole).
_LOCAL = re.compile(r"([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
# Literals Turtle writes bare, each of its datatype with the lexical form kept as written.
_BARE = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?([0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_STRING = XSD + "string"
_TYPE = RDF + "type"
_FIRST, _REST, _NIL = (ox.NamedNode(RDF + n) for n in ("first", "rest", "nil"))
# A collection longer than this is written an item a line.
LINE = 80


def turtle(
    triples: list[ox.Triple], prefixes: dict[str, str], first: ox.NamedNode | None = None
) -> bytes:
    """``triples`` as Turtle, with those of ``prefixes`` it uses.

    ``first`` (the resource the triples describe) comes first, then the subjects no triple
    has as its object (sorted), each followed by what it refers to, depth first; a blank
    node that is the object of one triple alone is written in its place (an RDF list as a
    collection, when each of its nodes is), and any left (a cycle of them) after.

    >>> s, b = ox.NamedNode("urn:x:a"), ox.BlankNode("b")
    >>> said = [ox.Triple(b, ox.NamedNode("urn:x:q"), ox.Literal("01", datatype=ox.NamedNode(
    ...     XSD + "integer"))), ox.Triple(s, ox.NamedNode("urn:x:p"), b)]
    >>> print(turtle(said, {"x": "urn:x:"}).decode())
    @prefix x: <urn:x:> .
    <BLANKLINE>
    x:a x:p [
            x:q 01
        ] .
    <BLANKLINE>
    """
    about, objects = statements(triples)
    namespaces = longest_first(prefixes)
    key = _ordering(about, objects)
    used: set[str] = set()
    written: set[Subject] = set()
    labels: dict[ox.BlankNode, str] = {}

    def name(term: Term) -> str:
        if isinstance(term, ox.Literal):
            return literal(term)
        if isinstance(term, ox.BlankNode):
            # in writing order: the store's or pySHACL's labels change from run to run
            return "_:" + labels.setdefault(term, f"b{len(labels) + 1}")
        if isinstance(term, ox.Triple):
            return f"<<( {name(term.subject)} {name(term.predicate)} {name(term.object)} )>>"
        # a local name Turtle reads unescaped (as namespaces.shorten shortens for the others)
        found = shorten(term.value, namespaces, _LOCAL.fullmatch)
        if found is None:
            return str(term)
        used.add(found[0])
        return f"{found[0]}:{found[1]}"

    def literal(term: ox.Literal) -> str:
        if term.language:
            return str(term)
        datatype = term.datatype.value
        bare = _BARE.get(datatype)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
        text = str(ox.Literal(term.value))
        return text if datatype == _STRING else f"{text}^^{name(term.datatype)}"

    def statement(subject: Subject, depth: int, follow: list[Subject]) -> str:
        """What ``subject`` says, its nested blank nodes written in place; the subjects
        it refers to that are written on their own are added to ``follow``."""
        written.add(subject)
        said = about.get(subject, {})
        lines = []
        for predicate in sorted(said, key=lambda p: (p.value != _TYPE, p.value)):
            verb = "a" if predicate.value == _TYPE else name(predicate)
            text = ""
            for o in sorted(said[predicate], key=key):
                written_here = value(o, depth, follow)
                # a nested node's bracket follows the comma: `] , [`
                apart = (
                    " , "
                    if written_here.startswith(("[\n", "(\n"))
                    else f" ,\n{INDENT * (depth + 2)}"
                )
                text += (apart if text else "") + written_here
            lines.append(f"{verb} {text}")
        return f" ;\n{INDENT * (depth + 1)}".join(lines)

    def value(term: Term, depth: int, follow: list[Subject]) -> str:
        if term == _NIL:
            return "()"  # the empty list
        nested = isinstance(term, ox.BlankNode) and objects[term] == 1 and term not in written
        if nested and term not in about:
            return "[]"
        if nested and depth < MAX_DEPTH:
            found = collection(term, about, objects)
            if found is not None and written.isdisjoint(found[1]):
                written.update(found[1])
                return listed(found[0], depth, follow)
            inner = statement(term, depth + 1, follow)
            return f"[\n{INDENT * (depth + 2)}{inner}\n{INDENT * (depth + 1)}]"
        if isinstance(term, Subject) and term in about and term not in written:
            follow.append(term)
        return name(term)

    def listed(items: list[Term], depth: int, follow: list[Subject]) -> str:
        """A collection of ``items``: on one line when it is short, else an item a line."""
        each = [value(item, depth + 1, follow) for item in items]
        line = f"( {' '.join(each)} )"
        if len(line) <= LINE and "\n" not in line:
            return line
        inside = "".join(f"{INDENT * (depth + 2)}{item}\n" for item in each)
        return f"(\n{inside}{INDENT * (depth + 1)})"

    roots = sorted((s for s in about if s not in objects), key=key)
    rest = sorted((s for s in about if s in objects), key=key)
    stack = [*reversed(rest), *reversed(roots)]
    if first in about:  # a model's page opened with one of its verdicts, which name it
        stack.append(first)
    blocks = []
    while stack:
        subject = stack.pop()
        if subject in written:
            continue
        follow: list[Subject] = []
        if isinstance(subject, ox.BlankNode) and subject not in objects:
            blocks.append(f"[\n{INDENT}{statement(subject, 0, follow)}\n] .")
        else:
            blocks.append(f"{name(subject)} {statement(subject, 0, follow)} .")
        stack += reversed(follow)
    header = [f"@prefix {p}: <{ns}> ." for p, ns in prefixes.items() if p in used]
    return "\n\n".join(b for b in ("\n".join(header), *blocks) if b).encode() + b"\n"


def statements(triples: list[ox.Triple]) -> tuple[Said, Counter[Term]]:
    """What each subject of ``triples`` says (each triple once), and how many triples each
    term is the object of. A blank node inside a triple term is named by its label there,
    so never in place elsewhere (nor as a subject of its own without one): counted as the
    object of two triples more."""
    about: Said = {}
    for t in triples:
        about.setdefault(t.subject, {}).setdefault(t.predicate, set()).add(t.object)
    objects = Counter(o for said in about.values() for values in said.values() for o in values)
    for term in list(objects):
        for inner in _quoted_blank_nodes(term):
            objects[inner] += 2
    return about, objects


def collection(
    head: Term, about: Said, objects: Counter[Term]
) -> tuple[list[Term], list[ox.BlankNode]] | None:
    """The items of the RDF list ``head`` starts, in order, and its nodes, where it is one
    to write or show as a list: each node a blank node saying one rdf:first and one
    rdf:rest alone and the object of one triple (so said nowhere else), the last's rest
    rdf:nil; else None, and the list is a chain of nodes like any other (``about`` and
    ``objects`` as :func:`statements` gives them).

    >>> b1, b2, x = ox.BlankNode("b1"), ox.BlankNode("b2"), ox.NamedNode("urn:x")
    >>> said = [ox.Triple(x, x, b1), ox.Triple(b1, _FIRST, x), ox.Triple(b1, _REST, b2),
    ...         ox.Triple(b2, _FIRST, ox.Literal("y")), ox.Triple(b2, _REST, _NIL)]
    >>> items, nodes = collection(b1, *statements(said))
    >>> [item.value for item in items], nodes == [b1, b2]
    (['urn:x', 'y'], True)
    >>> collection(b1, *statements([*said, ox.Triple(x, _FIRST, b1)])) is None  # shared
    True
    """
    items: list[Term] = []
    nodes: list[ox.BlankNode] = []
    node = head
    while node != _NIL:
        said = about.get(node, {}) if isinstance(node, ox.BlankNode) else {}
        if (
            said.keys() != {_FIRST, _REST}
            or any(len(values) != 1 for values in said.values())
            or objects[node] != 1
            or node in nodes
        ):
            return None
        nodes.append(node)
        items += said[_FIRST]
        (node,) = said[_REST]
    return items, nodes


def _quoted_blank_nodes(term: Term) -> list[ox.BlankNode]:
    """The blank nodes inside ``term`` if it is a triple term (at any depth)."""
    if not isinstance(term, ox.Triple):
        return []
    return [
        b
        for inner in (term.subject, term.object)
        for b in ([inner] if isinstance(inner, ox.BlankNode) else _quoted_blank_nodes(inner))
    ]


def _ordering(about: Said, objects: Counter[Term]) -> Callable[[Term], tuple]:
    """A sort key putting terms in a stable order: IRIs, then blank nodes, then literals,
    then triple terms, each by its text; a blank node by what it says, with the nodes it
    nests, to some depth, then by its colour (:func:`_colours`), never by its label, which
    is any."""
    colours = _colours(about)

    @cache
    def said(node: ox.BlankNode, depth: int) -> str:
        if depth == MAX_DEPTH:
            return ""
        return "\n".join(
            sorted(
                f"{p.value} {text(o, depth + 1)}"
                for p, values in about.get(node, {}).items()
                for o in values
            )
        )

    def text(term: Term, depth: int) -> str:
        # a node shared or in a cycle by its colour: what it says, copied wherever it is
        # named, grew as the number of paths to it (a node naming itself four times, 4**8)
        if isinstance(term, ox.BlankNode):
            return f"[{said(term, depth)}]" if objects[term] == 1 else colours[term]
        if isinstance(term, ox.Triple):
            return f"<<( {' '.join(text(t, depth) for t in term)} )>>"
        return str(term)  # a literal's text has its language and direction

    def key(term: Term) -> tuple:
        if isinstance(term, ox.Literal):
            direction = term.direction.value if term.direction else ""
            return (2, term.value, term.datatype.value, term.language or "", direction)
        if isinstance(term, ox.Triple):
            return (3, text(term, 0), [colours[b] for b in _quoted_blank_nodes(term)])
        if isinstance(term, ox.BlankNode):
            return (1, said(term, 0), colours[term])
        return (0, term.value)

    return key


def _colours(about: Said) -> dict[ox.BlankNode, str]:
    """Each blank node's colour: a digest of the triples it is in, its neighbours named by
    their colours, refined until no more nodes are told apart or MAX_DEPTH times (colour
    refinement, the first dimension of Weisfeiler–Leman; each round costs a pass over the
    triples, and a chain of alike nodes would take a round for every two of them). Blank
    nodes of one text and one colour are alike as far as the writer looks, MAX_DEPTH
    triples each way, so which is written first changes no text (unless they differ only
    further off, or in graphs made to defeat the refinement, which no store or validator
    writes): it is never their labels, which are any, that order them."""
    triples: dict[ox.BlankNode, list[ox.Triple]] = {}
    for subject, said in about.items():
        for p, values in said.items():
            for o in values:
                inside = [subject, o] if isinstance(o, ox.BlankNode) else [subject]
                for node in {*inside, *_quoted_blank_nodes(o)}:
                    if isinstance(node, ox.BlankNode):
                        triples.setdefault(node, []).append(ox.Triple(subject, p, o))
    colours = dict.fromkeys(triples, "")

    def named(term: Term, node: ox.BlankNode) -> str:
        if term == node:
            return "@"
        if isinstance(term, ox.BlankNode):
            return colours[term]
        if isinstance(term, ox.Triple):
            return f"<<( {' '.join(named(t, node) for t in term)} )>>"
        return str(term)

    kinds = 1
    for _ in range(MAX_DEPTH):
        colours = {
            node: hashlib.blake2b(
                "\n".join(
                    [colours[node], *sorted(" ".join(named(t, node) for t in s) for s in said)]
                ).encode(),
                digest_size=16,
            ).hexdigest()
            for node, said in triples.items()
        }
        if len(set(colours.values())) == kinds:
            break
        kinds = len(set(colours.values()))
    return colours
