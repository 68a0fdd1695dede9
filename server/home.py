"""The home page: what the graph holds, where it comes from, and the headline chart."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template

from openness.assess.definitions import definitions
from openness.server.catalog import modified, sources
from openness.server.context import get_store, served_dump
from openness.server.evidence import named_query
from openness.server.negotiation import PAGE_TYPES, negotiate
from openness.stats import HEADLINES, collect_stats, held_words
from openness.store.dump import NoDump

bp = Blueprint("home", __name__)


def _runs(holds: dict[str, dict[str, int]]) -> list[dict]:
    """Each source ingested (catalog.sources: its licences, its latest run), with what its
    graph holds (``holds``, from collect_stats), in words."""
    return [
        {**source, "holds": held_words(holds.get(source["source"], {}))} for source in sources()
    ]


def _chart() -> list[dict]:
    """Per definition, the share of models passing among those it can judge (for the
    tool's and the Index's definitions, the models their source describes): the
    verdict-counts query's rows, which the chart links to as its table. A definition that
    passes or fails no model (the Index rates and ranks) has no share passing: its row
    says how many models it rates (``rated``) instead of drawing a 0% bar; one with a
    requirement no source records (``unrecorded``) says that no model can pass it."""
    known = definitions()
    out = []
    for row in named_query("verdict-counts"):
        definition, passed, total = (
            row["definition"].value,
            int(row["passed"].value),
            int(row["judged"].value),
        )
        out.append(
            {
                "definition": definition,
                "passed": passed,
                "total": total,
                "share": passed / total if total else 0.0,
                "rated": definition in known and not known[definition].passes_models,
                "unrecorded": int(row["unrecorded"].value),
            }
        )
    return out


@bp.get("/")
def index() -> Response:
    """Counts per graph and entity kind; JSON when asked for by ``Accept``."""
    numbers = collect_stats(get_store())
    best = negotiate(PAGE_TYPES, "this page is")
    if best == "application/json":
        return jsonify(numbers)
    try:
        dump = served_dump()
    except NoDump:
        dump = None  # not linked: /dump says why
    return Response(
        render_template(
            "home.html",
            stats=numbers,
            headlines=HEADLINES,
            runs=_runs(numbers["holds"]),
            chart=_chart(),
            dump=dump,
            # the data's version to cite, as the catalogue's dcterms:modified gives it
            modified=modified(),
        )
    )


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for at this fixed path (an SVG: every current browser draws it)."""
    response = current_app.send_static_file("favicon.svg")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
