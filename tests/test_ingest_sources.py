"""Each ingester on real bundled records: what it must capture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_of, select
from support.provenance import made

from openness import vocabularies
from openness.ingest.croissant import load_origins
from openness.ingest.identity import rebuild_identity
from openness.ingest.records import source_version
from openness.ingest.report import IngestReport
from openness.ingest.runner import PROVENANCE_GRAPH, SOURCES, ingest_source
from openness.namespaces import OG, Graphs, mint
from openness.resources import ontology_dir, sources_dir
from openness.store import EmbeddedStore, summary
from openness.vocabularies import load_vocabularies

MOF = "https://w3id.org/openness-graph/id/record/mof/"
IDX = "https://w3id.org/openness-graph/id/record/osai-index/"
HF = "https://w3id.org/openness-graph/id/record/hf/"


def test_counts_meet_the_bundled_snapshot(built) -> None:
    from openness.stats import collect_stats

    stats = collect_stats(built)
    assert stats["licenses"] >= 727
    assert stats["records"]["mof"] >= 270
    assert stats["records"]["osai-index"] == 193
    assert stats["records"]["hf"] >= 35
    assert stats["datasets"] >= 700
    assert stats["records"]["curated"] == 8  # 2 public-sector models, 6 never-published
    assert stats["publishedVerdicts"] == 17
    assert stats["verdicts"] == 0  # ingested, not assessed


def test_mof_record_keeps_fields_and_licences_as_written(built) -> None:
    rec = MOF + "olmo-7b"
    rows = select(
        built,
        f"""SELECT ?name ?producer ?repo ?issued WHERE {{ GRAPH ?g {{
        <{rec}> og:sourceId ?name ; og:producer/schema:name ?producer ;
                og:huggingFaceRepo ?repo ; dcterms:issued ?issued }} }}""",
    )
    assert rows == [
        {
            "name": "OLMo-7B",
            "producer": "Allen Institute for AI",
            "repo": "allenai/OLMo-7B",
            "issued": "2025-05-16",
        }
    ]
    comps = select(
        built,
        f"""SELECT ?type ?string ?kind WHERE {{
        <{rec}> og:component ?c . ?c og:componentType ?type .
        OPTIONAL {{ ?c og:licenseStatement ?s . ?s og:licenseString ?string ;
                    og:resolution/skos:notation ?kind }} }}""",
    )
    assert len(comps) >= 10
    kinds = {c["type"].rsplit("/", 1)[1]: c.get("kind") for c in comps}
    assert "model-architecture" in kinds
    globals_ = select(
        built,
        f"""SELECT ?role ?string WHERE {{
        <{rec}> og:licenseStatement ?s . ?s og:licenseRole ?role ; og:licenseString ?string }}""",
    )
    assert {"role": "distribution", "string": "Apache-2.0"} in globals_


def test_mof_unlicensed_components_stay_unlicensed(built) -> None:
    rows = select(
        built,
        """SELECT (COUNT(*) AS ?n) WHERE {
        GRAPH ?g { ?c og:licenseStatement ?s . ?s og:licenseString "unlicensed" ;
                   og:resolution <https://w3id.org/openness-graph/ns/license-resolution/none> }
        FILTER NOT EXISTS { ?s og:resolvesTo ?any } }""",
        default_graphs=[Graphs.source("mof")],
        named_graphs=[Graphs.source("mof")],
    )
    assert int(rows[0]["n"]) > 100


def test_mof_licence_table_is_data(built) -> None:
    rows = select(
        built,
        """SELECT ?id WHERE { ?t a og:LicenseTable ; og:acceptedLicenseId ?id .
        FILTER(?id IN ("Apache-2.0", "MIT", "CC-BY-4.0", "OpenMDW-1.0")) }""",
    )
    assert {r["id"] for r in rows} == {"Apache-2.0", "MIT", "CC-BY-4.0"}


def test_index_system_has_all_twelve_dimensions(built) -> None:
    rec = IDX + "amd-olmo"
    rows = select(
        built,
        f"""SELECT ?dim ?value WHERE {{
        <{rec}> og:rating ?r . ?r og:dimension/skos:notation ?dim ;
        og:ratingValue/skos:notation ?value }}""",
    )
    ratings = {r["dim"]: r["value"] for r in rows}
    assert len(ratings) == 12
    assert ratings["preprint"] == "closed" and ratings["weights_endmodel"] == "open"
    rows = select(
        built,
        f"""SELECT ?org ?kind ?system WHERE {{
        <{rec}> og:producer ?o ; og:familyName ?system . ?o schema:name ?org .
        OPTIONAL {{ ?o og:organizationKind/skos:notation ?kind }} }}""",
    )
    assert rows == [{"org": "AMD", "kind": "company", "system": "AMD OLMo"}]


def test_the_index_licences_note_gives_the_codes_licence(built) -> None:
    """Audit s53 § 1: the Index's licences note names each part's licence ('Weights: MIT.
    Code: MIT. Data: Creative Commons'). The code's is recorded on the licences rating as
    the record states it, resolved as every licence string is: an SPDX id to its licence,
    'unlicensed' as stated unlicensed and a name the list does not know kept unresolved.
    'not released' names no licence and is not recorded; prose about the code (Gemma's
    'Only Inference code shared under Apache 2.0') is not read. CascadeV's 'AGPL-3.0
    license' (GitHub's label) is AGPL-3.0-only, the deprecated AGPL-3.0's successor."""
    stems = "ChatMusician AudioLDM AltDiffusion DeepFloyd 33x-coder Gemma CascadeV".split()
    records = " ".join(f"<{mint('record', 'osai-index', stem)}>" for stem in stems)
    rows = select(
        built,
        f"""SELECT ?id ?text ?resolution ?licence WHERE {{
        VALUES ?r {{ {records} }}
        ?r og:sourceId ?id ; og:rating ?x . ?x og:dimension/skos:notation "licenses" ;
           og:licenseStatement ?s .
        ?s og:licenseRole "code" ; og:licenseString ?text ;
           og:resolution/skos:notation ?resolution .
        OPTIONAL {{ ?s og:resolvesTo ?licence }} }} ORDER BY ?id""",
    )
    spdx = "https://spdx.org/licenses/"
    assert [tuple(r.get(k) for k in ("id", "text", "resolution", "licence")) for r in rows] == [
        ("AltDiffusion", "unlicensed", "none", None),
        ("AudioLDM", "CC-BY-NC-SA-4.0", "exact", spdx + "CC-BY-NC-SA-4.0"),
        ("CascadeV", "AGPL-3.0 license", "alias", spdx + "AGPL-3.0-only"),
        ("ChatMusician", "MIT", "exact", spdx + "MIT"),
        ("DeepFloyd", "Modified MIT", "unresolved", None),
    ]


def test_every_index_rating_is_ingested(built) -> None:
    n = built.count("SELECT (COUNT(*) AS ?n) WHERE { ?r a og:DimensionRating }")
    assert n == 193 * 12


def test_hub_model_captures_licence_gating_base_and_weights(built) -> None:
    rec = HF + "meta-llama--llama-3.1-8b-instruct"
    rows = select(
        built,
        f"""SELECT ?lic ?mode ?base ?fmt WHERE {{
        <{rec}> dcterms:license ?lic ; og:distributionMode/skos:notation ?mode ;
                og:baseModelName ?base ;
                og:component [ og:componentType ogc:model-parameters-final ; og:weightFormat ?fmt ]
    }}""",
    )
    assert {
        "lic": "https://w3id.org/openness-graph/id/license/llama3.1",
        "mode": "approval-gated",
        "base": "meta-llama/Meta-Llama-3.1-8B",
        "fmt": "safetensors",
    } in rows


def test_a_hub_model_run_with_an_open_source_library_has_its_inference_code(built) -> None:
    """The Hub's library_name, when curated/libraries.yaml lists the library, is the
    model's deployment code: released at the library's repository under its licence."""
    rows = select(
        built,
        f"""SELECT ?lib ?where ?lic WHERE {{
        <{HF}google-bert--bert-base-uncased> schema:runtimePlatform ?lib ;
          og:component [ og:componentType ogc:inference-code ; og:released true ;
                         og:location ?where ; og:licenseStatement/og:resolvesTo ?lic ] }}""",
    )
    assert rows == [
        {
            "lib": "transformers",
            "where": "https://github.com/huggingface/transformers",
            "lic": "https://spdx.org/licenses/Apache-2.0",
        }
    ]
    unlisted = """ASK { ?r og:source/skos:notation "hf" ; og:component ?c .
        ?c og:componentType ogc:inference-code .
        FILTER NOT EXISTS { ?r schema:runtimePlatform ?lib } }"""
    assert not built.query(unlisted)


def test_hub_renames_are_keyed_by_the_returned_id(built) -> None:
    rows = select(built, 'SELECT ?r WHERE { ?r og:formerHubId "bert-base-uncased" }')
    assert rows == [{"r": HF + "google-bert--bert-base-uncased"}]


def test_hub_datasets_from_cards(built) -> None:
    rows = select(
        built,
        """SELECT ?lic ?size WHERE {
        <https://w3id.org/openness-graph/id/dataset/allenai--c4> dcterms:license ?lic ;
            schema:size ?size }""",
    )
    assert rows and rows[0]["lic"] == "https://spdx.org/licenses/ODC-By-1.0"


def test_croissant_relative_ids_do_not_collide(built) -> None:
    rows = select(
        built,
        """SELECT ?repo WHERE {
        ?repo a <http://mlcommons.org/croissant/FileObject> ;
              schema:name ?name . FILTER(STR(?name) = "repo") }""",
    )
    assert len(rows) == len({r["repo"] for r in rows}) >= 10


UPSTREAM_CROISSANT = (
    "https://raw.githubusercontent.com/mlcommons/croissant/"
    "401f6fff81db26a49c0d1704f02bffc4e4fa8fe2/datasets/"
)


def test_croissant_nodes_are_named_against_the_url_each_description_was_published_at(
    built,
) -> None:
    """JSON-LD resolves a relative @id against its document's URL: mnist's file set is the
    node its published file names 'parquet-files', not one under our copy's name, and the
    description (our record, as before) names that file."""
    published = UPSTREAM_CROISSANT + "1.0/huggingface-mnist/"
    rows = select(
        built,
        f"""SELECT ?set ?doc WHERE {{
        <{mint("croissant", "huggingface-mnist__croissant-1.0")}> schema:distribution ?set ;
            prov:wasDerivedFrom ?doc . ?set a cr:FileSet }}""",
    )
    assert rows == [{"set": published + "parquet-files", "doc": published + "metadata.json"}]


def test_the_nodes_a_croissant_description_names_under_its_url_are_defined_by_it(built) -> None:
    """The nodes mnist's published file names under its URL (file sets, record sets, their
    fields) are rdfs:isDefinedBy that document, which the description is
    prov:wasDerivedFrom: a reader tells them by that mark from the other IRIs outside our
    namespace it links (the server took every node under a derived-from URL's folder as
    the document's, for any source). Nothing else the description names is (its dataset,
    its licence), and no other source marks a node so."""
    published = UPSTREAM_CROISSANT + "1.0/huggingface-mnist/"
    document = published + "metadata.json"
    rows = select(built, f"SELECT ?n WHERE {{ ?n rdfs:isDefinedBy <{document}> }}")
    names = ("repo", "parquet-files", "mnist_splits", "default")
    fields = ("default/image", "default/label", "default/split", "mnist_splits/split_name")
    assert sorted(r["n"] for r in rows) == sorted(published + n for n in names + fields)
    by = select(built, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?n rdfs:isDefinedBy ?d } }")
    # Elsewhere only the vocabularies' terms and the shapes, by their own documents.
    assert {r["g"] for r in by} == {Graphs.ONTOLOGY, Graphs.SHAPES, Graphs.source("croissant")}
    # Every upstream node of every description is marked, by the one it is derived from.
    unmarked = f"""ASK {{ GRAPH <{Graphs.source("croissant")}> {{ ?n ?p ?o
        FILTER (STRSTARTS(STR(?n), "{UPSTREAM_CROISSANT}"))
        FILTER NOT EXISTS {{ ?n rdfs:isDefinedBy ?d . ?description prov:wasDerivedFrom ?d }}
    }} }}"""
    assert not built.query(unmarked)


def test_each_bundled_croissant_file_is_listed_where_it_was_published() -> None:
    """origins.yaml gives each bundled description the URL SOURCE.md's rule makes of its
    name, at the commit it names: a file added or copied again without its line would be
    given a base of its own, silently."""
    folder = sources_dir() / "croissant"
    report = IngestReport("croissant")
    listed = load_origins(folder, report)
    commit = source_version(folder)
    assert UPSTREAM_CROISSANT.split("/")[5] == commit
    expected = {}
    for path in folder.glob("*.json"):
        name, version = path.stem.split("__croissant-")
        expected[path.name] = f"{UPSTREAM_CROISSANT}{version}/{name}/metadata.json"
    assert listed == expected and len(expected) == 24 and not report.problems


def test_croissant_licence_urls_resolve(built) -> None:
    rows = select(
        built,
        """SELECT DISTINCT ?lic WHERE {
        ?d og:huggingFaceRepo "rajpurkar/squad_v2" ; og:licenseStatement ?s .
        ?s og:licenseString ?text ; og:resolvesTo ?lic .
        FILTER (STRSTARTS(?text, "https://choosealicense.com/")) }""",
    )
    assert rows == [{"lic": "https://spdx.org/licenses/CC-BY-SA-4.0"}]


def test_curated_datasets_carry_osi_data_class(built) -> None:
    rows = select(
        built,
        f"""SELECT ?name ?class WHERE {{
        GRAPH <{Graphs.source("curated")}> {{ ?d schema:name ?name ; og:dataClass ?c }}
        ?c skos:notation ?class }}""",
    )
    classes = {r["name"]: r["class"] for r in rows}
    assert classes["LibriSpeech"] == "open" and classes["ImageNet"] == "obtainable"
    assert len(classes) == 8


def test_government_organizations_on_the_hub(built) -> None:
    rows = select(
        built,
        """SELECT ?label WHERE { ?o og:organizationKind ogk:government ;
        rdfs:label ?label } ORDER BY ?label""".replace(
            "ogk:government", "<https://w3id.org/openness-graph/ns/org-kind/government>"
        ),
    )
    labels = {r["label"] for r in rows}
    assert {
        "National Aeronautics and Space Administration",
        "NASA Interagency Implementation and Advanced Concepts Team",
        "NASA CISTO Data Science Group",
        "NASA Goddard Earth Sciences Data and Information Services Center",
    } <= labels


def test_published_verdicts_are_attributed_to_their_publisher(built) -> None:
    rows = select(
        built,
        """SELECT ?who ?outcome ?version WHERE {
        ?v a og:PublishedVerdict ; earl:subject/schema:name "Pythia" ;
           earl:assertedBy/rdfs:label ?who ; og:againstVersion ?version ;
           earl:result/earl:outcome ?outcome }""",
    )
    assert rows == [
        {
            "who": "Open Source Initiative",
            "outcome": "http://www.w3.org/ns/earl#passed",
            "version": "draft (validation phase, v0.0.8/v0.0.9)",
        }
    ]


def test_every_run_is_a_prov_activity(built) -> None:
    rows = select(
        built,
        """SELECT ?source ?version WHERE { ?run a og:IngestionRun ;
        og:source/skos:notation ?source ; og:sourceVersion ?version ;
        prov:startedAtTime ?s ; prov:endedAtTime ?e ; og:toolVersion ?t }""",
    )
    versions = {r["source"]: r["version"] for r in rows}
    assert versions["mof"] == "8b5d30e90a7c62d7d6ece48b91e69ff495920a4d"
    assert set(versions) == {"spdx", "mof", "osai-index", "hf", "croissant", "curated", "fmti"}


def test_every_source_graph_is_a_source_of_the_vocabulary(built) -> None:
    """Each source graph the build fills is described by its concept in the sources
    scheme (the VoID description, the records' og:source and the pages read its licence
    and origin from there)."""
    prefix = Graphs.source("")
    names = {g.removeprefix(prefix) for g in built.graph_names() if g.startswith(prefix)}
    rows = select(
        built,
        """SELECT ?n WHERE { ?s a og:Source ; skos:notation ?n ;
             dcterms:license ?l ; dcterms:source ?o }""",
    )
    assert names and names <= {r["n"] for r in rows}


def generation(store, graph: str) -> list[dict[str, str]]:
    """What the provenance graph says made ``graph``: each run, with the size and the
    source it gives the graph."""
    return select(
        store,
        f"""SELECT ?run ?size ?source WHERE {{
              GRAPH <{PROVENANCE_GRAPH}> {{ <{graph}> prov:wasGeneratedBy ?run
                OPTIONAL {{ <{graph}> <http://rdfs.org/ns/void#triples> ?size }} }}
              OPTIONAL {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{graph}> og:source ?concept }}
                         ?concept skos:notation ?source }} }}""",
    )


def test_a_source_graph_is_described_as_its_last_run_made_it(built) -> None:
    """Each source graph is said to be made by the run that made what it holds — its size
    as stored (a triple two records add is one) and its source, whose licence and origin a
    consumer reads — and a run that replaces it is then the only one said to have."""
    store = copy_of(built)
    ingest_source(store, "curated")
    sizes = store.graph_sizes()
    prefix = Graphs.source("")
    for graph in (g for g in sizes if g.startswith(prefix)):
        rows = generation(store, graph)
        assert len(rows) == 1, (graph, rows)
        assert rows[0].get("size") == str(sizes[graph]), graph
        assert rows[0].get("source") == graph.removeprefix(prefix), graph


def test_every_computed_graph_says_which_run_made_it(built) -> None:
    """Each graph the tool computes is said to be made by a run, as a source's is: the
    entailed graph (the types the vocabulary entails) was the one without, though the
    identity run writes it — so the run that wrote it last, from the identities, alone,
    after a source's ingest links them again. The vocabularies' graphs are files loaded,
    the provenance and VoID graphs describe the others."""
    described = {Graphs.ONTOLOGY, Graphs.SHAPES, PROVENANCE_GRAPH, summary.SUMMARY}
    unmade = [g for g in built.graph_names() if g not in described and not generation(built, g)]
    assert unmade == []
    store = copy_of(built)
    ingest_source(store, "curated")
    (entailed,) = generation(store, Graphs.ENTAILED)
    (identity,) = generation(store, Graphs.IDENTITY)
    assert entailed["run"] == identity["run"]
    rows = select(
        store,
        f"""SELECT ?from WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
              <{Graphs.ENTAILED}> prov:wasDerivedFrom ?from }} }}""",
    )
    assert Graphs.IDENTITY in {r["from"] for r in rows}


def test_a_vocabulary_load_that_changes_the_entailed_types_says_it_made_them(
    built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load of the vocabularies whose superclasses changed rewrote the entailed graph,
    which the provenance graph still said the last identity run had made: the load (an
    og:VocabularyRun) is said to have made it, from the ontology and the identities, and a
    load that changes nothing leaves it so."""
    store = copy_of(built)
    (identity,) = made(store, Graphs.IDENTITY)
    folder = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), folder)
    release = "https://example.org/Release"
    (folder / "release.ttl").write_text(
        f"<{OG}Model> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{release}> .\n"
    )
    monkeypatch.setattr(vocabularies, "ontology_dir", lambda: folder)
    counted = load_vocabularies(store)
    assert store.query(f"ASK {{ GRAPH <{Graphs.ENTAILED}> {{ ?m a <{release}> }} }}")
    # What `init` says it loaded: the vocabularies' triples, not the types and the
    # provenance the load wrote beside them.
    graphs = f"<{Graphs.ONTOLOGY}> <{Graphs.SHAPES}>"
    held = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    assert counted == int(store.query(held).rows()[0]["n"].value)
    (entailed,) = made(store, Graphs.ENTAILED)
    assert entailed.kind == OG + "VocabularyRun" and entailed.run != identity.run
    assert {Graphs.ONTOLOGY, Graphs.IDENTITY} <= entailed.derived_from <= entailed.used
    assert made(store, Graphs.IDENTITY) == [identity]
    load_vocabularies(store)
    assert made(store, Graphs.ENTAILED) == [entailed]


def test_a_run_names_the_folder_it_read_the_same_wherever_the_data_is(
    built, tmp_path: Path
) -> None:
    """A run's og:sourceFile is the folder's path under data/sources/ (or, read from
    elsewhere, its name): not the builder's absolute path, which told the machine's layout
    and made two builds of the same data in two places differ."""
    bundled = select(
        built,
        """SELECT ?source ?file WHERE { ?run a og:IngestionRun ;
             og:source/skos:notation ?source ; og:sourceFile ?file }""",
    )
    assert {r["source"]: r["file"] for r in bundled} == {s: s for s in SOURCES}
    said = []
    for where in (tmp_path / "one", tmp_path / "two" / "deeper"):
        shutil.copytree(sources_dir() / "fmti", where / "fmti")
        store = EmbeddedStore(None)
        ingest_source(store, "fmti", folder=where / "fmti")
        said.append(
            select(store, "SELECT ?file WHERE { ?run a og:IngestionRun ; og:sourceFile ?file }")
        )
    assert said[0] == said[1] == [{"file": "fmti"}]


def test_a_run_is_associated_with_its_release_and_used_the_files_it_read(built) -> None:
    """Each ingestion run was associated with this software at its version (a
    prov:SoftwareAgent) and used the files it read (a prov:Entity named by their content,
    the same for two runs that read the same files), which the graph it made was derived
    from."""
    for source in SOURCES:
        (run,) = made(built, Graphs.source(source))
        assert run.kind == OG + "IngestionRun"
        (files,) = run.used
        assert run.derived_from == {files}
        assert files.startswith(mint("files", source) + "/")
        rows = select(
            built, f"SELECT ?file WHERE {{ <{files}> a prov:Entity ; og:sourceFile ?file }}"
        )
        assert rows == [{"file": source}]
    store = EmbeddedStore(None)
    ingest_source(store, "fmti")
    assert made(store, Graphs.source("fmti"))[0].used == made(built, Graphs.source("fmti"))[0].used


def test_the_identity_graph_is_described_as_the_run_that_linked_it_made_it(built) -> None:
    """The identity graph, which no source says, is said to be made by the run that last
    linked the records, from the source graphs it read; a later run is then the only one
    said to have made it."""
    store = copy_of(built)
    (before,) = made(store, Graphs.IDENTITY)
    assert before.kind == OG + "IdentityRun"
    sources = {Graphs.source(s) for s in SOURCES}
    assert sources <= before.used and sources <= before.derived_from
    rebuild_identity(store)
    (after,) = made(store, Graphs.IDENTITY)
    assert after.run != before.run and after.derived_from == before.derived_from


def test_a_source_note_giving_its_commit_abbreviated_versions_the_run(built) -> None:
    # fmti/SOURCE.md: "Commit: `f4500c5`"; the run said 'unknown'.
    assert source_version(sources_dir() / "fmti") == "f4500c5"
    rows = select(
        built,
        """SELECT ?version WHERE { ?run a og:IngestionRun ; og:sourceVersion ?version ;
             og:source/skos:notation "fmti" }""",
    )
    assert rows == [{"version": "f4500c5"}]


def test_every_licence_a_record_names_is_typed_as_a_licence(built) -> None:
    """A licence a resource names with dcterms:license is typed dcterms:LicenseDocument (its
    range) and og:License, those outside the SPDX list as those in it: a consumer who does
    not infer from our subclass axioms finds them all."""
    rows = select(
        built,
        f"""SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ ?x dcterms:license ?l }}
              FILTER (STRSTARTS(STR(?g), "{Graphs.source("")}"))
              FILTER NOT EXISTS {{ ?l a dcterms:LicenseDocument, og:License }} }}""",
    )
    assert rows == []
