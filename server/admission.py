"""Admission control: which query runs now, which waits, and which is turned away at once.

- Every query of a request shares one deadline, counted from the request's arrival: time
  spent waiting for a lane counts, so a waiting query is refused when the deadline passes
  instead of starting late.
- The waiting list is bounded: when it is full a new query is refused at once (503 with
  ``Retry-After``) rather than queued behind work it cannot outlast.
- One client (by address) has at most ``client_limit`` queries running or waiting; past
  that it is refused at once (429 with ``Retry-After``).
- No client runs queries in every lane (when there are several), and a lane that comes
  free goes to the waiting query whose client's running queries have run the least time
  so far (a client running none first; among equals, the first to arrive). So one
  client's runaway queries leave lanes free for everyone else's quick ones, and take a
  lane back only from clients whose queries run as long.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openness.server.execute import QueryTimeout
from openness.server.lanes import Lane, LaneDied, Lanes, Stuck, Task

# Said to a query stopped, and by /health/ready, once the server is told to stop.
STOPPING = "the server is stopping"


class Overloaded(RuntimeError):
    """The server cannot take this query now; the client should retry after a while."""

    def __init__(self, message: str, status: int, retry_after: int) -> None:
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0  # seconds from a request's arrival to its answer
    queue_size: int = 16  # queries that may wait for a lane
    client_limit: int = 8  # queries one client may have running or waiting
    retry_after: int = 1  # seconds, said to clients turned away


@dataclass(eq=False)
class _Ticket:
    client: str


class Guard:
    """Runs tasks in ``lanes`` under ``limits``."""

    def __init__(self, make_lanes: Callable[[threading.Condition], Lanes], limits: Limits) -> None:
        self.limits = limits
        self._changed = threading.Condition()
        self.lanes = make_lanes(self._changed)
        # Below this many running queries a client is never held back, so each client can
        # use all lanes but one.
        self._share = max(1, self.lanes.size - 1)
        self._waiting: list[_Ticket] = []
        self._admitted: Counter[str] = Counter()  # running or waiting, per client
        # Per client, when each of its running queries got its lane.
        self._running: defaultdict[str, list[float]] = defaultdict(list)
        self.refused = Counter[str]()  # by reason, for the health report

    @property
    def per_client(self) -> int:
        """How many lanes one client may hold at once: what one request may use in
        parallel without waiting on itself."""
        return self._share

    def run(self, task: Task, *, client: str, deadline: float) -> Any:
        """Run ``task`` in a lane and return its result.

        Raises :class:`Overloaded` when the query is turned away, :class:`QueryTimeout`
        when the deadline passes before it has an answer, :class:`LaneDied` when its
        process ends without one; whatever the task raises is raised here. A task whose
        process had ended before it could take it (killed while idle) is run in another.
        """
        try:
            return self._run_once(task, client, deadline)
        except LaneDied as e:
            if e.started:
                raise
            return self._run_once(task, client, deadline)

    def _run_once(self, task: Task, client: str, deadline: float) -> Any:
        lane, started = self._admit(client, deadline)
        healthy = False
        try:
            value = lane.run(task, deadline - time.monotonic())
            healthy = True
            return value
        except Stuck:
            raise QueryTimeout(
                f"the query ran longer than the {self.limits.timeout:g} s limit and was "
                "stopped; narrow it (LIMIT, more specific patterns) or ask the operator "
                "for a longer --query-timeout"
            ) from None
        except LaneDied:
            if self.lanes.closed:  # stopped by close(): the client may ask again elsewhere
                raise self._stopping() from None
            raise
        except Exception:  # the task's own error: the lane is fine
            healthy = True
            raise
        finally:
            self.lanes.give_back(lane, healthy=healthy)
            with self._changed:
                self._running[client].remove(started)
                self._release(client)

    def _admit(self, client: str, deadline: float) -> tuple[Lane, float]:
        """A lane for the query and when it got it."""
        limits = self.limits
        with self._changed:
            if self._admitted[client] >= limits.client_limit:
                self.refused["client limit"] += 1
                raise Overloaded(
                    f"this client already has {limits.client_limit} queries running or "
                    "waiting, the most this server allows; wait for their answers",
                    429,
                    limits.retry_after,
                )
            ticket = _Ticket(client)
            self._waiting.append(ticket)
            self._admitted[client] += 1
            lane = self._grant(ticket)
            if lane is None and len(self._waiting) > limits.queue_size:
                self._waiting.remove(ticket)
                self._release(client)
                self.refused["queue full"] += 1
                raise Overloaded(
                    f"the server is busy: {limits.queue_size} queries are already waiting",
                    503,
                    limits.retry_after,
                )
            while lane is None:
                if self.lanes.closed:  # no lane will come back
                    self._waiting.remove(ticket)
                    self._release(client)
                    raise self._stopping()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._waiting.remove(ticket)
                    self._release(client)
                    self.refused["waited too long"] += 1
                    raise Overloaded(
                        "the server was too busy to start the query within the "
                        f"{limits.timeout:g} s limit",
                        503,
                        max(limits.retry_after, math.ceil(limits.timeout / 2)),
                    )
                self._changed.wait(remaining)
                lane = self._grant(ticket)
            self._waiting.remove(ticket)
            started = time.monotonic()
            self._running[client].append(started)
            # Another waiting query may now be first in line for another idle lane.
            self._changed.notify_all()
            return lane, started

    def _grant(self, ticket: _Ticket) -> Lane | None:
        """An idle lane if ``ticket`` is next: of the waiting queries whose client may run
        one more, one whose client's running queries have run the least time so far, the
        first to arrive among those (called with the condition held)."""
        if self.lanes.closed or not self.lanes.idle:
            return None
        now = time.monotonic()
        candidates = [w for w in self._waiting if len(self._running[w.client]) < self._share]
        if not candidates:
            return None
        # min() keeps the first of equals: arrival order.
        first = min(candidates, key=lambda w: sum(now - t for t in self._running[w.client]))
        return self.lanes.take() if first is ticket else None

    def _stopping(self) -> Overloaded:
        return Overloaded(STOPPING, 503, self.limits.retry_after)

    def _release(self, client: str) -> None:
        self._admitted[client] -= 1
        if self._admitted[client] <= 0:
            del self._admitted[client]
            self._running.pop(client, None)
        self._changed.notify_all()

    def status(self) -> dict[str, Any]:
        with self._changed:
            return {
                "lanes": self.lanes.size,
                "idle": self.lanes.idle,
                "running": sum(map(len, self._running.values())),
                "waiting": len(self._waiting),
                "refused": dict(self.refused),
            }

    def close(self) -> None:
        """Stop the queries running (a process is killed, a thread abandoned) and refuse
        those waiting for a lane, now and from now on, all with 503 "the server is
        stopping": they waited until their deadline for a lane that would never come back
        (a test's storm of runaways, hours), and a stopping server waited for them."""
        self.lanes.close()  # marked closed, the waiting woken (one condition), then stopped
