"""A command that grew the embedded store a lot compacts its files at its end."""

from __future__ import annotations

import itertools
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from support.fake_hub import FakeHub

from openness.cli import cli
from openness.store import EmbeddedStore, RemoteStore
from openness.store import compaction as compaction_module
from openness.store.compaction import compacted_when_grown

GRAPH = "urn:x-test:graph"


def _write(store: EmbeddedStore, n: int, tag: str) -> None:
    """``n`` triples into GRAPH in place of what it held: what they replace stays in the
    store's files until compacted."""
    triples = [
        ox.Triple(ox.NamedNode(f"urn:x-test:s{i}"), ox.NamedNode("urn:x-test:p"), ox.Literal(tag))
        for i in range(n)
    ]
    store.write(add={GRAPH: triples}, before=[f"DROP SILENT GRAPH <{GRAPH}>"])


class Counting:
    """Counts the store's compactions, and compacts."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.calls = 0
        self._optimize = store.optimize

    def __call__(self) -> None:
        self.calls += 1
        self._optimize()


def test_a_store_on_disk_tells_the_size_of_its_files_and_others_none(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    empty = store.size_on_disk()
    _write(store, 5_000, "a")
    assert empty is not None and store.size_on_disk() > empty
    store.close()
    # In memory, or an engine's own files: nothing to compact.
    assert EmbeddedStore(None).size_on_disk() is None
    assert RemoteStore("http://127.0.0.1:9/query").size_on_disk() is None


def test_a_run_that_grew_the_store_enough_compacts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(tmp_path / "store")
    compacted = Counting(store)
    monkeypatch.setattr(store, "optimize", compacted)
    said: list[str] = []
    monkeypatch.setattr(compaction_module, "GROWN_BYTES", 1)
    monkeypatch.setattr(compaction_module, "GROWN_RATIO", 1.0)
    # (What a compaction reclaims shows at scale, not here: a store of a few megabytes is
    # mostly its write-ahead log; see the module's docstring.)
    with compacted_when_grown(store, said.append):
        for tag in "abc":  # written three times: two of them replaced
            _write(store, 20_000, tag)
    assert compacted.calls == 1
    assert "compacting" in said[0] and said[1].startswith("compacted to")
    assert len(list(store.query(f"SELECT * WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p 'c' }} }}"))) == 20_000
    store.close()


@pytest.mark.parametrize(
    ("before", "after", "compacts"),
    [
        (1.0, 4.0, True),  # grown by 3 GB, 4 times
        (1.0, 2.9, False),  # by 1.9 GB: short of GROWN_BYTES
        (10.0, 12.1, False),  # by 2.1 GB, 1.21 times: short of GROWN_RATIO
        (10.0, 12.6, True),
    ],
)
def test_a_run_compacts_the_store_when_it_grew_it_by_both_thresholds(
    monkeypatch: pytest.MonkeyPatch, before: float, after: float, compacts: bool
) -> None:
    store = EmbeddedStore(None)
    sizes = iter([before * 2**30, after * 2**30, 0.5 * 2**30])
    monkeypatch.setattr(store, "size_on_disk", lambda: int(next(sizes)))
    compacted = Counting(store)
    monkeypatch.setattr(store, "optimize", compacted)
    said: list[str] = []
    with compacted_when_grown(store, said.append):
        pass
    assert compacted.calls == int(compacts)
    if compacts:
        assert said == [
            f"the store grew from {before:.1f} to {after:.1f} GB in this run: compacting its "
            "files, which a run this large leaves holding much of what it replaced",
            said[1],
        ]
        assert said[1].startswith("compacted to 0.5 GB in ")


def test_a_run_that_failed_does_not_compact(monkeypatch: pytest.MonkeyPatch) -> None:
    store = EmbeddedStore(None)
    sizes = iter([2**30, 10 * 2**30])
    monkeypatch.setattr(store, "size_on_disk", lambda: next(sizes))
    compacted = Counting(store)
    monkeypatch.setattr(store, "optimize", compacted)
    with pytest.raises(RuntimeError), compacted_when_grown(store, print):
        raise RuntimeError("stopped")
    assert compacted.calls == 0


def test_the_hub_sync_and_the_assessment_compact_a_store_they_grew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every look at the store's files finds them grown by 3 GB (on this small store, what
    # the files take swings with RocksDB's logs and background compactions).
    looks = itertools.count(1)
    monkeypatch.setattr(EmbeddedStore, "size_on_disk", lambda self: 3 * 2**30 * next(looks))
    store = ["--store", str(tmp_path / "store")]
    runner = CliRunner()
    with FakeHub(30) as hub:
        sync = [*store, "ingest", "hf", "--live", "--endpoint", hub.url, "--no-assess"]
        synced = runner.invoke(cli, sync, catch_exceptions=False)
    assert synced.exit_code == 0
    assert "from 3.0 to 6.0 GB in this run: compacting" in synced.stderr
    assessed = runner.invoke(cli, [*store, "assess"], catch_exceptions=False)
    assert assessed.exit_code == 0
    assert "assessed 30 models" in assessed.stderr
    assert "from 12.0 to 15.0 GB in this run: compacting" in assessed.stderr
