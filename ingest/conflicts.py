"""Source conflicts: where the records of one model say different things, both are kept
and the disagreement is recorded as a node of its own (``og:SourceConflict``) rather than
settled silently — the model, the property in question, and each record's claim as a
reified statement (``rdf:Statement``: record, property, value).

Two kinds are found: identity conflicts (a Hub link the record's own name contradicts,
names a source swapped; found while linking records, see ``identity``) and claims about a
component that contradict each other (a record that lists the final weights as released,
another that says they were never published or rates them closed), found here from the
store, and a record's links that disagree with each other (its release and its weights on
different Hub repositories). A conflict on a component leaves every requirement about it
"cannot tell" (``og:RecordedConflictConstraint`` in ``shapes/checks.ttl``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from openness.ingest.rdf import Triples, Value, iri_values, literal
from openness.ingest.records import hub_repo_id
from openness.namespaces import ID, OG, RDF, RDFS, mint
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


CHUNK = 500  # models, or (model, aspect) pairs, named in one query's VALUES

# What a record says of whether a component of model ?m of type ?type is released (?released):
# a component it lists, or the Index's rating of the matching availability dimension. The
# record's model comes first: pyoxigraph joins in the order of the parts a FILTER or an
# OPTIONAL cuts a pattern into, and ?m bound by VALUES, joined last, took ~8 CPU s for
# 150 of the bundled models' ratings (0.2 first).
_COMPONENT_CLAIMS = """?r og:recordOf ?m ; og:component ?c .
  ?c og:componentType ?type ; og:released ?released ."""
_RATING_CLAIMS = """?r og:recordOf ?m ; og:rating ?x .
  ?x og:dimension ?dim ; og:ratingValue/skos:notation ?v .
  FILTER (?v IN ("open", "closed"))
  ?dim og:dimensionGroup "availability" .
  OPTIONAL { ?dim og:ratesBaseModel ?base }
  FILTER (!BOUND(?base) || !?base)
  ?type skos:closeMatch ?dim .
  BIND (?v = "open" AS ?released)"""


def claims_conflicts(
    store: GraphStore, graphs: list[str], models: Sequence[str] | None = None
) -> Conflicts:
    """Models whose records contradict each other on whether a component is published: a
    component listed as released (a Model Openness Tool component, Hub files) against one
    stated as not released (curated facts of models never published), or against the Index's
    open or closed rating of what the component is (the component type's ``skos:closeMatch``
    among the Index's availability dimensions, leaving out those that rate the base model).
    Reads records linked to models in ``graphs`` (the vocabularies among them); only the
    records of ``models``, when given."""
    if models is not None:
        out = Conflicts()
        for at in range(0, len(models), CHUNK):
            chosen = f"VALUES ?m {{ {iri_values(models[at : at + CHUNK])} }}"
            out.items += _claims_conflicts(store, graphs, chosen).items
        return out
    return _claims_conflicts(store, graphs, "")


def _claims_conflicts(store: GraphStore, graphs: list[str], chosen: str) -> Conflicts:
    # The record pattern is repeated inside each branch: joined to the UNION from outside,
    # pyoxigraph evaluates the whole UNION again for every record (minutes on large stores).
    # First the models with a claim that something is not released, which are few (none on
    # the Hub): grouping every model's claims took ~130 CPU s at 300 000 Hub models. Then
    # their models and aspects with both values, by the claims alone (a superset: the
    # claims' descriptions are not needed yet); then those claims, described.
    denied = store.query(
        f"""SELECT DISTINCT ?m WHERE {{
              {{ {chosen} VALUES ?released {{ false }} {_COMPONENT_CLAIMS} }}
              UNION {{ {chosen} {_RATING_CLAIMS} FILTER (!?released) }} }}""",
        default_graphs=graphs,
    ).rows()
    models = sorted(row["m"].value for row in denied)
    candidates = []
    for at in range(0, len(models), CHUNK):
        some = f"VALUES ?m {{ {iri_values(models[at : at + CHUNK])} }}"
        candidates += store.query(
            f"""SELECT ?m ?type WHERE {{ {{ {some} {_COMPONENT_CLAIMS} }}
                                      UNION {{ {some} {_RATING_CLAIMS} }} }}
                GROUP BY ?m ?type HAVING (COUNT(DISTINCT ?released) > 1)""",
            default_graphs=graphs,
        ).rows()
    pairs = sorted({f"({row['m']} {row['type']})" for row in candidates})
    rows = []
    for at in range(0, len(pairs), CHUNK):
        values = f"VALUES (?m ?type) {{ {' '.join(pairs[at : at + CHUNK])} }}"
        rows += store.query(
            f"""SELECT ?m ?type ?r ?src ?id ?released ?how WHERE {{
                 {{
                   {values} {_COMPONENT_CLAIMS}
                   ?r og:source/skos:notation ?src ; og:sourceId ?id . ?type rdfs:label ?what .
                   OPTIONAL {{ ?c og:licenseStatement/og:licenseString ?licence }}
                   BIND (IF(?released, IF(BOUND(?licence),
                              CONCAT(STR(?what), " listed as released under '", ?licence, "'"),
                              CONCAT(STR(?what), " listed as released")),
                            CONCAT(STR(?what), " stated as not released")) AS ?how)
                 }} UNION {{
                   {values} {_RATING_CLAIMS}
                   ?r og:source/skos:notation ?src ; og:sourceId ?id .
                   ?dim rdfs:label ?dimension .
                   BIND (CONCAT(STR(?dimension), " rated ", ?v) AS ?how)
                 }}
               }} ORDER BY ?m ?type ?r""",
            default_graphs=graphs,
        ).rows()
    by_aspect: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        # An xsd:boolean again: Virtuoso answers SPARQL booleans as the integers 1 and 0.
        row["released"] = literal(row["released"].value in ("true", "1"))
        by_aspect[(row["m"].value, row["type"].value)].append(row)
    out = Conflicts()
    for (model, aspect), claims in by_aspect.items():
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
            aspect=aspect,
        )
        for row in claims:
            conflict.claim(row["r"].value, OG + "released", row["released"], row["how"].value)
        out.add(conflict)
    return out


def weights_link_conflicts(
    store: GraphStore, graphs: list[str], models: Sequence[str] | None = None
) -> Conflicts:
    """Records whose own links disagree on which Hub repository the release is: the Index's
    system link against the link it gives for the end model's weights, one of which the
    record follows (the one nearer its end-model name, ``osai_index``): Viking-33B follows
    its system link, LumiOpen/Viking-33B, not its weights' LumiOpen/Viking-7B; DeepSeek-R1
    its weights', not its system's DeepSeek-R1-0528. A namespace that moved (THUDM's
    repositories are zai-org's now) is no disagreement: the repository names must differ.
    Only the records of ``models``, when given."""
    chosen = "" if models is None else f"VALUES ?m {{ {iri_values(models)} }}"
    rows = store.query(
        f"""SELECT ?m ?r ?src ?id ?name ?repo ?url ?said WHERE {{ {chosen}
             ?r og:rating ?x . ?x og:dimension oxd:weights_endmodel .
             ?r og:huggingFaceRepo ?repo ; og:recordOf ?m ; schema:name ?name ;
                og:source/skos:notation ?src ; og:sourceId ?id .
             ?m og:huggingFaceRepo ?repo .
             {{ ?x rdfs:seeAlso ?url BIND ("end-model weights" AS ?said) }}
             UNION {{ ?r og:location ?url BIND ("system" AS ?said) }}
           }} ORDER BY ?m ?r ?said ?url""",
        default_graphs=graphs,
    ).rows()
    others: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        repo, other = row["repo"].value, hub_repo_id(row["url"].value)
        if other is None or other.split("/")[-1].lower() == repo.split("/")[-1].lower():
            continue
        others[(row["m"].value, row["r"].value)].append(row | {"other": other})
    out = Conflicts()
    for (model, record), links in others.items():
        first = links[0]
        repo = first["repo"].value
        named = ", ".join(f"its {row['said'].value} link {row['other']}" for row in links)
        conflict = Conflict(
            model,
            OG + "huggingFaceRepo",
            f"{first['src'].value} record '{first['id'].value}' links two releases: read as "
            f"{repo}, the one nearer its end-model name '{first['name'].value}', not {named}",
        )
        conflict.claim(record, OG + "huggingFaceRepo", repo)
        for row in links:
            said = row["said"].value
            prop = OG + "location" if said == "system" else RDFS + "seeAlso"
            conflict.claim(record, prop, row["other"], f"{said} link {row['url'].value}")
        out.add(conflict)
    return out
