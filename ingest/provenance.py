"""How provenance names what a run read, the same on every machine: a folder by its path
under data/sources/, not by where the checkout is."""

from __future__ import annotations

from pathlib import Path

from openness.resources import sources_dir


def data_path(folder: Path) -> str:
    """How provenance names a folder read: its path under data/sources/ (``mof``,
    ``history/mof/2024-12-31``), the same in every checkout; a folder elsewhere (``--from``)
    by its name — not the absolute path, which told the build machine's layout and made two
    builds of the same data differ.

    >>> data_path(sources_dir() / "history" / "mof" / "2024-12-31")
    'history/mof/2024-12-31'
    >>> data_path(Path("/home/someone/checkouts/model_openness_tool"))
    'model_openness_tool'
    """
    folder = folder.resolve()
    try:
        return folder.relative_to(sources_dir().resolve()).as_posix()
    except ValueError:
        return folder.name
