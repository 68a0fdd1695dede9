"""Model Openness Tool records (``models/*.yml``): every release field, every component with
its licence exactly as written, and the global licences — enough to reproduce the tool's
own classification later. Also the tool's licence table (``licenses.json`` overlaid by
``mof-licenses.json``) as the set of ids it accepts."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from openness.ingest.licenses import spdx_entries, spdx_list
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
from openness.ingest.report import Fields, IngestReport, RecordError, RecordIds, kind, record_text
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
from openness.resources import SourceFiles, sources_dir

NAME = "mof"
GLOBAL_ROLES = ("distribution", "code", "data", "document")
# The tool's own wording for "this component is listed but not released".
NOT_INCLUDED = re.compile(r"component\s+(component\s+)?not\s+includ", re.IGNORECASE)
# What the tool writes for such a component (NOT_INCLUDED matches it).
NOT_RELEASED = "Component not included"
# The header of every model file the tool writes.
FRAMEWORK = {"name": "Model Openness Framework", "version": "1.0", "date": "2024-12-15"}
# The keys of a model file: the tool's schema's (mof_schema.json; the framework's are
# FRAMEWORK's), and repository and huggingface, which its files carry beyond it. Any other
# key is read by nothing here, so it is reported (a mistyped ``licence``), not dropped.
DOCUMENT_KEYS = ("framework", "release")
RELEASE_KEYS = (
    "name", "version", "date", "type", "architecture", "treatment", "origin", "producer",
    "contact", "repository", "huggingface", "license", "components",
)  # fmt: skip
LICENSE_KEYS = ("name", "path")  # of each global licence (GLOBAL_ROLES)
COMPONENT_KEYS = ("name", "description", "license", "license_path", "component_path")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REPOSITORY = "https://github.com/lfai/model_openness_tool"


SETTINGS = "mof.settings.yml"  # the tool's settings: its component list


def component_types(path: Path) -> dict[str, str]:
    """MOF component name → our concept IRI, from the tool's settings file (its
    ``components``, each with a ``name``). A file not so is a RecordError naming it and
    what is wrong: no component of any record could be read without it."""
    try:
        settings = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as e:
        raise RecordError(path, f"cannot be read as the tool's settings: {e}") from e
    components = settings.get("components") if isinstance(settings, dict) else None
    if not isinstance(components, list):
        raise RecordError(path, "no list of components ('components')")
    out = {}
    for i, component in enumerate(components):
        name = component.get("name") if isinstance(component, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise RecordError(path, "a component without a name", record=f"#{i}", field="name")
        out[name] = COMPONENT + slug(name.replace("(", "").replace(")", ""))
    return out


@cache
def _bundled_components() -> dict[str, str]:
    return component_types(sources_dir() / NAME / SETTINGS)


def license_table(folder: Path, out: Triples, report: IngestReport) -> int:
    """The ids the tool's licence table flags OSI-approved or FSF-libre, after the overlay
    (a later entry replaces the earlier record; a missing flag counts as false). An entry
    or a flag that cannot be read is left out, named in ``report``."""
    table: dict[str, bool] = {}
    for name in ("licenses.json", "mof-licenses.json"):
        path = folder / name
        if not path.is_file():
            report.warn(RecordError(path, "missing: the licence table is read without it"))
            continue
        entries = spdx_entries(path, spdx_list(path, "licenses"), "licenseId", report)
        for lic_id, keys in entries:
            flags = [keys.flag(flag) for flag in ("isOsiApproved", "isFsfLibre")]
            table[lic_id] = any(flags)
    node = mint("mof-tool", "license-table")
    out.types(node, OG + "LicenseTable")
    out.add(node, RDFS + "label", "Model Openness Tool licence table")
    out.add(
        node,
        RDFS + "comment",
        "Licence ids the Model Openness Tool's licence table flags "
        "OSI-approved or FSF-libre (licenses.json overlaid by mof-licenses.json).",
    )
    accepted = sorted(i for i, flagged in table.items() if flagged)
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
    components: dict[str, str] | None = None,
) -> None:
    """One model file's triples (``rel`` names the file in messages and in the record);
    ``ids``: the records read before it, of which it must be none; ``components``: the
    component names known (:func:`component_types`; the bundled settings' by default)."""
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as e:
        raise RecordError(rel, f"malformed YAML: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("release"), dict):
        raise RecordError(rel, "no 'release' mapping")
    fields = Fields(report, rel)
    top, release = fields.of(doc), fields.of(doc["release"], "release")
    name = release.required("name")
    fields.record = name
    iri = mint("record", NAME, Path(rel).stem)
    if ids is not None:
        ids.claim(iri, rel, record=name)
    top.known(DOCUMENT_KEYS)
    release.known(RELEASE_KEYS)
    add_record(out, iri, source=NAME, source_id=name, file=rel, url=url, name=name)
    out.types(iri, SCHEMA + "CreativeWork")
    out.add(iri, SCHEMA + "version", release.text("version"))
    date = release.text("date")
    if date and DATE.match(date):
        out.add(iri, DCTERMS + "issued", typed(date, XSD + "date"))
    elif date:
        fields.wrong(release.path("date"), f"not a date: {date!r}")
    out.add(iri, OG + "modelType", release.text("type"))
    out.add(iri, OG + "architecture", release.text("architecture"))
    out.add(iri, OG + "treatment", release.text("treatment"))
    out.add(iri, OG + "baseModelName", release.text("origin"))
    out.add(iri, SCHEMA + "email", release.text("contact"))
    add_producer(out, iri, release.text("producer"), ctx.organizations)
    repo = release.text("repository")
    if repo and repo.startswith("http"):
        out.link(iri, SCHEMA + "codeRepository", repo.strip())
    hub = release.text("huggingface")
    if hub:
        repo_id = hub_repo_id(hub)
        out.add(iri, OG + "huggingFaceRepo", repo_id)
        if hub.startswith("http"):
            out.link(iri, OG + "location", hub.strip())
    framework = top.at("framework")
    framework.known(FRAMEWORK)
    out.add(iri, SCHEMA + "schemaVersion", framework.text("version"))
    licenses = release.at("license")
    licenses.known(GLOBAL_ROLES)
    for role in GLOBAL_ROLES:
        entry = licenses.at(role)
        entry.known(LICENSE_KEYS)
        add_license(
            out,
            iri,
            entry.text("name"),
            ctx.resolver,
            source=NAME,
            role=role,
            warn=lambda m, entry=entry: fields.wrong(entry.path("name"), m),
        )
    types = components or _bundled_components()
    for i, comp in enumerate(release.items("components")):
        _component(comp, i, iri, fields, out, ctx, types)


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
    comp: Any,
    i: int,
    record: str,
    fields: Fields,
    out: Triples,
    ctx: IngestContext,
    types: dict[str, str],
) -> None:
    where = f"release.components[{i}]"
    if not isinstance(comp, dict):
        fields.wrong(where, f"expected a mapping, got {kind(comp)}")
        return
    entry = fields.of(comp, where)
    entry.known(COMPONENT_KEYS)
    comp_name = entry.text("name")
    if comp_name not in types:
        fields.wrong(where, f"unknown component {comp_name!r}; known: {', '.join(sorted(types))}")
        return
    iri = f"{record}/component/{slug(comp_name)}"
    out.link(record, OG + "component", iri)
    out.types(iri, OG + "Component")
    out.link(iri, OG + "componentType", types[comp_name])
    out.add(iri, SCHEMA + "name", comp_name)
    out.add(iri, DCTERMS + "description", entry.text("description"))
    path = entry.text("component_path")
    if path and path.strip().startswith("http"):
        out.link(iri, OG + "location", path.strip())
    # Listed means released, unless the licence field says it is not included.
    license_text = entry.text("license")
    out.add(iri, OG + "released", not (license_text and NOT_INCLUDED.search(license_text)))
    license_path = entry.text("license_path")
    link = license_path.strip() if license_path else None
    add_license(
        out,
        iri,
        license_text,
        ctx.resolver,
        source=NAME,
        empty_means_unlicensed=True,
        see_also=link if link and link.startswith("http") else None,
        warn=lambda m: fields.wrong(entry.path("license"), m),
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
    commit each record links to; ``layout`` brings a file's text to the layout read. The
    components known are those of the folder's settings file, else the bundled one's."""
    types = component_types(SourceFiles({NAME: folder}).path(NAME, SETTINGS))
    models = folder / "models"
    files = sorted([*models.glob("*.yml"), *models.glob("*.yaml")])
    if not files:
        raise RecordError(models, "no model files (*.yml)")
    ids = RecordIds()
    for path in ctx.progress(files, len(files), f"MOF records {folder.name}"):
        report.read += 1
        url = f"{REPOSITORY}/blob/{commit}/models/{quote(path.name)}" if commit else None
        try:
            rel = str(path.relative_to(folder))
            text = layout(record_text(path, rel))
            read_record(text, rel, out, report, ctx, url, ids, types)
            report.ingested += 1
        except RecordError as e:  # the store's record of the file is kept (runner.keep_stored)
            report.skip(e, record=mint("record", NAME, path.stem))


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    read_files(folder, out, report, ctx, upstream_commit(folder, report))
    if (folder / "licenses.json").is_file():
        report.count("accepted licence ids", license_table(folder, out, report))
