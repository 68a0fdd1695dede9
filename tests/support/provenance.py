"""What the provenance graph says of how one of our graphs was made, for the tests."""

from __future__ import annotations

from dataclasses import dataclass

from openness import __version__
from openness.namespaces import PREFIX_LINE, PROV, Graphs
from openness.store import GraphStore


@dataclass(frozen=True)
class Made:
    run: str
    kind: str  # the run's class (og:IngestionRun, og:IdentityRun, …)
    used: frozenset[str]  # what the run used
    derived_from: frozenset[str]  # what the graph was derived from


def made(store: GraphStore, graph: str) -> list[Made]:
    """Each run the provenance graph says generated ``graph`` (a prov:Entity) and that was
    associated with this software at its version (a prov:SoftwareAgent): what it used and
    what the graph was derived from. (DISTINCT: the release is described in each graph
    holding a run it ran.)"""
    rows = store.query(
        PREFIX_LINE
        + f"""SELECT DISTINCT ?run ?kind WHERE {{
          GRAPH <{Graphs.PROVENANCE}> {{ <{graph}> a prov:Entity ; prov:wasGeneratedBy ?run ;
                                                prov:generatedAtTime ?at }}
          ?run a ?kind ; prov:wasAssociatedWith ?agent ; prov:endedAtTime ?end .
          ?agent a prov:SoftwareAgent ; og:toolVersion "{__version__}" .
          FILTER (?kind != prov:Activity) }}"""
    ).rows()
    out = []
    for r in rows:
        run = r["run"].value
        used = store.query(f"SELECT ?x WHERE {{ <{run}> <{PROV}used> ?x }}").rows()
        derived = store.query(
            f"SELECT ?x WHERE {{ <{graph}> <{PROV}wasDerivedFrom> ?x }}",
            default_graphs=[Graphs.PROVENANCE],
        ).rows()
        out.append(
            Made(
                run,
                r["kind"].value,
                frozenset(u["x"].value for u in used),
                frozenset(d["x"].value for d in derived),
            )
        )
    return out
