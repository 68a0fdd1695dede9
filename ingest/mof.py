"""Model Openness Tool records (``models/*.yml``): every release field, every component with
its licence exactly as written, and the global licences — enough to reproduce the tool's
own classification later. Also the tool's licence table (``licenses.json`` overlaid by
``mof-licenses.json``) as the set of ids it accepts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
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
    upstream_commit,
)
from openness.ingest.report import Fields, IngestReport, RecordError, RecordIds, kind
from openness.namespaces import (
    COMPONENT,
    DCTERMS,
    OG,
    RDFS,
    SCHEMA,
    XSD,
    mint,
    slug,
)
from openness.resources import sources_dir

NAME = "mof"
GLOBAL_ROLES = ("distribution", "code", "data", "document")
# The tool's own wording for "this component is listed but not released".
NOT_INCLUDED = re.compile(r"component\s+(component\s+)?not\s+includ", re.IGNORECASE)
# What the tool writes for such a component (NOT_INCLUDED matches it).
NOT_RELEASED = "Component not included"
# The header of every model file the tool writes.
FRAMEWORK = {"name": "Model Openness Framework", "version": "1.0", "date": "2024-12-15"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REPOSITORY = "https://github.com/lfai/model_openness_tool"


@cache
def _component_types() -> dict[str, str]:
    """MOF component name → our concept IRI (the names of mof.settings.yml)."""
    settings = yaml.safe_load((sources_dir() / "mof" / "mof.settings.yml").read_text())
    return {
        c["name"]: COMPONENT + slug(c["name"].replace("(", "").replace(")", ""))
        for c in settings["components"]
    }


def license_table(folder: Path, out: Triples) -> int:
    """The ids the tool's licence table flags OSI-approved or FSF-libre, after the overlay
    (a later entry replaces the earlier record; a missing flag counts as false)."""
    table: dict[str, dict[str, Any]] = {}
    for name in ("licenses.json", "mof-licenses.json"):
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        for entry in data["licenses"]:
            table[entry["licenseId"]] = entry
    node = mint("mof-tool", "license-table")
    out.types(node, OG + "LicenseTable")
    out.add(node, RDFS + "label", "Model Openness Tool licence table")
    out.add(
        node,
        RDFS + "comment",
        "Licence ids the Model Openness Tool's licence table flags "
        "OSI-approved or FSF-libre (licenses.json overlaid by mof-licenses.json).",
    )
    accepted = sorted(i for i, e in table.items() if e.get("isOsiApproved") or e.get("isFsfLibre"))
    for lic_id in accepted:
        out.add(node, OG + "acceptedLicenseId", lic_id)
    return len(accepted)


def read_record(
    text: str,
    rel: str,
    out: Triples,
    report: IngestReport,
    ctx: IngestContext,
    url: str | None = None,
    ids: RecordIds | None = None,
) -> None:
    """One model file's triples (``rel`` names the file in messages and in the record);
    ``ids``: the records read before it, of which it must be none."""
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as e:
        raise RecordError(rel, f"malformed YAML: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("release"), dict):
        raise RecordError(rel, "no 'release' mapping")
    release = doc["release"]
    fields = Fields(report, rel)
    name = fields.required(release.get("name"), "release.name")
    fields.record = name
    iri = mint("record", NAME, Path(rel).stem)
    if ids is not None:
        ids.claim(iri, rel, record=name)
    add_record(out, iri, source=NAME, source_id=name, file=rel, url=url, name=name)
    out.types(iri, SCHEMA + "CreativeWork")

    def field(key: str) -> str | None:
        return fields.text(release.get(key), f"release.{key}")

    out.add(iri, SCHEMA + "version", field("version"))
    date = field("date")
    if date and DATE.match(date):
        out.add(iri, DCTERMS + "issued", typed(date, XSD + "date"))
    elif date:
        fields.wrong("release.date", f"not a date: {date!r}")
    out.add(iri, OG + "modelType", field("type"))
    out.add(iri, OG + "architecture", field("architecture"))
    out.add(iri, OG + "treatment", field("treatment"))
    out.add(iri, OG + "baseModelName", field("origin"))
    out.add(iri, SCHEMA + "email", field("contact"))
    add_producer(out, iri, field("producer"), ctx.organizations)
    repo = field("repository")
    if repo and repo.startswith("http"):
        out.link(iri, SCHEMA + "codeRepository", repo.strip())
    hub = field("huggingface")
    if hub:
        repo_id = hub_repo_id(hub)
        out.add(iri, OG + "huggingFaceRepo", repo_id)
        if hub.startswith("http"):
            out.link(iri, OG + "location", hub.strip())
    framework = fields.mapping(doc.get("framework"), "framework")
    out.add(
        iri, SCHEMA + "schemaVersion", fields.text(framework.get("version"), "framework.version")
    )
    licenses = fields.mapping(release.get("license"), "release.license")
    for role in GLOBAL_ROLES:
        where = f"release.license.{role}"
        entry = fields.mapping(licenses.get(role), where)
        add_license(
            out,
            iri,
            fields.text(entry.get("name"), f"{where}.name"),
            ctx.resolver,
            source=NAME,
            role=role,
            warn=lambda m, where=where: fields.wrong(f"{where}.name", m),
        )
    for i, comp in enumerate(fields.items(release.get("components"), "release.components")):
        _component(comp, i, iri, fields, out, ctx)


def write_record(release: dict[str, str], components: list[dict[str, Any]]) -> str:
    """A model file as the tool writes it, which read_record reads back: the ``release``
    fields (name, producer, repository, ...; the distribution licence as ``license``) and
    its ``components``, each a mapping with ``name`` (the tool's component name),
    ``released`` (a component not released is listed as the tool lists one), ``license``,
    ``component_path`` and ``description``. Empty fields are left out."""
    fields = {k: v for k, v in release.items() if v and k != "license"}
    if release.get("license"):
        fields["license"] = {"distribution": {"name": release["license"], "path": ""}}
    listed = []
    for c in components:
        entry = {"name": c["name"], "description": c.get("description") or ""}
        licence = c.get("license") if c.get("released", True) else NOT_RELEASED
        if licence:
            entry["license"] = licence
        if c.get("component_path"):
            entry["component_path"] = c["component_path"]
        listed.append(entry)
    doc = {"framework": FRAMEWORK, "release": {**fields, "components": listed}}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _component(
    comp: Any, i: int, record: str, fields: Fields, out: Triples, ctx: IngestContext
) -> None:
    types = _component_types()
    where = f"release.components[{i}]"
    if not isinstance(comp, dict):
        fields.wrong(where, f"expected a mapping, got {kind(comp)}")
        return
    comp_name = fields.text(comp.get("name"), f"{where}.name")
    if comp_name not in types:
        fields.wrong(where, f"unknown component {comp_name!r}; known: {', '.join(sorted(types))}")
        return
    iri = f"{record}/component/{slug(comp_name)}"
    out.link(record, OG + "component", iri)
    out.types(iri, OG + "Component")
    out.link(iri, OG + "componentType", types[comp_name])
    out.add(iri, SCHEMA + "name", comp_name)
    out.add(
        iri, DCTERMS + "description", fields.text(comp.get("description"), f"{where}.description")
    )
    path = fields.text(comp.get("component_path"), f"{where}.component_path")
    if path and path.strip().startswith("http"):
        out.link(iri, OG + "location", path.strip())
    # Listed means released, unless the licence field says it is not included.
    license_text = fields.text(comp.get("license"), f"{where}.license")
    out.add(iri, OG + "released", not (license_text and NOT_INCLUDED.search(license_text)))
    license_path = fields.text(comp.get("license_path"), f"{where}.license_path")
    link = license_path.strip() if license_path else None
    add_license(
        out,
        iri,
        license_text,
        ctx.resolver,
        source=NAME,
        empty_means_unlicensed=True,
        see_also=link if link and link.startswith("http") else None,
        warn=lambda m: fields.wrong(f"{where}.license", m),
    )


def read_files(
    folder: Path,
    out: Triples,
    report: IngestReport,
    ctx: IngestContext,
    commit: str | None,
    layout: Callable[[str], str] = str,
) -> None:
    """The model files of ``folder`` (``models/*.yml``, ``*.yaml``), read in the order of
    their paths: a file that cannot be read, or whose name makes the record id of one read
    before it (``Foo.yaml`` and ``foo.yml``), is skipped and named. ``commit``: the upstream
    commit each record links to; ``layout`` brings a file's text to the layout read."""
    models = folder / "models"
    files = sorted([*models.glob("*.yml"), *models.glob("*.yaml")])
    if not files:
        raise RecordError(models, "no model files (*.yml)")
    ids = RecordIds()
    for path in ctx.progress(files, len(files), f"MOF records {folder.name}"):
        report.read += 1
        url = f"{REPOSITORY}/blob/{commit}/models/{quote(path.name)}" if commit else None
        try:
            text = layout(path.read_text(encoding="utf-8"))
            read_record(text, str(path.relative_to(folder)), out, report, ctx, url, ids)
            report.ingested += 1
        except RecordError as e:
            report.skip(e)


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    read_files(folder, out, report, ctx, upstream_commit(folder, report))
    if (folder / "licenses.json").is_file():
        report.count("accepted licence ids", license_table(folder, out))
