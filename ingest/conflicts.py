"""Source conflicts: where the records of one model say different things, both are kept
and the disagreement is recorded as a node of its own (``og:SourceConflict``) rather than
settled silently — the model, the property in question, and each record's claim as a
reified statement (``rdf:Statement``: record, property, value).

Two kinds are found: identity conflicts (a Hub link the record's own name contradicts,
names a source swapped; found while linking records, see ``identity``) and claims about the
final weights that contradict each other (a record that lists them as released, another that
says they were never published or rates them closed), found here from the store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from openness.ingest.rdf import Triples, Value, literal
from openness.namespaces import COMPONENT, ID, OG, RDF, RDFS, mint
from openness.store import GraphStore


@dataclass
class Conflict:
    """One disagreement about ``prop`` of ``model`` (and of ``aspect``, a component type,
    when it is about a component); ``note`` says what contradicts what."""

    model: str
    prop: str
    note: str
    aspect: str | None = None
    about: set[str] = field(default_factory=set)  # further models the conflict concerns
    claims: list[tuple[str, str, Value]] = field(default_factory=list)

    def claim(self, record: str, prop: str, value: Value, comment: str | None = None) -> None:
        """``record`` says ``prop`` is ``value`` (``comment``: in the source's words)."""
        self.claims.append((record, prop, value if comment is None else (value, comment)))


class Conflicts:
    """The conflicts found in one identity rebuild, written with stable IRIs."""

    def __init__(self) -> None:
        self.items: list[Conflict] = []

    def add(self, conflict: Conflict) -> None:
        self.items.append(conflict)

    def write(self, out: Triples) -> int:
        """Write every conflict; returns how many."""
        seen: dict[str, int] = defaultdict(int)
        for c in sorted(self.items, key=lambda c: (c.model, c.prop, c.aspect or "", c.note)):
            parts = [c.model[len(ID + "model/") :], c.prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]]
            if c.aspect:
                parts.append(c.aspect.rsplit("/", 1)[-1])
            iri = mint("conflict", *parts)
            seen[iri] += 1
            iri += f"-{seen[iri]}" if seen[iri] > 1 else ""
            out.types(iri, OG + "SourceConflict")
            for model in sorted({c.model} | c.about):
                out.link(iri, OG + "conflictAbout", model)
            out.link(iri, OG + "conflictProperty", c.prop)
            out.link(iri, OG + "conflictAspect", c.aspect)
            out.add(iri, RDFS + "comment", c.note)
            for n, (record, prop, value) in enumerate(c.claims, 1):
                claim = f"{iri}/claim/{n}"
                comment = None
                if isinstance(value, tuple):
                    value, comment = value
                out.link(iri, OG + "claim", claim)
                out.types(claim, RDF + "Statement")
                out.link(claim, RDF + "subject", record)
                out.link(claim, RDF + "predicate", prop)
                out.add(claim, RDF + "object", value)
                out.add(claim, RDFS + "comment", comment)
        return len(self.items)


WEIGHTS = COMPONENT + "model-parameters-final"


def claims_conflicts(store: GraphStore, graphs: list[str]) -> Conflicts:
    """Models whose records contradict each other on whether the final weights are
    published: a component listed as released (a Model Openness Tool file, Hub files) against
    one stated as not released (curated facts of models never published) or an Index rating
    of the end-model weights as closed. Reads records linked to models in ``graphs``."""
    # The record pattern is repeated inside each branch: joined to the UNION from outside,
    # pyoxigraph evaluates the whole UNION again for every record (minutes on large stores).
    rows = store.query(
        """SELECT ?m ?r ?src ?id ?released ?how WHERE {
             {
               ?r og:component ?c . ?c og:componentType ogc:model-parameters-final ;
                                        og:released ?released .
               ?r og:recordOf ?m ; og:source/skos:notation ?src ; og:sourceId ?id .
               OPTIONAL { ?c og:licenseStatement/og:licenseString ?licence }
               BIND (IF(?released, IF(BOUND(?licence),
                          CONCAT("final parameters listed as released under '", ?licence, "'"),
                          "final parameters listed as released"),
                        "final parameters stated as not released") AS ?how)
             } UNION {
               ?r og:rating ?x . ?x og:dimension oxd:weights_endmodel ;
                                    og:ratingValue/skos:notation ?v .
               ?r og:recordOf ?m ; og:source/skos:notation ?src ; og:sourceId ?id .
               FILTER (?v IN ("open", "closed"))
               BIND (?v = "open" AS ?released)
               BIND (CONCAT("end-model weights rated ", ?v) AS ?how)
             }
           } ORDER BY ?m ?r""",
        default_graphs=graphs,
    ).rows()
    by_model: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        # An xsd:boolean again: Virtuoso answers SPARQL booleans as the integers 1 and 0.
        row["released"] = literal(row["released"].value in ("true", "1"))
        by_model[row["m"].value].append(row)
    out = Conflicts()
    for model, claims in by_model.items():
        values = {row["released"].value for row in claims}
        if len(values) < 2:
            continue
        said = {
            v: sorted(
                {f"{r['src'].value} '{r['id'].value}'" for r in claims if r["released"].value == v}
            )
            for v in values
        }
        conflict = Conflict(
            model,
            OG + "released",
            f"released according to {', '.join(said['true'])}; "
            f"not released according to {', '.join(said['false'])}",
            aspect=WEIGHTS,
        )
        for row in claims:
            conflict.claim(row["r"].value, OG + "released", row["released"], row["how"].value)
        out.add(conflict)
    return out
