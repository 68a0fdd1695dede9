"""Hugging Face Hub ids that moved: one repository under its old and its new id."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from openness.resources import sources_dir


@dataclass
class HubRenames:
    """Old id -> current id, per kind of repository ('model', 'dataset'); ids compare
    case-insensitively, as the Hub's do."""

    moved: dict[str, dict[str, str]] = field(default_factory=dict)

    def current(self, kind: str, repo_id: str) -> str:
        """The id ``repo_id`` has now (itself when it never moved).

        >>> default_renames().current("dataset", "MNIST")
        'ylecun/mnist'
        >>> default_renames().current("dataset", "ylecun/mnist")
        'ylecun/mnist'
        """
        return self.moved.get(kind, {}).get(repo_id.lower(), repo_id)

    def former(self, kind: str, repo_id: str) -> list[str]:
        """The old ids of ``repo_id``."""
        return sorted(o for o, n in self.moved.get(kind, {}).items() if n == repo_id)


def load_renames(path: Path) -> HubRenames:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or [] if path.is_file() else []
    renames = HubRenames()
    for entry in entries:
        renames.moved.setdefault(entry["kind"], {})[entry["from"].lower()] = entry["to"]
    return renames


@cache
def default_renames() -> HubRenames:
    return load_renames(sources_dir() / "curated" / "hub-renames.yaml")
