"""European Open Source AI Index (``models/*.yaml``): the system, its organization, and all
12 dimensions with their rating (open / partial / closed), links and notes."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from openness.ingest.identity import tokens
from openness.ingest.organizations import KIND
from openness.ingest.rdf import Triples, typed
from openness.ingest.records import (
    IngestContext,
    add_license,
    add_producer,
    add_record,
    hub_repo_id,
    load_yaml,
    upstream_commit,
)
from openness.ingest.report import (
    Fields,
    IngestReport,
    Keys,
    RecordError,
    RecordIds,
    kind,
    record_text,
)
from openness.namespaces import CONCEPT, DCTERMS, INDEX_DIMENSION, OG, RDFS, SCHEMA, XSD, mint

NAME = "osai-index"
REPOSITORY = "https://github.com/Language-Technology-Assessment/main-database"
DIMENSIONS = (
    "datasources_basemodel",
    "datasources_endmodel",
    "weights_basemodel",
    "weights_endmodel",
    "trainingcode",
    "code",
    "hardware_architecture",
    "preprint",
    "paper",
    "modelcard",
    "datasheet",
    "licenses",
)
RATINGS = ("open", "partial", "closed")
# The Index's contributor types that name one of our organization kinds without doubt.
KINDS = {
    "Academic (University)": "academic",
    "Academic (Research institution)": "academic",
    "Academic (Research community)": "collaboration",
    "Non-academic (Research community)": "collaboration",
    "Non-academic (Company)": "company",
    "Non-academic (American Big Tech)": "company",
    "Non-academic (Big Tech)": "company",
    "Non-academic (Chinese Big Tech)": "company",
    "Non-academic (European Big Tech)": "company",
    "Non-academic (Chinese AI Tiger)": "company",
}
_TAG = re.compile(r"^#\s*-\s*(Contributor type|National origin):\s*(.+?)\s*$", re.MULTILINE)
# The dimension whose notes name each part's licence in turn, as the reviewers write them:
# "Weights: Apache-2.0. Code: MIT. Data: not disclosed." The code's licence is read from the
# part labelled "Code" (to the full stop before the next label, or the end); prose about the
# code ("Only Inference code shared under Apache 2.0") is not, it says which code in words.
LICENCES = "licenses"
_CODE_PART = re.compile(r"(?:^|\.\s+)Code:\s*(.*?)(?:\.\s+(?=[A-Z][\w ]*:)|\.?\s*$)")
# The reviewers' wording for code with no licence because none is released: no licence, so
# nothing is recorded (the Training Code dimension's rating says whether it is released).
_NOT_RELEASED = re.compile(r"not\s+released", re.IGNORECASE)


def _named(value: object) -> str | None:
    """A model name as the Index writes it, or None for a blank or a placeholder.

    >>> _named(" Undisclosed "), _named("unknown"), _named("OLMo-7B")
    (None, None, 'OLMo-7B')
    """
    text = str(value or "").strip()
    return text if text and text.lower() not in ("unknown", "undisclosed") else None


def _date(value: Any) -> Any:
    """The Index writes release dates as YYYY-MM (sometimes a full date)."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return typed(text, XSD + "gYearMonth")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return typed(text, XSD + "date")
    return None


def _record(
    path: Path,
    folder: Path,
    out: Triples,
    report: IngestReport,
    ctx: IngestContext,
    commit: str | None,
    ids: RecordIds,
) -> None:
    rel = str(path.relative_to(folder))
    text = record_text(path, rel)
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as e:
        raise RecordError(rel, f"malformed YAML: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("system"), dict):
        raise RecordError(rel, "no 'system' mapping")
    fields = Fields(report, rel)
    system = fields.of(doc["system"], "system")
    system_name = system.required("name").strip()
    fields.record = path.stem
    org = fields.of(doc).at("org")
    iri = mint("record", NAME, path.stem)
    ids.claim(iri, rel, record=path.stem)
    url = f"{REPOSITORY}/blob/{commit}/{quote(path.name)}" if commit else None
    # A placeholder is no name: Lumo AI's end model "Undisclosed" is the system itself, not
    # a release called "Undisclosed" that every other undisclosed end model would join.
    end_model = _named(system.text("endmodelname"))
    add_record(
        out, iri, source=NAME, source_id=path.stem, file=rel, url=url, name=end_model or system_name
    )
    out.add(iri, RDFS + "label", system_name)
    out.add(iri, OG + "familyName", system_name)
    out.add(iri, OG + "baseModelName", _named(system.text("basemodelname")))
    link = system.url("link")
    if link:
        out.link(iri, OG + "location", link)
    out.add(iri, OG + "modelType", system.text("type"))
    out.add(iri, OG + "performanceClass", system.text("performanceclass"))
    out.add(iri, OG + "note", system.text("notes"))
    released = system.text("releasedate")
    if released:
        issued = _date(released)
        if issued is None:
            fields.wrong(system.path("releasedate"), f"not a YYYY-MM date: {released!r}")
        out.add(iri, DCTERMS + "issued", issued)
    add_license(
        out,
        iri,
        system.text("endmodellicense"),
        ctx.resolver,
        source=NAME,
        role="end model",
        warn=lambda m: fields.wrong(system.path("endmodellicense"), m),
    )
    org_name = org.text("name")
    producer = add_producer(out, iri, org_name, ctx.organizations)
    tags = dict(_TAG.findall(text))
    if producer:
        links = _links(org)
        out.link(producer, SCHEMA + "url", links[0] if links else None)
        out.add(producer, OG + "nationalOrigin", tags.get("National origin"))
        org_kind = KINDS.get(tags.get("Contributor type", ""))
        curated = ctx.organizations.find(str(org_name))
        # The curated kind was checked by hand against the organization's own page; the
        # Index's contributor type stays on the record (og:contributorType).
        if org_kind and not (curated and curated.kind):
            out.link(producer, OG + "organizationKind", KIND + org_kind)
    out.add(iri, OG + "contributorType", tags.get("Contributor type"))
    links = {ref: _rating(doc.get(ref), ref, iri, fields, out, ctx) for ref in DIMENSIONS}
    if link:
        repo = _release_repo(end_model or system_name, link, links["weights_endmodel"])
        out.add(iri, OG + "huggingFaceRepo", repo)


def _release_repo(name: str, system_link: str, weights_links: list[str]) -> str | None:
    """The Hub repository of the release a record rates: its system link's, unless a link
    it gives the end model's weights names another repository whose name is nearer the
    end-model ``name`` (the larger share of the words either name has in common), the
    system's on a tie. The ratings are the end model's, and the system link is sometimes a
    landing page of a later or sibling release (a system linking DeepSeek-R1-0528 rates
    DeepSeek-R1, its end-model name and weights link), as the weights link is sometimes a
    sibling's (a Viking-33B system links Viking-7B's weights): neither link wins by kind.
    The link not followed stays in the record (og:location; the rating's rdfs:seeAlso), and
    the identity step records the two as a source conflict (``weights_link_conflicts``). A
    system with no Hub link names no repository: a weights link alone is not taken for it.

    >>> _release_repo("DeepSeek-R1", "https://huggingface.co/deepseek-ai/DeepSeek-R1-0528",
    ...               ["https://huggingface.co/deepseek-ai/DeepSeek-R1"])
    'deepseek-ai/DeepSeek-R1'
    >>> _release_repo("Viking-33B", "https://huggingface.co/LumiOpen/Viking-33B",
    ...               ["https://huggingface.co/LumiOpen/Viking-7B"])
    'LumiOpen/Viking-33B'
    >>> _release_repo("Bark", "https://github.com/suno-ai/bark", ["https://huggingface.co/suno/bark"])
    """
    system = hub_repo_id(system_link)
    if system is None:
        return None
    words = set(tokens(name))

    def nearness(repo: str) -> Fraction:
        theirs = set(tokens(repo.rsplit("/", 1)[-1]))
        return Fraction(len(words & theirs), len(words | theirs) or 1)

    # max() keeps the first of equals: the system link on a tie.
    repos = [system, *(r for r in map(hub_repo_id, weights_links) if r)]
    return max(repos, key=nearness)


def _links(keys: Keys) -> list[str]:
    """The URLs of a link field (one or a list; other text, a note, is not one)."""
    return [v for v in keys.texts("link") if v.startswith("http")]


def _rating(
    entry: Any, ref: str, record: str, fields: Fields, out: Triples, ctx: IngestContext
) -> list[str]:
    """Write a dimension's rating; returns its links (none if it cannot be read). The
    licences rating also carries the code's licence its note names (role "code"), resolved
    as every licence string is, which the evidence rules read (shapes/evidence.ttl)."""
    if entry is None:
        fields.wrong(ref, "dimension missing")
        return []
    if not isinstance(entry, dict):
        fields.wrong(ref, f"expected a mapping, got {kind(entry)}")
        return []
    keys = fields.of(entry, ref)
    value = (keys.text("class") or "").strip().lower()
    if value not in RATINGS:
        fields.wrong(
            keys.path("class"), f"rating {entry.get('class')!r} is not one of {', '.join(RATINGS)}"
        )
        return []
    rating = f"{record}/rating/{ref}"
    out.link(record, OG + "rating", rating)
    out.types(rating, OG + "DimensionRating")
    out.link(rating, OG + "dimension", INDEX_DIMENSION + ref)
    out.link(rating, OG + "ratingValue", f"{CONCEPT}rating/{value}")
    links = _links(keys)
    for url in links:
        out.link(rating, RDFS + "seeAlso", url)
    note = keys.text("notes")
    out.add(rating, OG + "note", note)
    code = _CODE_PART.search(note or "") if ref == LICENCES else None
    if code and not _NOT_RELEASED.fullmatch(code.group(1).strip()):
        add_license(
            out,
            rating,
            code.group(1),
            ctx.resolver,
            source=NAME,
            role="code",
            warn=lambda m: fields.wrong(keys.path("notes"), m),
        )
    return links


def read_files(
    folder: Path, out: Triples, report: IngestReport, ctx: IngestContext, commit: str | None
) -> None:
    """The system files of ``folder`` (``models/*.yaml``, ``*.yml``), read in the order of
    their paths: one that cannot be read, or whose name makes the record id of one read
    before it, is skipped and named. ``commit``: the upstream commit each record links to."""
    models = folder / "models"
    files = sorted([*models.glob("*.yaml"), *models.glob("*.yml")])
    if not files:
        raise RecordError(models, "no system files (*.yaml)")
    ids = RecordIds()
    for path in ctx.progress(files, len(files), "Index systems"):
        report.read += 1
        try:
            _record(path, folder, out, report, ctx, commit, ids)
            report.ingested += 1
        except RecordError as e:  # the store's record of the file is kept (runner.keep_stored)
            report.skip(e, record=mint("record", NAME, path.stem))


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    read_files(folder, out, report, ctx, upstream_commit(folder, report))
