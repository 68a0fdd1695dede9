"""A health check for load balancers and monitors: it never touches the store."""

from __future__ import annotations

import os

from flask import Blueprint, Response, current_app, jsonify

from openness.server.context import current_guard

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> Response:
    """``{"status": "ok"}`` and, once this process serves queries, its query lanes: how
    many, idle, running, waiting, and how many queries were turned away and why. Each
    server process (--workers) counts its own: ``process`` (its pid) tells whose they are."""
    guard = current_guard(current_app)
    return jsonify(
        {"status": "ok", "process": os.getpid(), "queries": guard.status() if guard else None}
    )
