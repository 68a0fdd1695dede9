"""The application factory."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, g, request

from openness.server import home

log = logging.getLogger("openness.server")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the application.

    Config keys: ``STORE`` (a :class:`GraphStore` to serve, e.g. in tests), or
    ``STORE_LOCATION`` / ``ENDPOINT`` / ``UPDATE_ENDPOINT`` / ``STORE_ENDPOINT`` to open one
    lazily in each worker process, ``READ_ONLY`` (default true).
    """
    app = Flask(__name__)
    app.config.from_mapping(
        STORE=None,
        STORE_LOCATION=None,
        ENDPOINT=None,
        UPDATE_ENDPOINT=None,
        STORE_ENDPOINT=None,
        READ_ONLY=True,
    )
    if config:
        app.config.update(config)

    app.register_blueprint(home.bp)
    app.before_request(_start_timer)
    app.after_request(_log_request)
    return app


def _start_timer() -> None:
    g.started = time.perf_counter()


def _log_request(response: Any) -> Any:
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info(
        "%s %s %s %.1fms",
        request.method,
        request.full_path.rstrip("?"),
        response.status_code,
        elapsed,
    )
    return response
