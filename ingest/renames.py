"""Hugging Face Hub ids that moved: one repository under its old and its new id."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from openness.ingest.report import (
    Fields,
    IngestReport,
    RecordError,
    RecordIds,
    yaml_entries,
)
from openness.resources import sources_dir


@dataclass
class HubRenames:
    """Old id -> current id, per kind of repository ('model', 'dataset'); ids compare
    case-insensitively, as the Hub's do."""

    moved: dict[str, dict[str, str]] = field(default_factory=dict)

    def current(self, kind: str, repo_id: str) -> str:
        """The id ``repo_id`` has now (itself when it never moved), through every move (an
        id moved twice, A to B to C, is C: a source writing A names today's repository).

        >>> default_renames().current("dataset", "MNIST")
        'ylecun/mnist'
        >>> default_renames().current("dataset", "ylecun/mnist")
        'ylecun/mnist'
        >>> HubRenames({"dataset": {"a": "b", "b": "c"}}).current("dataset", "A")
        'c'
        """
        moved, seen = self.moved.get(kind, {}), {repo_id.lower()}
        while repo_id.lower() in moved:
            repo_id = moved[repo_id.lower()]
            if repo_id.lower() in seen:  # a list naming a cycle: where it closes
                break
            seen.add(repo_id.lower())
        return repo_id

    def former(self, kind: str, repo_id: str) -> list[str]:
        """The old ids of the repository ``repo_id`` names, through every move, as the list
        writes them (lower case), its current id's own spelling left out.

        >>> HubRenames({"dataset": {"a": "b", "b": "c"}}).former("dataset", "B")
        ['a', 'b']
        """
        return self._formers.get((kind, self.current(kind, repo_id).lower()), [])

    @cached_property
    def _formers(self) -> dict[tuple[str, str], list[str]]:
        """(kind, current id in lower case) -> its old ids; asked for every dataset a
        record names, so made once."""
        out: dict[tuple[str, str], list[str]] = {}
        for repo_kind, moved in self.moved.items():
            for old in sorted(moved):
                now = self.current(repo_kind, old).lower()
                if old != now:
                    out.setdefault((repo_kind, now), []).append(old)
        return out


# The kinds of repository the Hub has that our sources name.
KINDS = ("model", "dataset")
FIELDS = {"kind", "from", "to", "source", "seen_in"}
# The file, in the curated folder.
RENAMES_FILE = "hub-renames.yaml"


def load_renames(path: Path, report: IngestReport) -> HubRenames:
    """The moves ``path`` (``hub-renames.yaml``) lists; an entry that is no mapping, names a
    field we do not know, lacks a kind, old or new id, or moves an id to itself is left
    out, named in ``report`` (the other entries hold); so is a second move of one id (the
    first is kept)."""
    renames, ids = HubRenames(), RecordIds()
    for i, entry in enumerate(yaml_entries(path)):
        fields = Fields(report, path.name, f"#{i}")
        try:
            repo_kind, old, new = _move(entry, fields)
            ids.claim(f"{repo_kind} {old.lower()}", f"{path.name} #{i}", record=old)
        except RecordError as e:
            report.skip(e)
            continue
        renames.moved.setdefault(repo_kind, {})[old.lower()] = new
    return renames


def _move(entry: object, fields: Fields) -> tuple[str, str, str]:
    keys = fields.of(fields.entry(entry, FIELDS, named_by="from"))
    old = fields.record = keys.required("from")
    new = keys.required("to")
    repo_kind = keys.choice("kind", KINDS)
    if old.lower() == new.lower():
        raise RecordError(fields.file, f"moves {old!r} to itself", record=fields.record, field="to")
    keys.url("source")  # what the move's evidence is, kept in the file
    keys.text("seen_in")
    return repo_kind, old, new


@cache
def default_renames() -> HubRenames:
    """The bundled moves; an entry that cannot be read is left out here, and named by the
    curated ingest, which checks the file (and refuses one that cannot be read: none here)."""
    try:
        return load_renames(sources_dir() / "curated" / RENAMES_FILE, IngestReport("curated"))
    except RecordError:
        return HubRenames()
