"""What a user who installs the project from its wheel (as from a package index) gets:
the wheel carries the readable products (ontology/, shapes/, queries/, data/ with its
licences and source notes) and what the server serves, under the one import name
``openness``; and the installed package runs from an empty folder, with no checkout beside
it and no $OPENNESS_HOME.

The wheel is built offline, with this venv's setuptools, from a copy of the project's files
(a build writes build/ and *.egg-info where it runs). That the sdist builds the same wheel is
checked by hand (docs/audit-installing-from-a-wheel.md): a second build would double the
~6 CPU s that building this one takes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Each top-level folder the wheel carries, and where it installs (pyproject.toml's package-dir).
INSTALLED_AS = {
    "openness": "openness",
    "ingest": "openness/ingest",
    "server": "openness/server",
    "ontology": "openness/ontology",
    "shapes": "openness/shapes",
    "queries": "openness/queries",
    "data": "openness/data",
}
YASGUI = "server/static/vendor/yasgui"
HANG_GUARD = 300  # a build, an install and two commands on a loaded machine


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def link_or_copy(source: str, target: str) -> None:
    """A hard link where the file system allows it: the copy's ~2 000 files cost less. The
    build writes new files only, never one of these."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("packaging")
    source, out = tmp / "source", tmp / "dist"
    # The files git tracks and the editor's script `make editor` made: not a developer's
    # untracked ones, nor what tools made (build/, *.egg-info, a store under var/).
    made = [p.relative_to(REPO) for p in (REPO / YASGUI).glob("*") if p.is_file()]
    for name in [*run("git", "ls-files", "-z", cwd=REPO).split("\0"), *map(str, made)]:
        if name and (REPO / name).is_file():  # (a tracked file deleted, not yet committed)
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(str(REPO / name), str(source / name))
    # The backend's hook, as a frontend calls it (pip wheel --no-build-isolation, less pip's
    # start and its run of the metadata hook first: ~1 CPU s).
    backend = "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])"
    run(sys.executable, "-c", backend, out, cwd=source)
    (built,) = out.glob("*.whl")
    return built


def in_wheel(path: str) -> str | None:
    """Where a file of the checkout is in the wheel, if the wheel carries its folder."""
    top, _, rest = path.partition("/")
    return f"{INSTALLED_AS[top]}/{rest}" if top in INSTALLED_AS and rest else None


@pytest.mark.timeout(HANG_GUARD)  # a hang guard
def test_the_wheel_carries_every_file_of_its_folders_under_openness_alone(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = run("git", "ls-files", "-z", cwd=REPO).split("\0")
    expected = {w for w in map(in_wheel, tracked) if w}
    assert expected - names == set()  # the Turtle, the .rq files, the data and its notes, …
    for product in ("ontology", "shapes", "queries", "data"):
        assert any(n.startswith(f"openness/{product}/") for n in expected), product
    for note in ("LICENSE", "SOURCE.md"):
        assert "openness/data/sources/mof/" + note in names
    assert {"openness/server/templates/base.html", "openness/server/static/style.css"} <= names
    dist_info = wheel.name.split("-py3")[0] + ".dist-info/"
    # The licences, each source's too, where tools that list a wheel's licences look.
    licences = ["LICENSE", "NOTICE.md"]
    licences += [f for f in tracked if f.startswith("data/sources/") and "/LICENSE" in f]
    assert len(licences) > 2 and {f"{dist_info}licenses/{f}" for f in licences} <= names
    # No other top-level module (server, ingest) leaks into site-packages, nor tests or bench.
    assert {n for n in names if not n.startswith(("openness/", dist_info))} == set()
    # What else it carries is made by `make editor` (the SPARQL editor's YASGUI), if made.
    assert {n for n in names - expected if not n.startswith(dist_info)} <= {
        f"openness/server/static/vendor/yasgui/{f}" for f in ("yasgui.min.js", "yasgui.min.css")
    }


@pytest.mark.timeout(HANG_GUARD)  # a hang guard
def test_the_installed_wheel_validates_and_stores_in_the_users_folder_from_an_empty_one(
    wheel: Path, tmp_path: Path
) -> None:
    """Installed with no checkout beside it: `openness validate` reads the ontology, shapes
    and queries the wheel carries, and the default store is the user's, not site-packages'
    nor the working folder's."""
    site, cwd, data = tmp_path / "site-packages", tmp_path / "empty", tmp_path / "data"
    cwd.mkdir()
    # A pure wheel (the test above: nothing outside openness/ and its .dist-info) installs as
    # it is unpacked, which costs a quarter of `pip install --target`'s CPU.
    zipfile.ZipFile(wheel).extractall(site)
    # This venv's dependencies; the wheel's openness before the checkout's editable one.
    keep = {k: v for k, v in os.environ.items() if not k.startswith("OPENNESS_")}
    env = {**keep, "PYTHONPATH": str(site), "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)}
    openness = (sys.executable, "-m", "openness.cli")

    example = site / "openness" / "ontology" / "examples" / "open-model.ttl"
    said = run(*openness, "validate", example, "-d", "osaid-1.0", cwd=cwd, env=env)
    assert said.strip() == "Tiny Open LM — osaid-1.0: passed"

    run(*openness, "init", cwd=cwd, env=env)
    assert (data / "openness-graph" / "store").is_dir()
    assert list(cwd.iterdir()) == [] and not (site / "openness" / "var").exists()
