"""Whether this checkout stores the same verdicts as another revision, on the whole bundled graph.

For a change that must not change any result (a faster rule or constraint, a cheaper
judging): builds the bundled graph in memory with each tree's own code and data, assesses
every model against every definition, stores the run, and compares the assessments graph
and the derived graph triple by triple. What differs between any two runs is masked: the
run's IRI, dates and times, and the fingerprints (they include the shapes' digest). Prints
the triples of each graph, how many differ, and the first differences; exits 1 when any do.

    .venv/bin/python bench/same_verdicts.py            # this checkout against main
    .venv/bin/python bench/same_verdicts.py HEAD~1     # against any revision
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter with the tree first on sys.path, so that its own package (and
# the shapes and data beside it) are the ones imported. Prints each graph as N-Triples.
ASSESS = """
import datetime as dt, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import pyoxigraph as ox
from openness.assess.run import assess
from openness.assess.setwise import DERIVED
from openness.assess.store import save
from openness.ingest.runner import ingest_all
from openness.namespaces import Graphs
from openness.store import EmbeddedStore
from openness.vocabularies import load_vocabularies
store = EmbeddedStore(None)
load_vocabularies(store)
ingest_all(store)
save(store, assess(store), started=dt.datetime.now(dt.UTC))
for name, g in (("assessments", Graphs.ASSESSMENTS), ("derived", DERIVED)):
    found = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
    Path(sys.argv[2], name + ".nt").write_bytes(
        ox.serialize(list(found), format=ox.RdfFormat.N_TRIPLES)
    )
"""

MASKS = [
    (re.compile(r"/id/run/assess/[0-9a-z]+"), "/id/run/assess/RUN"),
    (re.compile(r'"[^"]*"\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>'), '"DATE"'),
    (re.compile(r'(<https://w3id\.org/openness-graph/ns#fingerprint>) "[0-9a-f]+"'), r'\1 "FP"'),
]


def _lines(path: Path) -> set[str]:
    out = set()
    for line in path.read_text().splitlines():
        for pattern, repl in MASKS:
            line = pattern.sub(repl, line)
        out.add(line)
    return out


def _run(tree: Path, out: Path) -> None:
    out.mkdir(parents=True)
    subprocess.run([sys.executable, "-c", ASSESS, str(tree), str(out)], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", nargs="?", default="main", help="the revision to compare with")
    parser.add_argument("--show", type=int, default=20, help="differences printed per graph")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "tree"
        other.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(HERE), "archive", args.rev], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        _run(other, Path(tmp) / "theirs")
        _run(HERE, Path(tmp) / "ours")
        differ = 0
        for name in ("assessments", "derived"):
            theirs = _lines(Path(tmp, "theirs", name + ".nt"))
            ours = _lines(Path(tmp, "ours", name + ".nt"))
            only_theirs, only_ours = sorted(theirs - ours), sorted(ours - theirs)
            differ += len(only_theirs) + len(only_ours)
            print(
                f"{name}: {len(theirs)} triples at {args.rev}, {len(ours)} here; "
                f"{len(only_theirs)} only at {args.rev}, {len(only_ours)} only here"
            )
            for line in only_theirs[: args.show]:
                print("  -", line)
            for line in only_ours[: args.show]:
                print("  +", line)
    print("same verdicts and derived facts" if not differ else "DIFFERENT")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
