"""Resolve licence strings, as sources write them, to licences we know.

The known licences are the SPDX License List, the licences SPDX lacks
(``curated/ai-licenses.ttl``) and the Hugging Face licence ids. A string resolves when it
is an identifier (exactly or in another case), a known alias (a spelling two licences share
is no alias), or an SPDX expression all of whose licences resolve; the expression is parsed
with ``license-expression`` and kept as a tree, so ``(MIT OR Apache-2.0) AND CC-BY-4.0`` and
``MIT OR (Apache-2.0 AND CC-BY-4.0)`` stay different. A string the curated placeholders
list says names no licence ("Undisclosed", "other") or is no licence at all (a URL, a
dataset list) is recorded as such. Anything else stays unresolved: the string is kept,
never guessed. A string written as an SPDX expression (upper-case operators, parentheses)
that does not parse is also a warning, which the ingesters report with the record.
A deprecated SPDX id with a successor SPDX names (``curated/license-facts.ttl``) resolves
to that successor, however it is matched: "GPL-3.0", the Hub's gpl-3.0 and GitHub's "GPL-3.0
License" are GPL-3.0-only.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import license_expression
import pyoxigraph as ox

from openness.ingest.report import Fields, IngestReport, Keys, RecordError, RecordIds, kind
from openness.namespaces import CONCEPT, DCTERMS, OG, RDF, RDFS, SKOS, SPDX_EL, SPDX_LICENSE
from openness.resources import SourceFiles, sources_dir

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
        successors: dict[str, str] | None = None,
    ) -> None:
        self.by_id = {lic.id: lic for lic in licenses}
        # A deprecated id and the id SPDX names as its successor (``successors``) are one
        # licence, the successor, wherever the deprecated id is claimed: the Hub's agpl-3.0
        # (the deprecated AGPL-3.0 in other case), which its id table maps to AGPL-3.0-only,
        # and GitHub's "AGPL-3.0 license", which keys as both, are that licence.
        self._successor = {
            old: self.by_id[new] for old, new in (successors or {}).items() if new in self.by_id
        }
        self._by_lower: dict[str, License] = {}
        for lic in licenses:
            self._by_lower.setdefault(lic.id.lower(), lic)
        keyed: dict[str, set[str]] = {}
        for alias, lic_id in aliases.items():
            keyed.setdefault(license_key(alias), set()).add(self._current(lic_id))
        for lic in licenses:
            keyed.setdefault(license_key(lic.id), set()).add(self._current(lic.id))
        # A key two different licences share would be a guess: leave it out.
        self._by_key = {}
        for key, ids in keyed.items():
            if len(ids) == 1:
                self._by_key[key] = self.by_id[ids.pop()]
        self._exceptions = {e.lower(): e for e in exceptions or ()}
        self._placeholders = {license_key(k): v for k, v in (placeholders or {}).items()}

    def _current(self, lic_id: str) -> str:
        """The id of the licence ``lic_id`` names: its successor's if it is deprecated."""
        successor = self._successor.get(lic_id)
        return successor.id if successor else lic_id

    def _single(self, text: str) -> tuple[str, License] | None:
        if text in self.by_id:
            kind, lic = "exact", self.by_id[text]
        elif text.lower() in self._by_lower:
            kind, lic = "case-insensitive", self._by_lower[text.lower()]
        else:
            kind, lic = "alias", self._by_key.get(license_key(text))
        return (kind, self._successor.get(lic.id, lic)) if lic else None

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

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """The ids of the known licences whose names are spelt most like ``text``, for a
        person to choose from (a resolution never guesses).

        >>> default_resolver().suggest("apache 2")[0], default_resolver().suggest("GPL3+")
        ('Apache-2.0', ['GPL-3.0-or-later'])
        """
        close = difflib.get_close_matches(license_key(text), self._by_key, n=n, cutoff=0.75)
        return list(dict.fromkeys(self._by_key[k].id for k in close))

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
# The columns of the Hugging Face licence id table read here.
HF_COLUMNS = ("hf_id", "spdx_id", "match")


def spdx_list(path: Path, key: str) -> list:
    """The entries of a file in the SPDX License List's JSON layout (``licenses`` or
    ``exceptions``); one that is not in that layout is a RecordError naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RecordError(path, f"not an SPDX list file ({e})") from e
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RecordError(path, f"not an SPDX list file (no list '{key}')")
    return entries


def spdx_entries(
    path: Path, entries: list, id_key: str, report: IngestReport, ids: RecordIds | None = None
) -> list[tuple[str, Keys]]:
    """The entries of an SPDX list file, each with its id and its fields, read by key. An
    entry with no id, or (``ids``) the id of one before it, is skipped and named (the first
    of an id is kept): two entries of one id would make one licence of both, two names and
    contradicting flags on it."""
    out = []
    for i, entry in enumerate(entries):
        try:
            if not isinstance(entry, dict):
                raise RecordError(
                    path.name, f"expected a mapping, got {kind(entry)}", record=f"#{i}"
                )
            keys = Fields(report, path.name, f"#{i}").of(entry)
            entry_id = keys.fields.record = keys.required(id_key).strip()
            if ids is not None:
                ids.claim(SPDX_LICENSE + entry_id, f"{path.name} #{i}", record=entry_id)
        except RecordError as e:
            report.skip(e)
            continue
        out.append((entry_id, keys))
    return out


def hf_license_rows(path: Path) -> list[dict[str, str]]:
    """The rows of the Hugging Face licence id table; a column missing is a RecordError
    naming it (every row would be read without it)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in HF_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise RecordError(path, f"no column {missing[0]!r}")
        return [{c: row[c] or "" for c in HF_COLUMNS} for row in reader]


@dataclass
class _Curated:
    licenses: list[License]
    aliases: dict[str, str]  # alias -> licence id
    placeholders: dict[str, str]  # string -> resolution notation
    successors: dict[str, str]  # deprecated SPDX id -> the id SPDX names in its place


def _curated(files: SourceFiles, report: IngestReport) -> _Curated:
    """Licences SPDX lacks, aliases (of those and of SPDX licences) and the strings that
    name no licence, from the curated licence files. A licence without an identifier or a
    label is left out, named."""
    triples, typed_in = [], {}  # typed_in: a licence -> the file typing it
    for name in CURATED_FILES:
        path = files.path("curated", name)
        if path.is_file():
            try:
                with path.open("rb") as f:
                    found = [q.triple for q in ox.parse(f, ox.RdfFormat.TURTLE)]
            except SyntaxError as e:
                raise RecordError(path, f"not Turtle: {e}") from e
            triples += found
            for t in found:
                if t.predicate.value == RDF + "type" and t.object.value in _CUSTOM:
                    typed_in.setdefault(t.subject.value, path.name)
    facts: dict[tuple[str, str], list[str]] = {}
    for t in triples:
        facts.setdefault((t.subject.value, t.predicate.value), []).append(t.object.value)
    out = _Curated([], {}, {}, {})
    for node, file in sorted(typed_in.items()):
        fields = Fields(report, file, node)
        try:
            lic_id, label = (
                fields.required(min(facts.get((node, p), [None])), field)
                for p, field in (
                    (DCTERMS + "identifier", "dcterms:identifier"),
                    (RDFS + "label", "rdfs:label"),
                )
            )
        except RecordError as e:
            report.skip(e)
            continue
        out.licenses.append(License(lic_id, node, label, False))
    ids = {lic.iri: lic.id for lic in out.licenses}
    for (subject, predicate), values in facts.items():
        if predicate == OG + "alias" and subject in ids:
            out.aliases.update(dict.fromkeys(values, ids[subject]))
        elif predicate == OG + "alias" and subject.startswith(SPDX_LICENSE):
            out.aliases.update(dict.fromkeys(values, subject[len(SPDX_LICENSE) :]))
        elif predicate == SKOS + "hiddenLabel" and subject.startswith(RESOLUTION):
            out.placeholders.update(dict.fromkeys(values, subject[len(RESOLUTION) :]))
        elif (  # two successors (the -only and the -or-later licence) name no one licence
            predicate == SPDX_EL + "obsoletedBy"
            and subject.startswith(SPDX_LICENSE)
            and len(values) == 1
        ):
            out.successors[subject[len(SPDX_LICENSE) :]] = values[0]
    return out


def load_resolver(files: SourceFiles, report: IngestReport) -> LicenseResolver:
    """The resolver over the licence sources ``files`` locates: the SPDX list, the Hugging
    Face id table, the curated licence files. What is wrong in them is reported to
    ``report`` and left out, as the readers of those files leave it out."""
    path = files.path("spdx", "licenses.json")
    ids = RecordIds()  # the first of an id is the licence, as the spdx reader keeps it
    licenses, aliases = [], {}
    for lic_id, keys in spdx_entries(path, spdx_list(path, "licenses"), "licenseId", report, ids):
        name = keys.text("name")
        licenses.append(License(lic_id, SPDX_LICENSE + lic_id, name or lic_id, True))
        if name:
            aliases[name] = lic_id
    curated = _curated(files, report)
    licenses += curated.licenses
    aliases.update(curated.aliases)
    known = {lic.id for lic in licenses}
    for row in hf_license_rows(files.path("hf-licenses", "hf-licenses.csv")):
        target = row["spdx_id"] if row["match"] not in ("family", "special") else ""
        if target in known:
            aliases[row["hf_id"]] = target
        elif row["hf_id"] in known:  # an AI licence whose id is the Hub's
            aliases[row["hf_id"]] = row["hf_id"]
    path = files.path("spdx", "exceptions.json")
    exceptions = spdx_entries(
        path, spdx_list(path, "exceptions"), "licenseExceptionId", report, ids
    )
    return LicenseResolver(
        licenses,
        aliases,
        {exc_id for exc_id, _ in exceptions},
        curated.placeholders,
        curated.successors,
    )


@cache
def default_resolver() -> LicenseResolver:
    """The resolver over the bundled licence sources, which must read without a problem
    (the spdx ingest names each)."""
    report = IngestReport("licences")
    resolver = load_resolver(SourceFiles(), report)
    if report.problems:
        raise RecordError(sources_dir(), f"the bundled licence sources: {report.problems[0]}")
    return resolver
