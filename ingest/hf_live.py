"""Live sync of the Hugging Face Hub into the Hub source graph (``openness ingest hf --live``).

The sync pages through the Hub's model listing (``GET /api/models`` with the fields the Hub
ingester reads) and writes each page as one store transaction: the records that changed,
the triples they replace, and the sync's own state (the next page's cursor, the pass it
belongs to) in the sync-state graph. A run killed at any point therefore resumes at the
page after the last one stored, and readers never see half a page. Memory holds one page.

Passes:

* **changes** (every run): the listing sorted by ``lastModified``, most recent first, up to
  the previous pass's watermark (the whole listing the first time). A record is rewritten
  only when its ``sha`` or ``lastModified`` differs from the stored one; a listed model whose
  Hub ``_id`` is stored under another id was renamed, and its record moves to the new id
  keeping the old one as ``og:formerHubId``.
* **reconcile** (``--reconcile``): the whole listing, ids and shas only, marking each stored
  record listed; then every record of the scope that was not listed is asked for by id:
  gone (404) is removed, answered under another id (the Hub's redirect) is renamed.

After the passes the identity graph is rebuilt and the models whose records changed — and
their descendants along ``base_model`` — are re-assessed. The records awaiting that step
are kept in the sync-state graph, so a run killed before it ends still re-assesses them.

Rate limits (429) are waited out as ``Retry-After`` asks; 5xx answers and dropped
connections are retried with bounded exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx2
import pyoxigraph as ox
from huggingface_hub import HfApi, ModelInfo
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.utils import get_session, hf_raise_for_status
from tqdm import tqdm

from openness.assess.service import run_assessment
from openness.ingest.batch import fewer_collections
from openness.ingest.hf import model_info, model_triples, one_per_repository
from openness.ingest.identity_update import update_identity
from openness.ingest.provenance import (
    PROVENANCE_GRAPH,
    activity,
    generated,
    run_iri,
    superseded,
)
from openness.ingest.rdf import Triples, iri_values, literal
from openness.ingest.records import IngestContext, owned_triples, source_concept
from openness.ingest.report import IngestReport, RecordError
from openness.namespaces import DCAT, OG, RDF, SCHEMA, Graphs, mint
from openness.retry_after import retry_after
from openness.store import GraphStore

T = TypeVar("T")
SOURCE = "hf"
GRAPH = Graphs.source(SOURCE)
STATE_GRAPH = Graphs.HUB_SYNC
# What the Hub ingester reads from a model (hf.model_triples), asked of the listing.
FIELDS = [
    "author",
    "cardData",
    "createdAt",
    "downloads",
    "gated",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "sha",
    "siblings",
    "tags",
]
# Enough to tell a stored record is current, for the reconcile pass.
CHECK_FIELDS = ["sha", "lastModified"]
TRANSIENT = {408, 500, 502, 503, 504}
FILE = "api/models"  # og:sourceFile of a listed record


# HTTP with retries --------------------------------------------------------------------


@dataclass
class RetryPolicy:
    """How long to keep trying. Transient failures (5xx, dropped connections) wait
    ``base`` seconds, doubling up to ``cap``, at most ``attempts`` times in a row; rate limits
    wait what ``Retry-After`` says (at most ``max_wait``), at most ``rate_limited`` times in a
    row. ``sleep`` is replaceable so that tests never wait."""

    attempts: int = 6
    base: float = 1.0
    cap: float = 60.0
    rate_limited: int = 50
    max_wait: float = 900.0
    sleep: Callable[[float], None] = time.sleep


class HubUnreachable(ConnectionError):
    """The Hub could not be reached: no network or a wrong endpoint (said at once), or
    connections failing past the retries."""


class NotAListing(ValueError):
    """A listing page answered 200 with a body that is no list of models (an error object,
    a proxy's HTML page): read as an empty last page it would end the pass, and its
    watermark would hide every older model from later runs."""


class HubClient:
    """The Hub API as the sync uses it: listing pages (with their cursor) and single models,
    through huggingface_hub's HTTP session, headers and error mapping, with retries."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        token: str | None = None,
        retry: RetryPolicy | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        # An address's trailing "/" (http://host/) made every URL //api/models, which a
        # server need not take for /api/models.
        self.api = HfApi(endpoint=endpoint.rstrip("/") if endpoint else None, token=token)
        self.retry = retry or RetryPolicy()
        # Told of each wait as it begins: Retry-After may ask minutes, a stalled bar
        # meanwhile looks like a hung run.
        self.notice = notice
        self.waited = 0.0  # seconds spent waiting
        self.rate_limited = 0  # 429 answers seen
        self.retried = 0  # transient failures retried
        self.answered = False  # whether the Hub has answered anything yet

    @property
    def endpoint(self) -> str:
        return self.api.endpoint

    def _call(self, call: Callable[[], T]) -> T:
        failures = limited = 0
        while True:
            try:
                result = call()
                self.answered = True
                return result
            except HfHubHTTPError as e:
                self.answered = True
                status = e.response.status_code if e.response is not None else None
                if status == 429:
                    limited += 1
                    self.rate_limited += 1
                    if limited > self.retry.rate_limited:
                        raise
                    asked = retry_after(e.response.headers)
                    wait = self._backoff(limited) if asked is None else asked
                    wait = min(wait, self.retry.max_wait)
                    why = f"rate-limited (HTTP 429, {limited} in a row)"
                elif status in TRANSIENT:
                    failures += 1
                    if failures >= self.retry.attempts:
                        raise
                    wait = self._backoff(failures)
                    why = f"HTTP {status} (try {failures} of {self.retry.attempts})"
                else:
                    raise
            except httpx2.TransportError as e:
                failures += 1
                # Before the Hub has answered anything, a connection that cannot be made
                # means no network or a wrong endpoint: said at once, not after a minute
                # of retries. Once it has answered, a lost connection is retried.
                never = not self.answered and isinstance(
                    e, (httpx2.ConnectError, httpx2.ConnectTimeout)
                )
                if never or failures >= self.retry.attempts:
                    raise HubUnreachable(f"cannot reach the Hub at {self.endpoint}: {e}") from e
                wait = self._backoff(failures)
                why = f"{type(e).__name__} (try {failures} of {self.retry.attempts})"
            if failures:
                self.retried += 1
            self.waited += wait
            if self.notice is not None and wait > 0:
                self.notice(f"hf --live: the Hub at {self.endpoint}: {why}; waiting {wait:.0f} s")
            self.retry.sleep(wait)

    def _backoff(self, n: int) -> float:
        return min(self.retry.cap, self.retry.base * 2 ** (n - 1))

    def page(
        self, url: str | None, params: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the model listing and the URL of the next (None at the end).
        ``url`` is a stored cursor (a next-page URL), or None for the first page."""

        def get() -> Any:
            response = get_session().get(
                url or f"{self.endpoint}/api/models",
                params=None if url else params,
                headers=self.api._build_hf_headers(),
            )
            hf_raise_for_status(response)
            return response

        try:
            response = self._call(get)
        except HfHubHTTPError as e:
            if url or e.response is None or e.response.status_code != 404:
                raise
            # (a server that is no Hub, or a wrong path, at the address given)
            raise HubUnreachable(
                f"{self.endpoint} has no model listing ({e.response.url} answered 404 Not "
                "Found): --endpoint is the Hub's address, https://huggingface.co by default"
            ) from e
        try:
            models = response.json()
        except ValueError:
            models = None
        if not isinstance(models, list):
            raise NotAListing(
                f"the Hub at {self.endpoint} answered {response.url} with no model listing "
                f"(a JSON list), but {response.text[:80]!r}"
            )
        return models, response.links.get("next", {}).get("url")

    def model(self, repo_id: str) -> ModelInfo | None:
        """A model by id (the Hub follows its redirects), or None when it is gone."""
        try:
            return self._call(lambda: self.api.model_info(repo_id, expand=FIELDS))
        except RepositoryNotFoundError:
            return None


# Sync state ---------------------------------------------------------------------------


def state_iri(author: str | None) -> str:
    """The sync state of one scope: the whole Hub or one author's models."""
    return mint("sync", SOURCE, author or "all")


# A stored state's properties, by SyncState attribute.
STATE_PROPERTIES = {
    "phase": "syncPhase",
    "cursor": "syncCursor",
    "watermark": "syncWatermark",
    "high": "syncPassHigh",
}


@dataclass
class SyncState:
    """Where a scope's sync stands; stored with every page.

    Each state stored is a node of its own (``og:syncState``), numbered by ``step``: the
    greatest is the current one. A page that removes nothing can then store its records and
    its state in one write that only adds (see :meth:`HubSync.commit`), the states it
    supersedes (``stale``) removed by a later write; those a killed run left are loaded
    as stale by the next."""

    iri: str
    author: str | None = None
    phase: str | None = None  # "changes" or "reconcile" while a pass runs
    cursor: str | None = None  # the next page's URL
    watermark: str | None = None  # lastModified up to which the last changes pass listed
    high: str | None = None  # the newest lastModified the running changes pass listed
    step: int = 0  # the state's number; 0 when none is stored
    stale: list[ox.Triple] = field(default_factory=list)  # older states still stored

    def node(self) -> str:
        return f"{self.iri}#state-{self.step}"

    def triples(self) -> list[ox.Triple]:
        """The scope's triples and this state's."""
        out = Triples()
        out.types(self.iri, OG + "HubSync")
        out.add(self.iri, OG + "syncScope", self.author)
        out.extend(self.own())
        return list(out)

    def own(self) -> list[ox.Triple]:
        """This state's triples, which the next state replaces (none when none is stored)."""
        if not self.step:
            return []
        out, node = Triples(), self.node()
        out.link(self.iri, OG + "syncState", node)
        out.types(node, OG + "HubSyncState")
        out.add(node, OG + "syncStep", self.step)
        for attr, prop in STATE_PROPERTIES.items():
            out.add(node, OG + prop, getattr(self, attr))
        return list(out)

    def superseded(self) -> list[ox.Triple]:
        """What storing the next state removes: this state's triples and the stale ones."""
        return [*self.own(), *self.stale]

    @classmethod
    def load(cls, store: GraphStore, author: str | None) -> SyncState:
        state = cls(state_iri(author), author)
        # The states' own properties only: not the records marked pending (every record
        # of a first sync, while --no-assess leaves them) or seen. The scope's own node
        # holds the properties of a state stored before states were numbered.
        props = " ".join(f"og:{p}" for p in [*STATE_PROPERTIES.values(), "syncStep"])
        rows = store.query(
            f"""SELECT ?s ?p ?o WHERE {{ {{ <{state.iri}> og:syncState ?s }}
                  UNION {{ BIND (<{state.iri}> AS ?s) }}
                  VALUES ?p {{ {props} rdf:type }} ?s ?p ?o }}""",
            default_graphs=[STATE_GRAPH],
        ).rows()
        found: dict[str, list[ox.Triple]] = {}
        for r in rows:
            if r["s"].value != state.iri or r["p"].value != RDF + "type":
                found.setdefault(r["s"].value, []).append(ox.Triple(r["s"], r["p"], r["o"]))
        if not found:
            return state

        def number(node: str) -> int:
            return max(
                (int(t.object.value) for t in found[node] if t.predicate.value == OG + "syncStep"),
                default=0,
            )

        current = max(found, key=number)
        values = {t.predicate.value: t.object.value for t in found[current]}
        for attr, prop in STATE_PROPERTIES.items():
            setattr(state, attr, values.get(OG + prop))
        state.step = number(current)
        scope, link = ox.NamedNode(state.iri), ox.NamedNode(OG + "syncState")
        for node, triples in found.items():
            if node == state.iri:  # stored before states were numbered: removed whole
                state.stale += triples
            elif node != current:
                state.stale += [*triples, ox.Triple(scope, link, ox.NamedNode(node))]
        return state


@dataclass
class SyncReport:
    listed: int = 0  # every model of the pages, those older than the watermark too
    changed: int = 0  # those the changes pass found modified since the last (or new)
    written: int = 0
    unchanged: int = 0
    renamed: int = 0
    removed: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)  # the first few, for the summary
    assessed: int = 0
    pages: int = 0

    def problem(self, message: str) -> None:
        self.skipped += 1
        if len(self.problems) < 20:
            self.problems.append(message)

    def summary(self) -> str:
        text = (
            f"hf --live: {self.changed} new or modified of {self.listed} listed in "
            f"{self.pages} pages, {self.written} written, "
            f"{self.unchanged} unchanged, {self.renamed} renamed, {self.removed} removed, "
            f"{self.skipped} skipped, {self.assessed} models re-assessed"
        )
        return "\n".join([text, *(f"  {p}" for p in self.problems)])


class Progress:
    """A progress bar (tqdm, on standard error) over one pass: models listed, their rate and
    an ETA. The listing tells no total: a pass sorted newest first estimates the rest from
    how far back in lastModified it has come towards ``oldest`` (the watermark, or the
    oldest model); others are given an expected ``total``."""

    def __init__(
        self,
        desc: str,
        *,
        enabled: bool,
        total: int | None = None,
        oldest: dt.datetime | None = None,
    ) -> None:
        self.bar = tqdm(desc=desc, unit="model", total=total, disable=not enabled, leave=False)
        self.oldest = oldest
        self.start: dt.datetime | None = None  # where this run's first page ended
        self.count = 0
        self.before = 0  # models listed up to ``start``: no span of time was seen for them

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def update(self, n: int, reached: dt.datetime | None = None) -> None:
        """``n`` more models listed, the last of them modified at ``reached``."""
        self.count += n
        if reached is not None and self.oldest is not None:
            if self.start is None:
                self.start, self.before = reached, self.count
            covered = (self.start - reached).total_seconds()
            left = max(0.0, (reached - self.oldest).total_seconds())
            if covered > 0:
                # The models listed since the first page's end came in ``covered`` seconds
                # of lastModified: as many more for each such span ``left``.
                per_second = (self.count - self.before) / covered
                self.bar.total = self.count + round(per_second * left)
        self.bar.update(n)


# Writing records ----------------------------------------------------------------------


def record_iri(repo_id: str) -> str:
    return mint("record", SOURCE, repo_id)


def _stored(
    store: GraphStore, infos: Sequence[ModelInfo]
) -> dict[str, tuple[str, dt.datetime | None]]:
    """Record IRI -> (sha, lastModified) as stored, for the records of ``infos``."""
    if not infos:
        return {}
    records = iri_values([record_iri(i.id) for i in infos])
    rows = store.query(
        f"""SELECT ?r ?sha ?modified WHERE {{ VALUES ?r {{ {records} }}
              ?r og:sourceId ?id OPTIONAL {{ ?r og:sourceVersion ?sha }}
              OPTIONAL {{ ?r dcterms:modified ?modified }} }}""",
        default_graphs=[GRAPH],
    ).rows()
    return {
        r["r"].value: (
            r["sha"].value if "sha" in r else "",
            dt.datetime.fromisoformat(r["modified"].value) if "modified" in r else None,
        )
        for r in rows
    }


def _moved(store: GraphStore, infos: Sequence[ModelInfo]) -> dict[str, str]:
    """Hub ``_id`` -> the record IRI it is stored under, where that is not the listed id's."""
    hub_ids = {getattr(i, "_id", None): record_iri(i.id) for i in infos}
    hub_ids.pop(None, None)
    if not hub_ids:
        return {}
    literals = " ".join(str(literal(h)) for h in hub_ids)
    rows = store.query(
        f"SELECT ?r ?h WHERE {{ VALUES ?h {{ {literals} }} ?r schema:identifier ?h }}",
        default_graphs=[GRAPH],
    ).rows()
    return {r["h"].value: r["r"].value for r in rows if r["r"].value != hub_ids.get(r["h"].value)}


# What the Hub graph holds for the records linking to it, and drops with the last link: a
# fresh sync of the same listing writes none of it.
SHARED = (OG + "LicenseStatement", OG + "Organization", DCAT + "Dataset")


# What names a node without linking a record to it: its type, and a retired IRI (a
# dataset's former Hub id's) that goes with it (``records.owned_triples``).
NOT_LINKS = (RDF + "type", OG + "supersededBy")
_NOT_LINKS = ", ".join(f"<{p}>" for p in NOT_LINKS)
SUPERSEDED_BY = ox.NamedNode(OG + "supersededBy")


def unshared(store: GraphStore, change: Change) -> list[ox.Triple]:
    """The triples of the shared nodes (licence statements, organizations, datasets; see
    SHARED) that ``change`` unlinks from the last records linking to them, and of those
    these unlink in turn (a dataset's licence statement), to remove in the same write."""
    out: list[ox.Triple] = []
    kept = {t.object.value for t in change.add if isinstance(t.object, ox.NamedNode)}
    removed, links, gone = set(change.remove), Counter[str](), set[str]()
    while removed:
        fresh = Counter(
            t.object.value
            for t in removed
            if isinstance(t.object, ox.NamedNode) and t.predicate.value not in NOT_LINKS
        )
        links.update(fresh)  # the links to each node the change removes, in all rounds
        candidates = sorted(set(fresh) - kept - gone)
        held: dict[str, int] = {}  # shared node -> the links to it the graph holds
        for at in range(0, len(candidates), 500):
            rows = store.query(
                f"SELECT ?n (COUNT(?x) AS ?links) WHERE {{ {{ SELECT DISTINCT ?n "
                f"WHERE {{ VALUES ?n {{ {iri_values(candidates[at : at + 500])} }} "
                f"VALUES ?kind {{ {iri_values(SHARED)} }} ?n a ?kind }} }} "
                f"OPTIONAL {{ ?x ?p ?n FILTER (?p NOT IN ({_NOT_LINKS})) }} }} GROUP BY ?n",
                default_graphs=[GRAPH],
            ).rows()
            held.update({r["n"].value: int(r["links"].value) for r in rows})
        orphans = [n for n, count in held.items() if count <= links[n]]
        gone.update(orphans)
        removed = set(owned_triples(store, orphans, GRAPH))
        out += removed
    return out


def _records_and_retired(
    store: GraphStore, iris: Sequence[str]
) -> tuple[set[str], list[ox.Triple]]:
    """Of ``iris``: those the Hub graph holds a record at, and the retirements
    (og:supersededBy) it states of them."""
    records: set[str] = set()
    retired: list[ox.Triple] = []
    for at in range(0, len(iris), 500):
        rows = store.query(
            f"""SELECT ?r ?id ?to WHERE {{ VALUES ?r {{ {iri_values(iris[at : at + 500])} }}
                  {{ ?r og:sourceId ?id }} UNION {{ ?r og:supersededBy ?to }} }}""",
            default_graphs=[GRAPH],
        ).rows()
        records |= {r["r"].value for r in rows if "id" in r}
        retired += [ox.Triple(r["r"], SUPERSEDED_BY, r["to"]) for r in rows if "to" in r]
    return records, retired


def _former_ids(old: Sequence[ox.Triple]) -> dict[str, set[str]]:
    """The ids each stored record had: its own and its former ones."""
    out: dict[str, set[str]] = {}
    for t in old:
        if t.predicate.value in (OG + "sourceId", OG + "formerHubId"):
            out.setdefault(t.subject.value, set()).add(t.object.value)
    return out


def _modified(info: ModelInfo) -> str:
    return str(literal(info.last_modified).value) if info.last_modified else ""


def _current(info: ModelInfo, stored: dict[str, tuple[str, dt.datetime | None]]) -> bool:
    """Whether the stored record of ``info`` has its sha and lastModified."""
    return stored.get(record_iri(info.id)) == (info.sha or "", info.last_modified)


def _after(a: str, b: str) -> bool:
    """Whether lastModified ``a`` is not older than ``b`` (both ISO 8601)."""
    return dt.datetime.fromisoformat(a) >= dt.datetime.fromisoformat(b)


@dataclass
class Change:
    """What one page changes: triples out and in, records to re-assess, records listed."""

    remove: list[ox.Triple] = field(default_factory=list)
    add: Triples = field(default_factory=Triples)
    pending: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)


class HubSync:
    """One sync of a scope (the whole Hub, or ``author``'s models) into ``store``."""

    def __init__(
        self,
        store: GraphStore,
        client: HubClient,
        *,
        author: str | None = None,
        page_size: int = 500,
        ctx: IngestContext | None = None,
        progress: bool = False,
    ) -> None:
        self.store = store
        self.client = client
        self.author = author
        self.page_size = page_size
        self.ctx = (ctx or IngestContext()).holding(store)
        self.progress = progress
        self.report = SyncReport()
        self.stored = SyncState.load(store, author)  # the state as the store holds it

    def commit(self, change: Change, state: SyncState, before: Sequence[str] = ()) -> None:
        """Store a page: its records' old triples out, the new ones in, the new state, the
        records awaiting assessment and those a reconcile pass listed — all or nothing
        (``before``: SPARQL update operations run first in the same write).

        A page that removes nothing (a first sync's) is one write that only adds, the new
        state with it, which the embedded store bulk-loads at a third of the CPU of a
        transaction; the states it supersedes stay (see :class:`SyncState`) until a write
        that removes anyway, or the end of the run. (Removed by a small write after each
        page, they made the next page's bulk load flush the store's write buffers first:
        a 10 000-model first sync spent 18 CPU s compacting the store instead of 9.)"""
        superseded = self.stored.superseded()
        state = replace(state, step=self.stored.step + 1, stale=[])
        node = ox.NamedNode(state.iri)
        marks = [
            ox.Triple(node, ox.NamedNode(OG + p), ox.NamedNode(r))
            for p, records in (
                ("syncPending", change.pending),
                ("syncRelink", change.pending),
                ("syncSeen", change.seen),
            )
            for r in records
        ]
        add = {GRAPH: change.add, STATE_GRAPH: [*state.triples(), *marks]}
        if change.remove or before:
            dropped = [*change.remove, *unshared(self.store, change)]
            remove = {GRAPH: dropped, STATE_GRAPH: superseded}
            self.store.write(remove=remove, add=add, before=before)
        else:
            self.store.write(add=add)
            state.stale = superseded
        self.stored = state

    def records(
        self, infos: Sequence[ModelInfo], change: Change, moved: dict[str, str] | None = None
    ) -> None:
        """Add to ``change`` what the listed ``infos`` change: new and modified records, and
        renamed ones moved to their new id keeping their old ids. ``moved`` names renames
        known from the Hub's redirects (new id -> old record); others are found by the
        Hub's ``_id``."""
        stored = _stored(self.store, infos)
        moved = dict(moved or {})
        by_hub_id = _moved(self.store, infos)
        for info in infos:
            old = by_hub_id.get(getattr(info, "_id", None))
            if old is not None and info.id not in moved:
                moved[info.id] = old
        todo = [i for i in infos if i.id in moved or not _current(i, stored)]
        self.report.unchanged += len(infos) - len(todo)
        drop = [record_iri(i.id) for i in todo if record_iri(i.id) in stored]
        drop += [moved[i.id] for i in todo if i.id in moved and moved[i.id] not in drop]
        old = owned_triples(self.store, drop, GRAPH)
        change.remove += old
        ids = _former_ids(old)
        rewritten = {record_iri(i.id) for i in todo}
        change.pending += [r for r in drop if r not in rewritten]
        formers: dict[str, list[str]] = {}
        for info in todo:
            # A rewritten record keeps the ids it had before, as recorded renames do.
            former = ids.get(record_iri(info.id), set()) - {info.id}
            if info.id in moved:
                former |= ids.get(moved[info.id], set())
                self.report.renamed += 1
            formers[info.id] = sorted(f for f in former if f.lower() != info.id.lower())
        # A former id a new repository took is that one's record, not retired; and the
        # retirement a record written at a former id's IRI finds there goes.
        asked = rewritten | {record_iri(f) for former in formers.values() for f in former}
        records, retired = _records_and_retired(self.store, sorted(asked))
        live = (records - set(drop)) | rewritten
        dropped = set(old)
        change.remove += [t for t in retired if t.subject.value in rewritten and t not in dropped]
        for info in todo:
            iri = record_iri(info.id)
            warnings = IngestReport(SOURCE)
            model_triples(
                info,
                change.add,
                self.ctx,
                file=FILE,
                former_ids=formers[info.id],
                live=live,
                report=warnings,
            )
            change.add.add(iri, SCHEMA + "identifier", getattr(info, "_id", None))
            change.pending.append(iri)
            self.report.written += 1
            for problem in warnings.problems:
                self.report.problem(str(problem))

    def _infos(self, page: list[dict[str, Any]], where: str) -> list[ModelInfo]:
        """The models of a listing page, one per repository (see ``one_per_repository``)."""
        bodies = []
        for n, raw in enumerate(page):
            self.report.listed += 1
            try:
                bodies.append((len(raw), model_info(raw, f"{where}[{n}]"), f"{where}[{n}]"))
            except RecordError as e:
                self.report.problem(str(e))
        kept = one_per_repository(bodies, lambda e: self.report.problem(str(e)))
        return [info for _, info, _ in kept.values()]

    def _oldest(self) -> dt.datetime | None:
        """The oldest lastModified of the scope: one model, listed oldest first."""
        params = {"sort": "lastModified", "direction": 1, "limit": 1, **self._scope()}
        raw, _ = self.client.page(None, params)
        infos = [model_info(r, "the oldest model") for r in raw if isinstance(r, dict)]
        return infos[0].last_modified if infos else None

    def _next(self, **changes: Any) -> SyncState:
        return SyncState(**{**self.stored.__dict__, **changes})

    def _scope(self) -> dict[str, Any]:
        return {"author": self.author} if self.author else {}

    def run(self, *, reconcile: bool = False, limit: int | None = None) -> SyncReport:
        """Run (or resume) the passes; ``limit`` stops after the page that reaches that many
        listed models, with the cursor stored for the next run."""
        self._passes(reconcile, limit)
        if self.stored.stale:  # the states the run's pages superseded (see commit)
            self.store.write(remove={STATE_GRAPH: self.stored.stale})
            self.stored.stale = []
        return self.report

    def _passes(self, reconcile: bool, limit: int | None) -> None:
        if self.stored.phase is None:
            self.commit(Change(), self._next(phase="changes", cursor=None, high=None))
        if self.stored.phase == "changes" and not self._changes(limit):
            return
        if reconcile and self.stored.phase is None:
            self.commit(Change(), self._next(phase="reconcile", cursor=None))
        if self.stored.phase == "reconcile" and self._reconcile(limit):
            self._unlisted()

    def _changes(self, limit: int | None) -> bool:
        """The changes pass; True once it reached its end."""
        params = {
            "sort": "lastModified",
            "direction": -1,
            "expand": FIELDS,
            "limit": self.page_size,
            **self._scope(),
        }
        watermark = self.stored.watermark
        oldest = dt.datetime.fromisoformat(watermark) if watermark else None
        if self.progress and oldest is None:
            oldest = self._oldest()
        with Progress("Hub changes", enabled=self.progress, oldest=oldest) as bar:
            while True:
                raw, nxt = self.client.page(self.stored.cursor, params)
                self.report.pages += 1
                infos = self._infos(raw, self.stored.cursor or "the first listing page")
                high = self.stored.high
                for info in infos:
                    if info.last_modified and (high is None or _after(_modified(info), high)):
                        high = _modified(info)
                # Newest first: the first model older than the watermark ends the pass.
                fresh = [
                    i
                    for i in infos
                    if watermark is None or not i.last_modified or _after(_modified(i), watermark)
                ]
                done = nxt is None or len(fresh) < len(infos)
                change = Change()
                unchanged = self.report.unchanged
                self.records(fresh, change)
                # Those found new or modified: the watermark's own model is listed again
                # unchanged ("1 new or modified" said a run after none changed).
                self.report.changed += len(fresh) - (self.report.unchanged - unchanged)
                if done:
                    state = self._next(
                        phase=None, cursor=None, watermark=high or watermark, high=None
                    )
                else:
                    state = self._next(cursor=nxt, high=high)
                self.commit(change, state)
                # The models changed, not those of the page older than the watermark (an
                # incremental run's bar said 500 for the 20 changed).
                older = len(infos) - len(fresh)
                bar.update(len(raw) - older, infos[-1].last_modified if infos else None)
                if done:
                    return True
                if limit is not None and self.report.listed >= limit:
                    return False

    def _reconcile(self, limit: int | None) -> bool:
        """List every model of the scope (ids and shas), refresh stale records, mark the
        listed ones; True once the listing ended."""
        params = {"expand": CHECK_FIELDS, "limit": self.page_size, **self._scope()}
        total = self.store.count(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ ?r og:source <{source_concept(SOURCE)}> }}",
            default_graphs=[GRAPH],
        )
        with Progress("Hub reconcile", enabled=self.progress, total=total) as bar:
            while True:
                raw, nxt = self.client.page(self.stored.cursor, params)
                self.report.pages += 1
                listed = self._infos(raw, self.stored.cursor or "the first listing page")
                stored = _stored(self.store, listed)
                stale = [i for i in listed if not _current(i, stored)]
                change = Change(seen=[record_iri(i.id) for i in listed])
                full = [m for m in (self.client.model(i.id) for i in stale) if m is not None]
                self.records(full, change)
                self.commit(change, self._next(cursor=nxt))
                bar.update(len(raw))
                if nxt is None:
                    return True
                if limit is not None and self.report.listed >= limit:
                    return False

    def _unlisted(self) -> None:
        """Ask the Hub about each stored record of the scope the reconcile pass did not
        list: removed (404), renamed (a redirect), or changed while the pass ran."""
        scope = f'FILTER (STRSTARTS(LCASE(?id), "{self.author.lower()}/"))' if self.author else ""
        while True:
            rows = self.store.query(
                f"""SELECT ?r ?id WHERE {{
                      GRAPH <{GRAPH}> {{ ?r og:source <{source_concept(SOURCE)}> ;
                                           og:sourceId ?id }} {scope}
                      FILTER NOT EXISTS {{
                        GRAPH <{STATE_GRAPH}> {{ <{self.stored.iri}> og:syncSeen ?r }} }}
                    }} LIMIT {self.page_size}"""
            ).rows()
            if not rows:
                break
            change, found, moved = Change(), [], {}
            for row in rows:
                record, repo = row["r"].value, row["id"].value
                change.seen.append(record)
                info = self.client.model(repo)
                if info is None:
                    change.remove += owned_triples(self.store, [record], GRAPH)
                    change.pending.append(record)
                    self.report.removed += 1
                    continue
                found.append(info)
                if record_iri(info.id) != record:
                    moved[info.id] = record
            self.records(found, change, moved)
            change.seen += [record_iri(i.id) for i in found]
            self.commit(change, self.stored)
        seen = f"<{self.stored.iri}> <{OG}syncSeen> ?r"
        done = f"DELETE WHERE {{ GRAPH <{STATE_GRAPH}> {{ {seen} }} }}"
        self.commit(Change(), self._next(phase=None, cursor=None), before=[done])


# After the passes -----------------------------------------------------------------------


def pending_records(store: GraphStore, state: str, mark: str = "syncPending") -> list[str]:
    """The records the sync changed that are still to be re-assessed (``syncPending``) or
    re-linked (``syncRelink``)."""
    rows = store.query(
        f"SELECT ?r WHERE {{ <{state}> og:{mark} ?r }}", default_graphs=[STATE_GRAPH]
    ).rows()
    return [r["r"].value for r in rows]


def models_of(store: GraphStore, records: Sequence[str]) -> set[str]:
    """The models these records belong to in the identity graph."""
    out: set[str] = set()
    for at in range(0, len(records), 1000):
        rows = store.query(
            f"""SELECT DISTINCT ?m WHERE {{ VALUES ?r {{ {iri_values(records[at : at + 1000])} }}
                  ?m og:hasRecord ?r }}""",
            default_graphs=[Graphs.IDENTITY],
        ).rows()
        out |= {r["m"].value for r in rows}
    return out


def with_descendants(store: GraphStore, models: set[str]) -> set[str]:
    """``models`` that exist, and every model derived from them along ``base_model``
    (fine-tunes of fine-tunes included). Walked a generation at a time from the models
    given: a path query with an unbound end makes some engines visit every node."""
    found: set[str] = set()
    frontier = sorted(models)
    while frontier:
        nxt: set[str] = set()
        for at in range(0, len(frontier), 1000):
            rows = store.query(
                f"""SELECT ?m ?child WHERE {{ VALUES ?m {{ {iri_values(frontier[at : at + 1000])} }}
                      ?m a og:Model OPTIONAL {{ ?child fair4ml:fineTunedFrom ?m }} }}""",
                default_graphs=[Graphs.IDENTITY],
            ).rows()
            found |= {r["m"].value for r in rows}
            nxt |= {r["child"].value for r in rows if "child" in r}
        frontier = sorted(nxt - found)
    return found


def finish(
    store: GraphStore,
    state: str,
    *,
    assess: bool = True,
    echo: Callable[[str], None] = print,
) -> int:
    """Re-link the records the sync changed (the identity graph brought up to date for
    them) and re-assess the models whose records or links changed, with their descendants;
    then forget them. Returns how many models were re-assessed. While ``assess`` is off they
    stay pending re-assessment, but are re-linked once."""
    relink = pending_records(store, state, "syncRelink")
    if relink:

        def relinking(models: set[str] | None) -> None:
            # Written before the links change, so that a run stopped once they did still
            # re-assesses them: a model removed or merged away is found by nothing after.
            marks = Triples()
            if models is None:
                marks.add(state, OG + "syncReassessAll", True)
            for m in sorted(models or ()):
                marks.link(state, OG + "syncReassess", m)
            store.write(add={STATE_GRAPH: marks})

        update_identity(store, relink, relinking=relinking)
        store.update(
            f"DELETE WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{state}> <{OG}syncRelink> ?r }} }}"
        )
    if not assess:
        return 0
    records = pending_records(store, state)
    relinked = set(pending_records(store, state, "syncReassess"))
    every = store.query(
        f"ASK {{ <{state}> og:syncReassessAll true }}", default_graphs=[STATE_GRAPH]
    )
    if not (records or relinked or every):
        return 0
    if every:  # a rebuild may have changed any model's links
        judged = len(run_assessment(store, None, None, echo=echo).present)
    else:
        # Those that exist, their descendants, and those gone (whose assessments go).
        models = sorted(with_descendants(store, models_of(store, records) | relinked) | relinked)
        run_assessment(store, None, models, echo=echo)
        judged = len(models)
    store.update(
        f"""DELETE WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{state}> <{OG}syncPending> ?r }} }};
            DELETE WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{state}> <{OG}syncReassess> ?m }} }};
            DELETE WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{state}> <{OG}syncReassessAll> ?b }} }}"""
    )
    return judged


def record_run(store: GraphStore, started: dt.datetime, report: SyncReport, endpoint: str) -> None:
    """The sync as an ingestion run in the provenance graph."""
    ended = dt.datetime.now(dt.UTC)
    run = run_iri(started, SOURCE, "live")
    out = Triples()
    listing = f"{endpoint}/api/models"
    activity(out, run, OG + "IngestionRun", started, ended, used=[listing])
    out.link(run, OG + "source", source_concept(SOURCE))
    out.add(run, OG + "sourceFile", listing)
    out.add(run, OG + "recordsRead", report.listed)
    out.add(run, OG + "recordsIngested", report.written)
    # The graph as it stands is this run's work, as a source graph is its last ingest's
    # (one generation, where every sync added another): the earlier runs stay described,
    # but made what it held before. No size is given — the bundled ingest's, if there was
    # one, no longer holds; the VoID description counts the graph as it is.
    generated(out, GRAPH, run, ended, derived_from=[listing])
    store.write(add={PROVENANCE_GRAPH: out}, before=[superseded(GRAPH)])


def sync_hub(
    store: GraphStore,
    *,
    endpoint: str | None = None,
    author: str | None = None,
    limit: int | None = None,
    reconcile: bool = False,
    assess: bool = True,
    page_size: int = 500,
    retry: RetryPolicy | None = None,
    progress: bool = False,
    echo: Callable[[str], None] = print,
) -> SyncReport:
    """Sync the Hub (or ``author``'s models) into the Hub source graph, then rebuild
    identities and re-assess what changed. Resumes an interrupted run."""
    started = dt.datetime.now(dt.UTC)
    # Above the progress bar, on standard error, as the bar is.
    notice = (lambda m: tqdm.write(m, file=sys.stderr)) if progress else None
    client = HubClient(endpoint, retry=retry, notice=notice)
    with fewer_collections():
        sync = HubSync(store, client, author=author, page_size=page_size, progress=progress)
        report = sync.run(reconcile=reconcile, limit=limit)
        record_run(store, started, report, client.endpoint)
        report.assessed = finish(store, sync.stored.iri, assess=assess, echo=echo)
    if client.rate_limited or client.retried:
        echo(
            f"hf --live: {client.rate_limited} rate-limited answers, {client.retried} "
            f"retries, {client.waited:.0f}s waited"
        )
    return report
