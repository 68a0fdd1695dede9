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
no lock behind, and the kernel says which names are of holders that have ended too: each
holder keeps an exclusive lock (``flock``) on its own name file for as long as it holds the
store, taken on the part file before anything is written there and kept through the
rename (the file is the same). A name whose lock is to be had is of a holder that has
ended, and is passed over, and removed by the next holder; one whose lock is not, of a
holder that runs. Process ids judged the names once: an id is given to another process
once its own has ended, and is a number in one PID namespace alone, so containers sharing
the store's volume saw each other's holders under ids of no process or of another, and a
name from another namespace could not be judged at all — one left by a container killed
(a reader's, which keeps --force from writing beside a server) was named by every refusal
until a command wrote the store. A lock is the same in every PID namespace on the kernel
that holds it (every container sharing a local volume on one machine); a name still
records its holder's command, pid and namespace, to tell one refused whom to wait for
(``… in another PID namespace``). Names written before holders locked them hold no lock,
and are taken out as ended. ``flock`` and not ``lockf`` (fcntl's record locks): those are
the process's, not inherited by the processes it forks, and let go when it closes any
descriptor of the file (one reading a name); a ``flock`` is the open file's, which the
processes forked from the holder share, as they share its lock on ``openness.lock`` — a
server's workers, the process ``openness serve`` reads the store in before it serves: the
name lives while any of them has it (a worker outliving its server killed still reads the
store), and one that ends lets its copy go, not the lock. Those judging a name take its
lock shared, for a moment, and never wait for it: its holder takes it exclusively, and
waits that moment out when it has just made the file, which is empty until it holds the
lock — so an empty file's lock says nothing, and it is left to the next command that
writes. That one holds the store alone, so every name it finds is of a holder that has
ended, and it takes them all out. RocksDB leaves the file and the folder alone: it removes
only the files it names.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from pathlib import Path
from types import TracebackType

from openness.store.errors import StoreError

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

    def __init__(self, fd: int | None, name: tuple[Path, int] | None = None) -> None:
        self._fd, self._pid = fd, os.getpid()
        # The holder's name file, and the descriptor by which it holds the file's lock.
        self._name, self._named = name or (None, None)

    def release(self) -> None:
        # A process forked from the holder (a server's worker) ends holding its copies of
        # the descriptors, not the name, which is the holder's while it holds the store.
        if self._name is not None and os.getpid() == self._pid:
            with contextlib.suppress(OSError):
                self._name.unlink()  # before the lock goes: never a name without a lock
        self._name = None
        # Closed, never unlocked: a lock goes with its file's last descriptor, and those of
        # the processes forked from the holder are copies of these.
        for fd in (self._named, self._fd):
            if fd is not None:
                os.close(fd)
        self._named = self._fd = None

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


def _name(names: Path, holder: str, *, writes: bool, serves: bool) -> tuple[Path, int] | None:
    """Name this process as holding the store in a file of its own in the folder ``names``,
    read whole or not at all (written under another name, then renamed), locked for as
    long as it holds the store, and take out the files of holders that have ended: the
    file and the descriptor holding its lock, or None where this user may not write."""
    said = {"holder": holder, "writes": writes, "serves": serves, "namespace": _namespace()}
    # Unique to this hold: a process may hold a store twice (a test's, or an app's beside a
    # command run in its process), and let one hold go before the other.
    part = names / f"{os.getpid()}.{secrets.token_hex(8)}.part"
    fd = None
    try:
        names.mkdir(exist_ok=True)
        # A writer holds the store alone: every name left is of a holder that has ended.
        for dead in sorted(names.iterdir()) if writes else _holders(names)[1]:
            with contextlib.suppress(OSError):  # taken out by another holder just now
                dead.unlink()
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits while one judging the empty file holds it
        with open(fd, "w", encoding="utf-8", closefd=False) as file:
            file.write(json.dumps(said))
        return part.replace(part.with_suffix(".json")), fd
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink()
        if fd is not None:
            os.close(fd)
        return None


def _holders(names: Path) -> tuple[list[dict[str, object]], list[Path]]:
    """What the holders named in the folder ``names`` that hold their names' locks say of
    themselves (in the order of their files' names), and the files of those that have
    ended: one killed could not take its file out (nor, killed while writing it, its part
    file). A holder in another PID namespace is said as such."""
    alive: list[dict[str, object]] = []
    dead: list[Path] = []
    try:
        paths = sorted(names.iterdir())
    except OSError:  # no holder has named itself here
        return alive, dead
    here = _namespace()
    for path in paths:
        try:
            with path.open("rb") as file:
                try:
                    fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:  # its holder's (a part file is not whole yet)
                    said = json.load(file) if path.suffix == ".json" else None
                else:
                    # Let go as the file closes. Empty, it is one its holder has just made
                    # and not yet locked (or one killed before it did: left to a writer).
                    if os.fstat(file.fileno()).st_size:
                        dead.append(path)
                    continue
        except (OSError, ValueError):  # taken out just now, or no holder's
            continue
        if isinstance(said, dict):
            there = said.get("namespace")
            if there is not None and there != here:
                said = {**said, "holder": f"{said.get('holder')} in another PID namespace"}
            alive.append(said)
    return alive, dead


def _namespace() -> str | None:
    """This process's PID namespace (``pid:[<inode>]``), in which alone its process ids
    name processes; None where there is no /proc (not Linux)."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
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
