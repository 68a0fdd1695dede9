"""Organizations: one IRI per real organization, whichever spelling a source uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from openness.namespaces import mint
from openness.resources import sources_dir


def name_key(name: str) -> str:
    """Case- and punctuation-insensitive key of an organization name.

    >>> name_key("Allen Institute for AI") == name_key("allen institute for ai.")
    True
    """
    return " ".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


@dataclass
class Organization:
    name: str
    kind: str | None = None
    short: str | None = None
    aliases: list[str] = field(default_factory=list)
    hub: list[str] = field(default_factory=list)
    homepage: str | None = None
    source: str | None = None
    parent: str | None = None

    @property
    def iri(self) -> str:
        return mint("org", self.name)


class OrganizationIndex:
    """Looks organizations up by any of their names or Hugging Face namespaces."""

    def __init__(self, organizations: list[Organization]) -> None:
        self.known = organizations
        self._by_name: dict[str, Organization] = {}
        self._by_hub: dict[str, Organization] = {}
        for org in organizations:
            for name in [org.name, org.short, *org.aliases]:
                if name:
                    self._by_name[name_key(name)] = org
            for ns in org.hub:
                self._by_hub[ns.lower()] = org

    def find(self, name: str) -> Organization | None:
        return self._by_name.get(name_key(name))

    def by_hub(self, namespace: str) -> Organization | None:
        return self._by_hub.get(namespace.lower())

    def iri(self, name: str) -> str:
        """The IRI of the organization called ``name``: the curated one when known,
        otherwise one minted from the name itself."""
        org = self.find(name)
        return org.iri if org else mint("org", name)


def load_organizations(path: Path) -> OrganizationIndex:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return OrganizationIndex([Organization(**entry) for entry in entries])


@cache
def default_organizations() -> OrganizationIndex:
    return load_organizations(sources_dir() / "curated" / "organizations.yaml")
