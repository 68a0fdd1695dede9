"""Web pages: the conformance matrix, model and definition pages, validation, the editor."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from openness.assess.definitions import Definition, definitions, split_reason
from openness.assess.report import (
    as_csv,
    by_outcome,
    changes_to_pass,
    verdict_rows,
)
from openness.assess.service import did_you_mean
from openness.assess.validate import UnreadableInput
from openness.ingest.mof import write_record
from openness.named_queries import NamedQuery, catalogue
from openness.namespaces import ID, PREFIXES
from openness.server import api, badges, history, linked_data
from openness.server.context import get_store, minted_base
from openness.server.evidence import evidence, inherited, named_query, passed_findings, uses
from openness.server.fanout import at_once
from openness.server.lookup import (
    gone,
    is_model,
    organizations,
    successor,
    withdrawn,
    withdrawn_named,
)
from openness.server.negotiation import RESOURCE_TYPES, preferred
from openness.server.search import answers, kept, name_index
from openness.store import row_values, term_value
from openness.store.dump import latest_run

bp = Blueprint("pages", __name__)


def _matching(text: str) -> str:
    """``text`` as the matrix's filters compare names: lower case, each run of anything but
    letters and digits one space, so "llama 2" finds Llama-2-7B and "allenai/olmo-7b" the
    Hub id allenai/OLMo-7B (matrix.js's ``normal`` does the same in the browser)."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def _matrix_rows(search: str = "") -> tuple[list[str], list[dict], list[dict]]:
    """The definitions, one row per model that the filters in the URL keep (and
    ``search``, the table's search box, when given), and the verdicts of those models."""
    args = request.args
    orgs = organizations()
    hub = name_index().hub_repos
    by_model: dict[str, dict] = {}
    verdicts = verdict_rows(get_store())
    for r in verdicts:
        m = by_model.setdefault(
            r["model"],
            {
                "model": r["model"],
                "id": r["model"].removeprefix(ID + "model/"),
                "name": r["name"],
                "hub": hub.get(r["model"], []),
                "verdicts": {},
                "levels": {},
                "scores": {},
                **orgs.get(r["model"], {}),
            },
        )
        m["verdicts"][r["definition"]] = r["outcome"]
        # The level reached on each graded definition, the score on each scored one.
        m["levels"][r["definition"]] = r["level"]
        m["scores"][r["definition"]] = r["score"]
    rows = list(by_model.values())
    if args.get("outcome"):  # on the definition chosen, else on any
        chosen = [args["definition"]] if args.get("definition") else list(definitions())
        rows = [m for m in rows if args["outcome"] in {m["verdicts"].get(d) for d in chosen}]
    if args.get("kind"):
        rows = [m for m in rows if m.get("organizationKind") == args["kind"]]
    for needle in (_matching(args.get("q", "")), _matching(search)):
        if needle:  # in the model's name or one of its Hub ids
            rows = [
                m for m in rows if any(needle in _matching(n) for n in (m["name"] or "", *m["hub"]))
            ]
    kept = {m["model"] for m in rows}
    return (
        list(definitions()),
        sorted(rows, key=lambda m: (m["name"] or "").lower()),
        [v for v in verdicts if v["model"] in kept],
    )


def _by_requirement(rows: list[dict]) -> Definition | None:
    """With ``by=requirements``, the definition whose requirements are the columns (the one
    chosen, else the first), each row given its model's outcome on each of them."""
    if request.args.get("by") != "requirements":
        return None
    chosen = definitions().get(request.args.get("definition", ""))
    d = chosen or next(iter(definitions().values()))
    outcomes: dict[str, dict[str, str]] = defaultdict(dict)
    for r in named_query("requirement-matrix", definition=d.id):
        outcomes[r["model"].value][r["requirementId"].value] = r["outcome"].value
    for m in rows:
        m["requirements"] = outcomes.get(m["model"], {})
    return d


def _requirements_csv(d: Definition, rows: list[dict]) -> str:
    """The matrix by requirement as its table shows it: a line a model, its outcome and
    level on the definition, then a column a requirement (its id) with its outcome."""
    reqs = [r.id for r in d.requirements.values()]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["model", "name", "definition", "outcome", "level", *reqs])
    for m in rows:
        writer.writerow(
            [
                m["model"],
                m["name"],
                d.id,
                m["verdicts"].get(d.id, ""),
                m["levels"].get(d.id) or "",
                *(m["requirements"].get(r, "") for r in reqs),
            ]
        )
    return buf.getvalue()


@bp.get("/matrix")
def matrix() -> Response:
    defs, rows, _ = _matrix_rows()
    by = _by_requirement(rows)
    keep = {k: v for k, v in request.args.items() if k in ("q", "kind")}
    return Response(
        render_template(
            "matrix.html",
            definitions=defs,
            graded=[d for d in definitions().values() if d.levels],
            scored=[d for d in definitions().values() if d.score_query],
            by=by,
            # the links that switch the columns, keeping the name and producer filters
            columns={d: url_for(".matrix", **keep, by="requirements", definition=d) for d in defs},
            per_definition=url_for(".matrix", **keep),
            rows=rows,
            args=request.args,
            csv_url=url_for(".matrix_csv", **request.args.to_dict()),
        )
    )


@bp.get("/matrix.csv")
def matrix_csv() -> Response:
    """What the matrix shows with the same filters, and the same search of its table
    (``search``: matrix.js puts what is typed in the box on the export link): the
    verdicts of its models, or by requirement the columns its table has."""
    _, rows, verdicts = _matrix_rows(request.args.get("search", ""))
    by = _by_requirement(rows)
    return Response(
        as_csv(verdicts) if by is None else _requirements_csv(by, rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=conformance.csv"},
    )


@bp.get("/definitions")
def definitions_index(missing: str | None = None) -> Response:
    """Every definition, with what it is and how many models pass it (404 with the list
    when a definition that does not exist was asked for)."""
    # The verdict-counts query's, as the home page's chart; 0 for a definition not assessed.
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in named_query("verdict-counts"):
        counts[r["definition"].value].update(
            (k, int(v.value)) for k, v in r.items() if k != "definition"
        )
    compared, pairs, top = _disagreements()
    return Response(
        render_template(
            "definitions.html",
            definitions=definitions().values(),
            counts=counts,
            compared=compared,
            pairs=pairs,
            top=top,
            missing=missing,
        ),
        status=404 if missing else 200,
    )


def _disagreements() -> tuple[list[Definition], dict[tuple[str, str], dict], int]:
    """The definitions-disagree query's rows laid out as a table: the definitions that pass
    models (a definition that only rates, the Index, passes none by design: the query
    counts its models apart, as verdict-counts does), each pair's row with the
    requirements it parts on (their labels, their counts) and the largest count of models
    passing one and failing the other, against which the table's shades are drawn."""
    known = definitions()
    pairs: dict[tuple[str, str], dict] = {}
    for row in named_query("definitions-disagree"):
        r = row_values(row)
        other = known.get(r["other"])
        labels = {q.id: q.label for q in other.requirements.values()} if other else {}
        # Each part of partsOn is "requirement-id (n)": the id and how many failed it.
        parts = [p.removesuffix(")").rpartition(" (") for p in r.get("partsOn", "").split(" | ")]
        r["parts"] = [{"id": q, "label": labels.get(q, q), "models": n} for q, _, n in parts if q]
        pairs[r["definition"], r["other"]] = r
    compared = [d for d in known.values() if d.passes_models]
    top = max((int(r["passedFailed"]) for r in pairs.values()), default=0)
    return compared, pairs, top


@bp.get("/models/<path:model_id>")
def model(model_id: str) -> Response:
    """A model's page; any name that names one model (a Hub repository id, a source's name
    for it, a misspelling) is sent there (303), anything else gets the closest names."""
    iri = f"{ID}model/{model_id}"
    if not is_model(iri):
        tombstone = withdrawn(iri)
        if tombstone:  # said gone, not sent to a model of a name like it
            return gone(iri, tombstone, "text/html")
        moved = successor(iri)
        named = None if moved else withdrawn_named(model_id)
        if named:
            return gone(named, withdrawn(named), "text/html")
        found = moved or name_index().resolve(model_id)
        if found is not None:
            return redirect(url_for(".model", model_id=found.removeprefix(ID + "model/")), 303)
        return _no_model(model_id)
    return Response(_model_page(iri, model_id))


def _no_model(model_id: str, status: int | None = None, named: str | None = None) -> Response:
    """The models called most like ``model_id``, which no model is: 404, or 300 where it is
    a name several models have (theirs to choose among, not a name no model has);
    ``named``: the IRI, where the graph names it without describing it."""
    shared = len(name_index().exact(model_id))
    return Response(
        render_template(
            "search.html",
            query=model_id,
            matches=answers(model_id),
            missing=not shared,
            shared=shared,
            named=named,
        ),
        status=status or (300 if shared else 404),
    )


@bp.get("/id/model/<path:model_id>")
def model_resource(model_id: str) -> Response:
    """The model's own IRI: in a browser its page (verdicts first), for programs its RDF.
    An IRI no model has (one the graph only names, or none) gets in a browser what
    /models/ answers a name no model has, 404 and the models called most like it, but no
    redirect to one of them: an IRI is not a name (its RDF answers the triples naming it,
    or 404 in text naming those models)."""
    iri = f"{ID}model/{model_id}"
    if preferred(RESOURCE_TYPES) == "text/html" and is_model(iri):
        return Response(_model_page(iri, model_id))
    return linked_data.dereference(
        "model/" + model_id,
        lambda found: _no_model(model_id, 404, found.iri if found.triples else None),
        lambda: did_you_mean(name_index(), model_id),
    )


def _model_name(iri: str, default: str) -> str:
    rows = (
        get_store()
        .query(f"SELECT ?name WHERE {{ <{iri}> schema:name ?name FILTER (isLiteral(?name)) }}")
        .rows()
    )
    return rows[0]["name"].value if rows else default


def _why_not(verdicts: list[dict]) -> dict[str, dict[str, dict[str, Any]]]:
    """For each verdict with reasons, its reasons grouped by requirement label, each group
    with its requirement's outcome, those failed first: why it did not pass (a failed
    verdict's reasons also name what cannot be told), or on a graded definition why the
    next level is not reached."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for v in verdicts:
        if not v["reasons"]:
            continue
        groups = out.setdefault(v["definition"], {})
        for outcome, reason in by_outcome(v):
            label, why = split_reason(reason)
            group = groups.setdefault(label or "", {"outcome": outcome, "reasons": []})
            group["reasons"].append(why)
    return out


def _next_level(verdict: dict) -> str | None:
    """The lowest level of a graded verdict that is not reached, if any."""
    levels = verdict["levelOutcomes"] or {}
    return next((level for level, o in levels.items() if o != "passed"), None)


def _model_page(iri: str, model_id: str) -> str:
    store = get_store()

    def cards() -> list[dict]:
        found = evidence(iri)
        uses(iri, found)
        return found

    def producer() -> tuple[dict, list]:
        org = organizations(iri).get(iri, {})
        return org, history.transparency(org.get("organization"))

    # The parts do not depend on each other: they run at once, slowest first (see fanout).
    parts = at_once(
        {
            "evidence": cards,
            "verdicts": lambda: verdict_rows(store, model=iri),
            "to_pass": lambda: changes_to_pass(store, iri),
            "inherited": lambda: inherited(iri),
            "passed": lambda: passed_findings(iri),
            # The published verdicts about this model only (the query bound to it): reading
            # every published verdict and keeping this model's took ~0.2 s CPU of the page.
            "published": lambda: [
                row_values(row) for row in named_query("published-vs-computed", model=iri)
            ],
            "disagree": lambda: [
                row_values(row) for row in named_query("sources-disagree", model=iri)
            ],
            "producer": producer,
            "timeline": lambda: history.timeline(iri),
            "lineage": lambda: [row_values(row) for row in named_query("model-lineage", model=iri)],
            "name": lambda: _model_name(iri, model_id),
            # the data's version to cite the page by (the catalogue's dcterms:modified)
            "modified": lambda: latest_run(store),
        }
    )
    verdicts, found = parts["verdicts"], parts["evidence"]
    licences = {
        (s["license"], s.get("licenseLabel") or s["license"]): None
        for card in found
        for s in card["statements"]["release-licence"]
        if s.get("license")
    }
    org, fmti = parts["producer"]
    return render_template(
        "model.html",
        iri=iri,
        model_id=model_id,
        name=parts["name"],
        verdicts=verdicts,
        why_not=_why_not(verdicts),
        passed=parts["passed"],
        to_pass=parts["to_pass"],
        badges=badges.snippets(model_id, verdicts),
        next_level={v["definition"]: _next_level(v) for v in verdicts},
        evidence=found,
        inherited=parts["inherited"],
        licences=list(licences),
        lineage=parts["lineage"],
        published=parts["published"],
        disagree=parts["disagree"],
        org=org,
        # read here with the rest rather than by the history templates as they render
        model_timeline=parts["timeline"],
        producer_fmti=fmti,
        modified=parts["modified"],
    )


@bp.get("/definitions/<definition_id>")
def definition(definition_id: str) -> Response:
    d = definitions().get(definition_id)
    if d is None:
        return definitions_index(missing=definition_id)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in named_query("most-failed-requirements", definition=d.id):
        for outcome in ("passed", "failed", "cantTell"):
            counts[r["requirement"].value][outcome] = int(r[outcome].value)
    requirements = sorted(
        d.requirements.values(),
        key=lambda r: -(counts[r.iri]["failed"] + counts[r.iri]["cantTell"]),
    )
    shapes = {req: shape for shape, req in d.shapes.items()}
    # The text the definition encodes, where a reader checks the shapes against it.
    text = next(
        (r["source"].value for r in named_query("definitions") if r["id"].value == d.id), None
    )
    return Response(
        render_template(
            "definition.html",
            d=d,
            requirements=requirements,
            counts=counts,
            shapes=shapes,
            text=text,
        )
    )


# The formats the validate page reads, by the file suffix validate_description expects.
FORMATS = {".yml": "MOF YAML", ".ttl": "Turtle", ".jsonld": "JSON-LD"}
_JSON_START = re.compile(r"\s*(\{|\[\s*\{)")
_TURTLE_START = re.compile(r"^\s*(@prefix|@base|PREFIX\s|BASE\s|<[^>\s]*>|_:|\[)", re.I | re.M)


def detect_format(text: str) -> str:
    """The suffix of the format a pasted description is in: Turtle by its directives or a
    leading IRI, JSON-LD by a leading brace, a MOF YAML file by parsing as a YAML mapping.

    >>> detect_format("release:\\n  name: x")
    '.yml'
    >>> detect_format("@prefix og: <https://w3id.org/openness-graph/ns#> .")
    '.ttl'
    >>> detect_format('{"@context": {}}')
    '.jsonld'
    """
    if _JSON_START.match(text):
        return ".jsonld"
    if _TURTLE_START.search(text):
        return ".ttl"
    try:
        return ".yml" if isinstance(yaml.safe_load(text), dict) else ".ttl"
    except yaml.YAMLError:
        return ".ttl"


# The release fields of the guided form, by the names the tool's model files give them.
RELEASE_FIELDS = {
    "name": "Name",
    "version": "Version",
    "producer": "Producer",
    "license": "Licence of the whole release",
    "repository": "Code repository",
    "huggingface": "Hugging Face page",
}


def _guided(form: Mapping[str, str]) -> tuple[dict[str, str], list[dict[str, str]], str]:
    """The guided form as filled in: the release fields, one row per component (the
    mof-components query) with whether it is released, its licence and where it is, and
    the Model Openness Tool model file they make (components not answered are left out)."""
    release = {k: form.get(k, "").strip() for k in RELEASE_FIELDS}
    rows = []
    for r in named_query("mof-components"):
        row = row_values(r)
        key = row["mofId"]
        row["released"] = form.get(f"released-{key}", "")
        row["license"] = form.get(f"license-{key}", "").strip()
        row["component_path"] = form.get(f"path-{key}", "").strip()
        rows.append(row)
    listed = [
        {**row, "released": row["released"] == "yes"}
        for row in rows
        if row["released"] in ("yes", "no")
    ]
    return release, rows, write_record(release, listed)


def _licence_ids() -> list[dict[str, str]]:
    """The licences models in the graph use, most used first, to suggest in the form."""

    def build() -> list[dict[str, str]]:
        return [row_values(r) for r in named_query("licence-usage")]

    return kept("openness.licences", build)


def _record_answers(model_id: str) -> dict[str, str]:
    """The guided form as a model's records answer it (the model-evidence query), to try
    changes on: its name, producer and licence, and for each component the first source
    that lists it says whether it is released, under what licence (as written) and where."""
    iri = f"{ID}model/{model_id}"
    if not model_id or not is_model(iri):
        return {}
    keys = {term_value(r["name"]): r["mofId"].value for r in named_query("mof-components")}
    answers = {
        "name": _model_name(iri, model_id),
        "producer": organizations(iri).get(iri, {}).get("organizationName") or "",
    }
    for card in evidence(iri):
        for s in card["statements"]["release-licence"]:
            answers.setdefault("license", s.get("licenseString") or "")
        for c in card["statements"]["component"]:
            key = keys.get(c["aspect"])
            if key is None or f"released-{key}" in answers:
                continue
            answers[f"released-{key}"] = {"true": "yes", "false": "no"}.get(c.get("released"), "")
            if c.get("released") == "true":
                answers[f"license-{key}"] = c.get("licenseString") or ""
            answers[f"path-{key}"] = c.get("location") or ""
    return answers


@bp.route("/validate", methods=["GET", "POST"])
def validate() -> Response:
    """Judge a description: pasted or uploaded (the text stays in the box after a submit),
    or made with the guided form, one row per component, whose MOF YAML is shown too."""
    verdicts, error, chosen, read_as, data = None, None, "", None, None
    warnings: list[str] = []
    text = ""
    start = _record_answers(request.args.get("from", "")) if request.method == "GET" else {}
    guided = request.form.get("form") == "guided" or bool(start)
    release, rows, mof_yaml = _guided(request.form if request.method == "POST" else start)
    if guided:
        data, name = mof_yaml.encode(), "guided.yml"
        read_as = FORMATS[".yml"]
    elif request.method == "POST":
        upload = request.files.get("file")
        chosen = request.form.get("format", "")
        if upload is not None and upload.filename:
            data, name = upload.read(), upload.filename
        else:
            text = request.form.get("description", "")
            suffix = chosen if chosen in FORMATS else detect_format(text)
            data, name = text.encode(), "description" + suffix
            read_as = FORMATS[suffix]
    if data is not None:
        try:
            judged = get_store().call(
                api.judge, data, name, None, current_app.config["SHACL_MAX_DATA_TRIPLES"]
            )
            verdicts, warnings = judged["verdicts"], judged["warnings"]
        except UnreadableInput as e:
            error = str(e)
    return Response(
        render_template(
            "validate.html",
            verdicts=verdicts,
            warnings=warnings,
            error=error,
            text=text,
            chosen=chosen,
            read_as=read_as,
            formats=FORMATS,
            guided=guided,
            release=release,
            release_fields=RELEASE_FIELDS,
            rows=rows,
            mof_yaml=mof_yaml if guided else None,
            licences=_licence_ids(),
            started_from=start.get("name"),
        ),
        status=400 if error else 200,
    )


DEFAULT_QUERY = """SELECT ?model ?name WHERE {
  ?model a og:Model ; schema:name ?name .
}
LIMIT 10"""


# The editor's script and style: the npm package @zazuko/yasgui, which `make` installs with
# `npm ci` and copies into the static folder (see the Makefile); git does not hold them.
YASGUI = ("vendor/yasgui/yasgui.min.js", "vendor/yasgui/yasgui.min.css")


def _yasgui_installed() -> bool:
    """Whether YASGUI's files are in the static folder. Looked at on each request, so that
    a server started before `make` installed them serves them once they are there."""
    static = Path(current_app.static_folder or "")
    return all((static / name).is_file() for name in YASGUI)


@bp.get("/editor")
def editor() -> Response:
    """YASGUI against /sparql, with the named queries as examples and completion of the
    prefixes, classes, properties and named graphs this graph holds."""
    config = {
        "endpoint": url_for("sparql.sparql", _external=True),
        "defaultQuery": DEFAULT_QUERY,
        "prefixes": PREFIXES,
        "base": minted_base(),
        "root": url_for("home.index"),  # where the IRIs under base are served here
        # The graph view links an IRI as it is only in these schemes (as the pages do), any
        # other (a javascript: one the data holds) to the page here that answers it.
        "followed": sorted(linked_data.FOLLOWED),
        "resource": url_for("linked_data.outside"),
        "queries": {q.name: _example(q) for q in catalogue().values()},
        **_vocabulary(),
    }
    return Response(
        render_template(
            "editor.html",
            queries=catalogue().values(),
            config=config,
            yasgui=YASGUI if _yasgui_installed() else None,
        )
    )


def _example(query: NamedQuery) -> str:
    """A named query as the editor's example: the defaults of its parameters written in, as
    /queries/<name> runs it (left unbound, some read every model's evidence and run past
    the time limit), and named in a comment so that they can be changed."""
    try:
        text = query.sparql({})
    except (KeyError, ValueError):  # a required parameter without a default
        return query.text
    given = [f"#   {p.name} = {p.default}" for p in query.parameters if p.default]
    if not given:
        return text
    where = url_for("queries.run", name=query.name)
    head = f"# {where} with its parameters' defaults, written in below:\n"
    return head + "\n".join(given) + "\n" + text


def _vocabulary() -> dict[str, list[str]]:
    """The classes and properties the graph uses and its named graphs, for completion."""

    def build() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {"classes": [], "properties": []}
        for r in named_query("vocabulary-in-use"):
            found["classes" if r["kind"].value == "class" else "properties"].append(r["term"].value)
        found["graphs"] = sorted(get_store().graph_sizes())
        return found

    return kept("openness.vocabulary", build)
