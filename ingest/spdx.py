"""Licences: the SPDX License List, Hugging Face licence ids, and the AI licences SPDX lacks.

Reads ``licenses.json`` and ``exceptions.json`` (SPDX's JSON layout) from the folder, plus the
bundled Hugging Face id table and the curated licence files (AI licences, facts about SPDX
licences, strings that name no licence).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyoxigraph as ox

from openness.ingest.licenses import CURATED_FILES
from openness.ingest.rdf import Triples
from openness.ingest.records import IngestContext
from openness.ingest.report import IngestReport, RecordError
from openness.namespaces import (
    CC,
    CONCEPT,
    DCTERMS,
    ODRL,
    OG,
    RDFS,
    SPDX_EL,
    SPDX_LICENSE,
)
from openness.resources import sources_dir

NAME = "spdx"


def _creative_commons(out: Triples, iri: str, lic_id: str) -> None:
    """Classify a Creative Commons licence from its SPDX id, whose parts are systematic:
    BY attribution, SA share-alike, NC non-commercial, ND no derivatives."""
    parts = lic_id.upper().split("-")
    if parts[0] != "CC" or "BY" not in parts:
        return
    category = "non-commercial" if "NC" in parts else "copyleft" if "SA" in parts else "open-data"
    out.link(iri, OG + "licenseCategory", f"{CONCEPT}license-category/{category}")
    out.add(iri, OG + "isOpenDataLicense", "NC" not in parts and "ND" not in parts)
    if "NC" in parts:
        rule = f"{iri}#no-commercial-use"
        out.link(iri, ODRL + "prohibition", rule)
        out.types(rule, ODRL + "Prohibition")
        out.link(rule, ODRL + "action", CC + "CommercialUse")
    if "ND" in parts:
        rule = f"{iri}#no-derivatives"
        out.link(iri, ODRL + "prohibition", rule)
        out.types(rule, ODRL + "Prohibition")
        out.link(rule, ODRL + "action", CC + "DerivativeWorks")


def _entries(path: Path, key: str, report: IngestReport) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data[key]
    except (OSError, ValueError, KeyError) as e:
        raise RecordError(path, f"not an SPDX list file ({e})") from e
    out = []
    for i, entry in enumerate(entries):
        report.read += 1
        if not isinstance(entry, dict) or not entry.get(
            "licenseId" if key == "licenses" else "licenseExceptionId"
        ):
            report.skip(RecordError(path, "entry has no id", record=f"#{i}"))
            continue
        out.append(entry)
    return out


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    licenses = _entries(folder / "licenses.json", "licenses", report)
    hf_ids: dict[str, list[str]] = {}
    with (sources_dir() / "hf-licenses" / "hf-licenses.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["spdx_id"] and row["match"] not in ("family", "special"):
                hf_ids.setdefault(row["spdx_id"], []).append(row["hf_id"])
    for entry in ctx.progress(licenses, len(licenses), "SPDX licences"):
        lic_id = entry["licenseId"]
        iri = SPDX_LICENSE + lic_id
        out.types(iri, OG + "License", DCTERMS + "LicenseDocument")
        out.add(iri, DCTERMS + "identifier", lic_id)
        out.add(iri, RDFS + "label", entry.get("name"))
        out.add(iri, SPDX_EL + "isOsiApproved", entry.get("isOsiApproved"))
        out.add(iri, SPDX_EL + "isFsfLibre", entry.get("isFsfLibre"))  # absent: unknown
        out.add(iri, SPDX_EL + "isDeprecatedLicenseId", entry.get("isDeprecatedLicenseId"))
        out.link(iri, OG + "licenseText", entry.get("reference"))
        for url in entry.get("seeAlso") or []:
            out.link(iri, RDFS + "seeAlso", url.strip())
        for hf_id in hf_ids.get(lic_id, []):
            out.add(iri, OG + "alias", hf_id)
        _creative_commons(out, iri, lic_id)
        report.ingested += 1
    for entry in _entries(folder / "exceptions.json", "exceptions", report):
        exc_id = entry["licenseExceptionId"]
        iri = SPDX_LICENSE + exc_id
        out.types(iri, OG + "LicenseException")
        out.add(iri, DCTERMS + "identifier", exc_id)
        out.add(iri, RDFS + "label", entry.get("name"))
        out.add(iri, SPDX_EL + "isDeprecatedLicenseId", entry.get("isDeprecatedLicenseId"))
        out.link(iri, OG + "licenseText", entry.get("reference"))
        report.ingested += 1
    for name in CURATED_FILES:
        path = sources_dir() / "curated" / name
        with path.open("rb") as f:
            triples = [q.triple for q in ox.parse(f, ox.RdfFormat.TURTLE)]
        out.extend(triples)
        ai = {t.subject for t in triples if t.object == ox.NamedNode(OG + "AILicense")}
        custom = {t.subject for t in triples if t.object == ox.NamedNode(OG + "CustomLicense")}
        if ai:
            report.count("AI licences", len(ai))
        if custom:
            report.count("other licences SPDX lacks", len(custom))
