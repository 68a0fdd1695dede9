"""A model IRI, once issued, keeps denoting its model (``ingest.identity``): another model's
new record does not take it, a Hub link added to a record does not rename it, a merged
model's IRI is retired to the survivor and a renamed Hub repository's old id to its model,
each answered 303 See Other by the server and found by the lookups. So are the record and
dataset IRIs of a Hub repository's former ids, retired by the reader that knows the move, but
not once a new repository took the id. A model whose records are all gone leaves a tombstone,
answered 410 Gone, until they come back, and so does a record its source no longer has;
and a record's IRI names its model on the command line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner
from conftest import copy_of, select
from flask.testing import FlaskClient
from support.fake_hub import FakeHub
from support.history import copy_store
from test_hub_live import sync

from openness.assess.service import resolve_model
from openness.cli import cli
from openness.history import VERDICT_HISTORY
from openness.ingest import hf_live, identity, identity_update
from openness.ingest.hf_live import GRAPH as HUB_GRAPH
from openness.ingest.hf_live import record_iri
from openness.ingest.identity import (
    Issued,
    Record,
    link,
    rebuild_identity,
    record_tombstones,
)
from openness.ingest.organizations import default_organizations
from openness.ingest.published import PUBLISHED_FILE, load_published
from openness.ingest.rdf import Triples
from openness.ingest.records import add_dataset
from openness.ingest.renames import HubRenames
from openness.ingest.report import IngestReport
from openness.ingest.runner import ingest_all, ingest_source
from openness.ingest.snapshots import (
    ingest_snapshot,
    link_snapshot_records,
    manifest,
    snapshot_prefix,
)
from openness.named_queries import catalogue
from openness.namespaces import BASE, DCTERMS, EARL, ID, OG, PROV, RDF, XSD, Graphs, mint
from openness.resources import sources_dir
from openness.server import create_app
from openness.store import EmbeddedStore, GraphStore
from openness.vocabularies import load_vocabularies

MODEL = ID + "model/"
RECORD = ID + "record/"
DATASET = ID + "dataset/"


def records_of(store: GraphStore, model: str) -> set[str]:
    rows = select(store, f"SELECT ?r WHERE {{ <{model}> a og:Model ; og:hasRecord ?r }}")
    return {r["r"] for r in rows}


def successor(store: GraphStore, iri: str) -> str | None:
    rows = select(store, f"SELECT ?m WHERE {{ <{iri}> og:supersededBy ?m }}")
    return rows[0]["m"] if rows else None


def successors(store: GraphStore, iri: str) -> set[str]:
    return {r["m"] for r in select(store, f"SELECT ?m WHERE {{ <{iri}> og:supersededBy ?m }}")}


def client(store: GraphStore) -> FlaskClient:
    return create_app({"STORE": store, "TESTING": True}).test_client()


def redirects(web: FlaskClient, path: str, to: str) -> None:
    """``path`` answers 303 See Other to ``to`` (as RDF and as HTML, the format asked kept),
    which answers."""
    for asked, accept in (
        (path, "text/turtle"),
        (path, "text/html"),
        (f"{path}?format=jsonld", "*/*"),
    ):
        answer = web.get(asked, headers={"Accept": accept})
        assert answer.status_code == 303, asked
        location = answer.headers["Location"].split("?")
        assert location[0].endswith(to), location
        assert location[1:] == asked.split("?")[1:]  # the format asked kept
        followed = web.get(answer.headers["Location"], headers={"Accept": accept})
        assert followed.status_code == 200


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
    redirects(web, f"/id/model/{name}", "/id/model/" + survivor.removeprefix(MODEL))
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


def moved_on_the_hub(hub: FakeHub) -> tuple[GraphStore, str]:
    """A store a live sync of ``hub`` wrote, then synced again after model 7 moved to
    neworg/renamed-seven; and the id it had."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    sync(store, hub)
    first = hub.repo_id(7)
    assert records_of(store, mint("model", first))
    hub.rename(7, "neworg/renamed-seven")
    sync(store, hub, reconcile=True)
    return store, first


def test_a_repository_renamed_on_the_hub_keeps_its_old_iri_as_a_redirect() -> None:
    """A live sync sees a repository under a new id: its model is the new id's, and the IRI
    of the old one answers 303 to it."""
    with FakeHub(30) as hub:
        store, old = moved_on_the_hub(hub)
    new = mint("model", "neworg/renamed-seven")
    assert records_of(store, new) and not records_of(store, mint("model", old))
    assert successor(store, mint("model", old)) == new
    assert resolve_model(store, old) == new


def test_a_renamed_hub_repositorys_old_record_iri_answers_303_to_its_record(built) -> None:
    """The Hub graph states the old id's record IRI superseded by the record (a SPARQL
    user follows it as the server does)."""
    old = RECORD + "hf/meta-llama--meta-llama-3.1-8b-instruct"
    new = RECORD + "hf/meta-llama--llama-3.1-8b-instruct"
    web = client(built)
    ask = f"ASK {{ GRAPH <{HUB_GRAPH}> {{ <{old}> <{OG}supersededBy> <{new}> }} }}"
    results = {"Accept": "application/sparql-results+json"}
    answer = web.get("/sparql", query_string={"query": ask}, headers=results)
    assert answer.status_code == 200 and answer.get_json()["boolean"] is True
    redirects(web, "/id/record/hf/meta-llama--meta-llama-3.1-8b-instruct", new.removeprefix(ID))
    assert successor(built, RECORD + "hf/bert-base-uncased") == RECORD + (
        "hf/google-bert--bert-base-uncased"
    )


def test_a_moved_datasets_old_iri_answers_303_to_the_dataset(built) -> None:
    """mnist moved to ylecun/mnist on the Hub (data/sources/curated/hub-renames.yaml):
    every graph naming the dataset states its old IRI superseded by it."""
    old, new = DATASET + "mnist", DATASET + "ylecun--mnist"
    graphs = select(built, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{old}> og:supersededBy <{new}> }} }}")
    assert graphs
    assert successors(built, old) == {new}
    redirects(client(built), "/id/dataset/mnist", "/id/dataset/ylecun--mnist")


def test_a_dataset_moved_twice_retires_both_old_iris_straight_to_the_current_one() -> None:
    """The renames list saying A became B, then B became C: a source naming A names C, and
    A's and B's IRIs each point at C, none at B (no chain of 303)."""
    out = Triples()
    renames = HubRenames({"dataset": {"org/a": "org/b", "org/b": "org/c"}})
    assert add_dataset(out, "org/a", renames) == mint("dataset", "org/c")
    store = EmbeddedStore(None)
    store.write(add={HUB_GRAPH: list(out)})
    for old in ("org/a", "org/b"):
        assert successors(store, mint("dataset", old)) == {mint("dataset", "org/c")}


def test_a_repository_moved_twice_retires_both_old_iris_straight_to_the_current_one() -> None:
    """A live sync seeing a repository move A to B, then B to C: A's and B's record and
    model IRIs each point at C's, none at B's (no chain of 303); both ids find C's model."""
    with FakeHub(30) as hub:
        store, first = moved_on_the_hub(hub)
        assert successors(store, record_iri(first)) == {record_iri("neworg/renamed-seven")}
        hub.rename(7, "thirdorg/renamed-again")
        hub.change([7])
        sync(store, hub)
    current = record_iri("thirdorg/renamed-again")
    web = client(store)
    for old in (first, "neworg/renamed-seven"):
        assert successors(store, record_iri(old)) == {current}
        assert successors(store, mint("model", old)) == {mint("model", "thirdorg/renamed-again")}
        assert resolve_model(store, old) == mint("model", "thirdorg/renamed-again")
        redirects(web, "/" + record_iri(old).removeprefix(BASE), current.removeprefix(BASE))


def test_a_recorded_chain_of_redirects_retires_each_old_id_to_the_current_one(
    built, tmp_path
) -> None:
    """Recorded answers saying bert-v0 became bert-base-uncased, which became
    google-bert/bert-base-uncased: the record has both former ids, each IRI pointing at it."""
    folder = tmp_path / "hf"
    shutil.copytree(sources_dir() / "hf", folder)
    (folder / "renames.json").write_text('{"bert-base-uncased": ["bert-v0"]}', encoding="utf-8")
    store = copy_of(built)
    ingest_all(store, ["hf"], folder=folder)
    current = RECORD + "hf/google-bert--bert-base-uncased"
    former = select(store, f"SELECT ?f WHERE {{ <{current}> og:formerHubId ?f }} ORDER BY ?f")
    assert [r["f"] for r in former] == ["bert-base-uncased", "bert-v0"]
    for old in ("bert-v0", "bert-base-uncased"):
        assert successors(store, RECORD + "hf/" + old) == {current}


def test_a_former_hub_id_a_new_repository_takes_is_its_record_not_a_redirect() -> None:
    """A repository moved A to B, then a new one created under A (the Hub's redirect from A
    ends): A's record IRI is the new repository's record, not retired to B's — the Hub
    graph says the one thing, the server serves the record, a record IRI names its model —
    and stays so when B's record is written again; B keeps A as a former id."""
    with FakeHub(30) as hub:
        store, first = moved_on_the_hub(hub)
        moved = record_iri("neworg/renamed-seven")
        assert successors(store, record_iri(first)) == {moved}
        hub.create(first)
        sync(store, hub)
        taken = {"new": successors(store, record_iri(first))}
        hub.change([7])
        sync(store, hub)
        taken["after B's"] = successors(store, record_iri(first))
    assert taken == {"new": set(), "after B's": set()}
    former = select(store, f"SELECT ?f WHERE {{ <{moved}> og:formerHubId ?f }}")
    assert [r["f"] for r in former] == [first]
    answer = client(store).get(
        "/" + record_iri(first).removeprefix(BASE), headers={"Accept": "text/turtle"}
    )
    assert answer.status_code == 200
    assert f'"{first}"'.encode() in answer.data and b"renamed-seven" not in answer.data
    (model,) = select(store, f"SELECT ?m WHERE {{ ?m og:hasRecord <{record_iri(first)}> }}")
    assert resolve_model(store, record_iri(first)) == model["m"]


def test_a_recorded_former_id_that_is_another_repositorys_own_is_not_retired(tmp_path) -> None:
    """Recorded answers saying google-bert/bert-base-uncased was once CompVis/stable-
    diffusion-v1-4, a repository the recording has of its own: bert's record states the
    former id, and retires bert-base-uncased's IRI, not CompVis's."""
    folder = tmp_path / "hf"
    shutil.copytree(sources_dir() / "hf", folder)
    (folder / "renames.json").write_text(
        '{"google-bert/bert-base-uncased": ["CompVis/stable-diffusion-v1-4"]}', encoding="utf-8"
    )
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_all(store, ["hf"], folder=folder)
    bert, other = (
        RECORD + "hf/google-bert--bert-base-uncased",
        RECORD + "hf/compvis--stable-diffusion-v1-4",
    )
    former = select(store, f"SELECT ?f WHERE {{ <{bert}> og:formerHubId ?f }} ORDER BY ?f")
    assert [r["f"] for r in former] == ["CompVis/stable-diffusion-v1-4", "bert-base-uncased"]
    assert successors(store, RECORD + "hf/bert-base-uncased") == {bert}
    assert successors(store, other) == set()


def test_a_live_resource_a_graph_also_says_retired_is_served_not_redirected() -> None:
    """A dataset IRI a source describes while another says it moved (a curated dataset's id
    that was a Hub dataset's old id) is served as the dataset: a live resource comes
    before a retirement, as a tombstone comes after one."""
    old, new = DATASET + "org--a", DATASET + "org--b"
    store = EmbeddedStore(None)
    out = Triples()
    out.add(old, "https://schema.org/name", "a dataset of its own")
    out.types(old, "http://www.w3.org/ns/dcat#Dataset")
    retired = Triples()
    retired.link(old, OG + "supersededBy", new)
    retired.types(new, "http://www.w3.org/ns/dcat#Dataset")
    store.write(add={Graphs.source("curated"): out, HUB_GRAPH: retired})
    answer = client(store).get("/id/dataset/org--a", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and b"a dataset of its own" in answer.data


def without(tmp_path: Path, source: str, *files: str) -> Path:
    """The bundled folder of ``source`` without ``files``: a source that dropped records."""
    folder = tmp_path / f"{source}-without"
    shutil.copytree(sources_dir() / source, folder)
    for file in files:
        (folder / file).unlink()
    return folder


def tombstone(store: GraphStore, iri: str) -> dict[str, set[str]]:
    """What the identity graph says of ``iri``, property -> values."""
    rows = select(store, f"SELECT ?p ?o WHERE {{ GRAPH <{Graphs.IDENTITY}> {{ <{iri}> ?p ?o }} }}")
    said: dict[str, set[str]] = {}
    for r in rows:
        said.setdefault(r["p"], set()).add(r["o"])
    return said


def gone(web: FlaskClient, model_id: str, name: str, day: str) -> None:
    """The model's IRI, page and API answer 410 Gone, naming its last name and the day it
    was withdrawn: as RDF (the tombstone), HTML, JSON or text, as the client asks."""
    iri = MODEL + model_id
    for path, accept, media in (
        (f"/id/model/{model_id}", "text/turtle", "text/turtle"),
        (f"/id/model/{model_id}?format=jsonld", "*/*", "application/ld+json"),
        (f"/id/model/{model_id}", "text/html", "text/html"),
        (f"/id/model/{model_id}", "image/png", "text/plain"),
        (f"/models/{model_id}", "text/html", "text/html"),
        (f"/api/models/{model_id}", "*/*", "application/json"),
        (f"/api/models/{model_id}", "text/html,*/*;q=0.8", "application/json"),
        (f"/api/models/{model_id}", "text/turtle", "text/turtle"),
        (f"/api/models/{model_id}/conformance", "application/json", "application/json"),
    ):
        answer = web.get(path, headers={"Accept": accept})
        assert answer.status_code == 410, (path, accept)
        assert answer.mimetype == media, (path, accept)
        body = answer.get_data(as_text=True)
        if media == "application/json":
            said = answer.get_json()
            assert (said["model"], said["name"], said["withdrawn"]) == (iri, name, day)
        elif media in ("text/turtle", "application/ld+json"):
            graph = list(ox.parse(body.encode(), format=ox.RdfFormat.from_media_type(media)))
            subject = ox.NamedNode(iri)
            found = {(q.predicate.value, q.object.value) for q in graph if q.subject == subject}
            assert (RDF + "type", OG + "WithdrawnModel") in found
            assert ("https://schema.org/name", name) in found
            assert any(p == PROV + "invalidatedAtTime" and o.startswith(day) for p, o in found)
        else:
            assert name in body and day in body, (path, accept)


def test_a_model_whose_records_all_go_answers_410_gone_and_comes_back_with_its_iri(
    built, tmp_path
) -> None:
    """MOF drops T5, its only record: its IRI is kept as a tombstone in the identity graph
    (its last name, when it was withdrawn, its records), answered 410 Gone, kept as it was
    by the ingests after; the record back, the model has its IRI again and the tombstone
    goes."""
    store = copy_of(built)
    t5 = MODEL + "t5"
    assert records_of(store, t5) == {RECORD + "mof/t5"}
    ingest_all(store, ["mof"], folder=without(tmp_path, "mof", "models/T5.yml"))
    assert not records_of(store, t5)
    said = tombstone(store, t5)
    assert said.keys() == {
        RDF + "type",
        "https://schema.org/name",
        PROV + "invalidatedAtTime",
        OG + "formerRecord",
    }
    assert said[RDF + "type"] == {OG + "WithdrawnModel"}
    assert said["https://schema.org/name"] == {"T5"}
    assert said[OG + "formerRecord"] == {RECORD + "mof/t5"}
    (when,) = said[PROV + "invalidatedAtTime"]
    assert dt.datetime.fromisoformat(when).tzinfo is not None
    gone(client(store), "t5", "T5", when[:10])
    with pytest.raises(LookupError, match="withdrawn"):
        resolve_model(store, t5)
    ingest_all(store, ["curated"])  # the identity linked again: the tombstone as it was
    assert tombstone(store, t5) == said
    ingest_all(store, ["mof"])
    assert records_of(store, t5) == {RECORD + "mof/t5"}
    assert OG + "WithdrawnModel" not in tombstone(store, t5)[RDF + "type"]
    assert PROV + "invalidatedAtTime" not in tombstone(store, t5)
    assert client(store).get("/id/model/t5", headers={"Accept": "text/turtle"}).status_code == 200


def test_a_withdrawn_models_last_name_answers_410_gone(built, tmp_path) -> None:
    """Asked by its last name (a Hub id, as the Hub removed it), a withdrawn model is said
    gone, as at its IRI: the page said "no model is called" it and offered others. Its
    name is taken as loosely as a living model's (case and punctuation aside): the page
    sent JURASSIC-1-JUMBO (303) to jurassic-1."""
    store = copy_of(built)
    gone_file = "models/Jurassic-1-Jumbo.yml"  # its only record; no other model has its name
    ingest_all(store, ["mof"], folder=without(tmp_path, "mof", gone_file))
    (when,) = tombstone(store, MODEL + "jurassic-1-jumbo")[PROV + "invalidatedAtTime"]
    web = client(store)
    for path in (
        "/models/Jurassic-1-Jumbo",
        "/api/models/Jurassic-1-Jumbo",
        "/api/models/Jurassic-1-Jumbo/conformance",
        "/models/JURASSIC-1-JUMBO",
        "/models/jurassic%201%20jumbo",
        "/api/models/Jurassic%201%20Jumbo",
    ):
        answer = web.get(path)
        assert answer.status_code == 410, path
        assert "Jurassic-1-Jumbo" in answer.text and when[:10] in answer.text, path
    assert web.get("/models/Llama-2-7B").status_code == 303  # a living model's name


def test_the_commands_say_a_model_asked_by_its_last_name_was_withdrawn(built, tmp_path) -> None:
    """`explain`, `evidence`, `assess -m` and `history -m` take a model's name: asked the
    name of one a refreshed source dropped, they said "no model called" it, where its IRI
    (and the web, by either) says when it went."""
    store = copy_of(built)
    ingest_all(store, ["mof"], folder=without(tmp_path, "mof", "models/Jurassic-1-Jumbo.yml"))
    (when,) = tombstone(store, MODEL + "jurassic-1-jumbo")[PROV + "invalidatedAtTime"]
    # Matched as the web matches it, case and punctuation aside (the commands took the
    # exact literal only, and answered "no model called" these).
    for asked in ("Jurassic-1-Jumbo", "JURASSIC 1 jumbo"):
        with pytest.raises(LookupError, match=f"'Jurassic-1-Jumbo', withdrawn on {when[:10]}"):
            resolve_model(store, asked)
    assert resolve_model(store, "Llama-2-7B") == MODEL + "llama-2-7b"


def test_a_withdrawn_models_dated_verdicts_answer_saying_it_was_withdrawn(built, tmp_path) -> None:
    """The verdict history keeps a withdrawn model's dated verdicts: its history (the API)
    and its verdict changes (the feed) answer them, saying it was withdrawn — the day in a
    Withdrawn header, as the model's own answer (410) has it in its withdrawn field, and
    in the feed's title — where both answered 410 Gone. Its other routes still do."""
    store = copy_of(built)
    ingest_all(store, ["mof"], folder=without(tmp_path, "mof", "models/T5.yml"))
    (when,) = tombstone(store, MODEL + "t5")[PROV + "invalidatedAtTime"]
    dated = []
    for i, (date, outcome) in enumerate((("2025-01-01", "failed"), ("2025-06-30", "passed"))):
        v = ox.NamedNode(f"https://example.org/dated-verdict/{i}")
        dated += [
            ox.Triple(v, ox.NamedNode(EARL + "subject"), ox.NamedNode(MODEL + "t5")),
            ox.Triple(v, ox.NamedNode(OG + "definitionId"), ox.Literal("mof-1.0")),
            ox.Triple(
                v,
                ox.NamedNode(DCTERMS + "date"),
                ox.Literal(date, datatype=ox.NamedNode(XSD + "date")),
            ),
            ox.Triple(v, ox.NamedNode(EARL + "outcome"), ox.NamedNode(EARL + outcome)),
        ]
    dated.append(
        ox.Triple(
            ox.NamedNode("https://example.org/dated-verdict/1"),
            ox.NamedNode(OG + "previousVerdict"),
            ox.NamedNode("https://example.org/dated-verdict/0"),
        )
    )
    store.write(add={VERDICT_HISTORY: dated})
    web = client(store)
    history = web.get("/api/models/t5/history", headers={"Origin": "https://example.org"})
    assert history.status_code == 200
    assert [(r["date"], r["definition"], r["outcome"]) for r in history.json] == [
        ("2025-01-01", "mof-1.0", "failed"),
        ("2025-06-30", "mof-1.0", "passed"),
    ]
    assert history.headers["Withdrawn"] == when[:10]
    assert "withdrawn" in history.headers["Access-Control-Expose-Headers"].lower()
    feed = web.get("/models/t5/changes")
    assert feed.status_code == 200
    assert f"(withdrawn on {when[:10]})" in feed.text and "T5: mof-1.0 failed → passed" in feed.text
    assert web.get("/api/models/t5").status_code == 410
    live = web.get("/api/models/llama-2-7b/history")
    assert live.status_code == 200 and "Withdrawn" not in live.headers


def test_a_model_whose_only_record_its_source_renames_keeps_its_iri(built, tmp_path) -> None:
    """MOF names a record by its file: T5's file renamed, its only record is another. The
    model was withdrawn and the same release came back as t5-2 (its old IRI seen as
    another's); it keeps t5, with the new record, and the old record is the one withdrawn."""
    store = copy_of(built)
    t5 = MODEL + "t5"
    assert records_of(store, t5) == {RECORD + "mof/t5"}
    folder = without(tmp_path, "mof")
    (folder / "models" / "T5.yml").rename(folder / "models" / "T5-base.yml")
    ingest_all(store, ["mof"], folder=folder)
    assert records_of(store, t5) == {RECORD + "mof/t5-base"}
    assert not tombstone(store, MODEL + "t5-2")
    assert OG + "WithdrawnModel" not in tombstone(store, t5)[RDF + "type"]
    old = tombstone(store, RECORD + "mof/t5")
    assert old[RDF + "type"] == {OG + "WithdrawnRecord"} and old[OG + "formerRecordOf"] == {t5}


def mof_t5_of(folder: Path, file: str, producer: str) -> None:
    """Write, in the MOF folder ``folder``, a release named T5 as the bundled one is, in
    ``file``, by ``producer``: another model of that name."""
    google = (sources_dir() / "mof" / "models" / "T5.yml").read_text(encoding="utf-8")
    text = google.replace("producer: Google", f"producer: {producer}")
    (folder / "models" / file).write_text(text, encoding="utf-8")


def test_a_model_of_another_producer_in_a_renamed_file_takes_no_withdrawn_iri(
    built, tmp_path
) -> None:
    """MOF replaces Google's T5 by Meta's, a file gone and one new in one ingest: Meta's T5
    is another model (name and producer match records), so it takes a number, and t5
    is withdrawn with Google's record — it was given t5, as a file renamed would be."""
    store = copy_of(built)
    folder = without(tmp_path, "mof", "models/T5.yml")
    mof_t5_of(folder, "T5-meta.yml", "Meta")
    ingest_all(store, ["mof"], folder=folder)
    assert records_of(store, MODEL + "t5-2") == {RECORD + "mof/t5-meta"}
    withdrawn = tombstone(store, MODEL + "t5")
    assert withdrawn[RDF + "type"] == {OG + "WithdrawnModel"}
    assert withdrawn[OG + "formerRecord"] == {RECORD + "mof/t5"}


def test_a_numbered_model_whose_only_record_is_renamed_keeps_its_number(built, tmp_path) -> None:
    """Two T5s, Google's (t5) and Meta's (t5-2): Meta's file renamed, Meta's T5 keeps t5-2
    (it was withdrawn and came back as t5-3: only a model at the IRI it is minted from kept
    it); then Google's file gone and Meta's renamed again in one ingest, Meta's T5 still
    keeps t5-2 and t5 is withdrawn (Meta's took Google's t5 and t5-2 was withdrawn)."""
    store = copy_of(built)
    folder = tmp_path / "mof"
    shutil.copytree(sources_dir() / "mof", folder)
    for step, file in enumerate(("T5-meta.yml", "T5-meta-2.yml", "T5-meta-3.yml")):
        for old in (folder / "models").glob("T5-meta*.yml"):
            old.unlink()
        if step == 2:
            (folder / "models" / "T5.yml").unlink()
        mof_t5_of(folder, file, "Meta")
        ingest_all(store, ["mof"], folder=folder)
        record = RECORD + "mof/" + file.removesuffix(".yml").lower()
        assert records_of(store, MODEL + "t5-2") == {record}, step
        assert not tombstone(store, MODEL + "t5-3"), step
    assert OG + "WithdrawnModel" in tombstone(store, MODEL + "t5")[RDF + "type"]


def test_a_record_rekeyed_and_renamed_is_a_withdrawal_and_a_new_model(built, tmp_path) -> None:
    """A file renamed with the name in it (T5.yml -> Flan.yml, T5 -> Flan): no name, file
    or repository of the record is left to tie Flan to T5 — the producer alone would tie
    a model dropped to another added beside it — so t5 is withdrawn with its record and
    Flan is a new model, nothing linking the two; the dated T5 (a MOF snapshot's) stays
    the withdrawn t5's, whose history outlives it, not Flan's. A record linking a Hub
    repository keeps its model's IRI so renamed (the repository is the release): gemma-2b's,
    renamed Gemma Two."""
    store = copy_of(built)
    dated = next(s for s in manifest() if s.source == "mof" and s.date == dt.date(2025, 12, 31))
    ingest_snapshot(store, dated)
    link_snapshot_records(store)
    t5, flan = MODEL + "t5", MODEL + "flan"
    of_dated_t5 = f"SELECT ?m WHERE {{ <{snapshot_prefix('mof', dated.date)}t5> og:snapshotOf ?m }}"
    assert select(store, of_dated_t5) == [{"m": t5}]  # by its source id, before
    folder = without(tmp_path, "mof", "models/T5.yml", "models/gemma-2b.yml")
    for bundled, file, name, renamed in (
        ("T5.yml", "Flan.yml", "T5", "Flan"),
        ("gemma-2b.yml", "Gemma-Two.yml", "gemma-2b", "Gemma Two"),
    ):
        text = (sources_dir() / "mof" / "models" / bundled).read_text(encoding="utf-8")
        assert text.count(f"  name: {name}\n") == 1
        text = text.replace(f"  name: {name}\n", f"  name: {renamed}\n")
        (folder / "models" / file).write_text(text, encoding="utf-8")
    ingest_all(store, ["mof"], folder=folder)
    link_snapshot_records(store)
    said = tombstone(store, t5)
    assert said[RDF + "type"] == {OG + "WithdrawnModel"}
    assert said[OG + "formerRecord"] == {RECORD + "mof/t5"}
    assert records_of(store, flan) == {RECORD + "mof/flan"}
    assert OG + "supersededBy" not in said and OG + "supersededBy" not in tombstone(store, flan)
    assert select(store, of_dated_t5) == [{"m": t5}]
    gemma = MODEL + "google--gemma-2b"
    assert records_of(store, gemma) == {RECORD + "mof/gemma-two"}
    assert OG + "WithdrawnModel" not in tombstone(store, gemma)[RDF + "type"]


def test_a_withdrawn_iri_is_not_given_to_another_model_of_its_name(built, tmp_path) -> None:
    """A curated T5 of another producer after MOF's went: it takes t5-2, and t5's answer
    names it as the model now called T5."""
    store = copy_of(built)
    ingest_all(store, ["mof"], folder=without(tmp_path, "mof", "models/T5.yml"))
    folder = tmp_path / "curated"
    shutil.copytree(sources_dir() / "curated", folder)
    with (folder / "models.yaml").open("a", encoding="utf-8") as f:
        f.write("- name: T5\n  producer: IBM-NASA Geospatial\n  source: https://example.org/t5\n")
    ingest_all(store, ["curated"], folder=folder)
    assert records_of(store, MODEL + "t5-2") == {RECORD + "curated/t5"}
    assert not records_of(store, MODEL + "t5")
    assert OG + "WithdrawnModel" in tombstone(store, MODEL + "t5")[RDF + "type"]
    answer = client(store).get("/api/models/t5")
    assert answer.status_code == 410
    assert answer.get_json()["sameName"] == [MODEL + "t5-2"]
    # Its name is a living model's (t5-2's, and T5X's alias): never said gone, but the
    # models so called offered (300), t5-2 among them.
    web = client(store)
    page, api = web.get("/models/T5"), web.get("/api/models/T5")
    assert (page.status_code, api.status_code) == (300, 300)
    assert 'href="/models/t5-2"' in page.text and "t5-2" in api.text


def test_a_hub_repository_deleted_leaves_a_tombstone_a_resync_keeps_and_its_return_lifts(
    tmp_path,
) -> None:
    """The live sync's identity update (not a rebuild) writes the tombstone a rebuild
    keeps; the repository listed again, its model has its IRI back."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(30) as hub:
        sync(store, hub)
        repo = hub.repo_id(9)
        iri = mint("model", repo)
        assert records_of(store, iri) == {record_iri(repo)}
        hub.remove(9)
        sync(store, hub, reconcile=True)
        said = tombstone(store, iri)
        assert said[RDF + "type"] == {OG + "WithdrawnModel"}
        assert said[OG + "formerRecord"] == {record_iri(repo)}
        rebuilt = copy_of(store)
        rebuild_identity(rebuilt)
        assert tombstone(rebuilt, iri) == said
        model_id = iri.removeprefix(MODEL)
        (name,) = said["https://schema.org/name"]
        gone(client(store), model_id, name, next(iter(said[PROV + "invalidatedAtTime"]))[:10])
        hub.removed.discard(9)
        hub.change([9])
        sync(store, hub)
    assert records_of(store, iri) == {record_iri(repo)}
    assert PROV + "invalidatedAtTime" not in tombstone(store, iri)


def test_a_hub_repository_renamed_then_removed_is_gone_under_its_former_id(tmp_path) -> None:
    """Its tombstone has the new id for name; the former id, which the old IRI (retired for
    the new one) is minted from, answered 404 'no model called' at /models/ and the API."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(30) as hub:
        sync(store, hub)
        former = hub.repo_id(9)
        hub.rename(9, "user4/renamed-9")
        sync(store, hub, reconcile=True)
        hub.remove(9)
        sync(store, hub, reconcile=True)
    assert tombstone(store, mint("model", "user4/renamed-9"))["https://schema.org/name"] == {
        "user4/renamed-9"
    }
    web = client(store)
    for path in (f"/models/{former}", f"/api/models/{former}"):
        answer = web.get(path)
        assert answer.status_code == 410, path
        assert "user4/renamed-9" in answer.text, path


def test_a_record_iri_names_its_model_on_the_command_line(built, tmp_path) -> None:
    """`openness evidence` (and `assess -m`, `history -m`, which resolve alike) take a
    source record's IRI for its model, a former Hub id's record IRI too."""
    assert resolve_model(built, RECORD + "mof/t5") == MODEL + "t5"
    assert resolve_model(built, RECORD + "hf/meta-llama--meta-llama-3.1-8b-instruct") == (
        MODEL + "meta-llama--llama-3.1-8b-instruct"
    )
    location = tmp_path / "store"
    copy_store(built, location).close()
    runner = CliRunner()
    by_record = runner.invoke(cli, ["--store", str(location), "evidence", RECORD + "mof/t5"])
    by_model = runner.invoke(cli, ["--store", str(location), "evidence", MODEL + "t5"])
    assert by_record.exit_code == 0, by_record.output
    assert by_record.stdout == by_model.stdout and "mof/t5" in by_record.stdout


def test_a_former_hub_ids_iri_keeps_pointing_at_its_model_after_it_comes_back() -> None:
    """A repository moved (its old id's IRI retired to its model), then deleted (the old
    id's IRI kept, pointing at the tombstone), then listed again: the model has its IRI
    back, and the old id's IRI still points at it — where it went (404), the records
    naming the old id gone, as a sync and a rebuild both left it."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(30) as hub:
        sync(store, hub)
        old = mint("model", hub.repo_id(9))
        hub.rename(9, "neworg/moved-9")
        sync(store, hub, reconcile=True)
        model = mint("model", "neworg/moved-9")
        assert successor(store, old) == model
        hub.remove(9)
        sync(store, hub, reconcile=True)
        assert OG + "WithdrawnModel" in tombstone(store, model)[RDF + "type"]
        assert successor(store, old) == model
        hub.removed.discard(9)
        hub.change([9])
        sync(store, hub)
    assert records_of(store, model) == {record_iri("neworg/moved-9")}
    rebuilt = copy_of(store)
    rebuild_identity(rebuilt)
    for linked in (store, rebuilt):
        assert successor(linked, old) == model
    redirects(client(store), old.removeprefix(BASE), model.removeprefix(BASE))


def test_a_former_hub_ids_iri_whose_model_merged_points_straight_at_the_survivor() -> None:
    """A former Hub id's IRI no record names any more (its repository deleted and listed
    again) keeps pointing at its model's IRI; when that model then merges into another
    (a MOF record of the repository, the Index's two), the old id's IRI points at the
    survivor, as the merged IRI does — where it pointed at the merged IRI, a chain of two
    303s, which the commands' lookup did not follow ('no model called …/model/org--a')."""
    old, merged, survivor = MODEL + "org--a", MODEL + "zeta", MODEL + "org--b"
    hub, index, mof = RECORD + "hf/org--b", RECORD + "osai-index/b", RECORD + "mof/zeta"
    issued = Issued(denoted={survivor: [hub, index], merged: [mof]}, aliases={old: merged})
    records = {
        hub: Record(hub, "hf", "org/b", None, {"org/b"}),
        index: Record(index, "osai-index", "b", None, {"org/b"}),
        mof: Record(mof, "mof", "b", None, {"org/b"}),
    }
    out = Triples()
    linked = link(records, default_organizations(), out, issued=issued)
    assert linked.retired == {merged: survivor, old: survivor}
    store = EmbeddedStore(None)
    store.write(add={Graphs.IDENTITY: out})
    assert successors(store, old) == {survivor}
    assert resolve_model(store, old) == survivor


def test_a_withdrawn_models_record_and_former_id_say_it_was_withdrawn(built, tmp_path) -> None:
    """The commands take a record's IRI and a former Hub id's for their model: of a model
    withdrawn, they say so, as its own IRI does — where they answered 'no model called
    …; did you mean' models of other names (google-t5/t5-small for T5's record)."""
    store = copy_of(built)
    ingest_all(store, ["mof"], folder=without(tmp_path, "mof", "models/T5.yml"))
    alias = MODEL + "t5-former-id"  # as a sync that knew a move of T5's repository left it
    store.write(
        add={
            Graphs.IDENTITY: [
                ox.Triple(*map(ox.NamedNode, (alias, OG + "supersededBy", MODEL + "t5")))
            ]
        }
    )
    for given in (MODEL + "t5", "t5", RECORD + "mof/t5", alias):
        with pytest.raises(LookupError) as raised:
            resolve_model(store, given)
        assert str(raised.value).startswith(f"{MODEL}t5 was the model 'T5', withdrawn on "), given


def removed(web: FlaskClient, record: str, day: str, model: str | None) -> None:
    """The record's IRI answers 410 Gone, naming the day it was removed and the model it
    was of: as RDF (the tombstone), a page or text, as the client asks."""
    path = "/" + record.removeprefix(BASE)
    for accept, media in (
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("text/html", "text/html"),
        ("image/png", "text/plain"),
    ):
        answer = web.get(path, headers={"Accept": accept})
        assert (answer.status_code, answer.mimetype) == (410, media), accept
        body = answer.get_data(as_text=True)
        if media in ("text/turtle", "application/ld+json"):
            graph = list(ox.parse(body.encode(), format=ox.RdfFormat.from_media_type(media)))
            found = {(q.predicate.value, q.object.value) for q in graph}
            assert (RDF + "type", OG + "WithdrawnRecord") in found
            assert any(p == PROV + "invalidatedAtTime" and o.startswith(day) for p, o in found)
            assert ((OG + "formerRecordOf", model) in found) is (model is not None)
        else:
            assert day in body and (model is None or model in body), accept


def test_a_record_a_source_drops_answers_410_gone_until_the_source_has_it_again(
    built, tmp_path
) -> None:
    """MOF drops Zephyr-141B, one of its model's three records: the model lives on, the
    record's IRI is kept as a tombstone in the identity graph (when it was removed, the
    model it was of), answered 410 Gone — an IRI never issued still 404 — and kept as it
    was by the ingests after; the record back, its IRI answers it again."""
    store = copy_of(built)
    record, model = RECORD + "mof/zephyr-141b", MODEL + "huggingfaceh4--zephyr-orpo-141b-a35b-v0.1"
    assert record in records_of(store, model)
    ingest_all(store, ["mof"], folder=without(tmp_path, "mof", "models/Zephyr-141B.yml"))
    assert records_of(store, model) and record not in records_of(store, model)
    said = tombstone(store, record)
    assert said.keys() == {RDF + "type", PROV + "invalidatedAtTime", OG + "formerRecordOf"}
    assert said[RDF + "type"] == {OG + "WithdrawnRecord"}
    assert said[OG + "formerRecordOf"] == {model}
    (when,) = said[PROV + "invalidatedAtTime"]
    web = client(store)
    removed(web, record, when[:10], model)
    assert web.get("/id/record/mof/never-issued").status_code == 404
    with pytest.raises(LookupError, match="removed on"):
        resolve_model(store, record)
    ingest_all(store, ["curated"])  # the identity linked again: the tombstone as it was
    assert tombstone(store, record) == said
    ingest_all(store, ["mof"])
    assert record in records_of(store, model)
    assert OG + "WithdrawnRecord" not in tombstone(store, record).get(RDF + "type", set())
    answer = client(store).get("/id/record/mof/zephyr-141b", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200


def test_a_record_its_source_has_again_names_its_model_before_the_identity_step_links_it(
    built, tmp_path
) -> None:
    """MOF drops Zephyr-141B's record, then has it again: until the identity step links it
    (the window a sync or an ingest stopped before that step leaves), the record's IRI
    answers the record, as a live resource comes before its tombstone, and the commands
    take it for the model it was of, which that step gives it back — where they said it
    was removed."""
    store = copy_of(built)
    record, model = RECORD + "mof/zephyr-141b", MODEL + "huggingfaceh4--zephyr-orpo-141b-a35b-v0.1"
    ingest_all(store, ["mof"], folder=without(tmp_path, "mof", "models/Zephyr-141B.yml"))
    ingest_source(store, "mof")  # the record back; the identity not linked again yet
    assert OG + "WithdrawnRecord" in tombstone(store, record)[RDF + "type"]
    assert record not in records_of(store, model)
    answer = client(store).get("/id/record/mof/zephyr-141b", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert resolve_model(store, record) == model
    rebuild_identity(store)
    assert record in records_of(store, model) and resolve_model(store, record) == model


def test_a_deleted_hub_repositorys_record_answers_410_and_a_sync_reads_no_other_tombstone(
    monkeypatch,
) -> None:
    """The live sync's identity update (not a rebuild) keeps the record IRI of a deleted
    repository as a tombstone, which a rebuild keeps as it is; the next sync's update asks
    about its own records only, not every tombstone kept (at a Hub's scale, a scan a sync);
    the repository back, the tombstone goes. A repository that moved leaves none: its old
    record IRI answers 303."""
    asked: list[str] = []

    def spy(store: GraphStore, candidates: list[str], *args: object) -> set[str]:
        asked.extend(candidates)
        return record_tombstones(store, candidates, *args)

    monkeypatch.setattr(identity_update, "record_tombstones", spy)
    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(30) as hub:
        sync(store, hub)
        repo = hub.repo_id(9)
        hub.remove(9)
        sync(store, hub, reconcile=True)
        said = tombstone(store, record_iri(repo))
        assert said[OG + "formerRecordOf"] == {mint("model", repo)}
        rebuilt = copy_of(store)
        rebuild_identity(rebuilt)
        assert tombstone(rebuilt, record_iri(repo)) == said
        (when,) = said[PROV + "invalidatedAtTime"]
        removed(client(store), record_iri(repo), when[:10], mint("model", repo))
        asked.clear()
        first = hub.repo_id(7)
        hub.remove(11)
        hub.rename(7, "neworg/renamed-seven")
        sync(store, hub, reconcile=True)
        assert record_iri(hub.repo_id(11)) in asked and record_iri(repo) not in asked
        assert tombstone(store, record_iri(repo)) == said
        assert OG + "WithdrawnRecord" in tombstone(store, record_iri(hub.repo_id(11)))[RDF + "type"]
        assert not tombstone(store, record_iri(first))
        assert client(store).get("/" + record_iri(first).removeprefix(BASE)).status_code == 303
        hub.removed.discard(9)
        hub.change([9])
        sync(store, hub)
    assert OG + "WithdrawnRecord" not in tombstone(store, record_iri(repo)).get(RDF + "type", set())
    answer = client(store).get("/" + record_iri(repo).removeprefix(BASE))
    assert answer.status_code == 200


def test_a_record_listed_again_answers_before_the_sync_relinks_it(monkeypatch) -> None:
    """A deleted repository listed again: its record is in the Hub graph from the page that
    lists it, while the identity graph keeps its tombstone until the sync's identity update
    at its end (or the next sync's, when one stops before it). Its IRI answers the record,
    as a live resource comes before a retirement — it answered 410 Gone all that while."""
    store = EmbeddedStore(None)
    load_vocabularies(store)
    with FakeHub(30) as hub:
        sync(store, hub)
        record = record_iri(hub.repo_id(9))
        hub.remove(9)
        sync(store, hub, reconcile=True)
        assert OG + "WithdrawnRecord" in tombstone(store, record)[RDF + "type"]
        hub.removed.discard(9)
        hub.change([9])

        def stopped(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt  # the sync stopped after its pages, before relinking

        monkeypatch.setattr(hf_live, "update_identity", stopped)
        with pytest.raises(KeyboardInterrupt):
            sync(store, hub)
    path = "/" + record.removeprefix(BASE)
    for accept in ("text/turtle", "text/html"):
        answer = client(store).get(path, headers={"Accept": accept})
        assert answer.status_code == 200, accept
        if accept == "text/turtle":
            said = {
                (q.predicate.value, q.object.value)
                for q in ox.parse(answer.data, format=ox.RdfFormat.TURTLE)
            }
            assert (RDF + "type", OG + "SourceRecord") in said


def test_a_new_repository_under_a_former_id_deleted_leaves_a_tombstone_a_retirement_lifts() -> None:
    """A moved to B, a new repository created under A and deleted: A's record IRI is a
    tombstone (410), the Hub having no A; B's record written again retires A's IRI to it
    (the moves it keeps), and the tombstone goes: the graph says one thing of an IRI."""
    with FakeHub(30) as hub:
        store, first = moved_on_the_hub(hub)
        created = hub.create(first)
        sync(store, hub)
        hub.remove(created)
        sync(store, hub, reconcile=True)
        assert OG + "WithdrawnRecord" in tombstone(store, record_iri(first))[RDF + "type"]
        assert not successors(store, record_iri(first))
        assert client(store).get("/" + record_iri(first).removeprefix(BASE)).status_code == 410
        hub.change([7])
        sync(store, hub)
    assert not tombstone(store, record_iri(first))
    assert successors(store, record_iri(first)) == {record_iri("neworg/renamed-seven")}
    assert client(store).get("/" + record_iri(first).removeprefix(BASE)).status_code == 303


def index_record(system: str, end_model: str, weights: str | None = None) -> str:
    """An Index record of ``end_model``, its system linking the Hub repository ``system``
    (and its end-model weights ``weights``)."""
    text = (
        f"system:\n    name: {end_model}\n    link: https://huggingface.co/{system}\n"
        f"    endmodelname: {end_model}\norg:\n    name: Example AI\n"
    )
    if weights:
        text += f"weights_endmodel:\n    class: open\n    link: https://huggingface.co/{weights}\n"
    return text


def model_iris(store: GraphStore) -> dict[str, str]:
    """Each Index record's source id -> its model's IRI."""
    rows = select(store, "SELECT ?id ?m WHERE { ?r og:sourceId ?id ; og:recordOf ?m }")
    return {r["id"]: r["m"] for r in rows}


def test_an_iri_a_records_release_no_longer_links_goes_to_the_repository_it_was_minted_from(
    tmp_path,
) -> None:
    """An Index record read first as a record of Example-R1-0528 (its system link), then of
    Example-R1 (its end-model weights link, nearer its end-model name): the IRI minted from
    example-ai/Example-R1-0528 does not follow the record to Example-R1, which no rename
    made of it — it is retired to Example-R1's IRI, and a record of Example-R1-0528 coming
    later gets it, as a store built afresh gives it. Before, Example-R1 kept it, and
    Example-R1-0528 was minted …-2: one IRI named two models by how the store was made."""
    folder = tmp_path / "index"
    (folder / "models").mkdir(parents=True)
    r1 = folder / "models" / "example-r1.yaml"
    store = EmbeddedStore(None)
    load_vocabularies(store)
    r1.write_text(index_record("example-ai/Example-R1-0528", "Example-R1"))
    ingest_source(store, "osai-index", folder=folder)
    rebuild_identity(store)
    old, new = MODEL + "example-ai--example-r1-0528", MODEL + "example-ai--example-r1"
    assert model_iris(store) == {"example-r1": old}
    r1.write_text(index_record("example-ai/Example-R1-0528", "Example-R1", "example-ai/Example-R1"))
    ingest_source(store, "osai-index", folder=folder)
    rebuild_identity(store)
    assert model_iris(store) == {"example-r1": new}
    assert successor(store, old) == new
    redirects(client(store), old.removeprefix(BASE), new.removeprefix(BASE))
    (folder / "models" / "example-r1-0528.yaml").write_text(
        index_record("example-ai/Example-R1-0528", "Example-R1-0528")
    )
    ingest_source(store, "osai-index", folder=folder)
    rebuild_identity(store)
    fresh = EmbeddedStore(None)
    load_vocabularies(fresh)
    ingest_source(fresh, "osai-index", folder=folder)
    rebuild_identity(fresh)
    assert model_iris(store) == model_iris(fresh) == {"example-r1": new, "example-r1-0528": old}
    assert successor(store, old) is None


def test_an_iri_whose_repository_a_record_links_under_a_former_id_stays_its_models() -> None:
    """A record now reading org/b, where its model's IRI was minted from org/a: org/a renamed
    to org/b (a former id of the record's) keeps the IRI; another repository retires it to
    the release now holding the record, which a record of org/a later takes it back from."""
    iri, index = MODEL + "org--a", RECORD + "osai-index/x"
    repos = {iri: {"org/a"}}

    def linked(records: dict[str, Record], issued: Issued) -> tuple[dict[str, str], Triples]:
        out = Triples()
        return link(records, default_organizations(), out, issued=issued).models, out

    issued = Issued(denoted={iri: [index]}, models={iri}, repos=lambda iris: repos)
    moved = Record(index, "osai-index", "b", None, {"org/b", "org/a"}, former=frozenset({"org/a"}))
    assert linked({index: moved}, issued)[0] == {index: iri}
    other = Record(index, "osai-index", "b", None, {"org/b"})
    models, out = linked({index: other}, issued)
    assert models == {index: MODEL + "org--b"}
    store = EmbeddedStore(None)
    store.write(add={Graphs.IDENTITY: out})
    assert successor(store, iri) == MODEL + "org--b"
    issued = Issued(denoted={iri: [index], MODEL + "org--b": [index]}, models={MODEL + "org--b"})
    mof = RECORD + "mof/a"
    again = {index: other, mof: Record(mof, "mof", "a", None, {"org/a"})}
    assert linked(again, issued)[0] == {index: MODEL + "org--b", mof: iri}


def shipping(monkeypatch, folder: Path, entries: list[dict[str, object]]) -> IngestReport:
    """The identity step reads ``entries`` as the list of the IRIs earlier releases published
    (as ``published-iris.yaml`` holds it, written in ``folder``); the report of reading it."""
    path = folder / PUBLISHED_FILE
    path.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")
    report = IngestReport("curated")
    monkeypatch.setattr(identity, "default_published", lambda: load_published(path, report))
    return report


def gone_listed(**more: object) -> dict[str, object]:
    """The entry of Example-Gone-7B's IRI, withdrawn, in the list of IRIs published."""
    entry = {"id": "example-ai--example-gone-7b", "name": "Example-Gone-7B"}
    return entry | {"records": ["osai-index/example-gone"], "date": "2026-01-02"} | more


def index_folder(tmp_path: Path, **records: str) -> Path:
    """A folder of Index records, each file named by its id (``index_record``'s text)."""
    folder = tmp_path / "index"
    (folder / "models").mkdir(parents=True)
    for name, text in records.items():
        (folder / "models" / f"{name.replace('_', '-')}.yaml").write_text(text)
    return folder


def empty_store() -> GraphStore:
    store = EmbeddedStore(None)
    load_vocabularies(store)
    return store


def index_linked(store: GraphStore, folder: Path) -> GraphStore:
    """``store`` with the Index records of ``folder``, linked again by a rebuild."""
    ingest_source(store, "osai-index", folder=folder)
    rebuild_identity(store)
    return store


def test_a_store_built_afresh_answers_an_iri_an_earlier_release_published_as_one_upgraded(
    tmp_path, monkeypatch
) -> None:
    """Index records read anew by a later release: one of Example-R1-0528 becomes one of
    Example-R1, one is dropped, and one matched by name (its system link refused) comes to
    link its Hub repository. A store upgraded across the change retires the first's IRI to
    Example-R1, withdraws the second's and keeps the third's name-minted IRI. A store built
    afresh from the later records, given the list of IRIs releases published, answers the
    first two as the upgraded store does (303 to Example-R1; 410 Gone naming the model and
    the day the list gives) and the name-minted IRI with a 303 to its Hub-minted one, which
    the upgraded store, given the list, answers with a 303 the other way; a later run reads
    them as issued. Built afresh without the list, a store answered none of them."""
    folder = index_folder(
        tmp_path,
        example_r1=index_record("example-ai/Example-R1-0528", "Example-R1"),
        example_gone=index_record("example-ai/Example-Gone-7B", "Example-Gone-7B"),
        example_coder=index_record("example-ai/Example-Coder-2B", "Example-Coder-14B"),
    )
    r1, dropped = folder / "models" / "example-r1.yaml", folder / "models" / "example-gone.yaml"
    coder = folder / "models" / "example-coder.yaml"
    old, new = MODEL + "example-ai--example-r1-0528", MODEL + "example-ai--example-r1"
    withdrawn = MODEL + "example-ai--example-gone-7b"
    by_name, by_repo = MODEL + "example-coder-14b", MODEL + "example-ai--example-coder-14b"
    monkeypatch.setattr(identity, "default_published", dict)  # the earlier release's: none

    upgraded = index_linked(empty_store(), folder)
    assert set(model_iris(upgraded).values()) == {old, withdrawn, by_name}
    r1.write_text(index_record("example-ai/Example-R1-0528", "Example-R1", "example-ai/Example-R1"))
    dropped.unlink()
    coder.write_text(
        index_record(
            "example-ai/Example-Coder-2B", "Example-Coder-14B", "example-ai/Example-Coder-14B"
        )
    )
    assert model_iris(index_linked(empty_store(), folder)) == {
        "example-r1": new,
        "example-coder": by_repo,
    }
    assert not any(
        tombstone(index_linked(empty_store(), folder), iri) for iri in (old, withdrawn, by_name)
    )
    record = {"records": ["osai-index/example-coder"], "date": "2026-01-02"}
    report = shipping(
        monkeypatch,
        tmp_path,
        [
            {"id": "example-ai--example-r1-0528", "name": "Example-R1",
             "records": ["osai-index/example-r1"], "date": "2026-01-02"},
            gone_listed(),
            {"id": "example-coder-14b", "name": "Example-Coder-14B", **record},
            {"id": "example-ai--example-coder-14b", "name": "Example-Coder-14B", **record},
        ],
    )  # fmt: skip
    index_linked(upgraded, folder)  # the later release, shipping the list
    assert model_iris(upgraded) == {"example-r1": new, "example-coder": by_name}
    assert successor(upgraded, old) == new
    assert tombstone(upgraded, withdrawn)[RDF + "type"] == {OG + "WithdrawnModel"}
    assert successor(upgraded, by_repo) == by_name
    redirects(client(upgraded), by_repo.removeprefix(BASE), by_name.removeprefix(BASE))

    fresh = index_linked(empty_store(), folder)
    assert not report.problems
    assert model_iris(fresh) == {"example-r1": new, "example-coder": by_repo}
    for iri in (old, withdrawn):
        said, before = tombstone(fresh, iri), tombstone(upgraded, iri)
        when = said.pop(PROV + "invalidatedAtTime", None)
        assert (when is None) == (before.pop(PROV + "invalidatedAtTime", None) is None)
        assert said == before, iri
    (when,) = tombstone(fresh, withdrawn)[PROV + "invalidatedAtTime"]
    assert when.startswith("2026-01-02")
    web = client(fresh)
    redirects(web, old.removeprefix(BASE), new.removeprefix(BASE))
    redirects(web, by_name.removeprefix(BASE), by_repo.removeprefix(BASE))
    gone(web, "example-ai--example-gone-7b", "Example-Gone-7B", "2026-01-02")
    before = {iri: tombstone(fresh, iri) for iri in (old, withdrawn, by_name)}
    index_linked(fresh, folder)  # a later run: the IRIs are the store's own now, kept as they were
    assert {iri: tombstone(fresh, iri) for iri in (old, withdrawn, by_name)} == before
    assert model_iris(fresh) == {"example-r1": new, "example-coder": by_repo}


def test_a_withdrawn_published_iris_records_answer_410_in_a_store_built_afresh_as_upgraded(
    tmp_path, monkeypatch
) -> None:
    """The Index drops Example-Gone-7B's one record: a store upgraded across the change
    keeps the record's IRI as a tombstone naming the model withdrawn, answered 410 Gone. A
    store built afresh from the later records, given the list of IRIs releases published,
    answers the record's IRI alike, gone on the day the list gives, and a later run keeps
    it as it is; before, it answered 404 there."""
    folder = index_folder(
        tmp_path,
        example_r1=index_record("example-ai/Example-R1", "Example-R1"),
        example_gone=index_record("example-ai/Example-Gone-7B", "Example-Gone-7B"),
    )
    withdrawn, record = MODEL + "example-ai--example-gone-7b", RECORD + "osai-index/example-gone"
    monkeypatch.setattr(identity, "default_published", dict)  # the earlier release's: none
    upgraded = index_linked(empty_store(), folder)
    (folder / "models" / "example-gone.yaml").unlink()
    shipping(monkeypatch, tmp_path, [gone_listed()])
    index_linked(upgraded, folder)
    fresh = index_linked(empty_store(), folder)
    said, before = tombstone(fresh, record), tombstone(upgraded, record)
    (when,) = said.pop(PROV + "invalidatedAtTime")
    assert before.pop(PROV + "invalidatedAtTime")
    assert (
        said
        == before
        == {RDF + "type": {OG + "WithdrawnRecord"}, OG + "formerRecordOf": {withdrawn}}
    )
    assert when.startswith("2026-01-02")
    removed(client(fresh), record, "2026-01-02", withdrawn)
    kept = tombstone(fresh, record)
    index_linked(fresh, folder)  # a later run: the store's own tombstone now
    assert tombstone(fresh, record) == kept


def test_a_new_model_minted_to_a_published_iri_is_given_it_in_a_store_built_afresh_as_upgraded(
    tmp_path, monkeypatch
) -> None:
    """After the Index dropped Example-Gone-7B's record and read Example-R1's by its
    weights link (Example-R1-0528's IRI retired to Example-R1's), new records come: another
    model linking the Hub repository of Example-Gone-7B, and one of Example-R1-0528. A store
    upgraded across the changes numbers the first (the withdrawn IRI stays withdrawn) and
    gives the second the retired IRI minted from its repository; a store built afresh from
    the last records, given the list of IRIs releases published, does the same. Before, it
    gave the withdrawn IRI to the new model, and answered no 410 for it."""
    folder = index_folder(
        tmp_path,
        example_r1=index_record("example-ai/Example-R1-0528", "Example-R1"),
        example_gone=index_record("example-ai/Example-Gone-7B", "Example-Gone-7B"),
    )
    models = folder / "models"
    old, new = MODEL + "example-ai--example-r1-0528", MODEL + "example-ai--example-r1"
    withdrawn = MODEL + "example-ai--example-gone-7b"
    monkeypatch.setattr(identity, "default_published", dict)  # the earlier release's: none
    upgraded = index_linked(empty_store(), folder)
    (models / "example-gone.yaml").unlink()
    weights = index_record("example-ai/Example-R1-0528", "Example-R1", "example-ai/Example-R1")
    (models / "example-r1.yaml").write_text(weights)
    shipping(
        monkeypatch,
        tmp_path,
        [
            gone_listed(),
            {"id": "example-ai--example-r1-0528", "name": "Example-R1",
             "records": ["osai-index/example-r1"], "date": "2026-01-02"},
        ],
    )  # fmt: skip
    index_linked(upgraded, folder)
    assert successor(upgraded, old) == new
    again = index_record("example-ai/Example-Gone-7B", "Example-Gone-7B-Again")
    (models / "example-again.yaml").write_text(again)
    r1_0528 = index_record("example-ai/Example-R1-0528", "Example-R1-0528")
    (models / "example-r1-0528.yaml").write_text(r1_0528)
    index_linked(upgraded, folder)
    fresh = index_linked(empty_store(), folder)
    expected = {"example-r1": new, "example-again": withdrawn + "-2", "example-r1-0528": old}
    assert model_iris(upgraded) == expected
    assert model_iris(fresh) == expected
    gone(client(fresh), "example-ai--example-gone-7b", "Example-Gone-7B", "2026-01-02")


def test_a_hub_sync_gives_no_new_repository_an_iri_an_earlier_release_published(
    tmp_path, monkeypatch
) -> None:
    """The list of IRIs releases published comes with a release after the store's last
    rebuild, naming an IRI of a model whose records are all gone and one whose records are
    of a source the store does not hold. New Hub repositories minted to them come: the
    sync's identity update rebuilds once, as only a rebuild withdraws the first (410 Gone,
    as a store that issued it does), and numbers both new models, as that store would; the
    sync after it is incremental again. Before, the update gave both IRIs to the new models
    (the list was read by rebuilds only)."""
    folder = index_folder(tmp_path, example_r1=index_record("example-ai/Example-R1", "Example-R1"))
    monkeypatch.setattr(identity, "default_published", dict)  # the earlier release's: none
    store = index_linked(empty_store(), folder)
    rebuilds: list[GraphStore] = []

    def counted(store: GraphStore, *args: object) -> IngestReport:
        rebuilds.append(store)
        return rebuild_identity(store, *args)

    monkeypatch.setattr(identity_update, "rebuild_identity", counted)
    gone_id, unheld_id = "example-ai/Example-Gone-7B", "example-ai/Example-Unheld-7B"
    withdrawn, unheld = mint("model", gone_id), mint("model", unheld_id)
    with FakeHub(10) as hub:
        sync(store, hub)
        assert not rebuilds
        listed = {"id": "example-ai--example-unheld-7b", "name": "Example-Unheld-7B"}
        shipping(
            monkeypatch,
            tmp_path,
            [gone_listed(), listed | {"records": ["mof/example-unheld-7b"], "date": "2026-01-02"}],
        )
        hub.create(gone_id)
        hub.create(unheld_id)
        sync(store, hub)
        assert len(rebuilds) == 1
        hub.create("example-ai/Example-Later-7B")
        sync(store, hub)
        assert len(rebuilds) == 1
    assert records_of(store, withdrawn + "-2") == {record_iri(gone_id)}
    assert records_of(store, unheld + "-2") == {record_iri(unheld_id)}
    assert not records_of(store, withdrawn) and not records_of(store, unheld)
    gone(client(store), "example-ai--example-gone-7b", "Example-Gone-7B", "2026-01-02")


def test_a_hub_synced_in_part_withdraws_no_iri_of_a_repository_it_has_not_listed(
    tmp_path, monkeypatch
) -> None:
    """A listed IRI of a Hub repository the store has not listed (one author's models
    synced) was withdrawn, 410 with its record, and each sync of such a store rebuilt to
    do so: the store held a Hub graph, so the repository's record seemed gone. Until the
    whole Hub is synced through a pass it is left unissued (404), as a store that issued it
    and synced alike answers, and no sync rebuilds for it; a whole-Hub sync that does not
    list the repository withdraws it."""
    listed = {"id": "elsewhere--gone-7b", "name": "elsewhere/Gone-7B", "date": "2026-01-02"}
    shipping(monkeypatch, tmp_path, [listed | {"records": ["hf/elsewhere--gone-7b"]}])
    rebuilds: list[GraphStore] = []

    def counted(store: GraphStore, *args: object) -> IngestReport:
        rebuilds.append(store)
        return rebuild_identity(store, *args)

    monkeypatch.setattr(identity_update, "rebuild_identity", counted)
    store, iri = empty_store(), MODEL + "elsewhere--gone-7b"
    with FakeHub(10) as hub:
        author = hub.repo_id(0).split("/")[0]
        sync(store, hub, author=author)  # the first links every record: a rebuild
        rebuilds.clear()
        hub.create(f"{author}/Later-7B")
        sync(store, hub, author=author)
        assert not rebuilds
        web = client(store)
        assert web.get("/id/model/elsewhere--gone-7b").status_code == 404
        assert web.get("/id/record/hf/elsewhere--gone-7b").status_code == 404
        sync(store, hub)
    assert len(rebuilds) == 1
    gone(client(store), "elsewhere--gone-7b", "elsewhere/Gone-7B", "2026-01-02")
    assert not records_of(store, iri)


def test_each_iri_earlier_releases_published_answers_in_the_bundled_build_as_listed(built) -> None:
    """A build from the bundled data answers each model IRI ``published-iris.yaml`` lists
    as the list says it became: 303 to the model now holding its records ('replaced by'),
    410 Gone naming its last name and the day ('withdrawn'), or its model ('current': the
    IRI a store upgraded from an earlier release answers with a 303 to the one it kept)."""
    path = sources_dir() / "curated" / PUBLISHED_FILE
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert entries
    web = client(built)
    for entry in entries:
        model_id, became = entry["id"], entry["became"]
        if became == "current":
            assert records_of(built, MODEL + model_id), model_id
        elif became == "withdrawn":
            gone(web, model_id, entry["name"], str(entry["date"]))
        else:
            now = became.removeprefix("replaced by ")
            assert records_of(built, MODEL + now), model_id
            redirects(web, f"id/model/{model_id}", f"id/model/{now}")
