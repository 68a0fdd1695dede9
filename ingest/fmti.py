"""The Foundation Model Transparency Index (Stanford CRFM): its editions, their 100 yes/no
indicators with domain and subdomain, and each developer's score per indicator and in total.

The FMTI rates *organizations* (for their flagship model) on *transparency*; it is evidence
about a model's producer, never a verdict on a model. In DQV terms an indicator is a
``dqv:Metric`` in a subdomain (``dqv:Dimension``) of a domain (``dqv:Category``); a score is
a ``dqv:QualityMeasurement`` computed on the organization.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from openness.ingest.organizations import OrganizationIndex
from openness.ingest.rdf import Triples, typed
from openness.ingest.records import IngestContext
from openness.ingest.report import (
    Fields,
    IngestReport,
    RecordError,
    RecordIds,
    kind,
    record_text,
    yaml_entries,
)
from openness.namespaces import DCTERMS, DQV, OG, PROV, RDFS, SCHEMA, SKOS, XSD, mint, slug
from openness.resources import SourceFiles

NAME = "fmti"
REPOSITORY = "https://github.com/stanford-crfm/fmti"
# The columns of an indicators file that are read (others, its references, are not).
INDICATOR_COLUMNS = ("Domain", "Subdomain", "Indicator", "Definition", "Notes")


# The editions to read: ours, beside the source's files (a new edition is data, not code).
EDITIONS_FILE = "editions.yaml"
EDITION_FIELDS = ("key", "label", "scores", "indicators", "developers", "columns")
YEAR_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Edition:
    key: str  # our id, the year and month it was published
    label: str
    scores: str  # the scores file, relative to the folder
    indicators: str  # the file defining its indicators (domain, subdomain, definition)
    # The developers it scores, as the score file's columns name them, and its other
    # columns: a column of neither is an error naming it, where it was read as a developer
    # scored 0 on every indicator.
    developers: tuple[str, ...]
    columns: tuple[str, ...] = ("Indicator",)


def load_editions(path: Path, report: IngestReport) -> list[Edition]:
    """The editions ``path`` (``editions.yaml``) lists. An entry that is no mapping, names a
    field we do not know, lacks one, is dated otherwise than by a year and month, or names
    a column twice is left out, named in ``report`` (the others are read); so is a second
    entry of one key (the first is kept)."""
    editions, ids = [], RecordIds()
    for i, entry in enumerate(yaml_entries(path)):
        fields = Fields(report, path.name, f"#{i}")
        try:
            edition = _edition_entry(entry, fields)
            ids.claim(edition_iri(edition.key), f"{path.name} #{i}", record=edition.key)
        except RecordError as e:
            report.skip(e)
            continue
        editions.append(edition)
    return editions


def _edition_entry(entry: object, fields: Fields) -> Edition:
    keys = fields.of(fields.entry(entry, EDITION_FIELDS, named_by="key"))
    key = fields.record = keys.required("key").strip()
    if not YEAR_MONTH.fullmatch(key):  # it is the edition's date (xsd:gYearMonth)
        raise RecordError(
            fields.file, f"not a year and month (YYYY-MM): {key!r}", record=key, field="key"
        )
    developers = tuple(keys.texts("developers"))
    if not developers:
        raise RecordError(fields.file, "missing", record=key, field="developers")
    columns = tuple(keys.texts("columns")) or Edition.columns
    named = (*columns, *developers)
    # A developer named twice would be scored twice, its total doubled.
    for name in named:
        if named.count(name) > 1:
            where = "developers" if developers.count(name) else "columns"
            raise RecordError(fields.file, f"{name!r} named twice", record=key, field=where)
    return Edition(
        key,
        keys.required("label").strip(),
        keys.required("scores").strip(),
        keys.required("indicators").strip(),
        developers,
        columns,
    )


def edition_iri(key: str) -> str:
    return mint("fmti", key)


def _rows(
    folder: Path, rel: str, columns: tuple[str, ...], unknown: str | None = None
) -> list[dict[str, str]]:
    """The rows of a CSV file by column name. A column of ``columns`` missing (renamed
    upstream), a column named twice, or, where ``unknown`` says why it is wrong, a column
    not of ``columns`` is a RecordError naming the file and the column: read on, it would
    be wrong data."""
    path = folder / rel
    if not path.exists():  # (a folder in its place: record_text says so)
        raise RecordError(rel, "no such file")
    # utf-8-sig: a spreadsheet's export starts with a byte order mark.
    with io.StringIO(record_text(path, rel).removeprefix("\ufeff"), newline="") as f:
        reader = csv.DictReader(f)
        # A column with no name names nothing (a trailing comma).
        header = [k.strip() for k in reader.fieldnames or [] if k and k.strip()]
        for column in header:
            if header.count(column) > 1:
                raise RecordError(rel, "a column named twice", field=column)
        for column in columns:
            if column not in header:
                raise RecordError(
                    rel, "no such column (renamed or removed upstream?)", field=column
                )
        for column in header:
            if unknown and column not in columns:
                raise RecordError(rel, f"unknown column: {unknown}", field=column)
        return [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]


def _developers(folder: Path, report: IngestReport) -> dict[str, str]:
    """FMTI developer name → the name our organization index knows it by, where they differ
    (``developers.yaml``, reviewed by hand)."""
    path = folder / "developers.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise RecordError(path.name, f"malformed YAML: {e}") from e
    if not isinstance(data, dict):
        raise RecordError(path.name, f"expected a mapping of names, got {kind(data)}")
    fields = Fields(report, path.name)
    spelled = {str(name): fields.text(known, str(name)) for name, known in data.items()}
    return {name: known for name, known in spelled.items() if known}


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
    rows = _rows(
        folder,
        edition.scores,
        (*edition.columns, *edition.developers),
        f"not a developer the edition scores ({EDITIONS_FILE} lists them) nor one of "
        f"{', '.join(edition.columns)}",
    )
    developers = list(edition.developers)
    definitions = _rows(folder, edition.indicators, INDICATOR_COLUMNS)
    scored = [r for r in rows if r.get("Indicator", "").lower() != "total"]
    if len(scored) < len(definitions):  # a file cut short: its developers' totals too low
        # Named by name, not position: a row cut from the middle is not the last defined.
        # (slug: editions spell a few names otherwise, "Third-party" / "Third party".)
        have = {slug(r.get("Indicator", "")) for r in scored}
        missing = [
            r.get("Indicator", "") for r in definitions if slug(r.get("Indicator", "")) not in have
        ]
        raise RecordError(
            edition.scores,
            f"scores {len(scored)} indicators, where {edition.indicators} defines "
            f"{len(definitions)} (cut short?): no row for {', '.join(missing[:3])}"
            + (f" and {len(missing) - 3} more" if len(missing) > 3 else ""),
        )
    ed = edition_iri(edition.key)
    out.types(ed, OG + "TransparencyIndexEdition", SCHEMA + "Dataset")
    out.add(ed, RDFS + "label", edition.label)
    out.add(ed, DCTERMS + "issued", typed(edition.key, XSD + "gYearMonth"))
    out.link(ed, PROV + "wasDerivedFrom", f"{REPOSITORY}/blob/main/{edition.scores}")
    _indicator_terms(definitions, out, labelled)
    by_name = {r.get("Indicator", "").lower(): r for r in definitions}
    totals: dict[str, int] = dict.fromkeys(developers, 0)
    stated: dict[str, str] = {}
    indicators = scored
    for row in rows:
        if row.get("Indicator", "").lower() == "total":
            stated = {d: row.get(d, "") for d in developers}
    orgs = {d: _organization(d, spelled, ctx.organizations, out) for d in developers}
    ids = RecordIds()
    for position, row in enumerate(indicators):
        line = position + 2  # the header is line 1
        name = row.get("Indicator", "")
        report.read += 1
        if not name:
            report.skip(
                RecordError(edition.scores, f"line {line}: no indicator name", field="Indicator")
            )
            continue
        ind = mint("fmti", edition.key, "indicator", slug(name))
        try:  # an indicator named twice would be one, with two scores per developer
            ids.claim(ind, f"{edition.scores}, line {line}", record=name)
        except RecordError as e:
            report.skip(e)
            continue
        # Editions rename a few indicators ("Third-party …" / "Third party …"); their files
        # list the indicators in the same order, so the definition at the same position is it.
        definition = by_name.get(name.lower()) or (
            definitions[position] if position < len(definitions) else {}
        )
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
    # A folder without a list of its own (a checkout of upstream's repository) is read
    # with the bundled one, which names upstream's files.
    editions = load_editions(SourceFiles({NAME: folder}).path(NAME, EDITIONS_FILE), report)
    spelled = _developers(folder, report)
    labelled: set[str] = set()
    for edition in ctx.progress(editions, len(editions), "FMTI editions"):
        part = Triples()  # an edition whose files cannot be read leaves nothing behind
        try:
            _edition(folder, edition, spelled, part, report, ctx, labelled)
        except RecordError as e:  # the store's edition is kept (runner.keep_stored)
            report.skip(e, record=edition_iri(edition.key))
            continue
        out.extend(part)
