"""Reading stored verdicts back: the report rows, published-vs-computed, open-washing."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from openness.assess.definitions import definitions
from openness.assess.grade import reason_outcomes
from openness.assess.store import assessment_iri
from openness.named_queries import run_named
from openness.namespaces import Graphs
from openness.store import GraphStore, row_values, term_value

VERDICTS = """
SELECT ?a ?res ?model ?name ?def ?outcome ?level ?score ?rank ?inScope WHERE {
  GRAPH <%(g)s> { %(values)s
    ?a og:definitionId ?def ; earl:subject ?model ; earl:result ?res .
    ?res earl:outcome ?o .
    OPTIONAL { ?a og:inScope ?inScope }
    OPTIONAL { ?res og:score ?score }
    OPTIONAL { ?res og:rank ?rank }
  }
  %(filter)s
  OPTIONAL { ?model schema:name ?name FILTER (isLiteral(?name)) }
  OPTIONAL { GRAPH <%(g)s> { ?res og:level ?lv } ?lv rdfs:label ?level FILTER (isLiteral(?level)) }
  BIND (STRAFTER(STR(?o), "#") AS ?outcome)
}"""
# The fields of one verdict in JSON, as the CLI report and the HTTP API give it.
VERDICT_KEYS = (
    "model",
    "name",
    "definition",
    "outcome",
    "level",
    "score",
    "rank",
    "inScope",
    "progress",
    "levelOutcomes",
    "reasons",
    "reasonOutcomes",
    "records",
)

REASONS = """SELECT ?a ?info WHERE { GRAPH <%(g)s> { %(values)s
  ?a og:definitionId ?def ; earl:result/earl:info ?info } %(filter)s }"""
# The outcome of each requirement a verdict's reasons may name (those not passed), by the
# verdict's result, from the stored requirement assessments; its id, which heads a reason
# ("<requirement id>: why"), is the definitions' (joined with the shapes graph here: 8 s,
# bundled graph). Every result's parts are read whole and joined by hash (0.13 s CPU; by
# assertion, 0.4 s); one model's by its assertions (the VALUES binds them). ?res is the
# holder of the parts: the result, or the assertion where it was stored before 2026-12-04.
REQUIREMENTS = """SELECT ?res ?req ?ro WHERE {
  { SELECT ?res ?part WHERE { GRAPH <%(g)s> { ?res dcterms:hasPart ?part } } }
  { SELECT ?part ?req WHERE { GRAPH <%(g)s> { ?part earl:test ?req } } }
  { SELECT ?part ?ro WHERE { GRAPH <%(g)s> { ?part earl:result/earl:outcome ?ro
      FILTER (?ro IN (earl:failed, earl:cantTell)) } } } }"""
MODEL_REQUIREMENTS = """SELECT ?res ?req ?ro WHERE { GRAPH <%(g)s> { %(values)s
  ?a earl:result? ?res . ?res dcterms:hasPart ?part .
  ?part earl:test ?req ; earl:result/earl:outcome ?ro .
  FILTER (?ro IN (earl:failed, earl:cantTell)) } }"""
PROGRESS = """SELECT ?a ?level ?value ?outcome WHERE { GRAPH <%(g)s> { %(values)s
  ?a og:definitionId ?def ; earl:result/og:progress ?m . ?m rdfs:label ?level ; dqv:value ?value
  FILTER (isLiteral(?level))
  OPTIONAL { ?m earl:outcome ?o } }
  BIND (STRAFTER(STR(?o), "#") AS ?outcome)
  %(filter)s }"""
# %(model)s: VALUES binding the one model asked for, or nothing: reading every model's
# records to keep one's took ~18 ms CPU of a model page.
RECORDS = """SELECT ?model ?source ?id WHERE { %(model)s
  ?model a og:Model ; og:hasRecord ?r . ?r og:source/skos:notation ?source ; og:sourceId ?id }"""


def _q(definition: str | None, model: str | None = None) -> str:
    """One query for the verdicts, their reasons, their progress and the models' records,
    each part a subquery of its own told apart by ``?part`` (one round trip to the store
    instead of four, ~3 ms CPU of a model page). For one definition's verdicts or one
    model's (its assessments' IRIs bound inside the assessments graph's pattern: as a
    FILTER after it, pyoxigraph read every verdict, ~8 ms CPU of a model page for three
    queries, now ~1.3 ms)."""
    filt = f'FILTER (?def = "{definition}")' if definition else ""
    values = ""
    if model:
        iris = " ".join(f"<{assessment_iri(d, model)}>" for d in definitions())
        values = f"VALUES ?a {{ {iris} }}"
    bound = {"g": Graphs.ASSESSMENTS, "filter": filt, "values": values}
    parts = {
        "verdict": VERDICTS % bound,
        "reason": REASONS % bound,
        "requirement": (MODEL_REQUIREMENTS if model else REQUIREMENTS) % bound,
        "progress": PROGRESS % bound,
        "record": RECORDS % {"model": f"VALUES ?model {{ <{model}> }}" if model else ""},
    }
    return (
        "SELECT * WHERE {\n"
        + "\nUNION\n".join(
            f'{{ {{ {text} }} BIND ("{part}" AS ?part) }}' for part, text in parts.items()
        )
        + "\n}"
    )


def verdict_rows(
    store: GraphStore, definition: str | None = None, model: str | None = None
) -> list[dict[str, Any]]:
    """One object per (model, definition), in the shape of `openness report --format json`;
    only one definition's or one model's (an IRI) when given."""
    if definition is not None and any(c in definition for c in '"\\\n'):
        raise ValueError(f"not a definition id: {definition!r}")
    if model is not None and any(c in model for c in '<>"{}|\\^` \n'):
        raise ValueError(f"not a model IRI: {model!r}")
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in store.query(_q(definition, model)).rows():
        rows[row.pop("part").value].append(row)
    reasons: dict[str, list[str]] = defaultdict(list)
    for row in rows["reason"]:
        reasons[row["a"].value].append(row["info"].value)
    ids = {iri: r.id for d in definitions().values() for iri, r in d.requirements.items()}
    outcomes: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows["requirement"]:
        rid = ids.get(row["req"].value)
        if rid:
            outcomes[row["res"].value][rid] = row["ro"].value.rpartition("#")[2]
    progress: dict[str, dict[str, float]] = defaultdict(dict)
    tiers: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows["progress"]:
        progress[row["a"].value][row["level"].value] = float(row["value"].value)
        if "outcome" in row:
            tiers[row["a"].value][row["level"].value] = row["outcome"].value
    records: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows["record"]:
        records[row["model"].value].append(
            {"source": row["source"].value, "id": term_value(row["id"])}
        )
    # Levels lowest first, as each definition lists them.
    rank = {d.level_labels[lv]: i for d in definitions().values() for i, lv in enumerate(d.levels)}
    out = []
    for row in rows["verdict"]:
        a, model = row["a"].value, row["model"].value
        why = sorted(reasons.get(a, []))
        out.append(
            {
                "model": model,
                "name": row["name"].value if "name" in row else None,
                "definition": row["def"].value,
                "outcome": row["outcome"].value,
                "level": row["level"].value if "level" in row else None,
                "score": float(row["score"].value) if "score" in row else None,
                "rank": int(row["rank"].value) if "rank" in row else None,
                "inScope": row["inScope"].value != "false" if "inScope" in row else True,
                "progress": _ordered(progress.get(a), rank),
                "levelOutcomes": _ordered(tiers.get(a), rank),
                "reasons": why,
                "reasonOutcomes": reason_outcomes(
                    why, outcomes.get(row["res"].value) or outcomes[a], row["outcome"].value
                ),
                "records": sorted(records.get(model, []), key=lambda r: (r["source"], r["id"])),
            }
        )
    return sorted(out, key=lambda r: ((r["name"] or "").lower(), r["model"], r["definition"]))


def _ordered(by_level: dict[str, Any] | None, rank: dict[str, int]) -> dict[str, Any] | None:
    """A mapping by level label in the levels' order, lowest first; None when empty."""
    if not by_level:
        return None
    return dict(sorted(by_level.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def published_vs_computed(store: GraphStore) -> list[dict[str, Any]]:
    """Each published verdict beside the computed verdicts of the models it is about
    (queries/published-vs-computed.rq, the rows the model pages read too): ``agreement``
    is agrees, differs or cantTell, absent where no computed verdict stands beside it."""
    return [row_values(row) for row in run_named(store, "published-vs-computed")]


def open_washing(store: GraphStore) -> list[dict[str, Any]]:
    """Models presented as open that the claim-judging definition fails on evidence
    (queries/open-washing.rq)."""
    rows = run_named(store, "open-washing")
    return [
        {
            "model": r["model"].value,
            "name": term_value(r["name"]) if "name" in r else None,
            "definition": r["definition"].value,
            "outcome": r["outcome"].value,
            "claims": r["claims"].value.split(" | "),
            "reasons": r["reasons"].value.split(" | ") if r["reasons"].value else [],
        }
        for r in rows
    ]


def changes_to_pass(store: GraphStore, model: str) -> list[dict[str, Any]]:
    """For each definition ``model`` (an IRI) does not pass, the smallest set of changes
    that would make it pass, in the requirements' own words (queries/changes-to-pass.rq)."""
    out: dict[str, dict[str, Any]] = {}
    for row in run_named(store, "changes-to-pass", model=model):
        r = row_values(row)
        now = r["now"].split(" | ") if r.get("now") else []
        d = out.setdefault(
            r["definition"],
            {
                "definition": r["definition"],
                "label": r.get("definitionLabel", r["definition"]),
                "outcome": r["verdict"],
                "inScope": r["inScope"] == "true",
                "needsRecordIn": r.get("source"),
                "reasons": [],
                "changes": [],
            },
        )
        if "requirement" not in r:  # out of scope: the definition's one source is silent
            d["reasons"] = now
            continue
        d["changes"].append(
            {
                "requirement": r["requirement"],
                "id": r["requirementId"],
                "label": r["requirementLabel"],
                "outcome": r["outcome"],
                "change": r["change"],
                "alternative": r.get("alternative"),
                "now": now,
            }
        )
    return list(out.values())


def stored_assertions(store: GraphStore, iris: Sequence[str]) -> list[ox.Triple]:
    """The stored EARL assertions named, with their results, progress and requirement
    assessments (their results', or their own when stored before 2026-12-04)."""
    # Each link written out: a path an assertion may or may not start (earl:result?) was
    # not bound by the VALUES (5 ms became 3.5-5.7 s, bundled graph).
    if not iris:
        return []
    values = " ".join(f"<{i}>" for i in iris)
    rows = store.query(
        f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{Graphs.ASSESSMENTS}> {{
          VALUES ?a {{ {values} }}
          {{ ?a ?p ?o BIND (?a AS ?s) }} UNION {{ ?a earl:result ?s . ?s ?p ?o }}
          UNION {{ ?a earl:result/og:progress ?s . ?s ?p ?o }}
          UNION {{ ?a earl:result/dcterms:hasPart ?s . ?s ?p ?o }}
          UNION {{ ?a earl:result/dcterms:hasPart/earl:result ?s . ?s ?p ?o }}
          UNION {{ ?a dcterms:hasPart ?s . ?s ?p ?o }}
          UNION {{ ?a dcterms:hasPart/earl:result ?s . ?s ?p ?o }} }} }}"""
    ).rows()
    return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]


def as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps([{k: r[k] for k in VERDICT_KEYS} for r in rows], indent=2, ensure_ascii=False)


def as_csv(rows: list[dict[str, Any]]) -> str:
    """One line a verdict; its reasons, their requirements' outcomes and its records, one a
    line within their cell (a reason may hold "; " or ", ", no reason a line break)."""
    levels = sorted({k for r in rows for k in (r["progress"] or {})})
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        [
            "model",
            "name",
            "definition",
            "outcome",
            "level",
            "score",
            "rank",
            *(f"progress {k}" for k in levels),
            "reasons",
            "reasonOutcomes",
            "records",
        ]
    )
    for r in rows:
        p = r["progress"] or {}
        writer.writerow(
            [
                r["model"],
                r["name"],
                r["definition"],
                r["outcome"],
                r["level"] or "",
                "" if r["score"] is None else r["score"],
                r["rank"] or "",
                *(p.get(k, "") for k in levels),
                "\n".join(r["reasons"]),
                "\n".join(r["reasonOutcomes"]),
                "\n".join(f"{x['source']}:{x['id']}" for x in r["records"]),
            ]
        )
    return buf.getvalue()


SYMBOL = {
    "passed": "✅ passed",
    "failed": "❌ failed",
    "cantTell": "❔ can't tell",
    "inapplicable": "➖ rated",
}


def by_outcome(verdict: dict[str, Any]) -> list[tuple[str, str]]:
    """A verdict's reasons (its JSON's) beside their requirements' outcomes, those failed
    first, then those that cannot be told, each in the verdict's order: what made a verdict
    fail is read before what could not be told besides."""
    first = {"failed": 0, "cantTell": 1}
    pairs = zip(verdict["reasonOutcomes"], verdict["reasons"], strict=True)
    return sorted(pairs, key=lambda pair: first.get(pair[0], 2))


def score_text(score: float | str) -> str:
    """A score as every report and page writes it: three decimals tell apart every mean of
    12 ratings of 1, 0.5 or 0 (steps of 1/24), none of them halfway between two (with two,
    0.375 and 0.625 were rounded one up, one down)."""
    return f"{float(score):.3f}"


def _cell(r: dict[str, Any]) -> str:
    """An outcome with its level or score, where the definition grades."""
    grade = r["level"] or ("" if r["score"] is None else score_text(r["score"]))
    return SYMBOL.get(r["outcome"], "") + (f" ({grade})" if grade else "")


# How a published verdict stands beside the computed one (published-vs-computed's
# agreement): a cannot-tell contradicts neither, so only "differs" is a disagreement.
AGREEMENT = {
    "agrees": "yes",
    "differs": "**no**",
    "cantTell": "cannot tell",
    None: "no computed verdict",
}


def as_markdown(
    rows: list[dict[str, Any]], published: list[dict[str, Any]], flags: list[dict[str, Any]]
) -> str:
    """A readable matrix (models × definitions), then the comparisons and flags."""
    definitions = sorted({r["definition"] for r in rows})
    by_model: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    names: dict[str, str] = {}
    for r in rows:
        by_model[r["model"]][r["definition"]] = r
        names[r["model"]] = r["name"] or r["model"]
    lines = [
        "# Openness report",
        "",
        f"{len(by_model)} models × {len(definitions)} definitions.",
        "",
        "## Conformance matrix",
        "",
        "| model | " + " | ".join(definitions) + " |",
        "|---" * (len(definitions) + 1) + "|",
    ]
    for model in sorted(by_model, key=lambda m: names[m].lower()):
        cells = by_model[model]
        lines.append(
            "| "
            + names[model].replace("|", "\\|")
            + " | "
            + " | ".join(_cell(cells[d]) if d in cells else "" for d in definitions)
            + " |"
        )
    outcomes = defaultdict(lambda: defaultdict(int))
    for r in rows:
        outcomes[r["definition"]][r["outcome"]] += 1
    lines += [
        "",
        "## Totals",
        "",
        "| definition | passed | failed | can't tell | rated (no pass or fail) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {d} | {outcomes[d]['passed']} | {outcomes[d]['failed']} | {outcomes[d]['cantTell']} "
        f"| {outcomes[d]['inapplicable']} |"
        for d in definitions
    ]
    lines += [
        "",
        "## Published verdicts beside computed ones",
        "",
        "| subject | definition | published (by, against) | model | computed | agrees |",
        "|---|---|---|---|---|---|",
    ]
    for p in published:
        agrees = AGREEMENT[p.get("agreement")]
        lines.append(
            f"| {p.get('subjectName', p['subject'])} | {p['def']} | {p['published']} "
            f"({p['publisher']}, {p['againstVersion']}) | {p.get('modelName', '')} | "
            f"{p.get('computed', '')} | {agrees} |"
        )
    disagree = [p for p in published if p.get("agreement") == "differs"]
    lines += ["", f"{len(disagree)} disagreement(s) between published and computed verdicts."]
    lines += [
        "",
        "## Open-washing",
        "",
        "Models presented as open that fail, on evidence, the definition claims are judged by:",
        "",
        "| model | definition | verdict | claims |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {f['name']} | {f['definition']} | {f['outcome']} | {'; '.join(f['claims'])} |"
        for f in flags
    ]
    return "\n".join(lines) + "\n"
