"""A model IRI, once issued, keeps denoting its model (``ingest.identity``): another model's
new record does not take it, a Hub link added to a record does not rename it, a merged
model's IRI is retired to the survivor and a renamed Hub repository's old id to its model,
each answered 303 See Other by the server and found by the lookups."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import copy_of, select
from flask.testing import FlaskClient
from support.fake_hub import FakeHub
from test_hub_live import sync

from openness.assess.service import resolve_model
from openness.ingest.runner import ingest_all
from openness.named_queries import catalogue
from openness.namespaces import ID, mint
from openness.resources import sources_dir
from openness.server import create_app
from openness.store import EmbeddedStore, GraphStore
from openness.vocabularies import load_vocabularies

MODEL = ID + "model/"
RECORD = ID + "record/"


def records_of(store: GraphStore, model: str) -> set[str]:
    rows = select(store, f"SELECT ?r WHERE {{ <{model}> a og:Model ; og:hasRecord ?r }}")
    return {r["r"] for r in rows}


def successor(store: GraphStore, iri: str) -> str | None:
    rows = select(store, f"SELECT ?m WHERE {{ <{iri}> og:supersededBy ?m }}")
    return rows[0]["m"] if rows else None


def client(store: GraphStore) -> FlaskClient:
    return create_app({"STORE": store, "TESTING": True}).test_client()


def mof_with_link(tmp_path: Path, file: str, repo: str | None) -> Path:
    """The bundled MOF data with a Hub link added to one release's file (none: as shipped)."""
    folder = tmp_path / f"mof-{repo is None}"
    shutil.copytree(sources_dir() / "mof", folder)
    if repo is not None:
        path = folder / "models" / file
        text = path.read_text(encoding="utf-8")
        line = next(x for x in text.splitlines() if x.strip().startswith("contact:"))
        indent = line[: len(line) - len(line.lstrip())]
        link = f"{indent}huggingface: 'https://huggingface.co/{repo}'"
        path.write_text(text.replace(line, f"{line}\n{link}", 1), encoding="utf-8")
    return folder


def test_a_new_record_of_a_taken_name_takes_a_number_not_the_iri(built, tmp_path) -> None:
    """A curated Baichuan-2 of another producer: Baichuan's model keeps baichuan-2 (it moved
    to baichuan-2-2, the newcomer taking the plain IRI, where record IRIs order the two)."""
    store = copy_of(built)
    baichuan = records_of(store, MODEL + "baichuan-2")
    assert RECORD + "mof/baichuan-2" in baichuan
    folder = tmp_path / "curated"
    shutil.copytree(sources_dir() / "curated", folder)
    with (folder / "models.yaml").open("a", encoding="utf-8") as f:
        f.write(
            "- name: Baichuan-2\n  producer: IBM-NASA Geospatial\n"
            "  source: https://example.org/another-baichuan-2\n"
        )
    ingest_all(store, ["curated"], folder=folder)
    assert records_of(store, MODEL + "baichuan-2") == baichuan
    assert records_of(store, MODEL + "baichuan-2-2") == {RECORD + "curated/baichuan-2"}


def test_a_hub_link_added_to_a_mof_record_keeps_its_models_iri(built, tmp_path) -> None:
    """Its IRI was minted from its name; the link would mint meta-llama--llama-2-7b-hf."""
    store = copy_of(built)
    before = records_of(store, MODEL + "llama-2-7b")
    assert RECORD + "mof/llama-2-7b" in before
    ingest_all(
        store, ["mof"], folder=mof_with_link(tmp_path, "Llama-2-7B.yml", "meta-llama/Llama-2-7b-hf")
    )
    assert records_of(store, MODEL + "llama-2-7b") == before
    assert not records_of(store, MODEL + "meta-llama--llama-2-7b-hf")
    answer = client(store).get("/id/model/llama-2-7b", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and b"meta-llama/Llama-2-7b-hf" in answer.data


def test_a_merged_models_iri_answers_303_to_the_survivor_and_a_split_gives_it_back(
    built, tmp_path
) -> None:
    """MOF's T5 given the Hub link of the Hub's t5-small: two models become one, whose IRI
    is one of theirs; the other answers 303 (as RDF and as HTML, the format asked kept),
    the lookups find the survivor by it. The link taken away, each has its IRI again."""
    store = copy_of(built)
    mof, hub = MODEL + "t5", MODEL + "google-t5--t5-small"
    assert records_of(store, mof) == {RECORD + "mof/t5"}
    hub_records = records_of(store, hub)
    ingest_all(store, ["mof"], folder=mof_with_link(tmp_path, "T5.yml", "google-t5/t5-small"))
    survivor = next(m for m in (mof, hub) if successor(store, m) is None)
    retired = ({mof, hub} - {survivor}).pop()
    assert successor(store, retired) == survivor
    assert records_of(store, survivor) == {RECORD + "mof/t5"} | hub_records
    assert not records_of(store, retired)
    web = client(store)
    name = retired.removeprefix(MODEL)
    for path, accept in (
        (f"/id/model/{name}", "text/turtle"),
        (f"/id/model/{name}", "text/html"),
        (f"/id/model/{name}?format=jsonld", "*/*"),
    ):
        answer = web.get(path, headers={"Accept": accept})
        assert answer.status_code == 303, path
        location = answer.headers["Location"].split("?")
        assert location[0].endswith("/id/model/" + survivor.removeprefix(MODEL))
        assert location[1:] == path.split("?")[1:]  # the format asked kept
        followed = web.get(answer.headers["Location"], headers={"Accept": accept})
        assert followed.status_code == 200
    assert web.get(f"/models/{name}").status_code == 303
    assert web.get(f"/api/models/{name}").status_code == 303
    assert resolve_model(store, retired) == survivor
    ingest_all(store, ["mof"], folder=mof_with_link(tmp_path, "T5.yml", None))
    assert records_of(store, mof) == {RECORD + "mof/t5"}
    assert records_of(store, hub) == hub_records
    assert successor(store, mof) is None and successor(store, hub) is None


def test_a_renamed_hub_repositorys_old_id_finds_its_model(built) -> None:
    """The Hub moved meta-llama/Meta-Llama-3.1-8B-Instruct to meta-llama/Llama-3.1-8B-
    Instruct: the old id names the model in the lookups, its IRI answers 303."""
    current = MODEL + "meta-llama--llama-3.1-8b-instruct"
    old = "meta-llama/Meta-Llama-3.1-8B-Instruct"
    assert resolve_model(built, old) == current
    assert resolve_model(built, MODEL + "meta-llama--meta-llama-3.1-8b-instruct") == current
    names = select(built, catalogue()["model-names"].text)  # the search box's names
    assert {"model": current, "alias": old, "kind": "former-hub-repo"} in [
        {k: r[k] for k in ("model", "alias", "kind")} for r in names
    ]
    web = client(built)
    answer = web.get(
        "/id/model/meta-llama--meta-llama-3.1-8b-instruct", headers={"Accept": "text/turtle"}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/id/model/meta-llama--llama-3.1-8b-instruct")
    assert (
        web.get("/models/bert-base-uncased")
        .headers["Location"]
        .endswith("/models/google-bert--bert-base-uncased")
    )


def test_a_repository_renamed_on_the_hub_keeps_its_old_iri_as_a_redirect() -> None:
    """A live sync sees a repository under a new id: its model is the new id's, and the IRI
    of the old one answers 303 to it."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(30) as hub:
        sync(store, hub)
        old = hub.repo_id(7)
        assert records_of(store, mint("model", old))
        hub.rename(7, "neworg/renamed-seven")
        sync(store, hub, reconcile=True)
    new = mint("model", "neworg/renamed-seven")
    assert records_of(store, new) and not records_of(store, mint("model", old))
    assert successor(store, mint("model", old)) == new
    assert resolve_model(store, old) == new
