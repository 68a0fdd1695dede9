"""The whole dataset as one file: every named graph, as gzipped N-Quads, written beside a
store on disk by the commands that write the graph and served at /dump/openness.nq.gz.

The file is named by its checksum and listed, with its size, quads and the store's state
when it was written, in a record beside it (``dump.json``); each is written under a
temporary name and renamed, so a reader finds the previous dump whole or the new one
whole, never a part, and a file a reader holds open is not rewritten under it.

A dump is current while the store holds what it held when the dump was written. Every
write to the store through openness removes the record first (:func:`outdate`), so a
write after the dump, or one stopped half-way, leaves no current dump; and the record
names the end of the store's latest run (ingestion, assessment), which a reader compares
with the store's (:func:`current`), for a store written by other means (another version,
another tool) or replaced whole beside an older dump. A write by other means that
records no run is not seen: the record only tells what openness wrote.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from openness.store.base import GraphStore
    from openness.store.embedded import EmbeddedStore

FILE = "openness.nq.gz"  # the name a client saves it under
_RECORD = "dump.json"
_DATA = "openness-*.nq.gz"  # the files, named by their checksum
_PART = ".part"  # a file being written, under a temporary name (".<random>.part")
# Read at a server's /dump too, beside which `openness dump` is refused (store.holders).
_STOPPED = (
    "(once the server serving the store, if one does, is stopped: a command that writes is "
    "refused while one serves it)"
)
_AGAIN = f"`openness dump` writes it again {_STOPPED}"
_LATEST_RUN = "SELECT (MAX(?end) AS ?latest) WHERE { ?run prov:endedAtTime ?end }"


class NoDump(LookupError):
    """No dump holds what the store holds: why, and what writes one."""


@dataclass(frozen=True)
class Dump:
    """A dump written: its file, size in bytes, SHA-256, quads and named graphs, the end of
    the store's latest run when it was written (None: the store recorded no run) and when
    it was written (both ISO 8601)."""

    path: Path
    size: int
    sha256: str
    quads: int
    graphs: int
    modified: str | None
    written: str


def folder(store: Path) -> Path:
    """Where the dump of the store in folder ``store`` is kept: beside it (RocksDB owns the
    store's own folder), in ``<store>-dump``."""
    store = store.resolve()
    return store.with_name(store.name + "-dump")


def outdate(store: Path) -> None:
    """Say that the dump of the store in folder ``store`` no longer holds what the store
    does: called before every write to it (a stat when there is no dump)."""
    (folder(store) / _RECORD).unlink(missing_ok=True)


def latest_run(store: GraphStore) -> str | None:
    """When the store's latest run ended (``prov:endedAtTime``), as it is written."""
    rows = store.query(_LATEST_RUN).rows()
    return rows[0]["latest"].value if rows and "latest" in rows[0] else None


class _Counted:
    """A writer passing bytes on and counting their lines: a quad a line in N-Quads (line
    breaks in literals are escaped)."""

    def __init__(self, out: gzip.GzipFile) -> None:
        self.out, self.lines = out, 0

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def write(store: EmbeddedStore) -> Dump:
    """Write the dump of ``store`` (on disk, opened for writing: no other openness process
    writes it meanwhile) and return it; the previous one stays current until the new one
    is whole, and is then removed."""
    assert store.path is not None, "a store in memory keeps no dump"
    where = folder(store.path)
    where.mkdir(parents=True, exist_ok=True)
    # What a write killed before its end left (its `finally` did not run): as large as the
    # dump so far, and no other writer's, as this one holds the store.
    for left in where.glob(".*" + _PART):
        left.unlink(missing_ok=True)
    modified, graphs = latest_run(store), len(store.graph_names())
    handle, part = tempfile.mkstemp(prefix=".", suffix=_PART, dir=where)
    try:
        _readable(handle)
        with os.fdopen(handle, "wb") as raw:
            # No time in the header: the same store gives the same bytes, and checksum.
            # Level 6: on the bundled graph 3 % larger than 9 in half the time (1.4 s).
            with gzip.GzipFile(
                FILE.removesuffix(".gz"), "wb", compresslevel=6, fileobj=raw, mtime=0
            ) as zipped:
                counted = _Counted(zipped)
                store.export_into(counted, ox.RdfFormat.N_QUADS)
            raw.flush()
            os.fsync(raw.fileno())
        with open(part, "rb") as f:
            sha256 = hashlib.file_digest(f, "sha256").hexdigest()
        path = where / f"openness-{sha256[:16]}.nq.gz"
        os.replace(part, path)
        dump = Dump(
            path,
            path.stat().st_size,
            sha256,
            counted.lines,
            graphs,
            modified,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        _replace(where / _RECORD, json.dumps({**asdict(dump), "path": path.name}, indent=1))
    finally:
        Path(part).unlink(missing_ok=True)
    for old in where.glob(_DATA):
        if old != path:
            old.unlink(missing_ok=True)
    return dump


def _readable(handle: int) -> None:
    """A temporary file made readable to all, as a file written in place would be (a
    server may run as another user)."""
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(handle, 0o666 & ~umask)


def _replace(path: Path, text: str) -> None:
    with written_whole(path) as f:
        f.write(text.encode())


@contextmanager
def written_whole(path: Path) -> Iterator[IO[bytes]]:
    """A file for ``path``, written under a temporary name beside it and renamed into
    place once whole: a write failing half-way leaves no file that looks complete (and
    what ``path`` held before, if anything). A file replaced keeps its mode (a private
    backup stays private); one written anew is readable to all."""
    try:
        kept: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        kept = None
    handle, part = tempfile.mkstemp(prefix=".", suffix=_PART, dir=path.parent)
    try:
        if kept is None:
            _readable(handle)
        else:
            os.fchmod(handle, kept)
        with os.fdopen(handle, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
    finally:
        Path(part).unlink(missing_ok=True)


def current(store: GraphStore, where: Path) -> Dump:
    """The dump in folder ``where`` when it holds what ``store`` holds, else NoDump saying
    why."""
    try:
        record = json.loads((where / _RECORD).read_text(encoding="utf-8"))
        dump = Dump(**{**record, "path": where / Path(record["path"]).name})
    except FileNotFoundError:
        if any(where.glob(_DATA)):
            raise NoDump(f"the store was written after its dump was: {_AGAIN}") from None
        raise NoDump(
            "no dump of the dataset has been written here: `openness dump` (or `openness "
            f"build`) writes it {_STOPPED}"
        ) from None
    except (ValueError, KeyError, TypeError) as e:
        raise NoDump(f"the dump's record {where / _RECORD} cannot be read ({e}): {_AGAIN}") from e
    if not dump.path.is_file() or dump.path.stat().st_size != dump.size:
        raise NoDump(f"the dump's file {dump.path.name} is missing or cut short: {_AGAIN}")
    latest = latest_run(store)
    if _later(dump.modified, latest):
        # A server's store is opened read-only when it starts and never sees a later write;
        # the commands that wrote it wrote the dump again, which "write it again" would not
        # help.
        raise NoDump(
            f"the dump holds a later state of the store (its latest run ended {dump.modified}) "
            f"than the one read here (its latest run ended {latest or '(none)'}): a server "
            "reads the store as it was when it started, so restart it to serve what was "
            "written since"
        )
    if latest != dump.modified:
        raise NoDump(
            f"the dump holds the store as of its run ended {dump.modified or '(none)'}, and "
            f"its latest run ended {latest or '(none)'}: {_AGAIN}"
        )
    return dump


def _later(one: str | None, other: str | None) -> bool:
    """Whether the time ``one`` (xsd:dateTime, as a run's end is written) is after
    ``other``; None is before any time, and a time that does not read is after none."""
    if one is None:
        return False
    try:
        return other is None or dt.datetime.fromisoformat(one) > dt.datetime.fromisoformat(other)
    except ValueError:
        return False
