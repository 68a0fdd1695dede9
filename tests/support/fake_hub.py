"""A fake Hugging Face Hub: a local HTTP server that ``huggingface_hub.HfApi(endpoint=...)``
talks to for real, serving a synthetic model listing of any size.

Model ``i`` is made from one of the recorded ``GET /api/models/{id}`` bodies (the bundled
``hub_api_recorded``), so the listing has their mix of licences, gating, card data, base
models, datasets and files; its id, ``_id``, sha, dates and counts are its own. Nothing is
held per model except what a test changed, so a listing of a million models costs no memory.

The listing answers ``GET /api/models`` as the Hub does: ``expand`` picks the fields,
``author`` filters, ``sort=lastModified&direction=-1`` lists the most recently modified
first (oldest first without ``direction=-1``: the first page only), and pages
follow ``Link: <…>; rel="next"`` with a keyset cursor (the position after the last model
listed), so a change between two pages neither repeats nor skips the other models.
``GET /api/models/{id}`` answers one model, a 307 to its new id when it was renamed, or a
404 (``X-Error-Code: RepoNotFound``) when it was removed.

Faults are injected per request, in order: ``storm(n)`` answers the next n requests 429 with
``Retry-After``, ``fail(n)`` answers them 503, ``drop(n)`` closes the connection without an
answer, ``answer(n, body)`` answers them 200 with that body (no listing), ``delay`` slows
every listing page.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from openness.resources import sources_dir

RECORDED = sources_dir() / "hf" / "hub_api_recorded" / "model_info"
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
# Namespaces: some the curated organizations know (so models link to them), most not.
AUTHORS = ["google", "meta-llama", "allenai", "EleutherAI", "mistralai"] + [
    f"user{n}" for n in range(45)
]
# The fields the listing returns when no ``expand`` is asked, as the Hub does.
DEFAULT_FIELDS = ["id", "likes", "downloads", "tags", "pipeline_tag", "library_name", "createdAt"]


def hub_time(ts: int) -> str:
    return (EPOCH + dt.timedelta(seconds=ts)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeHub:
    """``size`` synthetic models, served on 127.0.0.1 (a free port) while in a ``with``."""

    def __init__(self, size: int, *, seed: int = 0, recorded: Path = RECORDED) -> None:
        self.size = size
        self.seed = seed
        self.templates = [
            json.loads(p.read_text(encoding="utf-8")) for p in sorted(recorded.glob("*.json"))
        ]
        self.touched: dict[int, int] = {}  # model -> its lastModified, once changed or added
        self.versions: dict[int, int] = {}  # model -> how many times it changed
        self.renamed: dict[int, str] = {}  # model -> its new id (or the id it was created under)
        self.moved: dict[str, int] = {}  # a former id (lower case) -> model
        self.current: dict[str, int] = {}  # a new id (lower case) -> model
        self.removed: set[int] = set()
        self.clock = size  # initial models have lastModified = their index
        self.faults: deque[tuple[str, Any]] = deque()
        self.delay = 0.0
        self.pages = 0  # listing pages answered (but the oldest-first probe)
        self.answered = 0  # requests answered, faults included
        # Each request's target as sent: http.server folds a leading "//" in the path it
        # gives (gh-87389), so a client asking //api/models is seen only here.
        self.sent: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # What tests change -------------------------------------------------------------

    def change(self, models: list[int]) -> None:
        """New commits on these models: new sha, lastModified, card and files."""
        with self._lock:
            for i in models:
                self.versions[i] = self.versions.get(i, 0) + 1
                self.touched[i] = self._tick()

    def add(self, n: int) -> list[int]:
        """n new models, listed first by lastModified."""
        with self._lock:
            new = list(range(self.size, self.size + n))
            self.size += n
            for i in new:
                self.touched[i] = self._tick()
            return new

    def rename(self, i: int, new_id: str) -> None:
        """Move a model to a new id; like the Hub, its lastModified does not change."""
        with self._lock:
            self.moved[self.repo_id(i).lower()] = i
            self.renamed[i] = new_id
            self.current[new_id.lower()] = i

    def create(self, repo_id: str) -> int:
        """A new model under ``repo_id``, listed first by lastModified. An id a renamed
        model had is taken by it and, as on the Hub, no longer redirects to that model."""
        with self._lock:
            i = self.size
            self.size += 1
            self.touched[i] = self._tick()
            self.renamed[i] = repo_id
            self.current[repo_id.lower()] = i
            self.moved.pop(repo_id.lower(), None)
            return i

    def remove(self, i: int) -> None:
        with self._lock:
            self.removed.add(i)

    def storm(self, n: int, retry_after: int = 0) -> None:
        self.faults.extend([("429", retry_after)] * n)

    def fail(self, n: int, status: int = 503) -> None:
        self.faults.extend([(str(status), 0)] * n)

    def drop(self, n: int) -> None:
        self.faults.extend([("drop", 0)] * n)

    def answer(self, n: int, body: bytes) -> None:
        self.faults.extend([("body", body)] * n)

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    # The synthetic models ----------------------------------------------------------

    def original_id(self, i: int) -> str:
        template = self.templates[self._pick(i)]
        return f"{AUTHORS[i % len(AUTHORS)]}/{template['id'].rsplit('/', 1)[-1]}-{i}"

    def repo_id(self, i: int) -> str:
        return self.renamed.get(i) or self.original_id(i)

    def parent(self, i: int) -> int | None:
        """The model that model ``i``'s card names as base model, if its template has one."""
        card = self.templates[self._pick(i, self.versions.get(i, 0))].get("cardData") or {}
        return (i - 1) // 2 if i > 0 and card.get("base_model") else None

    def last_modified(self, i: int) -> int:
        return self.touched.get(i, i)

    def _pick(self, i: int, version: int = 0) -> int:
        return (i * 7919 + version * 104729 + self.seed) % len(self.templates)

    def _digest(self, *parts: object) -> str:
        return hashlib.sha1(":".join(map(str, (self.seed, *parts))).encode()).hexdigest()

    def body(self, i: int) -> dict[str, Any]:
        """Model ``i`` as ``GET /api/models/{id}`` answers it."""
        version = self.versions.get(i, 0)
        template = self.templates[self._pick(i, version)]
        repo = self.repo_id(i)
        body = copy.deepcopy(template)
        card = body.get("cardData") or {}
        parent = self.parent(i)
        if parent is not None:
            # Cards keep the id a base model had when they were written.
            card["base_model"] = self.original_id(parent)
        noise = int(self._digest(i, version)[:8], 16)
        body.update(
            {
                "_id": self._digest("id", i)[:24],
                "id": repo,
                "modelId": repo,
                "author": repo.split("/")[0],
                "sha": self._digest("sha", i, version),
                "createdAt": hub_time(i),
                "lastModified": hub_time(self.last_modified(i)),
                "downloads": noise % 100_000,
                "likes": noise % 997,
            }
        )
        return body

    # Listing order -----------------------------------------------------------------

    def _by_last_modified(self, after: int | None) -> Iterator[int]:
        """Models most recently modified first, from after the cursor (a lastModified)."""
        touched = sorted(
            (ts, i)
            for i, ts in self.touched.items()
            if (after is None or ts < after) and i not in self.removed
        )
        for _, i in reversed(touched):
            yield i
        start = self.size - 1 if after is None else min(after - 1, self.size - 1)
        for i in range(start, -1, -1):
            if i not in self.touched and i not in self.removed:
                yield i

    def _by_id(self, after: int | None) -> Iterator[int]:
        for i in range(0 if after is None else after + 1, self.size):
            if i not in self.removed:
                yield i

    def listing_page(
        self, query: dict[str, list[str]]
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        """One page of ``GET /api/models`` and the query of the next one (None at the end)."""
        limit = int(query.get("limit", ["1000"])[0])
        author = query.get("author", [None])[0]
        by_date = query.get("sort", [None])[0] == "lastModified"
        if by_date and query.get("direction", ["1"])[0] != "-1":
            return self._oldest_first(limit), None
        fields = query.get("expand") or DEFAULT_FIELDS
        cursor = query.get("cursor", [None])[0]
        after = int(base64.urlsafe_b64decode(cursor).decode()) if cursor else None
        with self._lock:
            self.pages += 1
            order = self._by_last_modified(after) if by_date else self._by_id(after)
            page, last = [], None
            for i in order:
                if author is not None and self.repo_id(i).split("/")[0] != author:
                    continue
                if len(page) == limit:
                    nxt = {k: v for k, v in query.items() if k != "cursor"}
                    position = str(self.last_modified(last) if by_date else last)
                    nxt["cursor"] = [base64.urlsafe_b64encode(position.encode()).decode()]
                    return page, nxt
                body = self.body(i)
                page.append({k: body[k] for k in ("_id", "id", *fields) if k in body})
                last = i
        return page, None

    def _oldest_first(self, limit: int) -> list[dict[str, Any]]:
        """The first page of the listing oldest first (the sync asks for one model)."""
        with self._lock:
            untouched = (i for i in range(self.size) if i not in self.touched)
            touched = (i for _, i in sorted((ts, i) for i, ts in self.touched.items()))
            order = (i for i in itertools.chain(untouched, touched) if i not in self.removed)
            return [self.body(i) for i in itertools.islice(order, limit)]

    # HTTP --------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(
                self, status: int, body: object, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                hub.answered += 1
                hub.sent.append(self.requestline.split()[1])
                try:
                    fault, value = hub.faults.popleft()
                except IndexError:
                    fault, value = "", 0
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault == "body":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(value)))
                    self.end_headers()
                    self.wfile.write(value)
                    return None
                if fault == "429":
                    return self._send(429, {"error": "rate limited"}, {"Retry-After": str(value)})
                if fault:
                    return self._send(int(fault), {"error": "service unavailable"})
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path == "/api/models":
                    time.sleep(hub.delay)
                    page, nxt = hub.listing_page(query)
                    headers = {}
                    if nxt is not None:
                        link = f"{hub.url}/api/models?{urlencode(nxt, doseq=True)}"
                        headers["Link"] = f'<{link}>; rel="next"'
                    return self._send(200, page, headers)
                if parts.path.startswith("/api/models/"):
                    return self._model(parts.path[len("/api/models/") :], parts.query)
                self._send(404, {"error": "not found"})

            def _model(self, repo: str, query: str) -> None:
                with hub._lock:
                    found = hub._find(repo)
                    if found is None:
                        return self._send(
                            404,
                            {"error": "Repository not found"},
                            {
                                "X-Error-Code": "RepoNotFound",
                                "X-Error-Message": "Repository not found",
                            },
                        )
                    i, current = found
                    if current != repo:
                        location = f"/api/models/{current}" + (f"?{query}" if query else "")
                        return self._send(307, {"error": "moved"}, {"Location": location})
                    body = hub.body(i)
                self._send(200, body)

        return Handler

    def _find(self, repo: str) -> tuple[int, str] | None:
        """The model a path names, and its current id."""
        i = self.current.get(repo.lower(), self.moved.get(repo.lower()))
        if i is None:
            try:
                i = int(repo.rsplit("-", 1)[1])
            except (IndexError, ValueError):
                return None
            if not 0 <= i < self.size or self.repo_id(i).lower() != repo.lower():
                return None
        if i in self.removed:
            return None
        return i, self.repo_id(i)
