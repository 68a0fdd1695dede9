"""Licences: the SPDX License List, Hugging Face licence ids, and the AI licences SPDX lacks.

Reads ``licenses.json`` and ``exceptions.json`` (SPDX's JSON layout) from the folder, plus the
bundled Hugging Face id table and the curated licence files (AI licences, facts about SPDX
licences, strings that name no licence).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from openness.ingest.licenses import CURATED_FILES, hf_license_rows, spdx_entries, spdx_list
from openness.ingest.rdf import Triples
from openness.ingest.records import IngestContext
from openness.ingest.report import IngestReport, Keys, RecordIds
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


def _entries(
    path: Path, key: str, id_key: str, report: IngestReport, ids: RecordIds
) -> list[tuple[str, Keys]]:
    """The entries of an SPDX list file, each read as a record (see ``spdx_entries``)."""
    entries = spdx_list(path, key)
    report.read += len(entries)
    return spdx_entries(path, entries, id_key, report, ids)


def _license(out: Triples, iri: str, keys: Keys) -> None:
    """What a licence and an exception both have: label, deprecation, text."""
    out.add(iri, RDFS + "label", keys.text("name"))
    out.add(iri, SPDX_EL + "isDeprecatedLicenseId", keys.flag("isDeprecatedLicenseId"))
    out.link(iri, OG + "licenseText", keys.url("reference"))


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    ids = RecordIds()  # a licence and an exception of one id would be one node too
    licenses = _entries(folder / "licenses.json", "licenses", "licenseId", report, ids)
    hf_ids: dict[str, list[str]] = {}
    for row in hf_license_rows(sources_dir() / "hf-licenses" / "hf-licenses.csv"):
        if row["spdx_id"] and row["match"] not in ("family", "special"):
            hf_ids.setdefault(row["spdx_id"], []).append(row["hf_id"])
    for lic_id, keys in ctx.progress(licenses, len(licenses), "SPDX licences"):
        iri = SPDX_LICENSE + lic_id
        out.types(iri, OG + "License", DCTERMS + "LicenseDocument")
        out.add(iri, DCTERMS + "identifier", lic_id)
        _license(out, iri, keys)
        for flag in ("isOsiApproved", "isFsfLibre"):  # absent: unknown
            out.add(iri, SPDX_EL + flag, keys.flag(flag))
        for i, url in enumerate(keys.items("seeAlso")):
            out.link(iri, RDFS + "seeAlso", keys.fields.url(url, f"seeAlso[{i}]"))
        for hf_id in hf_ids.get(lic_id, []):
            out.add(iri, OG + "alias", hf_id)
        _creative_commons(out, iri, lic_id)
        report.ingested += 1
    exceptions = _entries(
        folder / "exceptions.json", "exceptions", "licenseExceptionId", report, ids
    )
    for exc_id, keys in exceptions:
        iri = SPDX_LICENSE + exc_id
        out.types(iri, OG + "LicenseException")
        out.add(iri, DCTERMS + "identifier", exc_id)
        _license(out, iri, keys)
        report.ingested += 1
    for name in CURATED_FILES:
        path = sources_dir() / "curated" / name
        with path.open("rb") as f:
            triples = [q.triple for q in ox.parse(f, ox.RdfFormat.TURTLE)]
        out.extend(triples)
        ai = {t.subject for t in triples if t.object == ox.NamedNode(OG + "AILicense")}
        custom = {t.subject for t in triples if t.object == ox.NamedNode(OG + "CustomLicense")}
        for lic in ai | custom:  # typed as the SPDX list's are, for a reader without RDFS
            out.types(lic, OG + "License", DCTERMS + "LicenseDocument")
        if ai:
            report.count("AI licences", len(ai))
        if custom:
            report.count("other licences SPDX lacks", len(custom))
