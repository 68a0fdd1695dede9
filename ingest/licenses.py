"""Resolve licence strings, as sources write them, to licences we know.

The known licences are the SPDX License List, the AI licences SPDX lacks
(``curated/ai-licenses.ttl``) and the Hugging Face licence ids. A string resolves when it
is an identifier (exactly or in another case), a known alias, or an SPDX expression all of
whose parts resolve. Anything else stays unresolved: the string is kept, never guessed.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from openness.namespaces import DCTERMS, OG, RDF, RDFS, SPDX_LICENSE
from openness.resources import sources_dir

# Words that carry no identity in a licence name ("the MIT License" = "MIT").
_NOISE = re.compile(r"\b(the|licen[cs]e[sd]?|agreement|version)\b")
_SEPARATORS = re.compile(r"[\s\-_,/:]+")
_OPERATOR = re.compile(r"\s+(AND|OR|WITH)\s+", re.IGNORECASE)


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
class Resolution:
    """What a licence string resolved to; ``kind`` is a notation of the resolution scheme."""

    text: str
    kind: str  # exact | case-insensitive | alias | expression | unresolved | none
    licenses: tuple[License, ...] = ()
    expression: str | None = None

    @property
    def resolved(self) -> bool:
        return bool(self.licenses)


class LicenseResolver:
    """Resolves licence strings against identifiers and aliases (see the module docstring)."""

    def __init__(self, licenses: list[License], aliases: dict[str, str]) -> None:
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
            return Resolution(text, kind, (lic,), lic.expression_id)
        return self._expression(text, stripped)

    def _expression(self, text: str, stripped: str) -> Resolution:
        parts = _OPERATOR.split(stripped.replace("(", " ").replace(")", " "))
        if len(parts) < 3:
            return Resolution(text, "unresolved")
        out: list[str] = []
        found: list[License] = []
        for i, part in enumerate(parts):
            if i % 2:  # an operator
                out.append(part.upper())
                continue
            if i and parts[i - 1].upper() == "WITH":  # an exception, not a licence
                out.append(part.strip())
                continue
            single = self._single(part.strip())
            if single is None:
                return Resolution(text, "unresolved")
            found.append(single[1])
            out.append(single[1].expression_id)
        unique = tuple(dict.fromkeys(found))
        return Resolution(text, "expression", unique, " ".join(out))


def _ai_licenses(path: Path) -> tuple[list[License], dict[str, str]]:
    """Licences and aliases of the curated AI-licence file."""
    licenses, aliases = [], {}
    with path.open("rb") as f:
        triples = [q.triple for q in ox.parse(f, ox.RdfFormat.TURTLE)]
    ai = {
        t.subject
        for t in triples
        if t.predicate.value == RDF + "type" and t.object.value == OG + "AILicense"
    }
    facts: dict[tuple[ox.NamedNode, str], list[str]] = {}
    for t in triples:
        if t.subject in ai:
            facts.setdefault((t.subject, t.predicate.value), []).append(t.object.value)
    for node in sorted(ai, key=lambda n: n.value):
        lic_id = facts[(node, DCTERMS + "identifier")][0]
        licenses.append(License(lic_id, node.value, facts[(node, RDFS + "label")][0], False))
        for alias in facts.get((node, OG + "alias"), []):
            aliases[alias] = lic_id
    return licenses, aliases


def load_resolver(root: Path) -> LicenseResolver:
    """The resolver over the licence sources in ``root`` (the layout of data/sources)."""
    spdx = json.loads((root / "spdx" / "licenses.json").read_text(encoding="utf-8"))
    licenses = [
        License(e["licenseId"], SPDX_LICENSE + e["licenseId"], e["name"], True)
        for e in spdx["licenses"]
    ]
    aliases = {e["name"]: e["licenseId"] for e in spdx["licenses"]}
    ai_licenses, ai_aliases = _ai_licenses(root / "curated" / "ai-licenses.ttl")
    licenses += ai_licenses
    aliases.update(ai_aliases)
    known = {lic.id for lic in licenses}
    with (root / "hf-licenses" / "hf-licenses.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            target = row["spdx_id"] if row["match"] not in ("family", "special") else ""
            if target in known:
                aliases[row["hf_id"]] = target
            elif row["hf_id"] in known:  # an AI licence whose id is the Hub's
                aliases[row["hf_id"]] = row["hf_id"]
    return LicenseResolver(licenses, aliases)


@cache
def default_resolver() -> LicenseResolver:
    """The resolver over the bundled licence sources."""
    return load_resolver(sources_dir())
