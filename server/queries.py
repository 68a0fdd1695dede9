"""Named queries: the catalogue of queries/ at /queries, each runnable at /queries/<name>."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from openness.named_queries import NamedQuery, QueryFileError, catalogue
from openness.server.sparql import run_query, text

bp = Blueprint("queries", __name__)


def _catalogue() -> dict[str, NamedQuery]:
    try:
        return catalogue()
    except QueryFileError as e:  # a broken file is the operator's to fix: say which
        abort(text(str(e), 500))


def _describe(q: NamedQuery) -> dict:
    return {
        "name": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": q.tags,
        "url": url_for("queries.run", name=q.name, _external=True),
        "parameters": [
            {
                "name": p.name,
                "required": p.required,
                "type": p.type or "literal",
                "default": p.default,
            }
            for p in q.parameters
        ],
        "query": q.text,
    }


@bp.get("/queries")
def index() -> Response:
    """The catalogue, as HTML for browsers and JSON for programs."""
    queries = _catalogue()
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best == "application/json" or request.args.get("format") == "json":
        return jsonify([_describe(q) for q in queries.values()])
    return Response(render_template("queries.html", queries=queries.values()))


@bp.route("/queries/<name>", methods=["GET", "POST"])
def run(name: str) -> Response:
    """Run a named query, its parameters bound from the URL (or form)."""
    query = _catalogue().get(name)
    if query is None:
        return text(f"no query named {name!r}; see /queries", 404)
    try:
        sparql = query.sparql(request.values.to_dict())
    except KeyError as e:
        return text(str(e.args[0]), 400)
    except ValueError as e:
        return text(f"bad parameter value: {e}", 400)
    return run_query(sparql, [], [])
