"""Bad input is named and skipped, good records still land, and nothing stored is lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import select
from huggingface_hub import ModelInfo

from openness.cli import cli
from openness.ingest import hf
from openness.ingest.hf import model_info, model_triples
from openness.ingest.rdf import Triples
from openness.ingest.records import IngestContext
from openness.ingest.report import IngestReport, RecordError
from openness.ingest.runner import StrictFailure, ingest_all, ingest_source
from openness.namespaces import Graphs
from openness.resources import sources_dir
from openness.store import EmbeddedStore, GraphStore

MOF_FILES = sorted((sources_dir() / "mof" / "models").glob("*.yml"))


def mof_folder(tmp_path: Path, files: list[Path]) -> Path:
    """A MOF checkout layout holding ``files`` (plus the tool's tables)."""
    folder = tmp_path / "mof"
    (folder / "models").mkdir(parents=True)
    for name in ("licenses.json", "mof-licenses.json", "SOURCE.md", "LICENSE"):
        shutil.copy(sources_dir() / "mof" / name, folder / name)
    for f in files:
        shutil.copy(f, folder / "models" / f.name)
    return folder


def graph_quads(store: GraphStore, graph: str) -> set[str]:
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows()
    return {f"{r['s']} {r['p']} {r['o']}" for r in rows}


def test_malformed_and_wrong_records_are_named_and_the_rest_ingested(tmp_path: Path) -> None:
    folder = mof_folder(tmp_path, MOF_FILES[:5])
    (folder / "models" / "broken.yml").write_text("release: [unclosed\n")
    (folder / "models" / "baddate.yml").write_text("release:\n  name: B\n  date: 2025-13-45\n")
    (folder / "models" / "odd.yml").write_text(
        "release:\n  name: Odd\n  producer: X\n  date: yesterday\n  license: {}\n"
        "  components:\n    - name: Model weights\n      license: MIT\n"
        "    - name: Model card\n      license: 42\n"
    )
    store = EmbeddedStore(None)
    report = ingest_source(store, "mof", folder=folder)
    assert report.read == 8 and report.ingested == 6
    assert any("broken.yml" in s and "malformed YAML" in s for s in report.skipped)
    assert any("baddate.yml" in s and "month must be in 1..12" in s for s in report.skipped)
    problems = "\n".join(report.warnings)
    assert "odd.yml, record 'Odd', field 'release.date': not a date" in problems
    assert "field 'release.components[0]': unknown component 'Model weights'" in problems
    names = {r["n"] for r in select(store, "SELECT ?n WHERE { ?r og:sourceId ?n }")}
    assert "Odd" in names and len(names) == 6


def test_strict_turns_any_problem_into_failure_and_stores_nothing(tmp_path: Path) -> None:
    folder = mof_folder(tmp_path, MOF_FILES[:3])
    (folder / "models" / "broken.yml").write_text(": : :\n")
    store = EmbeddedStore(None)
    with pytest.raises(StrictFailure):
        ingest_source(store, "mof", folder=folder, strict=True)
    assert store.graph_sizes() == {}
    result = CliRunner().invoke(
        cli, ["--store", str(tmp_path / "db"), "ingest", "mof", "--from", str(folder), "--strict"]
    )
    assert result.exit_code == 1
    assert "broken.yml" in result.stderr and "nothing of mof was stored" in result.stderr


def test_reingesting_gives_the_same_graph() -> None:
    store = EmbeddedStore(None)
    first = {}
    for name in ("mof", "osai-index", "curated"):
        ingest_source(store, name)
        first[name] = graph_quads(store, Graphs.source(name))
    for name in ("mof", "osai-index", "curated"):
        ingest_source(store, name)
        assert graph_quads(store, Graphs.source(name)) == first[name], name


def test_legacy_records_with_only_model_id(tmp_path: Path) -> None:
    folder = tmp_path / "hf"
    folder.mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "hf-legacy" / "models_2022-02.jsonl", folder)
    store = EmbeddedStore(None)
    report = ingest_source(store, "hf", folder=folder)
    assert report.ingested == 60 and not report.problems
    rows = select(
        store,
        """SELECT ?lic WHERE { ?r og:sourceId "EleutherAI/gpt-j-6B" ;
        dcterms:license ?lic }""",
    )
    assert rows == [{"lic": "https://spdx.org/licenses/Apache-2.0"}]


def test_a_jsonl_record_holding_a_unicode_line_separator_is_one_record(tmp_path: Path) -> None:
    """JSON writes U+2028 and NEL in strings as they are (unless asked for ASCII), and a
    JSON Lines file is split at line feeds only: where Python's splitlines breaks too, such
    a record became two malformed ones."""
    folder = tmp_path / "hf"
    folder.mkdir()
    fixture = Path(__file__).parent / "fixtures" / "hf-legacy" / "models_2022-02.jsonl"
    records = [json.loads(line) for line in fixture.read_text(encoding="utf-8").split("\n") if line]
    records[0]["note"] = "one\u2028two\x85three"
    written = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    assert "\u2028" in written
    (folder / fixture.name).write_text(written, encoding="utf-8")
    report = ingest_source(EmbeddedStore(None), "hf", folder=folder)
    assert report.ingested == 60 and not report.problems


def test_replacing_a_source_leaves_other_graphs_alone() -> None:
    store = EmbeddedStore(None)
    other = "http://example.org/mine"
    store.replace_graph(
        other, [ox.Triple(ox.NamedNode(other), ox.NamedNode(other), ox.Literal("kept"))]
    )
    ingest_source(store, "curated")
    assert store.graph_sizes()[other] == 1


def test_hub_model_triples_read_the_card_as_its_to_dict_has_it(monkeypatch) -> None:
    # The card's fields are read without CardData.to_dict()'s deep copy: every recorded
    # model must give the same triples as when read through to_dict.
    bodies = sorted((sources_dir() / "hf" / "hub_api_recorded").glob("model_info*/*.json"))
    assert len(bodies) > 35
    ctx = IngestContext()

    def triples(info: ModelInfo) -> list[ox.Triple]:
        out = Triples()
        model_triples(info, out, ctx, file="x", former_ids=["old/id"], report=IngestReport("hf"))
        return list(out)

    infos = [model_info(json.loads(p.read_text(encoding="utf-8")), p.name) for p in bodies]
    assert sum(1 for i in infos if hf.card_fields(i).get("license")) > 20
    fields = [triples(i) for i in infos]
    monkeypatch.setattr(
        hf, "card_fields", lambda i: i.card_data.to_dict() if i.card_data is not None else {}
    )
    assert [triples(i) for i in infos] == fields


def test_a_hub_card_that_is_not_a_mapping_is_named() -> None:
    with pytest.raises(RecordError, match="cardData is not a mapping") as e:
        model_info({"id": "a/b", "cardData": "license: mit"}, "page[3]")
    assert "page[3]" in str(e.value) and "a/b" in str(e.value)


@pytest.mark.parametrize("source", ["hf", "croissant", "curated", "fmti"])
def test_a_folder_with_no_record_keeps_what_was_stored(
    built: GraphStore, tmp_path: Path, source: str
) -> None:
    """An empty (or wrong) folder read nothing: an error naming it, and the source's
    graph as it was — it was replaced by an empty one, models and verdicts lost."""
    store = EmbeddedStore(None)
    store._store.extend(built._store)  # noqa: SLF001 - a test's copy
    before = graph_quads(store, Graphs.source(source))
    assert before
    (tmp_path / "empty").mkdir()
    with pytest.raises(RecordError, match=f"no {source} record in it"):
        ingest_source(store, source, folder=tmp_path / "empty")
    assert graph_quads(store, Graphs.source(source)) == before


def test_a_value_of_an_unexpected_kind_is_an_error_not_a_traceback(
    built: GraphStore, tmp_path: Path
) -> None:
    """A component named by a list (the reader expects text) ends the ingest with an error
    naming the folder and what went wrong, nothing stored; the CLI prints it in one line."""
    folder = mof_folder(tmp_path, MOF_FILES[:3])
    bad = folder / "models" / MOF_FILES[0].name
    bad.write_text(
        bad.read_text().replace("name: 'Model architecture'", "name: ['Model architecture']", 1)
    )
    assert "['Model architecture']" in bad.read_text()
    store = EmbeddedStore(None)
    store._store.extend(built._store)  # noqa: SLF001 - a test's copy
    before = graph_quads(store, Graphs.source("mof"))
    with pytest.raises(RecordError, match="cannot be read as the mof source"):
        ingest_source(store, "mof", folder=folder)
    assert graph_quads(store, Graphs.source("mof")) == before
    result = CliRunner().invoke(
        cli, ["--store", str(tmp_path / "store"), "ingest", "mof", "--from", str(folder)]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot be read as the mof source" in result.output


def test_a_curated_entry_skipped_leaves_nothing_of_itself(tmp_path: Path) -> None:
    """A published verdict whose date is no date is skipped whole: none of its triples stay
    (its type, test and result were kept, without a date)."""
    folder = tmp_path / "curated"
    shutil.copytree(sources_dir() / "curated", folder)
    verdicts = folder / "verdicts.yaml"
    text = verdicts.read_text()
    first_date = next(line for line in text.splitlines() if line.strip().startswith("date:"))
    verdicts.write_text(text.replace(first_date, first_date.split(":")[0] + ": Oct 2024", 1))
    store = EmbeddedStore(None)
    report = ingest_source(store, "curated", folder=folder)
    assert any("verdicts.yaml" in s for s in report.skipped)
    stored = store.count("SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE { ?v a og:PublishedVerdict }")
    assert stored == report.counts["published verdicts"] == 16


def test_sources_stored_before_a_strict_stop_are_linked(
    built: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ingest --strict` of every source stops at the first with a warning (the bundled
    Croissant files have one); the sources replaced before it are linked to models again,
    so no model keeps a record the new MOF data no longer has."""
    home = tmp_path / "home"
    home.mkdir()
    for part in ("ontology", "shapes", "queries"):
        (home / part).symlink_to(sources_dir().parent.parent / part)
    shutil.copytree(sources_dir(), home / "data" / "sources")
    (home / "data" / "sources" / "mof" / "models" / "Amber.yml").unlink()
    monkeypatch.setenv("OPENNESS_HOME", str(home))
    store = EmbeddedStore(None)
    store._store.extend(built._store)  # noqa: SLF001 - a test's copy
    amber = "https://w3id.org/openness-graph/id/record/mof/amber"
    linked = f"ASK {{ GRAPH <{Graphs.IDENTITY}> {{ ?m og:hasRecord <{amber}> }} }}"
    assert store.query(linked)
    with pytest.raises(StrictFailure):
        ingest_all(store, strict=True)
    assert not store.query(f"ASK {{ <{amber}> ?p ?o }}")  # the MOF source was replaced
    assert not store.query(linked)
