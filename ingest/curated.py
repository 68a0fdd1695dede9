"""The curated seed set (``*.yaml`` in the curated folder): organizations with their kind,
the open datasets of the mission, public-sector models, models whose weights were never
published, and published verdicts recorded as their publisher's. Every fact carries the URL
it was checked against."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openness.ingest.organizations import KIND, Organization, read_organization
from openness.ingest.published import PUBLISHED_FILE, load_published
from openness.ingest.rdf import Triples, typed
from openness.ingest.records import (
    IngestContext,
    add_component,
    add_dataset,
    add_license,
    add_producer,
    add_record,
)
from openness.ingest.renames import RENAMES_FILE, load_renames
from openness.ingest.report import Fields, IngestReport, RecordError, RecordIds, kind, yaml_entries
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
# OSI's data classes (OSAID 1.0 FAQ), the concepts of ogs:data-class.
DATA_CLASSES = ("open", "public", "obtainable", "unshareable")
Claim = Callable[[str], None]  # notes the node an entry makes (see _each)


def definition_iri(definition_id: str) -> str:
    return mint("definition", definition_id)


def _each(
    folder: Path, name: str, out: Triples, report: IngestReport, ctx: IngestContext, fn: Any
) -> None:
    """``fn(entry, fields, claim)`` on each entry of the file, writing into ``out``, where
    ``claim(iri)`` notes the node the entry makes (one made by an entry before it is an
    error: two entries would merge into it). An entry it cannot read is skipped whole, none
    of its triples kept."""
    entries = yaml_entries(folder / name)
    ids = RecordIds()
    for i, entry in enumerate(ctx.progress(entries, len(entries), name)):
        report.read += 1
        fields = Fields(report, name, f"#{i}")

        def claim(iri: str, i: int = i, fields: Fields = fields) -> None:
            ids.claim(iri, f"{name} #{i}", record=fields.record)

        try:
            if not isinstance(entry, dict):
                raise RecordError(name, f"expected a mapping, got {kind(entry)}", record=f"#{i}")
            with out.all_or_nothing():
                fn(entry, fields, claim)
            report.ingested += 1
        except RecordError as e:
            report.skip(e)
        except (TypeError, KeyError, ValueError, AttributeError) as e:
            report.skip(RecordError(name, f"bad entry ({e})", record=fields.record))


def _write_organization(out: Triples, org: Organization) -> None:
    iri = org.iri
    out.types(iri, OG + "Organization")
    out.add(iri, RDFS + "label", org.name)
    out.add(iri, SKOS + "prefLabel", org.name)
    for alias in [org.short, *org.aliases]:
        out.add(iri, SKOS + "altLabel", alias)
    if org.kind:
        out.link(iri, OG + "organizationKind", KIND + org.kind)
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

    def entry_license(iri: str, entry: dict[str, Any], fields: Fields, **how: str) -> None:
        """The entry's licence, on ``iri``; what is wrong in it is a warning naming the entry."""
        add_license(
            out,
            iri,
            fields.of(entry).text("license"),
            ctx.resolver,
            source=NAME,
            warn=lambda m: fields.wrong("license", m),
            **how,
        )

    def organization(entry: dict[str, Any], fields: Fields, claim: Claim) -> None:
        org = read_organization(entry, fields)
        claim(org.iri)
        _write_organization(out, org)
        if org.parent:
            out.link(org.iri, ORG + "subOrganizationOf", orgs.iri(org.parent))
        report.count("organizations")

    def dataset(entry: dict[str, Any], fields: Fields, claim: Claim) -> None:
        keys = fields.of(entry)
        fields.record = keys.required("name")
        hub = keys.text("hub")
        if hub:
            iri = add_dataset(out, hub, ctx.renames)
        else:
            iri = mint("dataset", keys.required("id"))
            out.types(iri, DCAT + "Dataset", SCHEMA + "Dataset")
        claim(iri)
        out.add(iri, SCHEMA + "name", fields.record)
        out.add(iri, DCTERMS + "publisher", keys.text("publisher"))
        out.link(iri, OG + "location", keys.url("location"))
        out.link(iri, DCTERMS + "source", keys.url("source", required=True))
        out.add(iri, OG + "note", keys.text("note"))
        data_class = keys.choice("data_class", DATA_CLASSES)
        out.link(iri, OG + "dataClass", f"{CONCEPT}data-class/{data_class}")
        entry_license(iri, entry, fields)
        report.count("datasets")

    def model(entry: dict[str, Any], fields: Fields, claim: Claim) -> None:
        keys = fields.of(entry)
        name = fields.record = keys.required("name")
        iri = mint("record", NAME, name)
        claim(iri)
        add_record(
            out,
            iri,
            source=NAME,
            source_id=name,
            file=fields.file,
            url=keys.url("source", required=True),
            name=name,
        )
        out.add(iri, OG + "familyName", keys.text("family"))
        out.add(iri, OG + "huggingFaceRepo", keys.text("hub"))
        add_producer(out, iri, keys.text("producer"), orgs)
        entry_license(iri, entry, fields, role="distribution")
        for component, key in (("model-parameters-final", "weights"), ("training-code", "code")):
            location = keys.url(key)
            if location:
                add_component(out, iri, component, location=location)
        if keys.flag("weights_released") is False:  # the producer says: never published
            add_component(out, iri, "model-parameters-final", released=False)
        distribution = keys.text("distribution")
        if distribution:
            out.link(iri, OG + "distributionMode", f"{CONCEPT}distribution/{distribution}")
        trained_on = keys.text("trained_on")
        if trained_on:
            data = mint("dataset", trained_on)
            out.link(iri, FAIR4ML + "trainedOn", data)
            out.types(data, DCAT + "Dataset", SCHEMA + "Dataset")
            out.add(data, SCHEMA + "name", trained_on)

    def verdict(entry: dict[str, Any], fields: Fields, claim: Claim) -> None:
        subject = entry.get("subject")
        if not isinstance(subject, dict):
            raise RecordError(
                fields.file,
                f"expected a mapping, got {kind(subject)}",
                record=fields.record,
                field="subject",
            )
        fields.record = str(subject)
        keys, said = fields.of(entry), fields.of(subject, "subject")
        family, name, licence = said.text("family"), said.text("model"), said.text("license")
        label = family or name or licence
        if not label:
            raise RecordError(
                fields.file,
                "names no family, model or licence",
                record=fields.record,
                field="subject",
            )
        definition = keys.required("definition")
        outcome = keys.choice("outcome", OUTCOMES)
        publisher_name = keys.required("publisher")
        publisher = orgs.iri(publisher_name)
        iri = mint("verdict", publisher_name, label, definition)
        claim(iri)
        out.types(iri, OG + "PublishedVerdict", EARL + "Assertion")
        out.link(iri, EARL + "assertedBy", publisher)
        out.link(iri, PROV + "wasAttributedTo", publisher)
        out.link(iri, EARL + "mode", EARL + "manual")
        out.link(iri, EARL + "test", definition_iri(definition))
        out.add(iri, OG + "definitionId", definition)
        out.link(iri, OG + "source", f"{CONCEPT}source/{NAME}")
        if "license" in subject:
            lic = ctx.resolver.by_id.get(licence or "")
            if lic is None:
                raise RecordError(
                    fields.file,
                    f"unknown licence id {subject['license']!r}",
                    record=label,
                    field="subject.license",
                )
            out.link(iri, EARL + "subject", lic.iri)
        else:  # the identity step links the model or family of this name
            out.add(iri, OG + "familyName", family)
            out.add(iri, SCHEMA + "name", name)
            producer = said.text("producer")
            if producer:
                out.link(iri, OG + "producer", orgs.iri(producer))
        result = f"{iri}/result"
        out.link(iri, EARL + "result", result)
        out.types(result, EARL + "TestResult")
        out.link(result, EARL + "outcome", EARL + outcome)
        out.add(result, EARL + "info", keys.required("verdict"))
        out.add(result, EARL + "info", keys.text("reason"))
        out.add(result, DCTERMS + "date", _date(entry.get("date")))
        out.add(iri, OG + "againstVersion", keys.required("against_version"))
        out.link(iri, DCTERMS + "source", keys.url("source", required=True))
        report.count("published verdicts")

    _each(folder, "organizations.yaml", out, report, ctx, organization)
    _each(folder, "datasets.yaml", out, report, ctx, dataset)
    _each(folder, "models.yaml", out, report, ctx, model)
    _each(folder, "verdicts.yaml", out, report, ctx, verdict)
    # The Hub's moves are read by every reader naming a repository (the context's); they
    # are checked here, with the folder that holds them.
    load_renames(folder / RENAMES_FILE, report)
    # So are the IRIs earlier releases published, read by the identity step.
    load_published(folder / PUBLISHED_FILE, report)
