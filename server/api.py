"""The conformance API: verdicts as JSON (or RDF by Accept), validation of a user's own
model description, a SHACL validation service, and the OpenAPI description."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.http import parse_options_header

from openness.assess.definitions import definitions
from openness.assess.explain import explanation
from openness.assess.report import changes_to_pass, stored_assertions, verdict_rows
from openness.assess.store import assessment_iri
from openness.assess.validate import TooLarge, UnreadableInput, validate_description
from openness.namespaces import PREFIXES, RDFS
from openness.server.context import get_store
from openness.server.execute import QueryTimeout
from openness.server.lanes import ProcessLanes
from openness.server.lookup import definition_asked, is_iri, model_iri, organizations
from openness.server.negotiation import (
    ALIASES,
    API,
    API_TYPES,
    api_format,
    content_type,
    expressible,
    negotiate,
    serialize_graph,
)
from openness.server.shacl import READABLE, SUFFIXES, WRITABLE, Posted, ShaclError, Validation
from openness.server.shacl import Limits as ShaclLimits
from openness.server.shacl import validate as run_validation
from openness.server.sparql import text
from openness.store import GraphStore, term_value

bp = Blueprint("api", __name__, url_prefix=API)
MAX_PER_PAGE = 1000
# What a posted description's Content-Type says its format is (validate_description reads
# the format from a file name).
UPLOAD_SUFFIX = {
    "text/turtle": ".ttl",
    "application/x-turtle": ".ttl",  # (Turtle's name before its registration; rdflib's)
    "application/trig": ".trig",
    "application/n-quads": ".nq",
    "application/ld+json": ".jsonld",
    "application/n-triples": ".nt",
    "application/rdf+xml": ".rdf",
    "application/yaml": ".yml",
    "application/x-yaml": ".yml",
    "text/yaml": ".yml",
}

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# What /api/conformance filters by: a verdict's outcome (EARL's), and a level of a graded
# definition, every one of every definition, lowest first within each.
OUTCOMES = ("passed", "failed", "cantTell", "inapplicable")
LEVELS = [d.level_labels[lv] for d in definitions().values() for lv in d.levels]


def _wants_rdf() -> str | None:
    """The RDF media type the client prefers over JSON, if any (406 when it takes
    neither: :func:`api_format`)."""
    best = api_format()
    return best if best != "application/json" else None


def _rdf(triples: list[ox.Triple], media: str) -> Response | None:
    """``triples`` in ``media``; but where that is JSON-LD and they hold a triple term (RDF
    1.2), which it cannot express, in what the client takes of the other types (406 when
    none): None when that is JSON, which the route answers itself."""
    offered = expressible(API_TYPES, triples)
    if media not in offered:
        media = api_format(offered)
        if media == "application/json":
            return None
    return Response(serialize_graph(triples, media, PREFIXES), content_type=content_type(media))


def _assertions_linked(rows: list[dict]) -> list[ox.Triple]:
    """The stored assertions of the verdict ``rows``, each with rdfs:seeAlso the model's
    conformance for its definition, where its sh:ValidationReport is: a report costs
    seconds of pySHACL to make, too many to make for every assertion of a list."""
    iris = {assessment_iri(r["definition"], r["model"]): r for r in rows}
    triples = stored_assertions(get_store(), list(iris))
    for a in sorted({t.subject.value for t in triples} & iris.keys()):
        row = iris[a]
        report = url_for(
            ".model_conformance",
            model_id=row["model"].rsplit("/", 1)[1],
            definition=row["definition"],
            _external=True,
        )
        triples.append(
            ox.Triple(ox.NamedNode(a), ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(report))
        )
    return triples


@bp.get("/conformance")
def conformance() -> Response:
    """The matrix, one item per (model, definition), filtered and paginated."""
    args = request.args
    definition = definition_asked()
    try:
        page = max(1, int(args.get("page", 1)))
        per_page = min(MAX_PER_PAGE, max(1, int(args.get("per_page", 100))))
    except ValueError:
        return text("page and per_page are numbers", 400)
    # A value no verdict has matched none, silently: a typo looked like an empty list.
    for name, known in (("outcome", OUTCOMES), ("level", LEVELS)):
        if args.get(name) and args[name] not in known:
            return text(f"{name} is one of {', '.join(known)}, not {args[name]!r}", 400)
    orgs = organizations()
    items = []
    for row in verdict_rows(get_store(), definition):
        row.update(
            orgs.get(
                row["model"],
                {"organization": None, "organizationName": None, "organizationKind": None},
            )
        )
        if args.get("outcome") and row["outcome"] != args["outcome"]:
            continue
        if args.get("level") and row["level"] != args["level"]:
            continue
        if args.get("kind") and row["organizationKind"] != args["kind"]:
            continue
        org = args.get("organization")
        if org and org not in (row["organization"], row["organizationName"]):
            continue
        items.append(row)
    chunk = items[(page - 1) * per_page : page * per_page]
    media = _wants_rdf()
    response = _rdf(_assertions_linked(chunk), media) if media else None
    if response is None:
        response = jsonify(
            {"total": len(items), "page": page, "per_page": per_page, "items": chunk}
        )
    if page * per_page < len(items):  # the next page, in JSON or RDF alike
        query = {**args.to_dict(), "page": page + 1, "per_page": per_page}
        link = url_for(".conformance", _external=True, **query)
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


@bp.get("/models/<path:model_id>")
def model(model_id: str) -> Response:
    """A model: its name, producer, records in every source, and its verdicts."""
    iri = model_iri(model_id)
    store = get_store()
    # A name is a literal: a triple term (RDF 1.2) an upload gave one is none
    about = store.query(
        f"""SELECT ?name ?family ?familyName WHERE {{
              OPTIONAL {{ <{iri}> schema:name ?name FILTER (isLiteral(?name)) }}
              OPTIONAL {{ <{iri}> og:family ?family . ?family schema:name ?familyName
                         FILTER (isLiteral(?familyName)) }} }}"""
    ).rows()[0]
    records = [
        {"record": r["r"].value, "source": r["source"].value, "id": term_value(r["id"])}
        for r in store.query(
            f"""SELECT ?r ?source ?id WHERE {{ <{iri}> og:hasRecord ?r .
                         ?r og:source/skos:notation ?source ; og:sourceId ?id }}
                       ORDER BY ?source ?id"""
        ).rows()
    ]
    verdicts = verdict_rows(store, model=iri)
    media = _wants_rdf()
    answer = _rdf(_assertions_linked(verdicts), media) if media else None
    if answer is not None:
        return answer
    return jsonify(
        {
            "model": iri,
            "name": about["name"].value if "name" in about else iri.rsplit("/", 1)[1],
            "family": about["family"].value if "family" in about else None,
            "familyName": about["familyName"].value if "familyName" in about else None,
            **organizations(iri).get(iri, {}),
            "records": records,
            "verdicts": verdicts,
        }
    )


@bp.get("/models/<path:model_id>/conformance")
def model_conformance(model_id: str) -> Response:
    """The model's verdicts with reasons; as Turtle or JSON-LD, the assertions, each with
    the SHACL validation report of its definition's shapes (og:validationReport)."""
    iri = model_iri(model_id)
    definition = definition_asked()
    verdicts = verdict_rows(get_store(), definition, model=iri)
    media = _wants_rdf()
    if media:
        judged = [v["definition"] for v in verdicts]
        answer = _rdf(explanation(get_store(), iri, judged) if judged else [], media)
        if answer is not None:
            return answer
    return jsonify(verdicts)


@bp.get("/models/<path:model_id>/changes-to-pass")
def model_changes_to_pass(model_id: str) -> Response:
    """What it would take: for each definition the model does not pass, the changes that
    would make it pass (queries/changes-to-pass.rq)."""
    return jsonify(changes_to_pass(get_store(), model_iri(model_id)))


@bp.post("/validate")
def validate() -> Response:
    """Check a posted model description against all or chosen definitions (not stored); as
    RDF, each verdict an EARL assertion linked to its sh:ValidationReport (`openness
    validate --format ttl`)."""
    chosen = request.args.getlist("definition")
    unknown = [d for d in chosen if d not in definitions()]
    if unknown:
        return text(f"unknown definition(s) {unknown}; known: {', '.join(definitions())}", 400)
    with_store = request.args.get("with-store", "false")
    if with_store not in ("true", "false"):
        return text(f"with-store is true or false, not {with_store!r}", 400)
    graph = with_store == "true"
    media = _wants_rdf()
    upload = request.files.get("file")
    suffix = None  # (a file's name tells its format)
    if upload is not None:
        data, name = upload.read(), upload.filename or "upload"
    elif request.mimetype == "multipart/form-data":  # (read, but the part is missing)
        return text("post the description as the multipart form's 'file'", 400)
    else:
        suffix = UPLOAD_SUFFIX.get(request.mimetype or "")
        if suffix is None:
            return text(  # (as /sparql answers a query of a media type it does not read)
                "post Turtle, JSON-LD, N-Triples, RDF/XML or a MOF YAML file as "
                f"{', '.join(UPLOAD_SUFFIX)} (or as a multipart form's 'file'), "
                f"not {request.mimetype!r}",
                415,
            )
        data, name = request.get_data(), _raw_name(suffix)
    cap = current_app.config["SHACL_MAX_DATA_TRIPLES"]
    try:
        if media:
            body = get_store().call(
                explain_description, data, name, chosen or None, media, cap, graph, suffix
            )
            return Response(body, content_type=content_type(media))
        judged = get_store().call(judge, data, name, chosen or None, cap, graph, suffix)
    except TooLarge as e:
        return text(str(e), 413)
    except UnreadableInput as e:
        return text(f"cannot read the description: {e}", 400)
    except QueryTimeout:
        return _too_long("fewer models (`openness validate` runs without a time limit)")
    # What the reader left out of the description bears on every verdict given on it; a
    # field of each verdict carries it without changing the answer's shape (an array).
    return jsonify([{**v, "warnings": judged["warnings"]} for v in judged["verdicts"]])


def _raw_name(suffix: str) -> str:
    """The name a raw body is judged under: the filename its Content-Disposition gives
    (``inline; filename=my-model.ttl``, the header a multipart form's part names its file
    by, RFC 6266's parameter), without folders; else ``description<suffix>``. Its models'
    IRIs are minted from it, messages name it and it names a MOF file's record, as a
    file's name does; the Content-Type, not its suffix, tells the format."""
    _, options = parse_options_header(request.headers.get("Content-Disposition", ""))
    given = PurePosixPath(options.get("filename", "").replace("\\", "/")).name
    # ('..' is a folder's name, not a file's)
    return given if given not in ("", "..") else "description" + suffix


def judge(
    store: GraphStore,
    data: bytes,
    name: str,
    ids: list[str] | None,
    max_triples: int,
    with_store: bool = False,
    suffix: str | None = None,
) -> dict[str, list]:
    """A guard task: the verdicts on a posted description, as JSON, and what the reader
    left out of it (assessing it takes seconds of CPU, so it runs in a lane, under the
    request's time limit, and a description of more than ``max_triples`` is refused before
    it is judged: :class:`TooLarge`). The API and the validate page, whose guided form asks
    again as it is filled in, both run it. ``with_store``: the base models it names but does
    not describe are read from ``store`` (validate_description's ``graph``); ``suffix``
    tells the format where the name does not (a raw body's Content-Type)."""
    graph = store if with_store else None
    run = validate_description(data, name, ids, max_triples=max_triples, graph=graph, suffix=suffix)
    return {"verdicts": [v.as_json() for v in run.verdicts], "warnings": run.warnings}


def explain_description(
    store: GraphStore,
    data: bytes,
    name: str,
    ids: list[str] | None,
    media: str,
    max_triples: int,
    with_store: bool = False,
    suffix: str | None = None,
) -> bytes:
    """A guard task: the verdicts on a posted description with their SHACL reports, in
    ``media`` (pySHACL takes seconds of CPU a model, under the request's time limit; at
    most ``max_triples``, ``with_store`` and ``suffix`` as :func:`judge`)."""
    graph = store if with_store else None
    run = validate_description(
        data, name, ids, reports=True, max_triples=max_triples, graph=graph, suffix=suffix
    )
    triples = [t for model in run.reports.values() for t in model]
    return serialize_graph(triples, media, PREFIXES)


@bp.post("/shacl")
def shacl() -> Response:
    """Validate posted data, or a stored graph, against posted shapes; answers the
    sh:ValidationReport by Accept (see ``openness.server.shacl``).

    The shapes are the body (Turtle, N-Triples or JSON-LD by Content-Type), validating the
    stored ``graph`` (an IRI; every graph when left out); or, as multipart or form fields,
    ``shapes`` and optionally ``data`` (a form field's format is ``shapes-format`` /
    ``data-format``, Turtle by default)."""
    media = negotiate(list(WRITABLE), "the report is")
    shapes, data = _posted("shapes"), _posted("data")
    if shapes is None:
        return text(
            "post the shapes as the body (text/turtle, application/n-triples or "
            "application/ld+json), or as a multipart or form field 'shapes'",
            400,
        )
    graph = request.args.get("graph")
    if graph in ("default", "union"):  # the default graph is the union of the named graphs
        graph = None
    if graph is not None and data is not None:
        return text("give either data or a stored graph to validate, not both", 400)
    if graph is not None and not is_iri(graph):
        return text(f"the graph name {graph!r} is not an IRI", 400)
    config = current_app.config
    limits = ShaclLimits(
        max_shapes_triples=config["SHACL_MAX_SHAPES_TRIPLES"],
        max_data_triples=config["SHACL_MAX_DATA_TRIPLES"],
        max_bytes=config["MAX_RESULT_BYTES"],
        allow_service=config["ALLOW_SERVICE"],
        isolated=isinstance(get_store().guard.lanes, ProcessLanes),
        max_memory=config["SHACL_MAX_MEMORY"],
    )
    job = Validation(shapes, data, graph, request.base_url, media)
    try:
        report = get_store().call(run_validation, job, limits)
    except ShaclError as e:
        return text(str(e), e.status)
    except QueryTimeout:
        return _too_long("less data or simpler shapes")
    return Response(report.body, content_type=content_type(report.media_type))


def _too_long(less: str) -> Response:
    """503 for a validation stopped at the time limit (the guard's words are a query's)."""
    limit = current_app.config["QUERY_TIMEOUT"]
    return text(
        f"the validation ran longer than the {limit:g} s limit and was stopped; validate "
        f"{less}, or ask the operator for a longer --query-timeout",
        503,
    )


def _posted(name: str) -> Posted | None:
    """The shapes or the data of a SHACL request, if it has them."""
    upload = request.files.get(name)
    if upload is not None:
        media = ALIASES.get(upload.mimetype, upload.mimetype)
        if media not in READABLE:
            media = SUFFIXES.get(Path(upload.filename or "").suffix.lower(), "text/turtle")
        return Posted(upload.read(), media)
    if name in request.form:
        given = request.form.get(f"{name}-format", "text/turtle")
        return Posted(request.form[name].encode(), ALIASES.get(given, given))
    if name == "shapes" and request.mimetype not in FORM_TYPES:
        return Posted(request.get_data(), request.mimetype)
    return None
