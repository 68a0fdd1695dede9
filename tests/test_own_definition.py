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
}


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_definition_its_file_leaves_wrong_is_refused_naming_what(
    tmp_path: Path, slip: str
) -> None:
    text, said = SLIPS[slip]
    (tmp_path / "mine.ttl").write_text(text, encoding="utf-8")
    run = openness("--shapes", str(tmp_path), "validate", str(MODEL), "-d", "osaid-1.0")
    assert run.returncode == 1, run.stdout
    assert run.stderr.startswith("Error: ") and said in run.stderr
    assert "Traceback" not in run.stderr
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
    assert "the shapes files changed since the store loaded them" in run.stderr
    assert "osaid-data-1.0" in ids()
    again = openness("--shapes", str(SHAPES), "--store", store, "assess")
    assert "the shapes files changed" not in again.stderr
    assert openness("--store", store, "assess").returncode == 0
    assert "osaid-data-1.0" not in ids()
