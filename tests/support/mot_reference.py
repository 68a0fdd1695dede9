"""An independent re-implementation of the Model Openness Tool's classifier, read straight
from the YAML files and the tool's tables (data/sources/mof/RULES.md), to check that the
graph-and-shapes assessment reproduces the tool exactly."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

OPEN_DATA = {
    "CC0-1.0",
    "CC-BY-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-2.5-AU",
    "CC-BY-3.0",
    "CC-BY-3.0-AT",
    "CC-BY-3.0-AU",
    "CC-BY-3.0-DE",
    "CC-BY-3.0-IGO",
    "CC-BY-3.0-NL",
    "CC-BY-3.0-US",
    "CC-BY-4.0",
    "CC-BY-SA-1.0",
    "CC-BY-SA-2.0",
    "CC-BY-SA-2.0-UK",
    "CC-BY-SA-2.1-JP",
    "CC-BY-SA-2.5",
    "CC-BY-SA-3.0",
    "CC-BY-SA-3.0-AT",
    "CC-BY-SA-4.0",
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "CDLA-Sharing-1.0",
    "ODC-PDDL-1.0",
    "ODC-By-1.0",
    "ODbL-1.0",
    "GFDL-1.3",
    "OGL-Canada-2.0",
    "OGL-UK-2.0",
    "OGL-UK-3.0",
}


def accepted_ids(folder: Path) -> set[str]:
    table: dict[str, dict] = {}
    for name in ("licenses.json", "mof-licenses.json"):
        for entry in json.loads((folder / name).read_text())["licenses"]:
            table[entry["licenseId"]] = entry
    flagged = {i for i, e in table.items() if e.get("isOsiApproved") or e.get("isFsfLibre")}
    return flagged | OPEN_DATA | {"OpenMDW-1.0"}


def classify(path: Path, folder: Path) -> tuple[str | None, dict[str, float]]:
    """(class or None, progress percentages unrounded) of one model file."""
    settings = yaml.safe_load((folder / "mof.settings.yml").read_text())["components"]
    by_name = {c["name"]: c for c in settings}
    accepted = accepted_ids(folder)
    release = yaml.safe_load(path.read_text())["release"]
    licenses = release.get("license") or {}
    ok = set()
    for comp in release.get("components") or []:
        spec = by_name.get(comp.get("name"))
        if spec is None:
            continue
        if "license" in comp and comp["license"] is not None:
            lic = comp["license"]
            lic = None if lic in ("unlicensed", "") else lic
        else:
            lic = (
                (licenses.get(spec["content_type"]) or {}).get("name")
                or (licenses.get("distribution") or {}).get("name")
                or None
            )
        if lic is not None and str(lic) in accepted:
            ok.add(spec["id"])
    stand_in = 11 not in ok and 21 in ok
    p3 = min(100.0, (len(ok & {9, 10, 11, 12, 13, 14}) + stand_in) / 6 * 100)
    p2 = 0.0 if p3 < 100 else (6 + len(ok & {7, 8, 18, 19})) / 10 * 100
    required = {9, 10, 11, 12, 13, 14, 7, 8, 18, 19, 15, 16, 24, 21}
    p1 = 0.0 if p2 < 100 else min(100.0, len(ok & required) / (13 if stand_in else 14) * 100)
    progress = {"Class I": p1, "Class II": p2, "Class III": p3}
    level = next((c for c in ("Class I", "Class II", "Class III") if progress[c] == 100), None)
    return level, progress
