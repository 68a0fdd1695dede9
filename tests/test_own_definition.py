"""A definition of one's own, kept outside shapes/ and read with `openness --shapes DIR`
(tests/fixtures/own-definition): judged by every command beside the bundled ones, and
refused, naming what is wrong, where its file leaves out what the engine would take for a
pass. Each command runs in a process of its own, as a researcher runs it: the definitions
are read once a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

OWN = Path(__file__).parent / "fixtures" / "own-definition"
SHAPES = OWN / "shapes"
MODEL = OWN / "no-data-lm.ttl"


def openness(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "OPENNESS_SHAPES"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "openness.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_a_definition_in_a_folder_of_ones_own_is_judged_beside_the_bundled_ones() -> None:
    args = ["validate", str(MODEL), "-d", "osaid-1.0", "-d", "osaid-data-1.0", "--format", "json"]
    for run in (
        openness("--shapes", str(SHAPES), *args),
        openness(*args, env={"OPENNESS_SHAPES": str(SHAPES)}),
    ):
        assert run.returncode == 1, run.stderr
        verdicts = {v["definition"]: v for v in json.loads(run.stdout)}
        assert verdicts["osaid-1.0"]["outcome"] == "cantTell"
        own = verdicts["osaid-data-1.0"]
        assert own["outcome"] == "failed"
        said = "osaid-data-1.0.D-shared: user record 'No Data LM': the datasets are not released"
        assert said in own["reasons"]
    # Without the folder the definition is unknown, as before.
    assert openness(*args).returncode == 2


@pytest.mark.timeout(300)  # a hang guard
def test_init_stores_ones_own_definition_so_named_queries_take_it(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    init = openness("--shapes", str(SHAPES), "--store", store, "init")
    assert init.returncode == 0, init.stderr
    run = openness("--store", store, "query", "definition-ids", "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert "osaid-data-1.0" in run.stdout.split()


GOOD = SHAPES.joinpath("osaid-data-1.0.ttl").read_text(encoding="utf-8")
REQUIREMENT = "https://w3id.org/openness-graph/id/definition/osaid-data-1.0/D-shared"
# Each a slip of a definition's author that the engine took for a pass of the requirement
# (no shape reports on it), or for another definition, and what the refusal says.
SLIPS = {
    "no shapes": (
        GOOD.split("shape:DataSharedShape")[0],
        f"no shape encodes requirement {REQUIREMENT} (og:encodes)",
    ),
    "a check misspelt": (
        GOOD.replace("chk:DatasetsReleased", "chk:DatasetReleased"),
        "checks https://w3id.org/openness-graph/shapes/checks#DatasetReleased, which no "
        "shapes file declares an og:Check",
    ),
    "no check": (
        GOOD.replace("og:checks chk:DatasetsReleased .", "."),
        f"requirement {REQUIREMENT} names no check (og:checks)",
    ),
    "the requirement not listed": (
        GOOD.replace("osaid:P-terms, def:D-shared .", "osaid:P-terms ."),
        f"encodes {REQUIREMENT}, which no definition lists (og:requirement)",
    ),
    "a bundled definition's id": (
        GOOD.replace('og:definitionId "osaid-data-1.0" ;', 'og:definitionId "osaid-1.0" ;'),
        "definition id 'osaid-1.0' is ",
    ),
    # Its sh:Warning shape says 'cannot tell', and no shape 'failed'.
    "only the cannot-tell shape": (
        GOOD.split("shape:DataSharedShape")[0]
        + GOOD[GOOD.index("shape:DataSharedEvidenceShape") :],
        f"no sh:Violation shape encodes requirement {REQUIREMENT}",
    ),
    "a syntax error": (
        GOOD.replace("og:checks chk:DatasetsReleased .", "og:checks chk:DatasetsReleased"),
        "mine.ttl: at line 44: Bad syntax",
    ),
    "a bundled file's name": (GOOD, "osaid-1.0.ttl: a shapes file of this name is already read, "),
}


# The file's name, where it is not mine.ttl.
NAMED = {"a bundled file's name": "osaid-1.0.ttl"}


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_definition_its_file_leaves_wrong_is_refused_naming_what(
    tmp_path: Path, slip: str
) -> None:
    text, said = SLIPS[slip]
    (tmp_path / NAMED.get(slip, "mine.ttl")).write_text(text, encoding="utf-8")
    run = openness("--shapes", str(tmp_path), "validate", str(MODEL), "-d", "osaid-1.0")
    assert run.returncode == 1, run.stdout
    assert run.stderr.startswith("Error: ") and said in run.stderr
    assert "Traceback" not in run.stderr
    assert [line for line in run.stderr.splitlines() if line.startswith("Error: ")] == [
        run.stderr.splitlines()[0]
    ]
    # Nor does the store take it.
    init = openness("--shapes", str(tmp_path), "--store", str(tmp_path / "store"), "init")
    assert init.returncode == 1 and said in init.stderr


@pytest.mark.timeout(300)  # a hang guard
def test_assess_loads_the_shapes_again_when_their_files_changed(tmp_path: Path) -> None:
    """`assess` judges with the shapes files as they are; the named queries read the store's
    shapes graph, which kept what `init` loaded, and refused the definition just judged."""
    store = str(tmp_path / "store")
    assert openness("--store", store, "init").returncode == 0

    def ids() -> list[str]:
        run = openness("--store", store, "query", "definition-ids", "--format", "csv")
        assert run.returncode == 0, run.stderr
        return run.stdout.split()

    assert "osaid-data-1.0" not in ids()
    run = openness("--shapes", str(SHAPES), "--store", store, "assess")
    assert run.returncode == 0, run.stderr
    assert "the shapes files changed since the store loaded them: loading them" in run.stderr
    assert "osaid-data-1.0" in ids()
    again = openness("--shapes", str(SHAPES), "--store", store, "assess")
    assert "the shapes files changed" not in again.stderr
    assert openness("--store", store, "assess").returncode == 0
    assert "osaid-data-1.0" not in ids()


def test_two_folders_holding_a_file_of_one_name_are_refused_naming_both(tmp_path: Path) -> None:
    (tmp_path / "osaid-data-1.0.ttl").write_text(GOOD, encoding="utf-8")
    run = openness("--shapes", str(SHAPES), "--shapes", str(tmp_path), "validate", str(MODEL))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        f"Error: {tmp_path / 'osaid-data-1.0.ttl'}: a shapes file of this name is already "
        f"read, {SHAPES / 'osaid-data-1.0.ttl'}"
    ]


def test_the_suite_judges_with_the_bundled_definitions_only() -> None:
    from openness.assess.definitions import definitions

    assert "osaid-data-1.0" not in definitions()


@pytest.mark.timeout(300)  # a hang guard
def test_an_exported_own_shapes_folder_changes_nothing_the_suite_judges() -> None:
    """tests/conftest.py removes OPENNESS_SHAPES: a researcher who exported it ran a suite
    that judged with their definitions too (tests/test_requirement_fixtures.py failed)."""
    here = f"{__file__}::test_the_suite_judges_with_the_bundled_definitions_only"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", "-p", "no:cacheprovider", here],
        capture_output=True,
        text=True,
        env=os.environ | {"OPENNESS_SHAPES": str(SHAPES)},
        timeout=240,
    )
    assert run.returncode == 0, run.stdout


def _definition_ids(store: str) -> list[str]:
    run = openness("--store", store, "query", "definition-ids", "--format", "csv")
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


@pytest.mark.timeout(300)  # a hang guard
def test_serve_says_a_store_whose_shapes_graph_other_files_gave(tmp_path: Path) -> None:
    """Served, a definition had a page (the files) but no /shapes and no models-passing
    (the store's shapes graph, loaded without it), and nothing said so: the server warns,
    naming what loads them, and still serves (a store judged with other shapes files, as
    after an upgrade, serves what was judged)."""
    from conftest import answering, free_port

    store = str(tmp_path / "store")
    assert openness("--store", store, "init").returncode == 0
    port = str(free_port())
    environ = {k: v for k, v in os.environ.items() if k != "OPENNESS_SHAPES"}
    command = [sys.executable, "-m", "openness.cli", "--shapes", str(SHAPES), "--store", store]
    one = ["--workers", "1", "--query-processes", "1"]
    with subprocess.Popen(
        [*command, "serve", "--port", port, *one],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    ) as server:
        try:
            said = []
            for line in server.stderr:  # until it is about to serve, or ends
                said.append(line)
                if line.startswith("serving on "):
                    break
            ready = answering(f"http://127.0.0.1:{port}/health/ready", server, 120)
        finally:
            server.terminate()
            try:
                server.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
    assert said and said[-1].startswith(f"serving on http://127.0.0.1:{port}/"), said
    assert ready, "".join(said)
    (warned,) = [line for line in said if "the shapes files changed" in line]
    assert warned.startswith("warning: the shapes files changed since the store loaded them")
    assert "`assess` with the same --shapes" in warned


@pytest.mark.timeout(300)  # a hang guard
def test_build_if_missing_loads_and_judges_with_changed_shapes(tmp_path: Path) -> None:
    """`OPENNESS_SHAPES=mine make serve` on a built store: build --if-missing said 'already
    built' and served the definition without its shapes graph."""
    import pyoxigraph as ox

    store = str(tmp_path / "store")
    assert openness("--store", store, "init").returncode == 0
    held = ox.Store(store)  # what marks a build run past its ingests: an assessments graph
    held.update(
        "INSERT DATA { GRAPH <https://w3id.org/openness-graph/graph/assessments> { "
        "<urn:x:run> a <https://w3id.org/openness-graph/ns#AssessmentRun> } }"
    )
    held.flush()
    del held
    run = openness("--store", store, "build", "--if-missing", env={"OPENNESS_SHAPES": str(SHAPES)})
    assert run.returncode == 0, run.stderr
    assert "the shapes files changed since the store loaded them: loading them" in run.stderr
    assert "osaid-data-1.0" in _definition_ids(store)


@pytest.mark.timeout(300)  # a hang guard
def test_history_loads_the_shapes_again_as_assess_does(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert openness("--store", store, "init").returncode == 0
    run = openness("--shapes", str(SHAPES), "--store", store, "history")
    assert "the shapes files changed since the store loaded them: loading them" in run.stderr
    assert "osaid-data-1.0" in _definition_ids(store)


@pytest.mark.timeout(300)  # a hang guard
def test_a_store_that_kept_no_digest_is_said_to_have_kept_none(tmp_path: Path) -> None:
    """A store loaded before the digest was kept: its shapes files did not change."""
    import pyoxigraph as ox

    store = tmp_path / "store"
    assert openness("--store", str(store), "init").returncode == 0
    held = ox.Store(str(store))
    held.update(
        "DELETE WHERE { GRAPH <https://w3id.org/openness-graph/graph/provenance> { "
        "<https://w3id.org/openness-graph/graph/shapes> "
        "<https://w3id.org/openness-graph/ns#fingerprint> ?d } }"
    )
    held.flush()
    del held
    run = openness("--store", str(store), "assess")
    assert run.returncode == 0, run.stderr
    assert "the store kept no record of the shapes files it loaded: loading them" in run.stderr
    assert "shapes files changed" not in run.stderr


@pytest.mark.timeout(300)  # a hang guard
def test_verdicts_of_a_definition_no_longer_read_leave_the_store(tmp_path: Path) -> None:
    """A store judged once with a definition of one's own, then without it: the shapes
    graph lost the definition, yet its verdicts stayed, answered by SPARQL (an assertion
    whose earl:test the graph no longer describes) and counted by the named queries."""
    import pyoxigraph as ox

    mof = tmp_path / "mof" / "models"
    mof.mkdir(parents=True)
    bundled = Path(__file__).parents[1] / "data" / "sources" / "mof" / "models" / "OLMo-7B.yml"
    (mof / "OLMo-7B.yml").write_text(bundled.read_text(encoding="utf-8"), encoding="utf-8")
    store = str(tmp_path / "store")
    for args in (["ingest", "mof", "--from", str(tmp_path / "mof")], ["assess"]):
        run = openness("--shapes", str(SHAPES), "--store", store, *args)
        assert run.returncode == 0, run.stderr

    def judged() -> set[str]:
        held = ox.Store.read_only(store)
        rows = held.query(
            "SELECT DISTINCT ?d { GRAPH <https://w3id.org/openness-graph/graph/assessments> "
            "{ ?a <https://w3id.org/openness-graph/ns#definitionId> ?d } }"
        )
        found = {row["d"].value for row in rows}
        del held
        return found

    assert "osaid-data-1.0" in judged() and "osaid-1.0" in judged()
    run = openness("--store", store, "assess")
    assert run.returncode == 0, run.stderr
    said = "dropped the verdicts against definitions the shapes files no longer declare"
    assert f"{said}: osaid-data-1.0" in run.stderr
    assert "osaid-data-1.0" not in judged()
    assert "osaid-1.0" in judged()  # the others' stay
    # No result or requirement assessment is left that no assessment links to.
    held = ox.Store.read_only(store)
    orphans = held.query(
        "ASK { GRAPH <https://w3id.org/openness-graph/graph/assessments> { "
        "?part <http://www.w3.org/ns/earl#test> ?t "
        'FILTER (CONTAINS(STR(?t), "osaid-data-1.0")) } }'
    )
    assert not orphans
    del held
