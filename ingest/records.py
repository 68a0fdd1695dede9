"""What every ingester writes the same way: source records, licence statements, producers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import pyoxigraph as ox
import yaml

from openness.ingest.licenses import (
    LicenseResolver,
    Resolution,
    Terms,
    default_resolver,
    load_resolver,
)
from openness.ingest.organizations import (
    FILE,
    FOLDER,
    OrganizationIndex,
    default_organizations,
    held_organizations,
    load_organizations,
)
from openness.ingest.rdf import Subject, Triples, iri_values, literal, renamed
from openness.ingest.renames import RENAMES_FILE, HubRenames, default_renames, load_renames
from openness.ingest.report import IngestReport, RecordError
from openness.namespaces import (
    COMPONENT,
    CONCEPT,
    DCAT,
    DCTERMS,
    ID,
    OG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SPDX_EL,
    SPDX_LICENSE,
    mint,
)
from openness.resources import SourceFiles

if TYPE_CHECKING:
    from openness.store import GraphStore

T = TypeVar("T")
TYPE = ox.NamedNode(RDF + "type")

# libyaml's parser where PyYAML was built with it (its wheels are): the same documents (every
# YAML file and dataset card under data/ loads equal), parsed ~8x faster; pure-Python
# parsing was most of the time of ingesting the MOF and Index records and their snapshots.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)``, with libyaml. A document it refuses is parsed again by
    PyYAML's own parser, whose error (with the offending line quoted) is the one raised.
    A value that looks like a date and is none (``2025-13-45``) is a YAMLError too, not
    the ValueError PyYAML lets through."""
    try:
        return yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)
    except ValueError as e:
        raise yaml.YAMLError(f"a date that is none: {e}") from e


Progress = Callable[[Iterable[T], int | None, str], Iterator[T]]


def no_progress(items: Iterable[T], total: int | None = None, desc: str = "") -> Iterator[T]:
    return iter(items)


@dataclass
class IngestContext:
    """What ingesters share: the licence resolver, the organization index, the Hub ids that
    moved, a progress bar."""

    resolver: LicenseResolver = field(default_factory=default_resolver)
    organizations: OrganizationIndex = field(default_factory=default_organizations)
    renames: HubRenames = field(default_factory=default_renames)
    progress: Progress = no_progress

    def reading(self, bundled: str, folder: Path, report: IngestReport) -> IngestContext:
        """This context with the licence resolver — and, ``folder`` being the curated one,
        the organization index and the Hub's moves — read from ``folder`` in place of the
        bundled folder ``bundled`` (a run's ``--from``), each file it lacks from the bundled
        one; what is wrong in them goes to ``report``."""
        files = SourceFiles({bundled: folder})
        ctx = replace(self, resolver=load_resolver(files, report))
        if bundled != FOLDER:  # another source's run keeps the index it was given
            return ctx
        return replace(
            ctx,
            organizations=load_organizations(files.path(FOLDER, FILE), report),
            renames=load_renames(files.path(FOLDER, RENAMES_FILE), report),
        )

    def holding(self, store: GraphStore) -> IngestContext:
        """This context with the organization index ``store`` holds
        (:func:`~openness.ingest.organizations.held_organizations`), for a run reading
        another source than the one naming the organizations."""
        return replace(self, organizations=held_organizations(store))


def source_version(folder: Path) -> str:
    """The commit named first in the folder's SOURCE.md — in full, else as a note that
    gives it abbreviated ("Commit: `f4500c5`") — or 'unknown'."""
    note = folder / "SOURCE.md"
    if note.is_file():
        text = note.read_text(encoding="utf-8")
        match = re.search(r"\b([0-9a-f]{40})\b", text) or _SHORT_COMMIT.search(text)
        if match:
            return match.group(1)
    return "unknown"


_SHORT_COMMIT = re.compile(r"\bcommit:\s*`([0-9a-f]{7,39})`", re.IGNORECASE)


def upstream_commit(folder: Path, report: IngestReport) -> str | None:
    """The upstream commit the folder's SOURCE.md names, which each record's link to its
    file upstream is made of; None, with a warning naming the folder, where there is none:
    its records are stored without that link (a checkout read with ``--from`` has no
    SOURCE.md)."""
    version = source_version(folder)
    if version == "unknown":
        report.warn(
            RecordError(
                folder / "SOURCE.md",
                "names no upstream commit, or is missing: the records are "
                "stored without a link to their file upstream",
            )
        )
        return None
    return version


def hub_page(kind: str, repo_id: str) -> str:
    """The Hub's page of the repository ``repo_id`` of ``kind`` ('model', 'dataset'): what
    a consumer keyed on Hub URLs joins by (foaf:page, dcat:landingPage), where the graph
    gave only the id as a literal.

    >>> hub_page("dataset", "ylecun/mnist"), hub_page("model", "allenai/OLMo-7B")
    ('https://huggingface.co/datasets/ylecun/mnist', 'https://huggingface.co/allenai/OLMo-7B')
    """
    path = quote(repo_id, safe="/")
    return (
        f"https://huggingface.co/{path}"
        if kind == "model"
        else f"https://huggingface.co/{kind}s/{path}"
    )


def hub_repo_id(value: str) -> str | None:
    """The Hugging Face repository id in a Hub URL or an ``owner/name`` string.

    >>> hub_repo_id("https://huggingface.co/allenai/OLMo-7B/blob/main/README.md")
    'allenai/OLMo-7B'
    >>> hub_repo_id("mistralai/Mixtral-8x7B-v0.1")
    'mistralai/Mixtral-8x7B-v0.1'
    >>> hub_repo_id("https://huggingface.co/docs/transformers/en/model_doc/t5") is None
    True
    """
    value = value.strip()
    match = _HUB_URL.match(value) or _REPO_ID.match(value)
    if not match:
        return None
    owner, name = match.group(1), match.group(2)
    if owner in _NOT_OWNERS:
        return None
    return f"{owner}/{name}"


_HUB_URL = re.compile(
    r"^https?://(?:www\.)?huggingface\.co/(?!datasets/|spaces/)"
    r"([\w.-]+)/([\w.-]+)"
)
_REPO_ID = re.compile(r"^([\w.-]+)/([\w.-]+)$")
# First path segments of huggingface.co that are pages, not repository owners.
_NOT_OWNERS = {"docs", "blog", "models", "papers", "organizations", "collections", "learn"}


def add_dataset(out: Triples, hub_id: str, renames: HubRenames) -> str:
    """The dataset of a Hub dataset id, under its current id when it moved (``mnist`` is
    ``ylecun/mnist``): one entity whichever id a source writes. Every old id the renames
    list knows of it is stated (as the list writes it) and its IRI retired to this one
    (:func:`retire`), whichever id was written. Returns its IRI."""
    current = renames.current("dataset", hub_id)
    iri = mint("dataset", current)
    out.types(iri, DCAT + "Dataset", SCHEMA + "Dataset")
    out.add(iri, OG + "huggingFaceRepo", current)
    out.link(iri, DCAT + "landingPage", hub_page("dataset", current))
    for old in renames.former("dataset", current):
        out.add(iri, OG + "formerHubId", old)
        retire(out, mint("dataset", old), iri)
    return iri


def retire(out: Triples, old: str, iri: str) -> None:
    """State that the IRI ``old`` (of a Hub repository's former id) is now ``iri``'s, for
    the server to answer it with 303 See Other and a query to follow: in the graph of the
    reader that knows the move, beside the entity, so that replacing the source replaces
    both. Nothing where both ids mint one IRI (they differ in case only)."""
    if old != iri:
        out.link(old, OG + "supersededBy", iri)


def source_concept(source: str) -> str:
    return f"{CONCEPT}source/{source}"


def add_record(
    out: Triples,
    iri: str,
    *,
    source: str,
    source_id: str,
    file: str | None = None,
    url: str | None = None,
    name: str | None = None,
) -> None:
    """Declare a source record: which source, its own id, and where it was read from."""
    out.types(iri, OG + "SourceRecord")
    out.link(iri, OG + "source", source_concept(source))
    out.add(iri, OG + "sourceId", source_id)
    out.add(iri, OG + "sourceFile", file)
    out.link(iri, PROV + "wasDerivedFrom", url)
    out.add(iri, SCHEMA + "name", name)


def add_license(
    out: Triples,
    subject: Subject | str,
    text: str | None,
    resolver: LicenseResolver,
    *,
    source: str,
    role: str | None = None,
    empty_means_unlicensed: bool = False,
    resolve_as: str | None = None,
    see_also: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> Resolution | None:
    """Record a licence statement on ``subject``: the string verbatim, its resolution, its
    terms (the expression tree, see ``add_terms``) and ``dcterms:license`` to each licence
    it names. Returns the resolution.

    An empty string says nothing, except where the source reads it as "unlicensed"
    (``empty_means_unlicensed``, the Model Openness Tool's rule). ``resolve_as`` is
    resolved in place of ``text`` when the source wraps an identifier (e.g. in a URL); the
    statement still keeps ``text`` verbatim. ``see_also``: where the licence's text is (a
    link the source gives). ``warn`` receives what is wrong but not fatal in the string (an
    exception not on the SPDX list), for the caller to report with the record.

    The statement is named by its content among the ``source``'s (:func:`statement_iri`),
    so the records of one source that state the same licence in the same role share one
    node: a Hub model's record held ~27 triples of statements alike in thousands of
    records, a third of what a sync wrote. Its triples are added to ``out`` once, however
    many subjects link to it."""
    if text is None or (not str(text).strip() and not empty_means_unlicensed):
        return None
    text = str(text)
    target = resolve_as if resolve_as is not None else text
    resolution = resolver.resolve(target) if target.strip() else Resolution(text, "none")
    said = Triples()
    said.types(STATEMENT, OG + "LicenseStatement")
    said.add(STATEMENT, OG + "licenseString", literal(text))
    said.add(STATEMENT, OG + "licenseRole", role)
    said.link(STATEMENT, OG + "resolution", f"{CONCEPT}license-resolution/{resolution.kind}")
    said.add(STATEMENT, OG + "licenseExpression", resolution.expression)
    said.link(STATEMENT, RDFS + "seeAlso", see_also)
    if resolution.terms:
        terms = add_terms(said, resolution.terms, f"{STATEMENT}#terms")
        said.link(STATEMENT, OG + "licenseTerms", terms)
        for i, option in enumerate(resolution.terms.options(), 1):
            said.link(STATEMENT, OG + "licenseOption", f"{STATEMENT}#option-{i}")
            for lic in option:
                said.link(f"{STATEMENT}#option-{i}", OG + "optionLicense", lic.iri)
    for lic in resolution.licenses:
        said.link(STATEMENT, OG + "resolvesTo", lic.iri)
        out.link(subject, DCTERMS + "license", lic.iri)
    stmt = statement_iri(said, source)
    out.link(subject, OG + "licenseStatement", stmt)
    if out.first(stmt):
        out.extend(
            ox.Triple(
                renamed(t.subject, STATEMENT, stmt), t.predicate, renamed(t.object, STATEMENT, stmt)
            )
            for t in said
        )
    for message in resolution.warnings:
        if warn:
            warn(f"licence {text!r}: {message}")
    return resolution


# The statement's IRI while its triples are made, before its content names it.
STATEMENT = "urn:x-openness:license-statement"


def statement_iri(said: Iterable[ox.Triple], source: str) -> str:
    """The IRI of a licence statement made under STATEMENT: a digest of its triples, which
    the same licence string, role and resolution always make alike, among the records of
    ``source`` (``~`` is in no record's IRI: a statement is no record). Each source's
    statements are its own, in its graph: a node in two graphs would be read twice over
    their union, and a dated snapshot renames the source's IRIs to its own.

    >>> one, other = Triples(), Triples()
    >>> for said in (one, other):
    ...     said.add(STATEMENT, OG + "licenseString", "mit")
    >>> statement_iri(one, "hf") == statement_iri(other, "hf") != statement_iri(one, "mof")
    True
    >>> other.add(STATEMENT, OG + "licenseRole", "card")
    >>> statement_iri(one, "hf") == statement_iri(other, "hf")
    False
    >>> statement_iri(one, "hf").startswith("https://w3id.org/openness-graph/id/record/hf/~license/")
    True
    """
    lines = sorted(str(t) for t in said)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:24]
    return f"{ID}record/{source}/~license/{digest}"


_SETS = {"AND": "ConjunctiveLicenseSet", "OR": "DisjunctiveLicenseSet"}


def add_terms(out: Triples, terms: Terms, iri: str) -> str:
    """The RDF of an expression tree, in SPDX 3's ExpandedLicensing terms: a licence is its
    own IRI; AND / OR are Conjunctive / DisjunctiveLicenseSet nodes with a ``member`` each;
    WITH is a WithAdditionOperator. Returns the IRI of the tree's root."""
    if terms.op == "license":
        return terms.license.iri
    out.add(iri, RDFS + "label", terms.render())
    if terms.op == "WITH":
        out.types(iri, SPDX_EL + "WithAdditionOperator")
        out.link(iri, SPDX_EL + "subjectExtendableLicense", terms.license.iri)
        if terms.exception_known:
            out.link(iri, SPDX_EL + "subjectAddition", SPDX_LICENSE + terms.exception)
        out.add(iri, OG + "exceptionId", terms.exception)
        return iri
    out.types(iri, SPDX_EL + _SETS[terms.op])
    for i, member in enumerate(terms.members, 1):
        out.link(iri, SPDX_EL + "member", add_terms(out, member, f"{iri}-{i}"))
    return iri


def add_component(
    out: Triples,
    record: str,
    kind: str,
    *,
    released: bool | None = True,
    location: str | None = None,
) -> str:
    """A component of ``kind`` (a component concept's local name) on a record; its IRI."""
    iri = f"{record}/component/{kind}"
    out.link(record, OG + "component", iri)
    out.types(iri, OG + "Component")
    out.link(iri, OG + "componentType", COMPONENT + kind)
    out.add(iri, OG + "released", released)
    out.link(iri, OG + "location", location)
    return iri


def add_producer(
    out: Triples, subject: str, name: str | None, organizations: OrganizationIndex
) -> str | None:
    """Link ``subject`` to the organization called ``name`` (as the source spells it)."""
    if not name or not str(name).strip():
        return None
    name = str(name).strip()
    org = organizations.iri(name)
    out.link(subject, OG + "producer", org)
    out.types(org, OG + "Organization")
    out.add(org, SCHEMA + "name", name)
    return org


def owned_triples(store: GraphStore, records: Sequence[str], graph: str) -> list[ox.Triple]:
    """The triples of these records (or licence statements) in a source's graph: each and
    the nodes minted under it (``<record>#…``; ``<record>/…``: components and theirs; a
    statement's ``#terms`` and ``#option-…``) — and the retired IRIs of each
    (``?old og:supersededBy <record>``, see :func:`retire`), which go with it. Shared nodes
    the records point at (licence statements, organizations, datasets, licences) are not
    theirs. Followed link by link with plain lookups: a property path joined with the
    records made the engine walk the whole graph."""
    owner = {r: r for r in records}  # node -> the record it belongs to
    frontier, out = list(records), set()
    for at in range(0, len(records), 500):
        retired = store.query(
            f"SELECT ?s ?o WHERE {{ VALUES ?o {{ {iri_values(records[at : at + 500])} }} "
            "?s og:supersededBy ?o }",
            default_graphs=[graph],
        )
        out.update(ox.Triple(s, ox.NamedNode(OG + "supersededBy"), o) for s, o in retired)
    while frontier:
        nxt = []
        for at in range(0, len(frontier), 500):
            rows = store.query(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {iri_values(frontier[at : at + 500])} }} "
                "?s ?p ?o }",
                default_graphs=[graph],
            ).rows()
            for r in rows:
                out.add(ox.Triple(r["s"], r["p"], r["o"]))
                node, root = r["o"], owner[r["s"].value]
                if (
                    isinstance(node, ox.NamedNode)
                    and node.value not in owner
                    and node.value.startswith((root + "#", root + "/"))
                ):
                    owner[node.value] = root
                    nxt.append(node.value)
        frontier = nxt
    return list(out)


def held_copies(
    store: GraphStore, records: Iterable[str], graph: str, beside: Iterable[ox.Triple]
) -> dict[str, list[ox.Triple]]:
    """The triples ``graph`` holds of each of ``records`` whose file a run could not read,
    for the run to keep: the record, the nodes minted under it, linked or not
    (:func:`owned_triples`; an FMTI edition's indicators and scores point at it) — and the
    shared nodes they point at that the run's triples ``beside`` do not describe (a licence
    statement, an organization, a dataset and what those point at), so no link dangles;
    not another record (a node of the record's type), which only its own file keeps. A
    record the graph does not hold, or that ``beside`` describes (another file of its IRI
    was read), is not in the answer."""
    described = {t.subject.value for t in beside if isinstance(t.subject, ox.NamedNode)}
    out: dict[str, list[ox.Triple]] = {}
    for record in records:
        if record in described:
            continue
        under = store.query(
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER (STRSTARTS(STR(?s), ?under)) }",
            default_graphs=[graph],
            substitutions={"under": ox.Literal(record + "/")},
        )
        triples = owned_triples(store, [record, *(s.value for (s,) in under)], graph)
        if not triples:
            continue
        kinds = [
            t.object.value for t in triples if t.subject.value == record and t.predicate == TYPE
        ]
        have = described | {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
        while shared := sorted(
            {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)} - have
        ):
            have.update(shared)
            others = {
                n.value
                for at in range(0, len(shared), 500)
                for (n,) in store.query(
                    f"SELECT DISTINCT ?n WHERE {{ VALUES ?kind {{ {iri_values(kinds)} }} "
                    f"VALUES ?n {{ {iri_values(shared[at : at + 500])} }} ?n a ?kind }}",
                    default_graphs=[graph],
                )
            }
            triples += owned_triples(store, [n for n in shared if n not in others], graph)
        out[record] = triples
    return out
