"""The home page: what the graph holds."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from openness.server.context import get_store
from openness.stats import collect_stats

bp = Blueprint("home", __name__)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    """Counts per graph and entity kind; JSON when asked for by ``Accept``."""
    numbers = collect_stats(get_store())
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best == "application/json":
        return jsonify(numbers)
    return render_template("home.html", stats=numbers)
