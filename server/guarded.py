"""The store as the server's handlers see it: every query runs under the guard.

Pages, the API, linked data, the Graph Store Protocol and the SHACL service call
``query()`` as on any store; here each call runs in a lane (see ``lanes``) with the
request's deadline and client (see ``admission``), its result bounded by the server's
size limit, and comes back parsed. Writes go to the store itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from openness.server.admission import Guard
from openness.server.execute import Answer, Job, answer, export, fetch
from openness.store import GraphStore, QueryResult, StoreError
from openness.store.sparql_text import bind_values

# Who asks and by when the answer is due: (client address, deadline on the monotonic clock).
Budget = Callable[[], tuple[str, float]]


class GuardedStore(GraphStore):
    def __init__(self, guard: Guard, store: GraphStore, *, max_bytes: int, budget: Budget) -> None:
        self.guard, self.store, self.max_bytes, self.budget = guard, store, max_bytes, budget
        self.pid = os.getpid()  # a forked process makes its own
        self.ready_at = time.monotonic()

    def __repr__(self) -> str:
        return f"GuardedStore({self.store!r})"

    def _run(self, function: Callable, *args: object):  # noqa: ANN202 - the task's own type
        client, deadline = self.budget()
        return self.guard.run((function, args), client=client, deadline=deadline)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
        base_iri: str | None = None,
        as_given: bool = False,
    ) -> QueryResult:
        if substitutions:
            sparql = bind_values(sparql, substitutions)
        kind, data = self._run(
            fetch,
            sparql,
            None if default_graphs is None else tuple(default_graphs),
            None if named_graphs is None else tuple(named_graphs),
            self.max_bytes,
            base_iri,
            as_given,
        )
        if kind == "graph":
            return QueryResult([q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)])
        fmt = ox.QueryResultsFormat.TSV if kind == "solutions" else ox.QueryResultsFormat.JSON
        return QueryResult(ox.parse_query_results(data, fmt))

    @property
    def unchanging(self) -> bool:
        return self.store.unchanging

    def run(self, job: Job) -> Answer:
        """A protocol query's result, serialized for the client in its lane."""
        return self._run(answer, job, self.max_bytes)

    def call(self, function: Callable, *args: object):  # noqa: ANN201 - the task's own type
        """``function(store, *args)`` run in a lane under the request's deadline (a task of
        the server's own beyond a query, e.g. a SHACL validation)."""
        return self._run(function, *args)

    def _writable(self) -> GraphStore:
        if getattr(self.store, "read_only", False):
            raise StoreError("this server's store is open read-only")
        return self.store

    # Writes go to the store itself, whose own write keeps its summary (store.summary).
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._writable().update(sparql, base_iri=base_iri)

    def _update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._writable()._update(sparql, base_iri=base_iri)  # noqa: SLF001 - its own kind

    def write(self, **kwargs: object) -> int:  # type: ignore[override]
        return self._writable().write(**kwargs)  # type: ignore[arg-type]

    def export(self, fmt: ox.RdfFormat) -> bytes:
        return self._run(export, fmt, self.max_bytes)
