"""The model page's evidence panel: what each source says about a model, the requirements
each statement was used by, and what a fine-tune inherits from the models it was built on."""

from __future__ import annotations

from collections import defaultdict

from openness.named_queries import run_named
from openness.namespaces import ID
from openness.server.context import get_store
from openness.store import row_values


def named_query(name: str, **params: str) -> list:
    """The rows of a named query of queries/, its parameters bound from ``params``."""
    return run_named(get_store(), name, **params)


def _add_use(uses: dict[tuple[str, str], dict], r: dict[str, str]) -> None:
    """Count a finding row (definition, requirement, the model's outcome on it, and
    whether the finding supports it) as one use of a statement, once per requirement;
    a requirement any of whose findings went against it is marked so."""
    use = uses.setdefault(
        (r["definition"], r["requirementId"]),
        {
            "definition": r["definition"],
            "requirement": r["requirementId"],
            "label": r["requirementLabel"],
            "outcome": r["outcome"],
            "against": False,
        },
    )
    use["against"] = use["against"] or r.get("supports") == "false"


def evidence(iri: str) -> list[dict]:
    """What each source says about the model (the model-evidence query), one card per
    source record: its licences, access, base model, components and ratings."""
    cards: dict[str, dict] = {}
    for row in named_query("model-evidence", model=iri):
        r = row_values(row)
        card = cards.setdefault(
            r["record"],
            {
                "source": r["source"],
                "label": r.get("sourceLabel", r["source"]),
                "record": r["record"],
                "name": r.get("recordName", ""),
                "page": r.get("page"),
                "location": None,
                "statements": defaultdict(list),
            },
        )
        if r["kind"] == "location":
            card["location"] = r["location"]
        else:
            r["links"] = r["links"].split() if r.get("links") else []
            card["statements"][r["kind"]].append(r)
    return sorted(cards.values(), key=lambda c: (c["label"], c["name"]))


def uses(iri: str, cards: list[dict]) -> None:
    """Give each statement of the evidence cards the requirements that used it
    (``used_by``), from the model-evidence-use query: a finding reads a record's component,
    rating or licence, or the release as a whole (shown on the record's distribution mode,
    else its gating, else on the record). Findings on no statement the card shows (a
    component not listed, a rating read into a component) go to the card's ``other``,
    by the aspect they are about."""
    by_record = {c["record"]: c for c in cards}
    used: dict[tuple, dict[tuple[str, str], dict]] = defaultdict(dict)
    for row in named_query("model-evidence-use", model=iri):
        r = row_values(row)
        card = by_record.get(r["record"])
        if card is None:
            continue
        record = r["record"]
        targets = []
        if r.get("component"):
            targets.append(("component", record, r["component"]))
        if r.get("dimension"):
            targets.append(("rating", record, r["dimension"]))
        if r.get("quotedComponent"):
            targets.append(("component", record, r["quotedComponent"]))
        if r.get("licenseString"):
            targets.append(("release-licence", record, r["licenseString"], r.get("licenseRole")))
        if not targets and r["wholeRelease"] == "true" and card["statements"]["access"]:
            targets.append(("access", record))
        if not targets:
            targets.append(("other", record, r.get("aspectLabel") or ""))
        for target in targets:
            _add_use(used[target], r)
    for card in cards:
        record, st = card["record"], card["statements"]
        for s in st["component"]:
            s["used_by"] = list(used.get(("component", record, s["aspect"]), {}).values())
        for s in st["rating"]:
            s["used_by"] = list(used.get(("rating", record, s["aspect"]), {}).values())
        for s in st["release-licence"]:
            key = ("release-licence", record, s.get("licenseString"), s.get("aspect"))
            s["used_by"] = list(used.get(key, {}).values())
        # The gating rules read the distribution mode; a record without one states gating.
        access = sorted(st["access"], key=lambda s: s["aspect"] != "distribution")[:1]
        for s in access:
            s["used_by"] = list(used.get(("access", record), {}).values())
        card["other"] = {
            aspect: list(found.values())
            for (kind, rec, *rest), found in used.items()
            if kind == "other" and rec == record
            for aspect in rest
        }


def passed_findings(iri: str) -> dict[str, list[dict]]:
    """What each requirement the model passed read (the model-passed-findings query), by
    definition id, one entry per requirement (``label``, ``read``) in the query's order: a
    passed requirement gives no reason, its findings say what it passed on (after what
    the requirement's assessment says itself, as a stand-in met)."""
    out: dict[str, dict[str, dict]] = {}
    for row in named_query("model-passed-findings", model=iri):
        r = row_values(row)
        req = out.setdefault(r["definition"], {}).setdefault(
            r["requirementId"], {"label": r["requirementLabel"], "read": []}
        )
        for text in (r.get("said"), r.get("read")):
            # (a row a finding: its words repeat once a check of the requirement it is on)
            if text and text not in req["read"]:
                req["read"].append(text)
    return {d: list(reqs.values()) for d, reqs in out.items()}


def inherited(iri: str) -> list[dict]:
    """What a fine-tune inherits (the model-inherited-findings query), one group per model
    it was fine-tuned from: ``findings``, each base record's findings with the requirements
    that used them, and ``untold``, what the fine-tune expects of the base and no record of
    the base says, with the requirements it leaves unsure. A base model named by a record
    but found in no record of the graph makes a group with no ``base``."""
    groups: dict[str, dict] = {}
    for row in named_query("model-inherited-findings", model=iri):
        r = row_values(row)
        base = r.get("base")
        group = groups.setdefault(
            base or r.get("unidentified", ""),
            {
                "base": base,
                "id": base.removeprefix(ID + "model/") if base else None,
                "name": r.get("baseName") or r.get("unidentified", ""),
                "findings": {},
                "untold": {},
            },
        )
        if r.get("detail"):
            finding = group["findings"].setdefault(
                (r["record"], r["detail"]),
                {
                    "detail": r["detail"],
                    "source": r.get("sourceLabel", ""),
                    "record": r["record"],
                    "recordName": r.get("recordName", ""),
                    "page": r.get("page"),
                    "uses": {},
                },
            )
            _add_use(finding["uses"], r)
        else:
            _add_use(group["untold"].setdefault(r.get("aspectLabel", ""), {}), r)
    return [
        {
            **g,
            "findings": [
                {**f, "used_by": list(f["uses"].values())} for f in g["findings"].values()
            ],
            "untold": {aspect: list(u.values()) for aspect, u in g["untold"].items()},
        }
        for g in sorted(groups.values(), key=lambda g: (g["base"] is None, g["name"]))
    ]
