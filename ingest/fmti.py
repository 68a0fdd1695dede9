"""The Foundation Model Transparency Index (Stanford CRFM): its editions, their 100 yes/no
indicators with domain and subdomain, and each developer's score per indicator and in total.

The FMTI rates *organizations* (for their flagship model) on *transparency*; it is evidence
about a model's producer, never a verdict on a model. In DQV terms an indicator is a
``dqv:Metric`` in a subdomain (``dqv:Dimension``) of a domain (``dqv:Category``); a score is
a ``dqv:QualityMeasurement`` computed on the organization.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from openness.ingest.organizations import OrganizationIndex
from openness.ingest.rdf import Triples, typed
from openness.ingest.records import IngestContext
from openness.ingest.report import IngestReport, RecordError
from openness.namespaces import DCTERMS, DQV, OG, PROV, RDFS, SCHEMA, SKOS, XSD, mint, slug

NAME = "fmti"
REPOSITORY = "https://github.com/stanford-crfm/fmti"
# Columns of a scores file that are not developers.
NOT_DEVELOPERS = {"Domain", "Subdomain", "Indicator", "Total"}


@dataclass(frozen=True)
class Edition:
    key: str  # our id, the year and month it was published
    label: str
    scores: str  # the scores file, relative to the folder
    indicators: str  # the file defining its indicators (domain, subdomain, definition)


EDITIONS = (
    Edition(
        "2023-10", "FMTI October 2023", "October2023/October2023_scores.csv", "fmti-indicators.csv"
    ),
    Edition("2024-05", "FMTI May 2024", "May2024/May2024_scores.csv", "fmti-indicators.csv"),
    Edition(
        "2025-12",
        "FMTI December 2025",
        "Dec2025/Dec2025_scores.csv",
        "Dec2025/Dec2025_indicators.csv",
    ),
)


def edition_iri(key: str) -> str:
    return mint("fmti", key)


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise RecordError(path, "no such file")
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [
            {(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)
        ]


def _developers(folder: Path) -> dict[str, str]:
    """FMTI developer name → the name our organization index knows it by, where they differ
    (``developers.yaml``, reviewed by hand)."""
    path = folder / "developers.yaml"
    return (
        {str(k): str(v) for k, v in (yaml.safe_load(path.read_text()) or {}).items()}
        if path.is_file()
        else {}
    )


def _organization(name: str, spelled: dict[str, str], orgs: OrganizationIndex, out: Triples) -> str:
    known = spelled.get(name, name)
    iri = orgs.iri(known)
    out.types(iri, OG + "Organization")
    out.add(iri, SCHEMA + "name", known)
    return iri


def _indicator_terms(rows: list[dict[str, str]], out: Triples, labelled: set[str]) -> None:
    """The edition's indicator definitions in file order, with their domain and subdomain
    as DQV categories and dimensions (labelled once, as first spelled: the editions differ
    in capitals). Each row gets the IRIs of its domain and subdomain."""
    for row in rows:
        domain, sub = row.get("Domain", ""), row.get("Subdomain", "")
        if domain:
            d = row["_domain"] = mint("fmti", "domain", domain)
            if d not in labelled:
                labelled.add(d)
                out.types(d, DQV + "Category")
                out.add(d, RDFS + "label", domain)
            if sub:
                s = row["_subdomain"] = mint("fmti", "subdomain", domain, sub)
                if s not in labelled:
                    labelled.add(s)
                    out.types(s, DQV + "Dimension")
                    out.add(s, RDFS + "label", sub)
                    out.link(s, DQV + "inCategory", d)


def _edition(
    folder: Path,
    edition: Edition,
    spelled: dict[str, str],
    out: Triples,
    report: IngestReport,
    ctx: IngestContext,
    labelled: set[str],
) -> None:
    # Read both files before writing anything, so that an unreadable edition leaves
    # nothing behind (labels of shared domains included).
    rows = _rows(folder / edition.scores)
    developers = [c for c in (rows[0].keys() if rows else []) if c and c not in NOT_DEVELOPERS]
    if not developers:
        raise RecordError(edition.scores, "no developer columns")
    definitions = _rows(folder / edition.indicators)
    ed = edition_iri(edition.key)
    out.types(ed, OG + "TransparencyIndexEdition", SCHEMA + "Dataset")
    out.add(ed, RDFS + "label", edition.label)
    out.add(ed, DCTERMS + "issued", typed(edition.key, XSD + "gYearMonth"))
    out.link(ed, PROV + "wasDerivedFrom", f"{REPOSITORY}/blob/main/{edition.scores}")
    _indicator_terms(definitions, out, labelled)
    by_name = {r.get("Indicator", "").lower(): r for r in definitions}
    totals: dict[str, int] = dict.fromkeys(developers, 0)
    stated: dict[str, str] = {}
    indicators = [r for r in rows if r.get("Indicator", "").lower() != "total"]
    for row in rows:
        if row.get("Indicator", "").lower() == "total":
            stated = {d: row.get(d, "") for d in developers}
    orgs = {d: _organization(d, spelled, ctx.organizations, out) for d in developers}
    for position, row in enumerate(indicators):
        line = position + 2  # the header is line 1
        name = row.get("Indicator", "")
        report.read += 1
        if not name:
            report.skip(
                RecordError(edition.scores, f"line {line}: no indicator name", field="Indicator")
            )
            continue
        # Editions rename a few indicators ("Third-party …" / "Third party …"); their files
        # list the indicators in the same order, so the definition at the same position is it.
        definition = by_name.get(name.lower()) or (
            definitions[position] if position < len(definitions) else {}
        )
        ind = mint("fmti", edition.key, "indicator", slug(name))
        out.types(ind, OG + "TransparencyIndicator", DQV + "Metric")
        out.add(ind, RDFS + "label", name)
        out.add(ind, SKOS + "definition", definition.get("Definition"))
        out.add(ind, SKOS + "note", definition.get("Notes"))
        out.add(ind, OG + "position", position + 1)
        out.link(ind, DCTERMS + "isPartOf", ed)
        subdomain = definition.get("_subdomain")
        if row.get("Domain") and row.get("Subdomain"):  # the edition's own file says it
            subdomain = mint("fmti", "subdomain", row["Domain"], row["Subdomain"])
        out.link(ind, DQV + "inDimension", subdomain)
        out.link(
            ind,
            DQV + "inCategory",
            definition.get("_domain")
            or (mint("fmti", "domain", row["Domain"]) if row.get("Domain") else None),
        )
        for dev in developers:
            value = row.get(dev, "")
            if value not in ("0", "1"):
                report.warn(
                    RecordError(
                        edition.scores,
                        f"line {line}: score {value!r} is not 0 or 1",
                        record=name,
                        field=dev,
                    )
                )
                continue
            m = f"{ind}/{slug(dev)}"
            out.types(m, DQV + "QualityMeasurement")
            out.link(m, DQV + "isMeasurementOf", ind)
            out.link(m, DQV + "computedOn", orgs[dev])
            out.add(m, DQV + "value", value == "1")
            totals[dev] += value == "1"
        report.ingested += 1
    for dev in developers:
        if stated.get(dev) and stated[dev] != str(totals[dev]):
            report.warn(
                RecordError(
                    edition.scores,
                    f"the Total row says {stated[dev]}, the indicators add up to {totals[dev]}",
                    field=dev,
                )
            )
        score = mint("fmti", edition.key, "score", dev)
        out.types(score, OG + "TransparencyScore", DQV + "QualityMeasurement")
        out.link(score, OG + "edition", ed)
        out.link(score, DQV + "computedOn", orgs[dev])
        out.add(score, OG + "developerName", dev)
        out.add(score, DQV + "value", totals[dev])
        out.add(score, OG + "indicatorCount", len(indicators))
    report.count(f"developers in {edition.key}", len(developers))


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    spelled = _developers(folder)
    labelled: set[str] = set()
    for edition in ctx.progress(EDITIONS, len(EDITIONS), "FMTI editions"):
        part = Triples()  # an edition whose files cannot be read leaves nothing behind
        try:
            _edition(folder, edition, spelled, part, report, ctx, labelled)
        except RecordError as e:
            report.skip(e)
            continue
        out.extend(part)
