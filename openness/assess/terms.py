"""What a model description written in RDF says that the evidence rules will not read.

The rules match the vocabulary's terms exactly, so a misspelt property (og:licenceStatement),
a prefix bound to another namespace (…/ns/ for …/ns#), a licence given as a text where a
licence statement is expected, "yes" for a boolean, or a licence given with dcterms:license or
schema:license is left out, and the verdict reads 'no evidence' with nothing saying why. Each
is named here, from the vocabulary's own files (its terms, property kinds and ranges).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, cached_property

import pyoxigraph as ox

from openness.namespaces import (
    DCTERMS,
    OG,
    ONTOLOGY,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SCHEMA,
    SPDX_LICENSE,
    XSD,
    short,
)
from openness.vocabularies import parse_turtle, vocabulary_files

# IRIs that look like the vocabulary's: its namespaces all start so, and http:// is the
# likeliest wrong spelling of them.
_OURS = (ONTOLOGY, "http" + ONTOLOGY.removeprefix("https"))
# Text, where a typed value is expected.
_TEXT = (XSD + "string", RDF + "langString")
# Licence properties other vocabularies use, which the evidence rules do not read.
_OTHER_LICENCE = (DCTERMS + "license", SCHEMA + "license")
_LOCAL = re.compile(r"[^#/]*$")


@dataclass(frozen=True)
class _Vocabulary:
    terms: frozenset[str]  # every IRI the vocabulary's files describe
    nodes: dict[str, str]  # an object property: its range
    typed: dict[str, str]  # a datatype property whose range is no text: its range
    members: dict[str, list[str]]  # a class: the terms of the vocabulary it is the type of


@cache
def _vocabulary() -> _Vocabulary:
    triples = [t for path in vocabulary_files() for t in parse_turtle(path)]
    kinds: dict[str, set[str]] = defaultdict(set)
    ranges: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        if t.predicate.value == RDF + "type":
            kinds[t.subject.value].add(t.object.value)
            if isinstance(t.subject, ox.NamedNode):
                members[t.object.value].append(t.subject.value)
        elif t.predicate.value == RDFS + "range":
            ranges[t.subject.value] = t.object.value
    return _Vocabulary(
        frozenset(t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)),
        {p: ranges.get(p, "") for p, k in kinds.items() if OWL + "ObjectProperty" in k},
        {
            p: r
            for p, r in ranges.items()
            if OWL + "DatatypeProperty" in kinds[p] and r.startswith(XSD) and r not in _TEXT
        },
        {c: sorted(set(m)) for c, m in members.items()},
    )


def unread(triples: list[ox.Triple], called: Names | None = None) -> list[str]:
    """What in ``triples`` (a description as its user wrote it) the evidence rules do not
    read, one message each, a node named by ``called`` (its :class:`Names`, made here if
    not given); a namespace wrongly written is named once for all its terms.

    >>> ns = "https://w3id.org/openness-graph/ns"
    >>> said = [ox.Triple(ox.NamedNode("urn:m"), ox.NamedNode(ns + "#licenceStatement"),
    ...                   ox.Literal("MIT"))]
    >>> print(*unread(said))  # doctest: +NORMALIZE_WHITESPACE
    og:licenceStatement is not a term of the Openness Graph vocabulary, so what it says is not
    read; did you mean og:licenseStatement?
    """
    vocabulary = _vocabulary()
    unknown: dict[str, str | None] = {}  # with the property it is a value of, if one
    undeclared: dict[str, dict[str, None]] = defaultdict(dict)  # by the prefix it lacks
    out: list[str] = []
    called = called or Names(triples)
    licensed = {t.subject for t in triples if t.predicate.value == OG + "licenseStatement"}
    # What the rules may read a licence of: a node of our classes, or one our terms link
    # to; not the document's own licence (<> dcterms:license …), nor another vocabulary's.
    ours = {
        t.subject
        for t in triples
        if t.predicate.value == RDF + "type" and t.object.value.startswith(_OURS)
    } | {t.object for t in triples if t.predicate.value.startswith(_OURS)}
    for t in triples:
        for term in (t.predicate, t.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(_OURS):
                if term.value not in vocabulary.terms:
                    value_of = t.predicate.value if term == t.object else None
                    unknown[term.value] = unknown.get(term.value) or value_of
        for term in (t.subject, t.predicate, t.object):
            scheme = term.value.split(":", 1)[0] if isinstance(term, ox.NamedNode) else None
            if scheme in PREFIXES:
                # A prefixed name whose prefix nothing declares: JSON-LD reads it as an
                # IRI of that scheme ("og:Model" beside a @context without "og").
                undeclared[scheme][term.value] = None
        said, p = t.object, t.predicate.value
        if p in vocabulary.nodes and isinstance(said, ox.Literal):
            out.append(
                f"{short(p)} of {called(t.subject)} is the text {said.value!r}, where the "
                f"vocabulary expects a node ({short(vocabulary.nodes[p]) or 'an IRI'}), so it "
                "is not read"
                + (
                    f" (a licence by its name: {short(p)} [ og:licenseString {said.value!r} ])"
                    if p == OG + "licenseStatement"
                    else ""
                )
            )
        elif p in vocabulary.typed and not _fits(said, vocabulary.typed[p]):
            written = repr(said.value) if isinstance(said, ox.Literal) else str(said)
            out.append(
                f"{short(p)} of {called(t.subject)} is {written}, where the vocabulary expects an "
                f"{short(vocabulary.typed[p])} (written without quotes), so it is not read"
            )
        elif p in _OTHER_LICENCE and t.subject in ours and t.subject not in licensed:
            named = said.value.removeprefix(SPDX_LICENSE) if said.value != SPDX_LICENSE else ""
            out.append(
                f"{short(p)} of {called(t.subject)} is not read: the definitions read a "
                "licence from og:licenseStatement (og:licenseStatement [ og:licenseString "
                f"{named!r} ])"
            )
    return _undeclared(undeclared) + _unknown(unknown, vocabulary) + out


class Names:
    """How a message names a node of a description: an IRI as it is; a blank node, whose
    label the parser made up and which names nothing in the user's file, by what the file
    says of it — a component by its type, a node by its type and name, and one with
    neither by the node holding it (``the component of type ogc:<its type> of the
    og:Model 'Finch'``)."""

    DEPTH = 3  # holders named at the most, a cycle of blank nodes included

    def __init__(self, triples: list[ox.Triple]) -> None:
        self._triples = triples

    @cached_property
    def _index(
        self,
    ) -> tuple[dict[ox.Term, dict[str, ox.Term]], dict[ox.Term, tuple[ox.Term, str]]]:
        """Of each blank node, the first value of each property, and what first holds it
        (built once, when a message names a blank node)."""
        said: dict[ox.Term, dict[str, ox.Term]] = defaultdict(dict)
        held: dict[ox.Term, tuple[ox.Term, str]] = {}
        for t in self._triples:
            if isinstance(t.subject, ox.BlankNode):
                said[t.subject].setdefault(t.predicate.value, t.object)
            if isinstance(t.object, ox.BlankNode):
                held.setdefault(t.object, (t.subject, t.predicate.value))
        return said, held

    def __call__(self, node: ox.Term, depth: int = 0) -> str:
        if not isinstance(node, ox.BlankNode):
            return str(node)
        said, held = self._index
        of = said.get(node, {})
        kind, name = of.get(OG + "componentType"), of.get(SCHEMA + "name")
        called = f"the component of type {short(kind.value)}" if kind is not None else None
        if isinstance(name, ox.Literal):
            typed = f"the {short(of[RDF + 'type'].value)}" if RDF + "type" in of else "the node"
            return f"{called or typed} {name.value!r}"
        if node in held and depth < self.DEPTH:
            holder, p = held[node]
            # A component's type tells it from the holder's others; another node, the
            # property the file gives it by.
            return f"{called or 'the ' + short(p)} of {self(holder, depth + 1)}"
        if called is None and RDF + "type" in of:
            return f"the {short(of[RDF + 'type'].value)} without an IRI"
        return called or "a node without an IRI"


def _undeclared(iris: dict[str, dict[str, None]]) -> list[str]:
    """A message for each prefix of ours that IRIs are written with but nothing declares."""
    return [
        f"{', '.join(named)} {'is an IRI' if len(named) == 1 else 'are IRIs'} of the scheme "
        f"'{prefix}:', not {'a term' if len(named) == 1 else 'terms'} of {PREFIXES[prefix]}, "
        f"so what {'it says' if len(named) == 1 else 'they say'} is not read: the prefix "
        f'{prefix} is declared nowhere (in JSON-LD, give "{prefix}": "{PREFIXES[prefix]}" '
        "in the @context)"
        for prefix, named in iris.items()
    ]


def _fits(value: ox.Term, datatype: str) -> bool:
    """Whether ``value`` is a literal the rules match as of ``datatype``: not a text, and
    for a boolean a boolean (SPARQL compares the numbers of any numeric type)."""
    if not isinstance(value, ox.Literal) or value.datatype.value in _TEXT:
        return False
    return datatype != XSD + "boolean" or value.datatype.value == datatype


def _unknown(iris: dict[str, str | None], vocabulary: _Vocabulary) -> list[str]:
    """A message for each IRI like ours the vocabulary does not define, with the term it
    likely meant, else, for the value of a property whose range the vocabulary has terms
    of (og:componentType's og:ComponentType), those terms; IRIs whose namespace alone is
    wrong, one message for that namespace."""
    moved: dict[tuple[str, str], list[str]] = defaultdict(list)
    out = []
    for iri, value_of in iris.items():
        meant = _meant(iri, vocabulary.terms)
        if meant and _LOCAL.search(meant)[0] == _LOCAL.search(iri)[0]:
            wrong, right = (x.removesuffix(_LOCAL.search(x)[0]) for x in (iri, meant))
            moved[(wrong, right)].append(_LOCAL.search(iri)[0])
            continue
        kind = vocabulary.nodes.get(value_of or "", "")
        listed = vocabulary.members.get(kind)
        if meant:
            hint = f"; did you mean {short(meant)}?"
        elif value_of and listed:  # no name close enough: what there is to choose from
            terms = ", ".join(short(m) for m in listed)
            hint = f"; {short(value_of)} takes one of the vocabulary's {short(kind)} terms: {terms}"
        else:
            hint = ""
        out.append(
            f"{short(iri)} is not a term of the Openness Graph vocabulary, so what it says "
            "is not read" + hint
        )
    return [
        f"{', '.join(names)} in {wrong} are not read: the vocabulary's terms of those names "
        f"are in {right} (check the prefix declared for it)"
        for (wrong, right), names in moved.items()
    ] + out


def _meant(iri: str, terms: frozenset[str]) -> str | None:
    """The term of the vocabulary ``iri`` most likely meant: one of the same name in
    another namespace, else one of a close name in the same namespace."""
    local = _LOCAL.search(iri)[0]
    namespace = iri.removesuffix(local)
    same_name = [t for t in terms if local and _LOCAL.search(t)[0] == local]
    if same_name:
        return max(sorted(same_name), key=lambda t: difflib.SequenceMatcher(None, t, iri).ratio())
    near = {_LOCAL.search(t)[0]: t for t in terms if t.startswith(namespace)}
    near = {n: t for n, t in near.items() if t == namespace + n}
    close = difflib.get_close_matches(local, list(near), n=1, cutoff=0.8)
    return near[close[0]] if close else None
