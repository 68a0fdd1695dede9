"""What an ingest run read, kept and skipped — and the error that names the culprit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


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


def record_text(path: Path, rel: str) -> str:
    """The text of the file a record (or an edition) is read from, in UTF-8; a byte that is
    none, or a folder where the file is, is a RecordError naming the file (``rel``) and the
    line, so the other files are still read: it ended the whole source's ingest, naming
    neither the file nor the line, nothing stored."""
    try:
        data = path.read_bytes()
    except IsADirectoryError as e:
        raise RecordError(rel, "a folder, not a file") from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        # In characters, as an editor counts them (the bytes before it are UTF-8).
        begun = data[data.rfind(b"\n", 0, e.start) + 1 : e.start]
        column = len(begun.decode("utf-8")) + 1
        raise RecordError(
            rel, f"not UTF-8: byte 0x{data[e.start]:02x} at line {line}, column {column}"
        ) from e


@dataclass
class IngestReport:
    """Counts and problems of one source's ingest."""

    source: str
    read: int = 0
    ingested: int = 0
    skipped: list[str] = field(default_factory=list)  # whole records left out, with reason
    # Records whose file cannot be read, kept as the store held them (runner.keep_stored).
    kept: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # records kept, one field left out
    counts: dict[str, int] = field(default_factory=dict)  # what else was ingested, by kind
    # The record IRI of each file skipped whole, and why: what the store holds of it is kept.
    unreadable: dict[str, str] = field(default_factory=dict)

    def skip(self, error: RecordError | str, *, record: str | None = None) -> None:
        """Note a record left out; ``record``: the IRI of the one record its file holds,
        whose stored copy the run keeps (one bad byte withdrew its model)."""
        self.skipped.append(str(error))
        if record:
            self.unreadable[record] = str(error)

    def keep(self, record: str) -> None:
        """Say that the stored copy of ``record``, whose file was skipped, is kept."""
        why = self.unreadable.pop(record)
        self.skipped.remove(why)
        self.kept.append(f"{why}; the stored record was kept")

    def warn(self, error: RecordError | str) -> None:
        self.warnings.append(str(error))

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def absorb(self, other: IngestReport) -> None:
        """Add the problems of ``other`` this report does not hold yet: what was wrong in
        the files a run's licence resolver and organization index were read from, which
        the source's reader names too where it reads the same file."""
        self.skipped += [s for s in other.skipped if s not in self.skipped]
        self.warnings += [w for w in other.warnings if w not in self.warnings]

    @property
    def problems(self) -> list[str]:
        return self.skipped + self.kept + self.warnings

    def summary(self) -> str:
        """One paragraph for the terminal."""
        extra = "".join(f", {n} {kind}" for kind, n in sorted(self.counts.items()))
        kept = f", {len(self.kept)} kept as stored" if self.kept else ""
        lines = [
            f"{self.source}: {self.read} records read, {self.ingested} ingested, "
            f"{len(self.skipped)} skipped{kept}, {len(self.warnings)} with warnings{extra}"
        ]
        lines += [f"  skipped: {s}" for s in self.skipped]
        lines += [f"  kept as stored: {s}" for s in self.kept]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


# How a value of each kind is named in a message.
_KINDS = {
    "str": "text",
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
    "list": "a list",
    "dict": "a mapping",
    "NoneType": "nothing",
}
# An absolute IRI: a scheme (RFC 3986), no white space.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def kind(value: object) -> str:
    """How ``value``'s kind reads in a message.

    >>> kind(["a"]), kind({"k": 1}), kind(True), kind(dt.date(2024, 1, 1))
    ('a list', 'a mapping', 'true/false', 'date')
    """
    return _KINDS.get(type(value).__name__, type(value).__name__)


def written_text(value: object) -> str | None:
    """``value`` as text: YAML reads an unquoted version (``1.0``) as a number and an
    unquoted date as a date, both taken as the text they were written as; None for no
    value or one of another kind.

    >>> [written_text(v) for v in (1.0, dt.date(2024, 10, 22), True, ["a"])]
    ['1.0', '2024-10-22', None, None]
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


class Fields:
    """A record's fields, each read as the kind its reader expects. A value of another kind
    (a list where text is expected, a number where a mapping is) is a warning naming the
    file, the record and the field, and is left out as if absent: the record and its other
    fields are kept, where it stopped the whole source. A field the record cannot be without
    (:meth:`required`) skips the record instead."""

    def __init__(self, report: IngestReport, file: str | Path, record: str | None = None) -> None:
        self.report, self.file, self.record = report, str(file), record

    def wrong(self, field: str, message: str) -> None:
        """Report what is wrong in ``field``; the caller leaves it out."""
        self.report.warn(RecordError(self.file, message, record=self.record, field=field))

    def entry(self, value: object, known: Collection[str], named_by: str | None = None) -> dict:
        """``value`` as an entry of a hand-written list: a mapping of ``known`` fields, the
        record named by its field ``named_by`` where it has one. Anything else is a
        RecordError (the entry is skipped): a mistyped field would be read by no reader."""
        if not isinstance(value, dict):
            raise RecordError(
                self.file, f"expected a mapping, got {kind(value)}", record=self.record
            )
        if named_by:
            self.record = written_text(value.get(named_by)) or self.record
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise RecordError(self.file, "unknown field", record=self.record, field=unknown[0])
        return value

    def keys(self, value: dict, field: str | None, known: Collection[str]) -> None:
        """Report each key of the mapping ``value`` (at ``field``; None: the document) that
        is not ``known``, naming the known ones: a mistyped field name (``xcomponents``,
        ``licence``) is read by no reader, and was dropped without a word."""
        for key in value:
            if key not in known:
                where = f"{field}.{key}" if field else str(key)
                self.wrong(where, f"unknown key, left out; known: {', '.join(sorted(known))}")

    def text(self, value: object, field: str) -> str | None:
        """A text field (:func:`written_text`: an unquoted version or date is the text it
        was written as)."""
        found = written_text(value)
        if value is not None and found is None:
            self.wrong(field, f"expected text, got {kind(value)}")
        return found

    def required(self, value: object, field: str) -> str:
        """A text field the record cannot be without (read as :meth:`text` reads one):
        missing, blank or of another kind, a RecordError (the record is skipped)."""
        found = written_text(value)
        if value is not None and found is None:
            raise RecordError(
                self.file, f"expected text, got {kind(value)}", record=self.record, field=field
            )
        if not found or not found.strip():
            raise RecordError(self.file, "missing", record=self.record, field=field)
        return found

    def choice(self, value: object, field: str, choices: Sequence[str]) -> str:
        """A required text field (:meth:`required`) holding one of ``choices``; another
        value is a RecordError naming them (the record is skipped)."""
        found = self.required(value, field)
        if found not in choices:
            raise RecordError(
                self.file,
                f"{found!r} is none of {', '.join(choices)}",
                record=self.record,
                field=field,
            )
        return found

    def url(self, value: object, field: str, *, required: bool = False) -> str | None:
        """A URL, with its scheme (to be linked to): other text is reported and left out,
        or, ``required``, skips the record, as no value does."""
        text = self.required(value, field) if required else self.text(value, field)
        if text is None or not text.strip():
            return None
        if not _URL.match(text.strip()):
            message = f"not a URL: {text!r}"
            if required:
                raise RecordError(self.file, message, record=self.record, field=field)
            self.wrong(field, message)
            return None
        return text.strip()

    def texts(self, value: object, field: str) -> list[str]:
        """A text or a list of texts (blank ones dropped); an item of another kind is
        reported and left out."""
        if isinstance(value, list):
            found = [self.text(v, f"{field}[{i}]") for i, v in enumerate(value)]
        else:
            found = [self.text(value, field)]
        return [t.strip() for t in found if t and t.strip()]

    def count(self, value: object, field: str) -> int | None:
        """A whole number (downloads, likes): another kind is reported and left out."""
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.wrong(field, f"expected a whole number, got {kind(value)}")
        return None

    def mapping(self, value: object, field: str) -> dict:
        """A mapping, empty when absent or of another kind (reported)."""
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.wrong(field, f"expected a mapping, got {kind(value)}")
        return {}

    def items(self, value: object, field: str) -> list:
        """A list, empty when absent or of another kind (reported)."""
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.wrong(field, f"expected a list, got {kind(value)}")
        return []

    def flag(self, value: object, field: str) -> bool | None:
        """A true/false field: None when absent; another kind (the text "true") reported."""
        if value is None or isinstance(value, bool):
            return value
        self.wrong(field, f"expected true or false, got {kind(value)} {value!r}")
        return None

    def of(self, mapping: dict, prefix: str | None = None) -> Keys:
        """The fields of ``mapping``, read by key (:class:`Keys`), at ``prefix`` in the
        record (None: its top level)."""
        return Keys(self, mapping, prefix)


class Keys:
    """A mapping of a record read key by key: each method reads ``mapping[key]`` as the
    :class:`Fields` method of its name reads a value — the same checks, the same messages —
    naming the field by its path, ``prefix.key`` (the key alone at the record's top level),
    so that a reader spells each key once."""

    def __init__(self, fields: Fields, mapping: dict, prefix: str | None = None) -> None:
        self.fields, self.mapping, self.prefix = fields, mapping, prefix

    def path(self, key: str) -> str:
        """How the field ``key`` is named in a message."""
        return f"{self.prefix}.{key}" if self.prefix else key

    def known(self, known: Collection[str]) -> None:
        """Report each key that is not ``known`` (:meth:`Fields.keys`)."""
        self.fields.keys(self.mapping, self.prefix, known)

    def text(self, key: str) -> str | None:
        return self.fields.text(self.mapping.get(key), self.path(key))

    def required(self, key: str) -> str:
        return self.fields.required(self.mapping.get(key), self.path(key))

    def choice(self, key: str, choices: Sequence[str]) -> str:
        return self.fields.choice(self.mapping.get(key), self.path(key), choices)

    def url(self, key: str, *, required: bool = False) -> str | None:
        return self.fields.url(self.mapping.get(key), self.path(key), required=required)

    def texts(self, key: str) -> list[str]:
        return self.fields.texts(self.mapping.get(key), self.path(key))

    def items(self, key: str) -> list:
        return self.fields.items(self.mapping.get(key), self.path(key))

    def flag(self, key: str) -> bool | None:
        return self.fields.flag(self.mapping.get(key), self.path(key))

    def at(self, key: str) -> Keys:
        """The mapping at ``key`` (:meth:`Fields.mapping`: empty when absent or of another
        kind, reported), read key by key."""
        path = self.path(key)
        return Keys(self.fields, self.fields.mapping(self.mapping.get(key), path), path)


def yaml_entries(path: Path) -> list[Any]:
    """The entries of a YAML file holding a list (none when it is missing). One that does
    not parse, is empty (``[]`` lists none) or not UTF-8, or holds no list is a RecordError
    naming it, which refuses its source, the stored graph kept: skipped, every entry it had
    was dropped from the store (an empty file with no word), and which entries those were
    cannot be told without reading it."""
    if not path.is_file():
        return []
    text = record_text(path, path.name)
    if not text.strip():
        raise RecordError(path.name, "an empty file (write [] for no entries)")
    try:
        entries = yaml.safe_load(text) or []
    except yaml.YAMLError as e:
        raise RecordError(path.name, f"malformed YAML: {e}") from e
    if not isinstance(entries, list):
        raise RecordError(path.name, "expected a list of entries")
    return entries


class RecordIds:
    """The record ids a source has read, and where from. Two records of one id (two files
    whose names make one IRI, an entry repeated) would merge into one node, each one's
    facts on it; the first read is kept (the readers read files sorted by path, entries in
    file order) and a later one is a RecordError naming both, to be skipped."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def claim(self, iri: str, where: str, *, record: str | None = None) -> None:
        """Note that the record ``iri`` was read from ``where``, before any of its triples
        are written; RecordError when another was read under it first."""
        first = self._first.setdefault(iri, where)
        if first != where:
            raise RecordError(
                where,
                f"the same record id ({iri}) as {first}: {first} is kept, this one skipped",
                record=record,
            )
