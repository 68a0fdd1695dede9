"""The assessment as the commands and the server run it: pick models, assess, flag, store."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from openness.assess.openwashing import flag_triples, open_claims
from openness.assess.run import Assessment, assess
from openness.assess.store import save
from openness.ingest.runner import tqdm_progress
from openness.store import GraphStore


def resolve_models(store: GraphStore, ids: Sequence[str]) -> list[str]:
    """Model IRIs for what users call models: an IRI, a name, or a source's own id."""
    out = []
    for given in ids:
        rows = store.query(
            """SELECT DISTINCT ?m WHERE { ?m a og:Model .
                 { ?m schema:name ?v } UNION { ?m og:hasRecord/og:sourceId ?v }
                 UNION { ?m og:huggingFaceRepo ?v } UNION { BIND (?m AS ?i) FILTER (STR(?i) = ?x) }
                 FILTER (STR(?v) = ?x || STR(?m) = ?x) }""",
            substitutions={"x": ox.Literal(given)},
        ).rows()
        if not rows:
            raise LookupError(f"no model called {given!r} (give its IRI, name or a source id)")
        out += [r["m"].value for r in rows]
    return out


def run_assessment(
    store: GraphStore,
    ids: Sequence[str] | None,
    models: Sequence[str] | None,
    *,
    echo: Callable[[str], None],
) -> Assessment:
    """Assess, flag open-washing, store everything, and say what came out."""
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    run = assess(store, ids, models, progress=tqdm_progress, workers=os.cpu_count() or 1)
    flags = flag_triples(open_claims(store), run.verdicts)
    save(store, run, started=started, replace_all=not ids and not models, flags=flags)
    counts = Counter((v.definition, v.outcome) for v in run.verdicts)
    echo(
        f"assessed {len({v.model for v in run.verdicts})} models against "
        f"{len(run.definitions)} definitions with {run.engine} in "
        f"{time.perf_counter() - clock:.1f}s"
    )
    for d in run.definitions:
        echo(
            f"  {d.id:<16} passed {counts[(d.id, 'passed')]:>4}   failed "
            f"{counts[(d.id, 'failed')]:>4}   cannot tell {counts[(d.id, 'cantTell')]:>4}"
        )
    return run
