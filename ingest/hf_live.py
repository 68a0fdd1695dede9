"""Fetch model records from the live Hugging Face Hub (``openness ingest hf --live``).

Records are written one JSON file each into a cache folder in the layout the Hub ingester
reads (``models/*.json``, ``models/renames.json``), so an interrupted run resumes where it
stopped, and the graph is always built from the same code path as the bundled snapshot.
Rate limits (HTTP 429) are waited out; renamed repositories (HTTP 307) are keyed by the id
the Hub returns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from huggingface_hub import HfApi, ModelInfo
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from openness.ingest.records import Progress, no_progress

T = TypeVar("T")
MAX_RETRIES = 5


@dataclass
class FetchReport:
    listed: int = 0
    fetched: int = 0
    resumed: int = 0
    renamed: int = 0
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.listed} listed, {self.fetched} fetched, {self.resumed} already in "
            f"the cache, {self.renamed} renamed, {len(self.failed)} failed"
        )
        return "\n".join([text, *(f"  failed: {f}" for f in self.failed)])


def cache_file(cache: Path, repo_id: str) -> Path:
    return cache / "models" / (repo_id.replace("/", "__") + ".json")


def api_json(info: ModelInfo) -> dict[str, Any]:
    """A ModelInfo back in the Hub's JSON shape, which ``ModelInfo(**body)`` reads again."""
    body: dict[str, Any] = {
        "id": info.id,
        "author": info.author,
        "sha": info.sha,
        "private": info.private,
        "gated": info.gated,
        "disabled": info.disabled,
        "downloads": info.downloads,
        "likes": info.likes,
        "library_name": info.library_name,
        "pipeline_tag": info.pipeline_tag,
        "tags": info.tags,
        "createdAt": _hub_time(info.created_at),
        "lastModified": _hub_time(info.last_modified),
        "cardData": info.card_data.to_dict() if info.card_data is not None else None,
        "siblings": [{"rfilename": s.rfilename} for s in info.siblings or []],
    }
    return {k: v for k, v in body.items() if v is not None}


def _hub_time(value: dt.datetime | None) -> str | None:
    """A time as the Hub writes it (UTC, milliseconds, 'Z'), which ModelInfo parses."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _with_retries(call: Callable[[], T], sleep: Callable[[float], None] = time.sleep) -> T:
    """Call, waiting out rate limits (429) as the Hub's Retry-After asks (capped)."""
    for attempt in range(MAX_RETRIES):
        try:
            return call()
        except HfHubHTTPError as e:
            response = getattr(e, "response", None)
            if response is None or response.status_code != 429 or attempt == MAX_RETRIES - 1:
                raise
            wait = float(response.headers.get("Retry-After", 2**attempt))
            sleep(min(wait, 60.0))
    raise AssertionError("unreachable")


def _write(path: Path, data: Any) -> None:
    """Write atomically, so a killed run never leaves half a file in the cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def fetch_models(
    cache: Path,
    *,
    author: str,
    limit: int,
    endpoint: str | None = None,
    progress: Progress = no_progress,
) -> FetchReport:
    """List ``author``'s models (paginated by the client) and fetch each one not cached."""
    api = HfApi(endpoint=endpoint)
    report = FetchReport()
    listing = _with_retries(lambda: [m.id for m in api.list_models(author=author, limit=limit)])
    report.listed = len(listing)
    renames_path = cache / "renames.json"
    renames: dict[str, list[str]] = (
        json.loads(renames_path.read_text(encoding="utf-8")) if renames_path.is_file() else {}
    )
    for repo_id in progress(listing, len(listing), f"Hub {author}"):
        if cache_file(cache, repo_id).is_file():
            report.resumed += 1
            continue
        try:
            info = _with_retries(lambda r=repo_id: api.model_info(r))
        except RepositoryNotFoundError:
            report.failed.append(f"{repo_id}: not found on the Hub")
            continue
        except HfHubHTTPError as e:
            report.failed.append(f"{repo_id}: {e}")
            continue
        if info.id != repo_id:
            renames.setdefault(info.id, []).append(repo_id)
            report.renamed += 1
            _write(renames_path, renames)
        _write(cache_file(cache, info.id), api_json(info))
        report.fetched += 1
    return report
