"""Who holds a store on disk: the servers that read it, or the one process that writes it.

A server on the embedded store reads it through ``Store.read_only``: a snapshot of the
store as it was when the server started, which never sees a later write, and which
Oxigraph calls undefined while another process writes the store. Two ways out were
weighed. The server could reopen its store (and restart its query processes) when the
store's latest run changes; but it would still read beside the writer while the write
runs, and reopen beside it — the undefined case, twice — and pyoxigraph 0.5 has no RocksDB
secondary instance, which can follow a writer safely (its ``Store`` offers ``read_only``
and ``backup``; 0.3's ``secondary`` is gone). So the server cannot be made to see a write
safely, and the writes are kept from running beside it instead:

- a server holds a shared lock (``flock``) on ``openness.lock`` in the store's folder for
  as long as it serves (``openness serve`` for all its worker processes, or the process
  that opened the store for an app run otherwise);
- a command that writes holds an exclusive one for as long as it has the store open;
- neither waits: the one refused is told who holds the store, as the holders name
  themselves (each its command, process id and address), and what to do.

Each holder names itself in a file of its own in ``openness.lock.d`` beside the lock,
written whole under another name and renamed into place, and removed when it lets the
store go. They once wrote one list into ``openness.lock`` itself, each reading the names
there and writing them back with its own: two servers (or readers) starting together both
read the list before either wrote it, and the last to write dropped the other's name; one
refused could read the file emptied, before a holder wrote it again. The kernel's lock on
``openness.lock`` says who holds the store; the names serve only to tell whom.

A command that only reads (``stats``, ``query``, ``export`` …) opens the store read-only
and holds it shared, as a server does: it runs beside servers and other readers, and is
refused beside a writer, as a writer is refused beside it. It read beside writers once,
taking no lock, as "undefined … but for one command": RocksDB then failed to open the
store now and again ("Corruption: … No such file or directory: …/000053.sst … MANIFEST …
may be corrupted") when the writer's compaction removed a file the MANIFEST it had just
read named — a scare about a store that is sound, and a read that could as well have gone
wrong unnoticed.

The kernel drops a lock with the process holding it, so a server or command killed leaves
no lock behind; the name it leaves is passed over once its process no longer runs, and
removed by the next holder. A process's id is given to another once it has ended, so a name
records when its process started (on Linux) and is passed over beside a process started at
another time. A process id is a number in one PID namespace alone: containers sharing the
store's volume see each other's holders under ids of no process or of another, so a name
records its holder's namespace, and one from another namespace is never judged but said as
a process's in another PID namespace. It is taken out by its own namespace's holders, or by
the next command that writes: that one holds the lock alone, so every name it finds is of a
holder that has ended (a container killed leaves its names, which the next container, in a
namespace of its own, would otherwise name for ever — a reader's among them, which keeps
--force from writing beside a server). (A part file has no namespace to read until written:
one from another namespace may be taken out as its holder writes it, which leaves that
holder unnamed.) RocksDB leaves the file and the folder alone: it removes only the files it
names.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from pathlib import Path
from types import TracebackType

from openness.store.base import StoreError

FILE = "openness.lock"
NAMES = "openness.lock.d"  # a file a hold: <pid>.<token>.json (.part while written)


class StoreBusy(StoreError):
    """The store is held by a process beside which this one may not hold it: who, and what
    to do. ``served``: a server holds it (not a command that writes)."""

    def __init__(self, message: str, *, served: bool) -> None:
        super().__init__(message)
        self.served = served


class Hold:
    """A lock held on a store (or none: see :func:`hold`), released by :meth:`release` or
    at the end of a ``with`` block."""

    def __init__(self, fd: int | None, name: Path | None = None) -> None:
        self._fd, self._name, self._pid = fd, name, os.getpid()

    def release(self) -> None:
        # A process forked from the holder (a server's worker) ends holding its copy of the
        # descriptor, not the name, which is the holder's while it holds the store.
        if self._name is not None and os.getpid() == self._pid:
            with contextlib.suppress(OSError):
                self._name.unlink()  # before the lock goes: never a name without a lock
        self._name = None
        if self._fd is not None:
            os.close(self._fd)  # the lock goes with the file's last descriptor
            self._fd = None

    def __enter__(self) -> Hold:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()


def hold(folder: Path, holder: str, *, writes: bool, serves: bool) -> Hold:
    """Hold the store in ``folder`` (which exists): exclusively when this process ``writes``
    it, else shared with the servers and the commands that read; ``holder`` names this
    process to one refused, and ``serves`` tells a server (which holds the store until it
    is stopped) from a command that reads (which lets it go when it ends). Raises
    StoreBusy, naming the process that holds it, when that cannot be now."""
    path = folder / FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        # A server run as a user who may not write the folder (or on a read-only mount)
        # locks the file the store's owner made; without one, nothing here can be written
        # by this user, and nothing is held.
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return Hold(None)
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if writes else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        # Servers hold it if a shared lock is to be had (a writer holds it alone): the
        # kernel's word, where a name may be missing (a server run by a user who may not
        # write the store's folder names itself nowhere).
        served = writes and _shared_free(fd)
        os.close(fd)
        raise _busy(path, served=served) from None
    return Hold(fd, _name(folder / NAMES, holder, writes=writes, serves=serves))


def _name(names: Path, holder: str, *, writes: bool, serves: bool) -> Path | None:
    """Name this process as holding the store in a file of its own in the folder ``names``,
    read whole or not at all (written under another name, then renamed), and take out the
    files of holders no longer running: the file, or None where this user may not write."""
    pid = os.getpid()
    said = {
        "holder": holder,
        "writes": writes,
        "serves": serves,
        "started": _started(pid),
        "namespace": _namespace(),
    }
    # Unique to this hold: a process may hold a store twice (a test's, or an app's beside a
    # command run in its process), and let one hold go before the other.
    part = names / f"{pid}.{secrets.token_hex(8)}.part"
    try:
        names.mkdir(exist_ok=True)
        # A writer holds the store alone: every name left is of a holder that has ended,
        # one written in another PID namespace too, which no other holder can tell ended.
        for dead in sorted(names.iterdir()) if writes else _holders(names)[1]:
            with contextlib.suppress(OSError):  # taken out by another holder just now
                dead.unlink()
        part.write_text(json.dumps(said), encoding="utf-8")
        return part.replace(part.with_suffix(".json"))
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink()
        return None


def _holders(names: Path) -> tuple[list[dict[str, object]], list[Path]]:
    """What the holders named in the folder ``names`` that still run say of themselves (in
    the order of their files' names), and the files of those that no longer run: one killed
    could not take its file out (nor, killed while writing it, its part file). A holder in
    another PID namespace is said as such, whether it runs or not (it cannot be told)."""
    alive: list[dict[str, object]] = []
    dead: list[Path] = []
    try:
        paths = sorted(names.iterdir())
    except OSError:  # no holder has named itself here
        return alive, dead
    here = _namespace()
    for path in paths:
        try:
            pid = int(path.name.partition(".")[0])
            said = json.loads(path.read_text(encoding="utf-8")) if path.suffix == ".json" else {}
            started, there = said.get("started"), said.get("namespace")
        except (OSError, ValueError, AttributeError):  # taken out just now, or no holder's
            continue
        if there is not None and there != here:
            alive.append({**said, "holder": f"{said.get('holder')} in another PID namespace"})
        elif not _runs(pid, started if isinstance(started, int) else None):
            dead.append(path)
        elif path.suffix == ".json":
            alive.append(said)
    return alive, dead


def _runs(pid: int, started: int | None) -> bool:
    """Whether process ``pid`` runs and, where both are known, started at ``started``: an
    ended process's id is given to the next one that starts."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        pass
    return started is None or _started(pid) in (None, started)


def _namespace() -> str | None:
    """This process's PID namespace (``pid:[<inode>]``), in which alone its process ids
    name processes; None where there is no /proc (not Linux)."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def _started(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since the machine did (field 22 of
    /proc/<pid>/stat); None where there is no /proc (not Linux) or the process has ended."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
        # Its name (field 2), in parentheses, may hold spaces and parentheses of its own.
        return int(stat.rpartition(b")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _shared_free(fd: int) -> bool:
    """Whether a shared lock on ``fd``'s file is to be had now (it is let go at once)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    fcntl.flock(fd, fcntl.LOCK_UN)
    return True


def _busy(path: Path, *, served: bool) -> StoreBusy:
    """Why the store whose lock file is ``path`` cannot be held now: ``served``, it is
    held shared (by servers, or commands that read), else a writer holds it; named as the
    holders name themselves."""
    alive = _holders(path.with_name(NAMES))[0]
    folder = path.parent
    if not served:
        writers = [str(said.get("holder")) for said in alive if said.get("writes")]
        return StoreBusy(
            f"{writers[0] if writers else 'another process'} is writing the store at "
            f"{folder}: run this again once it has ended",
            served=False,
        )
    shared = [said for said in alive if not said.get("writes")]
    readers = [str(said.get("holder")) for said in shared if not said.get("serves")]
    # Beside servers too: --force writes beside a server, never beside a command reading,
    # which ends by itself (served=False, so --force does not write).
    if readers:
        return StoreBusy(
            f"{' and '.join(readers)} {'is' if len(readers) == 1 else 'are'} reading the store "
            f"at {folder}: run this again once {'it has' if len(readers) == 1 else 'they have'} "
            "ended",
            served=False,
        )
    named = [str(said.get("holder")) for said in shared if said.get("serves")] or [
        f"a server that {path.with_name(NAMES)} does not name (one run by a user who may "
        "not write there, or a worker outliving its server)"
    ]
    one = len(named) == 1
    return StoreBusy(
        f"{' and '.join(named)} {'serves' if one else 'serve'} the store at {folder} as it was "
        f"when {'it' if one else 'each'} started, and would not serve what this writes: stop "
        f"{'it' if one else 'them'}, run this again, then start {'it' if one else 'them'} again",
        served=True,
    )
