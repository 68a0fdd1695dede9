"""Open-washing: models presented as open source that do not pass OSAID 1.0."""

from __future__ import annotations

from collections import defaultdict

from openness.assess.store import assessment_iri, flag_iri
from openness.assess.verdicts import PASSED, Verdict
from openness.ingest.rdf import Triples
from openness.namespaces import EARL, OG, PROV
from openness.store import GraphStore

# Where a claim of openness shows: a Hub tag or card tag, a licence whose name calls itself
# open, and the European Open Source AI Index, which lists only systems their makers
# describe or position as open (its inclusion criterion).
CLAIMS = r"""
SELECT ?m ?claim WHERE {
  ?m a og:Model ; og:hasRecord ?r .
  {
    ?r og:openClaim ?tag .
    BIND (CONCAT("Hugging Face tag '", ?tag, "'") AS ?claim)
  } UNION {
    ?r og:source/skos:notation "osai-index" ; og:sourceId ?id .
    BIND (CONCAT("listed by the European Open Source AI Index as '", ?id,
                 "', which includes only systems presented as open") AS ?claim)
  } UNION {
    { ?r og:licenseStatement ?s } UNION { ?r og:component/og:licenseStatement ?s }
    ?s og:licenseString ?licence .
    FILTER (REGEX(?licence, "\\bopen", "i"))
    BIND (CONCAT("licence named '", ?licence, "'") AS ?claim)
  }
}"""


def open_claims(store: GraphStore) -> dict[str, list[str]]:
    """Model IRI -> the claims of openness found for it."""
    claims: dict[str, set[str]] = defaultdict(set)
    for row in store.query(CLAIMS).rows():
        claims[row["m"].value].add(row["claim"].value)
    return {m: sorted(c) for m, c in claims.items()}


def flag_triples(claims: dict[str, list[str]], verdicts: list[Verdict]) -> Triples:
    """A flag for every model with a claim whose OSAID 1.0 verdict is not 'passed'."""
    out = Triples()
    for v in verdicts:
        if v.definition != "osaid-1.0" or v.outcome == PASSED or v.model not in claims:
            continue
        flag = flag_iri(v.model)
        out.types(flag, OG + "OpenWashingFlag", PROV + "Entity")
        out.link(flag, OG + "flags", v.model)
        for claim in claims[v.model]:
            out.add(flag, OG + "openClaim", claim)
        out.link(flag, PROV + "wasDerivedFrom", assessment_iri(v.definition, v.model))
        out.link(flag, EARL + "outcome", EARL + v.outcome)
        for reason in v.reasons[:5]:
            out.add(flag, EARL + "info", reason)
    return out
