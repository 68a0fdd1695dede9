"""Model IRIs earlier releases published that a build from today's bundled data mints for
no model (``data/sources/curated/published-iris.yaml``): each with the records it denoted,
for the identity step to retire or withdraw it as a store that issued it would
(``identity.rebuild_identity``), so that a consumer's stored IRI answers in a store built
afresh as in one upgraded release by release."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from openness.ingest.report import Fields, IngestReport, RecordError, RecordIds, yaml_entries
from openness.namespaces import ID
from openness.resources import sources_dir

# The file, in the curated folder.
PUBLISHED_FILE = "published-iris.yaml"
FIELDS = {"id", "name", "records", "published", "until", "date", "became", "why"}


@dataclass(frozen=True)
class Published:
    """A model IRI an earlier release published: its last ``name``, the source records it
    denoted and their ``sources``, and the day the first release minting it for no model
    came (``on``, its ``date``)."""

    iri: str
    name: str
    records: tuple[str, ...]
    sources: frozenset[str]
    on: dt.datetime


def load_published(path: Path, report: IngestReport) -> dict[str, Published]:
    """The IRIs ``path`` lists, by IRI; an entry that cannot be read (no mapping, a field we
    do not know, no id, name, record or day) is left out, named in ``report``, and so is a
    second entry of one id (the first is kept)."""
    out: dict[str, Published] = {}
    ids = RecordIds()
    for i, entry in enumerate(yaml_entries(path)):
        fields = Fields(report, path.name, f"#{i}")
        try:
            keys = fields.of(fields.entry(entry, FIELDS, named_by="id"))
            model = fields.record = keys.required("id")
            ids.claim(model, f"{path.name} #{i}", record=model)
            records = keys.texts("records")
            if not records:
                raise RecordError(path.name, "names no record", record=model, field="records")
            on = _day(keys.required("date"), path.name, model)
            for key in ("published", "until", "became", "why"):
                keys.text(key)  # what the entry's evidence is, kept in the file
            iri = f"{ID}model/{model}"
            denoted = tuple(f"{ID}record/{r}" for r in records)
            sources = frozenset(r.split("/", 1)[0] for r in records)
            out[iri] = Published(iri, keys.required("name"), denoted, sources, on)
        except RecordError as e:
            report.skip(e)
    return out


def _day(value: str, file: str, model: str) -> dt.datetime:
    """The start of the day ``value`` (YYYY-MM-DD) in UTC, as a tombstone dates it."""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
    except ValueError:
        raise RecordError(
            file, f"{value!r} is no day (YYYY-MM-DD)", record=model, field="date"
        ) from None


@cache
def default_published() -> dict[str, Published]:
    """The bundled list; an entry that cannot be read is left out here, and named by the
    curated ingest, which checks the file (and refuses one that cannot be read: none here)."""
    try:
        return load_published(sources_dir() / "curated" / PUBLISHED_FILE, IngestReport("curated"))
    except RecordError:
        return {}
