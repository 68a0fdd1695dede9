"""What the graph holds, in numbers."""

from __future__ import annotations

from typing import Any

from openness.namespaces import Graphs
from openness.store import GraphStore

# What each headline count counts: instances of a class in the union of all graphs.
_COUNTED = {
    "models": "og:Model",
    "datasets": "dcat:Dataset",
    "organizations": "og:Organization",
    "licenses": "og:License",
    "publishedVerdicts": "og:PublishedVerdict",
}
# The headline counts, in the order shown, with what they are called there.
HEADLINES = {
    "models": "models",
    "datasets": "datasets",
    "organizations": "organizations",
    "licenses": "licenses",
    "verdicts": "verdicts",
    "publishedVerdicts": "published verdicts",
}
# What a source's graph holds, in these kinds: the records of models it has, then the kinds
# the headline counts count. A source that describes no model holds something else: the
# Croissant descriptions datasets, the SPDX list licences, the FMTI scores organizations.
_HELD = {"records": "og:SourceRecord", **_COUNTED}
HELD_LABELS = {"records": "model records", **{k: HEADLINES[k] for k in _COUNTED}}
# The verdicts computed on models, one a model and definition: the requirement
# assessments they hold are EARL assertions too, and are not counted.
_VERDICTS = f"""SELECT (COUNT(*) AS ?n) WHERE {{
  GRAPH <{Graphs.ASSESSMENTS}> {{ ?a og:definitionId ?definition ; earl:subject ?model }} }}"""


def collect_stats(store: GraphStore) -> dict[str, Any]:
    """Triples per named graph, entity counts, what each source's graph holds and the
    model records of each source."""
    graphs = store.graph_sizes()
    stats: dict[str, Any] = {"triples": sum(graphs.values()), "graphs": graphs}
    for key, cls in _COUNTED.items():
        stats[key] = store.count(
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a/rdfs:subClassOf* {cls} }}"
        )
    stats["verdicts"] = store.count(_VERDICTS)
    stats["holds"] = _holds(store)
    # Each source's model records, as before (a source describing no model has none).
    stats["records"] = {s: n["records"] for s, n in stats["holds"].items() if "records" in n}
    return stats


def _holds(store: GraphStore) -> dict[str, dict[str, int]]:
    """For each source with a graph, how many of each kind of ``_HELD`` it holds (the kinds
    it holds none of left out), in that order."""
    prefix = Graphs.source("")
    kinds = " ".join(f'("{key}" {cls})' for key, cls in _HELD.items())
    rows = store.query(
        f"""SELECT ?g ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              VALUES (?kind ?class) {{ {kinds} }}
              ?type rdfs:subClassOf* ?class .
              GRAPH ?g {{ ?x a ?type }}
              FILTER (STRSTARTS(STR(?g), "{prefix}"))
            }} GROUP BY ?g ?kind"""
    ).rows()
    counts = {(r["g"].value[len(prefix) :], r["kind"].value): int(r["n"].value) for r in rows}
    return {
        source: {key: counts[(source, key)] for key in _HELD if (source, key) in counts}
        for source in sorted({s for s, _ in counts})
    }


def held_words(held: dict[str, int]) -> str:
    """What a source holds, in words: "model records 273, organizations 75"."""
    return ", ".join(f"{HELD_LABELS[key]} {n}" for key, n in held.items()) or (
        "none of the kinds counted"
    )
