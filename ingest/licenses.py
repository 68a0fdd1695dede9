"""Resolve licence strings, as sources write them, to licences we know.

The known licences are the SPDX License List, the licences SPDX lacks
(``curated/ai-licenses.ttl``) and the Hugging Face licence ids. A string resolves when it
is an identifier (exactly or in another case), a known alias, or an SPDX expression all of
whose licences resolve; the expression is parsed with ``license-expression`` and kept as a
tree, so ``(MIT OR Apache-2.0) AND CC-BY-4.0`` and ``MIT OR (Apache-2.0 AND CC-BY-4.0)``
stay different. A string the curated placeholders list says names no licence ("Undisclosed",
"other") or is no licence at all (a URL, a dataset list) is recorded as such. Anything else
stays unresolved: the string is kept, never guessed. A string written as an SPDX expression
(upper-case operators, parentheses) that does not parse is also a warning, which the
ingesters report with the record.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import license_expression
import pyoxigraph as ox

from openness.namespaces import CONCEPT, DCTERMS, OG, RDF, RDFS, SKOS, SPDX_LICENSE
from openness.resources import sources_dir

# Words that carry no identity in a licence name ("the MIT License" = "MIT").
_NOISE = re.compile(r"\b(the|licen[cs]e[sd]?|agreement|version)\b")
_SEPARATORS = re.compile(r"[\s\-_,/:]+")
_PARSER = license_expression.Licensing()
_PARSE_ERRORS = (license_expression.ExpressionError, license_expression.ParseError)
# What makes a string an attempt at an SPDX expression: an operator in SPDX's upper case, or
# parentheses. One that does not parse is reported; a licence named in words is not.
_EXPRESSION_SYNTAX = re.compile(r"\b(AND|OR|WITH)\b|[()]")
RESOLUTION = CONCEPT + "license-resolution/"


def license_key(text: str) -> str:
    """A spelling-insensitive key for a licence name or id.

    >>> license_key("Apache License, Version 2.0") == license_key("apache-2.0")
    True
    >>> license_key("CC BY-SA 4.0")
    'cc-by-sa-4.0'
    """
    text = _NOISE.sub(" ", text.lower())
    return _SEPARATORS.sub("-", text).strip("-")


@dataclass(frozen=True)
class License:
    id: str  # the SPDX id, or our id for licences outside SPDX
    iri: str
    label: str
    in_spdx: bool

    @property
    def expression_id(self) -> str:
        """How the licence appears in an SPDX expression (LicenseRef- plus our IRI's name,
        which keeps to SPDX's idstring characters)."""
        return self.id if self.in_spdx else "LicenseRef-" + self.iri.rsplit("/", 1)[1]


@dataclass(frozen=True)
class Terms:
    """A resolved licence expression as a tree: a licence (``op`` "license"), a licence
    WITH an exception, or an AND / OR of two or more members."""

    op: str  # license | WITH | AND | OR
    license: License | None = None
    members: tuple[Terms, ...] = ()
    exception: str | None = None  # the exception id as written (WITH)
    exception_known: bool = False  # on the SPDX exceptions list

    def render(self, parent: str | None = None) -> str:
        """The normalized SPDX expression, parenthesized only where operators nest.

        >>> r = default_resolver()
        >>> r.resolve("(MIT OR Apache-2.0) AND CC-BY-4.0").expression
        '(MIT OR Apache-2.0) AND CC-BY-4.0'
        >>> r.resolve("mit or (apache-2.0 and cc-by-4.0)").expression
        'MIT OR (Apache-2.0 AND CC-BY-4.0)'
        """
        if self.op == "license":
            return self.license.expression_id
        if self.op == "WITH":
            return f"{self.license.expression_id} WITH {self.exception}"
        text = f" {self.op} ".join(m.render(self.op) for m in self.members)
        return f"({text})" if parent and parent != self.op else text

    def licenses(self) -> list[License]:
        """Every licence the tree names, in order of appearance."""
        if self.license:
            return [self.license]
        return [lic for m in self.members for lic in m.licenses()]

    def options(self) -> list[tuple[License, ...]]:
        """The ways to comply with the terms: under OR the licensee picks one member, under
        AND every member applies, so each option is a set of licences that apply together
        (the expression's disjunctive normal form; a WITH exception only adds permissions).

        >>> def ids(text):
        ...     terms = default_resolver().resolve(text).terms
        ...     return [[lic.id for lic in option] for option in terms.options()]
        >>> ids("(MIT OR Apache-2.0) AND CC-BY-4.0")
        [['MIT', 'CC-BY-4.0'], ['Apache-2.0', 'CC-BY-4.0']]
        >>> ids("MIT OR (Apache-2.0 AND CC-BY-4.0)")
        [['MIT'], ['Apache-2.0', 'CC-BY-4.0']]
        """
        if self.license:
            return [(self.license,)]
        if self.op == "OR":
            found = [o for m in self.members for o in m.options()]
        else:
            found = [()]
            for member in self.members:
                found = [
                    o + tuple(x for x in m if x not in o) for o in found for m in member.options()
                ]
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Resolution:
    """What a licence string resolved to; ``kind`` is a notation of the resolution scheme."""

    text: str
    kind: str  # exact | case-insensitive | alias | expression | unresolved | none | …
    licenses: tuple[License, ...] = ()
    expression: str | None = None
    terms: Terms | None = None
    warnings: tuple[str, ...] = ()  # e.g. an exception not on the SPDX list

    @property
    def resolved(self) -> bool:
        return bool(self.licenses)


class LicenseResolver:
    """Resolves licence strings against identifiers and aliases (see the module docstring)."""

    def __init__(
        self,
        licenses: list[License],
        aliases: dict[str, str],
        exceptions: set[str] | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> None:
        self.by_id = {lic.id: lic for lic in licenses}
        self._by_lower: dict[str, License] = {}
        for lic in licenses:
            self._by_lower.setdefault(lic.id.lower(), lic)
        keyed: dict[str, set[str]] = {}
        for alias, lic_id in aliases.items():
            keyed.setdefault(license_key(alias), set()).add(lic_id)
        for lic in licenses:
            keyed.setdefault(license_key(lic.id), set()).add(lic.id)
        # A key two different licences share would be a guess: leave it out.
        self._by_key = {k: self.by_id[next(iter(v))] for k, v in keyed.items() if len(v) == 1}
        self._exceptions = {e.lower(): e for e in exceptions or ()}
        self._placeholders = {license_key(k): v for k, v in (placeholders or {}).items()}

    def _single(self, text: str) -> tuple[str, License] | None:
        if text in self.by_id:
            return "exact", self.by_id[text]
        if text.lower() in self._by_lower:
            return "case-insensitive", self._by_lower[text.lower()]
        lic = self._by_key.get(license_key(text))
        return ("alias", lic) if lic else None

    def resolve(self, text: str) -> Resolution:
        """Resolve one licence string.

        >>> r = default_resolver().resolve("Apache 2.0")
        >>> r.kind, r.licenses[0].id
        ('alias', 'Apache-2.0')
        >>> default_resolver().resolve("Apache-2.0 OR MIT").expression
        'Apache-2.0 OR MIT'
        >>> default_resolver().resolve("Modified MIT License").kind
        'unresolved'
        """
        stripped = text.strip()
        if stripped.lower() == "unlicensed":
            return Resolution(text, "none")
        single = self._single(stripped)
        if single:
            kind, lic = single
            return Resolution(text, kind, (lic,), lic.expression_id, Terms("license", lic))
        placeholder = self._placeholders.get(license_key(stripped))
        if placeholder:
            return Resolution(text, placeholder)
        return self._expression(text, stripped)

    def _expression(self, text: str, stripped: str) -> Resolution:
        try:
            parsed = _PARSER.parse(stripped)
        except _PARSE_ERRORS as e:
            if not _EXPRESSION_SYNTAX.search(stripped):
                return Resolution(text, "unresolved")
            problem = f"not a valid SPDX licence expression ({e}); kept unresolved"
            return Resolution(text, "unresolved", warnings=(problem,))
        if isinstance(parsed, license_expression.LicenseSymbol):  # one name, not known
            return Resolution(text, "unresolved")
        warnings: list[str] = []
        terms = self._terms(parsed, warnings)
        if terms is None:
            return Resolution(text, "unresolved")
        found = tuple(dict.fromkeys(terms.licenses()))
        return Resolution(text, "expression", found, terms.render(), terms, tuple(warnings))

    def _terms(self, node: object, warnings: list[str]) -> Terms | None:
        """The tree of a parsed expression, or None when a licence in it does not resolve."""
        if isinstance(node, license_expression.LicenseWithExceptionSymbol):
            single = self._single(node.license_symbol.key)
            if single is None:
                return None
            name = node.exception_symbol.key
            known = self._exceptions.get(name.lower())
            if known is None:
                warnings.append(f"licence exception {name!r} is not on the SPDX exceptions list")
            return Terms("WITH", single[1], exception=known or name, exception_known=bool(known))
        if isinstance(node, license_expression.LicenseSymbol):
            single = self._single(node.key)
            return Terms("license", single[1]) if single else None
        op = "AND" if isinstance(node, license_expression.AND) else "OR"
        members: list[Terms] = []
        for arg in node.args:
            member = self._terms(arg, warnings)
            if member is None:
                return None
            # (A AND B) AND C is A AND B AND C: the same terms, one level.
            members.extend(member.members if member.op == op else [member])
        return Terms(op, members=tuple(members))


CURATED_FILES = ("ai-licenses.ttl", "license-facts.ttl", "license-placeholders.ttl")
_CUSTOM = {OG + "AILicense", OG + "CustomLicense"}


@dataclass
class _Curated:
    licenses: list[License]
    aliases: dict[str, str]  # alias -> licence id
    placeholders: dict[str, str]  # string -> resolution notation


def _curated(folder: Path) -> _Curated:
    """Licences SPDX lacks, aliases (of those and of SPDX licences) and the strings that
    name no licence, from the curated licence files."""
    triples = []
    for name in CURATED_FILES:
        path = folder / name
        if path.is_file():
            with path.open("rb") as f:
                triples += [q.triple for q in ox.parse(f, ox.RdfFormat.TURTLE)]
    facts: dict[tuple[str, str], list[str]] = {}
    for t in triples:
        facts.setdefault((t.subject.value, t.predicate.value), []).append(t.object.value)
    custom = sorted(
        {t.subject.value for t in triples if t.predicate.value == RDF + "type"}
        & {t.subject.value for t in triples if t.object.value in _CUSTOM}
    )
    out = _Curated([], {}, {})
    for node in custom:
        lic_id = facts[(node, DCTERMS + "identifier")][0]
        out.licenses.append(License(lic_id, node, facts[(node, RDFS + "label")][0], False))
    ids = {lic.iri: lic.id for lic in out.licenses}
    for (subject, predicate), values in facts.items():
        if predicate == OG + "alias" and subject in ids:
            out.aliases.update(dict.fromkeys(values, ids[subject]))
        elif predicate == OG + "alias" and subject.startswith(SPDX_LICENSE):
            out.aliases.update(dict.fromkeys(values, subject[len(SPDX_LICENSE) :]))
        elif predicate == SKOS + "hiddenLabel" and subject.startswith(RESOLUTION):
            out.placeholders.update(dict.fromkeys(values, subject[len(RESOLUTION) :]))
    return out


def load_resolver(root: Path) -> LicenseResolver:
    """The resolver over the licence sources in ``root`` (the layout of data/sources)."""
    spdx = json.loads((root / "spdx" / "licenses.json").read_text(encoding="utf-8"))
    licenses = [
        License(e["licenseId"], SPDX_LICENSE + e["licenseId"], e["name"], True)
        for e in spdx["licenses"]
    ]
    aliases = {e["name"]: e["licenseId"] for e in spdx["licenses"]}
    curated = _curated(root / "curated")
    licenses += curated.licenses
    aliases.update(curated.aliases)
    known = {lic.id for lic in licenses}
    with (root / "hf-licenses" / "hf-licenses.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            target = row["spdx_id"] if row["match"] not in ("family", "special") else ""
            if target in known:
                aliases[row["hf_id"]] = target
            elif row["hf_id"] in known:  # an AI licence whose id is the Hub's
                aliases[row["hf_id"]] = row["hf_id"]
    exceptions = json.loads((root / "spdx" / "exceptions.json").read_text(encoding="utf-8"))
    return LicenseResolver(
        licenses,
        aliases,
        {e["licenseExceptionId"] for e in exceptions["exceptions"]},
        curated.placeholders,
    )


@cache
def default_resolver() -> LicenseResolver:
    """The resolver over the bundled licence sources."""
    return load_resolver(sources_dir())
