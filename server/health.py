"""Health checks for load balancers and monitors: ``/health`` (liveness) never touches the
store; ``/health/ready`` (readiness) asks the store a trivial query."""

from __future__ import annotations

import logging
import os

from flask import Blueprint, Response, current_app, jsonify

from openness.server.admission import STOPPING, Limits
from openness.server.context import current_guard, get_store, stopping
from openness.server.sparql import STORE_UNREADABLE
from openness.store import StoreError

bp = Blueprint("health", __name__)
log = logging.getLogger("openness.server")

# Seconds the readiness check waits for the store: a monitor polls every few seconds, and
# an engine slower than this to answer ASK {} is taken as not ready.
READY_WITHIN = 2.0


@bp.get("/health")
def health() -> Response:
    """``{"status": "ok"}`` and, once this process serves queries, its query lanes: how
    many, idle, running, waiting, and how many queries were turned away and why. Each
    server process (--workers) counts its own: ``process`` (its pid) tells whose they are."""
    guard = current_guard(current_app)
    return jsonify(
        {"status": "ok", "process": os.getpid(), "queries": guard.status() if guard else None}
    )


@bp.get("/health/ready")
def ready() -> Response:
    """``{"status": "ready"}`` once the store answers ``ASK {}`` within READY_WITHIN
    seconds, else 503 ``{"status": "not ready", "reason": …}``: /health says the server
    process lives, which it does while a remote engine is down and every route reading the
    store answers 503. Where the engine is, and its error, go to the log only (as the 503
    of any route keeps them). A server told to stop (SIGTERM) is not ready from that moment,
    its answer saying when to ask again (Retry-After), so that a load balancer sends the
    requests elsewhere while this one answers those under way; /health still answers 200."""
    if stopping():
        answer = jsonify({"status": "not ready", "reason": STOPPING, "process": os.getpid()})
        answer.status_code = 503
        answer.headers["Retry-After"] = str(Limits.retry_after)
        return _uncached(answer)
    try:
        get_store().store.answers(READY_WITHIN)
    except TimeoutError as e:
        log.warning("readiness: %s", e)
        reason = f"the store did not answer within {READY_WITHIN:g} s"
    except StoreError as e:
        log.warning("readiness: the store could not answer: %s", e)
        reason = STORE_UNREADABLE
    else:
        return _uncached(jsonify({"status": "ready", "process": os.getpid()}))
    answer = jsonify({"status": "not ready", "reason": reason, "process": os.getpid()})
    answer.status_code = 503
    return _uncached(answer)


def _uncached(response: Response) -> Response:
    """A readiness answer is of this moment: no cache between the monitor and us keeps it."""
    response.headers["Cache-Control"] = "no-store"
    return response
