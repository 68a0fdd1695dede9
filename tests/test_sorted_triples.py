"""Triples sorted on disk (openness.store.sorted_triples): what update_graph compares."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from openness.store import StoreError
from openness.store.sorted_triples import SortedTriples, differences, parse


def _t(s: str, o: str | ox.Literal) -> ox.Triple:
    obj = o if isinstance(o, ox.Literal) else ox.NamedNode("urn:" + o)
    return ox.Triple(ox.NamedNode("urn:" + s), ox.NamedNode("urn:p"), obj)


def test_lines_come_back_sorted_and_once_across_files() -> None:
    """Runs of two lines spill to files; reading merges them in order, duplicates once,
    and a literal with line breaks stays one line."""
    odd = ox.Literal("two\nlines\r and a \u2028 separator")
    given = [_t("c", "x"), _t("a", "x"), _t("c", "x"), _t("b", odd), _t("a", "y"), _t("a", "x")]
    with SortedTriples(given, run=2) as sorted_:
        lines = list(sorted_.lines())
        assert lines == sorted(set(lines))
        assert len(lines) == 4
        assert set(parse(lines)) == set(given)
        assert not sorted_.blank


def test_a_blank_node_is_noticed() -> None:
    node = ox.Triple(ox.BlankNode(), ox.NamedNode("urn:p"), ox.Literal("x"))
    with SortedTriples([_t("a", "x"), node]) as sorted_:
        assert sorted_.blank


def test_differences_name_what_only_one_side_has() -> None:
    old = [_t("a", "x"), _t("b", "x"), _t("c", "x")]
    new = [_t("b", "x"), _t("c", "y"), _t("d", "x")]
    with SortedTriples(old, run=1) as o, SortedTriples(new, run=1) as n:
        found = list(differences(o.lines(), n.lines()))
    assert {(added, t) for added, line in found for t in parse([line])} == {
        (False, _t("a", "x")),
        (False, _t("c", "x")),
        (True, _t("c", "y")),
        (True, _t("d", "x")),
    }
    assert [line for _, line in found] == sorted(line for _, line in found)


def test_triples_that_fail_half_way_leave_no_files(tmp_path: Path, monkeypatch) -> None:
    """A read that fails half-way (a remote engine's answer broken off or cut short) raises
    inside the constructor, before any `with` holds it: what it spilled is removed."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken() -> Iterator[ox.Triple]:
        yield from (_t(f"s{i}", "x") for i in range(5))
        raise StoreError("broke off")

    with pytest.raises(StoreError, match="broke off"):
        SortedTriples(broken(), run=2)
    assert list(tmp_path.iterdir()) == []
