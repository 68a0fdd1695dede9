"""European Open Source AI Index (``models/*.yaml``): the system, its organization, and all
12 dimensions with their rating (open / partial / closed), links and notes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from openness.ingest.rdf import Triples, typed
from openness.ingest.records import (
    IngestContext,
    add_license,
    add_producer,
    add_record,
    hub_repo_id,
    load_yaml,
    source_version,
)
from openness.ingest.report import IngestReport, RecordError
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


def _links(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v.strip() for v in values if isinstance(v, str) and v.strip().startswith("http")]


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
) -> None:
    rel = str(path.relative_to(folder))
    text = path.read_text(encoding="utf-8")
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as e:
        raise RecordError(rel, f"malformed YAML: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("system"), dict):
        raise RecordError(rel, "no 'system' mapping")
    system, org = doc["system"], doc.get("org") if isinstance(doc.get("org"), dict) else {}
    system_name = str(system.get("name") or "").strip()
    if not system_name:
        raise RecordError(rel, "missing", field="system.name")
    iri = mint("record", NAME, path.stem)
    url = f"{REPOSITORY}/blob/{commit}/{quote(path.name)}" if commit else None
    # A placeholder is no name: Lumo AI's end model "Undisclosed" is the system itself, not
    # a release called "Undisclosed" that every other undisclosed end model would join.
    end_model = _named(system.get("endmodelname")) or system_name
    add_record(out, iri, source=NAME, source_id=path.stem, file=rel, url=url, name=end_model)
    out.add(iri, RDFS + "label", system_name)
    out.add(iri, OG + "familyName", system_name)
    out.add(iri, OG + "baseModelName", _named(system.get("basemodelname")))
    link = system.get("link")
    if isinstance(link, str) and link.strip():
        out.link(iri, OG + "location", link.strip())
        out.add(iri, OG + "huggingFaceRepo", hub_repo_id(link))
    out.add(iri, OG + "modelType", system.get("type"))
    out.add(iri, OG + "performanceClass", system.get("performanceclass"))
    out.add(iri, OG + "note", system.get("notes"))
    if system.get("releasedate"):
        issued = _date(system["releasedate"])
        if issued is None:
            report.warn(
                RecordError(
                    rel,
                    f"not a YYYY-MM date: {system['releasedate']!r}",
                    record=path.stem,
                    field="system.releasedate",
                )
            )
        out.add(iri, DCTERMS + "issued", issued)
    add_license(
        out,
        iri,
        system.get("endmodellicense"),
        ctx.resolver,
        source=NAME,
        role="end model",
        warn=lambda m: report.warn(
            RecordError(rel, m, record=path.stem, field="system.endmodellicense")
        ),
    )
    producer = add_producer(out, iri, org.get("name"), ctx.organizations)
    tags = dict(_TAG.findall(text))
    if producer:
        out.link(
            producer,
            SCHEMA + "url",
            _links(org.get("link"))[0] if _links(org.get("link")) else None,
        )
        out.add(producer, OG + "nationalOrigin", tags.get("National origin"))
        kind = KINDS.get(tags.get("Contributor type", ""))
        curated = ctx.organizations.find(str(org.get("name")))
        # The curated kind was checked by hand against the organization's own page; the
        # Index's contributor type stays on the record (og:contributorType).
        if kind and not (curated and curated.kind):
            out.link(producer, OG + "organizationKind", f"{CONCEPT}org-kind/{kind}")
    out.add(iri, OG + "contributorType", tags.get("Contributor type"))
    for ref in DIMENSIONS:
        _rating(doc.get(ref), ref, iri, rel, path.stem, out, report)


def _rating(
    entry: Any, ref: str, record: str, rel: str, stem: str, out: Triples, report: IngestReport
) -> None:
    if not isinstance(entry, dict):
        report.warn(RecordError(rel, "dimension missing", record=stem, field=ref))
        return
    value = str(entry.get("class") or "").strip().lower()
    if value not in RATINGS:
        report.warn(
            RecordError(
                rel,
                f"rating {entry.get('class')!r} is not one of {', '.join(RATINGS)}",
                record=stem,
                field=f"{ref}.class",
            )
        )
        return
    rating = f"{record}/rating/{ref}"
    out.link(record, OG + "rating", rating)
    out.types(rating, OG + "DimensionRating")
    out.link(rating, OG + "dimension", INDEX_DIMENSION + ref)
    out.link(rating, OG + "ratingValue", f"{CONCEPT}rating/{value}")
    for url in _links(entry.get("link")):
        out.link(rating, RDFS + "seeAlso", url)
    out.add(rating, OG + "note", entry.get("notes"))


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    commit = source_version(folder)
    files = sorted((folder / "models").glob("*.yaml")) + sorted((folder / "models").glob("*.yml"))
    if not files:
        raise RecordError(folder / "models", "no system files (*.yaml)")
    for path in ctx.progress(files, len(files), "Index systems"):
        report.read += 1
        try:
            _record(path, folder, out, report, ctx, None if commit == "unknown" else commit)
            report.ingested += 1
        except RecordError as e:
            report.skip(e)
