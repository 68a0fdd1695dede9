"""Organizations: one IRI per real organization, whichever spelling a source uses."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from openness.ingest.report import (
    Fields,
    IngestReport,
    RecordError,
    RecordIds,
    yaml_entries,
)
from openness.namespaces import CONCEPT, OG, SKOS, Graphs, mint
from openness.resources import sources_dir

if TYPE_CHECKING:
    from openness.store import GraphStore

# The bundled folder whose organizations.yaml names them: its source's graph holds them.
FOLDER = "curated"
FILE = "organizations.yaml"
KIND = f"{CONCEPT}org-kind/"  # an organization's kind, a concept of this scheme


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


def read_organization(entry: object, fields: Fields) -> Organization:
    """The organization an entry of ``organizations.yaml`` describes (the fields of
    :class:`Organization`), each field checked (see :class:`Fields`); an entry that is no
    mapping, names a field we do not know or no name is a RecordError (it is skipped)."""
    keys = fields.of(fields.entry(entry, {f.name for f in dataclasses.fields(Organization)}))
    fields.record = keys.required("name")
    return Organization(
        name=fields.record,
        kind=keys.text("kind"),
        short=keys.text("short"),
        aliases=keys.texts("aliases"),
        hub=keys.texts("hub"),
        homepage=keys.url("homepage"),
        source=keys.url("source"),
        parent=keys.text("parent"),
    )


def load_organizations(path: Path, report: IngestReport) -> OrganizationIndex:
    """The index of the organizations in ``path`` (``organizations.yaml``), read as the
    curated reader reads them: an entry it skips is left out, a field it leaves out is
    left out, each named in ``report``."""
    orgs, ids = [], RecordIds()
    for i, entry in enumerate(yaml_entries(path)):
        fields = Fields(report, path.name, f"#{i}")
        try:
            org = read_organization(entry, fields)
            ids.claim(org.iri, f"{path.name} #{i}", record=fields.record)
        except RecordError as e:
            report.skip(e)
            continue
        orgs.append(org)
    return OrganizationIndex(orgs)


@cache
def default_organizations() -> OrganizationIndex:
    """The index of the bundled organizations, which must read without a problem (the
    curated ingest names each)."""
    path = sources_dir() / FOLDER / FILE
    report = IngestReport("organizations")
    index = load_organizations(path, report)
    if report.problems:
        raise RecordError(path, report.problems[0])
    return index


def held_organizations(store: GraphStore) -> OrganizationIndex:
    """The index of the organizations the store's curated graph holds: the curated source
    as last ingested, from the bundled folder or the one given (``ingest curated --from``),
    which so names the organizations of every later run until it is replaced. The bundled
    index where it holds none (no curated graph, or one read from a folder without
    organizations.yaml, whose run read the bundled file in its place)."""
    # The nodes the curated reader writes for its entries (skos:prefLabel: a producer a
    # record names is an og:Organization too, with its schema:name only), with what the
    # index is read for: names, Hub namespaces, kind (a short name is one more altLabel).
    rows = store.query(
        f"""SELECT ?org ?p ?v WHERE {{ GRAPH <{Graphs.source(FOLDER)}> {{
              ?org a og:Organization ; <{SKOS}prefLabel> [] ; ?p ?v .
              VALUES ?p {{ <{SKOS}prefLabel> <{SKOS}altLabel> <{OG}hubNamespace>
                           <{OG}organizationKind> }} }} }}"""
    )
    said: dict[str, dict[str, list[str]]] = {}
    for org, p, v in rows:
        said.setdefault(org.value, {}).setdefault(p.value, []).append(v.value)
    if not said:
        return default_organizations()
    # In IRI order: the file's order is not stored (it decides only between two entries
    # sharing a name, which no entry of the bundled file does).
    return OrganizationIndex(
        [
            Organization(
                name=min(values[SKOS + "prefLabel"]),
                kind=min(values.get(OG + "organizationKind", [KIND]))[len(KIND) :] or None,
                aliases=sorted(values.get(SKOS + "altLabel", [])),
                hub=sorted(values.get(OG + "hubNamespace", [])),
            )
            for _, values in sorted(said.items())
        ]
    )
