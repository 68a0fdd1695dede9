"""The curated seed set (``*.yaml`` in the curated folder): organizations with their kind,
the open datasets of the mission, public-sector models, models whose weights were never
published, and published verdicts recorded as their publisher's. Every fact carries the URL
it was checked against."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from openness.ingest.organizations import Organization
from openness.ingest.rdf import Triples, typed
from openness.ingest.records import (
    IngestContext,
    add_component,
    add_dataset,
    add_license,
    add_producer,
    add_record,
)
from openness.ingest.report import IngestReport, RecordError
from openness.namespaces import (
    CONCEPT,
    DCAT,
    DCTERMS,
    EARL,
    FAIR4ML,
    FOAF,
    OG,
    ORG,
    PROV,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    mint,
)

NAME = "curated"
OUTCOMES = ("passed", "failed", "cantTell")


def definition_iri(definition_id: str) -> str:
    return mint("definition", definition_id)


def _load(folder: Path, name: str, report: IngestReport) -> list[dict[str, Any]]:
    path = folder / name
    if not path.is_file():
        return []
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as e:
        report.read += 1
        report.skip(RecordError(name, f"malformed YAML: {e}"))
        return []
    if not isinstance(entries, list):
        report.read += 1
        report.skip(RecordError(name, "expected a list of entries"))
        return []
    return entries


def _each(
    folder: Path, name: str, out: Triples, report: IngestReport, ctx: IngestContext, fn: Any
) -> None:
    """``fn`` on each entry of the file, writing into ``out``; an entry it cannot read is
    skipped whole, none of its triples kept."""
    entries = _load(folder, name, report)
    for i, entry in enumerate(ctx.progress(entries, len(entries), name)):
        report.read += 1
        try:
            if not isinstance(entry, dict):
                raise RecordError(name, "expected a mapping", record=f"#{i}")
            with out.all_or_nothing():
                fn(entry, name, i)
            report.ingested += 1
        except RecordError as e:
            report.skip(e)
        except (TypeError, KeyError, ValueError, AttributeError) as e:
            label = entry.get("name", i) if isinstance(entry, dict) else i
            report.skip(RecordError(name, f"bad entry ({e})", record=str(label)))


def _organization(out: Triples, entry: dict[str, Any]) -> None:
    org = Organization(**entry)
    iri = org.iri
    out.types(iri, OG + "Organization")
    out.add(iri, RDFS + "label", org.name)
    out.add(iri, SKOS + "prefLabel", org.name)
    for alias in [org.short, *org.aliases]:
        out.add(iri, SKOS + "altLabel", alias)
    if org.kind:
        out.link(iri, OG + "organizationKind", f"{CONCEPT}org-kind/{org.kind}")
    for ns in org.hub:
        out.add(iri, OG + "hubNamespace", ns)
    out.link(iri, FOAF + "homepage", org.homepage)
    out.link(iri, DCTERMS + "source", org.source)


def _date(value: Any) -> Any:
    """A date as precise as the publisher gives it (day, month or year)."""
    if isinstance(value, dt.date):
        return typed(value.isoformat(), XSD + "date")
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return typed(text, XSD + "gYearMonth")
    if re.fullmatch(r"\d{4}", text):
        return typed(text, XSD + "gYear")
    raise ValueError(f"not a date: {value!r}")


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    orgs = ctx.organizations

    def entry_license(iri: str, entry: dict[str, Any], file: str, **how: str) -> None:
        """The entry's licence, on ``iri``; what is wrong in it is a warning naming the entry."""
        add_license(
            out,
            iri,
            entry.get("license"),
            ctx.resolver,
            source=NAME,
            warn=lambda m: report.warn(RecordError(file, m, record=entry["name"], field="license")),
            **how,
        )

    def organization(entry: dict[str, Any], file: str, i: int) -> None:
        _organization(out, entry)
        parent = entry.get("parent")
        if parent:
            out.link(Organization(**entry).iri, ORG + "subOrganizationOf", orgs.iri(parent))
        report.count("organizations")

    def dataset(entry: dict[str, Any], file: str, i: int) -> None:
        hub = entry.get("hub")
        if hub:
            iri = add_dataset(out, hub, ctx.renames)
        else:
            iri = mint("dataset", entry["id"])
            out.types(iri, DCAT + "Dataset", SCHEMA + "Dataset")
        out.add(iri, SCHEMA + "name", entry["name"])
        out.add(iri, DCTERMS + "publisher", entry.get("publisher"))
        out.link(iri, OG + "location", entry.get("location"))
        out.link(iri, DCTERMS + "source", entry["source"])
        out.add(iri, OG + "note", entry.get("note"))
        data_class = entry.get("data_class")
        if data_class not in ("open", "public", "obtainable", "unshareable"):
            raise RecordError(
                file, f"unknown data class {data_class!r}", record=entry["name"], field="data_class"
            )
        out.link(iri, OG + "dataClass", f"{CONCEPT}data-class/{data_class}")
        entry_license(iri, entry, file)
        report.count("datasets")

    def model(entry: dict[str, Any], file: str, i: int) -> None:
        iri = mint("record", NAME, entry["name"])
        add_record(
            out,
            iri,
            source=NAME,
            source_id=entry["name"],
            file=file,
            url=entry["source"],
            name=entry["name"],
        )
        out.add(iri, OG + "familyName", entry.get("family"))
        out.add(iri, OG + "huggingFaceRepo", entry.get("hub"))
        add_producer(out, iri, entry.get("producer"), orgs)
        entry_license(iri, entry, file, role="distribution")
        for kind, key in (("model-parameters-final", "weights"), ("training-code", "code")):
            if entry.get(key):
                add_component(out, iri, kind, location=entry[key])
        if entry.get("weights_released") is False:  # the producer says: never published
            add_component(out, iri, "model-parameters-final", released=False)
        if entry.get("distribution"):
            out.link(iri, OG + "distributionMode", f"{CONCEPT}distribution/{entry['distribution']}")
        if entry.get("trained_on"):
            data = mint("dataset", entry["trained_on"])
            out.link(iri, FAIR4ML + "trainedOn", data)
            out.types(data, DCAT + "Dataset", SCHEMA + "Dataset")
            out.add(data, SCHEMA + "name", entry["trained_on"])

    def verdict(entry: dict[str, Any], file: str, i: int) -> None:
        subject, definition = entry["subject"], entry["definition"]
        if entry["outcome"] not in OUTCOMES:
            raise RecordError(
                file,
                f"outcome must be one of {', '.join(OUTCOMES)}",
                record=str(subject),
                field="outcome",
            )
        publisher = orgs.iri(entry["publisher"])
        label = subject.get("family") or subject.get("model") or subject.get("license")
        iri = mint("verdict", entry["publisher"], label, definition)
        out.types(iri, OG + "PublishedVerdict", EARL + "Assertion")
        out.link(iri, EARL + "assertedBy", publisher)
        out.link(iri, PROV + "wasAttributedTo", publisher)
        out.link(iri, EARL + "mode", EARL + "manual")
        out.link(iri, EARL + "test", definition_iri(definition))
        out.add(iri, OG + "definitionId", definition)
        out.link(iri, OG + "source", f"{CONCEPT}source/{NAME}")
        if "license" in subject:
            lic = ctx.resolver.by_id.get(subject["license"])
            if lic is None:
                raise RecordError(
                    file,
                    f"unknown licence id {subject['license']!r}",
                    record=label,
                    field="subject.license",
                )
            out.link(iri, EARL + "subject", lic.iri)
        else:  # the identity step links the model or family of this name
            out.add(iri, OG + "familyName", subject.get("family"))
            out.add(iri, SCHEMA + "name", subject.get("model"))
            if subject.get("producer"):
                out.link(iri, OG + "producer", orgs.iri(subject["producer"]))
        result = f"{iri}/result"
        out.link(iri, EARL + "result", result)
        out.types(result, EARL + "TestResult")
        out.link(result, EARL + "outcome", EARL + entry["outcome"])
        out.add(result, EARL + "info", entry["verdict"])
        out.add(result, EARL + "info", entry.get("reason"))
        out.add(result, DCTERMS + "date", _date(entry["date"]))
        out.add(iri, OG + "againstVersion", str(entry["against_version"]))
        out.link(iri, DCTERMS + "source", entry["source"])
        report.count("published verdicts")

    _each(folder, "organizations.yaml", out, report, ctx, organization)
    _each(folder, "datasets.yaml", out, report, ctx, dataset)
    _each(folder, "models.yaml", out, report, ctx, model)
    _each(folder, "verdicts.yaml", out, report, ctx, verdict)
