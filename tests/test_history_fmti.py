"""The Foundation Model Transparency Index as evidence about organizations."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import select
from flask.testing import FlaskClient
from support.history import assessed, copy_store

from openness.ingest.runner import ingest_source
from openness.named_queries import catalogue
from openness.resources import sources_dir
from openness.server import create_app
from openness.store import EmbeddedStore, GraphStore
from openness.store.sparql_text import bind_values

SCORES = """SELECT ?dev ?org ?score WHERE {
  ?s a og:TransparencyScore ; og:edition ?ed ; og:developerName ?dev ; dqv:computedOn ?org ;
     dqv:value ?score . ?ed dcterms:issued ?issued FILTER (STR(?issued) = ?edition) }"""


def _scores(store: GraphStore, edition: str) -> dict[str, tuple[str, int]]:
    rows = select(store, SCORES.replace("?edition", f'"{edition}"'))
    return {r["dev"]: (r["org"].rsplit("/", 1)[1], int(r["score"])) for r in rows}


@pytest.fixture(scope="module")
def fmti() -> GraphStore:
    store = EmbeddedStore(None)
    report = ingest_source(store, "fmti")
    assert report.problems == []
    return store


def test_totals_add_up_per_developer_and_edition(fmti: GraphStore) -> None:
    # The totals the FMTI publishes: Meta 54 (Oct 2023), BigCode 85 (May 2024), IBM 95 (Dec 2025).
    assert _scores(fmti, "2023-10")["Meta"] == ("meta", 54)
    assert _scores(fmti, "2024-05")["BigCode"] == ("bigcode", 85)
    assert _scores(fmti, "2025-12")["IBM"] == ("ibm", 95)
    assert len(_scores(fmti, "2023-10")) == 10 and len(_scores(fmti, "2025-12")) == 13


def test_developers_link_to_the_graphs_organizations(fmti: GraphStore) -> None:
    may = _scores(fmti, "2024-05")
    # Spelled differently by the FMTI and by the organization list: still one organization.
    assert may["Stability"][0] == _scores(fmti, "2023-10")["Stability AI"][0] == "stability-ai"
    assert may["Mistral"][0] == "mistral-ai"
    assert _scores(fmti, "2025-12")["Alibaba"][0] == "alibaba-group"


def test_indicators_carry_domain_and_subdomain(fmti: GraphStore) -> None:
    rows = select(
        fmti,
        """SELECT ?label ?sub ?domain ?definition WHERE {
             ?i a og:TransparencyIndicator ; rdfs:label ?label ; dcterms:isPartOf ?ed ;
                dqv:inDimension ?s ; dqv:inCategory ?d ; skos:definition ?definition .
             ?s rdfs:label ?sub ; dqv:inCategory ?d . ?d rdfs:label ?domain .
             ?ed dcterms:issued ?issued FILTER (STR(?issued) = "2024-05") }""",
    )
    assert len(rows) == 100
    by_label = {r["label"]: r for r in rows}
    assert (by_label["Data size"]["domain"], by_label["Data size"]["sub"]) == ("Upstream", "Data")
    # Named otherwise in the May 2024 scores than in the indicator list: found by position.
    assert by_label["Data copyright status"]["definition"].startswith("For all data used")


def test_a_bad_score_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    folder = tmp_path / "fmti"
    shutil.copytree(sources_dir() / "fmti", folder)
    scores = folder / "Dec2025" / "Dec2025_scores.csv"
    lines = scores.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",1,", ",yes,", 1)
    scores.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "May2024" / "May2024_scores.csv").unlink()
    store = EmbeddedStore(None)
    report = ingest_source(store, "fmti", folder=folder)
    assert any(
        "Dec2025_scores.csv" in p and "line 2" in p and "'yes'" in p for p in report.warnings
    )
    assert any("May2024_scores.csv" in s and "no such file" in s for s in report.skipped)
    assert _scores(store, "2024-05") == {}
    assert _scores(store, "2023-10")["Meta"] == ("meta", 54)
    assert _scores(store, "2025-12")["IBM"][1] == 95


def _header(path: Path, edit: Callable[[str], str]) -> None:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([edit(lines[0]), *lines[1:]]) + "\n", encoding="utf-8")


def test_a_renamed_or_unknown_column_is_named_and_its_edition_left_out(tmp_path: Path) -> None:
    """A score file whose indicator column is renamed stored every developer scored 0 (no
    indicator read); a column that is no developer was taken for one (scored 0); an
    indicator file without its definitions stored its indicators without them. Each is now
    an error naming the file and the column, and leaves its edition out."""
    folder = tmp_path / "fmti"
    shutil.copytree(sources_dir() / "fmti", folder)
    may, dec = folder / "May2024" / "May2024_scores.csv", folder / "Dec2025" / "Dec2025_scores.csv"
    _header(may, lambda h: h.replace("Indicator", "Name"))
    _header(dec, lambda h: h + ",Notes")
    store = EmbeddedStore(None)
    report = ingest_source(store, "fmti", folder=folder)
    assert _scores(store, "2024-05") == _scores(store, "2025-12") == {}
    assert _scores(store, "2023-10")["Meta"] == ("meta", 54)
    assert report.skipped == [
        "May2024/May2024_scores.csv, field 'Indicator': no such column (renamed or removed "
        "upstream?)",
        "Dec2025/Dec2025_scores.csv, field 'Notes': unknown column: not a developer the edition "
        "scores (editions.yaml lists them) nor one of Indicator",
    ]
    shutil.copy(sources_dir() / "fmti" / "Dec2025" / "Dec2025_scores.csv", dec)
    _header(folder / "Dec2025" / "Dec2025_indicators.csv", lambda h: h.replace("Definition", "Q"))
    report = ingest_source(store, "fmti", folder=folder)
    assert (
        "Dec2025/Dec2025_indicators.csv, field 'Definition': no such column (renamed or removed "
        "upstream?)"
    ) in report.skipped
    assert _scores(store, "2025-12") == {}


def test_a_score_file_cut_short_leaves_its_edition_out(tmp_path: Path) -> None:
    """The Dec 2025 scores cut after 51 indicators: the cut row was named, and the edition
    stored with each developer's total out of 51 (IBM 95 → 50), the 49 indicators missing
    unsaid. Now the file is named with the indicators it lacks, the edition left out."""
    folder = tmp_path / "fmti"
    shutil.copytree(sources_dir() / "fmti", folder)
    dec = folder / "Dec2025" / "Dec2025_scores.csv"
    dec.write_text("\n".join(dec.read_text(encoding="utf-8").splitlines()[:52]) + "\n")
    store = EmbeddedStore(None)
    report = ingest_source(store, "fmti", folder=folder)
    (skipped,) = report.skipped
    assert skipped.startswith(
        "Dec2025/Dec2025_scores.csv: scores 51 indicators, where Dec2025/Dec2025_indicators.csv "
        "defines 100 (cut short?): no row for "
    )
    assert skipped.endswith(" and 46 more")
    assert _scores(store, "2025-12") == {}
    assert _scores(store, "2023-10")["Meta"] == ("meta", 54)


def test_a_score_row_missing_from_the_middle_is_named_by_its_name(tmp_path: Path) -> None:
    """The row "Notice of usage data used in training" (line 6 of 101) deleted: the edition
    is left out, and the message named the last indicator defined ("no row for Government
    commitments", which is there), counting by position; now the one no row names."""
    folder = tmp_path / "fmti"
    shutil.copytree(sources_dir() / "fmti", folder)
    dec = folder / "Dec2025" / "Dec2025_scores.csv"
    lines = dec.read_text(encoding="utf-8").splitlines()
    gone = "Notice of usage data used in training"
    dec.write_text("\n".join(line for line in lines if not line.startswith(gone)) + "\n")
    report = ingest_source(EmbeddedStore(None), "fmti", folder=folder)
    (skipped,) = report.skipped
    assert skipped.endswith(
        "scores 99 indicators, where Dec2025/Dec2025_indicators.csv defines 100 (cut short?): "
        f"no row for {gone}"
    )


def _editions(folder: Path, edit: Callable[[list[dict]], None]) -> None:
    path = folder / "editions.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(entries)
    path.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")


def test_a_new_edition_is_data(tmp_path: Path) -> None:
    """An edition copied into the folder and listed in its editions.yaml is ingested, where
    the editions were a tuple in the ingester's code; a folder without the list (a checkout
    of upstream's) reads the bundled one."""
    folder = tmp_path / "fmti"
    shutil.copytree(sources_dir() / "fmti", folder)
    (folder / "Jun2026").mkdir()
    shutil.copy(folder / "Dec2025" / "Dec2025_scores.csv", folder / "Jun2026" / "scores.csv")

    def add(entries: list[dict]) -> None:
        entries.append({**entries[-1], "key": "2026-06", "scores": "Jun2026/scores.csv"})

    _editions(folder, add)
    store = EmbeddedStore(None)
    assert ingest_source(store, "fmti", folder=folder).problems == []
    assert _scores(store, "2026-06") == _scores(store, "2025-12")
    assert _scores(store, "2026-06")["IBM"] == ("ibm", 95)
    (folder / "editions.yaml").unlink()
    store = EmbeddedStore(None)
    assert ingest_source(store, "fmti", folder=folder).problems == []
    assert _scores(store, "2026-06") == {} and _scores(store, "2023-10")["Meta"] == ("meta", 54)


def test_a_bad_edition_entry_is_named_and_the_others_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "fmti"
    shutil.copytree(sources_dir() / "fmti", folder)

    def spoil(entries: list[dict]) -> None:
        october, may, december = entries
        del may["scores"]
        entries += [
            {**october, "label": "a second October"},
            {**december, "key": "2025"},
            {**december, "key": "2025-11", "developer": december["developers"]},
            {**december, "key": "2025-10", "developers": ["IBM", "Meta", "IBM"]},
            "2025-09",
        ]

    _editions(folder, spoil)
    store = EmbeddedStore(None)
    report = ingest_source(store, "fmti", folder=folder)
    assert report.skipped == [
        "editions.yaml, record '2024-05', field 'scores': missing",
        "editions.yaml #3, record '2023-10': the same record id "
        "(https://w3id.org/openness-graph/id/fmti/2023-10) as editions.yaml #0: editions.yaml "
        "#0 is kept, this one skipped",
        "editions.yaml, record '2025', field 'key': not a year and month (YYYY-MM): '2025'",
        "editions.yaml, record '2025-11', field 'developer': unknown field",
        "editions.yaml, record '2025-10', field 'developers': 'IBM' named twice",
        "editions.yaml, record '#7': expected a mapping, got text",
    ]
    assert _scores(store, "2024-05") == {}
    assert _scores(store, "2023-10")["Meta"] == ("meta", 54)
    assert _scores(store, "2025-12")["IBM"] == ("ibm", 95)
    labels = select(store, "SELECT ?l WHERE { ?e a og:TransparencyIndexEdition ; rdfs:label ?l }")
    assert sorted(r["l"] for r in labels) == ["FMTI December 2025", "FMTI October 2023"]


def test_a_developer_the_score_file_lacks_or_holds_unlisted_is_named(tmp_path: Path) -> None:
    """editions.yaml names the developers of each edition: one the score file has no column
    for, or a column of the file it does not name, leaves the edition out, named."""
    folder = tmp_path / "fmti"
    shutil.copytree(sources_dir() / "fmti", folder)

    def spoil(entries: list[dict]) -> None:
        entries[1]["developers"].remove("Writer")
        entries[2]["developers"].append("Hugging Face")

    _editions(folder, spoil)
    store = EmbeddedStore(None)
    report = ingest_source(store, "fmti", folder=folder)
    assert report.skipped == [
        "May2024/May2024_scores.csv, field 'Writer': unknown column: not a developer the "
        "edition scores (editions.yaml lists them) nor one of Indicator",
        "Dec2025/Dec2025_scores.csv, field 'Hugging Face': no such column (renamed or removed "
        "upstream?)",
    ]
    assert _scores(store, "2024-05") == _scores(store, "2025-12") == {}
    assert _scores(store, "2023-10")["Meta"] == ("meta", 54)


def _run(store: GraphStore, name: str, **params: str) -> list[dict[str, str]]:
    q = catalogue()[name]
    return select(store, bind_values(q.text, q.bindings(params)))


# Mistral's and Google's latest FMTI scores are low (18 and 41 of 100), Meta's 31.
MODELS = ["Mistral-7B-v0.1", "Llama-2-7B", "T5"]


@pytest.fixture(scope="module")
def rated(built: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("fmti") / "store"
    store = copy_store(built, location)
    assessed(store, MODELS)
    store.close()
    return location


def test_open_but_opaque_and_transparent_but_closed(rated: Path) -> None:
    store = EmbeddedStore(rated, read_only=True)
    try:
        opaque = _run(store, "open-but-opaque", threshold="50")
        assert "Mistral-7B-v0.1" in {r["name"] for r in opaque}
        assert {r["developer"] for r in opaque} <= {"Mistral", "Google", "Meta"}
        assert "Llama-2-7B" not in {r["name"] for r in opaque}  # it passes nothing
        assert all(float(r["percent"]) < 50 for r in opaque)
        assert _run(store, "open-but-opaque", threshold="10") == []
        closed = _run(store, "transparent-but-closed", threshold="30")
        assert {"Llama-2-7B", "T5"} <= {r["name"] for r in closed}
        # The latest edition is the one used: Meta scored 54 and 60, then 31 in Dec 2025.
        meta = [r for r in closed if r["developer"] == "Meta"]
        assert {(r["edition"], r["score"]) for r in meta} == {("FMTI December 2025", "31")}
        assert "Llama-2-7B" not in {
            r["name"] for r in _run(store, "transparent-but-closed", threshold="40")
        }
    finally:
        store.close()


def test_organization_and_model_pages_show_the_scores(rated: Path) -> None:
    client: FlaskClient = create_app({"STORE_LOCATION": str(rated), "TESTING": True}).test_client()
    org = client.get("/id/org/meta", headers={"Accept": "text/html"})
    assert org.status_code == 200
    assert "FMTI October 2023" in org.text and "54 / 100" in org.text and "31 / 100" in org.text
    model = client.get("/models/llama-2-7b")
    assert model.status_code == 200 and "60 / 100" in model.text
    other = client.get("/id/org/llm360", headers={"Accept": "text/html"})
    assert other.status_code == 200 and "FMTI" not in other.text
