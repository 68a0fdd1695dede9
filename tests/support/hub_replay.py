"""A local HTTP server that replays recorded Hugging Face Hub API responses.

It serves ``GET /api/models/{id}`` exactly as recorded in ``hub_api_recorded/index.json``
(200 bodies byte for byte, 307 renames with their relative ``Location``), answers unknown
repositories with 404 and ``X-Error-Code: RepoNotFound`` as the Hub does, and lists
``GET /api/models?author=…`` from the recorded bodies, paginated with ``Link`` headers.
It can be told to answer one repository with HTTP 429 first, to exercise rate limits.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit


class HubReplay:
    def __init__(
        self, folder: Path, *, page_size: int = 2, extra_listed: list[str] | None = None
    ) -> None:
        self.folder = folder
        self.page_size = page_size
        self.extra_listed = extra_listed or []  # ids listed beside the recorded bodies
        self.entries = {e["path"]: e for e in json.loads((folder / "index.json").read_text())}
        self.rate_limited: set[str] = set()  # repo ids answered 429 once
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> HubReplay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def bodies(self) -> list[dict]:
        out = []
        for entry in self.entries.values():
            if entry["status"] == 200 and entry["body_file"].startswith("model_info/"):
                out.append(json.loads((self.folder / entry["body_file"]).read_text()))
        return sorted(out, key=lambda b: b["id"])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                replay.requests.append(self.path)
                parts = urlsplit(self.path)
                if parts.path == "/api/models":
                    return self._list(parse_qs(parts.query))
                repo = parts.path[len("/api/models/") :]
                if repo in replay.rate_limited:
                    replay.rate_limited.discard(repo)
                    return self._send(
                        429,
                        b'{"error":"rate limited"}',
                        {"Content-Type": "application/json", "Retry-After": "0"},
                    )
                # huggingface_hub adds query parameters the recordings do not have.
                entry = replay.entries.get(self.path) or replay.entries.get(parts.path)
                if entry is None:
                    return self._send(
                        404,
                        b'{"error":"Repository not found"}',
                        {
                            "Content-Type": "application/json",
                            "X-Error-Code": "RepoNotFound",
                            "X-Error-Message": "Repository not found",
                        },
                    )
                headers = dict(entry["response_headers"])
                if entry["status"] == 200:
                    body = (replay.folder / entry["body_file"]).read_bytes()
                else:
                    body = entry.get("body", "").encode()
                self._send(entry["status"], body, headers)

            def _list(self, query: dict[str, list[str]]) -> None:
                author = query.get("author", [None])[0]
                bodies = [b for b in replay.bodies() if author is None or b.get("author") == author]
                bodies += [{"id": repo, "modelId": repo} for repo in replay.extra_listed]
                start = int(query.get("cursor", ["0"])[0])
                page = bodies[start : start + replay.page_size]
                headers = {"Content-Type": "application/json"}
                if start + replay.page_size < len(bodies):
                    nxt = {k: v[0] for k, v in query.items()}
                    nxt["cursor"] = str(start + replay.page_size)
                    headers["Link"] = f'<{replay.url}/api/models?{urlencode(nxt)}>; rel="next"'
                self._send(200, json.dumps(page).encode(), headers)

        return Handler
