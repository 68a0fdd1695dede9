"""Hugging Face Hub ids that moved: one repository under its old and its new id."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

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
        for kind, moved in self.moved.items():
            for old in sorted(moved):
                now = self.current(kind, old).lower()
                if old != now:
                    out.setdefault((kind, now), []).append(old)
        return out


def load_renames(path: Path) -> HubRenames:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or [] if path.is_file() else []
    renames = HubRenames()
    for entry in entries:
        renames.moved.setdefault(entry["kind"], {})[entry["from"].lower()] = entry["to"]
    return renames


@cache
def default_renames() -> HubRenames:
    return load_renames(sources_dir() / "curated" / "hub-renames.yaml")
