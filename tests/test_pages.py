"""The web pages as HTTP answers (the browser tests drive the same pages in Chromium):
"Is X open?", the model page and its evidence, validation, the layout every page shares."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import threading
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
import rdflib
import yaml
from conftest import copy_of, select
from flask import render_template
from flask.testing import FlaskClient
from markupsafe import escape
from rdflib.namespace import DCTERMS
from support.clients import BROWSER
from support.credits import catalogued_licences, cited, credited, data_catalogue, source_rows

from openness.assess.definitions import definitions
from openness.named_queries import catalogue
from openness.namespaces import OG, XSD, Graphs
from openness.resources import ontology_dir, sources_dir
from openness.server import create_app, pages
from openness.server.admission import Guard, Overloaded
from openness.server.guarded import GuardedStore
from openness.server.pages import detect_format
from openness.store import EmbeddedStore, GraphStore, QueryResult, RemoteStore
from openness.store.sparql_text import bind_values

OLMO = "allenai--olmo-7b"


@pytest.fixture(scope="module")
def client(reported: Path) -> FlaskClient:
    return create_app({"STORE_LOCATION": str(reported), "TESTING": True}).test_client()


def test_search_answers_with_one_line_per_definition(client: FlaskClient) -> None:
    answer = client.get("/api/search?q=llama 2").json
    best = answer["matches"][0]
    assert best["name"] == "Llama-2-7B"  # the family's name; the closest release first
    assert len(best["verdicts"]) == len(definitions())
    assert {v["outcome"] for v in best["verdicts"]} <= {"passed", "failed", "cantTell"}
    assert all(v["why"] for v in best["verdicts"] if v["outcome"] != "passed")
    assert {m["name"] for m in answer["matches"]} >= {"Llama-2-13B", "Llama-2-70B"}


def test_a_verdicts_one_line_gives_a_reason_of_its_own_outcome(client: FlaskClient) -> None:
    """A failed verdict's reasons also name what cannot be told; the first of them, sorted,
    made the answer read "fails — FSF ML 2024: The training data is released: no evidence:
    Datasets", blaming a gap where the verdict rests on a licence that restricts use. Each
    line's reason is now one of a requirement with the verdict's own outcome, as the
    changes it would take to pass tell them."""
    (best, *_) = client.get("/api/search?q=llama 2").json["matches"]
    changes = client.get(f"/api/models/{best['id']}/changes-to-pass").json
    told = {
        (d["definition"], c["outcome"], f"{c['id']}: {now}")
        for d in changes
        for c in d["changes"]
        for now in c["now"]
    }
    failed = [v for v in best["verdicts"] if v["outcome"] == "failed"]
    assert {v["definition"] for v in failed} >= {"fsf-ml-2024", "osaid-1.0"}
    for v in failed:
        assert (v["definition"], "failed", v["why"]) in told, v


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("lama2 7b", "Llama-2-7B"),  # typos
        ("allenai/OLMo-7B", "OLMo-7B"),  # a Hub repository id
        ("tiiuae/falcon-40b", "Falcon-40B"),
        ("falcon 40", "Falcon-40B"),
        ("crystalcoder", "CrystalCoder"),
    ],
)
def test_search_matches_names_loosely(client: FlaskClient, typed: str, expected: str) -> None:
    assert client.get("/api/search", query_string={"q": typed}).json["matches"][0]["name"] == (
        expected
    )


def test_search_finds_nothing_for_nonsense(client: FlaskClient) -> None:
    assert client.get("/api/search?q=xyzzy qwv").json["matches"] == []
    for asked in ("/api/search", "/api/search?q=", "/api/search?q=%20"):  # q is required
        assert client.get(asked).status_code == 400, asked
    page = client.get("/search?q=xyzzy qwv")
    assert page.status_code == 200 and "No model in the graph" in page.text


def test_the_search_page_shows_the_verdicts(client: FlaskClient) -> None:
    page = client.get("/search?q=olmo 7b").text
    assert "Is “olmo 7b” open?" in page and 'href="/models/allenai--olmo-7b"' in page
    verdicts = client.get(f"/api/models/{OLMO}").json["verdicts"]
    passed = sum(v["outcome"] == "passed" for v in verdicts)
    judging = sum(definitions()[v["definition"]].passes_models for v in verdicts)
    assert f"It passes {passed} of {judging} definitions" in page
    for d in definitions().values():
        assert d.label in page


PAGES = (
    "/",
    "/matrix",
    "/definitions",
    "/validate",
    "/editor",
    "/queries",
    "/queries/model-verdicts",
    "/ns",
    "/id/org/meta",
    f"/models/{OLMO}",
    "/search?q=llama",
)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_layout(client: FlaskClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'role="search"' in page.text and 'aria-label="Main"' in page.text
    assert "/static/style.css" in page.text and 'href="/favicon.ico"' in page.text


def test_definition_pages_are_linked_from_home_matrix_and_index(client: FlaskClient) -> None:
    for path in ("/", "/matrix", "/definitions"):
        text = client.get(path, headers={"Accept": "text/html"}).text
        for d in definitions():
            assert f'href="/definitions/{d}"' in text, (path, d)


def test_a_definition_page_links_the_text_it_encodes(client: FlaskClient) -> None:
    """A reader checking a verdict reads the definition itself: its page links the text its
    shapes say they encode (dcterms:source), as the definitions query gives it."""
    for d in definitions().values():
        shapes = rdflib.Graph().parse(d.file)
        texts = {str(o) for o in shapes.objects(rdflib.URIRef(d.iri), DCTERMS.source)}
        assert len(texts) == 1, d.id
        page = client.get(f"/definitions/{d.id}").text
        assert f'<a id="definition-text" href="{escape(texts.pop())}">' in page, d.id


def test_the_home_page_leads_to_where_definitions_and_sources_disagree(
    client: FlaskClient,
) -> None:
    """A reader asking where the definitions disagree finds the named queries that answer
    it from the home page, not only in the catalogue of every query."""
    home = client.get("/", headers={"Accept": "text/html"}).text
    section = home.split('id="disagree"', 1)[1].split("</ul>", 1)[0]
    for name in (
        "open-washing",
        "open-weights-closed-data",
        "mof-class-vs-index-score",
        "published-vs-computed",
        "sources-disagree",
        "transparent-but-closed",
        "open-but-opaque",
    ):
        assert name in catalogue() and f'href="/queries/{name}"' in section, name
    assert 'href="/definitions#disagree-heading"' in section  # definitions-disagree's table


def test_the_home_page_says_how_to_cite_and_which_data(client: FlaskClient) -> None:
    """A reader citing a verdict or a chart needs the data's version beside it: the home
    page says how to cite, giving the time the graph last changed as the catalogue gives it
    (dcterms:modified)."""
    modified = {o.toPython() for o in data_catalogue(client).objects(None, DCTERMS.modified)}
    assert len(modified) == 1
    home = client.get("/", headers={"Accept": "text/html"}).text
    cite = home.split('<h2 id="cite">', 1)[1].split("<h2", 1)[0]
    said = re.findall(r'<time datetime="([^"]+)">', cite)
    assert [dt.datetime.fromisoformat(t) for t in said] == list(modified)
    assert "/id/model/" in cite


def test_a_model_page_says_how_to_cite_it(client: FlaskClient) -> None:
    """A reader citing a model's verdicts from its page gets, under the IRI, the IRI to
    cite and the data's version as the catalogue gives it (dcterms:modified), with a link
    to the home page's How to cite."""
    modified = list(data_catalogue(client).objects(None, DCTERMS.modified))
    assert len(set(modified)) == 1
    page = client.get(f"/models/{OLMO}").text
    cite = page.split('id="cite">', 1)[1].split("</span>", 1)[0]
    assert f"<code>https://w3id.org/openness-graph/id/model/{OLMO}</code>" in cite
    said = re.findall(r'<time datetime="([^"]+)">', cite)
    assert [dt.datetime.fromisoformat(t) for t in said] == [modified[0].toPython()]
    assert 'href="/#cite"' in cite


def test_the_home_chart_and_the_disagreements_table_say_how_to_cite_them(
    client: FlaskClient,
) -> None:
    """Under the home page's chart and the definitions page's table of disagreements, a
    reader citing what they see gets what the model page gives (the same template piece):
    the address of the named query each shows as a table, and the data's version as the
    catalogue gives it (dcterms:modified)."""
    modified = {o.toPython() for o in data_catalogue(client).objects(None, DCTERMS.modified)}
    assert len(modified) == 1
    home = client.get("/", headers={"Accept": "text/html"}).text
    chart = home.split('id="chart-title"', 1)[1].split("<h2", 1)[0]
    table = client.get("/definitions").text.split('<table id="disagree"', 1)[1].split("<h3", 1)[0]
    for shown, name in ((chart, "verdict-counts"), (table, "definitions-disagree")):
        address, times = cited(shown)
        assert address == f"http://localhost/queries/{name}"
        assert {dt.datetime.fromisoformat(t) for t in times} == modified
        assert 'href="/#cite"' in shown


@pytest.mark.parametrize(
    "written, shown",
    [
        ("2999-06-01T01:30:00+02:00", "2999-05-31 23:30 UTC"),  # a remote store's offset
        ("2999-06-01T01:30:00.123Z", "2999-06-01 01:30 UTC"),  # ours
        ("2999-06-01T01:30:00", "2999-06-01 01:30"),  # no offset: in no zone we know
    ],
)
def test_the_cite_line_gives_the_time_in_utc_whatever_its_offset(
    built: GraphStore, written: str, shown: str
) -> None:
    """The data's version is the latest run's end as the store writes it: the cite line
    gave its first 16 characters and "UTC", which is right for the times written here (Z)
    and wrong for a remote store's with another offset or none."""
    store = copy_of(built)
    store.update(
        f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        INSERT DATA {{ GRAPH <{Graphs.PROVENANCE}> {{
          <urn:test:run> prov:endedAtTime "{written}"^^<{XSD}dateTime> }} }}"""
    )
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    for path in (f"/models/{OLMO}", "/"):
        page = client.get(path, headers={"Accept": "text/html"}).text
        assert f'<time datetime="{written}">{shown}</time>' in page, path


def test_the_sources_table_gives_each_last_ingest_as_the_cite_line_gives_a_time(
    client: FlaskClient,
) -> None:
    """The sources table printed each run's end as the store wrote it
    (2026-12-07T02:44:15.323374Z), beside a cite line giving the same kind of time in UTC
    to the minute."""
    home = client.get("/", headers={"Accept": "text/html"}).text
    table = home.split('<h2 id="sources">', 1)[1].split("</table>", 1)[0]
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', table)
    assert times, table
    for written, shown in times:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", shown), (written, shown)
        assert written.startswith(shown[:10]), (written, shown)


def test_a_source_the_graph_names_not_is_still_listed_and_credited(built: GraphStore) -> None:
    """A source is on the home page's table, and credited under its chart, whenever a run
    ingested it, by what a person reads: its name (skos:prefLabel), else its id. One whose
    concept has no id (skos:notation) was shown by its concept's IRI and held "none of the
    kinds counted": its id is the last segment of a concept IRI of ours, which ingestion
    mints from it, and of another vocabulary's IRI none is made up. One with no name was
    named by the IRI of the graph its run made; one whose run states no version has none."""
    store = copy_of(built)
    concepts = {
        r["s"]: r["concept"]
        for r in select(
            store,
            """PREFIX og: <https://w3id.org/openness-graph/ns#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT DISTINCT ?s ?concept WHERE {
              ?run a og:IngestionRun ; og:source ?concept . ?concept skos:notation ?s }""",
        )
    }
    assert {"mof", "fmti", "spdx"} <= set(concepts)
    other = "https://example.org/ns/source/other"  # a concept of no vocabulary of ours
    store.update(
        f"""PREFIX og: <https://w3id.org/openness-graph/ns#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        DELETE WHERE {{ GRAPH ?g {{ <{concepts["mof"]}> skos:prefLabel ?label }} }};
        DELETE WHERE {{ GRAPH ?g {{ <{concepts["fmti"]}> skos:notation ?id }} }};
        DELETE {{ GRAPH ?g {{ ?run og:sourceVersion ?v }} }}
        WHERE {{ GRAPH ?g {{ ?run og:source <{concepts["spdx"]}> ; og:sourceVersion ?v }} }};
        INSERT DATA {{ GRAPH <{Graphs.PROVENANCE}> {{ <urn:x-test:run> a og:IngestionRun ;
          og:source <{other}> ; prov:endedAtTime "2001-01-01T00:00:00Z"^^<{XSD}dateTime> }} }}"""
    )
    client = create_app({"STORE": store, "TESTING": True}).test_client()
    home = client.get("/", headers={"Accept": "text/html"}).text
    rows = source_rows(home)
    assert set(rows) == set(concepts) | {other}
    shown = {source: cells[0] for source, cells in rows.items()}
    assert shown["fmti"] == "Foundation Model Transparency Index"
    assert shown["mof"] == "mof" and shown[other] == other
    assert [s for s in shown.values() if "://" in s] == [other]  # ours by name or id alone
    assert rows["fmti"][1].startswith("organizations ")  # what its graph holds, found
    assert rows["spdx"][3] == "" and rows["mof"][3].startswith("<code>")
    credit = home.split('id="chart-title"', 1)[1].split('<p class="muted credit">', 1)[1]
    names = dict(re.findall(r'data-source="([^"]+)">(.*?)\n', credit.split("</p>", 1)[0]))
    assert names == shown


def test_the_sources_licences_are_on_the_home_page_as_the_catalogue_states_them(
    client: FlaskClient,
) -> None:
    """A chart reused in a report owes its sources attribution: the home page's sources
    table gives each source's licence as the catalogue states its graph's
    (dcterms:license), and the chart above credits each source it counts with them."""
    home = client.get("/", headers={"Accept": "text/html"}).text
    table = home.split('<h2 id="sources">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">licence</th>' in table
    shown = {
        source: sorted(re.findall(r'href="([^"]+)"', "".join(cells)))
        for source, cells in source_rows(home).items()
    }
    assert "osai-index" in shown and "fmti" in shown
    stated = catalogued_licences(client)
    assert shown == {s: stated[s] for s in shown}
    assert shown["osai-index"] == ["https://spdx.org/licenses/CC-BY-4.0"]
    # each licence by its name, as the SPDX License List gives it, never a bare IRI
    names = re.findall(r'<a class="licence" href="([^"]+)">([^<]+)</a>', table)
    assert names and all(name != iri for iri, name in names), names
    assert (
        "https://spdx.org/licenses/CC-BY-4.0",
        "Creative Commons Attribution 4.0 International",
    ) in names
    # the chart counts the verdicts, which every source's data informs
    assert credited(home.split('id="chart-title"', 1)[1]) == shown


def test_the_citation_file_gives_what_citation_file_format_requires() -> None:
    """CITATION.cff (GitHub's "Cite this repository", Zenodo) parses as YAML and has the
    keys CFF 1.2.0 requires, its version pyproject.toml's and its licence the code's, the
    first of pyproject.toml's (the data's licences follow: CFF's list of licences means
    one OR another, and Zenodo takes one)."""
    root = Path(__file__).resolve().parents[1]
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["cff-version"] == "1.2.0"
    assert cff["message"] and cff["title"] == "Openness Graph"
    assert cff["type"] in {"software", "dataset"}
    assert cff["authors"] and all(a.get("name") for a in cff["authors"])
    assert {a["name"] for a in cff["authors"]} == {a["name"] for a in project["authors"]}
    assert cff["version"] == project["version"]
    assert cff["license"] == project["license"].split(" AND ")[0]
    assert "CITATION.cff" in (root / "README.md").read_text(encoding="utf-8")


def test_csv_export_honours_the_filter(client: FlaskClient) -> None:
    matrix = client.get("/matrix?q=llama 2").text
    assert 'href="/matrix.csv?q=llama+2"' in matrix
    rows = list(csv.reader(io.StringIO(client.get("/matrix.csv?q=llama 2").text)))[1:]
    assert rows and {r[1] for r in rows} == {"Llama-2-7B"}
    kept = list(csv.reader(io.StringIO(client.get("/matrix.csv?kind=government").text)))[1:]
    everything = list(csv.reader(io.StringIO(client.get("/matrix.csv").text)))[1:]
    assert 0 < len(kept) < len(everything)


def test_model_urls_resolve_names_to_the_model(client: FlaskClient) -> None:
    for name in ("OLMo-7B", "allenai/OLMo-7B", "olmo 7b"):
        r = client.get(f"/models/{name}")
        assert r.status_code == 303 and r.headers["Location"].endswith(f"/models/{OLMO}"), name
    assert client.get(f"/models/{OLMO}").status_code == 200
    family = client.get("/models/Llama 2")  # several releases: the person chooses
    assert family.status_code == 300 and "Llama-2-7B" in family.text
    assert client.get("/models/xyzzy qwv").status_code == 404


def test_favicon(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as r:
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"


def test_the_model_iri_in_a_browser_is_the_model_page(client: FlaskClient) -> None:
    page = client.get(f"/id/model/{OLMO}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and "Accept" in page.vary
    text = page.text
    assert "<h1>OLMo-7B</h1>" in text
    assert text.index("Verdicts") < text.index("What the sources say")
    rdf = client.get(f"/id/model/{OLMO}", headers={"Accept": "text/turtle"})
    assert rdf.mimetype == "text/turtle" and b"og:hasRecord" in rdf.data
    assert client.get("/id/model/no-such-model", headers={"Accept": "text/html"}).status_code == 404


def test_a_model_pages_parts_run_at_once_as_the_requests_client(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model page's parts run in threads of their own (server/fanout.py): every query
    is still admitted by the guard as the request's client, under the request's one
    deadline, and most run outside the request's thread."""
    seen: list[tuple[str, float, int]] = []
    run = Guard.run

    def recording(self: Guard, task: tuple, *, client: str, deadline: float) -> object:
        seen.append((client, deadline, threading.get_ident()))
        return run(self, task, client=client, deadline=deadline)

    monkeypatch.setattr(Guard, "run", recording)
    page = client.get(f"/models/{OLMO}", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert page.status_code == 200 and "<h1>OLMo-7B</h1>" in page.text
    assert len(seen) > 10
    assert {who for who, _, _ in seen} == {"10.9.8.7"}
    assert len({deadline for _, deadline, _ in seen}) == 1
    # The first query (is it a model?) runs in the request's thread, the parts elsewhere.
    assert {t for _, _, t in seen[1:]} - {seen[0][2]}


def test_a_model_page_part_turned_away_turns_the_page_away(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error in one part of the page (here the guard refusing its query) is the page's
    answer, as it was when the parts ran one after the other."""

    def refused(iri: str) -> list:
        raise Overloaded("the server is busy", 503, 1)

    monkeypatch.setattr(pages, "inherited", refused)
    page = client.get(f"/models/{OLMO}")
    assert page.status_code == 503 and page.headers["Retry-After"] == "1"
    assert client.get(f"/models/{OLMO}").status_code == 503
    monkeypatch.undo()
    assert client.get(f"/models/{OLMO}").status_code == 200


def test_the_model_page_shows_mof_progress_from_the_verdict(client: FlaskClient) -> None:
    graded = [
        v for v in client.get(f"/api/models/{OLMO}").json["verdicts"] if v["progress"] is not None
    ]
    assert graded  # the Model Openness Framework's classes
    page = client.get(f"/models/{OLMO}").text
    for level, value in graded[0]["progress"].items():
        assert f'max="100" value="{value}"' in page and f">{level}</label>" in page


def test_the_evidence_panel_shows_every_source(client: FlaskClient) -> None:
    page = client.get("/models/meta-llama--meta-llama-3-70b-instruct").text
    # the Hub's record: the card's licence, gating, base model, a link to the Hub page
    assert "“llama3” →" in page and "Meta Llama 3 Community License Agreement" in page
    assert "<dt>Gated</dt><dd>yes" in page
    assert "meta-llama/Meta-Llama-3-70B" in page
    assert 'href="https://huggingface.co/meta-llama/Meta-Llama-3-70B-Instruct"' in page
    # a model only the Index describes: its ratings with their notes and links
    index_only = client.get("/models/amd--amd-olmo-1b-sft-dpo").text
    assert "European Open Source AI Index" in index_only
    assert index_only.count('class="rating-') >= 12
    assert "No peer-reviewed paper found." in index_only
    assert 'href="https://github.com/allenai/OLMo"' in index_only


def test_the_evidence_query_gives_component_and_release_licences(reported: Path) -> None:
    query = catalogue()["model-evidence"]
    store = EmbeddedStore(reported, read_only=True)
    try:
        text = bind_values(query.text, query.bindings({}))  # the default: OLMo-7B
        rows = [{k: v.value for k, v in r.items()} for r in store.query(text).rows()]
    finally:
        store.close()
    kinds = {r["kind"] for r in rows}
    assert {"release-licence", "component"} <= kinds
    licensed = [r for r in rows if r["kind"] == "component" and r.get("license")]
    assert licensed and all(r["source"] for r in licensed)
    assert all(r.get("released") in ("true", "false", None) for r in rows)


def _used_by(fragment: str) -> list[tuple[str, str, str, bool]]:
    """The requirements a "used by" list names: (outcome, definition, requirement id,
    evidence against)."""
    return [
        (m["outcome"], m["definition"], m["requirement"], bool(m["against"]))
        for m in re.finditer(
            r'<li><span class="(?P<outcome>\w+) badge">[^<]*</span>\s*'
            r'<a href="/definitions/(?P<definition>[^#"]+)#(?P<requirement>[^"]+)">[^<]*</a>'
            r"(?P<against>\s*<span class=\"muted\">\(evidence against\))?",
            fragment,
        )
    ]


def test_each_source_statement_links_to_the_requirements_that_used_it(
    client: FlaskClient,
) -> None:
    """Meta-Llama-3-70B-Instruct: the Hub card's licence 'llama3' and the Hub's gating (its
    distribution mode, approval-gated) are evidence against requirements the model fails,
    and the verdict's reasons for each of them cite the Hub record; each link leads to the
    requirement on its definition page."""
    model = "meta-llama--meta-llama-3-70b-instruct"
    page = client.get(f"/models/{model}").text
    reasons = {
        r.partition(": ")[0]: r
        for v in client.get(f"/api/models/{model}").json["verdicts"]
        for r in v["reasons"]
        if "hf record" in r
    }
    licence = page[page.index("“llama3” →") :]
    licence = licence[: licence.index("</dd>")]
    gating = page[page.index("<dt>Distribution</dt>") :]
    gating = gating[: gating.index("</dd>")]
    for statement in (licence, gating):
        used = _used_by(statement)
        assert used, statement
        failed = [u for u in used if u[0] == "failed"]
        assert failed and all(against for *_, against in failed)
        assert {requirement for _, _, requirement, _ in failed} <= set(reasons)
    definition, requirement = _used_by(gating)[0][1:3]
    assert f'<tr id="{requirement}">' in client.get(f"/definitions/{definition}").text


def test_a_passing_models_components_are_used_by_the_requirements_it_passes(
    client: FlaskClient,
) -> None:
    """OLMo-7B: the Model Openness Tool's final parameters are evidence for requirements of
    every definition OLMo-7B passes."""
    page = client.get(f"/models/{OLMO}").text
    passed = {
        v["definition"]
        for v in client.get(f"/api/models/{OLMO}").json["verdicts"]
        if v["outcome"] == "passed"
    }
    card = page[page.index("Model Openness Tool <span") :]
    row = card[card.index('<th scope="row">Model parameters (Final)') :]
    row = row[: row.index("</tr>")]
    used = _used_by(row)
    assert passed and passed <= {definition for _, definition, _, _ in used}
    assert all(
        outcome == "passed" and not against for outcome, d, _, against in used if d in passed
    )


def test_an_index_dimension_is_named_not_stated_passed(client: FlaskClient) -> None:
    """The Index passes or fails no system: each dimension is named as such where a rating
    lists the requirements that read it — 'Datasheet rated open' beside 'Closed' read as a
    finding the page contradicted."""
    page = client.get("/models/m-a-p--chatmusician").text  # its datasheet rated closed
    named = re.findall(r'<a href="/definitions/eu-osai-index#[^"]+">([^<]+)</a>', page)
    assert "EU Open Source AI Index: Datasheet" in named
    assert not [n for n in named if "rated" in n]


def test_an_index_rating_lists_every_check_that_read_it(client: FlaskClient) -> None:
    """ChatMusician's Index record rates its end-model weights open: the Index scores that
    rating, and the definitions' shared check of released weights reads it as evidence
    (its sentence words the dimension differently: "end-model weights rated open"). Both
    are listed under the rating."""
    page = client.get("/models/m-a-p--chatmusician").text
    row = page[page.index('<tr><th scope="row">End User Model Weights') :]
    used = _used_by(row[: row.index("</tr>")])
    index = {d.id for d in definitions().values() if not d.passes_models}
    read_by = {definition for _, definition, _, _ in used}
    assert read_by & index and read_by - index
    assert all(outcome == "passed" and not against for outcome, *_, against in used)


def test_a_fine_tunes_page_shows_what_it_inherits_from_its_base(client: FlaskClient) -> None:
    """ChatMusician, fine-tuned from Llama-2-7B: every reason of its verdicts that names
    the base model is on the page, under the base model (linked), with the requirement it
    decided: a base record's finding (evidence against, for the Llama 2 licence of the
    weights), or what no record of the base model says (the training data)."""
    model = "m-a-p--chatmusician"
    page = client.get(f"/models/{model}").text
    section = page[page.index('<section class="source inherited"') :]
    section = section[: section.index("</section>")]
    assert '<a href="/models/llama-2-7b">Llama-2-7B</a>' in section
    items = section.split("<li>")
    findings = {  # each item's text, and the requirements listed under it
        item.split("\n")[0].strip(): _used_by("<li>".join(items[i:]).split("</details>")[0])
        for i, item in enumerate(items)
        if i and not item.startswith("<span")
    }
    reasons = [
        reason.partition(": ")
        for v in client.get(f"/api/models/{model}").json["verdicts"]
        for reason in v["reasons"]
        if "base model 'Llama-2-7B'" in reason
    ]
    kinds = set()
    for requirement, _, why in reasons:
        if why.startswith("no evidence: "):  # "no evidence: <aspect> (<what the check asks>)"
            kinds.add("untold")
            used = findings[str(escape(why.removeprefix("no evidence: ").split(" (")[0]))]
            assert requirement in {r for _, _, r, _ in used}, why
        else:
            kinds.add("finding")
            used = findings[str(escape(why))]
            assert requirement in {r for _, _, r, against in used if against}, why
    assert kinds == {"finding", "untold"}
    assert "Llama 2 Community License" in section
    assert '<section class="source inherited"' not in client.get("/models/llama-2-7b").text


MOF_YAML = sources_dir() / "mof" / "models" / "OLMo-7B.yml"


def test_validate_recognises_a_pasted_mof_yaml_and_keeps_it(client: FlaskClient) -> None:
    text = MOF_YAML.read_text(encoding="utf-8")
    page = client.post("/validate", data={"description": text, "format": ""})
    assert page.status_code == 200
    assert "Read as MOF YAML." in page.text
    assert str(escape(text)).strip() in page.text  # still in the box
    requirement_ids = {r.id for d in definitions().values() for r in d.requirements.values()}
    assert not any(f"<li>{rid}:" in page.text for rid in requirement_ids)
    assert "cantTell" not in re.sub(r'class="[^"]*"', "", page.text)  # shown in words
    assert all(d.label in page.text for d in definitions().values())


def test_validate_names_what_it_left_out(client: FlaskClient) -> None:
    """A component the MOF reader does not know is named on the page, as the CLI names
    it, above the verdicts it did not count towards."""
    text = MOF_YAML.read_text(encoding="utf-8").replace(
        "name: 'Model card'", "name: 'Model passport'", 1
    )
    assert "Model passport" in text
    page = client.post("/validate", data={"description": text, "format": ""})
    assert page.status_code == 200 and 'id="left-out"' in page.text
    assert "unknown component &#39;Model passport&#39;" in page.text


def test_validate_says_why_it_cannot_read(client: FlaskClient) -> None:
    broken = "@prefix og: <x> . <a> og:b"
    page = client.post("/validate", data={"description": broken, "format": ""})
    assert page.status_code == 400
    assert "as Turtle" in page.text and "@prefix og: &lt;x&gt;" in page.text


def test_a_definition_page_counts_each_requirement_over_every_verdict(
    client: FlaskClient,
) -> None:
    d = next(iter(definitions().values()))
    judged = len(client.get(f"/api/conformance?definition={d.id}").json["items"])
    page = client.get(f"/definitions/{d.id}").text
    # Rows carry their requirement id (<tr id="…">).
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == len(d.requirements)
    for row in rows:
        cells = [c.split("</td>")[0] for c in row.split("<td>")[1:4]]
        assert sum(int(c) for c in cells) == judged, row


def test_validate_recognises_formats() -> None:
    assert detect_format(MOF_YAML.read_text(encoding="utf-8")) == ".yml"
    example = ontology_dir() / "examples" / "open-model.ttl"
    assert detect_format(example.read_text(encoding="utf-8")) == ".ttl"
    assert detect_format('[{"@id": "x"}]') == ".jsonld"
    assert detect_format("not: [valid") == ".ttl"  # read as Turtle, which says what is wrong


def test_the_search_api_is_described(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json["paths"]["/api/search"]["get"]
    assert [p["name"] for p in spec["parameters"]] == ["q", "limit"]
    assert client.get("/api/search?q=olmo&limit=x").status_code == 400
    assert len(client.get("/api/search?q=olmo&limit=2").json["matches"]) == 2


def test_an_unknown_definition_lists_the_known_ones(client: FlaskClient) -> None:
    page = client.get("/definitions/no-such-definition")
    assert page.status_code == 404
    assert "There is no definition “no-such-definition”" in page.text
    assert all(f'href="/definitions/{d}"' in page.text for d in definitions())


def test_a_very_long_search_is_cut_short(client: FlaskClient) -> None:
    answer = client.get("/api/search", query_string={"q": "olmo " * 10_000}).json
    assert len(answer["query"]) <= 200
    assert answer["matches"][0]["name"].lower().startswith("olmo")


def test_a_named_query_in_a_browser_is_a_page(client: FlaskClient) -> None:
    """A browser gets the results as a table with the parameter form, the query in the
    editor and the same results as CSV and JSON; it used to download an XML file."""
    page = client.get("/queries/models-passing?definition=mof-1.0", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Accept" in page.vary
    assert 'role="search"' in page.text  # the shared layout
    assert "<td>OLMo-7B</td>" in page.text
    assert "<td>Class I</td>" in page.text
    assert 'href="http://localhost/id/model/' in page.text  # result IRIs open here
    assert '<option value="mof-1.0" selected>' in page.text  # the form keeps the value
    assert 'href="/queries/models-passing?definition=mof-1.0&amp;format=csv"' in page.text
    assert 'href="/queries/models-passing?definition=mof-1.0&amp;format=json"' in page.text
    editor = page.text.split('href="/editor?query=')[1].split('"')[0]
    assert "mof-1.0" in editor  # the query as run, its parameter bound
    csv = client.get("/queries/models-passing?definition=mof-1.0&format=csv")
    assert csv.mimetype == "text/csv" and "OLMo-7B" in csv.text


def test_a_named_query_answers_programs_in_results_formats(client: FlaskClient) -> None:
    for accept, media in (
        ("*/*", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
    ):
        headers = {"Accept": accept} if accept else {}
        r = client.get("/queries/public-ai", headers=headers)
        assert r.status_code == 200 and r.mimetype == media, accept
    assert client.get("/queries/public-ai", headers={"Accept": "image/png"}).status_code == 406


def test_a_named_query_page_names_a_bad_parameter(client: FlaskClient) -> None:
    page = client.get("/queries/model-lineage?model=not an iri", headers={"Accept": BROWSER})
    assert page.status_code == 400 and "bad parameter value" in page.text
    assert 'name="model" value="not an iri"' in page.text  # the form keeps what was typed
    blank = client.get("/queries/first-passed?model=&definition=", headers={"Accept": BROWSER})
    assert blank.status_code == 200  # fields left blank are not given
    plain = client.get("/queries/model-lineage?model=not an iri")
    assert plain.status_code == 400 and plain.mimetype == "text/plain"


def test_a_named_query_refuses_a_parameter_given_twice(client: FlaskClient) -> None:
    """definition=mof-1.0&definition=osaid-1.0 ran with the first (MOF's 31 models), where
    `openness query` took the last (OSAID's 15): refused by both."""
    plain = client.get("/queries/models-passing?definition=mof-1.0&definition=osaid-1.0")
    assert plain.status_code == 400 and plain.mimetype == "text/plain"
    assert plain.text == "models-passing takes one value of definition, not several\n"


def test_a_named_query_refuses_a_value_percent_encoded_from_another_charset(
    client: FlaskClient,
) -> None:
    """name=OLMo-7%C2 (not UTF-8) ran for 'OLMo-7\ufffd' and answered no row, 200."""
    plain = client.get("/queries/model-verdicts?name=OLMo-7%C2")
    assert plain.status_code == 400 and "not UTF-8" in plain.text
    assert client.get("/queries/model-verdicts?name=OLMo-7B").status_code == 200


def test_a_named_query_takes_a_form_only_url_encoded(client: FlaskClient) -> None:
    """A multipart form's name=OLMo-7\xe9 (not UTF-8) was read with a replacement
    character, which the UTF-8 check never sees, and the query answered no row, 200: a
    POST's body is a URL-encoded form (as /openapi.json says), else 415; one without a
    body takes the URL's parameters."""
    latin1 = b'--B\r\nContent-Disposition: form-data; name="name"\r\n\r\nOLMo-7\xe9\r\n--B--\r\n'
    multipart = client.post(
        "/queries/model-verdicts", data=latin1, content_type="multipart/form-data; boundary=B"
    )
    assert multipart.status_code == 415 and "x-www-form-urlencoded" in multipart.text
    assert "not multipart/form-data" in multipart.text  # the type sent, named
    json_body = client.post("/queries/model-verdicts", json={"name": "OLMo-7B"})
    assert json_body.status_code == 415
    form = client.post("/queries/model-verdicts", data={"name": "OLMo-7B"})
    assert form.status_code == 200
    assert client.post("/queries/model-verdicts?name=OLMo-7B").status_code == 200


def test_a_named_query_refuses_a_parameter_it_has_not(client: FlaskClient) -> None:
    """defn= for definition= ran the query with its default (OSAID's passing models, 200)
    where `openness query` refuses the name: 400 naming it and the parameters there are;
    the format parameters are the protocol's, not the query's. A page (a link a site
    appended fbclid= to) is shown without it, saying so above the results."""
    plain = client.get("/queries/models-passing?defn=mof-1.0")
    assert plain.status_code == 400 and plain.mimetype == "text/plain"
    assert plain.text == "models-passing has no parameter defn; its parameters: definition\n"
    page = client.get(
        "/queries/models-passing?definition=mof-1.0&fbclid=x1", headers={"Accept": BROWSER}
    )
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Left out: fbclid — not a parameter of models-passing" in page.text
    assert "OLMo-7B" in page.text  # the results of the parameters it has
    assert 'value="mof-1.0" selected' in page.text
    for asked in ("format=csv", "output=csv", "results=csv"):
        answer = client.get(f"/queries/models-passing?definition=mof-1.0&{asked}")
        assert answer.status_code == 200 and answer.mimetype == "text/csv", asked


def test_a_named_query_refuses_a_value_outside_its_parameters_values(client: FlaskClient) -> None:
    """definition=nope answered 200 with no rows: 400 naming the definition ids the store
    holds, on the page too. eu-osai-index is one (it passes no model: no row, 200). The
    page offers the values as a choice, the one given chosen (and "any" for an optional
    parameter); the catalogue lists them."""
    ids = sorted(definitions())
    plain = client.get("/queries/models-passing?definition=nope")
    assert plain.status_code == 400 and plain.mimetype == "text/plain"
    assert plain.text == (
        f"bad parameter value: definition: 'nope' is not one of its values: {', '.join(ids)}\n"
    )
    index = client.get("/queries/models-passing?definition=eu-osai-index&format=csv")
    assert index.status_code == 200 and index.text.splitlines() == ["model,name,level,score"]
    page = client.get("/queries/models-passing?definition=nope", headers={"Accept": BROWSER})
    assert page.status_code == 400 and "&#39;nope&#39; is not one of its values" in page.text

    def offered(path: str) -> list[tuple[str, bool]]:
        html = client.get(path, headers={"Accept": BROWSER}).text
        select = html.split('<select id="param-definition" name="definition"')[1]
        options = select.split("</select>")[0]
        return re.findall(r'<option value="([^"]*)"( selected)?>', options)

    assert offered("/queries/models-passing?definition=mof-1.0") == [
        (i, " selected" if i == "mof-1.0" else "") for i in ids
    ]
    assert offered("/queries/first-passed") == [("", ""), *((i, "") for i in ids)]
    described = {q["name"]: q for q in client.get("/queries?format=json").json}
    assert described["models-passing"]["parameters"][0]["enum"] == ids
    assert described["model-lineage"]["parameters"][0]["enum"] is None
    listed = client.get("/queries", headers={"Accept": BROWSER}).text
    assert f"(required, literal, default osaid-1.0): one of {', '.join(ids)}" in listed


def test_the_catalogue_of_queries_has_a_table_of_contents_by_tag(client: FlaskClient) -> None:
    """/queries listed its queries one after the other, each with its full description: a
    reader looking for a question, not a query's name, now finds under each tag of the
    queries' headers the summary of each query tagged with it, linking to its entry."""
    page = client.get("/queries", headers={"Accept": BROWSER}).text
    contents = page.split('<dl class="by-tag">', 1)[1].split("</dl>", 1)[0]
    listed = {
        tag: re.findall(r'<a href="#([^"]+)">', entries)
        for tag, entries in re.findall(
            r'<dt id="tag-[^"]+">([^<]+)</dt>\s*<dd>(.*?)</dd>', contents, re.S
        )
    }
    tags = sorted({t for q in catalogue().values() for t in q.tags})
    assert list(listed) == tags
    for tag in tags:
        assert listed[tag] == [q.name for q in catalogue().values() if tag in q.tags], tag
    for q in catalogue().values():
        assert f'<h2 id="{q.name}">' in page
        if q.tags:
            assert f'<a href="#{q.name}">{escape(q.summary)}</a>' in contents, q.name


def test_the_api_description_gives_each_named_query_with_its_parameters_values(
    client: FlaskClient,
) -> None:
    """/openapi.json described /queries/{name} alone, no query's parameters: each named
    query is an operation of its own, as grlc describes a folder of queries, each
    parameter typed and defaulted, an enumerated one's values as its enum."""
    spec = client.get("/openapi.json").json["paths"]
    named = {path for path in spec if path.startswith("/queries/") and "{" not in path}
    assert named == {f"/queries/{name}" for name in catalogue()}
    definition, fmt = spec["/queries/models-passing"]["get"]["parameters"]
    assert definition["schema"] == {
        "type": "string",
        "enum": sorted(definitions()),
        "default": "osaid-1.0",
    }
    assert definition["required"] is False and fmt["name"] == "format"  # it has a default
    threshold = spec["/queries/open-but-opaque"]["get"]["parameters"][0]
    assert threshold["name"] == "threshold"
    assert threshold["schema"] == {"type": "integer", "default": 50}
    (kind, _) = spec["/queries/public-ai"]["get"]["parameters"]
    assert "government" in kind["schema"]["enum"]
    (model, _) = spec["/queries/model-lineage"]["get"]["parameters"]
    assert model["schema"]["format"] == "uri" and "enum" not in model["schema"]


def test_enumerated_values_are_read_again_when_the_store_has_a_later_run(
    built: GraphStore,
) -> None:
    """The values a page offers are kept while the store's latest run stays the same (no
    values query per page), and read again once a later run ended."""
    store = copy_of(built)
    client = create_app({"STORE": store, "TESTING": True}).test_client()

    def refused() -> str:
        return client.get("/queries/models-passing?definition=nope").text

    assert "new-definition" not in refused()
    store.update(
        f"INSERT DATA {{ GRAPH <{Graphs.SHAPES}> {{ <urn:new> a <{OG}OpennessDefinition> ; "
        f'<{OG}definitionId> "new-definition" }} }}'
    )
    assert "new-definition" not in refused()  # kept: no run since
    store.update(
        "INSERT DATA { GRAPH <urn:run> { <urn:run> <http://www.w3.org/ns/prov#endedAtTime> "
        f'"2999-01-01T00:00:00Z"^^<{XSD}dateTime> }} }}'
    )
    assert "new-definition" in refused()


@pytest.mark.parametrize("served", ["read-only on disk", "in memory", "remote"])
def test_the_latest_run_is_asked_again_only_where_the_store_may_change(
    served: str,
    client: FlaskClient,
    built: GraphStore,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The enumerated values a request lists are kept until the store's latest run
    changes, which was asked once a request even of a store on disk served read-only,
    which nothing writes while it is served; a store in memory or a remote engine, which
    may be written, is still asked."""
    if served == "in memory":
        client = create_app({"STORE": copy_of(built), "TESTING": True}).test_client()
    elif served == "remote":
        remote = RemoteStore(request.getfixturevalue("oxigraph_server") + "/query")
        request.addfinalizer(remote.close)
        client = create_app({"STORE": remote, "TESTING": True}).test_client()
    assert client.get("/queries", headers={"Accept": "application/json"}).status_code == 200
    asked: list[str] = []
    query = GuardedStore.query

    def counted(self: GuardedStore, sparql: str, **kwargs: object) -> QueryResult:
        asked.append(sparql)
        return query(self, sparql, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GuardedStore, "query", counted)
    assert client.get("/queries", headers={"Accept": "application/json"}).status_code == 200
    assert len(asked) == (0 if served == "read-only on disk" else 1), asked


@pytest.mark.parametrize(
    "path, good",
    [
        ("/queries/verdict-changes?from=notadate", "from=2025-01-01"),
        ("/queries/verdict-changes?from=2025-02-30", "from=2025-02-28"),
        ("/queries/open-but-opaque?threshold=abc", "threshold=40"),
        ("/queries/open-but-opaque?threshold=4.5", "threshold=-5"),
    ],
)
def test_a_typed_parameter_is_checked_against_its_type(
    client: FlaskClient, path: str, good: str
) -> None:
    """A date or integer parameter that is none is 400 naming it, not a query compared
    with an ill-typed literal that finds nothing."""
    bad = client.get(path)
    name = path.split("?")[1].split("=")[0]
    assert bad.status_code == 400 and f"{name}: " in bad.text
    assert client.get(path.split("?")[0] + "?" + good).status_code == 200


def test_what_it_would_take_is_one_change_per_reason_of_each_verdict(
    client: FlaskClient,
) -> None:
    """The changes to pass are the requirements the stored verdict gives as reasons (for a
    graded definition, those of its lowest level), each in its shape's words."""
    verdicts = client.get("/api/conformance?per_page=1000").json["items"]
    for model in {v["model"] for v in verdicts}:
        model_id = model.rsplit("/", 1)[1]
        answer = client.get(f"/api/models/{model_id}/changes-to-pass").json
        by_definition = {d["definition"]: d for d in answer}
        for v in (v for v in verdicts if v["model"] == model):
            # Passed, or nothing to pass: a definition that rates (rated or out of scope).
            if v["outcome"] == "passed" or not definitions()[v["definition"]].passes_models:
                assert v["definition"] not in by_definition, (model_id, v["definition"])
                continue
            d = by_definition[v["definition"]]
            assert d["outcome"] == v["outcome"]
            if not d["inScope"]:
                assert d["needsRecordIn"] and d["reasons"] == v["reasons"] and not d["changes"]
                continue
            reasons = {r.split(": ", 1)[0] for r in v["reasons"]}
            assert {c["id"] for c in d["changes"]} == reasons, (model_id, v["definition"])
            assert all(c["change"] and c["now"] for c in d["changes"])


def test_what_llama_2_would_need_to_pass(client: FlaskClient) -> None:
    answer = client.get("/api/models/llama-2-7b/changes-to-pass").json
    osaid = next(d for d in answer if d["label"] == "OSAID 1.0")
    failed = [c for c in osaid["changes"] if c["outcome"] == "failed"]
    assert failed and all(" must " in c["change"] for c in failed)
    assert any("Llama 2 Community License" in " ".join(c["now"]) for c in failed)
    olmo = client.get(f"/api/models/{OLMO}/changes-to-pass").json
    assert "OSAID 1.0" not in {d["label"] for d in olmo}  # passed: nothing to change
    assert client.get("/api/models/no-such-model/changes-to-pass").status_code == 404
    spec = client.get("/openapi.json").json["paths"]
    assert "/api/models/{model_id}/changes-to-pass" in spec


def test_badges_show_the_verdict_and_link_to_the_evidence(client: FlaskClient) -> None:
    one = client.get("/badges/llama-2-7b/osaid-1.0.svg")
    assert one.status_code == 200 and one.mimetype == "image/svg+xml"
    assert ">OSAID 1.0<" in one.text and ">failed<" in one.text
    assert 'xlink:href="http://localhost/models/llama-2-7b#to-pass-osaid-1.0"' in one.text
    again = client.get(one.request.path, headers={"If-None-Match": one.headers["ETag"]})
    assert again.status_code == 304
    graded = client.get(f"/badges/{OLMO}/mof-1.0.svg").text
    assert ">Class I<" in graded  # the level reached, where the definition grades
    combined = client.get(f"/badges/{OLMO}.svg").text
    assert "OSAID 1.0" in combined and f"http://localhost/models/{OLMO}#verdicts" in combined
    moved = client.get("/badges/OLMo-7B.svg")  # another name of the model
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/badges/{OLMO}.svg")
    for missing in ("/badges/no-such-model.svg", "/badges/llama-2-7b/no-such-definition.svg"):
        r = client.get(missing)
        assert r.status_code == 404 and r.mimetype == "image/svg+xml", missing
    spec = client.get("/openapi.json").json["paths"]
    assert {"/badges/{model_id}.svg", "/badges/{model_id}/{definition_id}.svg"} <= set(spec)


def test_the_model_page_offers_the_badges_markdown(client: FlaskClient) -> None:
    page = client.get("/models/llama-2-7b").text
    markdown = (
        "[![OSAID 1.0: failed](http://localhost/badges/llama-2-7b/osaid-1.0.svg)]"
        "(http://localhost/models/llama-2-7b#to-pass-osaid-1.0)"
    )
    assert str(escape(markdown)) in page
    assert "http://localhost/badges/llama-2-7b.svg" in page  # the combined one


def test_the_guided_form_makes_a_mof_file_and_keeps_what_was_filled_in(
    client: FlaskClient,
) -> None:
    form = {
        "form": "guided",
        "name": "Form LM",
        "released-9": "yes",  # the tool's component ids
        "license-9": "Apache-2.0",
        "path-9": "https://example.org/code",
        "released-10": "yes",
        "license-10": "CC-BY-NC-4.0",
        "released-14": "no",
    }
    page = client.post("/validate", data=form)
    assert page.status_code == 200 and "Read as MOF YAML." in page.text
    href = page.text.split('id="download-yaml"')[1].split('href="')[1].split('"')[0]
    written = yaml.safe_load(unquote(href.split(",", 1)[1]))
    components = {c["name"]: c for c in written["release"]["components"]}
    assert components["Model architecture"]["component_path"] == "https://example.org/code"
    assert components["Data card"]["license"] == "Component not included"
    assert len(components) == 3  # what was not answered is left out
    result = page.text.split('id="result"')[1]
    assert "CC-BY-NC-4.0" in result and "mof-1.0." not in result  # labels, not ids
    assert 'value="CC-BY-NC-4.0"' in page.text  # the form keeps what was typed
    assert '<option value="no" selected>' in page.text


def test_the_guided_form_starts_from_a_models_records(client: FlaskClient) -> None:
    page = client.get("/validate?from=llama-2-7b")
    assert "Filled in from what the sources say about" in page.text
    assert page.text.count('value="Llama 2 Community License"') == 2  # architecture, weights
    assert 'id="result"' in page.text  # judged at once
    plain = client.get("/validate?from=no-such-model")
    assert plain.status_code == 200 and 'id="result"' not in plain.text


@pytest.mark.parametrize(
    "model,said",
    [
        # A claim cross-checked: MOF's 'released' against the curated 'never published'.
        ("claude-1", "not released according to curated"),
        # A record whose system and end-model weights links name two Hub repositories.
        ("deepseek-ai--deepseek-r1", "links two releases: read as deepseek-ai/DeepSeek-R1"),
        # A Hub link copied from another model: the record keeps its own model.
        ("codegemma-2b", "the name says 2b, the Hub repository 7b"),
    ],
)
def test_a_model_page_shows_its_source_conflicts(client: FlaskClient, model: str, said) -> None:
    page = client.get(f"/models/{model}").text
    assert "Where sources disagree" in page
    assert said in page


def test_why_not_marks_each_requirement_with_its_own_outcome(client: FlaskClient) -> None:
    """A failed verdict's reasons also name what cannot be told, and 'Why not' listed them
    alike: each requirement now carries its own outcome, those that failed first."""
    page = client.get("/models/llama-2-7b").text
    why = page.split('<details id="why-osaid-1.0"', 1)[1].split("</details>", 1)[0]
    marks = re.findall(r'<li><span class="(\w+) badge">', why)
    assert marks == sorted(marks, key=["failed", "cantTell"].index)
    assert set(marks) == {"failed", "cantTell"}


def test_the_validate_page_marks_each_reason_with_its_requirements_outcome(
    client: FlaskClient,
) -> None:
    restricted = (
        "release:\n  name: R\n  producer: P\n  components:\n"
        "    - name: Model parameters (Final)\n      license: CC-BY-NC-4.0\n"
    )
    page = client.post("/validate", data={"description": restricted, "format": ""}).text
    row = page.split("/definitions/osaid-1.0", 1)[1].split("</tr>", 1)[0]
    reasons = re.findall(r'<li><span class="(\w+) badge">[^<]*</span> ([^<]*)</li>', row)
    outcomes = [o for o, _ in reasons]
    assert outcomes == sorted(outcomes, key=["failed", "cantTell"].index)
    assert {o for o, r in reasons if r.endswith("restricts use")} == {"failed"}
    assert {o for o, r in reasons if "no evidence" in r} == {"cantTell"}


def test_a_model_page_shows_the_published_verdicts_about_it(client: FlaskClient) -> None:
    """OSI's published OSAID verdict on Llama 2 beside ours, on Llama-2-7B's page only."""
    page = client.get("/models/llama-2-7b").get_data(as_text=True)
    section = page.split("Published verdicts beside ours", 1)[1].split("</table>", 1)[0]
    assert "Open Source Initiative" in section and "https://opensource.org/ai/faq" in section
    assert "draft (validation phase, v0.0.8/v0.0.9)" in section
    assert section.count("<tr>") == 2  # the head and OSI's verdict about Llama 2
    page = client.get("/models/meta-llama--meta-llama-3-70b-instruct").get_data(as_text=True)
    assert "Published verdicts beside ours" not in page


def test_a_model_page_says_whether_a_published_verdict_and_ours_agree(
    client: FlaskClient,
) -> None:
    """One question, one answer: beside each published verdict the model page says how it
    and ours stand (agrees, differs, can't tell), as the published-vs-computed query that
    the API and CSV give answers for that model."""
    for model in ("llama-2-7b", OLMO):
        iri = f"https://w3id.org/openness-graph/id/model/{model}"
        rows = list(
            csv.DictReader(
                io.StringIO(
                    client.get(
                        "/queries/published-vs-computed",
                        query_string={"model": iri, "format": "csv"},
                    ).text
                )
            )
        )
        assert rows and all(r["agreement"] for r in rows), model
        page = client.get(f"/models/{model}").text
        table = page.split('<h2 id="published-heading">', 1)[1].split("</table>", 1)[0]
        assert re.findall(r'<th scope="col">([^<]+)</th>', table)[-1] == "agreement"
        said = re.findall(r"<td>([^<]*)</td></tr>", table)
        words = {"agrees": "agrees", "differs": "differs", "cantTell": "can&#39;t tell"}
        assert said == [words[r["agreement"]] for r in rows], model


def test_the_editor_loads_yasgui_that_make_installed(client: FlaskClient) -> None:
    """The page loads YASGUI's script and style from the static folder, where `make` copies
    them from the npm package (they are not in git)."""
    page = client.get("/editor").text
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts[:1] == ["/static/vendor/yasgui/yasgui.min.js"], "run `make editor` (npm ci)"
    assert '<link rel="stylesheet" href="/static/vendor/yasgui/yasgui.min.css">' in page
    with client.get(scripts[0]) as script:
        assert script.status_code == 200 and script.mimetype == "text/javascript"
        assert b"Yasgui" in script.data
    with client.get("/static/vendor/yasgui/yasgui.min.css") as style:
        assert style.status_code == 200 and style.mimetype == "text/css"


def test_without_yasgui_the_editor_says_its_script_is_missing(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server whose `make` found no npm still serves /editor, saying what is missing
    instead of a blank page, and loads none of the editor's scripts."""
    monkeypatch.setattr(pages, "YASGUI", ("vendor/none/yasgui.min.js", "vendor/none/x.css"))
    page = client.get("/editor")
    assert page.status_code == 200
    assert 'role="alert"' in page.text and "The editor's script is missing" in page.text
    assert "@zazuko/yasgui" in page.text and "npm" in page.text
    assert "<script src=" not in page.text
    assert 'href="/sparql"' in page.text  # where queries can go meanwhile


def test_home_counts_verdicts_not_every_earl_assertion(client: FlaskClient) -> None:
    """The store holds each assessed model's verdict against each definition, and their
    requirement assessments and the sources' published verdicts, all EARL assertions: the
    home page's "verdicts" counts the first only."""
    numbers = client.get("/", headers={"Accept": "application/json"}).json
    # What the conformance API lists: one item a model and definition.
    assert numbers["verdicts"] == client.get("/api/conformance").json["total"] > 0
    assert numbers["verdicts"] % len(definitions()) == 0
    assert numbers["publishedVerdicts"] == 17  # the curated source's
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert re.search(rf'<th scope="row">verdicts</th><td>{numbers["verdicts"]}</td>', page)


def test_the_home_chart_and_the_definitions_page_count_as_the_named_query(
    client: FlaskClient,
) -> None:
    """One question, one answer: the home page's chart (passed out of the models each
    definition can judge) and the definitions page's outcome columns are the
    verdict-counts query's rows, which the chart links to as its table (a reader citing a
    bar can download its numbers); and those rows are what the verdicts themselves add up
    to (the conformance API, item by item)."""
    rows = list(csv.DictReader(io.StringIO(client.get("/queries/verdict-counts?format=csv").text)))
    assert {r["definition"] for r in rows} == set(definitions())
    home = client.get("/", headers={"Accept": "text/html"}).text
    assert 'href="/queries/verdict-counts"' in home
    index = client.get("/definitions").text
    for r in rows:
        d = definitions()[r["definition"]]
        mine = client.get(f"/api/conformance?definition={d.id}&per_page=1000").json["items"]
        assert len(mine) < 1000  # one page holds them all
        for outcome in ("passed", "failed", "cantTell", "inapplicable"):
            assert int(r[outcome]) == sum(v["outcome"] == outcome for v in mine), (d.id, outcome)
        assert int(r["judged"]) == sum(v["inScope"] for v in mine)
        assert int(r["verdicts"]) == len(mine)
        if d.passes_models:
            assert f"({r['passed']}/{r['judged']})" in home
        else:
            assert f"rates {r['judged']} models" in home
        cells = "".join(
            f"<td>{r[o]}</td>" for o in ("passed", "failed", "cantTell", "inapplicable")
        )
        row = rf'href="/definitions/{re.escape(d.id)}".*?</th>\s*<td>[^<]*</td><td>[^<]*</td>\s*'
        assert re.search(row + cells, index, re.S), d.id


def test_the_definitions_page_tables_where_two_definitions_disagree(client: FlaskClient) -> None:
    """One question, one answer: the definitions page's table of disagreements (a row for
    the definition passing, a column for the one failing, headed so, with its number in
    each cell) is the definitions-disagree query's rows, which it links to as its table;
    the Index, which passes no model by design, has no row or column but is named; each
    count of models the table links to the requirements they part on."""
    rows = list(
        csv.DictReader(io.StringIO(client.get("/queries/definitions-disagree?format=csv").text))
    )
    page = client.get("/definitions").text
    assert 'href="/queries/definitions-disagree"' in page
    table = page.split('<table id="disagree"', 1)[1].split("</table>", 1)[0]
    compared = [d for d in definitions().values() if d.passes_models]
    heads = re.findall(r'<th scope="col">fails ([^<]+)</th>', table)
    assert heads == [str(escape(d.label)) for d in compared]
    row = r'<th scope="row">passes ([^<]+?)\s*(?:<a class="why".*?)?</th>(.*?)</tr>'
    cell = r'<td class="(?:heat-\d|same)">(?:<a href="#[^"]+">)?(\d+|—)'
    said = {label: re.findall(cell, cells) for label, cells in re.findall(row, table, re.S)}
    assert list(said) == heads
    counts = {(r["definition"], r["other"]): r["passedFailed"] for r in rows}
    assert any(int(n) for n in counts.values())  # the reported models part somewhere
    for d in compared:
        assert said[str(escape(d.label))] == [
            "—" if o.id == d.id else counts[d.id, o.id] for o in compared
        ], d.id
    rated = [d for d in definitions().values() if not d.passes_models]
    assert rated and all(f"{escape(d.label)} has no row or column" in page for d in rated)
    for r in rows:
        if int(r["passedFailed"]) and r.get("partsOn"):
            anchor = f"{r['definition']}--{r['other']}"
            assert f'href="#{anchor}"' in table
            item = page.split(f'<li id="{anchor}">', 1)[1].split("</li>", 1)[0]
            for part in r["partsOn"].split(" | "):
                requirement, _, n = part.removesuffix(")").rpartition(" (")
                assert f'href="/definitions/{r["other"]}#{requirement}"' in item
                assert f"</a> ({n})" in item


def test_a_row_of_the_disagreements_that_counts_no_model_says_why(client: FlaskClient) -> None:
    """A definition that passes no model has a row of 0s in the table of disagreements: the
    row links to a line saying so and why, as the verdict-counts query answers it (while
    a requirement of it no source records, no model can pass it; else it passed none of
    the models it judges), where the 0s read as a definition agreeing with every other."""
    counts = {
        r["definition"]: r
        for r in csv.DictReader(io.StringIO(client.get("/queries/verdict-counts?format=csv").text))
    }
    page = client.get("/definitions").text
    table = page.split('<table id="disagree"', 1)[1].split("</table>", 1)[0]
    none = {
        d.id for d in definitions().values() if d.passes_models and counts[d.id]["passed"] == "0"
    }
    assert none  # the bundled data have some: a requirement no source records
    for d in definitions().values():
        if not d.passes_models:
            continue
        row = table.split(f"passes {escape(d.label)}", 1)[1].split("</th>", 1)[0]
        linked = f'href="#passes-none-{d.id}"' in row
        assert linked == (d.id in none), d.id
        if d.id not in none:
            continue
        line = page.split(f'<p id="passes-none-{d.id}">', 1)[1].split("</p>", 1)[0]
        assert "passes none" in line, d.id
        unrecorded = int(counts[d.id]["unrecorded"])
        if unrecorded:
            assert f"no source records {unrecorded} of" in line, d.id
        else:
            assert f"of the {counts[d.id]['judged']} models it judges" in line, d.id


def test_the_home_chart_says_which_definitions_no_model_can_pass(client: FlaskClient) -> None:
    """A definition with a requirement no source records (its reason: "cannot be told of
    any model") passes no model whatever the models are: its 0% bar says so, as the
    verdict-counts query's `unrecorded` counts them, where a bare 0% read as every model
    failing it."""
    rows = list(csv.DictReader(io.StringIO(client.get("/queries/verdict-counts?format=csv").text)))
    home = client.get("/", headers={"Accept": "text/html"}).text
    said = re.findall(r'<a href="/definitions/([^"]+)">.*?</g>', home, re.S)
    told = {}
    for d in said:
        bar = re.search(rf'<a href="/definitions/{re.escape(d)}">.*?</g>', home, re.S)
        told[d] = "none can pass" in bar.group(0)
    unrecorded = set()
    for r in rows:
        items = client.get(f"/api/conformance?definition={r['definition']}&per_page=1000").json
        if any(
            "cannot be told of any model" in why for v in items["items"] for why in v["reasons"]
        ):
            unrecorded.add(r["definition"])
        assert (int(r["unrecorded"]) > 0) == (r["definition"] in unrecorded), r["definition"]
    assert unrecorded and told == {d: d in unrecorded for d in definitions()}


def test_a_producer_is_named_by_the_name_a_source_gives(client: FlaskClient) -> None:
    """An organisation known by its Hub author's name only (schema:name, no rdfs:label) is
    named so on its models' pages and in the API, not by its IRI's last part."""
    assert client.get("/api/models/salesforce--codet5p-16b").json["organizationName"] == (
        "Salesforce"
    )
    page = client.get("/models/salesforce--codet5p-16b").text
    assert ">Salesforce</a>" in page and ">salesforce</a>" not in page


def test_a_format_link_gives_that_format_to_a_browser(client: FlaskClient) -> None:
    """A browser sends Accept: text/html,…,application/xml;q=0.9: the model page's JSON
    link must name its format (the API offers RDF/XML too), and format=json on a
    resource is its JSON-LD, not its page."""
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = client.get("/models/llama-2-7b", headers=browser).text
    link = re.search(r'<a href="(/api/models/llama-2-7b[^"]*)">JSON</a>', page)
    assert link and client.get(unquote(link[1]), headers=browser).mimetype == "application/json"
    resource = client.get("/id/model/llama-2-7b?format=json", headers=browser)
    assert resource.mimetype == "application/ld+json"


def test_a_name_two_models_have_is_a_choice_not_a_miss(client: FlaskClient) -> None:
    page = client.get("/models/XGen")  # two Salesforce models' family name
    assert page.status_code == 300
    assert "2 models are called “XGen”" in page.text and "No model is called" not in page.text
    assert client.get("/models/no-model-is-called-this").status_code == 404


def test_a_finding_against_a_requirement_not_judged_says_so(client: FlaskClient) -> None:
    """A requirement of a level above one not reached is not judged ('not tested'); a
    finding against it would count against it then, not be 'evidence against' a verdict."""
    page = client.get("/models/m-a-p--chatmusician").text
    assert "not tested</span>" in page
    for item in re.findall(r"<li>(.*?)</li>", page, re.S):
        if "not tested</span>" in item:
            assert "(evidence against)" not in item


def test_what_it_would_take_leaves_out_a_definition_that_rates(client: FlaskClient) -> None:
    """The Index passes no model: neither a model it rates nor one it does not is told
    what would make it pass, and a badge of it leads to the verdicts, not to such a part."""
    for model in ("llama-2-7b", "m-a-p--chatmusician"):
        changes = client.get(f"/api/models/{model}/changes-to-pass").json
        assert "eu-osai-index" not in {c["definition"] for c in changes}, model
        page = client.get(f"/models/{model}").text
        assert 'id="to-pass-eu-osai-index"' not in page
        assert "#to-pass-eu-osai-index" not in page


def test_every_matrix_link_to_a_model_page_lands_on_its_part(client: FlaskClient) -> None:
    """Each cell of the matrix links to its verdict on the model's page: the part exists
    (a passed verdict has no reasons, so no 'why' part, which the cells linked to)."""
    matrix = client.get("/matrix?q=olmo").text  # OLMo-7B passes OSAID: no reasons
    links = set(re.findall(r'href="/models/([^"#]+)#([^"]+)"', matrix))
    assert links
    pages: dict[str, str] = {}
    for model, part in sorted(links):
        page = pages.setdefault(model, client.get(f"/models/{model}").text)
        assert f'id="{part}"' in page, (model, part)


def test_the_empty_search_page_links_no_empty_query(client: FlaskClient) -> None:
    page = client.get("/search").text
    assert page.count("/api/search?q=") == 0


def test_the_matrix_outcome_filter_on_any_definition(client: FlaskClient) -> None:
    """'passed' with no definition chosen keeps the models that pass one, not every model."""
    everything = list(csv.reader(io.StringIO(client.get("/matrix.csv").text)))[1:]
    passing = list(csv.reader(io.StringIO(client.get("/matrix.csv?outcome=passed").text)))[1:]
    kept = {r[0] for r in passing}
    assert 0 < len(kept) < len({r[0] for r in everything})
    assert all(any(r[3] == "passed" for r in passing if r[0] == m) for m in kept)


def test_a_named_query_page_shows_its_description_and_what_it_ran(client: FlaskClient) -> None:
    """A description's `names` are code, not backticks; a required field left blank shows
    the default the query ran with, not an empty box beside its results."""
    page = client.get("/queries/changes-to-pass?model=", headers={"Accept": BROWSER}).text
    assert "<code>model</code>" in page and "`model`" not in page
    default = catalogue()["changes-to-pass"].parameters[0].default
    assert default and f'name="model" value="{default}"' in page


def test_the_search_answer_counts_the_definitions_that_pass_or_fail(client: FlaskClient) -> None:
    """'It passes N of M': M leaves out the Index, which rates."""
    judging = sum(d.passes_models for d in definitions().values())
    assert judging < len(definitions())
    page = client.get("/search?q=olmo 7b").text
    assert re.search(rf"It passes \d+ of {judging} definitions", page)


def test_the_search_answer_says_none_in_words(client: FlaskClient) -> None:
    """ "It passes 0 of 7 definitions" read as a table's cell: a model passing none of them
    "passes none of 7", one passing them all "passes all 7"."""
    said = []
    for typed in ("llama 2", "olmo 7b"):
        best = client.get("/api/search", query_string={"q": typed}).json["matches"][0]
        passed = sum(v["outcome"] == "passed" for v in best["verdicts"])
        judging = sum(definitions()[v["definition"]].passes_models for v in best["verdicts"])
        words = {0: f"none of {judging}", judging: f"all {judging}"}.get(
            passed, f"{passed} of {judging}"
        )
        assert (
            f"It passes {words} definitions"
            in client.get("/search", query_string={"q": typed}).text
        )
        said.append(passed)
    assert 0 in said


def test_the_search_answers_count_heads_the_rows_it_counts(client: FlaskClient) -> None:
    """ "It passes none of 7 definitions" stood over 8 rows, the Index's among them, which
    rates models and passes none by design: the count heads the rows of the definitions
    it counts, and a definition that rates is listed apart, saying it passes none."""
    rating = {d.id: d.label for d in definitions().values() if not d.passes_models}
    seen = set()
    for typed in ("llama 2", "olmo 7b"):
        best = client.get("/api/search", query_string={"q": typed}).json["matches"][0]
        rated = [v["definition"] for v in best["verdicts"] if v["definition"] in rating]
        page = client.get("/search", query_string={"q": typed}).text
        answer = page.split('<section class="answer"', 1)[1].split("</section>", 1)[0]
        counted = re.search(r"It passes (?:none of |all |\d+ of )(\d+) definitions? that", answer)
        lists = re.findall(r'<ul class="verdicts">(.*?)</ul>', answer, re.S)
        assert lists[0].count("<li>") == int(counted[1]) == len(best["verdicts"]) - len(rated)
        if rated:
            said = answer.split('<p class="rated">', 1)[1].split("</p>", 1)[0]
            assert all(rating[d] in said for d in rated) and "none by design" in said
            assert len(lists) == 2 and lists[1].count("<li>") == len(rated)
            seen.add(typed)
    assert seen  # a model the Index rates was asked


def _search_summary(client: FlaskClient, outcomes: dict[str, str]) -> tuple[str, list[str]]:
    """The search answer's summary and the definitions its lists name, for a model with a
    verdict of each definition of ``outcomes`` (by id) with its outcome."""
    verdicts = [
        {"definition": d, "label": d, "outcome": o, "words": o, "level": None, "score": None}
        for d, o in outcomes.items()
    ]
    match = {"name": "M", "matched": "M", "page": "/models/m", "verdicts": verdicts}
    with client.application.test_request_context("/search?q=M"):
        page = render_template("search.html", query="M", matches=[match])
    answer = page.split('<section class="answer"', 1)[1].split("</section>", 1)[0]
    summary = re.search(r'<p class="summary">(.*?)</p>', answer, re.S)
    listed = re.findall(r'href="/definitions/([^"]+)"', answer)
    return (summary[1] if summary else ""), listed


def test_the_search_answer_is_worded_for_one_definition_none_and_one_no_longer_listed(
    client: FlaskClient,
) -> None:
    """The count's sentence said "passes none of 1 definition", "passes all 1 definition…;
    where it does not, the first reason is given", nothing at all over a model only the
    Index rates, and a verdict of a definition the server no longer lists (a store judged
    before it was taken out) was listed as one that "ranks models by score … by design"."""
    judging = [d.id for d in definitions().values() if d.passes_models]
    rating = [d.id for d in definitions().values() if not d.passes_models]
    one, two = judging[:2]
    said, _ = _search_summary(client, {one: "failed"})
    assert said == (
        "It does not pass the one definition that passes or fails a model; the first"
        " reason is given."
    )
    said, _ = _search_summary(client, {one: "passed"})
    assert said == "It passes the one definition that passes or fails a model."
    said, _ = _search_summary(client, {one: "passed", two: "passed"})
    assert said == "It passes all 2 definitions that pass or fail a model."
    said, _ = _search_summary(client, {one: "passed", two: "cannotTell"})
    assert said.startswith("It passes 1 of 2 definitions") and "first reason" in said
    said, listed = _search_summary(client, {rating[0]: "failed"})
    assert said == "No definition that passes or fails a model has judged it yet."
    assert listed == [rating[0]]
    said, listed = _search_summary(client, {one: "failed", "no-longer-listed-1.0": "failed"})
    assert said.startswith("It does not pass the one definition")
    assert listed == [one]


def test_the_other_matches_leave_out_a_definition_no_longer_listed(client: FlaskClient) -> None:
    """The main answer left out a verdict of a definition the server no longer lists (a
    store judged before it was taken out); the other matches below it still showed one, as
    a badge and a row: each match's verdicts are those the main answer would list, the
    Index's apart."""
    judging = next(d for d in definitions().values() if d.passes_models)
    rating = next(d for d in definitions().values() if not d.passes_models)
    kept = {judging.id: "failed", "no-longer-listed-1.0": "failed", rating.id: "inapplicable"}
    verdicts = [
        {"definition": d, "label": d, "outcome": o, "words": o, "level": None, "score": None}
        for d, o in kept.items()
    ]
    matches = [
        {"name": n, "matched": n, "page": f"/models/{n}", "verdicts": verdicts} for n in "MN"
    ]
    with client.application.test_request_context("/search?q=M"):
        page = render_template("search.html", query="M", matches=matches)
    answer = page.split('<section class="answer"', 1)[1].split("</section>", 1)[0]
    other = page.split('<ul class="others">', 1)[1]
    listed = [re.findall(r'href="/definitions/([^"]+)"', part) for part in (answer, other)]
    assert listed[0] == listed[1] == [judging.id, rating.id]
    assert "no-longer-listed-1.0" not in other
    assert "none by design" in other.split('<p class="rated">', 1)[1]


def test_where_sources_disagree_names_each_record(client: FlaskClient) -> None:
    """Each row names the record it comes from (two of one source may disagree), linked."""
    page = client.get("/models/salesforce--codet5p-16b").text
    section = page.split("Where sources disagree", 1)[1].split("</table>", 1)[0]
    assert "/id/record/mof/codet5-plus-220m" in section
    assert ">codet5-plus-16b</a>" in section and ">codet5-plus-220m</a>" in section


def test_the_matrix_filters_find_a_model_by_its_hub_id(client: FlaskClient) -> None:
    """The name filter matches a Hugging Face id as well as the name (the name OLMo-7B does
    not hold "allenai"); the rows carry their Hub ids for the table's search box."""
    page = client.get("/matrix?q=allenai/OLMo-7B").text
    assert re.findall(r'<th scope="row"><a href="/models/([^"]+)"', page) == [OLMO]
    rows = list(csv.reader(io.StringIO(client.get("/matrix.csv?q=allenai/olmo-7b").text)))[1:]
    assert rows and {r[1] for r in rows} == {"OLMo-7B"}
    assert 'data-hub="allenai/OLMo-7B"' in client.get("/matrix").text


def test_the_matrix_export_keeps_the_tables_search(client: FlaskClient) -> None:
    """`search` (what is typed in the table's search box, which matrix.js puts on the export
    link) keeps the rows the box shows, as `q` does: by name, dashes aside, or by Hub id."""
    everything = list(csv.reader(io.StringIO(client.get("/matrix.csv").text)))[1:]
    for typed, name in (("llama 2", "Llama-2-7B"), ("tiiuae/falcon", "Falcon-40B")):
        found = client.get("/matrix.csv", query_string={"search": typed}).text
        rows = list(csv.reader(io.StringIO(found)))[1:]
        assert {r[1] for r in rows} == {name}, typed
        assert len(rows) < len(everything)


def test_the_matrix_by_requirement_exports_its_columns(client: FlaskClient) -> None:
    """With a definition's requirements as the columns, the export has those columns: a line
    a model, its outcome on the definition, then one column per requirement with the
    outcome requirement-matrix.rq gives (what the table shows), not every verdict."""
    osaid = definitions()["osaid-1.0"]
    page = client.get("/matrix?by=requirements&definition=osaid-1.0").text
    assert 'href="/matrix.csv?by=requirements&amp;definition=osaid-1.0"' in page
    text = client.get("/matrix.csv?by=requirements&definition=osaid-1.0&search=llama 2").text
    header, *rows = list(csv.reader(io.StringIO(text)))
    reqs = [r.id for r in osaid.requirements.values()]
    assert header == ["model", "name", "definition", "outcome", "level", *reqs]
    assert [r[1] for r in rows] == ["Llama-2-7B"]
    llama = dict(zip(header, rows[0], strict=True))
    assert llama["definition"] == "osaid-1.0" and llama["outcome"] == "failed"
    answer = client.get(
        "/queries/requirement-matrix",
        query_string={"definition": "osaid-1.0"},
        headers={"Accept": "application/sparql-results+json"},
    ).json["results"]["bindings"]
    shown = {
        b["requirementId"]["value"]: b["outcome"]["value"]
        for b in answer
        if b["model"]["value"] == llama["model"]
    }
    assert shown and {r: llama[r] for r in reqs} == shown
    assert "failed" in shown.values()


def test_a_score_is_written_alike_on_every_page(client: FlaskClient) -> None:
    """The Index's score, with one precision on the search page, the model page and the
    matrix (the search page gave 0.42 where the model page gave 0.417)."""
    rated = [
        v
        for v in client.get("/api/conformance?per_page=1000").json["items"]
        if v["score"] is not None
    ]
    assert rated
    for v in rated:
        shown = f"{v['score']:.3f}"
        model = v["model"].rsplit("/", 1)[1]
        assert f"<td>{shown} (rank" in client.get(f"/models/{model}").text, v["name"]
        search = client.get("/search", query_string={"q": v["name"]}).text
        assert f"score {shown}" in search, v["name"]
        assert f"<td>{shown}</td>" in client.get("/matrix", query_string={"q": v["name"]}).text


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _LinksInImages(HTMLParser):
    """The links inside an element whose role is img (its children are presentational:
    assistive technology is not shown them)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[bool] = []  # for each open element, whether it is an img
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and any(self.open):
            self.found.append(dict(attrs).get("href") or "")
        if tag not in VOID:  # an element that is never closed holds nothing
            self.open.append(dict(attrs).get("role") == "img")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <rect … /> holds nothing

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.open.pop()


@pytest.mark.parametrize("path", PAGES)
def test_no_link_is_hidden_in_an_image(client: FlaskClient, path: str) -> None:
    """A chart whose labels link to the definitions is a group, not an img (the home page's
    bars were an img: its links were hidden from screen readers)."""
    parser = _LinksInImages()
    parser.feed(client.get(path, headers={"Accept": "text/html"}).text)
    assert parser.found == []


def test_the_sources_table_says_what_each_source_holds(client: FlaskClient) -> None:
    """No blank where a source has no model records: the Croissant descriptions hold
    datasets, the SPDX list licences, the FMTI organizations, each counted."""
    page = client.get("/", headers={"Accept": "text/html"}).text
    held = {source: cells[1] for source, cells in source_rows(page).items()}
    assert {"croissant", "fmti", "spdx", "mof"} <= held.keys()
    assert all(held.values()), held
    stats = client.get("/", headers={"Accept": "application/json"}).json
    assert held["spdx"].startswith("licenses ")
    assert held["croissant"].startswith("datasets ")
    assert held["fmti"].startswith("organizations ")
    assert held["mof"].startswith(f"model records {stats['records']['mof']}, ")


def test_the_sources_table_gives_the_latest_runs_version(tmp_path: Path) -> None:
    """A source ingested again keeps its earlier runs in the provenance graph: the table
    gives the version its latest run read, not any run's."""
    from openness.ingest.runner import ingest_source
    from openness.vocabularies import load_vocabularies

    later = tmp_path / "spdx"
    shutil.copytree(sources_dir() / "spdx", later)
    note = later / "SOURCE.md"
    note.write_text(re.sub(r"\b[0-9a-f]{40}\b", "0" * 40, note.read_text()), encoding="utf-8")
    store = EmbeddedStore(tmp_path / "store")
    load_vocabularies(store)  # the sources' concepts
    for _ in range(6):  # runs enough that any run's version is unlikely to be the latest's
        ingest_source(store, "spdx")  # the bundled folder, at its commit
    ingest_source(store, "spdx", folder=later)
    store.close()
    app = create_app({"STORE_LOCATION": str(tmp_path / "store"), "TESTING": True})
    page = app.test_client().get("/", headers={"Accept": "text/html"}).text
    table = page.split(">Sources</h2>", 1)[1].split("</table>", 1)[0]
    assert "0" * 12 in table and ("0" * 40) in page


def test_a_model_page_links_no_address_the_data_gives_in_a_scheme_a_browser_would_run(
    built: GraphStore,
) -> None:
    """The addresses a model's records give (the record's page at its source, where the
    release and each component are, the pages a rating cites) are data: a source or an
    update may give javascript:…, which the page linked as it is, so clicking ran script
    on this server's pages. Such an address is not linked; an https: one still is."""
    store = copy_of(built)
    script = "javascript:alert(document.domain)"
    model = store.query(
        f'SELECT ?m WHERE {{ ?m a <{OG}Model> FILTER (STRENDS(STR(?m), "/{OLMO}")) }}'
    ).rows()[0]["m"]
    prefixes = f"""PREFIX og: <{OG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"""
    # Each address of OLMo's records (a page shows one of several) replaced by the script.
    for held in ("?record prov:wasDerivedFrom", "?record og:location", "?c og:location"):
        store.update(
            f"""{prefixes} DELETE {{ GRAPH ?g {{ {held} ?x }} }}
            INSERT {{ GRAPH ?g {{ {held} <{script}> }} }}
            WHERE {{ GRAPH ?i {{ {model} og:hasRecord ?record }}
                     GRAPH ?g {{ OPTIONAL {{ ?record og:component ?c }} {held} ?x }} }}"""
        )
    store.update(
        f"""{prefixes} INSERT {{ GRAPH ?g {{ ?r rdfs:seeAlso <{script}> }} }}
        WHERE {{ GRAPH ?i {{ {model} og:hasRecord ?record }}
                 GRAPH ?g {{ ?record og:rating ?r }} }}"""
    )
    before = create_app({"STORE": built, "TESTING": True}).test_client().get(f"/models/{OLMO}")
    page = create_app({"STORE": store, "TESTING": True}).test_client().get(f"/models/{OLMO}")
    assert before.status_code == page.status_code == 200
    hrefs = re.findall(r'href="([^"]*)"', page.text)
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    # Where the addresses were https:, they were linked, and are not now.
    for link in ("The record at its source", "Where the model is"):
        assert re.search(rf'<a href="https://[^"]*">{link}</a>', before.text)
        assert link not in page.text
