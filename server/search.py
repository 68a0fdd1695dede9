"""“Is X open?”: find models by what people call them (:class:`openness.names.NameIndex`),
answered with their verdicts, read through ``verdict_rows`` only."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for

from openness.assess.definitions import definitions
from openness.assess.report import by_outcome, verdict_rows
from openness.names import NameIndex
from openness.server.context import get_store
from openness.server.sparql import text

bp = Blueprint("search", __name__)
T = TypeVar("T")

# Names and terms change only when a source is ingested again; rebuilding an index a few
# minutes late is harmless, running its query on every request is not (about a second).
INDEX_TTL = 300.0
MAX_QUERY = 200
OUTCOME_WORDS = {
    "passed": "passes",
    "failed": "fails",
    "cantTell": "can't tell",
    "inapplicable": "rates it",
}


def kept(key: str, build: Callable[[], T]) -> T:
    """What ``build`` makes from the store, kept by this process for INDEX_TTL."""
    cached = current_app.extensions.get(key)
    now = time.monotonic()
    if cached is None or now - cached[0] > INDEX_TTL:
        current_app.extensions[key] = cached = (now, build())
    return cached[1]


def name_indexes() -> dict[str, Any]:
    """This process's indexes of names (each made when first asked), kept and dropped
    together, the withdrawn names read again when the living ones are (but not twice in
    one request): made at different times, they let a name just withdrawn be neither's
    (404 instead of 410) until the later one expired, up to INDEX_TTL after the other."""
    return kept("openness.names", dict)


def name_index() -> NameIndex:
    """This process's index of model names."""
    made = name_indexes()
    if "living" not in made:
        made["living"] = NameIndex.of(get_store())
        if not g.get("withdrawn_read"):  # (read by an earlier request: read again)
            made.pop("withdrawn", None)
    return made["living"]


def listed(verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A model's verdicts as /search and /api/search list them: those of the definitions
    this server lists, each with ``rates``, true for one that rates models rather than
    passing or failing them (og:passesModels false: the Index); a verdict of a definition
    no longer listed (a store judged before it was taken out) is left out."""
    known = definitions()
    return [
        {**v, "rates": not known[v["definition"]].passes_models}
        for v in verdicts
        if v["definition"] in known
    ]


@bp.app_template_filter("apart")
def apart(verdicts: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The verdicts :func:`listed` keeps: those of the definitions that pass or fail models,
    and apart those of the ones that rate them."""
    kept = listed(verdicts)
    return [v for v in kept if not v["rates"]], [v for v in kept if v["rates"]]


def verdict_lines(model: str) -> list[dict[str, Any]]:
    """One line per definition listed (:func:`listed`): the outcome, its level or score,
    and its first reason, of a requirement that failed if one did (a failed verdict's first
    reason, sorted, was often of one that cannot be told: 'fails: … no evidence: Datasets'),
    and whether the definition rates rather than passes."""
    known = definitions()
    lines = []
    for v in listed(verdict_rows(get_store(), model=model)):
        reasons = [reason for _, reason in by_outcome(v)]
        lines.append(
            {
                "definition": v["definition"],
                "label": known[v["definition"]].label,
                "outcome": v["outcome"],
                "words": OUTCOME_WORDS[v["outcome"]],
                "level": v["level"],
                "score": v["score"],
                "why": reasons[0] if reasons and v["outcome"] != "passed" else None,
                "rates": v["rates"],
            }
        )
    return lines


def answers(asked: str, limit: int = 8) -> list[dict[str, Any]]:
    """The matches for ``asked``, each with its verdict lines."""
    return [
        {
            "model": m.model,
            "id": m.id,
            "name": m.name,
            "matched": m.alias,
            "score": m.score,
            "page": url_for("pages.model", model_id=m.id),
            "verdicts": verdict_lines(m.model),
        }
        for m in name_index().search(asked, limit)
    ]


def _asked() -> str:
    # No model name is longer; a longer text would only make matching slow.
    return request.args.get("q", "").strip()[:MAX_QUERY]


@bp.get("/search")
def search() -> Response:
    """The answer page for the search box of every page."""
    asked = _asked()
    found = answers(asked) if asked else []
    return Response(render_template("search.html", query=asked, matches=found))


@bp.get("/api/search")
def api_search() -> Response:
    """The same answer as JSON: the matching models, best first, with their verdicts."""
    asked = _asked()
    if not asked:
        return text("q, the model to look for, is required", 400)
    try:
        limit = min(50, max(1, int(request.args.get("limit", 8))))
    except ValueError:
        return text("limit is a number", 400)
    return jsonify({"query": asked, "matches": answers(asked, limit)})
