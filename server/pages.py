"""Web pages: the conformance matrix, model and definition pages, validation, the editor."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request, url_for

from openness.assess.definitions import definitions
from openness.assess.report import as_csv, published_vs_computed, verdict_rows
from openness.assess.validate import UnreadableInput, validate_description
from openness.named_queries import catalogue
from openness.namespaces import ID, PREFIXES
from openness.resources import queries_dir
from openness.server.context import get_store
from openness.server.lookup import is_iri, organizations
from openness.server.search import answers, name_index

bp = Blueprint("pages", __name__)


def _matrix_rows() -> tuple[list[str], list[dict]]:
    args = request.args
    orgs = organizations()
    by_model: dict[str, dict] = {}
    for r in verdict_rows(get_store()):
        m = by_model.setdefault(
            r["model"],
            {
                "model": r["model"],
                "id": r["model"].rsplit("/", 1)[1],
                "name": r["name"],
                "verdicts": {},
                "level": None,
                "score": None,
                **orgs.get(r["model"], {}),
            },
        )
        m["verdicts"][r["definition"]] = r["outcome"]
        if r["definition"] == "mof-1.0":
            m["level"] = r["level"]
        if r["definition"] == "eu-osai-index":
            m["score"] = r["score"]
    rows = list(by_model.values())
    if args.get("definition") and args.get("outcome"):
        rows = [m for m in rows if m["verdicts"].get(args["definition"]) == args["outcome"]]
    if args.get("kind"):
        rows = [m for m in rows if m.get("organizationKind") == args["kind"]]
    if args.get("q"):
        rows = [m for m in rows if args["q"].lower() in (m["name"] or "").lower()]
    return list(definitions()), sorted(rows, key=lambda m: (m["name"] or "").lower())


@bp.get("/matrix")
def matrix() -> Response:
    defs, rows = _matrix_rows()
    return Response(render_template("matrix.html", definitions=defs, rows=rows, args=request.args))


@bp.get("/matrix.csv")
def matrix_csv() -> Response:
    return Response(
        as_csv(verdict_rows(get_store())),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=conformance.csv"},
    )


@bp.get("/models/<path:model_id>")
def model(model_id: str) -> Response:
    """A model's page; any name that names one model (a Hub repository id, a source's name
    for it, a misspelling) is sent there (303), anything else gets the closest names."""
    iri = f"{ID}model/{model_id}"
    store = get_store()
    if not is_iri(iri) or not store.query(f"ASK {{ <{iri}> a og:Model }}"):
        found = name_index().resolve(model_id)
        if found is not None:
            return redirect(url_for(".model", model_id=found.removeprefix(ID + "model/")), 303)
        return Response(
            render_template("search.html", query=model_id, matches=answers(model_id), missing=True),
            status=404,
        )
    components = defaultdict(list)
    for r in store.query(
        f"""SELECT ?source ?id ?type ?released ?licence ?location WHERE {{
              <{iri}> og:hasRecord ?rec . ?rec og:source/skos:notation ?source ; og:sourceId ?id ;
                      og:component ?c . ?c og:componentType/rdfs:label ?type .
              OPTIONAL {{ ?c og:released ?released }}
              OPTIONAL {{ ?c og:licenseStatement ?s . ?s og:licenseString ?licence }}
              OPTIONAL {{ ?c og:location ?location }} }} ORDER BY ?source ?type"""
    ).rows():
        components[(r["source"].value, r["id"].value)].append(
            {k: v.value for k, v in r.items() if k not in ("source", "id")}
        )
    lineage = store.query(
        f"""SELECT ?relation ?other ?name WHERE {{
              {{ <{iri}> fair4ml:fineTunedFrom ?other . BIND ("fine-tuned from" AS ?relation) }}
              UNION {{ ?other fair4ml:fineTunedFrom <{iri}> . BIND ("base of" AS ?relation) }}
              ?other schema:name ?name }}"""
    ).rows()
    published = [p for p in published_vs_computed(store) if p.get("model") == iri]
    disagree = [
        row
        for row in store.query(
            (queries_dir() / "sources-disagree.rq").read_text(encoding="utf-8"),
            substitutions={"model": ox.NamedNode(iri)},
        ).rows()
    ]
    details = {}
    for r in store.query(
        f"""SELECT ?def ?req ?label ?outcome ?info WHERE {{
              GRAPH <https://w3id.org/openness-graph/graph/assessments> {{
                ?a og:definitionId ?def ; earl:subject <{iri}> ; dcterms:hasPart ?part .
                ?part earl:test ?req ; earl:result ?res . ?res earl:outcome ?o .
                OPTIONAL {{ ?res earl:info ?info }} }}
              ?req rdfs:label ?label . BIND (STRAFTER(STR(?o), "#") AS ?outcome)
              FILTER (?outcome != "passed") }} ORDER BY ?def ?label"""
    ).rows():
        d = details.setdefault(r["def"].value, {}).setdefault(
            r["label"].value, {"outcome": r["outcome"].value, "reasons": []}
        )
        if "info" in r:
            d["reasons"].append(r["info"].value)
    return Response(
        render_template(
            "model.html",
            iri=iri,
            model_id=model_id,
            verdicts=verdict_rows(store, model=iri),
            components=dict(components),
            lineage=lineage,
            published=published,
            details=details,
            disagree=disagree,
            org=organizations().get(iri, {}),
        )
    )


@bp.get("/definitions/<definition_id>")
def definition(definition_id: str) -> Response:
    d = definitions().get(definition_id)
    if d is None:
        return Response(
            f"no definition {definition_id!r}\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in (
        get_store()
        .query(
            f"""SELECT ?req ?o WHERE {{ GRAPH <https://w3id.org/openness-graph/graph/assessments> {{
              ?a og:definitionId "{d.id}" ; dcterms:hasPart ?part .
              ?part earl:test ?req ; earl:result/earl:outcome ?o }} }}"""
        )
        .rows()
    ):
        counts[r["req"].value][r["o"].value.rsplit("#", 1)[1]] += 1
    requirements = sorted(
        d.requirements.values(),
        key=lambda r: -(counts[r.iri]["failed"] + counts[r.iri]["cantTell"]),
    )
    shapes = {req: shape for shape, req in d.shapes.items()}
    return Response(
        render_template(
            "definition.html", d=d, requirements=requirements, counts=counts, shapes=shapes
        )
    )


@bp.route("/validate", methods=["GET", "POST"])
def validate() -> Response:
    verdicts, error = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data, name = upload.read(), upload.filename
        else:
            data = request.form.get("description", "").encode()
            name = "description" + request.form.get("format", ".ttl")
        try:
            verdicts = validate_description(data, name).verdicts
        except UnreadableInput as e:
            error = str(e)
    return Response(
        render_template("validate.html", verdicts=verdicts, error=error),
        status=400 if error else 200,
    )


@bp.get("/editor")
def editor() -> Response:
    return Response(
        render_template("editor.html", queries=catalogue().values(), prefixes=sorted(PREFIXES))
    )
