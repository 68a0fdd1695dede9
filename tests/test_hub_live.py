"""``openness ingest hf --live`` through huggingface_hub against a replaying Hub server."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import select
from support.hub_replay import HubReplay

from openness.cli import cli
from openness.ingest.hf_live import fetch_models
from openness.resources import sources_dir
from openness.store import EmbeddedStore

RECORDED = sources_dir() / "hf" / "hub_api_recorded"


@pytest.fixture
def hub():
    with HubReplay(RECORDED, extra_listed=["t5-small", "google/no-such-model"]) as server:
        yield server


def test_fetch_pages_renames_404_and_rate_limits(hub: HubReplay, tmp_path: Path) -> None:
    hub.rate_limited.add("google/flan-t5-large")
    report = fetch_models(tmp_path, author="google", limit=50, endpoint=hub.url)
    assert report.listed == 6  # four recorded google models, a renamed one, a missing one
    assert sum(1 for r in hub.requests if r.startswith("/api/models?")) >= 3  # Link pages
    assert report.fetched == 5 and report.renamed == 1
    assert report.failed == ["google/no-such-model: not found on the Hub"]
    assert (tmp_path / "models" / "google-t5__t5-small.json").is_file()  # keyed by returned id
    assert not hub.rate_limited  # the 429 was answered and retried


def test_a_second_run_resumes_from_the_cache(hub: HubReplay, tmp_path: Path) -> None:
    fetch_models(tmp_path, author="google", limit=50, endpoint=hub.url)
    hub.requests.clear()
    report = fetch_models(tmp_path, author="google", limit=50, endpoint=hub.url)
    assert report.resumed == 4 and report.fetched == 1  # only the renamed id is asked again
    assert not any(r.startswith("/api/models/google/flan") for r in hub.requests)


def test_limit_is_honoured(hub: HubReplay, tmp_path: Path) -> None:
    report = fetch_models(tmp_path, author="google", limit=3, endpoint=hub.url)
    assert report.listed == 3


def test_live_ingest_end_to_end(hub: HubReplay, tmp_path: Path) -> None:
    store_dir, cache = tmp_path / "db", tmp_path / "cache"
    result = CliRunner().invoke(
        cli,
        [
            "--store",
            str(store_dir),
            "ingest",
            "hf",
            "--live",
            "--author",
            "google",
            "--endpoint",
            hub.url,
            "--cache",
            str(cache),
            "--limit",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "5 fetched" in result.stderr and "1 failed" in result.stderr
    store = EmbeddedStore(store_dir)
    rows = select(
        store,
        """SELECT ?id ?former WHERE { ?r og:sourceId ?id .
        OPTIONAL { ?r og:formerHubId ?former } } ORDER BY ?id""",
    )
    store.close()
    assert {"id": "google-t5/t5-small", "former": "t5-small"} in rows
    assert {"id": "google/flan-t5-xxl"} in rows


def test_live_needs_an_author(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(tmp_path), "ingest", "hf", "--live"])
    assert result.exit_code == 2 and "--author" in result.output
