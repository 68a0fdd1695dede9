"""What an ingest run read, kept and skipped — and the error that names the culprit."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class RecordError(ValueError):
    """A record (or one field of it) cannot be read; the message names file, record and field."""

    def __init__(
        self, file: str | Path, message: str, *, record: str | None = None, field: str | None = None
    ) -> None:
        self.file, self.record, self.field, self.reason = str(file), record, field, message
        where = self.file
        if record:
            where += f", record {record!r}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


@dataclass
class IngestReport:
    """Counts and problems of one source's ingest."""

    source: str
    read: int = 0
    ingested: int = 0
    skipped: list[str] = field(default_factory=list)  # whole records left out, with reason
    warnings: list[str] = field(default_factory=list)  # records kept, one field left out
    counts: dict[str, int] = field(default_factory=dict)  # what else was ingested, by kind

    def skip(self, error: RecordError | str) -> None:
        self.skipped.append(str(error))

    def warn(self, error: RecordError | str) -> None:
        self.warnings.append(str(error))

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    @property
    def problems(self) -> list[str]:
        return self.skipped + self.warnings

    def summary(self) -> str:
        """One paragraph for the terminal."""
        extra = "".join(f", {n} {kind}" for kind, n in sorted(self.counts.items()))
        lines = [
            f"{self.source}: {self.read} records read, {self.ingested} ingested, "
            f"{len(self.skipped)} skipped, {len(self.warnings)} with warnings{extra}"
        ]
        lines += [f"  skipped: {s}" for s in self.skipped]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)
