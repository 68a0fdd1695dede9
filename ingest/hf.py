"""Hugging Face Hub: models (licence, base models, training datasets, gating, files →
published weights), datasets (from dataset cards) and organizations (author namespaces).

Reads a folder holding any of: ``hub_api_recorded/index.json`` with the response bodies it
names (recorded ``GET /api/models/{id}``), ``models/*.json`` and ``renames.json`` (fetched by
``openness ingest hf --live``), ``*.jsonl`` files of ``/api/models`` records (the 2022 legacy
shape with only ``modelId`` included), and ``dataset_cards_2022/*.jsonl`` card front matter.
Every model body goes through ``huggingface_hub.ModelInfo``, as the live client does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from openness.ingest.rdf import Triples, literal
from openness.ingest.records import (
    IngestContext,
    add_component,
    add_dataset,
    add_license,
    add_record,
    load_yaml,
    retire,
)
from openness.ingest.report import Fields, IngestReport, Keys, RecordError, kind
from openness.namespaces import (
    CONCEPT,
    DCTERMS,
    FAIR4ML,
    OG,
    PROV,
    RDFS,
    SCHEMA,
    mint,
)
from openness.resources import sources_dir

if TYPE_CHECKING:
    from huggingface_hub import ModelInfo

NAME = "hf"
HUB = "https://huggingface.co"
# Published weights, by file name: the format a practitioner would load.
WEIGHT_FORMATS = (
    (re.compile(r"\.safetensors$"), "safetensors"),
    (re.compile(r"(^|/)(pytorch_model|model|diffusion_pytorch_model)[^/]*\.bin$"), "pytorch"),
    (re.compile(r"\.(pt|pth|ckpt)$"), "pytorch"),
    (re.compile(r"\.gguf$"), "gguf"),
    (re.compile(r"\.onnx$"), "onnx"),
    (re.compile(r"(^|/)tf_model[^/]*\.h5$"), "tensorflow"),
    (re.compile(r"(^|/)flax_model[^/]*\.msgpack$"), "flax"),
)
GATING = {False: "open", "auto": "click-through", "manual": "approval-gated"}
OPEN_CLAIM = re.compile(r"\bopen[- ]?source\b", re.IGNORECASE)


def model_info(raw: Any, where: str) -> ModelInfo:
    """A ModelInfo from an API body; legacy 2022 records name the repository only ``modelId``."""
    if not isinstance(raw, dict):
        raise RecordError(where, f"expected a mapping, got {kind(raw)}")
    if "id" not in raw and "modelId" in raw:
        raw = {**raw, "id": raw["modelId"]}
    if "id" not in raw:
        raise RecordError(where, "no 'id' or 'modelId'")
    if not isinstance(raw["id"], str) or not raw["id"].strip():
        raise RecordError(where, f"expected a repository id, got {raw['id']!r}", field="id")
    # Imported here: huggingface_hub (~0.1 CPU s) is read by the commands that read Hub
    # records, not by every one that imports this module (through ingest.runner).
    from huggingface_hub import CardData, ModelInfo

    # The Hub's internal id, by which two ids of one repository are told (_same_repository).
    if not isinstance(raw.get("_id", ""), str):
        raise RecordError(
            where, f"expected text, got {kind(raw['_id'])}", record=raw["id"], field="_id"
        )
    try:
        info = ModelInfo(**raw)
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise RecordError(where, f"not a Hub model record: {e}", record=raw.get("id")) from e
    # ModelInfo keeps a cardData that is not a mapping as it is, which nothing can read.
    if info.card_data is not None and not isinstance(info.card_data, CardData):
        raise RecordError(where, "cardData is not a mapping", record=raw.get("id"))
    return info


def hub_org(out: Triples, namespace: str, ctx: IngestContext) -> str:
    """The organization behind a Hub namespace: the curated one when known."""
    org = ctx.organizations.by_hub(namespace)
    iri = org.iri if org else mint("org", namespace)
    out.types(iri, OG + "Organization")
    out.add(iri, OG + "hubNamespace", namespace)
    out.link(iri, SCHEMA + "url", f"{HUB}/{namespace}")
    return iri


def card_fields(info: ModelInfo) -> dict[str, Any]:
    """The model card's fields that are set, as ``CardData.to_dict()`` has them for the
    fields read here, but not copied: ``to_dict`` deep-copies the whole card (its evaluation
    results too), a fifth of the CPU of a record. Read only, never changed."""
    if info.card_data is None:
        return {}
    return {k: v for k, v in vars(info.card_data).items() if v is not None}


def model_triples(
    info: ModelInfo,
    out: Triples,
    ctx: IngestContext,
    *,
    file: str,
    former_ids: list[str] | None = None,
    live: Container[str] = (),
    report: IngestReport | None = None,
) -> None:
    """The triples of one Hub model record; ``report`` receives its warnings. Each of its
    ``former_ids`` is stated, and its record IRI retired to this record unless it is one
    of ``live`` (a record IRI of a repository of its own: a new repository took the id,
    and its record is what the IRI now denotes)."""
    repo = info.id
    fields = Fields(report or IngestReport(NAME), file, repo)
    iri = mint("record", NAME, repo)
    add_record(
        out, iri, source=NAME, source_id=repo, file=file, url=f"{HUB}/api/models/{repo}", name=repo
    )
    out.types(iri, SCHEMA + "CreativeWork")
    out.add(iri, OG + "huggingFaceRepo", repo)
    out.link(iri, OG + "location", f"{HUB}/{repo}")
    for old in former_ids or []:
        out.add(iri, OG + "formerHubId", old)
        if mint("record", NAME, old) not in live:
            retire(out, mint("record", NAME, old), iri)
    author = fields.text(info.author, "author") or (repo.split("/")[0] if "/" in repo else None)
    if author:
        out.link(iri, OG + "producer", hub_org(out, author, ctx))
    out.add(iri, FAIR4ML + "mlTask", fields.text(info.pipeline_tag, "pipeline_tag"))
    library = fields.text(info.library_name, "library_name")
    out.add(iri, SCHEMA + "runtimePlatform", library)
    out.add(iri, OG + "downloads", fields.count(info.downloads, "downloads"))
    out.add(iri, OG + "likes", fields.count(info.likes, "likes"))
    out.add(iri, OG + "sourceVersion", fields.text(info.sha, "sha"))
    if info.created_at:
        out.add(iri, DCTERMS + "created", literal(info.created_at))
    if info.last_modified:
        out.add(iri, DCTERMS + "modified", literal(info.last_modified))
    gated = info.gated
    if not isinstance(gated, bool | str | None):
        fields.wrong("gated", f"expected true/false or text, got {kind(gated)}")
    elif gated is not None:
        out.add(iri, OG + "gated", gated is not False)
        mode = GATING.get(gated)
        if mode:
            out.link(iri, OG + "distributionMode", f"{CONCEPT}distribution/{mode}")
    card = fields.of(card_fields(info), "cardData")
    tags = fields.texts(info.tags or [], "tags")
    card_licenses = card.texts("license")
    license_name = card.text("license_name")
    if card_licenses == ["other"] and license_name:
        card_licenses = [license_name]

    def warn(message: str) -> None:
        fields.wrong(card.path("license"), message)

    for text in card_licenses:
        add_license(out, iri, text, ctx.resolver, source=NAME, role="card", warn=warn)
    for tag in tags:
        if tag.startswith("license:") and tag[8:] not in card_licenses:
            add_license(out, iri, tag[8:], ctx.resolver, source=NAME, role="tag", warn=warn)
    link = card.text("license_link")
    out.link(iri, RDFS + "seeAlso", link if link and link.startswith("http") else None)
    for base in card.texts("base_model"):
        out.add(iri, OG + "baseModelName", base)
    datasets = card.texts("datasets")
    datasets += [t[8:] for t in tags if t.startswith("dataset:")]
    for ds in dict.fromkeys(datasets):
        out.link(iri, FAIR4ML + "trainedOn", add_dataset(out, ds, ctx.renames))
    for text in [*tags, *card.texts("tags")]:
        if OPEN_CLAIM.search(text):
            out.add(iri, OG + "openClaim", text)
    files = [
        s.rfilename
        for i, s in enumerate(info.siblings or [])
        if fields.text(s.rfilename, f"siblings[{i}].rfilename")
    ]
    _files(iri, repo, files, card_licenses, out, ctx)
    _library(iri, library, out, ctx)


def _files(
    record: str, repo: str, files: list[str], licenses: list[str], out: Triples, ctx: IngestContext
) -> None:
    """Components the published files show: the final weights (and their format) and the
    model card. Absent files say nothing: a listing can be partial."""
    formats = sorted({fmt for f in files for pattern, fmt in WEIGHT_FORMATS if pattern.search(f)})
    if formats:
        weights = add_component(
            out, record, "model-parameters-final", location=f"{HUB}/{repo}/tree/main"
        )
        for fmt in formats:
            out.add(weights, OG + "weightFormat", fmt)
        for text in licenses:
            add_license(out, weights, text, ctx.resolver, source=NAME)
    if "README.md" in files:
        add_component(out, record, "model-card", location=f"{HUB}/{repo}/blob/main/README.md")


@cache
def open_libraries() -> dict[str, dict[str, str]]:
    """The open-source libraries that run Hub models, by the Hub's library name
    (data/sources/curated/libraries.yaml)."""
    path = sources_dir() / "curated" / "libraries.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {e["library"]: e for e in entries}


def _library(record: str, library: str | None, out: Triples, ctx: IngestContext) -> None:
    """The deployment code of a model the Hub runs with an open-source library: the
    library, released at its repository under its licence."""
    entry = open_libraries().get(library or "")
    if entry is None:
        return
    code = add_component(out, record, "inference-code", location=entry["repository"])
    out.add(code, DCTERMS + "description", f"the {library} library, which runs the model")
    add_license(out, code, entry["license"], ctx.resolver, source=NAME)


def _json_file(path: Path, expected: type, what: str) -> Any:
    """The JSON of a file the folder's records are read by, which must be ``what``: one that
    is not is an error (for the whole source: no record can be read without it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise RecordError(path, f"malformed JSON: {e}") from e
    if not isinstance(data, expected):
        raise RecordError(path, f"expected {what}, got {kind(data)}")
    return data


def _recorded(folder: Path, report: IngestReport) -> tuple[list[tuple[dict, str]], dict]:
    """Bodies and renames of a recorded-responses folder (``index.json``)."""
    index_path = folder / "hub_api_recorded" / "index.json"
    if not index_path.is_file():
        return [], {}
    entries = _json_file(index_path, list, "a list of responses")
    bodies, renames = [], {}
    for i, entry in enumerate(entries):
        fields = Fields(report, f"hub_api_recorded/index.json[{i}]")
        if not isinstance(entry, dict):
            report.read += 1
            report.skip(RecordError(fields.file, f"expected a mapping, got {kind(entry)}"))
            continue
        keys = fields.of(entry)
        path = keys.text("path") or ""
        body_file = keys.text("body_file")
        if entry.get("status") == 307 and path.startswith("/api/models/"):
            old = path.split("?")[0][len("/api/models/") :]
            new = keys.at("response_headers").text("Location") or ""
            renames.setdefault(new.split("?")[0][len("/api/models/") :], []).append(old)
        elif entry.get("status") == 200 and body_file:
            body_path = folder / "hub_api_recorded" / body_file
            try:
                bodies.append(
                    (
                        json.loads(body_path.read_text(encoding="utf-8")),
                        f"hub_api_recorded/{body_file}",
                    )
                )
            except (OSError, ValueError) as e:
                report.read += 1
                report.skip(RecordError(fields.file, f"cannot read {body_file}: {e}"))
    return bodies, renames


def _bodies(folder: Path, report: IngestReport) -> tuple[list[tuple[dict, str]], dict]:
    bodies, renames = _recorded(folder, report)
    for path in sorted((folder / "models").glob("*.json")):
        try:
            bodies.append((json.loads(path.read_text(encoding="utf-8")), f"models/{path.name}"))
        except ValueError as e:
            report.read += 1
            report.skip(RecordError(f"models/{path.name}", f"malformed JSON: {e}"))
    renames_path = folder / "renames.json"
    if renames_path.is_file():
        moved = _json_file(renames_path, dict, "a mapping of current ids to former ones")
        for new, olds in moved.items():
            renames.setdefault(new, []).extend(
                Fields(report, "renames.json", new).texts(olds, "former ids")
            )
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(jsonl_lines(path), 1):
            if not line.strip():
                continue
            try:
                bodies.append((json.loads(line), f"{path.name}:{n}"))
            except ValueError as e:
                report.read += 1
                report.skip(RecordError(f"{path.name}, line {n}", f"malformed JSON: {e}"))
    return bodies, renames


def jsonl_lines(path: Path) -> list[str]:
    """The lines of a JSON Lines file, split at line feeds only: JSON writes U+2028 and NEL
    in strings as they are, where Python's ``splitlines`` breaks lines too."""
    return path.read_text(encoding="utf-8").split("\n")


def _models(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    bodies, renames = _bodies(folder, report)
    read: list[Body] = []
    for raw, where in ctx.progress(bodies, len(bodies), "Hub models"):
        report.read += 1
        try:
            read.append((len(raw), model_info(raw, where), where))
        except RecordError as e:
            report.skip(e)
    merged = one_per_repository(read, report.skip)
    for old, new in _same_repository(merged).items():
        renames.setdefault(new, []).append(old)
        del merged[old.lower()]
    live = {mint("record", NAME, info.id) for _, info, _ in merged.values()}
    for _, (_, info, where) in sorted(merged.items()):
        former = sorted(_every_former(renames, info.id))
        model_triples(info, out, ctx, file=where, former_ids=former, live=live, report=report)
        report.ingested += 1
    report.count("renames", sum(len(v) for v in renames.values()))


def _every_former(renames: dict[str, list[str]], repo_id: str) -> set[str]:
    """The ids ``repo_id`` had, through every move (A to B, B to C: C had A and B), each
    retired straight to it rather than along the chain."""
    out: set[str] = set()
    todo = [repo_id]
    while todo:
        for old in renames.get(todo.pop(), []):
            if old != repo_id and old not in out:
                out.add(old)
                todo.append(old)
    return out


# A Hub model body read: its size (fields), the record it makes and where it was read.
Body = tuple[int, "ModelInfo", str]


def one_per_repository(
    bodies: Iterable[Body], skip: Callable[[RecordError], None]
) -> dict[str, Body]:
    """One body per Hub repository, by its id in lower case: the Hub's ids are one
    repository whatever their case, as the record's IRI is. Several bodies of one id (an
    expand-only answer beside the full one) are one record's, and the fullest is kept.
    Ids that differ only in case (``Org/Model``, ``org/model``) would merge into one
    record silently: the fullest body is kept, else the most recently modified, else the
    id first in code-point order — whatever order they were read in — and each other is
    given to ``skip``, naming both."""
    groups: dict[str, list[Body]] = {}
    for body in bodies:
        groups.setdefault(body[1].id.lower(), []).append(body)
    out = {}
    for key, group in groups.items():
        kept = min(group, key=_preferred)
        for _, info, where in group:
            if info.id != kept[1].id:
                skip(
                    RecordError(
                        where,
                        f"the same Hub repository as {kept[1].id} ({kept[2]}), the ids "
                        f"differing only in case: {kept[1].id} is kept, this one skipped",
                        record=info.id,
                    )
                )
        out[key] = kept
    return out


def _preferred(body: Body) -> tuple:
    """The order in which bodies of one repository are kept (the least first)."""
    size, info, where = body
    modified = info.last_modified.timestamp() if info.last_modified else float("-inf")
    return (-size, -modified, info.id, where)


def _same_repository(merged: dict[str, Body]) -> dict[str, str]:
    """Former id -> current id, for bodies of one repository recorded under two ids.

    The Hub keeps a repository's internal ``_id`` through renames and still answers at the
    old path: ``gpt2`` and ``openai-community/gpt2`` share one ``_id``. The current id is the
    namespaced one (the Hub moved its un-namespaced canonical models into organizations),
    else the most recently modified."""
    by_hub_id: dict[str, list[ModelInfo]] = {}
    for _, info, _ in merged.values():
        if getattr(info, "_id", None):
            by_hub_id.setdefault(info._id, []).append(info)
    out: dict[str, str] = {}
    for infos in by_hub_id.values():
        if len(infos) < 2:
            continue
        infos.sort(key=lambda i: ("/" in i.id, i.last_modified is not None, i.last_modified, i.id))
        current = infos[-1].id
        out.update({i.id: current for i in infos[:-1]})
    return out


def _dataset_cards(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    for path in sorted((folder / "dataset_cards_2022").glob("*.jsonl")):
        lines = jsonl_lines(path)
        for n, line in enumerate(ctx.progress(lines, len(lines), "dataset cards"), 1):
            if not line.strip():
                continue
            report.read += 1
            where = f"dataset_cards_2022/{path.name}, line {n}"
            try:
                entry = json.loads(line)
            except ValueError as e:
                report.skip(RecordError(where, f"unreadable card: {e}"))
                continue
            try:
                if not isinstance(entry, dict):
                    raise RecordError(where, f"expected a mapping, got {kind(entry)}")
                fields = Fields(report, where)
                keys = fields.of(entry)
                fields.record = keys.required("dataset")
                front_matter = keys.required("front_matter_yaml")
                try:
                    card = load_yaml(front_matter) or {}
                except yaml.YAMLError as e:
                    raise RecordError(where, f"unreadable card: {e}", record=fields.record) from e
                if not isinstance(card, dict):
                    raise RecordError(where, "front matter is not a mapping", record=fields.record)
            except RecordError as e:
                report.skip(e)
                continue
            _dataset(fields.of(card), keys.text("path"), out, ctx)
            report.ingested += 1
            report.count("datasets")


def _dataset(card: Keys, path: str | None, out: Triples, ctx: IngestContext) -> None:
    fields = card.fields
    name = fields.record
    iri = add_dataset(out, name, ctx.renames)
    pretty = card.text("pretty_name")
    out.add(iri, SCHEMA + "name", pretty or name)
    out.link(iri, OG + "location", f"{HUB}/datasets/{ctx.renames.current('dataset', name)}")
    out.add(iri, OG + "sourceFile", path)
    key = "license" if card.mapping.get("license") else "licenses"  # the older name
    for text in card.texts(key):
        add_license(
            out, iri, text, ctx.resolver, source=NAME, warn=lambda m: fields.wrong("license", m)
        )
    for task in card.texts("task_categories"):
        out.add(iri, SCHEMA + "keywords", task)
    for size in card.texts("size_categories"):
        out.add(iri, SCHEMA + "size", size)
    key = "language" if card.mapping.get("language") else "languages"
    for lang in card.texts(key):
        out.add(iri, SCHEMA + "inLanguage", lang)
    for src in card.texts("source_datasets"):
        if src.startswith("extended|"):
            out.link(
                iri, PROV + "wasDerivedFrom", add_dataset(out, src.split("|", 1)[1], ctx.renames)
            )
    pwc = card.text("paperswithcode_id")
    if pwc:
        out.link(iri, RDFS + "seeAlso", f"https://paperswithcode.com/dataset/{pwc}")


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    _models(folder, out, report, ctx)
    _dataset_cards(folder, out, report, ctx)
