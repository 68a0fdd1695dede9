"""Where the project's readable products live: ontology/, shapes/, queries/, data/.

They are first-class files at the top of the repository, so the code finds them under
``$OPENNESS_HOME``, else inside the installed ``openness`` package (a wheel carries them
there: pyproject.toml maps each folder in), else beside the package (an editable install or
a source checkout, which is how ``make serve`` runs).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Resolved once: Path.resolve() makes a system call per path component (~0.5 ms), and a
# model page looks up its named queries here ten times.
_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


class ProjectNotFound(Exception):
    """No folder holds the readable products: a broken install, or $OPENNESS_HOME naming
    none and no checkout. Not a FileNotFoundError, which callers take for a file of the
    project missing (a named query that is not there)."""


def project_root() -> Path:
    """The folder holding ontology/, shapes/, queries/ and data/.

    The installed package is tried before the folder above it: in a checkout the package
    holds no ontology/, and installed, the folder above is site-packages, where another
    distribution may have put a folder of that name."""
    home = os.environ.get("OPENNESS_HOME")
    candidates = [Path(home)] if home else []
    candidates += [_PACKAGE, _CHECKOUT]
    for root in candidates:
        if (root / "ontology").is_dir():
            return root
    raise ProjectNotFound(
        "cannot find the ontology/ folder: install the project from its wheel or sdist, run "
        "from a checkout of it (make serve installs it in editable mode) or set OPENNESS_HOME "
        "to one"
    )


def installed() -> bool:
    """Whether the readable products are the installed package's own (a wheel's), not a
    project folder's: a folder under site-packages is no place for a store."""
    return project_root() == _PACKAGE


def user_data_dir() -> Path:
    """This project's folder under ``$XDG_DATA_HOME`` (``~/.local/share`` when it is unset or,
    as the XDG Base Directory specification asks, not absolute)."""
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "openness-graph"


def ontology_dir() -> Path:
    return project_root() / "ontology"


def shapes_dir() -> Path:
    return project_root() / "shapes"


def own_shapes_dirs() -> list[Path]:
    """The folders of shapes files of one's own that ``OPENNESS_SHAPES`` names (``openness
    --shapes DIR`` sets it, so that the server's workers and query processes read them
    too), separated as ``PATH`` is; their definitions stand beside the bundled ones."""
    folders = os.environ.get("OPENNESS_SHAPES", "").split(os.pathsep)
    return [Path(d).absolute() for d in folders if d]  # a file's IRI base is absolute


class DefinitionError(ValueError):
    """A shapes file that cannot be read, or declares a definition that would judge
    wrongly without saying so."""


def shape_files() -> list[Path]:
    """Every shapes file: the bundled ones in name order, then each of one's own folders'.
    A file named as one before it is refused: most likely a copy of it edited (its IRIs
    the other's, which /shapes/<name> finds by their prefix), whose triples would be added
    to the other's in the one shapes graph, not stand in their place."""
    files = sorted(shapes_dir().glob("*.ttl"))
    for folder in own_shapes_dirs():
        if not folder.is_dir():
            raise DefinitionError(f"OPENNESS_SHAPES names {folder}, which is no folder")
        for path in sorted(folder.glob("*.ttl")):
            same = next((f for f in files if f.name == path.name), None)
            if same is not None:
                raise DefinitionError(f"{path}: a shapes file of this name is already read, {same}")
            files.append(path)
    return files


def queries_dir() -> Path:
    return project_root() / "queries"


def sources_dir() -> Path:
    """The bundled snapshot of every source, one folder each."""
    return project_root() / "data" / "sources"


@dataclass(frozen=True)
class SourceFiles:
    """Where a run reads a file of the bundled sources: from the folder it was given for
    that file's folder (``openness ingest SOURCE --from DIR`` for ``data/sources/SOURCE``)
    when it holds the file, else from the bundled folder — a checkout may lack our files."""

    given: Mapping[str, Path] = field(default_factory=dict)  # bundled folder name -> folder

    def path(self, folder: str, name: str) -> Path:
        """The file ``name`` of the bundled folder ``folder``, as this run reads it.

        >>> SourceFiles({"curated": Path("/nowhere")}).path("curated", "x.yaml") == (
        ...     sources_dir() / "curated" / "x.yaml")
        True
        """
        mine = self.given.get(folder)
        if mine is not None and (mine / name).is_file():
            return mine / name
        return sources_dir() / folder / name
