"""Bad input is named and skipped, good records still land, and nothing stored is lost."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner
from conftest import copy_of, select
from huggingface_hub import ModelInfo

import openness.cli as cli_module
from openness.assess.run import assess
from openness.assess.store import save
from openness.cli import cli
from openness.ingest import hf, mof, snapshots
from openness.ingest.hf import model_info, model_triples
from openness.ingest.identity import producer_words
from openness.ingest.organizations import default_organizations, held_organizations
from openness.ingest.rdf import Triples
from openness.ingest.records import IngestContext
from openness.ingest.report import IngestReport, RecordError
from openness.ingest.runner import StrictFailure, ingest_all, ingest_source
from openness.ingest.snapshots import manifest
from openness.namespaces import COMPONENT, Graphs, mint
from openness.resources import sources_dir
from openness.store import EmbeddedStore, GraphStore
from openness.vocabularies import load_vocabularies

MOF_FILES = sorted((sources_dir() / "mof" / "models").glob("*.yml"))
MODEL_TEMPLATE = "HuggingFaceH4__zephyr-7b-beta.json"  # a recorded Hub model body


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


def test_a_reader_that_fails_is_an_error_not_a_traceback(
    built: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that fails on what it did not foresee ends the ingest with an error naming
    the folder and what went wrong, nothing stored; the CLI prints it in one line."""
    folder = mof_folder(tmp_path, MOF_FILES[:3])

    def fails(*args: object) -> None:
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(mof, "_component", fails)
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


def _copy(tmp_path: Path, source: str, keep: int | None = None) -> Path:
    """A copy of a bundled source's folder; ``keep``: only its first record files."""
    folder = tmp_path / source
    shutil.copytree(sources_dir() / source, folder)
    files = sorted((folder / "models").glob("*")) if (folder / "models").is_dir() else []
    files = files or sorted(folder.glob("*.json"))
    for f in files[keep:] if keep else []:
        f.unlink()
    return folder


def _edit_yaml(path: Path, edit: Callable[[dict], None]) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _edit_json(path: Path, edit: Callable[[Any], None]) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _component_name_a_list(tmp_path: Path) -> Path:
    folder = _copy(tmp_path, "mof", 3)
    first = sorted((folder / "models").glob("*.yml"))[0]
    _edit_yaml(first, lambda d: d["release"]["components"][0].update(name=["Model architecture"]))
    return folder


def _link_no_url(tmp_path: Path) -> Path:
    folder = _copy(tmp_path, "osai-index", 3)
    first = sorted((folder / "models").glob("*.yaml"))[0]
    _edit_yaml(first, lambda d: d["system"].update(link="see the paper", type={"a": "b"}))
    return folder


def _content_url_a_list(tmp_path: Path) -> Path:
    folder = _copy(tmp_path, "croissant", 3)
    first = sorted(folder.glob("*.json"))[0]
    _edit_json(first, lambda d: d["distribution"][0].update(contentUrl=["a", "b"]))
    return folder


def _licence_id_a_list(tmp_path: Path) -> Path:
    folder = _copy(tmp_path, "spdx")
    _edit_json(folder / "licenses.json", lambda d: d["licenses"][1].update(licenseId=["X"]))
    _edit_json(folder / "licenses.json", lambda d: d["licenses"][2].update(seeAlso=7))
    return folder


def _hub_values_of_other_kinds(tmp_path: Path) -> Path:
    folder = tmp_path / "hf"
    folder.mkdir()
    fixture = Path(__file__).parent / "fixtures" / "hf-legacy" / "models_2022-02.jsonl"
    records = [json.loads(line) for line in fixture.read_text(encoding="utf-8").split("\n") if line]
    records[0]["modelId"] = ["a/b"]
    records[1]["cardData"] = {"license": {"k": "v"}, "datasets": ["squad", ["x"]]}
    lines = "".join(json.dumps(r) + "\n" for r in records)
    (folder / fixture.name).write_text(lines, encoding="utf-8")
    cards = folder / "dataset_cards_2022"
    cards.mkdir()
    card = {"dataset": ["squad"], "front_matter_yaml": "license: mit\n"}
    good = {"dataset": "squad", "front_matter_yaml": "license: [mit, {k: v}]\n"}
    text = json.dumps(card) + "\n" + json.dumps(good) + "\n"
    (cards / "cards.jsonl").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("source", "prepare", "ingested", "named"),
    [
        (
            "mof",
            _component_name_a_list,
            3,
            ["field 'release.components[0].name': expected text, got a list"],
        ),
        (
            "osai-index",
            _link_no_url,
            3,
            [
                "field 'system.link': not a URL: 'see the paper'",
                "field 'system.type': expected text, got a mapping",
            ],
        ),
        (
            "croissant",
            _content_url_a_list,
            3,
            ["field 'distribution[0].contentUrl': expected text, got a list"],
        ),
        (
            "spdx",
            _licence_id_a_list,
            None,
            [
                "licenses.json, record '#1', field 'licenseId': expected text, got a list",
                "field 'seeAlso': expected a list, got a number",
            ],
        ),
        (
            "hf",
            _hub_values_of_other_kinds,
            60,
            [
                "models_2022-02.jsonl:1, field 'id': expected a repository id, got ['a/b']",
                "field 'cardData.license': expected text, got a mapping",
                "field 'cardData.datasets[1]': expected text, got a list",
                "line 1, field 'dataset': expected text, got a list",
                "line 2, record 'squad', field 'license[1]': expected text, got a mapping",
            ],
        ),
    ],
)
def test_a_value_of_an_unexpected_kind_is_named_and_the_other_records_kept(
    tmp_path: Path,
    source: str,
    prepare: Callable[[Path], Path],
    ingested: int | None,
    named: list[str],
) -> None:
    """A list where text is expected, text where a mapping or a URL is: the record's field
    (or, its id, the record) is left out, named by file, record and field, and the other
    records are stored — where the whole source stopped with an error, or the value was
    stored as its Python spelling ("['a', 'b']"). Nothing of the kind is stored."""
    folder = prepare(tmp_path)
    store = EmbeddedStore(None)
    report = ingest_source(store, source, folder=folder)
    problems = "\n".join(report.problems)
    for message in named:
        assert message in problems
    if ingested is not None:
        assert report.ingested == ingested
    else:
        assert report.ingested == report.read - 1
    stored = "\n".join(graph_quads(store, Graphs.source(source)))
    for spelling in ("['Model", "['a', 'b']", "['x']", "{'a': 'b'}", "{'k': 'v'}", "see the paper"):
        assert spelling not in stored


@pytest.mark.parametrize(
    ("source", "file", "kept"),
    [
        ("mof", "models/Amber.yml", 272),
        ("osai-index", "models/33x-coder.yaml", 192),
        ("fmti", "Dec2025/Dec2025_scores.csv", 200),  # its edition left out, the others kept
    ],
)
def test_a_file_not_in_utf8_or_a_folder_in_its_place_is_named_and_the_rest_kept(
    tmp_path: Path, source: str, file: str, kept: int
) -> None:
    """A record's file with a byte that is no UTF-8 (a Latin-1 'é'), or a folder where the
    file is: that file is skipped, named with the line, and the other files stored, where
    the whole source stopped ("cannot be read as the mof source (UnicodeDecodeError: …
    position 104 …)", no file named), nothing stored."""
    folder = tmp_path / source
    shutil.copytree(sources_dir() / source, folder)
    text = (folder / file).read_bytes()
    second = text.index(b"\n") + 1
    # The column counted in characters, as an editor shows it ('é' is two bytes of UTF-8).
    (folder / file).write_bytes(text[:second] + "café".encode() + b"\xe9" + text[second:])
    report = ingest_source(EmbeddedStore(None), source, folder=folder)
    assert f"{file}: not UTF-8: byte 0xe9 at line 2, column 5" in report.skipped
    assert report.ingested == kept
    (folder / file).unlink()
    (folder / file).mkdir()
    report = ingest_source(EmbeddedStore(None), source, folder=folder)
    assert f"{file}: a folder, not a file" in report.skipped, report.skipped
    assert report.ingested == kept


def test_a_licence_string_no_licence_resolves_is_counted_in_the_summary(tmp_path: Path) -> None:
    """A refresh bringing a misspelt licence id ('Apache-2.1-nonexistent') said nothing of
    it (0 with warnings), its models' licences then 'cannot tell'; now the summary counts
    such strings and names the query that lists them."""
    folder = mof_folder(tmp_path, MOF_FILES[:3])
    kind = "licence strings no licence resolves (query unresolved-licences)"
    assert kind not in ingest_source(EmbeddedStore(None), "mof", folder=folder).counts
    (folder / "models" / "odd.yml").write_text(
        "release:\n  name: Odd\n  producer: X\n  license: {}\n  components:\n"
        "    - name: Model architecture\n      license: Apache-2.1-nonexistent\n"
        "    - name: Model card\n      license: Apache-2.1-nonexistent\n",
        encoding="utf-8",
    )
    report = ingest_source(EmbeddedStore(None), "mof", folder=folder)
    assert report.counts[kind] == 1  # one string, stated twice
    assert f"1 {kind}" in report.summary() and not report.problems


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: b"",  # emptied
        lambda text: b"# caf\xe9\n" + text,  # a Latin-1 byte
        lambda text: text[: len(text) // 2] + b"\n  - name: [",  # cut short
    ],
    ids=["empty", "not-utf8", "truncated"],
)
def test_a_list_file_that_cannot_be_read_refuses_its_source(
    built: GraphStore, tmp_path: Path, spoil: Callable[[bytes], bytes]
) -> None:
    """curated/models.yaml emptied, with a Latin-1 byte or cut short: skipped, the rest of
    the source was stored, so every model it listed went (curated graph 1 029 → 896
    triples, exit 0), and which ones cannot be told without reading the file; now the
    source is refused, the file named, the stored graph kept whole."""
    store = copy_of(built)
    before = graph_quads(store, Graphs.source("curated"))
    folder = tmp_path / "curated"
    shutil.copytree(sources_dir() / "curated", folder)
    models = folder / "models.yaml"
    models.write_bytes(spoil(models.read_bytes()))
    with pytest.raises(
        RecordError, match=r"^models.yaml: (an empty file|not UTF-8|malformed YAML)"
    ):
        ingest_source(store, "curated", folder=folder)
    assert graph_quads(store, Graphs.source("curated")) == before
    result = CliRunner().invoke(
        cli, ["--store", str(tmp_path / "s"), "ingest", "curated", "--from", str(folder)]
    )
    assert result.exit_code == 1 and "models.yaml" in result.output, result.output


def small_build(tmp_path: Path) -> tuple[EmbeddedStore, Path, str]:
    """A store of the licences and three MOF records, every model assessed; the folder
    the records were read from; the model of its first file's record."""
    folder = mof_folder(tmp_path, MOF_FILES[:3])
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_all(store, ["spdx"])
    ingest_all(store, ["mof"], folder=folder)
    save(store, assess(store), started=dt.datetime.now(dt.UTC))
    record = mint("record", "mof", MOF_FILES[0].stem)
    (row,) = select(store, f"SELECT ?m WHERE {{ ?m a og:Model ; og:hasRecord <{record}> }}")
    return store, folder, row["m"]


@pytest.mark.timeout(300)  # a hang guard
def test_a_stored_record_whose_file_cannot_be_read_is_kept_as_stored(tmp_path: Path) -> None:
    """A MOF file made non-UTF-8 after a build: it was skipped and the rest stored, so its
    model, whose only record it is, was withdrawn (a tombstone, 410) at exit 0 — one bad
    byte, where before the whole source was refused, nothing lost. Now the stored record
    is kept (the graph as it was), said in the summary, the model and its verdicts as
    they were; --strict refuses the source."""
    store, folder, model = small_build(tmp_path)
    before = graph_quads(store, Graphs.source("mof"))
    path = folder / "models" / MOF_FILES[0].name
    text = path.read_bytes()
    second = text.index(b"\n") + 1
    path.write_bytes(text[:second] + b"caf\xe9" + text[second:])
    with pytest.raises(StrictFailure):
        ingest_source(store, "mof", folder=folder, strict=True)
    report = ingest_all(store, ["mof"], folder=folder)[0]
    said = f"models/{path.name}: not UTF-8: byte 0xe9 at line 2, column 4"
    assert report.kept == [f"{said}; the stored record was kept"] and not report.skipped
    assert "0 skipped, 1 kept as stored" in report.summary()
    assert f"  kept as stored: {said}; the stored record was kept" in report.summary()
    assert graph_quads(store, Graphs.source("mof")) == before
    assert not select(store, f"SELECT ?t WHERE {{ <{model}> a og:WithdrawnModel }}")
    run = assess(store, None, [model])  # its evidence as it was: its verdicts kept, not judged
    assert (run.kept, run.models, run.gone) == (1, [], [])


def test_a_record_file_never_stored_that_cannot_be_read_is_skipped(tmp_path: Path) -> None:
    """The same file, never stored: skipped and named as before, nothing kept."""
    folder = mof_folder(tmp_path, MOF_FILES[:3])
    path = folder / "models" / MOF_FILES[0].name
    path.write_bytes(b"# caf\xe9\n" + path.read_bytes())
    store = EmbeddedStore(None)
    ingest_source(store, "mof", folder=mof_folder(tmp_path / "other", MOF_FILES[1:3]))
    report = ingest_source(store, "mof", folder=folder)
    assert report.skipped == [f"models/{path.name}: not UTF-8: byte 0xe9 at line 1, column 6"]
    assert not report.kept and report.ingested == 2
    record = mint("record", "mof", MOF_FILES[0].stem)
    assert not select(store, f"SELECT ?p WHERE {{ <{record}> ?p ?o }}")


def test_a_folder_with_no_record_says_why(built: GraphStore, tmp_path: Path) -> None:
    """An FMTI folder whose editions.yaml is cut short reads no record: the error said "no
    fmti record in it (1 read)", not what was wrong, which the summary it stands for names."""
    store = copy_of(built)
    before = graph_quads(store, Graphs.source("fmti"))
    folder = tmp_path / "fmti"
    shutil.copytree(sources_dir() / "fmti", folder)
    text = (folder / "editions.yaml").read_text(encoding="utf-8")
    (folder / "editions.yaml").write_text(text[: len(text) // 2] + "\n  developers: [")
    with pytest.raises(RecordError, match=r"(?s)^editions.yaml: malformed YAML: .*line \d+"):
        ingest_source(store, "fmti", folder=folder)
    assert graph_quads(store, Graphs.source("fmti")) == before


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


def test_a_required_field_yaml_read_as_a_date_is_kept_as_written(tmp_path: Path) -> None:
    """An unquoted date where text is required (a verdict's against_version, as a dated
    criteria text has it) is the text it was written as, as in an optional text field: the
    verdict was skipped as 'expected text, got date', where it was stored before."""
    folder = tmp_path / "curated"
    shutil.copytree(sources_dir() / "curated", folder)
    verdicts = folder / "verdicts.yaml"
    text = verdicts.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if "against_version:" in line)
    indent = first[: len(first) - len(first.lstrip())]
    verdicts.write_text(
        text.replace(first, indent + "against_version: 2024-10-22", 1), encoding="utf-8"
    )
    store = EmbeddedStore(None)
    report = ingest_source(store, "curated", folder=folder)
    assert not report.skipped
    assert report.counts["published verdicts"] == 17
    assert store.query('ASK { ?v a og:PublishedVerdict ; og:againstVersion "2024-10-22" }')


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
    # The MOF source was replaced (the identity graph keeps the record's IRI as removed).
    assert not store.query(f"ASK {{ GRAPH <{Graphs.source('mof')}> {{ <{amber}> ?p ?o }} }}")
    assert not store.query(linked)


def test_spdx_entries_repeated_or_of_other_kinds_are_named_and_the_rest_kept(
    tmp_path: Path,
) -> None:
    """An SPDX licence listed twice made one licence of both (two labels, contradicting
    flags), a name given as a list was stored as its Python spelling, and "true" as text
    stored a string where SHACL reads a boolean. The repeated entry is skipped naming both
    (the first is kept), a field of another kind is left out naming the entry; the others
    are kept."""
    folder = _copy(tmp_path, "spdx")

    def edit(doc: dict) -> None:
        entries = doc["licenses"]
        mit = next(e for e in entries if e["licenseId"] == "MIT")
        entries.append({**mit, "name": "Not MIT", "isOsiApproved": False})
        entries[0]["name"] = ["BSD Zero Clause License", "0BSD"]
        entries[1]["isOsiApproved"] = "true"

    _edit_json(folder / "licenses.json", edit)
    store = EmbeddedStore(None)
    report = ingest_source(store, "spdx", folder=folder)
    count = len(json.loads((folder / "licenses.json").read_text())["licenses"])
    assert any(
        s.startswith(f"licenses.json #{count - 1}, record 'MIT': the same record id")
        and "as licenses.json #" in s
        for s in report.skipped
    )
    assert "licenses.json, record '0BSD', field 'name': expected text, got a list" in (
        report.warnings
    )
    assert any(
        "field 'isOsiApproved': expected true or false, got text 'true'" in w
        for w in (report.warnings)
    )
    assert len(report.skipped) == 1 and report.ingested == report.read - 1
    label = "SELECT ?l WHERE { <https://spdx.org/licenses/%s> rdfs:label ?l }"
    assert select(store, label % "MIT") == [{"l": "MIT License"}]
    osi = "SELECT ?o WHERE { <https://spdx.org/licenses/MIT> expandedlicensing:isOsiApproved ?o }"
    assert select(store, osi) == [{"o": "true"}]
    assert select(store, label % "0BSD") == []
    second = json.loads((folder / "licenses.json").read_text())["licenses"][1]["licenseId"]
    flags = f"ASK {{ <https://spdx.org/licenses/{second}> expandedlicensing:isOsiApproved ?o }}"
    assert not store.query(flags)


@pytest.mark.parametrize("source", ["mof", "osai-index"])
def test_two_files_of_one_record_id_are_named_and_the_first_kept(
    tmp_path: Path, source: str
) -> None:
    """Two files whose names make one record id (``X.yml`` and ``X.yaml``) merged into one
    record silently, holding both files' facts (two files, two names). The later by path
    is skipped naming both; the first is kept whole."""
    folder = _copy(tmp_path, source, 2)
    original = sorted((folder / "models").glob("*"))[0]
    twin = original.with_suffix(".yml" if original.suffix == ".yaml" else ".yaml")
    twin.write_text(original.read_text(encoding="utf-8").replace("name:", "name: x", 1))
    kept, skipped = sorted([original, twin])
    store = EmbeddedStore(None)
    report = ingest_source(store, source, folder=folder)
    record = yaml.safe_load(skipped.read_text())["release"]["name"] if source == "mof" else None
    assert report.skipped == [
        f"models/{skipped.name}, record {record or skipped.stem!r}: the same record id "
        f"({mint('record', source, skipped.stem)}) as models/{kept.name}: models/{kept.name} "
        "is kept, this one skipped"
    ]
    files = select(store, "SELECT ?f WHERE { ?r a og:SourceRecord ; og:sourceFile ?f }")
    assert sorted(r["f"] for r in files) == sorted(
        f"models/{p.name}" for p in (folder / "models").glob("*") if p != skipped
    )


def test_two_curated_entries_of_one_node_are_named_and_the_first_kept(tmp_path: Path) -> None:
    """Two curated models of one name merged into one record (two licences, two sources)."""
    folder = _copy(tmp_path, "curated")
    models = folder / "models.yaml"
    entries = yaml.safe_load(models.read_text(encoding="utf-8"))
    entries.append({**entries[0], "license": "MIT", "source": "https://example.org/other"})
    models.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")
    report = ingest_source(store := EmbeddedStore(None), "curated", folder=folder)
    name = entries[0]["name"]
    assert report.skipped == [
        f"models.yaml #{len(entries) - 1}, record {name!r}: the same record id "
        f"({mint('record', 'curated', name)}) as models.yaml #0: models.yaml #0 is kept, "
        "this one skipped"
    ]
    rows = select(
        store, f"SELECT ?u WHERE {{ <{mint('record', 'curated', name)}> prov:wasDerivedFrom ?u }}"
    )
    assert rows == [{"u": entries[0]["source"]}]


@pytest.mark.parametrize("source", ["mof", "osai-index"])
def test_a_folder_without_source_md_is_warned_of(tmp_path: Path, source: str) -> None:
    """Each record links to its file upstream at the commit SOURCE.md names: without one
    (a checkout read with --from), every link was dropped and nothing said so."""
    folder = _copy(tmp_path, source, 2)
    linked = "ASK { ?r a og:SourceRecord ; prov:wasDerivedFrom ?url }"
    store = EmbeddedStore(None)
    assert not ingest_source(store, source, folder=folder).problems and store.query(linked)
    (folder / "SOURCE.md").unlink()
    report = ingest_source(store, source, folder=folder)
    assert report.warnings == [
        f"{folder / 'SOURCE.md'}: names no upstream commit, or is missing: "
        "the records are stored without a link to their file upstream"
    ]
    assert report.ingested == 2 and not store.query(linked)


def test_a_croissant_header_copied_from_another_dataset_gives_it_no_licence() -> None:
    """prism-alignment's description (upstream, as bundled) carries MNIST's name, url, text
    and licence, its files PRISM's: the warning says so, and PRISM is not given MNIST's MIT
    licence (its name was already left out)."""
    store = EmbeddedStore(None)
    report = ingest_source(store, "croissant")
    licensed = """SELECT ?repo ?l WHERE { ?d og:huggingFaceRepo ?repo ; dcterms:license ?l
                  FILTER (?repo IN ("HannahRoseKirk/prism-alignment", "ylecun/mnist")) }"""
    assert select(store, licensed) == [
        {"repo": "ylecun/mnist", "l": "https://spdx.org/licenses/MIT"}
    ]
    assert report.warnings == [
        "huggingface-prism-alignment__croissant-1.0.json, field 'url': the url names the Hub "
        "dataset mnist but the files come from HannahRoseKirk/prism-alignment: described as "
        "HannahRoseKirk/prism-alignment, without the name and licence given beside that url"
    ]


MNIST_CROISSANT = "huggingface-mnist__croissant-1.0.json"
FILE_SET = """SELECT ?set ?doc WHERE { ?d schema:distribution ?set ; og:sourceFile ?file .
              ?set a cr:FileSet OPTIONAL { ?d prov:wasDerivedFrom ?doc } }"""


def test_a_croissant_description_from_elsewhere_has_a_base_of_its_own_unless_its_origin_is_listed(
    tmp_path: Path,
) -> None:
    """A folder read with --from is not the bundled one, though it holds a file of the same
    name: without an origins.yaml of its own its relative ids resolve under its record, as
    the bundled list does not tell where it was published, and no node is said to be
    defined by a document; listed as fetched from the Hub's /api/datasets/<id>/croissant,
    they resolve against that URL, as JSON-LD does, and are rdfs:isDefinedBy it."""
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(sources_dir() / "croissant" / MNIST_CROISSANT, folder)
    store = EmbeddedStore(None)
    defined = "SELECT DISTINCT ?d WHERE { ?n rdfs:isDefinedBy ?d }"
    assert not ingest_source(store, "croissant", folder=folder).problems
    own = mint("croissant", "huggingface-mnist__croissant-1.0") + "/"
    assert select(store, FILE_SET) == [{"set": own + "parquet-files"}]
    assert not select(store, defined)
    hub = "https://huggingface.co/api/datasets/ylecun/mnist/croissant"
    (folder / "origins.yaml").write_text(yaml.safe_dump([{"file": MNIST_CROISSANT, "url": hub}]))
    assert not ingest_source(store, "croissant", folder=folder).problems
    assert select(store, FILE_SET) == [
        {"set": "https://huggingface.co/api/datasets/ylecun/mnist/parquet-files", "doc": hub}
    ]
    assert select(store, defined) == [{"d": hub}]


def test_what_is_wrong_in_a_croissant_folder_names_its_file(tmp_path: Path) -> None:
    """An origins.yaml entry that cannot be used is named (its description keeps a base of
    its own, the others hold), and a description that cannot be read still names its
    file."""
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(sources_dir() / "croissant" / MNIST_CROISSANT, folder)
    (folder / "broken.json").write_text("{", encoding="utf-8")
    hub_folder = "https://huggingface.co/api/datasets/ylecun/mnist/"
    hub = hub_folder + "croissant"
    entries = [
        {"file": MNIST_CROISSANT, "url": hub},
        {"file": "broken.json", "url": hub},
        {"file": "a.json", "url": "see the Hub"},
        {"file": "b.json", "url": "https://[example.org/b"},
        {"file": "c.json", "link": hub},
    ]
    (folder / "origins.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")
    report = ingest_source(EmbeddedStore(None), "croissant", folder=folder)
    assert report.read == 2 and report.ingested == 1 and not report.warnings
    assert report.skipped[:4] == [
        f"origins.yaml #1, record 'broken.json': the same record id ({hub_folder}) as "
        "origins.yaml #0: "
        "origins.yaml #0 is kept, this one skipped",
        "origins.yaml, record 'a.json', field 'url': not a URL: 'see the Hub'",
        "origins.yaml, record 'b.json', field 'url': not an IRI: Invalid character '[' in host",
        "origins.yaml, record 'c.json', field 'link': unknown field",
    ]
    assert len(report.skipped) == 5 and report.skipped[4].startswith("broken.json: malformed JSON")


def test_croissant_descriptions_published_side_by_side_keep_their_nodes_apart(
    tmp_path: Path,
) -> None:
    """Two descriptions published in one folder (…/c/a.json, …/c/b.json) name their nodes
    alike: JSON-LD resolves the one's 'parquet-files' and the other's to …/c/parquet-files,
    one node described as both (two contentUrls, two descriptions' fields). The second
    listed is named and keeps a base of its own, as one listed at a URN does, against which
    every description's relative ids resolve alike ('repo' in urn:x:c is urn:repo)."""
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in ("a.json", "b.json", "c.json"):
        shutil.copy(sources_dir() / "croissant" / MNIST_CROISSANT, folder / name)
    entries = [
        {"file": "a.json", "url": "https://e.org/c/a.json"},
        {"file": "b.json", "url": "https://e.org/c/b.json"},
        {"file": "c.json", "url": "urn:x:c"},
    ]
    (folder / "origins.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")
    store = EmbeddedStore(None)
    report = ingest_source(store, "croissant", folder=folder)
    assert report.skipped == [
        "origins.yaml #1, record 'b.json': the same record id (https://e.org/c/) as "
        "origins.yaml #0: origins.yaml #0 is kept, this one skipped",
        "origins.yaml, record 'c.json', field 'url': 'urn:x:c' is no URL with a folder its "
        "relative ids would resolve under",
    ]
    rows = select(store, FILE_SET)
    assert len(rows) == len({r["set"] for r in rows}) == 3, rows


ACME_LICENCE = "https://w3id.org/openness-graph/id/license/acme-model-licence"


def _curated_folder(tmp_path: Path, organizations: list, licences: str) -> Path:
    """A small curated folder: these organizations, one model produced by 'Acme AI' under
    the 'Acme-Model-Licence', and ``licences`` as its AI licence file."""
    folder = tmp_path / "curated"
    folder.mkdir()
    (folder / "organizations.yaml").write_text(yaml.safe_dump(organizations), encoding="utf-8")
    model = {
        "name": "Acme Model",
        "producer": "Acme AI",
        "license": "Acme-Model-Licence",
        "source": "https://example.org/acme-model",
    }
    (folder / "models.yaml").write_text(yaml.safe_dump([model]), encoding="utf-8")
    (folder / "ai-licenses.ttl").write_text(licences, encoding="utf-8")
    return folder


def test_a_curated_folder_given_names_the_organizations_and_licences_its_records_use(
    tmp_path: Path,
) -> None:
    """`ingest curated --from DIR` named a model's producer and resolved its licence by the
    bundled organization and licence files, not DIR's: a producer DIR's organizations.yaml
    spells by an alias was minted as an organization of its own, and a licence DIR's
    ai-licenses.ttl adds stayed unresolved. What is wrong in those files is named once,
    by file, record and field, and the rest of them is read."""
    organizations = [
        {"name": "Acme Research Lab", "aliases": ["Acme AI", {"bad": "alias"}], "kind": "company"},
        {"name": "Odd Org", "colour": "blue"},
    ]
    licences = f"""
        <{ACME_LICENCE}> a <https://w3id.org/openness-graph/ns#AILicense> ;
          <http://purl.org/dc/terms/identifier> "Acme-Model-Licence" ;
          <http://www.w3.org/2000/01/rdf-schema#label> "Acme Model Licence" .
        <{ACME_LICENCE}-2> a <https://w3id.org/openness-graph/ns#AILicense> ;
          <http://purl.org/dc/terms/identifier> "Acme-Model-Licence-2" .
    """
    folder = _curated_folder(tmp_path, organizations, licences)
    store = EmbeddedStore(None)
    report = ingest_source(store, "curated", folder=folder)
    record = mint("record", "curated", "Acme Model")
    rows = select(store, f"SELECT ?o WHERE {{ <{record}> og:producer ?o }}")
    assert rows == [{"o": mint("org", "Acme Research Lab")}]
    rows = select(store, f"SELECT ?l WHERE {{ <{record}> dcterms:license ?l }}")
    assert rows == [{"l": ACME_LICENCE}]
    assert report.warnings == [
        "organizations.yaml, record 'Acme Research Lab', field 'aliases[1]': "
        "expected text, got a mapping"
    ]
    assert report.skipped == [
        "organizations.yaml, record '#1', field 'colour': unknown field",
        f"ai-licenses.ttl, record '{ACME_LICENCE}-2', field 'rdfs:label': missing",
    ]


def test_a_curated_folder_given_moves_its_datasets_by_its_own_hub_renames(
    tmp_path: Path,
) -> None:
    """`ingest curated --from DIR` read the Hub's moves from the bundled hub-renames.yaml,
    not DIR's, and no one checked either: a dataset DIR moved kept its old id, and an
    entry without a target stopped the reader with a KeyError. DIR's moves are read; an
    entry that cannot be read is named by file, record and field, the others hold."""
    folder = _curated_folder(tmp_path, [{"name": "Acme Research Lab"}], "")
    dataset = {
        "name": "Acme Corpus",
        "hub": "acme-corpus",
        "data_class": "open",
        "source": "https://example.org/acme-corpus",
    }
    (folder / "datasets.yaml").write_text(yaml.safe_dump([dataset]), encoding="utf-8")
    moves = [
        {"kind": "dataset", "from": "acme-corpus", "to": "acme/acme-corpus"},
        {"kind": "dataset", "from": "other"},
        {"kind": "space", "from": "a-space", "to": "acme/a-space"},
        {"kind": "dataset", "from": "same", "to": "SAME"},
        "mnist -> ylecun/mnist",
        {"kind": "dataset", "from": "c", "to": "d", "sorce": "https://example.org"},
        {"kind": "dataset", "from": "Acme-Corpus", "to": "elsewhere/acme-corpus"},
    ]
    (folder / "hub-renames.yaml").write_text(yaml.safe_dump(moves), encoding="utf-8")
    store = EmbeddedStore(None)
    report = ingest_source(store, "curated", folder=folder)
    rows = select(store, "SELECT ?repo WHERE { ?d og:huggingFaceRepo ?repo }")
    assert rows == [{"repo": "acme/acme-corpus"}]
    retired = f"ASK {{ <{mint('dataset', 'acme-corpus')}> og:supersededBy ?now }}"
    assert store.query(retired)
    assert report.skipped == [
        "hub-renames.yaml, record 'other', field 'to': missing",
        "hub-renames.yaml, record 'a-space', field 'kind': 'space' is none of model, dataset",
        "hub-renames.yaml, record 'same', field 'to': moves 'same' to itself",
        "hub-renames.yaml, record '#4': expected a mapping, got text",
        "hub-renames.yaml, record 'c', field 'sorce': unknown field",
        "hub-renames.yaml #6, record 'Acme-Corpus': the same record id (dataset acme-corpus) "
        "as hub-renames.yaml #0: hub-renames.yaml #0 is kept, this one skipped",
    ]


def test_a_curated_folder_given_names_the_organizations_of_later_runs_until_replaced(
    tmp_path: Path,
) -> None:
    """After `ingest curated --from DIR`, the later runs of other sources and the identity
    step knew the organizations by the bundled organizations.yaml, not by DIR's, which the
    store holds: a MOF producer spelled by an alias of DIR's was minted as an organization
    of its own, and a record named with the producer's one-word name ('Zorblax Quill-7B')
    was not matched with the same release named without it ('Quill-7B'). They follow what
    the store holds, until the curated source is ingested again from another folder."""
    org = "Zorblax Research Lab"
    folder = _curated_folder(tmp_path, [{"name": org, "short": "Zorblax", "aliases": ["ZBX"]}], "")
    model = {"name": "Zorblax Quill-7B", "producer": org, "source": "https://example.org/quill"}
    (folder / "models.yaml").write_text(yaml.safe_dump([model]), encoding="utf-8")
    store = EmbeddedStore(None)
    load_vocabularies(store)  # the identity step reads them
    ingest_source(store, "curated", folder=folder)
    mof_dir = mof_folder(tmp_path, [])
    for name, producer in (("Quill-7B", org), ("Inkwell-3B", "ZBX")):
        (mof_dir / "models" / f"{name}.yml").write_text(
            yaml.safe_dump({"release": {"name": name, "producer": producer}}), encoding="utf-8"
        )
    ingest_all(store, ["mof"], folder=mof_dir)  # the identity step last
    producer = f"SELECT ?o WHERE {{ <{mint('record', 'mof', 'inkwell-3b')}> og:producer ?o }}"
    assert select(store, producer) == [{"o": mint("org", org)}]
    models = select(
        store,
        f"""SELECT ?m WHERE {{ GRAPH <{Graphs.IDENTITY}> {{
              ?m og:hasRecord <{mint("record", "curated", "Zorblax Quill-7B")}>,
                              <{mint("record", "mof", "quill-7b")}> }} }}""",
    )
    assert len(models) == 1
    ingest_source(store, "curated")  # the bundled folder, which knows no Zorblax
    ingest_source(store, "mof", folder=mof_dir)
    assert select(store, producer) == [{"o": mint("org", "ZBX")}]


def test_a_run_of_several_sources_names_organizations_as_its_curated_run_stores_them(
    tmp_path: Path,
) -> None:
    """After `ingest curated --from DIR`, a run of several bundled sources (`openness
    ingest`, or `ingest mof curated`) read the MOF records' producers by DIR's organizations,
    which its curated run then replaced with the bundled ones: DIR's alias 'LLM360' named
    Amber's producer DIR's organization, which the store no longer held, where a build
    names the bundled LLM360. The curated source is ingested first in a run."""
    folder = _curated_folder(
        tmp_path, [{"name": "Zorblax Research Lab", "aliases": ["LLM360"]}], ""
    )
    store = EmbeddedStore(None)
    ingest_source(store, "curated", folder=folder)
    ingest_all(store, ["mof", "curated"])  # the bundled folders
    producer = f"SELECT ?o WHERE {{ <{mint('record', 'mof', 'amber')}> og:producer ?o }}"
    assert select(store, producer) == [{"o": mint("org", "LLM360")}]


def test_the_organizations_a_built_store_holds_are_the_bundled_ones(built: GraphStore) -> None:
    """Read back from the curated graph, the organizations are known by every name,
    one-word name and Hub namespace of the bundled file, as the same IRIs, of its kind."""
    bundled, held = default_organizations(), held_organizations(built)
    assert sorted(o.iri for o in held.known) == sorted(o.iri for o in bundled.known)
    for org in bundled.known:
        assert held.find(org.name).kind == org.kind, org.name
        for name in [org.name, org.short, *org.aliases]:
            assert name is None or held.iri(name) == org.iri, name
        for namespace in org.hub:
            found = held.by_hub(namespace)
            assert found is not None and found.iri == org.iri, namespace
    assert producer_words(held) == producer_words(bundled)


def test_a_curated_licence_file_that_is_no_turtle_is_named(tmp_path: Path) -> None:
    folder = _curated_folder(tmp_path, [{"name": "Acme Research Lab"}], "<not turtle")
    with pytest.raises(RecordError, match=r"ai-licenses\.ttl: not Turtle"):
        ingest_source(EmbeddedStore(None), "curated", folder=folder)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("- source: mof\n  date: [2024\n", "cannot be read: while parsing"),
        ("source: mof\n", "expected a list of snapshots, got a mapping"),
        ("- mof 2024-12-31\n", "record 'entry 1': expected a mapping, got text"),
        ("- date: 2024-12-31\n", "record 'entry 1', field 'source': missing"),
        (
            "- {source: mof, date: 2024-12-31, folder: x, version: v1}\n"
            "- {source: hf, date: 2024-12-31, folder: x, version: v1}\n",
            "record 'entry 2', field 'source': no history for source 'hf' (one of mof, ",
        ),
        (
            "- {source: mof, date: 2024-13-31, folder: x, version: v1}\n",
            "cannot be read: a date that is none",
        ),
        ("- {source: mof, date: soon, folder: x, version: v1}\n", "field 'date': not a date"),
        ("- {source: mof, date: 2024-12-31, version: v1}\n", "field 'folder': missing"),
        ("- {source: mof, date: 2024-12-31, folder: x}\n", "field 'version': missing"),
        (
            "- {source: mof, date: 2024-12-31, current: yes please, version: v1}\n",
            "field 'current': expected true or false, got text",
        ),
        (
            "- {source: mof, date: 2024-12-31, folder: x, version: v1}\n"
            "- {source: mof, date: 2024-12-31, folder: y, version: v2}\n",
            "record 'entry 2': a second snapshot of this source and date",
        ),
    ],
)
def test_a_snapshot_manifest_that_cannot_be_read_is_named(
    tmp_path: Path, text: str, named: str
) -> None:
    """The snapshots' manifest was read unchecked: an entry without a field was a KeyError
    reported as "entry 1: 'version'", malformed YAML or no list a traceback."""
    path = tmp_path / "snapshots.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError) as e:
        manifest(path)
    assert str(e.value).startswith(f"{path}") and named in str(e.value)
    path.unlink()
    with pytest.raises(RecordError, match="cannot be read"):
        manifest(path)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ("components: [unclosed\n", "cannot be read as the tool's settings"),
        ("components: {name: Datasets}\n", "no list of components ('components')"),
        ("components:\n  - id: 15\n", "record '#0', field 'name': a component without a name"),
    ],
)
def test_a_mof_settings_file_that_cannot_be_read_is_named(
    tmp_path: Path, settings: str, named: str
) -> None:
    """The tool's settings (its component list) were read from the bundled folder only and
    unchecked: a folder given with --from that holds its own is read, and one that cannot
    be is an error naming it and what is wrong, nothing stored."""
    folder = mof_folder(tmp_path, MOF_FILES[:2])
    (folder / "mof.settings.yml").write_text(settings, encoding="utf-8")
    with pytest.raises(RecordError) as e:
        ingest_source(EmbeddedStore(None), "mof", folder=folder)
    assert str(e.value).startswith(str(folder / "mof.settings.yml")) and named in str(e.value)


def test_a_mof_folder_with_its_own_settings_reads_its_components(tmp_path: Path) -> None:
    """A component the folder's settings name is read (the bundled settings do not know it)."""
    folder = mof_folder(tmp_path, MOF_FILES[:1])
    settings = yaml.safe_load((sources_dir() / "mof" / "mof.settings.yml").read_text())
    settings["components"].append({"name": "Model sandbox"})
    (folder / "mof.settings.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    _edit_yaml(
        folder / "models" / MOF_FILES[0].name,
        lambda d: d["release"]["components"].append({"name": "Model sandbox", "license": "MIT"}),
    )
    report = ingest_source(store := EmbeddedStore(None), "mof", folder=folder)
    assert not report.problems
    assert store.query(f"ASK {{ ?c og:componentType <{COMPONENT}model-sandbox> }}")


def test_an_unknown_key_of_a_mof_file_is_named_and_the_record_kept(tmp_path: Path) -> None:
    """A key the reader does not know (a mistyped field) was dropped without a word: a
    component's 'licence' left it unlicensed, 'xcomponents' the release without components.
    Each is named by file, record and key, with the keys known; the record is kept."""
    folder = mof_folder(tmp_path, MOF_FILES[:1])
    (folder / "models" / "typo.yml").write_text(
        "framework: {name: Model Openness Framework, version: '1.0', edition: 2}\n"
        "release:\n  name: Typo\n  producer: P\n  xcomponents: []\n"
        "  license: {distrbution: {name: MIT}, code: {name: MIT, url: x}}\n"
        "  components:\n    - name: Model card\n      licence: CC-BY-4.0\n",
        encoding="utf-8",
    )
    report = ingest_source(store := EmbeddedStore(None), "mof", folder=folder)
    assert report.ingested == 2 and not report.skipped
    where = "models/typo.yml, record 'Typo', field"
    unknown = [w.partition("; known: ") for w in report.warnings]
    assert [(w, known.split(", ")[:2]) for w, _, known in unknown] == [
        (f"{where} 'release.xcomponents': unknown key, left out", ["architecture", "components"]),
        (f"{where} 'framework.edition': unknown key, left out", ["date", "name"]),
        (f"{where} 'release.license.distrbution': unknown key, left out", ["code", "data"]),
        (f"{where} 'release.license.code.url': unknown key, left out", ["name", "path"]),
        (
            f"{where} 'release.components[0].licence': unknown key, left out",
            ["component_path", "description"],
        ),
    ]
    assert unknown[-1][2] == "component_path, description, license, license_path, name"
    record = mint("record", "mof", "typo")
    assert store.query(f"ASK {{ <{record}> og:producer ?p ; og:component ?c }}")


def _every_key(schema: dict) -> object:
    """A value holding every key a JSON Schema defines (a list of one item)."""
    if schema.get("type") == "object":
        return {k: _every_key(v) for k, v in schema.get("properties", {}).items()}
    if schema.get("type") == "array":
        return [_every_key(schema["items"])]
    return "x"


def test_the_keys_of_the_tools_schema_and_of_every_bundled_mof_file_are_known() -> None:
    """No false alarm: a file with every key of the tool's schema, and every bundled model
    file, today's and the dated snapshots' (in today's layout), name no unknown key."""
    schema = json.loads((sources_dir() / "mof" / "mof_schema.json").read_text(encoding="utf-8"))
    report, ctx = IngestReport("mof"), IngestContext()
    mof.read_record(yaml.safe_dump(_every_key(schema)), "all.yml", Triples(), report, ctx)
    mof.read_files(sources_dir() / "mof", Triples(), report, ctx, None)
    dated = [s for s in manifest() if s.source == "mof" and not s.current]
    for snap in dated:
        snapshots.read_snapshot("mof", snap.folder, snap.version, report, ctx)
    assert dated and report.ingested == report.read
    assert not [w for w in report.warnings if "unknown key" in w]


def test_a_mof_licence_table_entry_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    """An entry of the tool's licence table without an id stopped the whole source
    (KeyError), a flag written as text counted as true: each is named and left out, the
    other entries and the records kept."""
    folder = mof_folder(tmp_path, MOF_FILES[:2])

    def edit(doc: dict) -> None:
        doc["licenses"] += [
            {"name": "No id", "isOsiApproved": True},
            {"licenseId": "Acme-Text-Flag", "isOsiApproved": "true"},
        ]

    _edit_json(folder / "mof-licenses.json", edit)
    count = len(json.loads((folder / "mof-licenses.json").read_text())["licenses"])
    report = ingest_source(store := EmbeddedStore(None), "mof", folder=folder)
    assert report.skipped == [
        f"mof-licenses.json, record '#{count - 2}', field 'licenseId': missing"
    ]
    assert report.warnings == [
        "mof-licenses.json, record 'Acme-Text-Flag', field 'isOsiApproved': "
        "expected true or false, got text 'true'"
    ]
    assert report.ingested == 2 and report.counts["accepted licence ids"] > 100
    assert not store.query('ASK { ?t og:acceptedLicenseId "Acme-Text-Flag" }')


def test_build_names_a_manifest_that_cannot_be_read_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`openness build` stopped with a traceback on a snapshots' manifest it could not
    read; it is one line naming the file, the entry and the field."""
    history = tmp_path / "history"
    history.mkdir()
    (history / "snapshots.yaml").write_text("- {source: mof, date: 2024-12-31, folder: x}\n")
    monkeypatch.setattr(snapshots, "history_dir", lambda: history)
    monkeypatch.setattr(cli_module, "ingest_all", lambda *args, **kwargs: [])
    monkeypatch.setattr(cli_module, "run_assessment", lambda *args, **kwargs: None)
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "store"), "build"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        f"Error: {history / 'snapshots.yaml'}, record 'entry 1', field 'version': missing"
        in result.output
    )


@pytest.mark.parametrize("names", [("a.json", "b.json"), ("b.json", "a.json")])
def test_hub_bodies_whose_ids_differ_only_in_case_are_named_and_one_kept(
    tmp_path: Path, names: tuple[str, str]
) -> None:
    """Two Hub bodies of ids differing only in case (``Acme/Model-X``, ``acme/model-x``)
    merged into one record silently, the fuller one's facts kept under the id read first
    or last. One is kept whatever the order they are read in — the fuller, else the more
    recently modified — and the other skipped, naming both; two bodies of one id (a full
    answer and an expand-only one) stay one record without a word."""
    template = json.loads(
        (sources_dir() / "hf" / "hub_api_recorded" / "model_info" / MODEL_TEMPLATE).read_text()
    )
    older = {**template, "id": "Acme/Model-X", "lastModified": "2024-01-01T00:00:00.000Z"}
    newer = {**template, "id": "acme/model-x", "lastModified": "2024-06-01T00:00:00.000Z"}
    expand = {"_id": template["_id"], "id": "acme/model-x", "inferenceProviderMapping": {}}
    folder = tmp_path / "hf"
    (folder / "models").mkdir(parents=True)
    for name, body in zip(names, (older, newer), strict=True):
        (folder / "models" / name).write_text(json.dumps(body), encoding="utf-8")
    (folder / "models" / "c.json").write_text(json.dumps(expand), encoding="utf-8")
    store = EmbeddedStore(None)
    report = ingest_source(store, "hf", folder=folder)
    kept, skipped = f"models/{names[1]}", f"models/{names[0]}"
    assert report.skipped == [
        f"{skipped}, record 'Acme/Model-X': the same Hub repository as acme/model-x ({kept}), "
        "the ids differing only in case: acme/model-x is kept, this one skipped"
    ]
    assert report.read == 3 and report.ingested == 1
    rows = select(store, "SELECT ?id ?f WHERE { ?r og:sourceId ?id ; og:sourceFile ?f }")
    assert rows == [{"id": "acme/model-x", "f": kept}]
