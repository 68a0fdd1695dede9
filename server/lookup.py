"""Lookups the API and the pages share: a model by its id (a withdrawn one's 410 Gone),
producers and their kinds."""

from __future__ import annotations

from typing import Any, NoReturn

import pyoxigraph as ox
from flask import (
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from openness.assess.definitions import definitions
from openness.assess.service import resolve_models, tombstone, withdrawal
from openness.assess.service import successor as service_successor
from openness.assess.service import withdrawn_named as service_withdrawn_named
from openness.assess.service import withdrawn_names as service_withdrawn_names
from openness.names import NameIndex
from openness.namespaces import ID, PREFIXES, Graphs
from openness.server.context import get_store
from openness.server.negotiation import API, GRAPH_TYPES, api_format, content_type, serialize_graph
from openness.server.public_url import asked_path
from openness.server.search import name_index, name_indexes
from openness.server.sparql import text

MODEL_ID = "<path:model_id>"  # (in a route's rule)
# The header of an answer about a withdrawn model that is not gone with it (its history):
# the day it was withdrawn.
WITHDRAWN = "Withdrawn"


def is_iri(value: str) -> bool:
    """Whether ``value`` is a well-formed IRI, and so cannot close ``<…>`` in a query."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def is_model(iri: str) -> bool:
    return is_iri(iri) and bool(get_store().query(f"ASK {{ <{iri}> a og:Model }}"))


def successor(iri: str) -> str | None:
    """What a retired IRI is now (:func:`openness.assess.service.successor`), or None."""
    return service_successor(get_store(), iri) if is_iri(iri) else None


def withdrawn(iri: str) -> list[ox.Triple]:
    """The tombstone of an IRI whose model or record is gone (og:WithdrawnModel,
    og:WithdrawnRecord, in the identity graph), or none."""
    return tombstone(get_store(), iri) if is_iri(iri) else []


def withdrawn_named(name: str) -> str | None:
    """The one withdrawn model whose last name is ``name``, where no living model is so
    called (:func:`openness.assess.service.withdrawn_named`, as the commands answer)."""
    return service_withdrawn_named(get_store(), name, withdrawn_names, name_index)


def withdrawn_names() -> dict[str, set[str]]:
    """The withdrawn models by last name, kept with the index of living names
    (:func:`name_indexes`): every lookup that found no model read every tombstone's name
    (10 000 tombstones: ~0.3 s a miss; docs/measurements.md)."""
    made = name_indexes()
    if "withdrawn" not in made:
        made["withdrawn"], g.withdrawn_read = service_withdrawn_names(get_store()), True
    return made["withdrawn"]


def gone(iri: str, triples: list[ox.Triple], media: str | None) -> Response:
    """410 Gone for a withdrawn model's IRI, naming its last name and the day it was
    withdrawn, in ``media``: a page (HTML), JSON (the API's), the tombstone (an RDF type),
    else text. The models now called by its name are named: another IRI, which a consumer
    may judge to be the same model come back under new records. A removed record's names
    the day and the model it was of."""
    said = withdrawal(triples)
    if media in GRAPH_TYPES:
        body = serialize_graph(triples, media, PREFIXES)
        return Response(body, status=410, content_type=content_type(media))
    if "recordOf" in said:
        if media != "text/html":
            return text(said["message"], 410)
        model = said["recordOf"]
        page = model and url_for("pages.model", model_id=model.removeprefix(f"{ID}model/"))
        return Response(render_template("removed.html", iri=iri, page=page, **said), status=410)
    rows = (
        get_store()
        .query(
            "SELECT ?m WHERE { ?m a og:Model ; schema:name ?name } ORDER BY ?m",
            substitutions={"name": ox.Literal(said["name"])},
        )
        .rows()
    )
    now = [r["m"].value for r in rows]
    message = said["message"] + (f". Now called {said['name']!r}: {', '.join(now)}" if now else "")
    if media == "text/html":
        pages = [(m, url_for("pages.model", model_id=m.removeprefix(f"{ID}model/"))) for m in now]
        model_id = iri.removeprefix(f"{ID}model/")
        page = render_template("gone.html", iri=iri, model_id=model_id, now=pages, **said)
        return Response(page, status=410)
    if media == "application/json":
        answer = jsonify({"model": iri, **said, "message": message, "sameName": now})
        answer.status_code = 410
        return answer
    return text(message, 410)


def model_iri(model_id: str) -> str:
    """The model a route's ``model_id`` names: the last part of its IRI; else a retired
    IRI's model, its name or a source's id for it, answered with a redirect (303) to the
    route for the model's own id, or with 300 and the models' ids when the name is several
    models'; a withdrawn model's IRI with 410 Gone (JSON, or RDF if asked)."""
    iri, tombstone = model_or_withdrawn(model_id)
    if tombstone:
        abort(gone(iri, tombstone, api_format()))
    return iri


def model_or_withdrawn(model_id: str) -> tuple[str, list[ox.Triple]]:
    """The model a route's ``model_id`` names, as :func:`model_iri` finds it, with no
    tombstone; or a withdrawn model's IRI with its tombstone: for the routes answering
    what outlives a model, its dated verdicts.

    A Hub id's slash is a path's: ``/api/models/someorg/history`` is the history route of
    ``someorg`` and the model route of the Hub repository ``someorg/history``. A model's
    own id (which has no slash) keeps its routes; else the whole path, where it names a
    model, is that model; else the route of a model ``model_id`` names."""
    iri = f"{ID}model/{model_id}"
    if is_model(iri):
        return iri, []
    triples = withdrawn(iri)
    if triples:
        return iri, triples
    own, sub, subs = _model_routes()
    if sub:
        _the_whole_path(model_id + sub, own)
    try:
        moved = successor(iri)
        found = (
            [moved]
            if moved
            else resolve_models(get_store(), [model_id], name_index, withdrawn_names)
        )
    except LookupError as e:
        named = withdrawn_named(model_id)
        if named:
            return named, withdrawn(named)
        if not sub and any(map(_names_a_model, _heads(model_id))):
            _no_route(subs, str(e))
        abort(text(f"{e}; the ids of the models are listed by {url_for('api.conformance')}", 404))
    _send_to(found, model_id, request.endpoint or "")


def _model_routes() -> tuple[str, str, list[str]]:
    """Of the request's route under a model (``…/<path:model_id>…``): the endpoint of the
    model's own route there, what the route has after the id ("" for the model's own,
    ``/history``…), and the routes after the id that there are."""
    rule = request.url_rule.rule if request.url_rule else ""
    prefix, _, sub = rule.partition(MODEL_ID)
    own, subs = request.endpoint or "", []
    for other in current_app.url_map.iter_rules():
        head, found, tail = other.rule.partition(MODEL_ID)
        if found and head == prefix:
            if tail:
                subs.append(tail)
            else:
                own = other.endpoint
    return own, sub, sorted(subs)


def _heads(path: str) -> list[str]:
    """The parts of ``path`` before each of its slashes, the longest first."""
    parts = path.split("/")
    return ["/".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]


def _unsuggested() -> NameIndex:
    """No "did you mean" for a name looked up only to learn whether it names a model: the
    index of every name is made for a name no model has, not for this."""
    return NameIndex([])


def _names_a_model(name: str) -> bool:
    """Whether ``name`` is a model's id or name, a living or a withdrawn one's."""
    if withdrawn(f"{ID}model/{name}"):
        return True
    try:
        resolve_models(get_store(), [name], _unsuggested, withdrawn_names)
    except LookupError:
        return withdrawn_named(name) is not None
    return True


def _the_whole_path(whole: str, own: str) -> None:
    """Where ``whole`` (a sub-route's path from the model's id on) names a model, or a
    withdrawn one, the answer: a redirect (303) to the model's own route, or 410 Gone."""
    try:
        found = resolve_models(get_store(), [whole], _unsuggested, withdrawn_names)
    except LookupError:
        named = withdrawn_named(whole)
        if named:
            abort(gone(named, withdrawn(named), _error_format()))
        return
    _send_to(found, whole, own)


def _send_to(found: list[str], asked: str, endpoint: str) -> NoReturn:
    """A redirect (303) to ``endpoint`` for the one model ``found``, or 300 naming them."""
    ids = sorted(m.removeprefix(f"{ID}model/") for m in found)
    if len(ids) > 1:
        abort(text(f"{asked!r} names {len(ids)} models: {', '.join(ids)}", 300))
    # The route under the model's id, the query string as sent (none of its names can
    # reach url_for's own options: _method, _anchor, or the path's model_id).
    args = (request.view_args or {}) if endpoint == request.endpoint else {}
    path = url_for(endpoint, **{**args, "model_id": ids[0]})
    query = request.query_string.decode()
    abort(redirect(f"{path}?{query}" if query else path, 303))


def _no_route(subs: list[str], missed: str) -> NoReturn:
    """404 for a path naming no model (``missed`` says so, with the names most like it)
    where a part before a slash names one: a mistyped route under a Hub id (whose slash
    made the whole path an id), or a mistyped Hub id under an organization that is also a
    model's name (Qwen/Qwen2-7B-Instrct, told "no route" and no name like it); the
    routes named beside."""
    asked = asked_path(request.environ, request.script_root, request.path)
    routes = ", ".join(f"<id>{sub}" for sub in subs)
    abort(
        text(
            f"{missed}; nor is {asked} a route of the API: a model's are <id> and {routes}; "
            f"{url_for('openapi.openapi')} lists them all",
            404,
        )
    )


def _error_format() -> str:
    """What a withdrawn model's 410 is written in: the API's negotiated format; a page
    elsewhere, as the model pages answer it."""
    return api_format() if request.path.startswith(f"{API}/") else "text/html"


def definition_asked() -> str | None:
    """The request's ``definition`` parameter: None, or one of the definitions (else 400
    naming them, not an empty answer)."""
    given = request.args.get("definition") or None
    if given is not None and given not in definitions():
        abort(text(f"unknown definition {given!r}; known: {', '.join(definitions())}", 400))
    return given


def organizations(model: str | None = None) -> dict[str, dict[str, Any]]:
    """Each model's producer with its kind (only ``model``'s when given: a page about one
    model need not read every producer); where sources disagree on the kind, the curated
    (reviewed) one is given. Its name is its label, else the name a source gives it (a
    Hub author's)."""
    only = f"VALUES ?m {{ {ox.NamedNode(model)} }}" if model else ""
    rows = (
        get_store()
        .query(
            f"""SELECT ?m ?org ?name ?kind ?curated WHERE {{ {only}
              ?m a og:Model ; og:producer ?org .
              OPTIONAL {{ ?org rdfs:label ?label FILTER (isLiteral(?label)) }}
              OPTIONAL {{ ?org schema:name ?called FILTER (isLiteral(?called)) }}
              BIND (COALESCE(?label, ?called) AS ?name)
              OPTIONAL {{ GRAPH ?g {{ ?org og:organizationKind ?k }} ?k skos:notation ?kind
                         BIND (?g = <{Graphs.source("curated")}> AS ?curated) }} }}
            ORDER BY ?m ?curated"""
        )
        .rows()
    )
    return {
        r["m"].value: {
            "organization": r["org"].value,
            "organizationName": r["name"].value if "name" in r else None,
            "organizationKind": r["kind"].value if "kind" in r else None,
        }
        for r in rows
    }  # ordered so that the curated kind comes last and wins
