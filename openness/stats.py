"""What the graph holds, in numbers."""

from __future__ import annotations

from typing import Any

from openness.namespaces import OG, SKOS, Graphs
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
# The verdicts computed on models, one a model and definition: the requirement
# assessments they hold are EARL assertions too, and are not counted.
_VERDICTS = f"""SELECT (COUNT(*) AS ?n) WHERE {{
  GRAPH <{Graphs.ASSESSMENTS}> {{ ?a og:definitionId ?definition ; earl:subject ?model }} }}"""


def collect_stats(store: GraphStore) -> dict[str, Any]:
    """Triples per named graph, entity counts, and source records per source."""
    graphs = store.graph_sizes()
    stats: dict[str, Any] = {"triples": sum(graphs.values()), "graphs": graphs}
    for key, cls in _COUNTED.items():
        stats[key] = store.count(
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a/rdfs:subClassOf* {cls} }}"
        )
    stats["verdicts"] = store.count(_VERDICTS)
    rows = store.query(
        f"""SELECT ?source (COUNT(DISTINCT ?r) AS ?n) WHERE {{
              ?r a <{OG}SourceRecord> ; <{OG}source> ?s .
              ?s <{SKOS}notation> ?source .
            }} GROUP BY ?source"""
    ).rows()
    stats["records"] = {row["source"].value: int(row["n"].value) for row in rows}
    return stats
